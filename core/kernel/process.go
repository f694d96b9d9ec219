package kernel

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/fdtable"
	"github.com/occlumgo/occlum/core/locks"
	"github.com/occlumgo/occlum/core/vfs"
)

// Process is one LibOS process (an SFI-isolated program instance).
type Process struct {
	kernel *Kernel
	PID    int32
	PPID   int32
	Args   []string
	Env    []string
	FDs    *fdtable.Table
	// Started is when the process was created.
	Started time.Time
	// posixLocks is set once the process has taken a POSIX record lock.
	posixLocks atomic.Bool
	// zombie is set (under kernel.mu) once the process has exited and its
	// parent was told (SIGCHLD): from then on a wait may reap it.
	zombie bool

	mu     sync.Mutex // guards cwd, umask, status, exited and the signal state
	cwd    string
	umask  uint32
	status WaitStatus
	exited bool
	done   chan struct{}

	// The process tree, guarded by Kernel.mu.
	parent   *Process
	children map[int32]*Process
	pgid     int32

	// Signals (signal.go), guarded by mu except where atomic.
	sigs       sigState
	termSignal atomic.Uint32 // the Signal ending the process, 0 if none
	attention  atomic.Bool   // termSignal set, or a signal deliverable
	// wake receives (without blocking) whenever a child changes state or
	// a signal arrives: blocking calls wait on it.
	wake chan struct{}
	// interrupt, set by the runtime, makes the guest stop at its next loop
	// head (sfi.Loader.Interrupt).
	interrupt atomic.Pointer[func()]

	// ns is the namespace as this process sees it (vfs.Namespace.As): the
	// kernel's mount table with p as the caller. nil when the kernel has
	// no namespace.
	ns *vfs.Namespace
	// path and exe are the running program's absolute path as given and
	// canonical, guarded by mu (SetProgram).
	path, exe string
	// sleeping counts the blocking waits p is in (BlockTimer): /proc
	// shows the process as S rather than R while it is positive.
	sleeping atomic.Int32
	// memSize, set by the runtime, measures the process's linear memory
	// (SetMemorySize).
	memSize atomic.Pointer[func() uint64]
}

// CallerPID implements vfs.Caller: the process resolving a path.
func (p *Process) CallerPID() int32 { return p.PID }

// VFS returns the namespace as p sees it: the kernel's mount table with p
// as the caller, so that /proc/self names p. Path operations on behalf of
// p go through it.
func (p *Process) VFS() *vfs.Namespace {
	if p.ns != nil {
		return p.ns
	}
	return p.kernel.VFS
}

// Kernel returns the kernel the process belongs to.
func (p *Process) Kernel() *Kernel { return p.kernel }

// Cwd returns the canonical absolute working directory.
func (p *Process) Cwd() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cwd
}

// Chdir changes the working directory to path (relative to the current one).
//
// # Errors
//   - ENOTDIR: path is not a directory; and the errors of vfs.Resolve.
func (p *Process) Chdir(path string) errno.Errno {
	d, e := p.VFS().Resolve(p.Abs(path), true)
	if e != 0 {
		return e
	}
	if d.Inode.Type() != vfs.TypeDirectory {
		return errno.ENOTDIR
	}
	p.mu.Lock()
	p.cwd = d.Path
	p.mu.Unlock()
	return 0
}

// Abs makes path absolute against the working directory. The empty path
// stays empty, so that vfs reports ENOENT for it as Linux does (instead of
// naming the working directory).
func (p *Process) Abs(path string) string {
	if path == "" || path[0] == '/' {
		return path
	}
	return vfs.Join(p.Cwd(), path)
}

// DirfdCwd is Linux's AT_FDCWD. As the directory of a path call it means
// the working directory, with no descriptor involved: libocclum resolves
// every path against it, so that no descriptor slot (WASI's preopened fd 3)
// is reserved and programs may use fd 3 as on Linux.
const DirfdCwd = -100

// AtPath makes path absolute against the directory behind dirfd, or the
// working directory for DirfdCwd, as the *at(2) calls do.
//
// # Errors
//   - ENOENT: path is empty.
//   - EBADF: dirfd is not open; ENOTDIR: it is not a directory.
func (p *Process) AtPath(dirfd int32, path string) (string, errno.Errno) {
	if dirfd == DirfdCwd {
		if path == "" {
			return "", errno.ENOENT
		}
		return p.Abs(path), 0
	}
	f, e := p.FDs.Get(dirfd)
	if e != 0 {
		return "", e
	}
	defer f.DecRef()
	d := f.Dentry()
	if d.Inode == nil || d.Inode.Type() != vfs.TypeDirectory {
		return "", errno.ENOTDIR
	}
	if path == "" {
		return "", errno.ENOENT
	}
	return vfs.Join(d.Path, path), 0
}

// Umask returns the file mode creation mask.
func (p *Process) Umask() uint32 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.umask
}

// SetUmask sets the mask and returns the old one.
func (p *Process) SetUmask(m uint32) uint32 {
	p.mu.Lock()
	defer p.mu.Unlock()
	old := p.umask
	p.umask = m & 0o777
	return old
}

// Open opens path relative to the working directory, applying the umask to
// perm. The returned description carries one reference.
func (p *Process) Open(path string, flags vfs.OpenFlags, perm uint32) (*vfs.File, errno.Errno) {
	return p.VFS().Open(p.Abs(path), flags, perm&^p.Umask(), p.FDs)
}

// Exit records the process's status, closes its descriptors, hands its
// children to the root process, tells its parent (SIGCHLD, a wake-up, or
// an immediate reap when the parent ignores SIGCHLD) and wakes waiters.
// Only the first call has an effect.
func (p *Process) Exit(s WaitStatus) {
	p.mu.Lock()
	if p.exited {
		p.mu.Unlock()
		return
	}
	p.exited = true
	p.status = s
	p.mu.Unlock()
	if p.FDs != nil {
		p.FDs.CloseAll()
	}
	if p.posixLocks.Load() {
		p.kernel.Locks.ReleaseProcess(p.PID)
	}
	p.kernel.exited(p)
	close(p.done)
}

// Done is closed when the process has exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// Status returns the wait status; valid after Done is closed.
func (p *Process) Status() WaitStatus {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.status
}

// LockKey identifies the file f for the lock table: its mount's device
// and its inode number.
func LockKey(f *vfs.File) (locks.Key, errno.Errno) {
	st, e := f.Stat()
	if e != 0 {
		return locks.Key{}, e
	}
	return locks.Key{Dev: st.Dev, Ino: st.Ino}, 0
}

// TookPOSIXLock notes that p has taken a POSIX record lock: from now on,
// closing any descriptor of a file drops p's locks on it.
func (p *Process) TookPOSIXLock() { p.posixLocks.Store(true) }

// descriptorClosed is p's descriptor table's close hook: POSIX record
// locks go at any close of the file by their process (fcntl(2)).
func (p *Process) descriptorClosed(f *vfs.File) {
	if !p.posixLocks.Load() {
		return
	}
	if k, e := LockKey(f); e == 0 {
		p.kernel.Locks.ReleasePOSIX(k, p.PID)
	}
}
