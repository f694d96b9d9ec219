// Package waiter is how a file tells whoever waits on it that its
// readiness may have changed: the event mask (Linux's poll and epoll
// values), an Entry a waiter registers with a mask and a callback, and the
// Queue a file keeps its entries in. Blocking reads, poll and epoll are all
// built on it (after gVisor's pkg/waiter).
//
// Lock order: Queue.mu is a leaf. Notify calls the callbacks with it held,
// so a callback may take only leaf locks of its own (a channel send, an
// epoll ready-list lock) and must never call Readiness, Register,
// Unregister or release a file.
package waiter

import (
	"sync"
	"sync/atomic"
)

// Events is a poll(2)/epoll(7) event mask with Linux's values.
type Events uint32

// Events with Linux values (POLL*, EPOLL*).
const (
	EventIn    Events = 0x1
	EventPri   Events = 0x2
	EventOut   Events = 0x4
	EventErr   Events = 0x8
	EventHup   Events = 0x10
	EventRdHup Events = 0x2000

	// AllEvents is every readiness event a file can report.
	AllEvents = EventIn | EventPri | EventOut | EventErr | EventHup | EventRdHup
)

// Entry is one waiter's registration: which events it cares about and
// what to call when one of them may have happened.
type Entry struct {
	mask   Events
	notify func(Events)
	q      *Queue
	index  int
}

// NewEntry returns an entry that calls notify with the events that may
// have changed whenever one in mask (EventErr and EventHup always count)
// may have. notify runs under the notifier's lock (see the package
// comment).
func NewEntry(mask Events, notify func(Events)) *Entry {
	return &Entry{mask: mask | EventErr | EventHup, notify: notify}
}

// NewChannelEntry returns an entry that sends, without blocking, to ch.
func NewChannelEntry(mask Events, ch chan<- struct{}) *Entry {
	return NewEntry(mask, func(Events) {
		select {
		case ch <- struct{}{}:
		default:
		}
	})
}

// Mask returns the events the entry waits for.
func (e *Entry) Mask() Events { return e.mask }

// Queue is the set of entries waiting on one object. The zero value is
// ready to use.
type Queue struct {
	n       atomic.Int32 // len(entries), read without mu by Notify
	mu      sync.Mutex
	entries []*Entry
}

// Register adds e. An entry is in at most one queue at a time: register
// it elsewhere only after Unregister.
func (q *Queue) Register(e *Entry) {
	q.mu.Lock()
	e.q = q
	e.index = len(q.entries)
	q.entries = append(q.entries, e)
	q.n.Store(int32(len(q.entries)))
	q.mu.Unlock()
}

// Unregister removes e; removing an entry that is not in q does nothing.
func (q *Queue) Unregister(e *Entry) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if e.q != q {
		return
	}
	last := len(q.entries) - 1
	moved := q.entries[last]
	q.entries[e.index] = moved
	moved.index = e.index
	q.entries[last] = nil
	q.entries = q.entries[:last]
	q.n.Store(int32(last))
	e.q = nil
}

// Notify calls every entry whose mask meets ev. With no entry it costs
// one atomic load: a waiter registers before it checks readiness, so a
// change it must see happens after its entry is counted.
func (q *Queue) Notify(ev Events) {
	if q.n.Load() == 0 {
		return
	}
	q.mu.Lock()
	for _, e := range q.entries {
		if e.mask&ev != 0 {
			e.notify(ev)
		}
	}
	q.mu.Unlock()
}

// Count returns how many entries are registered.
func (q *Queue) Count() int { return int(q.n.Load()) }
