// This file is the one place the harness touches the LibOS API.

package test

import (
	"context"

	"github.com/occlumgo/occlum/libos/libostest"
)

// runInLibOS boots a throw-away LibOS (ramfs at / and /tmp, devfs at /dev,
// hostfs over r.HostDir at /host), runs r.Wasm in it and returns the exit
// status as a shell reports it (128+signal when killed).
func runInLibOS(ctx context.Context, r libosRun) (int, error) {
	ws, err := libostest.RunProgram(ctx, libostest.ProgramOptions{
		Wasm:    r.Wasm,
		Args:    r.Args,
		Env:     r.Env,
		Stdin:   r.Stdin,
		Stdout:  r.Stdout,
		Stderr:  r.Stderr,
		HostDir: r.HostDir,
	})
	if err != nil {
		return 0, err
	}
	return ws.ShellStatus(), nil
}
