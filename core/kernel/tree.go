package kernel

import (
	"context"
	"time"

	"github.com/tetratelabs/wazero/api"

	"github.com/occlumgo/occlum/core/errno"
)

// RootPID is the pid of the first process; orphans are re-parented to it.
const RootPID = 1

// testHookExitGap, if set by a test, runs between telling p's parent and
// making p reapable: the window in which the parent may exit.
var testHookExitGap func(p *Process)

// exited does the process-tree part of p's exit.
func (k *Kernel) exited(p *Process) {
	k.mu.Lock()
	root := k.procs[RootPID]
	if p.PID == RootPID {
		root = nil
	}
	for pid, c := range p.children {
		delete(p.children, pid)
		if root == nil || root.hasExited() {
			c.parent = nil
			c.PPID = 0
			if c.zombie {
				k.reapLocked(c)
			}
			continue
		}
		c.parent = root
		c.PPID = RootPID
		if root.children == nil {
			root.children = map[int32]*Process{}
		}
		root.children[pid] = c
		if c.zombie {
			defer root.Signal(SIGCHLD)
		}
	}
	parent := p.parent
	autoReap := parent != nil && parent.ignoresChildren()
	k.mu.Unlock()
	if parent != nil && !autoReap {
		parent.Signal(SIGCHLD)
	}
	if testHookExitGap != nil {
		testHookExitGap(p)
	}
	// Only now may a wait reap p: its SIGCHLD is queued first, as on Linux
	// (a waitpid that returns the status finds the handler run). The
	// parent may have exited meanwhile, re-parenting p while it was not
	// yet a zombie, so who reaps p is decided here, not above.
	k.mu.Lock()
	p.zombie = true
	now := p.parent
	reap := (now == nil && p.PID != RootPID) || // an orphan of an exited root
		(now != nil && (now.hasExited() || now.ignoresChildren()))
	if reap {
		k.reapLocked(p)
	}
	k.mu.Unlock()
	if now != nil && now != parent && !reap {
		now.Signal(SIGCHLD) // the new parent never heard of p's exit
	}
	if now != nil {
		now.notify()
	}
}

func (p *Process) hasExited() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.exited
}

// Parent returns the parent's pid (0 for the root process and orphans of
// an exited root).
func (p *Process) Parent() int32 {
	p.kernel.mu.Lock()
	defer p.kernel.mu.Unlock()
	return p.PPID
}

// Pgid returns the process group.
func (p *Process) Pgid() int32 {
	p.kernel.mu.Lock()
	defer p.kernel.mu.Unlock()
	return p.pgid
}

// Setpgid moves process pid (0: p) into group pgid (0: its own pid), as
// setpgid(2): only p itself or one of its children may be moved.
//
// # Errors
//   - ESRCH: pid is neither p nor a child of p.
//   - EINVAL: pgid < 0.
//   - EPERM: pgid names no group of p's session.
func (p *Process) Setpgid(pid, pgid int32) errno.Errno {
	if pgid < 0 {
		return errno.EINVAL
	}
	k := p.kernel
	k.mu.Lock()
	defer k.mu.Unlock()
	t := p
	if pid != 0 && pid != p.PID {
		c, ok := p.children[pid]
		if !ok {
			return errno.ESRCH
		}
		t = c
	}
	if pgid == 0 {
		pgid = t.PID
	}
	if pgid != t.PID {
		found := false
		for _, q := range k.procs {
			if q.pgid == pgid {
				found = true
				break
			}
		}
		if !found {
			return errno.EPERM
		}
	}
	t.pgid = pgid
	return 0
}

// Getpgid returns the group of process pid (0: p).
//
// # Errors
//   - ESRCH: no such process.
func (p *Process) Getpgid(pid int32) (int32, errno.Errno) {
	k := p.kernel
	k.mu.Lock()
	defer k.mu.Unlock()
	if pid == 0 {
		return p.pgid, 0
	}
	q, ok := k.procs[pid]
	if !ok {
		return 0, errno.ESRCH
	}
	return q.pgid, 0
}

// Wait options (Linux values).
const (
	WNOHANG   = 1
	WUNTRACED = 2
)

// Wait4 waits for a child to exit, as wait4(2): pid > 0 that child, -1 any
// child, 0 any child in p's group, < -1 any child in group -pid. It reaps
// the child and returns its pid and status; with WNOHANG and nothing to
// reap, pid 0.
//
// # Errors
//   - ECHILD: no child matches.
//   - EINTR: a signal that p handles (or that ends p) arrived.
//   - EINVAL: unknown option bits.
//
// mod, if not nil, is the caller's module: signals caught with SA_RESTART
// then run their handlers without ending the wait.
func (p *Process) Wait4(ctx context.Context, mod api.Module, pid int32, options int32) (int32, WaitStatus, errno.Errno) {
	if options&^(WNOHANG|WUNTRACED) != 0 {
		return 0, 0, errno.EINVAL
	}
	k := p.kernel
	for {
		k.mu.Lock()
		matched := false
		for _, c := range p.children {
			if !waitMatches(p, c, pid) {
				continue
			}
			matched = true
			if c.zombie {
				k.reapLocked(c)
				k.mu.Unlock()
				return c.PID, c.Status(), 0
			}
		}
		k.mu.Unlock()
		if !matched {
			return 0, 0, errno.ECHILD
		}
		if options&WNOHANG != 0 {
			return 0, 0, 0
		}
		if e := p.BlockRestarting(ctx, mod, nil); e != 0 {
			return 0, 0, e
		}
	}
}

// Preconditions: p.kernel.mu is held.
func waitMatches(p, c *Process, pid int32) bool {
	switch {
	case pid > 0:
		return c.PID == pid
	case pid == -1:
		return true
	case pid == 0:
		return c.pgid == p.pgid
	default:
		return c.pgid == -pid
	}
}

// notify wakes p's blocking calls to re-check their condition.
func (p *Process) notify() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Block waits until p is woken (a child changed state, a signal arrived),
// ready fires, or ctx ends. It returns EINTR when a signal p must act on is
// pending: the caller gives up and the signal is acted on when the syscall
// returns.
func (p *Process) Block(ctx context.Context, ready <-chan struct{}) errno.Errno {
	return p.BlockTimer(ctx, ready, nil)
}

// BlockTimer is Block that also returns (0) when timer fires.
func (p *Process) BlockTimer(ctx context.Context, ready <-chan struct{}, timer <-chan time.Time) errno.Errno {
	if p.attention.Load() {
		return errno.EINTR
	}
	p.sleeping.Add(1)
	defer p.sleeping.Add(-1)
	select {
	case <-p.wake:
	case <-ready:
	case <-timer:
	case <-ctx.Done():
		return errno.EINTR
	}
	if p.attention.Load() {
		return errno.EINTR
	}
	return 0
}

// KillAll ends every process but except (the root process exiting takes
// all others with it, as in Occlum); no process can be created afterwards
// until a new root starts.
func (k *Kernel) KillAll(except *Process) {
	k.mu.Lock()
	k.closing = true
	k.mu.Unlock()
	for _, q := range k.matching(func(q *Process) bool { return q != except }) {
		if !q.hasExited() {
			q.Kill(SIGKILL)
		}
	}
}
