package wasi

import (
	"context"

	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/sys"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/kernel"
	"github.com/occlumgo/occlum/syscalls/abi"
)

var procExit = abi.Func{
	Name:   "proc_exit",
	Params: []abi.Param{abi.I32("rval")},
	Impl: func(ctx context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		code := uint32(s[0])
		_ = mod.CloseWithExitCode(ctx, code)
		panic(sys.NewExitError(code))
	},
}

// linuxSignal maps a WASI signal number to Linux's: they agree up to
// SIGTERM (15); WASI has no SIGSTKFLT (16), so the rest are one lower.
func linuxSignal(w uint32) (kernel.Signal, bool) {
	switch {
	case w >= 1 && w <= 15:
		return kernel.Signal(w), true
	case w >= 16 && w <= 30:
		return kernel.Signal(w + 1), true
	}
	return 0, false
}

var procRaise = abi.Func{
	Support: abi.Partial,
	Note:    "no stop/continue (the LibOS has no job control): stop signals are ignored",
	Name:    "proc_raise",
	Params:  []abi.Param{abi.I32("sig")},
	Results: abi.Errno,
	Impl: func(ctx context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		if s[0] == 0 {
			return 0 // signal 0 checks existence, as kill(2)
		}
		sig, ok := linuxSignal(uint32(s[0]))
		if !ok {
			return errno.EINVAL
		}
		p.Signal(sig) // acted on as the call returns (abi's wrapper)
		return 0
	},
}
