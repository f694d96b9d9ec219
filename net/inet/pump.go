package inet

import (
	"errors"
	"io"
	"net"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/socket"
	"github.com/occlumgo/occlum/core/waiter"
)

// pumpChunk is the largest single copy between a host connection and
// its Conn; a pump starts with pumpMin and grows while reads fill it, so
// idle connections hold little memory.
const (
	pumpMin   = 4 << 10
	pumpChunk = 64 << 10
)

// startPumps moves bytes between the host connection c and h, the host
// end of a Conn whose other end is a guest socket: one goroutine each
// way. h's waiter queue is q.
func startPumps(c *net.TCPConn, h *socket.End, q *waiter.Queue) {
	rd, wr := make(chan struct{}, 1), make(chan struct{}, 1)
	re, we := waiter.NewChannelEntry(waiter.EventOut, rd), waiter.NewChannelEntry(waiter.EventIn, wr)
	q.Register(re)
	q.Register(we)
	done := make(chan struct{})
	go func() {
		hostToGuest(c, h, rd)
		q.Unregister(re)
		close(done)
	}()
	go func() {
		guestToHost(c, h, wr)
		q.Unregister(we)
		<-done
		c.Close()
	}()
}

// hostToGuest copies what the host sends into h until the host ends the
// stream (the guest reads end of file) or resets it (ECONNRESET), or the
// guest can no longer receive.
func hostToGuest(c *net.TCPConn, h *socket.End, room <-chan struct{}) {
	buf := make([]byte, pumpMin)
	for {
		n, err := c.Read(buf)
		data := buf[:n]
		for len(data) > 0 {
			k, e := h.Send([][]byte{data}, nil)
			data = data[k:]
			switch e {
			case errno.EPIPE:
				c.Close() // the guest closed or shut down reading
				return
			case errno.EAGAIN:
				<-room
			}
		}
		if err != nil {
			switch {
			case errors.Is(err, io.EOF):
				h.Shutdown(socket.SHUT_WR)
			case errors.Is(err, net.ErrClosed):
				h.Shutdown(socket.SHUT_WR)
			default:
				h.Reset(resetErrno(err))
			}
			return
		}
		if n == len(buf) && len(buf) < pumpChunk {
			buf = make([]byte, 2*len(buf))
		}
	}
}

// guestToHost writes what the guest sends to the host, then half-closes
// (the guest shut down writing) or closes (the guest closed) the host
// connection.
func guestToHost(c *net.TCPConn, h *socket.End, data <-chan struct{}) {
	buf := make([]byte, pumpMin)
	for {
		n, _, e := h.Recv([][]byte{buf}, false)
		if e == errno.EAGAIN {
			<-data
			continue
		}
		if n == 0 || e != 0 {
			if h.PeerClosed() {
				c.Close()
			} else {
				c.CloseWrite()
			}
			return
		}
		if _, err := c.Write(buf[:n]); err != nil {
			h.Reset(resetErrno(err))
			h.Shutdown(socket.SHUT_RD)
			c.Close()
			return
		}
		if n == len(buf) && len(buf) < pumpChunk {
			buf = make([]byte, 2*len(buf))
		}
	}
}

// resetErrno is what the guest's next receive reports after the host
// connection failed.
func resetErrno(err error) errno.Errno {
	if e := hostErrno(err); e == errno.ETIMEDOUT || e == errno.ECONNRESET || e == errno.EPIPE {
		if e == errno.EPIPE {
			return errno.ECONNRESET
		}
		return e
	}
	return errno.ECONNRESET
}
