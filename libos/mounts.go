package libos

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/occlumgo/occlum/config"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/fs/devfs"
	"github.com/occlumgo/occlum/fs/hashfs"
	"github.com/occlumgo/occlum/fs/hostfs"
	"github.com/occlumgo/occlum/fs/ramfs"
)

// MountEnv is what a mount type may use to build a file system.
type MountEnv struct {
	// InstanceDir is the Occlum instance directory; relative sources are
	// relative to it.
	InstanceDir string
	// Manifest is the signed description of image/ (for hashfs).
	Manifest *hashfs.Manifest
	// Report receives integrity errors for logging.
	Report func(error)
	// Warn receives refused accesses (hostfs: a protected path) for
	// logging.
	Warn func(error)
	// Protected are host paths no hostfs mount may expose.
	Protected []string
	// MemorySize bounds a ramfs whose size is not configured:
	// resource_limits.user_space_size (a guest must not grow the LibOS's
	// memory without bound through /tmp).
	MemorySize uint64
}

// MountType builds one mount's file system.
type MountType func(m config.Mount, env MountEnv) (vfs.FileSystem, error)

// MountTypes is the one place mount types are registered. A custom LibOS
// build passes its own map (see gen/ for the wire injectors).
func MountTypes() map[string]MountType {
	return map[string]MountType{
		hashfs.Name: func(m config.Mount, env MountEnv) (vfs.FileSystem, error) {
			if env.Manifest == nil {
				return nil, fmt.Errorf("hashfs at %s needs the image manifest made by `occlum build`", m.Target)
			}
			return hashfs.NewWithOptions(source(m, env), env.Manifest, hashfs.Options{Report: env.Report})
		},
		hostfs.Name: func(m config.Mount, env MountEnv) (vfs.FileSystem, error) {
			src := source(m, env)
			if st, err := os.Stat(src); err != nil || !st.IsDir() {
				return nil, fmt.Errorf("host directory %s does not exist or is not a directory (create it, or change the mount's source in Occlum.json)", src)
			}
			return hostfs.New(src, hostfs.Options{Protected: env.Protected, Exec: m.Options.Exec,
				SetID: m.Options.SetID, Report: env.Warn})
		},
		ramfs.Name: func(m config.Mount, env MountEnv) (vfs.FileSystem, error) {
			size := uint64(m.Options.Size)
			if size == 0 {
				size = env.MemorySize
			}
			return ramfs.New(ramfs.Options{MaxBytes: int64(size)}), nil
		},
		devfs.Name: func(m config.Mount, env MountEnv) (vfs.FileSystem, error) {
			return devfs.New(devfs.Options{}), nil
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

func source(m config.Mount, env MountEnv) string {
	if filepath.IsAbs(m.Source) {
		return m.Source
	}
	return filepath.Join(env.InstanceDir, m.Source)
}

// buildNamespace mounts every configured file system, parents before
// children.
func buildNamespace(mounts []config.Mount, types map[string]MountType, env MountEnv) (*vfs.Namespace, error) {
	ms := append([]config.Mount(nil), mounts...)
	sort.SliceStable(ms, func(i, j int) bool { return depth(ms[i].Target) < depth(ms[j].Target) })
	if len(ms) == 0 || ms[0].Target != "/" {
		return nil, fmt.Errorf("mount: no file system is mounted at /")
	}
	var ns *vfs.Namespace
	for _, m := range ms {
		mk, ok := types[m.Type]
		if !ok {
			return nil, fmt.Errorf("mount %s: unknown type %q (known: %s)", m.Target, m.Type, strings.Join(MountTypeNames(types), ", "))
		}
		fs, err := mk(m, env)
		if err != nil {
			return nil, fmt.Errorf("mount %s (%s): %w", m.Target, m.Type, err)
		}
		if ns == nil {
			ns = vfs.NewNamespace(fs, m.Options.ReadOnly, m.Source)
			continue
		}
		if e := ns.Mount(m.Target, fs, m.Options.ReadOnly, m.Source); e != 0 {
			return nil, fmt.Errorf("mount %s (%s): mount point: %w", m.Target, m.Type, e)
		}
	}
	return ns, nil
}

func depth(p string) int {
	if p == "/" {
		return 0
	}
	return strings.Count(p, "/")
}
