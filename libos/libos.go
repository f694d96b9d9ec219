// Package libos composes the LibOS from its parts — the kernel, the mount
// table built from Occlum.json, the SFI loader and the syscall ABI host
// modules — and runs programs in it. It is the composition root: the one
// place where mount types and syscall families are chosen (see gen/ for the
// wire injectors that build it from provider sets).
//
// Lock order: LibOS holds no locks of its own.
package libos

import (
	"context"
	"fmt"
	"io"
	pathpkg "path"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tetratelabs/wazero/api"

	"go.uber.org/zap"

	"github.com/occlumgo/occlum/config"
	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/fdtable"
	"github.com/occlumgo/occlum/core/kernel"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/platform"
	"github.com/occlumgo/occlum/sfi"
	"github.com/occlumgo/occlum/sfi/nonlocal"
)

// Options configure a LibOS.
type Options struct {
	Config      *config.Config
	InstanceDir string
	// ImageRoot is the image layer's root from the signed measurement
	// (nil: no image layer can be mounted).
	ImageRoot *[32]byte
	// ImageKey is the key of an encrypted image (`occlum run
	// --image-key`; nil: integrity-only).
	ImageKey []byte
	Platform platform.Platform
	Logger   *zap.Logger
	Stdin    io.Reader
	Stdout   io.Writer
	Stderr   io.Writer
	// CacheDir keeps compiled programs across runs; "" disables it.
	// Guests never reach it (it is protected, see Protected).
	CacheDir string
	// Protected are host paths guests must never reach through any hostfs
	// mount: what the host later executes or trusts (see fs/hostfs and
	// instance.ProtectedPaths).
	Protected []string
	// MountTypes overrides the registered mount types (nil: MountTypes()).
	MountTypes map[string]MountType
}

// LibOS is one running LibOS instance.
type LibOS struct {
	kernel *kernel.Kernel
	loader *sfi.Loader
	log    *zap.Logger
	stdio  [3]*vfs.File
	cfg    *config.Config

	running sync.WaitGroup // one per process goroutine
	execs   sync.Map       // *kernel.Process -> *sfi.Program set by Exec
	// programs caches loaded programs by file identity (programKey).
	programs sync.Map

	// runCtx is the context of the current Run: every process lives under
	// it (not under its parent's, which ends when the parent exits).
	runCtx atomic.Pointer[context.Context]
}

// New assembles a LibOS from its parts; gen.NewLibOS is the injector that
// provides them. The returned cleanup releases the standard streams.
func New(o Options, k *kernel.Kernel, loader *sfi.Loader, log *zap.Logger) (*LibOS, func()) {
	l := &LibOS{kernel: k, loader: loader, log: log, cfg: o.Config}
	k.Exec = l
	k.Memory = loader // user_space_size in use, for sysinfo
	for i, s := range []struct {
		r io.Reader
		w io.Writer
		f vfs.OpenFlags
	}{{o.Stdin, nil, vfs.O_RDONLY}, {nil, o.Stdout, vfs.O_WRONLY}, {nil, o.Stderr, vfs.O_WRONLY}} {
		names := [3]string{"host-stdin", "host-stdout", "host-stderr"}
		if s.r == nil && s.w == nil {
			if i == 0 {
				s.r = eofReader{}
			} else {
				s.w = io.Discard
			}
		}
		l.stdio[i] = vfs.NewFile(newHostStream(s.r, s.w, names[i]), vfs.Dentry{}, s.f)
	}
	return l, func() {
		for _, f := range l.stdio {
			f.DecRef()
		}
	}
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

// Kernel returns the kernel (for tests and the occlum ABI).
func (l *LibOS) Kernel() *kernel.Kernel { return l.kernel }

// ProgramError is a program that could not be started.
type ProgramError struct {
	Path  string
	Errno errno.Errno
	Err   error
}

func (e *ProgramError) Error() string {
	if e.Err != nil {
		return e.Err.Error()
	}
	return e.Path + ": " + e.Errno.Error()
}

// Unwrap returns the loader's error, if any.
func (e *ProgramError) Unwrap() error { return e.Err }

// readProgram reads the program file at path through ns.
func (l *LibOS) readProgram(ns *vfs.Namespace, path string) ([]byte, error) {
	f, e := ns.Open(path, vfs.O_RDONLY, 0, nil)
	if e != 0 {
		return nil, &ProgramError{Path: path, Errno: e}
	}
	defer f.DecRef()
	st, e := f.Stat()
	if e != 0 {
		return nil, &ProgramError{Path: path, Errno: e}
	}
	switch st.Type() {
	case vfs.TypeRegular:
	case vfs.TypeDirectory:
		return nil, &ProgramError{Path: path, Errno: errno.EACCES, Err: fmt.Errorf("%s: is a directory", path)}
	default:
		return nil, &ProgramError{Path: path, Errno: errno.EACCES, Err: fmt.Errorf("%s: not a regular file", path)}
	}
	if st.Mode&0o111 == 0 {
		// Root (every process) may run a file with any execute bit, as
		// on Linux; with none, not.
		return nil, &ProgramError{Path: path, Errno: errno.EACCES, Err: fmt.Errorf("%s: not executable (no execute permission bit: chmod +x)", path)}
	}
	if st.Size > 1<<30 {
		return nil, &ProgramError{Path: path, Errno: errno.ENOEXEC, Err: fmt.Errorf("%s: program larger than 1 GiB", path)}
	}
	bin := make([]byte, st.Size)
	n := 0
	for n < len(bin) {
		k, e := f.Read(bin[n:])
		if e != 0 {
			return nil, &ProgramError{Path: path, Errno: e}
		}
		if k == 0 {
			break
		}
		n += k
	}
	return bin[:n], nil
}

// Run starts path as the root process with argv and env in /, waits for
// it and returns its wait status. Errors are for programs that could not
// start.
func (l *LibOS) Run(ctx context.Context, path string, argv, env []string) (kernel.WaitStatus, error) {
	return l.RunIn(ctx, "/", path, argv, env)
}

// RunIn is Run with the working directory cwd (absolute; it must be a
// directory).
func (l *LibOS) RunIn(ctx context.Context, cwd, path string, argv, env []string) (kernel.WaitStatus, error) {
	if !strings.HasPrefix(cwd, "/") {
		return 0, fmt.Errorf("the working directory %q is not absolute", cwd)
	}
	if st, e := l.kernel.VFS.Stat(cwd, true); e != 0 {
		return 0, fmt.Errorf("the working directory %s: %w", cwd, e)
	} else if st.Type() != vfs.TypeDirectory {
		return 0, fmt.Errorf("the working directory %s: %w", cwd, errno.ENOTDIR)
	}
	fds := fdtable.New(l.kernel.Limits.MaxOpenFiles)
	for i, f := range l.stdio {
		f.IncRef()
		fds.Set(int32(i), f, false)
	}
	root, e := l.kernel.VFS.Open("/", vfs.O_RDONLY|vfs.O_DIRECTORY, 0, nil)
	if e != 0 {
		fds.CloseAll()
		return 0, fmt.Errorf("libos: opening /: %w", e)
	}
	if _, e := fds.InsertPreopen(root, "/"); e != 0 {
		root.DecRef()
		fds.CloseAll()
		return 0, fmt.Errorf("libos: preopening /: %w", e)
	}
	l.runCtx.Store(&ctx)
	p, err := l.start(ctx, nil, path, argv, env, pathpkg.Clean(cwd), fds)
	if err != nil {
		return 0, err
	}
	<-p.Done()
	s := p.Status()
	l.kernel.Reap(p)
	l.waitAll(2 * time.Second)
	return s, nil
}

// SignalRoot sends sig to the root process's process group, as a
// terminal's Ctrl-C does to the foreground group (occlum-libos forwards its
// own SIGINT, SIGTERM, SIGHUP and SIGQUIT here): a shell and the command it
// waits for both get it. It does nothing when no root process runs.
func (l *LibOS) SignalRoot(sig kernel.Signal) {
	if p, ok := l.kernel.Process(kernel.RootPID); ok {
		if l.kernel.SignalGroup(p.Pgid(), sig) != 0 {
			p.Signal(sig)
		}
	}
}

// waitAll waits for every process goroutine to finish (they were killed
// with the root process), at most d: one blocked in a host read of the
// LibOS's own stdin cannot be interrupted.
func (l *LibOS) waitAll(d time.Duration) {
	done := make(chan struct{})
	go func() { l.running.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
		l.log.Warn("processes still running after the root process exited")
	}
}

// start verifies and loads path and runs it as a new process on its own
// goroutine. fds is taken over (closed on failure).
func (l *LibOS) start(ctx context.Context, parent *kernel.Process, path string, argv, env []string, cwd string, fds *fdtable.Table) (*kernel.Process, error) {
	bin, err := l.readProgram(l.kernel.VFS, path)
	if err != nil {
		fds.CloseAll()
		return nil, err
	}
	prog, err := l.loader.Load(ctx, path, bin)
	if err != nil {
		fds.CloseAll()
		return nil, &ProgramError{Path: path, Errno: errno.ENOEXEC, Err: err}
	}
	res, err := l.loader.Reserve(path, prog)
	if err != nil {
		fds.CloseAll()
		return nil, &ProgramError{Path: path, Errno: errno.ENOMEM, Err: err}
	}
	p, e := l.kernel.NewProcess(parent, argv, env, cwd, fds)
	if e != 0 {
		res.Release()
		fds.CloseAll()
		return nil, &ProgramError{Path: path, Errno: e, Err: fmt.Errorf("%s: cannot create a process: %w", path, e)}
	}
	exe := path
	if d, e := l.kernel.VFS.Resolve(path, true); e == 0 {
		exe = d.Path
	}
	p.SetProgram(path, exe, argv, env)
	l.running.Add(1)
	go l.runProcess(ctx, p, res)
	return p, nil
}

// runProcess runs the process p, starting with the program res reserved
// memory for, until it exits.
func (l *LibOS) runProcess(ctx context.Context, p *kernel.Process, res *sfi.Reservation) {
	defer l.running.Done()
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pctx = kernel.WithProcess(pctx, p)
	// Killing the LibOS (its context ends) kills the process.
	stop := context.AfterFunc(pctx, func() { p.Kill(kernel.SIGKILL) })
	defer stop()
	var err error
	for {
		l.log.Debug("process start", zap.Int32("pid", p.PID), zap.Strings("argv", p.Args), zap.String("sha256", res.Program().HashString()))
		var mod api.Module
		mod, err = res.Instantiate(pctx)
		if err != nil {
			break
		}
		// A kill interrupts the guest at its next preemption point.
		p.SetInterrupt(func() { l.loader.Interrupt(mod) })
		p.SetMemorySize(res.MemorySize())
		// Each program gets its own record of setjmp/exception invokes.
		_, err = mod.ExportedFunction("_start").Call(nonlocal.WithState(pctx, res.Program().WritesTables))
		mod.Close(pctx)
		next, ok := l.execs.LoadAndDelete(p)
		if !ok || p.TermSignal() != 0 {
			break
		}
		// execve: the same process runs the new program, in memory reserved
		// now that the old program's is free. Failing, the process is
		// killed (past execve's point of no return), the reason reported.
		if res, err = l.loader.Reserve(firstArg(p.Args), next.(*sfi.Program)); err != nil {
			break
		}
	}
	status, trap := statusOf(p, err)
	// A program that failed after its memory could not grow (malloc
	// returned NULL) most likely failed for that: say which limit, and
	// the Occlum.json field to raise.
	if note := res.GrowRefused(); note != "" && (trap != "" || (status.IfExited() && status.ExitCode() != 0)) {
		if trap != "" {
			trap += "; " + note
		} else {
			l.log.Info("process exit after a refused memory growth", zap.Int32("pid", p.PID), zap.String("note", note))
			if l.cfg.Metadata.Debuggable {
				msg := fmt.Sprintf("occlum: process %d (%s) exited with status %d; %s\n", p.PID, firstArg(p.Args), status.ShellStatus(), note)
				l.stdio[2].Impl().Write([]byte(msg))
			}
		}
	}
	if trap != "" {
		l.log.Info("process fault", zap.Int32("pid", p.PID), zap.String("trap", trap))
		if l.cfg.Metadata.Debuggable {
			// Through the stderr stream, which serializes the writers.
			msg := fmt.Sprintf("occlum: process %d (%s) killed by %s: %s\n", p.PID, firstArg(p.Args), status.Signal(), trap)
			l.stdio[2].Impl().Write([]byte(msg))
		}
	}
	l.log.Debug("process exit", zap.Int32("pid", p.PID), zap.Int("status", status.ShellStatus()))
	p.Exit(status)
	if p.PID == kernel.RootPID {
		l.kernel.KillAll(p) // as in Occlum, the root process takes every other with it
	}
}

func firstArg(a []string) string {
	if len(a) == 0 {
		return "?"
	}
	return a[0]
}
