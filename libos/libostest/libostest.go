// Package libostest boots a throw-away LibOS through the default injector
// (gen.NewLibOS) and runs one program in it: the harness of the C test
// programs, the benchmarks and examples.
package libostest

import (
	"context"
	"fmt"
	"io"

	"github.com/occlumgo/occlum/config"
	"github.com/occlumgo/occlum/core/kernel"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/fs/devfs"
	"github.com/occlumgo/occlum/fs/hostfs"
	"github.com/occlumgo/occlum/fs/ramfs"
	"github.com/occlumgo/occlum/gen"
	"github.com/occlumgo/occlum/libos"
)

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

// Boot builds a LibOS through the default injector with a ramfs root,
// ramfs /tmp, devfs /dev and, if o.HostDir is set, hostfs /host. install
// writes a program into the root file system. o.Wasm, o.Args and o.Env are
// not used.
func Boot(ctx context.Context, o ProgramOptions) (l *libos.LibOS, install func(path string, wasm []byte) error, cleanup func(), err error) {
	cfg := o.Config
	if cfg == nil {
		cfg = config.Default()
	}
	root := ramfs.New(ramfs.Options{})
	types := libos.MountTypes()
	types["testroot"] = func(config.Mount, libos.MountEnv) (vfs.FileSystem, error) { return root, nil }
	mounts := []config.Mount{
		{Target: "/", Type: "testroot"},
		{Target: "/dev", Type: devfs.Name},
		{Target: "/tmp", Type: ramfs.Name},
	}
	if o.HostDir != "" {
		mounts = append(mounts, config.Mount{Target: "/host", Type: hostfs.Name, Source: o.HostDir})
	}
	ns := vfs.NewNamespace(root, false, "")
	for _, d := range []string{"/bin", "/dev", "/tmp", "/host", "/etc", "/root"} {
		ns.Mkdir(d, 0o755)
	}
	install = func(path string, wasm []byte) error {
		f, e := ns.Open(path, vfs.O_WRONLY|vfs.O_CREAT|vfs.O_TRUNC, 0o755, nil)
		if e != 0 {
			return fmt.Errorf("installing %s: %w", path, e)
		}
		defer f.DecRef()
		if _, e = f.Write(wasm); e != 0 {
			return fmt.Errorf("installing %s: %w", path, e)
		}
		return nil
	}
	c := *cfg
	c.Mounts = mounts
	l, cleanup, err = gen.NewLibOS(ctx, libos.Options{
		Config: &c, Stdin: o.Stdin, Stdout: o.Stdout, Stderr: o.Stderr,
		MountTypes: types, CacheDir: o.CacheDir,
	})
	return l, install, cleanup, err
}

func baseName(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return p[i+1:]
		}
	}
	return p
}
