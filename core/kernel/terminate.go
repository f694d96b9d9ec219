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
	p.mu.Lock()
	p.termSignal = sig
	p.mu.Unlock()
	code := uint32(128 + int(sig))
	_ = mod.CloseWithExitCode(ctx, code)
	panic(sys.NewExitError(code))
}

// TermSignal returns the signal recorded by Terminate, or 0.
func (p *Process) TermSignal() Signal {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.termSignal
}
