// Command occlum-libos is the "enclave": the LibOS binary that `occlum
// build` measures into build/bin/occlum-libos and `occlum run` starts.
//
//	occlum-libos run --instance DIR [--env-fd N] [--sim-key FILE] [--] PATH [ARGS...]
//	occlum-libos mount --instance DIR [--sim-key FILE] [--image-key FILE] [--rw] [--ready-fd N] MOUNTPOINT
//
// The host that starts it is untrusted, so it verifies the instance again
// itself (signature, config, manifest, image). Its own binary is checked by
// the loader before it starts — `occlum run` in simulation, EINIT under SGX
// (see instance.VerifyOptions). It checks PATH
// against entry_points, builds the environment from env.default and the
// untrusted host variables, creates the platform (SIM) and runs PATH in the
// LibOS with argv = [PATH, ARGS...]. It exits with the program's status,
// 128+N when the program was killed by signal N. A run holds the
// instance lock (instance.LockForRun) while it runs: it is refused while
// the instance is mounted.
//
// mount (`occlum mount`, mount.go) verifies the instance the same way,
// mounts its root file system as a run does, with the same keys, and
// shows it on the host with FUSE (docs/mount.md) until SIGINT, SIGTERM or
// SIGHUP, or until it is unmounted.
//
// The untrusted environment comes on file descriptor N (--env-fd; `occlum
// run` passes 3), as NUL-terminated NAME=value entries, read to EOF (at most
// 1 MiB); only names listed in env.untrusted are kept. The program's stdio
// is this process's stdio. The process's own environment is used only for
// OCCLUM_LOG_LEVEL, OCCLUM_SIM_SECRET, OCCLUM_CACHE_DIR, OCCLUM_CONFIG_DIR
// and OCCLUM_PROTECT (paths guests must not reach, see protectedPaths).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"go.uber.org/zap"
	"golang.org/x/sys/unix"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/kernel"
	"github.com/occlumgo/occlum/fs/fuseview"
	"github.com/occlumgo/occlum/gen"
	"github.com/occlumgo/occlum/instance"
	"github.com/occlumgo/occlum/libos"
	"github.com/occlumgo/occlum/logging"
	"github.com/occlumgo/occlum/platform"
	"github.com/occlumgo/occlum/platform/platforms"
	"github.com/occlumgo/occlum/platform/sim"
)

// maxEnv bounds the untrusted environment read from the host.
const maxEnv = 1 << 20

func main() {
	os.Exit(doMain(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// doMain runs the command line args.
func doMain(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "mount" {
		return doMount(args[1:], stdout, stderr, nil)
	}
	if len(args) == 0 || args[0] != "run" {
		fmt.Fprintln(stderr, "usage: occlum-libos run --instance DIR [--env-fd N] [--sim-key FILE] [--image-key FILE] [--cwd DIR] [--] PATH [ARGS...]")
		fmt.Fprintln(stderr, "       occlum-libos mount --instance DIR [--sim-key FILE] [--image-key FILE] [--rw] [--ready-fd N] MOUNTPOINT")
		return 2
	}
	fs := flag.NewFlagSet("occlum-libos run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("instance", "", "the instance directory")
	envFD := fs.Int("env-fd", -1, "file descriptor carrying the untrusted environment")
	secret := fs.String("sim-key", os.Getenv("OCCLUM_SIM_SECRET"), "the machine key file of the simulated platform")
	imageKey := fs.String("image-key", "", "key file of an encrypted image")
	cwd := fs.String("cwd", "", "the working directory inside the LibOS (default: root's home from /etc/passwd, else /)")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if *dir == "" || fs.NArg() == 0 {
		fmt.Fprintln(stderr, "occlum-libos: run needs --instance DIR and the program PATH")
		return 2
	}
	status, err := run(runOptions{
		dir: *dir, path: fs.Arg(0), args: fs.Args()[1:], envFD: *envFD, secretFile: *secret, imageKey: *imageKey, cwd: *cwd,
		stdin: stdin, stdout: stdout, stderr: stderr,
	})
	if err != nil {
		report(stderr, err)
	}
	return status
}

// report writes err to stderr, and its hint.
func report(stderr io.Writer, err error) {
	fmt.Fprintf(stderr, "occlum-libos: %v\n", err)
	var ie *instance.Error
	var fe *fuseview.Error
	switch {
	case errors.As(err, &ie) && ie.Hint != "":
		fmt.Fprintf(stderr, "hint: %s\n", ie.Hint)
	case errors.As(err, &fe) && fe.Hint != "":
		fmt.Fprintf(stderr, "hint: %s\n", fe.Hint)
	}
}

type runOptions struct {
	dir, path, secretFile string
	imageKey, cwd         string
	args                  []string
	envFD                 int
	stdin                 io.Reader
	stdout, stderr        io.Writer
}

// run returns the exit status and, when the program could not be run, why.
func run(o runOptions) (int, error) {
	log, err := logging.FromEnv()
	if err != nil {
		return 1, err
	}
	defer log.Sync()

	built, plat, key, err := open(o.dir, o.secretFile, o.imageKey, log)
	if err != nil {
		return 1, err
	}
	path, ok := built.Config.EntryAllowed(o.path)
	if !ok {
		return 1, fmt.Errorf("%s is not under any of the entry_points (%s)", o.path, strings.Join(built.Config.EntryPoints, ", "))
	}
	untrusted, err := readEnv(o.envFD)
	if err != nil {
		return 1, err
	}
	env := built.Config.Environment(untrusted)
	log.Info("starting", zap.String("platform", plat.Name()), zap.Bool("simulated", plat.Simulated()),
		zap.Stringer("measurement", plat.Measurement()), zap.String("program", path))

	dir, err := filepath.Abs(o.dir)
	if err != nil {
		return 1, err
	}
	// Held until this process exits: no `occlum mount` meanwhile.
	lock, err := instance.LockForRun(dir)
	if err != nil {
		return 1, err
	}
	defer lock.Release()
	cache, err := compileCacheDir()
	if err != nil {
		log.Warn("compile cache disabled", zap.Error(err))
		cache = ""
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l, cleanup, err := gen.NewLibOS(ctx, libos.Options{
		Config: built.Config, InstanceDir: dir, ImageRoot: built.ImageRoot(), ImageKey: key, Platform: plat, Logger: log,
		Stdin: o.stdin, Stdout: o.stdout, Stderr: o.stderr, CacheDir: cache,
		Protected: protectedPaths(dir, o.secretFile, o.imageKey),
	})
	if err != nil {
		return 1, err
	}
	defer cleanup()

	// SIGINT (Ctrl-C), SIGTERM, SIGHUP and SIGQUIT go to the root process,
	// which handles, ignores or dies of them; we exit with its status.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT)
	defer signal.Stop(sigs)
	go func() {
		for {
			select {
			case s := <-sigs:
				l.SignalRoot(kernel.Signal(s.(syscall.Signal)))
			case <-ctx.Done():
				return
			}
		}
	}()
	env, home := l.UserEnvironment(env, isTerminal(o.stdout))
	cwd := o.cwd
	if cwd == "" {
		cwd = home
	}
	if cwd == "" {
		cwd = "/"
	}
	status, err := l.RunIn(ctx, cwd, path, append([]string{path}, o.args...), env)
	if err != nil {
		var pe *libos.ProgramError
		if errors.As(err, &pe) && pe.Errno == errno.ENOENT {
			return 127, err
		}
		return 126, err
	}
	return status.ShellStatus(), nil
}

// open verifies the instance in dir as the LibOS runs it and returns the
// build, the platform (whose sealing keys open the container layer) and
// the image key (nil: an integrity-only image).
func open(dir, secretFile, imageKey string, log *zap.Logger) (*instance.Built, platform.Platform, []byte, error) {
	// The binary itself was checked by the loader (`occlum run`) before it
	// started; see instance.VerifyOptions.
	built, err := instance.VerifyWith(dir, instance.VerifyOptions{SkipLibOS: true})
	if err != nil {
		return nil, nil, nil, err
	}
	simOpts := sim.Options{Measurement: built.Measurement()}
	if secretFile != "" {
		if simOpts.Secret, err = sim.MachineSecret(secretFile); err != nil {
			return nil, nil, nil, err
		}
	}
	plat, err := platforms.New(built.SigStruct.SGXMode, simOpts)
	if err != nil {
		return nil, nil, nil, err
	}
	var key []byte
	if imageKey != "" {
		if key, err = instance.ReadImageKey(imageKey); err != nil {
			return nil, nil, nil, err
		}
	}
	return built, plat, key, nil
}

// readEnv reads the untrusted environment from fd (-1: none).
func readEnv(fd int) ([]string, error) {
	if fd < 0 {
		return nil, nil
	}
	f := os.NewFile(uintptr(fd), "env")
	if f == nil {
		return nil, fmt.Errorf("--env-fd %d is not an open file", fd)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxEnv+1))
	if err != nil {
		return nil, fmt.Errorf("reading the environment from fd %d: %v", fd, err)
	}
	if len(data) > maxEnv {
		return nil, fmt.Errorf("the environment on fd %d is larger than %d bytes", fd, maxEnv)
	}
	var env []string
	for _, kv := range strings.Split(string(data), "\x00") {
		if kv != "" {
			env = append(env, kv)
		}
	}
	return env, nil
}

// protectedPaths returns the host paths no guest may reach through a hostfs
// mount: the instance's and the user's (instance.ProtectedPaths), this
// binary, the simulated platform's machine key (its sealing keys follow
// from it), and the paths in OCCLUM_PROTECT (':'-separated; `occlum run`
// names the directory of the tools there). The host environment is
// untrusted, but it can only add protection. The compile cache is added by
// libos.
func protectedPaths(dir, secretFile, imageKey string) []string {
	out := instance.ProtectedPaths(dir)
	if exe, err := os.Executable(); err == nil {
		out = append(out, exe)
	}
	if secretFile != "" {
		out = append(out, secretFile)
	}
	if imageKey != "" {
		out = append(out, imageKey)
	}
	for _, p := range filepath.SplitList(os.Getenv("OCCLUM_PROTECT")) {
		if filepath.IsAbs(p) {
			out = append(out, p)
		}
	}
	return out
}

// compileCacheDir returns the directory of compiled code shared by every
// instance of this user: $OCCLUM_CACHE_DIR, or occlum/compiled in the
// user's cache directory (~/.cache). Compiled code runs outside SFI, so it
// must never be writable by a guest: it is outside instance directories,
// and every hostfs mount refuses it by identity (libos protects it).
func compileCacheDir() (string, error) {
	dir := os.Getenv("OCCLUM_CACHE_DIR")
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return "", err
		}
		dir = filepath.Join(base, "occlum", "compiled")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	return dir, nil
}

// isTerminal reports whether w is a terminal on the host (TERM's default).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}
