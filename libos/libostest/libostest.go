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

// RunProgram boots a throw-away LibOS with a ramfs root, ramfs /tmp, devfs
// /dev and, if HostDir is set, hostfs /host, installs the program and runs
// it. It is the harness of the C test programs and the benchmarks.
func RunProgram(ctx context.Context, o ProgramOptions) (kernel.WaitStatus, error) {
	cfg := o.Config
	if cfg == nil {
		d := config.Default()
		cfg = d
	}
	name := "prog"
	if len(o.Args) > 0 {
		name = baseName(o.Args[0])
	}
	args := o.Args
	if len(args) == 0 {
		args = []string{"/bin/" + name}
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
	f, e := ns.Open("/bin/"+name, vfs.O_WRONLY|vfs.O_CREAT|vfs.O_TRUNC, 0o755, nil)
	if e != 0 {
		return 0, fmt.Errorf("installing /bin/%s: %w", name, e)
	}
	_, e = f.Write(o.Wasm)
	f.DecRef()
	if e != 0 {
		return 0, fmt.Errorf("installing /bin/%s: %w", name, e)
	}
	c := *cfg
	c.Mounts = mounts
	l, cleanup, err := gen.NewLibOS(ctx, libos.Options{
		Config: &c, Stdin: o.Stdin, Stdout: o.Stdout, Stderr: o.Stderr,
		MountTypes: types, CacheDir: o.CacheDir,
	})
	if err != nil {
		return 0, err
	}
	defer cleanup()
	return l.Run(ctx, "/bin/"+name, args, o.Env)
}

func baseName(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return p[i+1:]
		}
	}
	return p
}
