// This file is the one place the harness touches the LibOS API.

package test

import (
	"context"
	"path"
	"sort"
	"time"

	"github.com/occlumgo/occlum/libos/libostest"
)

// runInLibOS boots a throw-away LibOS (ramfs or, with r.SecureRoot, the
// secure root at /, ramfs at /tmp, devfs at /dev, hostfs over r.HostDir at
// /host, r.Files in place), installs r.Wasm at /bin/<base of
// argv[0]> and the r.Bin files, runs r.Wasm and returns its exit status as
// a shell reports it (128+signal when killed), and how many processes are
// left in the process table once it has exited (after waiting up to
// drainTimeout for them to go).
func runInLibOS(ctx context.Context, r libosRun) (libosResult, error) {
	o := libostest.ProgramOptions{
		Stdin:   r.Stdin,
		Stdout:  r.Stdout,
		Stderr:  r.Stderr,
		HostDir: r.HostDir,
		Files:   r.Files,
	}
	if r.SecureRoot {
		o.Root = libostest.SecureRoot
	}
	l, install, cleanup, err := libostest.Boot(ctx, o)
	if err != nil {
		return libosResult{}, err
	}
	defer cleanup()
	prog := "/bin/prog"
	if len(r.Args) > 0 {
		prog = "/bin/" + path.Base(r.Args[0])
	}
	args := r.Args
	if len(args) == 0 {
		args = []string{prog}
	}
	paths := make([]string, 0, len(r.Bin))
	for p := range r.Bin {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		if err := install(p, r.Bin[p]); err != nil {
			return libosResult{}, err
		}
	}
	if err := install(prog, r.Wasm); err != nil {
		return libosResult{}, err
	}
	ws, err := l.Run(ctx, prog, args, r.Env)
	if err != nil {
		return libosResult{}, err
	}
	k := l.Kernel()
	left := k.Count()
	for deadline := time.Now().Add(drainTimeout); left > 0 && time.Now().Before(deadline); left = k.Count() {
		time.Sleep(10 * time.Millisecond)
	}
	return libosResult{Status: ws.ShellStatus(), Left: left}, nil
}
