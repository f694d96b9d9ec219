package wasi

import (
	"context"
	"io"
	"runtime"

	"github.com/tetratelabs/wazero/api"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/kernel"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/syscalls/abi"
)

var schedYield = abi.Func{
	Name:    "sched_yield",
	Results: abi.Errno,
	Impl: func(context.Context, *kernel.Process, api.Module, []uint64) errno.Errno {
		runtime.Gosched()
		return 0
	},
}

var randomGet = abi.Func{
	Name:    "random_get",
	Params:  []abi.Param{abi.I32("buf"), abi.I32("buf_len")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		buf, e := abi.Bytes(mod, uint32(s[0]), uint32(s[1]))
		if e != 0 {
			return e
		}
		if _, err := io.ReadFull(p.Kernel().Random, buf); err != nil {
			return errno.EIO
		}
		return 0
	},
}

// No file descriptor is a socket until the networking issue lands: every
// sock_* call on an open descriptor answers ENOTSOCK, on a closed one EBADF.
func notSocket(p *kernel.Process, fd uint64) errno.Errno {
	return withFile(p, fd, func(*vfs.File) errno.Errno { return errno.ENOTSOCK })
}

var sockAccept = abi.Func{
	Support: abi.Unsupported,
	Note:    "ENOTSOCK on an open descriptor (no descriptor is a socket until networking), EBADF otherwise",
	Name:    "sock_accept",
	Params:  []abi.Param{abi.I32("fd"), abi.I32("flags"), abi.I32("result.fd")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, _ api.Module, s []uint64) errno.Errno {
		return notSocket(p, s[0])
	},
}

var sockRecv = abi.Func{
	Support: abi.Unsupported,
	Note:    "ENOTSOCK on an open descriptor (no descriptor is a socket until networking), EBADF otherwise",
	Name:    "sock_recv",
	Params: []abi.Param{abi.I32("fd"), abi.I32("ri_data"), abi.I32("ri_data_len"), abi.I32("ri_flags"),
		abi.I32("result.ro_datalen"), abi.I32("result.ro_flags")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, _ api.Module, s []uint64) errno.Errno {
		return notSocket(p, s[0])
	},
}

var sockSend = abi.Func{
	Support: abi.Unsupported,
	Note:    "ENOTSOCK on an open descriptor (no descriptor is a socket until networking), EBADF otherwise",
	Name:    "sock_send",
	Params: []abi.Param{abi.I32("fd"), abi.I32("si_data"), abi.I32("si_data_len"), abi.I32("si_flags"),
		abi.I32("result.so_datalen")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, _ api.Module, s []uint64) errno.Errno {
		return notSocket(p, s[0])
	},
}

var sockShutdown = abi.Func{
	Support: abi.Unsupported,
	Note:    "ENOTSOCK on an open descriptor (no descriptor is a socket until networking), EBADF otherwise",
	Name:    "sock_shutdown",
	Params:  []abi.Param{abi.I32("fd"), abi.I32("how")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, _ api.Module, s []uint64) errno.Errno {
		return notSocket(p, s[0])
	},
}
