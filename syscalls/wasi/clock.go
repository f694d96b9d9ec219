package wasi

import (
	"context"
	"time"

	"github.com/tetratelabs/wazero/api"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/kernel"
	"github.com/occlumgo/occlum/syscalls/abi"
)

// WASI clock ids.
const (
	clockRealtime         = 0
	clockMonotonic        = 1
	clockProcessCPUTimeID = 2
	clockThreadCPUTimeID  = 3
)

var clockResGet = abi.Func{
	Name:    "clock_res_get",
	Params:  []abi.Param{abi.I32("id"), abi.I32("result.resolution")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		switch uint32(s[0]) {
		case clockRealtime, clockMonotonic, clockProcessCPUTimeID, clockThreadCPUTimeID:
			return abi.PutU64(mod, uint32(s[1]), 1)
		}
		return errno.EINVAL
	},
}

var clockTimeGet = abi.Func{
	Support: abi.Partial,
	Note:    "the CPU-time clocks report the time since the process started: a goroutine's CPU time is not measurable",
	Name:    "clock_time_get",
	Params:  []abi.Param{abi.I32("id"), abi.I64("precision"), abi.I32("result.timestamp")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		t, e := clockNow(p, uint32(s[0]))
		if e != 0 {
			return e
		}
		return abi.PutU64(mod, uint32(s[2]), uint64(t))
	},
}

// clockNow reads clock id in nanoseconds. The CPU-time clocks report the
// time the process has existed: a goroutine's CPU time is not measurable.
func clockNow(p *kernel.Process, id uint32) (int64, errno.Errno) {
	c := p.Kernel().Clock
	switch id {
	case clockRealtime:
		return c.Now().UnixNano(), 0
	case clockMonotonic:
		return c.Monotonic(), 0
	case clockProcessCPUTimeID, clockThreadCPUTimeID:
		return int64(time.Since(p.Started)), 0
	}
	return 0, errno.EINVAL
}
