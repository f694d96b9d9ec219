// Package libostest boots a throw-away LibOS through the default injector
// (gen.NewLibOS) and runs one program in it: the harness of the C test
// programs, the benchmarks and examples.
package libostest

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/occlumgo/occlum/config"
	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/kernel"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/fs/devfs"
	"github.com/occlumgo/occlum/fs/hostfs"
	"github.com/occlumgo/occlum/fs/procfs"
	"github.com/occlumgo/occlum/fs/ramfs"
	"github.com/occlumgo/occlum/fs/sefs"
	"github.com/occlumgo/occlum/fs/unionfs"
	"github.com/occlumgo/occlum/gen"
	"github.com/occlumgo/occlum/instance"
	"github.com/occlumgo/occlum/libos"
	"github.com/occlumgo/occlum/platform/sim"
)

// Root is the file system Boot mounts at /.
type Root int

const (
	// RamRoot is a ramfs: nothing on the host, the fastest (the default).
	RamRoot Root = iota
	// SecureRoot is the root of an instance (config.Default): a unionfs
	// of a writable, encrypted sefs container layer over a read-only,
	// integrity-only sefs image layer, mounted through the sefs and
	// unionfs mount types as `occlum run` mounts them (libos/mounts.go).
	// The image is packed by sefs.Pack, as `occlum build` packs image/;
	// the container layer starts empty, sealed with a key from a
	// simulated platform with a random machine secret and bound to the
	// image's root. Both live in a host directory (ProgramOptions.RootDir,
	// or a temporary one that the cleanup removes); the cleanup closes
	// (commits) them.
	SecureRoot
)

// String returns "ramfs" or "secure".
func (r Root) String() string {
	switch r {
	case RamRoot:
		return "ramfs"
	case SecureRoot:
		return "secure"
	}
	return fmt.Sprintf("Root(%d)", int(r))
}

// ProgramOptions describe one program run by RunProgram.
type ProgramOptions struct {
	Wasm []byte
	// Args is argv including argv[0]; the program is installed at
	// /bin/<base of argv[0]> ("/bin/prog" when Args is empty).
	Args   []string
	Env    []string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// HostDir, if set, is mounted at /host.
	HostDir string
	// Config overrides the default configuration (mounts are ignored).
	Config *config.Config
	// CacheDir keeps compiled code between runs ("" for none).
	CacheDir string
	// Root is the file system at / (RamRoot unless set).
	Root Root
	// Files, if set, are there before any program runs, by path from /
	// (as fs.FS names them: "root/data/x" is /root/data/x): directories,
	// regular files (with their permission bits; the base directories
	// /bin /dev /tmp /host /etc /root keep 0755) and symbolic links. On
	// a SecureRoot they are packed into the image layer, so a guest's
	// changes to them go through copy-up and whiteouts (and a file under
	// another mount's target, /tmp say, is hidden by that mount); on a
	// RamRoot they are written through the namespace after the mounts,
	// so /tmp/x lands on the /tmp mount.
	Files fs.FS
	// RootDir is the host directory holding a SecureRoot's layers
	// (image/, container/) and the simulated platform's machine secret
	// (machine.key); it is kept after the cleanup, so a later Boot with
	// the same RootDir (and the same Files) finds the container layer as
	// the last one left it. "" means a temporary directory, removed by
	// the cleanup.
	RootDir string
}

// RunProgram boots a throw-away LibOS (see Boot), installs the program at
// /bin/<base of argv[0]> and runs it. It is the harness of the C test
// programs and the benchmarks.
func RunProgram(ctx context.Context, o ProgramOptions) (kernel.WaitStatus, error) {
	name := "prog"
	if len(o.Args) > 0 {
		name = baseName(o.Args[0])
	}
	args := o.Args
	if len(args) == 0 {
		args = []string{"/bin/" + name}
	}
	l, install, cleanup, err := Boot(ctx, o)
	if err != nil {
		return 0, err
	}
	defer cleanup()
	if err := install("/bin/"+name, o.Wasm); err != nil {
		return 0, err
	}
	return l.Run(ctx, "/bin/"+name, args, o.Env)
}

// baseDirs are the directories every root has (and every root has the
// files of a new instance's image, instance.BaseImageFiles: /etc/passwd
// and /etc/group).
var baseDirs = []string{"/bin", "/dev", "/proc", "/tmp", "/host", "/etc", "/root"}

// Boot builds a LibOS through the default injector with the root o.Root
// (a ramfs unless set), ramfs /tmp, devfs /dev, procfs /proc and, if
// o.HostDir is set, hostfs /host. install writes a program into the root
// file system, through the namespace. o.Wasm, o.Args and o.Env are not used. The
// cleanup shuts the LibOS down and unmounts everything (a SecureRoot's
// layers commit and close).
func Boot(ctx context.Context, o ProgramOptions) (l *libos.LibOS, install func(path string, wasm []byte) error, cleanup func(), err error) {
	cfg := o.Config
	if cfg == nil {
		cfg = config.Default()
	}
	c := *cfg
	lo := libos.Options{Stdin: o.Stdin, Stdout: o.Stdout, Stderr: o.Stderr, CacheDir: o.CacheDir}
	var ns *vfs.Namespace
	removeDir := func() {}
	switch o.Root {
	case RamRoot:
		root := ramfs.New(ramfs.Options{})
		types := libos.MountTypes()
		types["testroot"] = func(config.Mount, libos.MountEnv) (vfs.FileSystem, error) { return root, nil }
		lo.MountTypes = types
		c.Mounts = []config.Mount{{Target: "/", Type: "testroot"}}
		ns = vfs.NewNamespace(root, false, "")
		for _, d := range baseDirs {
			ns.Mkdir(d, 0o755)
		}
		for name, content := range instance.BaseImageFiles {
			if err := writeFile(ns, "/"+name, []byte(content), 0o644); err != nil {
				return nil, nil, nil, err
			}
		}
	case SecureRoot:
		dir := o.RootDir
		if dir == "" {
			if dir, err = os.MkdirTemp("", "libostest-root-"); err != nil {
				return nil, nil, nil, err
			}
			removeDir = func() { os.RemoveAll(dir) }
		}
		root, plat, err := secureLayers(dir, o.Files)
		if err != nil {
			removeDir()
			return nil, nil, nil, err
		}
		lo.InstanceDir, lo.ImageRoot, lo.Platform = dir, &root, plat
		// The root of config.Default, with the layers in dir.
		c.Mounts = []config.Mount{{Target: "/", Type: unionfs.Name, Options: config.MountOptions{Layers: []config.Mount{
			{Target: "/", Type: sefs.Name, Source: imageDir, Options: config.MountOptions{Image: true}},
			{Target: "/", Type: sefs.Name, Source: containerDir},
		}}}}
	default:
		return nil, nil, nil, fmt.Errorf("libostest: unknown root %v", o.Root)
	}
	c.Mounts = append(c.Mounts,
		config.Mount{Target: "/dev", Type: devfs.Name},
		config.Mount{Target: "/proc", Type: procfs.Name},
		config.Mount{Target: "/tmp", Type: ramfs.Name})
	if o.HostDir != "" {
		c.Mounts = append(c.Mounts, config.Mount{Target: "/host", Type: hostfs.Name, Source: o.HostDir})
	}
	lo.Config = &c
	l, shutdown, err := gen.NewLibOS(ctx, lo)
	if err != nil {
		removeDir()
		return nil, nil, nil, err
	}
	cleanup = func() {
		shutdown()
		removeDir()
	}
	if ns == nil {
		ns = l.Kernel().VFS
	}
	install = func(path string, wasm []byte) error {
		return writeFile(ns, path, wasm, 0o755)
	}
	if o.Files != nil && o.Root == RamRoot {
		if err := copyFiles(l.Kernel().VFS, o.Files); err != nil {
			cleanup()
			return nil, nil, nil, err
		}
	}
	return l, install, cleanup, nil
}

// The layers of a SecureRoot, in its RootDir.
const (
	imageDir     = "image"
	containerDir = "container"
	machineKey   = "machine.key"
)

// secureLayers packs the image layer (the base directories and files)
// into dir/image, again at every Boot (packing is deterministic: the
// same files give the same root), and returns its root and a simulated
// platform whose machine secret is kept in dir. The container layer is
// made by the sefs mount type, at the first mount.
func secureLayers(dir string, files fs.FS) ([32]byte, *sim.Platform, error) {
	var root [32]byte
	tree, err := os.MkdirTemp(dir, "image-tree-")
	if err != nil {
		return root, nil, err
	}
	defer os.RemoveAll(tree)
	for _, d := range baseDirs {
		if err := os.Mkdir(filepath.Join(tree, d), 0o755); err != nil {
			return root, nil, err
		}
	}
	for name, content := range instance.BaseImageFiles {
		if err := os.WriteFile(filepath.Join(tree, filepath.FromSlash(name)), []byte(content), 0o644); err != nil {
			return root, nil, err
		}
	}
	if files != nil {
		if err := writeTree(tree, files); err != nil {
			return root, nil, fmt.Errorf("libostest: the image's files: %w", err)
		}
	}
	img := filepath.Join(dir, imageDir)
	if err := os.RemoveAll(img); err != nil {
		return root, nil, err
	}
	st, err := sefs.NewDirStorage(img, true)
	if err != nil {
		return root, nil, err
	}
	// As `occlum build` packs image/ (instance/build.go): integrity only,
	// every inode at the epoch.
	root, _, err = sefs.Pack(tree, st, sefs.PackOptions{Mode: sefs.Integrity})
	if err != nil {
		return root, nil, fmt.Errorf("libostest: packing the image layer: %w", err)
	}
	secret, err := sim.MachineSecret(filepath.Join(dir, machineKey))
	if err != nil {
		return root, nil, err
	}
	plat, err := sim.New(sim.Options{Secret: secret})
	return root, plat, err
}

// writeTree writes files into the host directory tree, with their
// permission bits (whatever the umask).
func writeTree(tree string, files fs.FS) error {
	return fs.WalkDir(files, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || name == "." {
			return err
		}
		p := filepath.Join(tree, filepath.FromSlash(name))
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			if _, err := os.Lstat(p); err == nil {
				return nil // a base directory: 0755, as on a RamRoot
			}
			if err := os.Mkdir(p, 0o700); err != nil {
				return err
			}
			return os.Chmod(p, info.Mode().Perm())
		case d.Type()&fs.ModeSymlink != 0:
			target, err := fs.ReadLink(files, name)
			if err != nil {
				return err
			}
			return os.Symlink(target, p)
		case d.Type().IsRegular():
			data, err := fs.ReadFile(files, name)
			if err != nil {
				return err
			}
			if err := os.WriteFile(p, data, 0o600); err != nil {
				return err
			}
			return os.Chmod(p, info.Mode().Perm())
		}
		return fmt.Errorf("%s: unsupported file type %v", name, d.Type())
	})
}

// copyFiles writes files into the namespace, parents first.
func copyFiles(ns *vfs.Namespace, files fs.FS) error {
	return fs.WalkDir(files, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || name == "." {
			return err
		}
		p := "/" + name
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			if e := ns.Mkdir(p, uint32(info.Mode().Perm())); e != 0 && e != errno.EEXIST {
				return fmt.Errorf("libostest: mkdir %s: %w", p, e)
			}
			return nil
		case d.Type()&fs.ModeSymlink != 0:
			target, err := fs.ReadLink(files, name)
			if err != nil {
				return err
			}
			if e := ns.Symlink(target, p); e != 0 {
				return fmt.Errorf("libostest: symlink %s: %w", p, e)
			}
			return nil
		case d.Type().IsRegular():
			data, err := fs.ReadFile(files, name)
			if err != nil {
				return err
			}
			return writeFile(ns, p, data, uint32(info.Mode().Perm()))
		}
		return fmt.Errorf("libostest: %s: unsupported file type %v", p, d.Type())
	})
}

// writeFile creates or replaces the file at p.
func writeFile(ns *vfs.Namespace, p string, data []byte, perm uint32) error {
	f, e := ns.Open(p, vfs.O_WRONLY|vfs.O_CREAT|vfs.O_TRUNC, perm, nil)
	if e != 0 {
		return fmt.Errorf("installing %s: %w", p, e)
	}
	defer f.DecRef()
	if _, e = f.Write(data); e != 0 {
		return fmt.Errorf("installing %s: %w", p, e)
	}
	return nil
}

func baseName(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return p[i+1:]
		}
	}
	return p
}
