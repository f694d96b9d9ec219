package socket

import (
	"sync"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/core/waiter"
)

// Conn is a connected byte stream inside the LibOS: two ends, each with
// a receive buffer the other end writes into. It carries SCM_RIGHTS and
// credentials with the byte they were sent with, so a read never joins
// bytes across two messages with control data. UNIX stream sockets, TCP
// between LibOS processes and the host-socket pumps are all Conns.
type Conn struct {
	mu   sync.Mutex
	bufs [2]ringBuf       // bufs[i] is what end i receives
	q    [2]*waiter.Queue // waiters of end i
	// closed[i]: end i is closed; its peer's writes fail with EPIPE and
	// what end i had not read is dropped.
	closed [2]bool
	// err[i] is the error end i's next receive reports (ECONNRESET),
	// after its buffered bytes.
	err [2]errno.Errno
	// tcp: the ends behave as TCP's (SetTCP).
	tcp bool
	// reset[i]: end i sent to a closed peer, which answered with a reset
	// (TCP): its sends fail with EPIPE and it polls EventErr|EventHup.
	reset [2]bool
	// budget is charged for ring memory beyond minRing (nil: unlimited).
	budget *Budget
}

// End is one end of a Conn.
type End struct {
	c    *Conn
	side int
}

// ringBuf is one direction of a Conn.
type ringBuf struct {
	data     []byte // the ring; grows on demand up to limit
	limit    int
	charged  int    // bytes of data charged to the Conn's budget
	r, w     uint64 // bytes ever read and written
	shutWr   bool   // the writer sent FIN: the reader sees EOF after data
	shutRd   bool   // the reader shut down: writes fail with EPIPE
	controls []mark // ascending by pos
}

// mark is control data sent with the byte at pos.
type mark struct {
	pos uint64
	ctl Control
}

// NewConn returns the two ends of a new connection whose directions
// buffer up to capacity bytes each, the memory beyond the first 4 KiB of
// each charged to budget (nil: unlimited). q0 and q1 are the waiter
// queues of the sockets that own the ends (nil: a queue of the Conn's
// own), so that a waiter registered on a socket before it connected hears
// its Conn.
func NewConn(capacity int, budget *Budget, q0, q1 *waiter.Queue) (*End, *End) {
	if capacity <= 0 {
		capacity = DefaultBuffer
	}
	if q0 == nil {
		q0 = new(waiter.Queue)
	}
	if q1 == nil {
		q1 = new(waiter.Queue)
	}
	c := &Conn{q: [2]*waiter.Queue{q0, q1}, budget: budget}
	c.bufs[0].limit = capacity
	c.bufs[1].limit = capacity
	return &End{c, 0}, &End{c, 1}
}

// SetTCP gives the connection TCP's behaviour where it differs from a
// UNIX stream's: the first send to a peer that closed is accepted (and
// draws a reset, after which sends fail with EPIPE), and closing an end
// with bytes it never read resets the peer (ECONNRESET).
func (e *End) SetTCP() {
	e.c.mu.Lock()
	e.c.tcp = true
	e.c.mu.Unlock()
}

// Peer returns the other end.
func (e *End) Peer() *End { return &End{e.c, 1 - e.side} }

// Queue returns the end's waiter queue.
func (e *End) Queue() *waiter.Queue { return e.c.q[e.side] }

// Send writes from bufs into the peer's receive buffer: as much as fits
// (a stream), with ctl attached to the first byte. ctl's references are
// taken only when Send returns n > 0.
//
// # Errors
//   - EPIPE: this end shut down sending, or the peer is closed or shut
//     down receiving.
//   - EAGAIN: no room at all.
func (e *End) Send(bufs [][]byte, ctl *Control) (int, errno.Errno) {
	c := e.c
	c.mu.Lock()
	defer c.mu.Unlock()
	b := &c.bufs[1-e.side]
	total := 0
	for _, p := range bufs {
		total += len(p)
	}
	if c.tcp && c.closed[1-e.side] && !b.shutWr && !c.reset[e.side] && total > 0 {
		// The peer is gone: these bytes draw a reset.
		c.reset[e.side] = true
		c.q[e.side].Notify(waiter.EventErr | waiter.EventHup)
		return total, 0
	}
	if b.shutWr || b.shutRd || c.closed[1-e.side] {
		return 0, errno.EPIPE
	}
	b.grow(total, c.budget)
	free := len(b.data) - int(b.w-b.r)
	if free == 0 && total > 0 {
		return 0, errno.EAGAIN
	}
	if ctl != nil && (len(ctl.Rights) > 0 || ctl.Cred != nil) {
		if total == 0 {
			return 0, 0 // Linux sends no control data without a byte
		}
		b.controls = append(b.controls, mark{b.w, *ctl})
	}
	n := 0
	for _, p := range bufs {
		for len(p) > 0 && free > 0 {
			i := int(b.w % uint64(len(b.data)))
			k := copy(b.data[i:min(len(b.data), i+free)], p)
			p = p[k:]
			b.w += uint64(k)
			free -= k
			n += k
		}
	}
	if n > 0 {
		c.q[1-e.side].Notify(waiter.EventIn)
	}
	return n, 0
}

// Recv reads into bufs from this end's receive buffer. Control data comes
// with its byte; the read stops before the next byte that has control
// data, so each message's rights arrive with the first byte of its own.
// peek leaves the bytes (and the control data) in place. End of stream is
// (0, nil, 0).
//
// # Errors
//   - EAGAIN: nothing buffered and the peer may still send.
//   - ECONNRESET: the connection was reset (after the buffered bytes).
func (e *End) Recv(bufs [][]byte, peek bool) (int, Control, errno.Errno) {
	c := e.c
	c.mu.Lock()
	b := &c.bufs[e.side]
	avail := int(b.w - b.r)
	if avail == 0 {
		defer c.mu.Unlock()
		if b.shutWr || c.closed[1-e.side] {
			if err := c.err[e.side]; err != 0 {
				if !peek {
					c.err[e.side] = 0
				}
				return 0, Control{}, err
			}
			return 0, Control{}, 0
		}
		if err := c.err[e.side]; err != 0 {
			return 0, Control{}, err
		}
		return 0, Control{}, errno.EAGAIN
	}
	var ctl Control
	limit := avail
	ci := 0
	if len(b.controls) > 0 && b.controls[0].pos == b.r {
		ctl = b.controls[0].ctl
		ci = 1
	}
	if len(b.controls) > ci {
		limit = min(limit, int(b.controls[ci].pos-b.r))
	}
	n := 0
	r := b.r
	for _, p := range bufs {
		for len(p) > 0 && n < limit {
			i := int(r % uint64(len(b.data)))
			k := copy(p[:min(len(p), limit-n)], b.data[i:min(len(b.data), i+limit-n)])
			p = p[k:]
			r += uint64(k)
			n += k
		}
	}
	if peek {
		if ci == 1 {
			ctl = Control{Rights: append([]*vfs.File(nil), ctl.Rights...), Cred: ctl.Cred}
			for _, f := range ctl.Rights {
				f.IncRef()
			}
		}
		c.mu.Unlock()
		return n, ctl, 0
	}
	if ci == 1 && n > 0 {
		b.controls = b.controls[1:]
	} else {
		ctl = Control{}
	}
	b.r = r
	if n > 0 {
		c.q[1-e.side].Notify(waiter.EventOut)
	}
	c.mu.Unlock()
	return n, ctl, 0
}

// Readiness returns which of mask's events hold for this end.
func (e *End) Readiness(mask vfs.Events) vfs.Events {
	c := e.c
	c.mu.Lock()
	defer c.mu.Unlock()
	in, out := &c.bufs[e.side], &c.bufs[1-e.side]
	var ev vfs.Events
	peerGone := c.closed[1-e.side]
	recvShut := in.shutWr || peerGone || in.shutRd
	sendShut := out.shutWr || c.reset[e.side]
	if in.w != in.r || recvShut || c.err[e.side] != 0 {
		ev |= vfs.EventIn
	}
	if recvShut {
		ev |= vfs.EventRdHup
	}
	// A write that would not block, including one that fails (EPIPE),
	// is EventOut, as Linux's poll.
	if sendShut || out.shutRd || peerGone || out.limit-int(out.w-out.r) > 0 {
		ev |= vfs.EventOut
	}
	if recvShut && sendShut || c.reset[e.side] || !c.tcp && peerGone {
		ev |= vfs.EventHup
	}
	if c.err[e.side] != 0 || c.reset[e.side] {
		ev |= vfs.EventErr
	}
	return ev & mask
}

// Shutdown stops receiving (SHUT_RD), sending (SHUT_WR: the peer reads
// end of stream after the data) or both.
func (e *End) Shutdown(how int) {
	c := e.c
	c.mu.Lock()
	if how == SHUT_WR || how == SHUT_RDWR {
		c.bufs[1-e.side].shutWr = true
		c.q[1-e.side].Notify(waiter.EventIn | waiter.EventRdHup | waiter.EventHup)
	}
	if how == SHUT_RD || how == SHUT_RDWR {
		c.bufs[e.side].shutRd = true
		c.q[1-e.side].Notify(waiter.EventOut | waiter.EventErr)
	}
	c.q[e.side].Notify(waiter.AllEvents)
	c.mu.Unlock()
}

// Reset ends the connection with err for the peer (ECONNRESET): it reads
// what was buffered, then err.
func (e *End) Reset(err errno.Errno) {
	c := e.c
	c.mu.Lock()
	c.err[1-e.side] = err
	c.bufs[1-e.side].shutWr = true
	c.q[1-e.side].Notify(waiter.AllEvents)
	c.mu.Unlock()
}

// Buffered returns the bytes this end can read now and the bytes it has
// sent that its peer has not read yet.
func (e *End) Buffered() (in, out int) {
	c := e.c
	c.mu.Lock()
	defer c.mu.Unlock()
	return int(c.bufs[e.side].w - c.bufs[e.side].r), int(c.bufs[1-e.side].w - c.bufs[1-e.side].r)
}

// Close closes this end: the peer reads the rest and then end of stream,
// and its sends fail with EPIPE. Control data this end never received is
// released.
func (e *End) Close() {
	c := e.c
	c.mu.Lock()
	if c.closed[e.side] {
		c.mu.Unlock()
		return
	}
	c.closed[e.side] = true
	b := &c.bufs[e.side]
	if c.tcp && b.w != b.r && c.err[1-e.side] == 0 {
		// Unread bytes: a reset, as TCP: the peer reads ECONNRESET and
		// can send no more.
		c.err[1-e.side] = errno.ECONNRESET
		c.reset[1-e.side] = true
	}
	drop := b.controls
	b.controls = nil
	b.r = b.w
	// What this end receives is gone; what it sent stays for the peer
	// until the peer closes too.
	c.budget.give(int64(b.charged))
	b.charged = 0
	b.data = nil
	if c.closed[1-e.side] {
		out := &c.bufs[1-e.side]
		c.budget.give(int64(out.charged))
		out.charged = 0
		out.data = nil
	}
	c.q[1-e.side].Notify(waiter.AllEvents)
	c.mu.Unlock()
	for i := range drop {
		drop[i].ctl.Release()
	}
}

// minRing is the first size of a ring: connections start small, so that
// thousands of idle ones cost little, and grow while data waits.
const minRing = 4096

// grow enlarges the ring so that need more bytes fit, within limit and
// the budget (beyond minRing); without budget it stays as it is and the
// sender sends less, or waits.
func (b *ringBuf) grow(need int, budget *Budget) {
	used := int(b.w - b.r)
	if used+need <= len(b.data) || len(b.data) >= b.limit {
		return
	}
	size := max(minRing, len(b.data))
	for size < used+need && size < b.limit {
		size *= 2
	}
	size = min(size, b.limit)
	for size > len(b.data) && size > minRing {
		charge := size - minRing - b.charged
		if budget.take(int64(charge)) {
			b.charged += charge
			break
		}
		size /= 2 // a smaller step may still fit
	}
	if size <= len(b.data) {
		return
	}
	data := make([]byte, size)
	// Byte at stream position pos lives at pos % len(ring), in both rings.
	for j := 0; j < used; {
		oi := int((b.r + uint64(j)) % uint64(len(b.data)))
		ni := int((b.r + uint64(j)) % uint64(size))
		k := min(used-j, len(b.data)-oi, size-ni)
		copy(data[ni:ni+k], b.data[oi:oi+k])
		j += k
	}
	b.data = data
}

// PeerClosed reports whether the other end is closed (not just shut
// down).
func (e *End) PeerClosed() bool {
	c := e.c
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed[1-e.side]
}
