package occlum

import (
	"context"
	"encoding/binary"

	"github.com/tetratelabs/wazero/api"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/kernel"
	"github.com/occlumgo/occlum/core/socket"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/syscalls/abi"
	"github.com/occlumgo/occlum/syscalls/internal/sockcall"
)

// sizeofMsghdr is the guest's struct msghdr on wasm32.
const sizeofMsghdr = 28

// msghdr is a decoded struct msghdr.
type msghdr struct {
	name, namelen, iov, iovlen, control, controllen uint32
}

// readMsg checks the result pointer, then decodes the msghdr at ptr and
// its iovecs (the buffers alias guest memory). oob is what MSG_OOB gets.
func readMsg(mod api.Module, ptr, result uint32, flags int, oob errno.Errno) (msghdr, [][]byte, errno.Errno) {
	if _, e := abi.Bytes(mod, result, 4); e != 0 {
		return msghdr{}, nil, e
	}
	b, e := abi.Bytes(mod, ptr, sizeofMsghdr)
	if e != 0 {
		return msghdr{}, nil, e
	}
	u := func(i int) uint32 { return binary.LittleEndian.Uint32(b[i:]) }
	h := msghdr{u(0), u(4), u(8), u(12), u(16), u(20)}
	if flags&socket.MSG_OOB != 0 {
		return msghdr{}, nil, oob
	}
	if h.iovlen > abi.MaxIovecs {
		return msghdr{}, nil, errno.EMSGSIZE
	}
	bufs, e := abi.Iovecs(mod, h.iov, h.iovlen)
	return h, bufs, e
}

// control turns parsed control messages into a socket.Control holding a
// reference to every passed description.
func control(p *kernel.Process, msgs []socket.ControlMsg) (*socket.Control, errno.Errno) {
	ctl := &socket.Control{}
	me := cred(p)
	for _, m := range msgs {
		switch m.Type {
		case socket.SCM_RIGHTS:
			for _, fd := range m.FDs {
				f, e := p.FDs.Get(fd)
				if e != 0 {
					ctl.Release()
					return nil, e
				}
				ctl.Rights = append(ctl.Rights, f)
			}
		case socket.SCM_CREDENTIALS:
			if m.Cred != me {
				ctl.Release()
				return nil, errno.EPERM
			}
			c := m.Cred
			ctl.Cred = &c
		}
	}
	return ctl, 0
}

var sendmsgCall = abi.Func{
	Name:    "sendmsg",
	Params:  []abi.Param{abi.I32("fd"), abi.I32("msg"), abi.I32("flags"), abi.I32("result.n")},
	Results: abi.Errno,
	Impl: func(ctx context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		flags := int(int32(s[2]))
		return withSocket(p, s[0], func(f *vfs.File, so socket.Socket) errno.Errno {
			h, bufs, e := readMsg(mod, uint32(s[1]), uint32(s[3]), flags, errno.EOPNOTSUPP)
			if e != 0 {
				return e
			}
			var to *socket.Addr
			if h.name != 0 && h.namelen != 0 {
				a, e := readAddr(p, mod, h.name, h.namelen, so.Family())
				if e != 0 {
					return e
				}
				to = &a
			}
			var ctl *socket.Control
			if h.control != 0 && h.controllen >= socket.SizeofCmsghdr {
				if h.controllen > 1<<20 {
					return errno.ENOBUFS
				}
				cb, e := abi.Bytes(mod, h.control, h.controllen)
				if e != 0 {
					return e
				}
				msgs, e := socket.ParseControl(cb)
				if e != 0 {
					return e
				}
				if ctl, e = control(p, msgs); e != 0 {
					return e
				}
			}
			n, e := sockcall.Send(ctx, p, mod, f, so, bufs, to, ctl, flags)
			if ctl != nil && n == 0 {
				ctl.Release() // not taken
			}
			if e == errno.EPIPE && flags&socket.MSG_NOSIGNAL == 0 {
				p.Signal(kernel.SIGPIPE)
			}
			if e != 0 && n == 0 {
				return e
			}
			return abi.PutU32(mod, uint32(s[3]), uint32(n))
		})
	},
}

var recvmsgCall = abi.Func{
	Name:    "recvmsg",
	Params:  []abi.Param{abi.I32("fd"), abi.I32("msg"), abi.I32("flags"), abi.I32("result.n")},
	Results: abi.Errno,
	Impl: func(ctx context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		flags := int(int32(s[2]))
		return withSocket(p, s[0], func(f *vfs.File, so socket.Socket) errno.Errno {
			msgPtr := uint32(s[1])
			h, bufs, e := readMsg(mod, msgPtr, uint32(s[3]), flags, errno.EINVAL)
			if e != 0 {
				return e
			}
			if h.name != 0 {
				if int32(h.namelen) < 0 {
					return errno.EINVAL
				}
				if _, e := abi.Bytes(mod, h.name, h.namelen); e != 0 {
					return e
				}
			}
			var ctlBuf []byte
			if h.control != 0 && h.controllen > 0 {
				if ctlBuf, e = abi.Bytes(mod, h.control, min(h.controllen, 1<<20)); e != 0 {
					return e
				}
			}
			n, full, from, ctl, outFlags, e := sockcall.Recv(ctx, p, mod, f, so, bufs, flags)
			if e != 0 {
				return e
			}
			// The name.
			namelen := uint32(0)
			if h.name != 0 && from.Family != 0 {
				b := from.Marshal()
				buf, _ := abi.Bytes(mod, h.name, min(h.namelen, uint32(len(b))))
				copy(buf, b)
				namelen = uint32(len(b))
			}
			// The control data.
			var out []byte
			if len(ctl.Rights) > 0 {
				var fds []int32
				room := (len(ctlBuf) - socket.SizeofCmsghdr) / 4
				for i, rf := range ctl.Rights {
					if i >= room {
						outFlags |= socket.MSG_CTRUNC
						rf.DecRef()
						continue
					}
					fd, e := p.FDs.Insert(rf, 0, flags&socket.MSG_CMSG_CLOEXEC != 0)
					if e != 0 {
						outFlags |= socket.MSG_CTRUNC
						rf.DecRef()
						continue
					}
					fds = append(fds, fd)
				}
				if len(fds) > 0 {
					data := make([]byte, 4*len(fds))
					for i, fd := range fds {
						binary.LittleEndian.PutUint32(data[4*i:], uint32(fd))
					}
					out, _ = socket.PutCmsg(out, len(ctlBuf), socket.SOL_SOCKET, socket.SCM_RIGHTS, data)
				}
			}
			if ctl.Cred != nil {
				if v, _ := so.Option(socket.SOL_SOCKET, socket.SO_PASSCRED); len(v) == 4 && v[0] != 0 {
					data := make([]byte, 12)
					binary.LittleEndian.PutUint32(data, uint32(ctl.Cred.PID))
					binary.LittleEndian.PutUint32(data[4:], ctl.Cred.UID)
					binary.LittleEndian.PutUint32(data[8:], ctl.Cred.GID)
					var ok bool
					if out, ok = socket.PutCmsg(out, len(ctlBuf), socket.SOL_SOCKET, socket.SCM_CREDENTIALS, data); !ok {
						outFlags |= socket.MSG_CTRUNC
					}
				}
			}
			copy(ctlBuf, out)
			hb, _ := abi.Bytes(mod, msgPtr, sizeofMsghdr)
			binary.LittleEndian.PutUint32(hb[4:], namelen)
			binary.LittleEndian.PutUint32(hb[20:], uint32(len(out)))
			binary.LittleEndian.PutUint32(hb[24:], uint32(outFlags))
			if flags&socket.MSG_TRUNC != 0 && so.Type() != socket.SOCK_STREAM {
				n = full
			}
			return abi.PutU32(mod, uint32(s[3]), uint32(n))
		})
	},
}
