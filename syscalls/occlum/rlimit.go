package occlum

import (
	"context"
	"encoding/binary"
	"math"

	"github.com/tetratelabs/wazero/api"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/kernel"
	"github.com/occlumgo/occlum/syscalls/abi"
)

var rlimitFuncs = []abi.Func{getrlimit, setrlimit, prlimit}

// Resources (Linux values) and the size of struct rlimit {u64 cur, max}.
const (
	rlimitData   = 2
	rlimitStack  = 3
	rlimitNproc  = 6
	rlimitNofile = 7
	rlimitAS     = 9
	rlimitCount  = 16 // RLIM_NLIMITS

	rlimInfinity = math.MaxUint64
	rlimitSize   = 16
)

type rlimit struct{ cur, max uint64 }

// limitOf returns q's limit of resource res.
func limitOf(q *kernel.Process, res uint32) rlimit {
	lim := q.Kernel().Limits
	switch res {
	case rlimitNofile:
		cur, max := q.FDs.Limits()
		return rlimit{uint64(cur), uint64(max)}
	case rlimitNproc:
		return fixed(uint64(lim.MaxProcesses))
	case rlimitData, rlimitStack, rlimitAS:
		return fixed(lim.ProcessMemory)
	}
	return rlimit{rlimInfinity, rlimInfinity}
}

// fixed is a limit the kernel sets for everyone; 0 means none.
func fixed(v uint64) rlimit {
	if v == 0 {
		v = rlimInfinity
	}
	return rlimit{v, v}
}

// setLimit sets q's limit of resource res to nw, as setrlimit(2).
//
// # Errors
//   - EINVAL: cur > max.
//   - EPERM: raising max, or changing a limit the kernel fixes (NPROC and
//     the memory budget).
func setLimit(q *kernel.Process, res uint32, nw rlimit) errno.Errno {
	if nw.cur > nw.max {
		return errno.EINVAL
	}
	old := limitOf(q, res)
	if nw.max > old.max {
		return errno.EPERM
	}
	switch res {
	case rlimitNofile:
		// Both fit in int32: they are at most the old hard limit.
		return q.FDs.SetLimits(int32(nw.cur), int32(nw.max))
	case rlimitNproc, rlimitData, rlimitStack, rlimitAS:
		if nw != old {
			return errno.EPERM
		}
	}
	return 0 // the rest are not enforced: any value is accepted
}

// doPrlimit is prlimit(2) on process pid (0: p); new and old are 0 or
// guest pointers to struct rlimit. Both are checked before anything
// changes.
func doPrlimit(p *kernel.Process, mod api.Module, pid int32, res, newPtr, oldPtr uint32) errno.Errno {
	var nw []byte
	if newPtr != 0 {
		b, e := abi.Bytes(mod, newPtr, rlimitSize)
		if e != 0 {
			return e
		}
		nw = b
	}
	var old []byte
	if oldPtr != 0 {
		b, e := abi.Bytes(mod, oldPtr, rlimitSize)
		if e != 0 {
			return e
		}
		old = b
	}
	if res >= rlimitCount {
		return errno.EINVAL
	}
	q := p
	if pid < 0 {
		return errno.EINVAL
	}
	if pid != 0 && pid != p.PID {
		var ok bool
		if q, ok = p.Kernel().Process(pid); !ok {
			return errno.ESRCH
		}
	}
	cur := limitOf(q, res)
	if nw != nil {
		r := rlimit{binary.LittleEndian.Uint64(nw[0:]), binary.LittleEndian.Uint64(nw[8:])}
		if e := setLimit(q, res, r); e != 0 {
			return e
		}
	}
	if old != nil {
		binary.LittleEndian.PutUint64(old[0:], cur.cur)
		binary.LittleEndian.PutUint64(old[8:], cur.max)
	}
	return 0
}

const rlimitNote = "NOFILE is the descriptor table's; NPROC (max_num_of_threads) and DATA, STACK, AS (the process memory budget) are fixed: changing them is EPERM; the others report infinity and accept any value without enforcing it"

var getrlimit = abi.Func{
	Support: abi.Partial,
	Note:    rlimitNote,
	Name:    "getrlimit",
	Params:  []abi.Param{abi.I32("resource"), abi.I32("result.rlimit")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		if _, e := abi.Bytes(mod, uint32(s[1]), rlimitSize); e != 0 {
			return e // 0 is not "no result" here
		}
		return doPrlimit(p, mod, 0, uint32(s[0]), 0, uint32(s[1]))
	},
}

var setrlimit = abi.Func{
	Support: abi.Partial,
	Note:    rlimitNote,
	Name:    "setrlimit",
	Params:  []abi.Param{abi.I32("resource"), abi.I32("rlimit")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		if _, e := abi.Bytes(mod, uint32(s[1]), rlimitSize); e != 0 {
			return e
		}
		return doPrlimit(p, mod, 0, uint32(s[0]), uint32(s[1]), 0)
	},
}

var prlimit = abi.Func{
	Support: abi.Partial,
	Note:    rlimitNote,
	Name:    "prlimit",
	Params:  []abi.Param{abi.I32("pid"), abi.I32("resource"), abi.I32("new"), abi.I32("result.old")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		return doPrlimit(p, mod, int32(s[0]), uint32(s[1]), uint32(s[2]), uint32(s[3]))
	},
}
