package socket

import (
	"sync"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/core/waiter"
)

// Datagram is one message in a DgramQueue.
type Datagram struct {
	Data []byte
	From Addr
	Ctl  Control

	charge int // bytes counted against the queue's budget
}

// DgramQueue is the receive queue of a datagram socket: whole messages,
// bounded by the bytes they hold (SO_RCVBUF), with the waiter queue of
// the socket that owns it.
type DgramQueue struct {
	mu     sync.Mutex
	msgs   []Datagram
	bytes  int
	limit  int
	closed bool // no more deliveries: the socket is closed or SHUT_RD
	err    errno.Errno
	q      *waiter.Queue
	budget *Budget
}

// NewDgramQueue returns a queue holding up to limit bytes (0: the
// default buffer) whose deliveries notify q, the owning socket's queue.
// Messages are charged to budget (nil: unlimited), except the first 4 KiB
// of one waiting alone, so that a queue always makes progress; a message
// the budget cannot take is refused as a full queue would refuse it.
func NewDgramQueue(limit int, q *waiter.Queue, budget *Budget) *DgramQueue {
	if limit <= 0 {
		limit = DefaultBuffer
	}
	return &DgramQueue{limit: limit, q: q, budget: budget}
}

// SetLimit changes the byte limit (SO_RCVBUF).
func (d *DgramQueue) SetLimit(n int) {
	d.mu.Lock()
	d.limit = n
	d.mu.Unlock()
}

// Deliver queues m, taking its data and control references.
//
// # Errors
//   - EAGAIN: the queue is full (the caller drops the message or waits).
//   - ECONNREFUSED: the socket is closed.
func (d *DgramQueue) Deliver(m Datagram) errno.Errno {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return errno.ECONNREFUSED
	}
	if d.bytes > 0 && d.bytes+len(m.Data) > d.limit {
		d.mu.Unlock()
		return errno.EAGAIN
	}
	m.charge = len(m.Data)
	if len(d.msgs) == 0 {
		m.charge = max(0, len(m.Data)-minRing)
	}
	if !d.budget.take(int64(m.charge)) {
		d.mu.Unlock()
		return errno.EAGAIN
	}
	d.msgs = append(d.msgs, m)
	d.bytes += len(m.Data)
	d.q.Notify(waiter.EventIn)
	d.mu.Unlock()
	return 0
}

// Full reports whether a message of n bytes would not fit now.
func (d *DgramQueue) Full(n int) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.bytes > 0 && d.bytes+n > d.limit
}

// SetError makes the next receive fail with e (an ICMP error on UDP).
func (d *DgramQueue) SetError(e errno.Errno) {
	d.mu.Lock()
	d.err = e
	d.q.Notify(waiter.EventErr)
	d.mu.Unlock()
}

// Receive takes (or with peek copies) the first message into bufs. It
// returns the bytes stored and the message's length. Control references
// belong to the caller.
//
// # Errors
//   - EAGAIN: the queue is empty.
func (d *DgramQueue) Receive(bufs [][]byte, peek bool) (n, full int, from Addr, ctl Control, e errno.Errno) {
	d.mu.Lock()
	if d.err != 0 {
		e = d.err
		if !peek {
			d.err = 0
		}
		d.mu.Unlock()
		return 0, 0, Addr{}, Control{}, e
	}
	if len(d.msgs) == 0 {
		closed := d.closed
		d.mu.Unlock()
		if closed {
			return 0, 0, Addr{}, Control{}, 0
		}
		return 0, 0, Addr{}, Control{}, errno.EAGAIN
	}
	m := d.msgs[0]
	if !peek {
		d.msgs[0] = Datagram{}
		d.msgs = d.msgs[1:]
		d.bytes -= len(m.Data)
		d.budget.give(int64(m.charge))
	} else if len(m.Ctl.Rights) > 0 {
		m.Ctl.Rights = append([]*vfs.File(nil), m.Ctl.Rights...)
		for _, f := range m.Ctl.Rights {
			f.IncRef()
		}
	}
	d.mu.Unlock()
	rest := m.Data
	for _, b := range bufs {
		k := copy(b, rest)
		rest = rest[k:]
		n += k
	}
	return n, len(m.Data), m.From, m.Ctl, 0
}

// Next returns the length of the first queued message (0 when none).
func (d *DgramQueue) Next() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.msgs) == 0 {
		return 0
	}
	return len(d.msgs[0].Data)
}

// Readiness returns EventIn when a message (or an error) is queued.
func (d *DgramQueue) Readiness() vfs.Events {
	d.mu.Lock()
	defer d.mu.Unlock()
	var ev vfs.Events
	if len(d.msgs) > 0 || d.closed {
		ev |= vfs.EventIn
	}
	if d.err != 0 {
		ev |= vfs.EventErr
	}
	return ev
}

// Close refuses further deliveries and releases what was queued. With
// shutRd only (SHUT_RD), the queued messages stay readable.
func (d *DgramQueue) Close(shutRd bool) {
	d.mu.Lock()
	d.closed = true
	var drop []Datagram
	if !shutRd {
		drop = d.msgs
		d.msgs = nil
		d.bytes = 0
	}
	d.q.Notify(waiter.AllEvents)
	d.mu.Unlock()
	for i := range drop {
		d.budget.give(int64(drop[i].charge))
		drop[i].Ctl.Release()
	}
}
