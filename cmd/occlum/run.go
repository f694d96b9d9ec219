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
passed on to the LibOS.

run starts the instance only if its build is signed by the signer trusted
for it: the one recorded by the last ` + "`occlum build`" + ` of this instance by this
user (in ~/.config/occlum, outside the instance), or the one given with
--mrsigner (for an instance built elsewhere). A build re-signed by anyone
else is refused, naming both signers.

run is refused while the instance is mounted with ` + "`occlum mount`" + ` (docs/mount.md).`,
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
	f := cmd.Flags()
	f.SetInterspersed(false)
	f.String("mrsigner", "", "trust builds signed by this MRSIGNER (64 hex digits; default: the signer recorded by the last build here)")
	f.String("image-key", "", "the key of an encrypted image (occlum build --image-key)")
	f.String("cwd", "", "the working directory inside the LibOS (default: root's home from the image's /etc/passwd, /root)")
	a.bindAs("run.cwd", "cwd", f, "")
	a.bindAs("run.image-key", "image-key", f, "")
	a.bind("mrsigner", f, "OCCLUM_MRSIGNER")
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
	want, from, err := instance.TrustedSigner(dir, a.v.GetString("mrsigner"))
	if err != nil {
		return err
	}
	if err := instance.CheckSigner(built, want, from); err != nil {
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
	libosArgs := []string{"run", "--instance", absDir, "--env-fd", "3"}
	if p := a.v.GetString("run.image-key"); p != "" {
		// Checked here for a clear error; the LibOS reads it again.
		if _, err := instance.ReadImageKey(p); err != nil {
			return err
		}
		abs, err := filepath.Abs(p)
		if err != nil {
			return err
		}
		libosArgs = append(libosArgs, "--image-key", abs)
	}
	if cwd := a.v.GetString("run.cwd"); cwd != "" {
		if !strings.HasPrefix(cwd, "/") {
			return withHint(fmt.Errorf("--cwd %q is not absolute", cwd), "give a directory inside the LibOS, e.g. /root")
		}
		libosArgs = append(libosArgs, "--cwd", cwd)
	}
	cmd := exec.Command(built.LibOS, append(append(libosArgs, "--", clean), args...)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = a.stdin, a.stdout, a.stderr
	cmd.ExtraFiles = []*os.File{envR}
	// The LibOS protects the instance and the user's Occlum directory from
	// guests itself; it also protects the directory of the tools that
	// build instances (a later `occlum build` copies occlum-libos from
	// there into the build it signs).
	cmd.Env = append(withoutVar(os.Environ(), libosProtectEnv), protectEnv())

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

// protectEnv returns OCCLUM_PROTECT for the LibOS: what the user set, and
// the directory of this executable (and so of the occlum-libos that builds
// copy).
func protectEnv() string {
	paths := filepath.SplitList(os.Getenv(libosProtectEnv))
	if exe, err := os.Executable(); err == nil {
		if real, err := filepath.EvalSymlinks(exe); err == nil {
			exe = real
		}
		paths = append(paths, filepath.Dir(exe))
	}
	return libosProtectEnv + "=" + strings.Join(paths, string(filepath.ListSeparator))
}

// libosProtectEnv names host paths (separated by ':') the LibOS must keep
// from guests in addition to its own list. It can only add protection, so
// the LibOS takes it from the untrusted host as it is.
const libosProtectEnv = "OCCLUM_PROTECT"

// withoutVar returns env without the variable name.
func withoutVar(env []string, name string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, name+"=") {
			out = append(out, kv)
		}
	}
	return out
}
