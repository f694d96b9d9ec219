package kernel

import (
	"context"

	"github.com/tetratelabs/wazero/api"

	"github.com/occlumgo/occlum/core/errno"
)

// NumSignals is the number of signals (1..64, as Linux).
const NumSignals = 64

// SIGCHLD, SIGCONT, SIGSTOP and others used by the kernel itself.
const (
	SIGUSR1 Signal = 10
	SIGUSR2 Signal = 12
	SIGALRM Signal = 14
	SIGCHLD Signal = 17
	SIGCONT Signal = 18
	SIGSTOP Signal = 19
)

// Handler values of a SigAction that are not function-table indices.
const (
	SigDfl uint32 = 0
	SigIgn uint32 = 1
)

// SigAction flags (Linux values).
const (
	SARestart   = 0x10000000
	SANodefer   = 0x40000000
	SAResethand = 0x80000000
)

// SigAction is what a process does with a signal.
type SigAction struct {
	Handler uint32 // SigDfl, SigIgn or a guest function-table index
	Flags   uint32
	Mask    uint64
}

// SigSet is a signal set: bit n-1 is signal n.
type SigSet uint64

func bit(s Signal) SigSet { return 1 << (s - 1) }

// unblockable signals can be neither blocked, caught nor ignored.
const unblockable = SigSet(1<<(SIGKILL-1) | 1<<(SIGSTOP-1))

type sigState struct {
	mask        SigSet
	pending     SigSet
	actions     [NumSignals + 1]SigAction
	restoreMask *SigSet // the mask to restore after sigsuspend
}

// inheritedSignals is the signal state a spawned child starts with: the
// mask and ignored signals are kept, handlers reset to the default.
func (p *Process) inheritedSignals() sigState {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := sigState{mask: p.sigs.mask}
	for i, a := range p.sigs.actions {
		if a.Handler == SigIgn {
			s.actions[i] = a
		}
	}
	return s
}

// ResetHandlers resets every handled signal to its default action (execve).
func (p *Process) ResetHandlers() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, a := range p.sigs.actions {
		if a.Handler > SigIgn {
			p.sigs.actions[i] = SigAction{}
		}
	}
}

// SetSignalDefaults resets the signals in set to SIG_DFL (posix_spawn's
// SETSIGDEF).
func (p *Process) SetSignalDefaults(set SigSet) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for s := Signal(1); s <= NumSignals; s++ {
		if set&bit(s) != 0 {
			p.sigs.actions[s] = SigAction{}
		}
	}
}

func (p *Process) ignoresChildren() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sigs.actions[SIGCHLD].Handler == SigIgn
}

// ValidSignal reports whether sig is a signal number (1..64).
func ValidSignal(sig Signal) bool { return sig >= 1 && sig <= NumSignals }

// Signal sends sig to p, as kill(2) to one process: it becomes pending, and
// p is woken and, if it must act on it now, interrupted. SIGKILL ends p.
func (p *Process) Signal(sig Signal) {
	if sig == SIGKILL {
		p.Kill(SIGKILL)
		return
	}
	p.mu.Lock()
	if p.exited {
		p.mu.Unlock()
		return
	}
	a := p.sigs.actions[sig]
	if a.Handler == SigIgn || (a.Handler == SigDfl && sig.DefaultIgnored()) {
		p.mu.Unlock() // discarded at once, as Linux does for ignored signals
		return
	}
	p.sigs.pending |= bit(sig)
	deliverable := p.updateAttentionLocked()
	p.mu.Unlock()
	p.notify()
	if deliverable {
		p.poke()
	}
}

// Kill ends p with sig from another goroutine: the guest stops at its next
// preemption point or syscall, and blocking calls return.
func (p *Process) Kill(sig Signal) {
	p.MarkSignaled(sig)
	p.attention.Store(true)
	p.notify()
	p.poke()
}

// poke interrupts the guest so it reaches a kernel entry soon.
func (p *Process) poke() {
	if f := p.interrupt.Load(); f != nil {
		(*f)()
	}
}

// SetInterrupt installs the runtime's way of stopping the guest at its next
// preemption point (sfi/preempt). It is called once the guest is
// instantiated.
func (p *Process) SetInterrupt(f func()) {
	p.interrupt.Store(&f)
	if p.attention.Load() {
		f()
	}
}

// Preconditions: p.mu is held.
func (p *Process) updateAttentionLocked() bool {
	d := p.sigs.pending&^p.sigs.mask != 0 || p.termSignal.Load() != 0
	p.attention.Store(d)
	return d
}

// Sigaction sets (if act != nil) and returns the action for sig.
//
// # Errors
//   - EINVAL: sig is not a signal, or is SIGKILL or SIGSTOP.
func (p *Process) Sigaction(sig Signal, act *SigAction) (SigAction, errno.Errno) {
	if !ValidSignal(sig) || (act != nil && bit(sig)&unblockable != 0) {
		return SigAction{}, errno.EINVAL
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	old := p.sigs.actions[sig]
	if act != nil {
		p.sigs.actions[sig] = *act
		if act.Handler == SigIgn || (act.Handler == SigDfl && sig.DefaultIgnored()) {
			p.sigs.pending &^= bit(sig) // setting SIG_IGN discards a pending one
			p.updateAttentionLocked()
		}
	}
	return old, 0
}

// sigprocmask how values.
const (
	SigBlock   = 0
	SigUnblock = 1
	SigSetmask = 2
)

// Sigprocmask changes the blocked set (if set != nil) and returns the old
// one.
//
// # Errors
//   - EINVAL: bad how.
func (p *Process) Sigprocmask(how int32, set *SigSet) (SigSet, errno.Errno) {
	p.mu.Lock()
	old := p.sigs.mask
	if set != nil {
		switch how {
		case SigBlock:
			p.sigs.mask |= *set
		case SigUnblock:
			p.sigs.mask &^= *set
		case SigSetmask:
			p.sigs.mask = *set
		default:
			p.mu.Unlock()
			return 0, errno.EINVAL
		}
		p.sigs.mask &^= unblockable
	}
	p.updateAttentionLocked()
	p.mu.Unlock()
	return old, 0
}

// Sigpending returns the pending set.
func (p *Process) Sigpending() SigSet {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sigs.pending
}

// Sigsuspend waits with mask as the blocked set until a signal p acts on
// arrives; the caller returns EINTR and the signal is delivered on the way
// out, with the old mask restored after the handler (see Deliver).
func (p *Process) Sigsuspend(ctx context.Context, mask SigSet) errno.Errno {
	p.mu.Lock()
	saved := p.sigs.mask
	p.sigs.mask = mask &^ unblockable
	p.sigs.restoreMask = &saved
	p.updateAttentionLocked()
	p.mu.Unlock()
	for p.Block(ctx, nil) == 0 {
	}
	return errno.EINTR
}

// Trampoline is the export a program must have for signal handlers.
const Trampoline = "__occlum_sigtramp"

// Deliver acts on p's pending, unblocked signals: it ends p for fatal
// defaults (and does not return), discards ignored ones, and runs handlers
// by calling the guest's Trampoline export. It runs on p's goroutine, from
// a host function of mod (a syscall or a preemption point).
func (p *Process) Deliver(ctx context.Context, mod api.Module) {
	for {
		if sig := p.TermSignal(); sig != 0 {
			Terminate(ctx, p, mod, sig)
		}
		p.mu.Lock()
		ready := p.sigs.pending &^ p.sigs.mask
		if ready == 0 {
			if p.sigs.restoreMask != nil {
				p.sigs.mask = *p.sigs.restoreMask
				p.sigs.restoreMask = nil
			}
			p.updateAttentionLocked()
			p.mu.Unlock()
			return
		}
		var sig Signal
		for sig = 1; ready&bit(sig) == 0; sig++ {
		}
		p.sigs.pending &^= bit(sig)
		a := p.sigs.actions[sig]
		if a.Handler == SigIgn || (a.Handler == SigDfl && sig.DefaultIgnored()) {
			p.updateAttentionLocked()
			p.mu.Unlock()
			continue
		}
		if a.Handler == SigDfl {
			p.mu.Unlock()
			Terminate(ctx, p, mod, sig)
		}
		// Run the handler with its mask; restore afterwards (the mask from
		// before sigsuspend, if the handler ends one).
		saved := p.sigs.mask
		if p.sigs.restoreMask != nil {
			saved = *p.sigs.restoreMask
			p.sigs.restoreMask = nil
		}
		p.sigs.mask |= SigSet(a.Mask)
		if a.Flags&SANodefer == 0 {
			p.sigs.mask |= bit(sig)
		}
		p.sigs.mask &^= unblockable
		if a.Flags&SAResethand != 0 {
			p.sigs.actions[sig] = SigAction{}
		}
		p.updateAttentionLocked()
		p.mu.Unlock()

		fn := mod.ExportedFunction(Trampoline)
		if fn == nil {
			Terminate(ctx, p, mod, sig) // sigaction refuses handlers without it
		}
		if _, err := fn.Call(ctx, uint64(a.Handler), uint64(sig)); err != nil {
			panic(err) // the handler exited or trapped: unwind the syscall too
		}
		p.mu.Lock()
		p.sigs.mask = saved
		p.updateAttentionLocked()
		p.mu.Unlock()
	}
}

// NeedsAttention reports whether p has a kill or a deliverable signal to
// act on (AfterSyscall would act).
func (p *Process) NeedsAttention() bool { return p.attention.Load() }

// AfterSyscall is called when a syscall returns to the guest: it acts on a
// kill or on pending signals. Cheap when there is nothing to do.
func AfterSyscall(ctx context.Context, p *Process, mod api.Module) {
	if p != nil && p.attention.Load() {
		p.Deliver(ctx, mod)
	}
}

// SendSignal is kill(2) from p: pid > 0 one process, 0 p's group, -1 every
// process but the root and p, < -1 the group -pid. sig 0 only checks that
// a target exists.
//
// # Errors
//   - EINVAL: sig is not 0..64.
//   - ESRCH: no process matches.
func (p *Process) SendSignal(pid int32, sig Signal) errno.Errno {
	if sig != 0 && !ValidSignal(sig) {
		return errno.EINVAL
	}
	k := p.kernel
	switch {
	case pid > 0:
		return signalAll(k.matching(func(q *Process) bool { return q.PID == pid }), sig)
	case pid == -1:
		return signalAll(k.matching(func(q *Process) bool { return q.PID != RootPID && q != p }), sig)
	case pid == 0:
		return k.SignalGroup(p.Pgid(), sig)
	default:
		return k.SignalGroup(-pid, sig)
	}
}

// SignalGroup sends sig (0: none, an existence check) to every process of
// group pgid (what a terminal does for Ctrl-C). Unlike SendSignal it takes
// the group itself, so group 1 — the root's — is not mistaken for kill(-1).
//
// # Errors
//   - ESRCH: the group has no process.
func (k *Kernel) SignalGroup(pgid int32, sig Signal) errno.Errno {
	return signalAll(k.matching(func(q *Process) bool { return q.pgid == pgid }), sig)
}

// matching returns the processes in the table that match accepts.
//
// Preconditions: match may read fields guarded by k.mu, which is held.
func (k *Kernel) matching(match func(q *Process) bool) []*Process {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []*Process
	for _, q := range k.procs {
		if match(q) {
			out = append(out, q)
		}
	}
	return out
}

// signalAll sends sig to targets (nothing for sig 0).
//
// # Errors
//   - ESRCH: targets is empty.
func signalAll(targets []*Process, sig Signal) errno.Errno {
	if len(targets) == 0 {
		return errno.ESRCH
	}
	if sig != 0 {
		for _, q := range targets {
			q.Signal(sig)
		}
	}
	return 0
}

// Restart decides what a blocking call that Block interrupted does. If
// every signal that interrupted it is caught with SA_RESTART, Restart runs
// the handlers now and reports true: the call goes on waiting, as Linux
// restarts it. Otherwise it reports false: the call returns EINTR and the
// signals are acted on as it returns.
func (p *Process) Restart(ctx context.Context, mod api.Module) bool {
	if mod == nil || p.TermSignal() != 0 || ctx.Err() != nil {
		return false
	}
	p.mu.Lock()
	ready := p.sigs.pending &^ p.sigs.mask
	all := ready != 0
	for s := Signal(1); s <= NumSignals && all; s++ {
		if ready&bit(s) != 0 {
			a := p.sigs.actions[s]
			all = a.Handler > SigIgn && a.Flags&SARestart != 0
		}
	}
	p.mu.Unlock()
	if !all {
		return false
	}
	p.Deliver(ctx, mod)
	return true
}

// BlockRestarting is Block for calls that SA_RESTART restarts (pipe I/O,
// wait4): it runs restarting handlers in place and keeps waiting.
func (p *Process) BlockRestarting(ctx context.Context, mod api.Module, ready <-chan struct{}) errno.Errno {
	for {
		e := p.Block(ctx, ready)
		if e == errno.EINTR && p.Restart(ctx, mod) {
			continue
		}
		return e
	}
}

// TemporaryMask installs mask as the blocked set for the rest of a
// syscall (ppoll, pselect, epoll_pwait) and returns what to call when the
// syscall returns: it puts the old mask back unless a signal the
// temporary mask let through is about to be delivered, in which case the
// handler runs with the temporary mask and the old one comes back after
// it, as Linux does.
func (p *Process) TemporaryMask(mask SigSet) (done func()) {
	p.mu.Lock()
	saved := p.sigs.mask
	p.sigs.mask = mask &^ unblockable
	p.sigs.restoreMask = &saved
	p.updateAttentionLocked()
	p.mu.Unlock()
	return func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.sigs.restoreMask != nil && p.sigs.pending&^p.sigs.mask == 0 {
			p.sigs.mask = *p.sigs.restoreMask
			p.sigs.restoreMask = nil
			p.updateAttentionLocked()
		}
	}
}

// Cred returns the process's credentials as sockets report them.
func (p *Process) Cred() (pid int32, uid, gid uint32) { return p.PID, 0, 0 }
