package occlum

import (
	"context"
	"encoding/binary"

	"github.com/tetratelabs/wazero/api"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/kernel"
	"github.com/occlumgo/occlum/syscalls/abi"
)

var signalFuncs = []abi.Func{sigaction, sigprocmask, sigpending, sigsuspend}

const sigactionSize = 24

func guestSignal(v uint64) (kernel.Signal, errno.Errno) {
	s := kernel.Signal(uint32(v))
	if uint32(v) > kernel.NumSignals || !kernel.ValidSignal(s) {
		return 0, errno.EINVAL
	}
	return s, 0
}

var sigaction = abi.Func{
	Name:    "sigaction",
	Params:  []abi.Param{abi.I32("sig"), abi.I32("act"), abi.I32("result.oldact")},
	Results: abi.Errno,
	Support: abi.Partial,
	Note:    "no SA_SIGINFO (handlers get the signal number only), no alternate stacks",
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		sig, e := guestSignal(s[0])
		if e != 0 {
			return e
		}
		var act *kernel.SigAction
		if s[1] != 0 {
			b, e := abi.Bytes(mod, uint32(s[1]), sigactionSize)
			if e != 0 {
				return e
			}
			act = &kernel.SigAction{
				Handler: binary.LittleEndian.Uint32(b[0:]),
				Flags:   binary.LittleEndian.Uint32(b[4:]),
				Mask:    binary.LittleEndian.Uint64(b[8:]),
			}
			if act.Flags&^uint32(kernel.SARestart|kernel.SANodefer|kernel.SAResethand) != 0 {
				return errno.EINVAL
			}
			if act.Handler > kernel.SigIgn && mod.ExportedFunction(kernel.Trampoline) == nil {
				return errno.ENOSYS // handlers need libocclum's trampoline
			}
		}
		var out []byte
		if s[2] != 0 {
			if out, e = abi.Bytes(mod, uint32(s[2]), sigactionSize); e != 0 {
				return e
			}
		}
		old, e := p.Sigaction(sig, act)
		if e != 0 {
			return e
		}
		if out != nil {
			clear(out)
			binary.LittleEndian.PutUint32(out[0:], old.Handler)
			binary.LittleEndian.PutUint32(out[4:], old.Flags)
			binary.LittleEndian.PutUint64(out[8:], old.Mask)
		}
		return 0
	},
}

var sigprocmask = abi.Func{
	Name:    "sigprocmask",
	Params:  []abi.Param{abi.I32("how"), abi.I32("set"), abi.I32("result.oldset")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		var set *kernel.SigSet
		if s[1] != 0 {
			b, e := abi.Bytes(mod, uint32(s[1]), 8)
			if e != 0 {
				return e
			}
			v := kernel.SigSet(binary.LittleEndian.Uint64(b))
			set = &v
		}
		if s[2] != 0 {
			if _, e := abi.Bytes(mod, uint32(s[2]), 8); e != 0 {
				return e
			}
		}
		old, e := p.Sigprocmask(int32(s[0]), set)
		if e != 0 {
			return e
		}
		if s[2] != 0 {
			return abi.PutU64(mod, uint32(s[2]), uint64(old))
		}
		return 0
	},
}

var sigpending = abi.Func{
	Name:    "sigpending",
	Params:  []abi.Param{abi.I32("result.set")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		return abi.PutU64(mod, uint32(s[0]), uint64(p.Sigpending()))
	},
}

var sigsuspend = abi.Func{
	Name:    "sigsuspend",
	Params:  []abi.Param{abi.I32("set")},
	Results: abi.Errno,
	Impl: func(ctx context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		b, e := abi.Bytes(mod, uint32(s[0]), 8)
		if e != 0 {
			return e
		}
		return p.Sigsuspend(ctx, kernel.SigSet(binary.LittleEndian.Uint64(b)))
	},
}
