package libos

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/occlumgo/occlum/config"
	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/kernel"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/fs/devfs"
	"github.com/occlumgo/occlum/fs/hostfs"
	"github.com/occlumgo/occlum/fs/pluginfs"
	"github.com/occlumgo/occlum/fs/procfs"
	"github.com/occlumgo/occlum/fs/ramfs"
	"github.com/occlumgo/occlum/fs/sefs"
	"github.com/occlumgo/occlum/fs/unionfs"
	"github.com/occlumgo/occlum/plugins/sdk"
)

// MountEnv is what a mount type may use to build a file system.
type MountEnv struct {
	// InstanceDir is the Occlum instance directory; relative sources are
	// relative to it.
	InstanceDir string
	// ImageRoot is the root of the image layer that the signed
	// measurement pins (nil: no build, and so no image layer).
	ImageRoot *[32]byte
	// ImageKey is the key of an encrypted image (nil: integrity-only).
	ImageKey []byte
	// SealKey derives the key of a writable sefs layer from the
	// platform's sealing key (nil: no platform, no writable sefs).
	SealKey func(label string) ([]byte, error)
	// Layer builds a unionfs layer as a mount of its own (set by
	// buildNamespace).
	Layer func(m config.Mount) (vfs.FileSystem, error)
	// UnionLayer is set while a layer of a unionfs mount is built: a
	// writable sefs layer there is bound to the image (a union of a
	// container layer over another image would mix the two); a sefs
	// mount of its own (a data volume) is not, so it outlives upgrades
	// of the image.
	UnionLayer bool
	// Report receives integrity errors for logging.
	Report func(error)
	// Warn receives refused accesses (hostfs: a protected path) for
	// logging.
	Warn func(error)
	// Protected are host paths no hostfs mount may expose.
	Protected []string
	// Command is what the user typed to start the LibOS ("occlum run"
	// when empty), for messages that say what to type.
	Command string
	// MemorySize bounds a ramfs whose size is not configured:
	// resource_limits.user_space_size (a guest must not grow the LibOS's
	// memory without bound through /tmp).
	MemorySize uint64
	// MountTypes are the names of the registered mount types (procfs's
	// /proc/filesystems; set by buildNamespace).
	MountTypes []string
	// Terminal opens a stream on the LibOS's terminal (devfs's tty), nil
	// when its standard input is not a terminal.
	Terminal func() (vfs.FileImpl, errno.Errno)
}

// KernelUser is implemented by file systems that show the kernel (procfs):
// the kernel is made over the mount table, so ProvideKernel hands it to
// every mounted one that wants it once it exists.
type KernelUser interface {
	BindKernel(k *kernel.Kernel)
}

func (env MountEnv) command() string {
	if env.Command == "" {
		return "occlum run"
	}
	return env.Command
}

// MountType builds one mount's file system.
type MountType func(m config.Mount, env MountEnv) (vfs.FileSystem, error)

// MountTypes is the one place mount types are registered. A custom LibOS
// build passes its own map (see gen/ for the wire injectors).
func MountTypes() map[string]MountType {
	return map[string]MountType{
		sefs.Name:    sefsMount,
		unionfs.Name: unionMount,
		hostfs.Name: func(m config.Mount, env MountEnv) (vfs.FileSystem, error) {
			src := source(m, env)
			if st, err := os.Stat(src); err != nil || !st.IsDir() {
				return nil, fmt.Errorf("host directory %s does not exist or is not a directory (create it, or change the mount's source in Occlum.json)", src)
			}
			if m.Options.Plugin != "" {
				// The same hostfs, out of process (docs/plugins.md).
				var args []string
				if m.Options.Exec {
					args = append(args, "-exec")
				}
				if m.Options.SetID {
					args = append(args, "-suid")
				}
				if m.Options.ReadOnly {
					args = append(args, "-readonly")
				}
				for _, p := range env.Protected {
					args = append(args, "-protect", p)
				}
				return pluginMount(m, env, append(args, src))
			}
			return hostfs.New(src, hostfs.Options{Protected: env.Protected, Exec: m.Options.Exec,
				SetID: m.Options.SetID, Report: env.Warn})
		},
		pluginfs.Name: func(m config.Mount, env MountEnv) (vfs.FileSystem, error) {
			var args []string
			if m.Source != "" {
				args = append(args, source(m, env))
			}
			return pluginMount(m, env, args)
		},
		ramfs.Name: func(m config.Mount, env MountEnv) (vfs.FileSystem, error) {
			size := uint64(m.Options.Size)
			if size == 0 {
				size = env.MemorySize
			}
			return ramfs.New(ramfs.Options{MaxBytes: int64(size)}), nil
		},
		devfs.Name: func(m config.Mount, env MountEnv) (vfs.FileSystem, error) {
			return devfs.New(devfs.Options{Terminal: env.Terminal}), nil
		},
		procfs.Name: func(m config.Mount, env MountEnv) (vfs.FileSystem, error) {
			return procfs.New(procfs.Options{MountTypes: env.MountTypes}), nil
		},
	}
}

// MountTypeNames lists the registered names, sorted (for config validation).
func MountTypeNames(types map[string]MountType) []string {
	out := make([]string, 0, len(types))
	for n := range types {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// PluginDir is where `occlum build` puts the plugin programs of an
// instance, relative to the instance directory (measured by their
// SHA-256 in the configuration; guests cannot reach build/).
const PluginDir = "build/plugins"

// pluginMount starts the measured plugin program of m with args and
// mounts what it serves.
func pluginMount(m config.Mount, env MountEnv, args []string) (vfs.FileSystem, error) {
	if m.Options.PluginSHA256 == "" {
		return nil, fmt.Errorf("plugin %s has no measured SHA-256: run `occlum build`", m.Options.Plugin)
	}
	path := filepath.Join(env.InstanceDir, PluginDir, filepath.Base(m.Options.Plugin))
	c, err := sdk.Start(sdk.Options{Path: path, Args: args, SHA256: m.Options.PluginSHA256,
		Logf: func(format string, a ...any) {
			if env.Warn != nil {
				env.Warn(fmt.Errorf(format, a...))
			}
		}})
	if err != nil {
		return nil, err
	}
	return pluginfs.New(c, c.Stop), nil
}

func source(m config.Mount, env MountEnv) string {
	if filepath.IsAbs(m.Source) {
		return m.Source
	}
	return filepath.Join(env.InstanceDir, m.Source)
}

// MountRoot mounts the root file system of o.Config alone, as
// ProvideNamespace mounts it for a run — the same mount types, keys and
// checks — for `occlum mount`, which shows it on the host (docs/mount.md).
// With readOnly every layer is opened read-only, so nothing on the host
// changes (no commit, no collection of a crash's leftovers), and a
// writable sefs layer that was never made (the instance never ran) is left
// out. The cleanup closes the layers; a writable sefs layer commits.
func MountRoot(o Options, readOnly bool) (vfs.FileSystem, func(), error) {
	if o.Config == nil {
		return nil, nil, fmt.Errorf("libos: no configuration")
	}
	types := o.MountTypes
	if types == nil {
		types = MountTypes()
	}
	var root config.Mount
	found := false
	for _, m := range o.Config.Mounts {
		if m.Target == "/" {
			root, found = m, true
		}
	}
	if !found {
		return nil, nil, fmt.Errorf("mount: no file system is mounted at /")
	}
	env := mountEnv(o, ProvideLogger(o))
	env.Command = "occlum mount"
	if readOnly {
		root = readOnlyRoot(root, env)
	}
	ns, cleanup, err := buildNamespace([]config.Mount{root}, types, env)
	if err != nil {
		return nil, nil, err
	}
	return ns.Mounts()[0].FS, cleanup, nil
}

// readOnlyRoot returns the root mount m with every layer read-only,
// without writable sefs layers that were never made.
func readOnlyRoot(m config.Mount, env MountEnv) config.Mount {
	m.Options.ReadOnly = true
	if len(m.Options.Layers) == 0 {
		return m
	}
	layers := make([]config.Mount, 0, len(m.Options.Layers))
	for _, l := range m.Options.Layers {
		if l.Type == sefs.Name && !l.Options.Image && !l.Options.ReadOnly {
			if _, err := os.Stat(filepath.Join(source(l, env), sefs.MetaFile)); errors.Is(err, fs.ErrNotExist) {
				objs, _ := os.ReadDir(filepath.Join(source(l, env), "objects"))
				if len(objs) == 0 {
					continue // never made: nothing written yet
				}
			}
		}
		l.Options.ReadOnly = true
		layers = append(layers, l)
	}
	m.Options.Layers = layers
	return m
}

// buildNamespace mounts every configured file system, parents before
// children. The cleanup closes those that need it (sefs commits), last
// mounted first.
func buildNamespace(mounts []config.Mount, types map[string]MountType, env MountEnv) (*vfs.Namespace, func(), error) {
	ms := append([]config.Mount(nil), mounts...)
	sort.SliceStable(ms, func(i, j int) bool { return depth(ms[i].Target) < depth(ms[j].Target) })
	if len(ms) == 0 || ms[0].Target != "/" {
		return nil, nil, fmt.Errorf("mount: no file system is mounted at /")
	}
	var closers []io.Closer
	cleanup := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			if err := closers[i].Close(); err != nil && env.Report != nil {
				env.Report(fmt.Errorf("unmount: %w", err))
			}
		}
	}
	mountWith := func(m config.Mount, env MountEnv) (vfs.FileSystem, error) {
		mk, ok := types[m.Type]
		if !ok {
			return nil, fmt.Errorf("unknown type %q (known: %s)", m.Type, strings.Join(MountTypeNames(types), ", "))
		}
		fs, err := mk(m, env)
		if err != nil {
			return nil, err
		}
		if c, ok := fs.(io.Closer); ok {
			closers = append(closers, c)
		}
		return fs, nil
	}
	env.MountTypes = MountTypeNames(types)
	env.Layer = func(m config.Mount) (vfs.FileSystem, error) {
		e := env
		e.UnionLayer = true
		return mountWith(m, e)
	}
	var ns *vfs.Namespace
	for _, m := range ms {
		if ns != nil {
			// The mount point first: a mount that cannot be placed must
			// not make anything (a new sefs layer) on the host.
			if st, e := ns.Stat(m.Target, true); e != 0 || st.Type() != vfs.TypeDirectory {
				if e == 0 {
					e = errno.ENOTDIR
				}
				cleanup()
				return nil, nil, fmt.Errorf("mount %s (%s): mount point: %w", m.Target, m.Type, e)
			}
		}
		fs, err := mountWith(m, env)
		if err != nil {
			cleanup()
			return nil, nil, fmt.Errorf("mount %s (%s): %w", m.Target, m.Type, err)
		}
		if ns == nil {
			ns = vfs.NewNamespace(fs, m.Options.ReadOnly, m.Source)
			continue
		}
		if e := ns.Mount(m.Target, fs, m.Options.ReadOnly, m.Source); e != 0 {
			cleanup()
			return nil, nil, fmt.Errorf("mount %s (%s): mount point: %w", m.Target, m.Type, e)
		}
	}
	return ns, cleanup, nil
}

// sefsMount mounts a sefs layer: the image (options.MAC), read-only and
// checked against the signed root, or a data layer sealed with the
// platform's key (and, as a unionfs layer over the image, bound to it).
func sefsMount(m config.Mount, env MountEnv) (vfs.FileSystem, error) {
	src := source(m, env)
	report := env.Report
	if m.Options.Image {
		if env.ImageRoot == nil {
			return nil, fmt.Errorf("the image layer %s needs a build: run `occlum build`", m.Source)
		}
		root := *env.ImageRoot
		if m.Options.MAC != "" && !strings.EqualFold(m.Options.MAC, hex.EncodeToString(root[:])) {
			return nil, fmt.Errorf("the image's root is %x, but options.MAC says %s", root, m.Options.MAC)
		}
		opts := sefs.Options{Mode: sefs.Integrity, ReadOnly: true, Root: &root, Report: report, MountPoint: m.Target}
		if env.ImageKey != nil {
			opts.Mode, opts.Key = sefs.Encrypted, env.ImageKey
		}
		fs, err := sefs.OpenDir(src, opts)
		switch {
		case errors.Is(err, sefs.ErrKeyNeeded):
			return nil, fmt.Errorf("the image is encrypted: give its key with `%s --image-key FILE`", env.command())
		case errors.Is(err, sefs.ErrKeyNotWanted):
			return nil, fmt.Errorf("the image is not encrypted, but an image key was given: %s without --image-key", strings.TrimPrefix(env.command(), "occlum "))
		case errors.Is(err, sefs.ErrWrongKey):
			return nil, fmt.Errorf("the image key does not open the image (a wrong key, or a tampered %s)", m.Source)
		case err != nil:
			return nil, fmt.Errorf("the image layer %s: %w (run `occlum build` to make it again)", m.Source, err)
		}
		return fs, nil
	}
	if env.SealKey == nil {
		return nil, fmt.Errorf("a sefs layer needs the platform's sealing key, and there is no platform")
	}
	key, err := env.SealKey("sefs " + m.Source)
	if err != nil {
		return nil, fmt.Errorf("deriving the layer's key: %w", err)
	}
	opts := sefs.Options{Mode: sefs.Encrypted, Key: key, ReadOnly: m.Options.ReadOnly,
		CacheSize: int64(m.Options.CacheSize), Report: report, MountPoint: m.Target}
	if env.ImageRoot != nil && env.UnionLayer {
		opts.BoundTo = *env.ImageRoot
	}
	if err := os.MkdirAll(filepath.Dir(src), 0o700); err != nil {
		return nil, err
	}
	fs, err := sefs.OpenDir(src, opts)
	switch {
	case errors.Is(err, sefs.ErrOtherImage):
		return nil, fmt.Errorf("%s was made over another image (another build of image/): it cannot be mixed with this one; rebuild from the image it was made with, or move %s away to start with an empty layer", m.Source, m.Source)
	case errors.Is(err, sefs.ErrWrongKey):
		return nil, fmt.Errorf("%s was sealed by another signer or product (or tampered with): its key is derived from MRSIGNER and product_id", m.Source)
	case errors.Is(err, sefs.ErrLocked):
		return nil, fmt.Errorf("%s: %w (another `occlum run` of this instance?)", m.Source, err)
	case err != nil:
		return nil, fmt.Errorf("%s: %w", m.Source, err)
	}
	return fs, nil
}

// unionMount stacks the layers of a unionfs mount: the writable one (if
// any) on top.
func unionMount(m config.Mount, env MountEnv) (vfs.FileSystem, error) {
	if env.Layer == nil {
		return nil, fmt.Errorf("unionfs layers can only be mounted through the mount table")
	}
	stack := m.Stack()
	var upper vfs.FileSystem
	var lowers []vfs.FileSystem
	for i, l := range stack {
		fs, err := env.Layer(l)
		if err != nil {
			return nil, fmt.Errorf("layer %s (%s): %w", l.Source, l.Type, err)
		}
		if i == 0 && m.Writable() >= 0 {
			upper = fs
		} else {
			lowers = append(lowers, fs)
		}
	}
	return unionfs.New(upper, lowers, unionfs.Options{})
}

func depth(p string) int {
	if p == "/" {
		return 0
	}
	return strings.Count(p, "/")
}
