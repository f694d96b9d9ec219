package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/occlumgo/occlum/instance"
)

func (a *app) runCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "run PATH [ARGS...]",
		Short: "Run a program of the image inside the LibOS",
		Long: `run verifies the instance's build, then starts its LibOS
(build/bin/occlum-libos), which verifies it again and runs PATH, a path inside
the LibOS under one of the entry_points of Occlum.json, with ARGS. Everything
after PATH is passed to the program, flags included.

The program's environment is env.default of Occlum.json, overridden by the
host variables named in env.untrusted. occlum run exits with the program's
exit status, or 128+N if it was killed by signal N; SIGINT and SIGTERM are
passed on to the LibOS.`,
		Example: "  occlum run /bin/hello_world a b",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return &usageError{"run needs the path of the program to run: occlum run PATH [ARGS...]"}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.run(args[0], args[1:])
		},
	}
	cmd.Flags().SetInterspersed(false)
	return cmd
}

func (a *app) run(path string, args []string) error {
	if !strings.HasPrefix(path, "/") {
		return withHint(fmt.Errorf("program path %q is not absolute", path),
			"give the path inside the LibOS, e.g. /bin/"+filepath.Base(path))
	}
	dir := a.instanceDir()
	built, err := instance.Verify(dir)
	if err != nil {
		return err
	}
	clean, ok := built.Config.EntryAllowed(path)
	if !ok {
		return withHint(fmt.Errorf("%s is not under any of the entry_points (%s)", path, strings.Join(built.Config.EntryPoints, ", ")),
			"only programs under entry_points of Occlum.json may be started")
	}
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}

	// The untrusted environment goes to the LibOS through a pipe on fd 3,
	// NUL-separated; the LibOS keeps only the names in env.untrusted.
	envR, envW, err := os.Pipe()
	if err != nil {
		return err
	}
	defer envR.Close()
	cmd := exec.Command(built.LibOS, append([]string{"run", "--instance", absDir, "--env-fd", "3", "--", clean}, args...)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = a.stdin, a.stdout, a.stderr
	cmd.ExtraFiles = []*os.File{envR}
	cmd.Env = os.Environ()

	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		envW.Close()
		return fmt.Errorf("starting the LibOS %s: %v", built.LibOS, err)
	}
	envR.Close()
	go func() {
		defer envW.Close()
		io.WriteString(envW, untrustedEnv(os.Environ(), built.Config.Env.Untrusted))
	}()
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-sigs:
				cmd.Process.Signal(s)
			case <-done:
				return
			}
		}
	}()
	err = cmd.Wait()
	close(done)
	if err == nil {
		return nil
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return fmt.Errorf("running the LibOS: %v", err)
	}
	if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return exitStatus(128 + int(ws.Signal()))
	}
	return exitStatus(ee.ExitCode())
}

// untrustedEnv returns the host variables whose names are in names, as
// NUL-terminated NAME=value entries.
func untrustedEnv(host, names []string) string {
	var b strings.Builder
	for _, kv := range host {
		name, _, ok := strings.Cut(kv, "=")
		for _, n := range names {
			if ok && n == name {
				b.WriteString(kv)
				b.WriteByte(0)
				break
			}
		}
	}
	return b.String()
}
