// Package kernel is the in-enclave kernel object: the process table, the
// mount namespace, clocks and the entropy source, and the limits every LibOS
// process lives under. It knows nothing of WebAssembly: the sfi loader runs
// a process's code and the syscalls packages bind the ABI to the methods
// here.
//
// Lock order: Kernel.mu (process table) before Process.mu. Neither is held
// while calling into vfs or a file system.
package kernel

import (
	"context"
	"io"
	"net/netip"
	"sync"
	"time"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/fdtable"
	"github.com/occlumgo/occlum/core/locks"
	"github.com/occlumgo/occlum/core/socket"
	"github.com/occlumgo/occlum/core/vfs"
)

// Limits are the kernel-wide resource limits from Occlum.json.
type Limits struct {
	// MaxProcesses caps live (not yet reaped) processes; 0 means no cap.
	MaxProcesses int
	// MaxOpenFiles is each process's RLIMIT_NOFILE.
	MaxOpenFiles int32
	// UserSpaceSize is the memory of all processes together, in bytes
	// (resource_limits.user_space_size); 0 means not configured.
	UserSpaceSize uint64
	// ProcessMemory is the most linear memory one process may have, in
	// bytes (the process stack, heap and mmap budgets together); 0 means
	// not configured.
	ProcessMemory uint64
}

// MemoryMeter reports the memory all processes hold together, in bytes:
// what counts against Limits.UserSpaceSize. The runtime that owns the
// processes' memories (the sfi loader) keeps the account and enforces it;
// the kernel only reads it (sysinfo), holding none of its locks; the
// meter must take none of the kernel's.
type MemoryMeter interface {
	MemoryUsed() uint64
}

// MemoryUsed returns the memory all processes hold together, in bytes (0
// when no meter is set).
func (k *Kernel) MemoryUsed() uint64 {
	if k.Memory == nil {
		return 0
	}
	return k.Memory.MemoryUsed()
}

// Resolver looks host names up for getaddrinfo (net/resolve).
type Resolver interface {
	// Lookup returns name's addresses of family (0: any; 2: IPv4; 10:
	// IPv6). Errors: EINVAL (not a host name), ENOENT (no such name),
	// EAGAIN (no answer now).
	Lookup(ctx context.Context, name string, family int) ([]netip.Addr, errno.Errno)
}

// Clock gives the kernel's notion of time. Tests replace it.
type Clock interface {
	Now() time.Time
	// Monotonic returns nanoseconds since an arbitrary, fixed point.
	Monotonic() int64
}

type systemClock struct{ start time.Time }

func (c systemClock) Now() time.Time   { return time.Now() }
func (c systemClock) Monotonic() int64 { return int64(time.Since(c.start)) + 1 }

// SystemClock returns the host clock.
func SystemClock() Clock { return systemClock{start: time.Now()} }

// Kernel is one LibOS instance.
type Kernel struct {
	VFS    *vfs.Namespace
	Clock  Clock
	Random io.Reader
	Limits Limits
	Boot   time.Time
	// Exec starts programs (set by the runtime before the first process).
	Exec Executor
	// Memory reports the memory all processes hold (set by the runtime
	// before the first process; nil: none is accounted).
	Memory MemoryMeter
	// Locks are the advisory file locks (fcntl, flock) of every process.
	Locks *locks.Table
	// Net maps address families to socket providers (set by the
	// composition root; nil: no sockets).
	Net *socket.Stack
	// Resolver turns host names into addresses (nil: numeric only).
	Resolver Resolver

	mu      sync.Mutex
	procs   map[int32]*Process
	nextPID int32
	// created counts the processes ever created (/proc/stat's processes).
	created uint64
	// closing is set when the root process exits: no process may be
	// created until a new root starts, so that killing them all ends.
	closing bool
}

// New returns a kernel over the namespace ns.
func New(ns *vfs.Namespace, clock Clock, random io.Reader, limits Limits) *Kernel {
	return &Kernel{
		VFS: ns, Clock: clock, Random: random, Limits: limits, Boot: clock.Now(),
		procs: make(map[int32]*Process), nextPID: 1, Locks: locks.New(),
	}
}

// NewProcess registers a new process. parent may be nil for the root
// process. The process takes over fds.
//
// # Errors
//   - EAGAIN: MaxProcesses live processes exist.
func (k *Kernel) NewProcess(parent *Process, args, env []string, cwd string, fds *fdtable.Table) (*Process, errno.Errno) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if parent == nil {
		k.closing = false
	} else if k.closing {
		return nil, errno.EAGAIN
	}
	if k.Limits.MaxProcesses > 0 && len(k.procs) >= k.Limits.MaxProcesses {
		return nil, errno.EAGAIN
	}
	pid := k.nextPID
	for {
		if _, used := k.procs[pid]; !used && pid > 0 {
			break
		}
		pid++
		if pid <= 0 {
			pid = 1
		}
	}
	k.nextPID = pid + 1
	p := &Process{kernel: k, PID: pid, Args: args, Env: env, FDs: fds, cwd: cwd, umask: 0o022,
		done: make(chan struct{}), wake: make(chan struct{}, 1), Started: time.Now(), pgid: pid}
	if parent != nil {
		p.PPID = parent.PID
		p.parent = parent
		p.pgid = parent.pgid
		if parent.children == nil {
			parent.children = map[int32]*Process{}
		}
		parent.children[pid] = p
		p.umask = parent.Umask()
		p.sigs = parent.inheritedSignals()
	}
	if k.VFS != nil {
		p.ns = k.VFS.As(p)
	}
	k.procs[pid] = p
	k.created++
	if fds != nil {
		fds.SetOnClose(p.descriptorClosed)
	}
	return p, 0
}

// Process returns the live or zombie process pid.
func (k *Kernel) Process(pid int32) (*Process, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	p, ok := k.procs[pid]
	return p, ok
}

// Count returns the number of processes in the table (live and zombie).
func (k *Kernel) Count() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.procs)
}

// Reap removes an exited process from the table (and from its parent's
// children).
func (k *Kernel) Reap(p *Process) {
	k.mu.Lock()
	k.reapLocked(p)
	k.mu.Unlock()
}

// Preconditions: k.mu is held.
func (k *Kernel) reapLocked(p *Process) {
	delete(k.procs, p.PID)
	if p.parent != nil {
		delete(p.parent.children, p.PID)
	}
}

// Processes returns every process in the table.
func (k *Kernel) Processes() []*Process {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make([]*Process, 0, len(k.procs))
	for _, p := range k.procs {
		out = append(out, p)
	}
	return out
}
