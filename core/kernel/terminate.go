package kernel

import (
	"context"

	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/sys"
)

// Terminate ends the calling process as if killed by sig: it records the
// signal, closes the guest module and unwinds the guest call. It must be
// called from a host function running on p's goroutine and does not return.
func Terminate(ctx context.Context, p *Process, mod api.Module, sig Signal) {
	p.MarkSignaled(sig)
	code := uint32(128 + int(sig))
	_ = mod.CloseWithExitCode(ctx, code)
	panic(sys.NewExitError(code))
}

// MarkSignaled records that p is ending because of sig; the first signal
// recorded wins. The caller then makes the guest stop (Terminate, or
// sfi.Interrupt from another goroutine).
func (p *Process) MarkSignaled(sig Signal) {
	p.termSignal.CompareAndSwap(0, uint32(sig))
	p.attention.Store(true)
}

// TermSignal returns the signal recorded by MarkSignaled, or 0.
func (p *Process) TermSignal() Signal {
	return Signal(p.termSignal.Load())
}

// CheckKilled ends the calling process if it has been killed (MarkSignaled
// by another goroutine). Syscalls and preemption points call it, so a kill
// takes effect at the process's next kernel entry or loop iteration.
func CheckKilled(ctx context.Context, p *Process, mod api.Module) {
	if p == nil {
		return
	}
	if sig := p.TermSignal(); sig != 0 {
		Terminate(ctx, p, mod, sig)
	}
}
