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

// doPrlimit is prlimit(2) on process pid (0: p): it returns the limit of
// resource res, after setting it to nw if nw is not nil.
//
// # Errors
//   - EINVAL: unknown resource, negative pid; and those of setLimit.
//   - ESRCH: no process pid.
func doPrlimit(p *kernel.Process, pid int32, res uint32, nw *rlimit) (rlimit, errno.Errno) {
	if res >= rlimitCount || pid < 0 {
		return rlimit{}, errno.EINVAL
	}
	q := p
	if pid != 0 && pid != p.PID {
		var ok bool
		if q, ok = p.Kernel().Process(pid); !ok {
			return rlimit{}, errno.ESRCH
		}
	}
	old := limitOf(q, res)
	if nw != nil {
		if e := setLimit(q, res, *nw); e != 0 {
			return rlimit{}, e
		}
	}
	return old, 0
}

// getRlimit reads a struct rlimit.
func getRlimit(b []byte) *rlimit {
	return &rlimit{binary.LittleEndian.Uint64(b[0:]), binary.LittleEndian.Uint64(b[8:])}
}

// putRlimit writes a struct rlimit.
func putRlimit(b []byte, r rlimit) {
	binary.LittleEndian.PutUint64(b[0:], r.cur)
	binary.LittleEndian.PutUint64(b[8:], r.max)
}

const rlimitNote = "NOFILE is the descriptor table's; NPROC (max_num_of_threads) and DATA, STACK, AS (the process memory budget) are fixed: changing them is EPERM; the others report infinity and accept any value without enforcing it"

var getrlimit = abi.Func{
	Support: abi.Partial,
	Note:    rlimitNote,
	Name:    "getrlimit",
	Params:  []abi.Param{abi.I32("resource"), abi.I32("result.rlimit")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		buf, e := abi.Bytes(mod, uint32(s[1]), rlimitSize)
		if e != 0 {
			return e
		}
		r, e := doPrlimit(p, 0, uint32(s[0]), nil)
		if e == 0 {
			putRlimit(buf, r)
		}
		return e
	},
}

var setrlimit = abi.Func{
	Support: abi.Partial,
	Note:    rlimitNote,
	Name:    "setrlimit",
	Params:  []abi.Param{abi.I32("resource"), abi.I32("rlimit")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		buf, e := abi.Bytes(mod, uint32(s[1]), rlimitSize)
		if e != 0 {
			return e
		}
		_, e = doPrlimit(p, 0, uint32(s[0]), getRlimit(buf))
		return e
	},
}

var prlimit = abi.Func{
	Support: abi.Partial,
	Note:    rlimitNote,
	Name:    "prlimit",
	Params:  []abi.Param{abi.I32("pid"), abi.I32("resource"), abi.I32("new"), abi.I32("result.old")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		var nw *rlimit
		if ptr := uint32(s[2]); ptr != 0 {
			buf, e := abi.Bytes(mod, ptr, rlimitSize)
			if e != 0 {
				return e
			}
			nw = getRlimit(buf)
		}
		var old []byte
		if ptr := uint32(s[3]); ptr != 0 {
			var e errno.Errno
			if old, e = abi.Bytes(mod, ptr, rlimitSize); e != 0 {
				return e
			}
		}
		r, e := doPrlimit(p, int32(s[0]), uint32(s[1]), nw)
		if e == 0 && old != nil {
			putRlimit(old, r)
		}
		return e
	},
}
