package wasi

import (
	"context"
	"io"
	"runtime"

	"github.com/tetratelabs/wazero/api"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/kernel"
	"github.com/occlumgo/occlum/core/socket"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/syscalls/abi"
	"github.com/occlumgo/occlum/syscalls/internal/sockcall"
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

// withSocket runs fn on the socket behind fd: ENOTSOCK for another file.
func withSocket(p *kernel.Process, fd uint64, fn func(f *vfs.File, so socket.Socket) errno.Errno) errno.Errno {
	return withFile(p, fd, func(f *vfs.File) errno.Errno {
		so, e := socket.Of(f)
		if e != 0 {
			return e
		}
		return fn(f, so)
	})
}

// WASI flags of the sock_* functions.
const (
	riRecvPeek          = 1
	riRecvWaitall       = 2
	roRecvDataTruncated = 1
	sdRd                = 1
	sdWr                = 2
)

var sockAccept = abi.Func{
	Name:    "sock_accept",
	Params:  []abi.Param{abi.I32("fd"), abi.I32("flags"), abi.I32("result.fd")},
	Results: abi.Errno,
	Impl: func(ctx context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		fl := uint32(s[1])
		if fl&^uint32(fdflagNonblock) != 0 {
			return errno.EINVAL
		}
		return withSocket(p, s[0], func(f *vfs.File, so socket.Socket) errno.Errno {
			if _, e := abi.Bytes(mod, uint32(s[2]), 4); e != 0 {
				return e
			}
			var nb vfs.OpenFlags
			if fl&fdflagNonblock != 0 {
				nb = vfs.O_NONBLOCK
			}
			fd, _, e := sockcall.Accept(ctx, p, mod, f, so, nb, false)
			if e != 0 {
				return e
			}
			return abi.PutU32(mod, uint32(s[2]), uint32(fd))
		})
	},
}

var sockRecv = abi.Func{
	Name: "sock_recv",
	Params: []abi.Param{abi.I32("fd"), abi.I32("ri_data"), abi.I32("ri_data_len"), abi.I32("ri_flags"),
		abi.I32("result.ro_datalen"), abi.I32("result.ro_flags")},
	Results: abi.Errno,
	Impl: func(ctx context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		ri := uint32(s[3])
		if ri&^uint32(riRecvPeek|riRecvWaitall) != 0 {
			return errno.EINVAL
		}
		return withSocket(p, s[0], func(f *vfs.File, so socket.Socket) errno.Errno {
			if _, e := abi.Bytes(mod, uint32(s[4]), 4); e != 0 {
				return e
			}
			if _, e := abi.Bytes(mod, uint32(s[5]), 2); e != 0 {
				return e
			}
			bufs, e := abi.Iovecs(mod, uint32(s[1]), uint32(s[2]))
			if e != 0 {
				return e
			}
			flags := 0
			if ri&riRecvPeek != 0 {
				flags |= socket.MSG_PEEK
			}
			if ri&riRecvWaitall != 0 {
				flags |= socket.MSG_WAITALL
			}
			n, _, _, ctl, out, e := sockcall.Recv(ctx, p, mod, f, so, bufs, flags)
			ctl.Release()
			if e != 0 {
				return e
			}
			var ro uint16
			if out&socket.MSG_TRUNC != 0 {
				ro = roRecvDataTruncated
			}
			abi.PutU16(mod, uint32(s[5]), ro)
			return abi.PutU32(mod, uint32(s[4]), uint32(n))
		})
	},
}

var sockSend = abi.Func{
	Name: "sock_send",
	Params: []abi.Param{abi.I32("fd"), abi.I32("si_data"), abi.I32("si_data_len"), abi.I32("si_flags"),
		abi.I32("result.so_datalen")},
	Results: abi.Errno,
	Impl: func(ctx context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		if uint32(s[3]) != 0 {
			return errno.EINVAL
		}
		return withSocket(p, s[0], func(f *vfs.File, so socket.Socket) errno.Errno {
			if _, e := abi.Bytes(mod, uint32(s[4]), 4); e != 0 {
				return e
			}
			bufs, e := abi.Iovecs(mod, uint32(s[1]), uint32(s[2]))
			if e != 0 {
				return e
			}
			n, e := sockcall.Send(ctx, p, mod, f, so, bufs, nil, nil, 0)
			if e == errno.EPIPE {
				p.Signal(kernel.SIGPIPE)
			}
			if e != 0 && n == 0 {
				return e
			}
			return abi.PutU32(mod, uint32(s[4]), uint32(n))
		})
	},
}

var sockShutdown = abi.Func{
	Name:    "sock_shutdown",
	Params:  []abi.Param{abi.I32("fd"), abi.I32("how")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, _ api.Module, s []uint64) errno.Errno {
		var how int
		switch uint32(s[1]) {
		case sdRd:
			how = socket.SHUT_RD
		case sdWr:
			how = socket.SHUT_WR
		case sdRd | sdWr:
			how = socket.SHUT_RDWR
		default:
			return errno.EINVAL
		}
		return withSocket(p, s[0], func(_ *vfs.File, so socket.Socket) errno.Errno {
			return so.Shutdown(how)
		})
	},
}
