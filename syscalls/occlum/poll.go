package occlum

import (
	"context"
	"encoding/binary"
	"time"

	"github.com/tetratelabs/wazero/api"

	"github.com/occlumgo/occlum/core/epoll"
	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/eventfd"
	"github.com/occlumgo/occlum/core/kernel"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/core/waiter"
	"github.com/occlumgo/occlum/syscalls/abi"
)

var pollFuncs = []abi.Func{pollCall, epollCreate1, epollCtl, epollPwait, eventfd2}

// poll(2) event bits beyond waiter.Events (Linux values).
const (
	pollNval   = 0x20
	pollRdNorm = 0x40
	pollRdBand = 0x80
	pollWrNorm = 0x100
	pollWrBand = 0x200

	sizeofPollfd     = 8
	sizeofEpollEvent = 12
	// maxEpollEvents is Linux's EP_MAX_EVENTS.
	maxEpollEvents = (1<<31 - 1) / sizeofEpollEvent
)

// pollMask turns poll(2) events into readiness to wait for.
func pollMask(ev uint16) vfs.Events {
	m := vfs.Events(ev) & (waiter.EventIn | waiter.EventPri | waiter.EventOut | waiter.EventRdHup)
	if ev&pollRdNorm != 0 {
		m |= waiter.EventIn
	}
	if ev&pollWrNorm != 0 {
		m |= waiter.EventOut
	}
	return m
}

// pollRevents is what poll(2) reports for readiness r of a file asked for
// events: the events asked for (with their normal-data aliases), and
// POLLERR and POLLHUP always.
func pollRevents(r vfs.Events, events uint16) uint16 {
	out := uint16(r)
	if r&waiter.EventIn != 0 {
		out |= pollRdNorm
	}
	if r&waiter.EventOut != 0 {
		out |= pollWrNorm
	}
	return out & (events | uint16(waiter.EventErr|waiter.EventHup))
}

// timeoutDeadline turns a timeout in nanoseconds (negative: none) into
// Poll's arguments.
func timeoutDeadline(ns int64) (wait bool, deadline time.Time) {
	switch {
	case ns < 0:
		return true, time.Time{}
	case ns == 0:
		return false, time.Time{}
	}
	if ns > int64(1<<62) {
		ns = 1 << 62
	}
	return true, time.Now().Add(time.Duration(ns))
}

// withSigmask installs the signal set at ptr (0: none) for the call.
func withSigmask(p *kernel.Process, mod api.Module, ptr uint32) (func(), errno.Errno) {
	if ptr == 0 {
		return func() {}, 0
	}
	b, e := abi.Bytes(mod, ptr, 8)
	if e != 0 {
		return nil, e
	}
	return p.TemporaryMask(kernel.SigSet(binary.LittleEndian.Uint64(b))), 0
}

var pollCall = abi.Func{
	Name:    "poll",
	Params:  []abi.Param{abi.I32("fds"), abi.I32("nfds"), abi.I64("timeout_ns"), abi.I32("sigmask"), abi.I32("result.n")},
	Results: abi.Errno,
	Impl: func(ctx context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		nfds := uint32(s[1])
		if nfds > uint32(p.FDs.Limit()) && nfds > 16 {
			return errno.EINVAL
		}
		raw, e := abi.Bytes(mod, uint32(s[0]), nfds*sizeofPollfd)
		if e != 0 {
			return e
		}
		if _, e := abi.Bytes(mod, uint32(s[4]), 4); e != 0 {
			return e
		}
		items := make([]kernel.PollItem, nfds)
		nval := 0
		defer func() {
			for _, it := range items {
				if it.File != nil {
					it.File.DecRef()
				}
			}
		}()
		for i := range items {
			fd := int32(binary.LittleEndian.Uint32(raw[i*8:]))
			if fd < 0 {
				continue
			}
			f, e := p.FDs.Get(fd)
			if e != 0 {
				nval++
				continue
			}
			items[i] = kernel.PollItem{File: f, Mask: pollMask(binary.LittleEndian.Uint16(raw[i*8+4:]))}
		}
		restore, e := withSigmask(p, mod, uint32(s[3]))
		if e != 0 {
			return e
		}
		defer restore()
		wait, deadline := timeoutDeadline(int64(s[2]))
		if nval > 0 {
			wait = false
		}
		if _, e := p.Poll(ctx, items, wait, deadline); e != 0 {
			return e
		}
		count := uint32(0)
		for i := range items {
			fd := int32(binary.LittleEndian.Uint32(raw[i*8:]))
			events := binary.LittleEndian.Uint16(raw[i*8+4:])
			var rev uint16
			switch {
			case fd < 0:
			case items[i].File == nil:
				rev = pollNval
			default:
				rev = pollRevents(items[i].Ready, events)
			}
			binary.LittleEndian.PutUint16(raw[i*8+6:], rev)
			if rev != 0 {
				count++
			}
		}
		return abi.PutU32(mod, uint32(s[4]), count)
	},
}

var epollCreate1 = abi.Func{
	Name:    "epoll_create1",
	Params:  []abi.Param{abi.I32("flags"), abi.I32("result.fd")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		fl := uint32(s[0])
		if fl&^uint32(vfs.O_CLOEXEC) != 0 {
			return errno.EINVAL
		}
		if _, e := abi.Bytes(mod, uint32(s[1]), 4); e != 0 {
			return e
		}
		f := vfs.NewFile(epoll.New(), vfs.Dentry{}, vfs.O_RDONLY)
		fd, e := p.FDs.Insert(f, 0, fl != 0)
		if e != 0 {
			f.DecRef()
			return e
		}
		return abi.PutU32(mod, uint32(s[1]), uint32(fd))
	},
}

var epollCtl = abi.Func{
	Name:    "epoll_ctl",
	Params:  []abi.Param{abi.I32("epfd"), abi.I32("op"), abi.I32("fd"), abi.I32("event")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		op := int(int32(s[1]))
		var events uint32
		var data uint64
		if op != epoll.CtlDel {
			b, e := abi.Bytes(mod, uint32(s[3]), sizeofEpollEvent)
			if e != 0 {
				return e
			}
			events, data = binary.LittleEndian.Uint32(b), binary.LittleEndian.Uint64(b[4:])
		}
		epf, e := p.FDs.Get(int32(s[0]))
		if e != 0 {
			return e
		}
		defer epf.DecRef()
		f, e := p.FDs.Get(int32(s[2]))
		if e != 0 {
			return e
		}
		defer f.DecRef()
		ep, e := epoll.Of(epf)
		if e != 0 {
			return e
		}
		return ep.Ctl(op, f, int32(s[2]), events, data)
	},
}

var epollPwait = abi.Func{
	Name:    "epoll_pwait",
	Params:  []abi.Param{abi.I32("epfd"), abi.I32("events"), abi.I32("maxevents"), abi.I64("timeout_ns"), abi.I32("sigmask"), abi.I32("result.n")},
	Results: abi.Errno,
	Impl: func(ctx context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		max := int32(s[2])
		if max <= 0 || max > maxEpollEvents {
			return errno.EINVAL
		}
		out, e := abi.Bytes(mod, uint32(s[1]), uint32(max)*sizeofEpollEvent)
		if e != 0 {
			return e
		}
		if _, e := abi.Bytes(mod, uint32(s[5]), 4); e != 0 {
			return e
		}
		epf, e := p.FDs.Get(int32(s[0]))
		if e != 0 {
			return e
		}
		defer epf.DecRef()
		ep, e := epoll.Of(epf)
		if e != 0 {
			return e
		}
		restore, e := withSigmask(p, mod, uint32(s[4]))
		if e != 0 {
			return e
		}
		defer restore()
		wait, deadline := timeoutDeadline(int64(s[3]))
		evs, e := epollWait(ctx, p, ep, int(max), wait, deadline)
		if e != 0 {
			return e
		}
		for i, ev := range evs {
			binary.LittleEndian.PutUint32(out[i*12:], ev.Events)
			binary.LittleEndian.PutUint64(out[i*12+4:], ev.Data)
		}
		return abi.PutU32(mod, uint32(s[5]), uint32(len(evs)))
	},
}

// epollWait collects ready events, waiting for the instance's queue
// between tries. A signal interrupts it (EINTR), never restarted, as
// Linux.
func epollWait(ctx context.Context, p *kernel.Process, ep *epoll.Instance, max int, wait bool, deadline time.Time) ([]epoll.Event, errno.Errno) {
	if evs := ep.Collect(max); len(evs) > 0 || !wait {
		return evs, 0
	}
	wake := make(chan struct{}, 1)
	entry := waiter.NewChannelEntry(waiter.EventIn, wake)
	ep.EventRegister(entry)
	defer ep.EventUnregister(entry)
	var timer <-chan time.Time
	if !deadline.IsZero() {
		t := time.NewTimer(time.Until(deadline))
		defer t.Stop()
		timer = t.C
	}
	for {
		if evs := ep.Collect(max); len(evs) > 0 {
			return evs, 0
		}
		if !deadline.IsZero() && !time.Now().Before(deadline) {
			return nil, 0
		}
		if e := p.BlockTimer(ctx, wake, timer); e != 0 {
			return nil, e
		}
	}
}

var eventfd2 = abi.Func{
	Name:    "eventfd2",
	Params:  []abi.Param{abi.I32("initval"), abi.I32("flags"), abi.I32("result.fd")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		fl := uint32(s[1])
		if fl&^uint32(eventfd.Semaphore|eventfd.NonBlock|eventfd.Cloexec) != 0 {
			return errno.EINVAL
		}
		if _, e := abi.Bytes(mod, uint32(s[2]), 4); e != 0 {
			return e
		}
		oflags := vfs.O_RDWR
		if fl&eventfd.NonBlock != 0 {
			oflags |= vfs.O_NONBLOCK
		}
		f := vfs.NewFile(eventfd.New(uint32(s[0]), fl&eventfd.Semaphore != 0), vfs.Dentry{}, oflags)
		fd, e := p.FDs.Insert(f, 0, fl&eventfd.Cloexec != 0)
		if e != 0 {
			f.DecRef()
			return e
		}
		return abi.PutU32(mod, uint32(s[2]), uint32(fd))
	},
}
