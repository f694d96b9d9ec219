package occlum

import (
	"context"
	"encoding/binary"
	"time"

	"github.com/tetratelabs/wazero/api"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/kernel"
	"github.com/occlumgo/occlum/core/socket"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/syscalls/abi"
	"github.com/occlumgo/occlum/syscalls/internal/sockcall"
)

var socketFuncs = []abi.Func{
	socketCall, socketpairCall, bindCall, listenCall, accept4Call, connectCall,
	getsocknameCall, getpeernameCall, setsockoptCall, getsockoptCall,
	sendmsgCall, recvmsgCall, shutdownCall,
}

// maxOptLen bounds a socket option value.
const maxOptLen = 1 << 16

// withSocket runs fn on the socket behind fd.
func withSocket(p *kernel.Process, fd uint64, fn func(f *vfs.File, s socket.Socket) errno.Errno) errno.Errno {
	f, e := p.FDs.Get(int32(fd))
	if e != 0 {
		return e
	}
	defer f.DecRef()
	s, e := socket.Of(f)
	if e != 0 {
		return e
	}
	return fn(f, s)
}

// cred is p's credentials for sockets.
func cred(p *kernel.Process) socket.Cred {
	pid, uid, gid := p.Cred()
	return socket.Cred{PID: pid, UID: uid, GID: gid}
}

// sockFlags splits socket(2)'s type into type and flags.
func sockFlags(t uint32) (typ int, nonblock, cloexec bool, e errno.Errno) {
	fl := t &^ socket.TypeMask
	if fl&^(socket.SOCK_NONBLOCK|socket.SOCK_CLOEXEC) != 0 {
		return 0, false, false, errno.EINVAL
	}
	return int(t & socket.TypeMask), fl&socket.SOCK_NONBLOCK != 0, fl&socket.SOCK_CLOEXEC != 0, 0
}

// newSocketFile wraps s in a description.
func newSocketFile(s socket.Socket, nonblock bool) *vfs.File {
	fl := vfs.O_RDWR
	if nonblock {
		fl |= vfs.O_NONBLOCK
	}
	return vfs.NewFile(s, vfs.Dentry{}, fl)
}

var socketCall = abi.Func{
	Name:    "socket",
	Params:  []abi.Param{abi.I32("domain"), abi.I32("type"), abi.I32("protocol"), abi.I32("result.fd")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		typ, nb, cloexec, e := sockFlags(uint32(s[1]))
		if e != 0 {
			return e
		}
		if _, e := abi.Bytes(mod, uint32(s[3]), 4); e != 0 {
			return e
		}
		prov, e := p.Kernel().Net.Provider(int(int32(s[0])))
		if e != 0 {
			return e
		}
		if e := p.FDs.CheckFree(0); e != 0 {
			return e
		}
		so, e := prov.Socket(int(int32(s[0])), typ, int(int32(s[2])), cred(p))
		if e != 0 {
			return e
		}
		fd, e := p.FDs.Insert(newSocketFile(so, nb), 0, cloexec)
		if e != 0 {
			so.Close()
			return e
		}
		return abi.PutU32(mod, uint32(s[3]), uint32(fd))
	},
}

var socketpairCall = abi.Func{
	Name:    "socketpair",
	Params:  []abi.Param{abi.I32("domain"), abi.I32("type"), abi.I32("protocol"), abi.I32("result.fds")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		typ, nb, cloexec, e := sockFlags(uint32(s[1]))
		if e != 0 {
			return e
		}
		if _, e := abi.Bytes(mod, uint32(s[3]), 8); e != 0 {
			return e
		}
		prov, e := p.Kernel().Net.Provider(int(int32(s[0])))
		if e != 0 {
			return e
		}
		a, b, e := prov.Pair(int(int32(s[0])), typ, int(int32(s[2])), cred(p))
		if e != 0 {
			return e
		}
		fa, fb := newSocketFile(a, nb), newSocketFile(b, nb)
		fda, e := p.FDs.Insert(fa, 0, cloexec)
		if e != 0 {
			fa.DecRef()
			fb.DecRef()
			return e
		}
		fdb, e := p.FDs.Insert(fb, 0, cloexec)
		if e != 0 {
			p.FDs.Remove(fda)
			fb.DecRef()
			return e
		}
		abi.PutU32(mod, uint32(s[3]), uint32(fda))
		return abi.PutU32(mod, uint32(s[3])+4, uint32(fdb))
	},
}

// readAddr reads a socket address of family from guest memory. A UNIX
// path name is also resolved against p's working directory.
func readAddr(p *kernel.Process, mod api.Module, ptr, n uint32, family int) (socket.Addr, errno.Errno) {
	if int32(n) < 0 || n > socket.MaxAddrLen {
		return socket.Addr{}, errno.EINVAL
	}
	b, e := abi.Bytes(mod, ptr, n)
	if e != 0 {
		return socket.Addr{}, e
	}
	if len(b) >= 2 && binary.LittleEndian.Uint16(b) == socket.AF_UNSPEC && family != socket.AF_UNIX {
		return socket.Addr{Family: socket.AF_UNSPEC}, 0
	}
	a, e := socket.ParseAddr(b, family)
	if e != 0 {
		return a, e
	}
	if a.Family == socket.AF_UNIX && a.Path != "" && a.Path[0] != 0 {
		a.Abs = p.Abs(a.Path)
	}
	return a, 0
}

// writeAddr stores a at addr (a buffer of *lenPtr bytes, truncating as
// Linux does) and its full length at lenPtr. addr 0 stores nothing.
func writeAddr(mod api.Module, addr, lenPtr uint32, a socket.Addr) errno.Errno {
	if addr == 0 {
		return 0
	}
	n, e := abi.U32(mod, lenPtr)
	if e != 0 {
		return e
	}
	if int32(n) < 0 {
		return errno.EINVAL
	}
	b := a.Marshal()
	if a.Family == 0 {
		b = nil
	}
	buf, e := abi.Bytes(mod, addr, min(n, uint32(len(b))))
	if e != 0 {
		return e
	}
	copy(buf, b)
	return abi.PutU32(mod, lenPtr, uint32(len(b)))
}

// checkAddrOut checks an (addr, addrlen) result pair before anything
// irrevocable happens.
func checkAddrOut(mod api.Module, addr, lenPtr uint32) errno.Errno {
	if addr == 0 {
		return 0
	}
	n, e := abi.U32(mod, lenPtr)
	if e != 0 {
		return e
	}
	if int32(n) < 0 {
		return errno.EINVAL
	}
	_, e = abi.Bytes(mod, addr, n)
	return e
}

var bindCall = abi.Func{
	Name:    "bind",
	Params:  []abi.Param{abi.I32("fd"), abi.I32("addr"), abi.I32("addrlen")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		return withSocket(p, s[0], func(_ *vfs.File, so socket.Socket) errno.Errno {
			a, e := readAddr(p, mod, uint32(s[1]), uint32(s[2]), so.Family())
			if e != 0 {
				return e
			}
			if a.Family == socket.AF_UNSPEC {
				return errno.EAFNOSUPPORT
			}
			return so.Bind(a)
		})
	},
}

var listenCall = abi.Func{
	Name:    "listen",
	Params:  []abi.Param{abi.I32("fd"), abi.I32("backlog")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, _ api.Module, s []uint64) errno.Errno {
		return withSocket(p, s[0], func(_ *vfs.File, so socket.Socket) errno.Errno {
			backlog := uint32(s[1])
			if backlog > socket.SOMAXCONN {
				backlog = socket.SOMAXCONN // as Linux, a negative backlog too
			}
			return so.Listen(int(backlog))
		})
	},
}

var accept4Call = abi.Func{
	Name:    "accept4",
	Params:  []abi.Param{abi.I32("fd"), abi.I32("addr"), abi.I32("addrlen"), abi.I32("flags"), abi.I32("result.fd")},
	Results: abi.Errno,
	Impl: func(ctx context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		fl := uint32(s[3])
		if fl&^(socket.SOCK_NONBLOCK|socket.SOCK_CLOEXEC) != 0 {
			return errno.EINVAL
		}
		return withSocket(p, s[0], func(f *vfs.File, so socket.Socket) errno.Errno {
			if e := checkAddrOut(mod, uint32(s[1]), uint32(s[2])); e != 0 {
				return e
			}
			if _, e := abi.Bytes(mod, uint32(s[4]), 4); e != 0 {
				return e
			}
			var nb vfs.OpenFlags
			if fl&socket.SOCK_NONBLOCK != 0 {
				nb = vfs.O_NONBLOCK
			}
			fd, c, e := sockcall.Accept(ctx, p, mod, f, so, nb, fl&socket.SOCK_CLOEXEC != 0)
			if e != 0 {
				return e
			}
			peer, _ := c.PeerAddr()
			writeAddr(mod, uint32(s[1]), uint32(s[2]), peer)
			return abi.PutU32(mod, uint32(s[4]), uint32(fd))
		})
	},
}

var connectCall = abi.Func{
	Name:    "connect",
	Params:  []abi.Param{abi.I32("fd"), abi.I32("addr"), abi.I32("addrlen")},
	Results: abi.Errno,
	Impl: func(ctx context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		return withSocket(p, s[0], func(f *vfs.File, so socket.Socket) errno.Errno {
			a, e := readAddr(p, mod, uint32(s[1]), uint32(s[2]), so.Family())
			if e != 0 {
				return e
			}
			if a.Family == socket.AF_UNSPEC && so.Type() == socket.SOCK_STREAM {
				return errno.EAFNOSUPPORT
			}
			nonblock := f.Flags()&vfs.O_NONBLOCK != 0
			_, send := so.Timeouts()
			e = so.Connect(a)
			if e == errno.EAGAIN && !nonblock {
				// A UNIX listener's backlog is full: retry as it drains.
				for e == errno.EAGAIN {
					t := time.NewTimer(5 * time.Millisecond)
					be := p.BlockTimer(ctx, nil, t.C)
					t.Stop()
					if be != 0 {
						return be
					}
					e = so.Connect(a)
				}
			}
			if e != errno.EINPROGRESS || nonblock {
				return e
			}
			_, e = sockcall.Wait(ctx, p, mod, so, false, send, func() (int, errno.Errno) {
				if so.Readiness(vfs.EventOut|vfs.EventErr|vfs.EventHup) == 0 {
					return 0, errno.EAGAIN
				}
				v, _ := so.Option(socket.SOL_SOCKET, socket.SO_ERROR)
				return 0, errno.Errno(binary.LittleEndian.Uint32(v))
			})
			if e == errno.EAGAIN {
				return errno.EINPROGRESS // the timeout passed; it goes on
			}
			if e == 0 {
				so.Connect(a) // reports the completion, so the next connect is EISCONN
			}
			return e
		})
	},
}

func nameCall(name string, get func(so socket.Socket) (socket.Addr, errno.Errno)) abi.Func {
	return abi.Func{
		Name:    name,
		Params:  []abi.Param{abi.I32("fd"), abi.I32("addr"), abi.I32("addrlen")},
		Results: abi.Errno,
		Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
			return withSocket(p, s[0], func(_ *vfs.File, so socket.Socket) errno.Errno {
				if e := checkAddrOut(mod, uint32(s[1]), uint32(s[2])); e != 0 {
					return e
				}
				if s[1] == 0 {
					return errno.EFAULT
				}
				a, e := get(so)
				if e != 0 {
					return e
				}
				if a.Family == 0 {
					a.Family = uint16(so.Family())
				}
				return writeAddr(mod, uint32(s[1]), uint32(s[2]), a)
			})
		},
	}
}

var (
	getsocknameCall = nameCall("getsockname", func(so socket.Socket) (socket.Addr, errno.Errno) { return so.LocalAddr(), 0 })
	getpeernameCall = nameCall("getpeername", func(so socket.Socket) (socket.Addr, errno.Errno) { return so.PeerAddr() })
)

var setsockoptCall = abi.Func{
	Name:    "setsockopt",
	Params:  []abi.Param{abi.I32("fd"), abi.I32("level"), abi.I32("name"), abi.I32("value"), abi.I32("len")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		return withSocket(p, s[0], func(_ *vfs.File, so socket.Socket) errno.Errno {
			n := uint32(s[4])
			if int32(n) < 0 {
				return errno.EINVAL
			}
			b, e := abi.Bytes(mod, uint32(s[3]), min(n, maxOptLen))
			if e != 0 {
				return e
			}
			return so.SetOption(int(int32(s[1])), int(int32(s[2])), b)
		})
	},
}

var getsockoptCall = abi.Func{
	Name:    "getsockopt",
	Params:  []abi.Param{abi.I32("fd"), abi.I32("level"), abi.I32("name"), abi.I32("value"), abi.I32("len")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		return withSocket(p, s[0], func(_ *vfs.File, so socket.Socket) errno.Errno {
			n, e := abi.U32(mod, uint32(s[4]))
			if e != 0 {
				return e
			}
			if int32(n) < 0 {
				return errno.EINVAL
			}
			v, e := so.Option(int(int32(s[1])), int(int32(s[2])))
			if e != 0 {
				return e
			}
			if int32(s[1]) == socket.SOL_SOCKET && int32(s[2]) == socket.SO_ERROR && len(v) == 4 {
				// The guest's errno numbering, as every other errno.
				v = socket.Int32(int32(abi.ToWASI(errno.Errno(binary.LittleEndian.Uint32(v)))))
			}
			k := min(n, uint32(len(v)))
			buf, e := abi.Bytes(mod, uint32(s[3]), k)
			if e != 0 {
				return e
			}
			copy(buf, v)
			return abi.PutU32(mod, uint32(s[4]), k)
		})
	},
}

var shutdownCall = abi.Func{
	Name:    "shutdown",
	Params:  []abi.Param{abi.I32("fd"), abi.I32("how")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, _ api.Module, s []uint64) errno.Errno {
		return withSocket(p, s[0], func(_ *vfs.File, so socket.Socket) errno.Errno {
			return so.Shutdown(int(int32(s[1])))
		})
	},
}
