package wasi

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
)

// WASI eventtype values and sizes.
const (
	eventClock   = 0
	eventFdRead  = 1
	eventFdWrite = 2

	subscriptionSize = 48
	eventSize        = 32

	subclockAbstime        = 1
	eventFdReadwriteHangup = 1

	// maxSubscriptions bounds one call's work (Linux bounds poll by
	// RLIMIT_NOFILE; clocks are cheap but not free).
	maxSubscriptions = 4096
)

type subscription struct {
	userdata uint64
	kind     uint8
	// clock
	deadline time.Time
	clockErr errno.Errno
	// fd
	file  *vfs.File
	fdErr errno.Errno
}

var pollOneoff = abi.Func{
	Support: abi.Partial,
	Note:    "host streams (the LibOS's own stdin) always poll ready; reads on them block",
	Name:    "poll_oneoff",
	Params:  []abi.Param{abi.I32("in"), abi.I32("out"), abi.I32("nsubscriptions"), abi.I32("result.nevents")},
	Results: abi.Errno,
	Impl: func(ctx context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		n := uint32(s[2])
		if n == 0 || n > maxSubscriptions {
			return errno.EINVAL
		}
		in, e := abi.Bytes(mod, uint32(s[0]), n*subscriptionSize)
		if e != 0 {
			return e
		}
		out, e := abi.Bytes(mod, uint32(s[1]), n*eventSize)
		if e != 0 {
			return e
		}
		if _, e := abi.Bytes(mod, uint32(s[3]), 4); e != 0 {
			return e
		}
		subs, e := decodeSubscriptions(p, in, n)
		if e != 0 {
			return e
		}
		defer func() {
			for _, sub := range subs {
				if sub.file != nil {
					sub.file.DecRef()
				}
			}
		}()
		nev, e := poll(ctx, p, subs, out)
		if e != 0 {
			return e
		}
		return abi.PutU32(mod, uint32(s[3]), nev)
	},
}

func decodeSubscriptions(p *kernel.Process, in []byte, n uint32) ([]subscription, errno.Errno) {
	subs := make([]subscription, n)
	now := time.Now()
	clock := p.Kernel().Clock
	for i := range subs {
		b := in[i*subscriptionSize:]
		sub := &subs[i]
		sub.userdata = binary.LittleEndian.Uint64(b[0:])
		sub.kind = b[8]
		switch sub.kind {
		case eventClock:
			id := binary.LittleEndian.Uint32(b[16:])
			timeout := binary.LittleEndian.Uint64(b[24:])
			flags := binary.LittleEndian.Uint16(b[40:])
			var d time.Duration
			if flags&subclockAbstime != 0 {
				switch id {
				case clockRealtime:
					d = time.Duration(int64(timeout) - clock.Now().UnixNano())
				case clockMonotonic:
					d = time.Duration(int64(timeout) - clock.Monotonic())
				default:
					sub.clockErr = errno.EINVAL
				}
			} else {
				switch id {
				case clockRealtime, clockMonotonic, clockProcessCPUTimeID, clockThreadCPUTimeID:
					if timeout > uint64(1<<62) {
						timeout = 1 << 62
					}
					d = time.Duration(timeout)
				default:
					sub.clockErr = errno.EINVAL
				}
			}
			sub.deadline = now.Add(d)
		case eventFdRead, eventFdWrite:
			fd := int32(binary.LittleEndian.Uint32(b[16:]))
			sub.file, sub.fdErr = p.FDs.Get(fd)
		default:
			for _, s := range subs[:i] {
				if s.file != nil {
					s.file.DecRef()
				}
			}
			return nil, errno.EINVAL
		}
	}
	return subs, 0
}

// poll waits until at least one subscription fires and writes the events.
// A signal the process must act on interrupts it (EINTR), as it does
// poll(2) and nanosleep(2).
func poll(ctx context.Context, p *kernel.Process, subs []subscription, out []byte) (uint32, errno.Errno) {
	items := make([]kernel.PollItem, len(subs))
	var deadline time.Time
	wait := true
	for i := range subs {
		sub := &subs[i]
		switch {
		case sub.kind == eventClock:
			if sub.clockErr != 0 {
				wait = false
			} else if deadline.IsZero() || sub.deadline.Before(deadline) {
				deadline = sub.deadline
			}
		case sub.fdErr != 0:
			wait = false
		case sub.kind == eventFdWrite:
			items[i] = kernel.PollItem{File: sub.file, Mask: vfs.EventOut}
		default:
			items[i] = kernel.PollItem{File: sub.file, Mask: vfs.EventIn}
		}
	}
	if !deadline.IsZero() && !time.Now().Before(deadline) {
		wait = false
	}
	if _, e := p.Poll(ctx, items, wait, deadline); e != 0 {
		return 0, e
	}
	now := time.Now()
	nev := uint32(0)
	for i := range subs {
		sub := &subs[i]
		ev := out[nev*eventSize : (nev+1)*eventSize]
		switch {
		case sub.kind == eventClock:
			if sub.clockErr != 0 || !now.Before(sub.deadline) {
				putEvent(ev, sub.userdata, sub.clockErr, eventClock, 0, 0)
				nev++
			}
		case sub.fdErr != 0:
			putEvent(ev, sub.userdata, sub.fdErr, sub.kind, 0, 0)
			nev++
		case items[i].Ready != 0:
			r := items[i].Ready
			var flags uint16
			var evErr errno.Errno
			if r&vfs.EventHup != 0 {
				flags |= eventFdReadwriteHangup
			}
			if r&vfs.EventErr != 0 && sub.kind == eventFdWrite {
				// A pipe without readers: Linux reports POLLERR.
				// wasi-libc's poll() turns an event error of EPIPE into
				// POLLHUP and any other error into POLLERR, so the error
				// is EIO.
				evErr = errno.EIO
			}
			putEvent(ev, sub.userdata, evErr, sub.kind, available(sub.file, sub.kind), flags)
			nev++
		}
	}
	return nev, 0
}

// available is the event's nbytes: bytes left to read in a regular file,
// unknown (0) for streams.
func available(f *vfs.File, kind uint8) uint64 {
	if q, ok := f.Impl().(socket.Queued); ok && kind == eventFdRead {
		return uint64(q.InQueue()) // what ioctl(FIONREAD) reports
	}
	if kind != eventFdRead || !f.Impl().Seekable() {
		return 0
	}
	st, e := f.Stat()
	if e != 0 || st.Type() != vfs.TypeRegular {
		return 0
	}
	off, e := f.Lseek(0, vfs.SeekCur)
	if e != 0 || off >= st.Size {
		return 0
	}
	return uint64(st.Size - off)
}

func putEvent(b []byte, userdata uint64, e errno.Errno, kind uint8, nbytes uint64, flags uint16) {
	clear(b[:eventSize])
	binary.LittleEndian.PutUint64(b[0:], userdata)
	binary.LittleEndian.PutUint16(b[8:], abi.ToWASI(e))
	b[10] = kind
	binary.LittleEndian.PutUint64(b[16:], nbytes)
	binary.LittleEndian.PutUint16(b[24:], flags)
}
