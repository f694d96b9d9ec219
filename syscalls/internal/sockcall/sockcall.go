// Package sockcall holds the blocking rules socket calls share between the
// occlum ABI (sendmsg, recvmsg, accept4, connect) and WASI's sock_*
// functions: waiting with SO_RCVTIMEO/SO_SNDTIMEO, signals and
// O_NONBLOCK/MSG_DONTWAIT, sending all of a blocking stream write, and
// MSG_WAITALL.
//
// This package holds no state and takes no locks of its own.
package sockcall

import (
	"context"
	"time"

	"github.com/tetratelabs/wazero/api"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/kernel"
	"github.com/occlumgo/occlum/core/socket"
	"github.com/occlumgo/occlum/core/vfs"
)

// Wait gives a socket call blocking semantics: try until it reports
// something other than EAGAIN, waiting for the socket between tries,
// unless nonblock. A timeout (SO_RCVTIMEO/SO_SNDTIMEO) ends the wait with
// EAGAIN and a signal with EINTR, even under SA_RESTART, as Linux does;
// without a timeout, SA_RESTART handlers run and the wait goes on.
func Wait(ctx context.Context, p *kernel.Process, mod api.Module, so socket.Socket, nonblock bool, timeout time.Duration, try func() (int, errno.Errno)) (int, errno.Errno) {
	if nonblock {
		return try()
	}
	if timeout <= 0 {
		return vfs.WaitReadyWith(so, try, func(ready <-chan struct{}) errno.Errno { return p.BlockRestarting(ctx, mod, ready) })
	}
	deadline := time.Now().Add(timeout)
	t := time.NewTimer(timeout)
	defer t.Stop()
	return vfs.WaitReadyWith(so, try, func(ready <-chan struct{}) errno.Errno {
		if !time.Now().Before(deadline) {
			return errno.EAGAIN
		}
		return p.BlockTimer(ctx, ready, t.C)
	})
}

// Nonblocking reports whether a socket call on f with flags must not
// wait (O_NONBLOCK or MSG_DONTWAIT).
func Nonblocking(f *vfs.File, flags int) bool {
	return f.Flags()&vfs.O_NONBLOCK != 0 || flags&socket.MSG_DONTWAIT != 0
}

// Send sends bufs: on a blocking stream all of them, waiting for room
// (an interruption returns what was sent); otherwise one Send.
func Send(ctx context.Context, p *kernel.Process, mod api.Module, f *vfs.File, so socket.Socket, bufs [][]byte, to *socket.Addr, ctl *socket.Control, flags int) (int, errno.Errno) {
	total := 0
	for _, b := range bufs {
		total += len(b)
	}
	nb := Nonblocking(f, flags)
	if nb {
		flags |= socket.MSG_DONTWAIT
	}
	_, timeout := so.Timeouts()
	if so.Type() != socket.SOCK_STREAM || total == 0 {
		return sendDatagram(ctx, p, so, nb, timeout, func() (int, errno.Errno) { return so.Send(bufs, to, ctl, flags) })
	}
	sent := 0
	return Wait(ctx, p, mod, so, nb, timeout, func() (int, errno.Errno) {
		for sent < total {
			var c *socket.Control
			if sent == 0 {
				c = ctl
			}
			k, e := so.Send(Skip(bufs, sent), to, c, flags)
			sent += k
			if e != 0 || k == 0 {
				if sent > 0 && e != errno.EAGAIN {
					return sent, 0
				}
				return sent, e
			}
			if nb {
				break
			}
		}
		return sent, 0
	})
}

// Skip returns bufs without their first n bytes.
func Skip(bufs [][]byte, n int) [][]byte {
	for len(bufs) > 0 && n >= len(bufs[0]) {
		n -= len(bufs[0])
		bufs = bufs[1:]
	}
	if n > 0 && len(bufs) > 0 {
		out := append([][]byte{bufs[0][n:]}, bufs[1:]...)
		return out
	}
	return bufs
}

// Recv receives into bufs: on a blocking socket it waits for the first
// byte (or message, or end of stream); MSG_WAITALL on a stream waits
// until bufs are full.
func Recv(ctx context.Context, p *kernel.Process, mod api.Module, f *vfs.File, so socket.Socket, bufs [][]byte, flags int) (n, full int, from socket.Addr, ctl socket.Control, outFlags int, e errno.Errno) {
	nb := Nonblocking(f, flags)
	timeout, _ := so.Timeouts()
	total := 0
	for _, b := range bufs {
		total += len(b)
	}
	got := 0
	waitAll := flags&socket.MSG_WAITALL != 0 && so.Type() == socket.SOCK_STREAM && flags&socket.MSG_PEEK == 0
	_, e = Wait(ctx, p, mod, so, nb, timeout, func() (int, errno.Errno) {
		for {
			k, fl, fr, c, of, e := so.Recv(Skip(bufs, got), flags&^socket.MSG_DONTWAIT)
			if e != 0 {
				if e == errno.EAGAIN && waitAll && got > 0 {
					return got, e // keep waiting for the rest
				}
				if got > 0 {
					return got, 0
				}
				return 0, e
			}
			if len(c.Rights) > 0 || c.Cred != nil {
				ctl.Rights = append(ctl.Rights, c.Rights...)
				if c.Cred != nil {
					ctl.Cred = c.Cred
				}
			}
			got += k
			full, from, outFlags = fl, fr, of
			if !waitAll || k == 0 || got >= total {
				return got, 0
			}
		}
	})
	if e != 0 && got == 0 {
		ctl.Release()
		return 0, 0, socket.Addr{}, socket.Control{}, 0, e
	}
	if so.Type() == socket.SOCK_STREAM {
		full = got
	}
	return got, full, from, ctl, outFlags, 0
}

// datagramRetry is how often a blocking datagram send tries again while
// its receiver's queue is full: the sender cannot register on every
// possible receiver's queue, so it polls (only UNIX datagrams wait; UDP
// drops, as on Linux).
const datagramRetry = 2 * time.Millisecond

// sendDatagram is one datagram send with blocking semantics: EAGAIN from
// a full receiver is retried every datagramRetry until it fits, the
// timeout passes (EAGAIN) or a signal interrupts (EINTR).
func sendDatagram(ctx context.Context, p *kernel.Process, so socket.Socket, nonblock bool, timeout time.Duration, try func() (int, errno.Errno)) (int, errno.Errno) {
	n, e := try()
	if e != errno.EAGAIN || nonblock {
		return n, e
	}
	var deadline time.Time
	if timeout > 0 {
		deadline = time.Now().Add(timeout)
	}
	for {
		t := time.NewTimer(datagramRetry)
		be := p.BlockTimer(ctx, nil, t.C)
		t.Stop()
		if be != 0 {
			return 0, be
		}
		if n, e = try(); e != errno.EAGAIN {
			return n, e
		}
		if !deadline.IsZero() && !time.Now().Before(deadline) {
			return 0, errno.EAGAIN
		}
	}
}

// Accept takes the next connection of the listening socket so, waiting
// unless f is non-blocking, and installs it as a new descriptor with
// flags (O_NONBLOCK) and cloexec. A full descriptor table is EMFILE
// before a connection is taken, so it stays pending, as on Linux.
func Accept(ctx context.Context, p *kernel.Process, mod api.Module, f *vfs.File, so socket.Socket, flags vfs.OpenFlags, cloexec bool) (int32, socket.Socket, errno.Errno) {
	var c socket.Socket
	timeout, _ := so.Timeouts()
	_, e := Wait(ctx, p, mod, so, f.Flags()&vfs.O_NONBLOCK != 0, timeout, func() (int, errno.Errno) {
		if e := p.FDs.CheckFree(0); e != 0 {
			return 0, e
		}
		var e errno.Errno
		c, e = so.Accept()
		return 0, e
	})
	if e != 0 {
		return -1, nil, e
	}
	nf := vfs.NewFile(c, vfs.Dentry{}, vfs.O_RDWR|flags&vfs.O_NONBLOCK)
	fd, e := p.FDs.Insert(nf, 0, cloexec)
	if e != 0 {
		nf.DecRef()
		return -1, nil, e
	}
	return fd, c, 0
}
