// Package epoll implements epoll(7) instances: an interest list of open
// files, each watched through its waiter queue, and a ready list fed by
// those notifications, so that a wait costs time in proportion to the
// files that changed, not to the files watched (10,000 idle connections
// cost nothing).
//
// An interest holds no reference to its file: it goes away when the
// file's last descriptor closes (vfs.File.OnLastClose), as on Linux.
//
// Lock order: a watched file's waiter queue lock, then Instance.mu, then
// Instance's own waiter queue. Readiness is never called with mu held,
// and files are never released with it held.
package epoll

import (
	"sync"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/core/waiter"
)

// Flags of an interest's event mask (Linux values).
const (
	EPOLLEXCLUSIVE = 1 << 28
	EPOLLWAKEUP    = 1 << 29
	EPOLLONESHOT   = 1 << 30
	EPOLLET        = 1 << 31

	eventBits = uint32(waiter.AllEvents | 0x40 | 0x80 | 0x100 | 0x200 | 0x400)
)

// epoll_ctl operations.
const (
	CtlAdd = 1
	CtlDel = 2
	CtlMod = 3
)

// Event is one reported event.
type Event struct {
	Events uint32
	Data   uint64
}

type key struct {
	f  *vfs.File
	fd int32
}

// interest is one watched (file, fd).
type interest struct {
	ep       *Instance
	key      key
	events   uint32 // as given, with flags
	data     uint64
	entry    *waiter.Entry
	w        vfs.Waitable // nil: a file that is always ready
	queued   bool         // on the ready list
	disabled bool         // EPOLLONESHOT fired
}

// Instance is one epoll instance, a vfs.FileImpl.
type Instance struct {
	vfs.UnimplementedFile
	q waiter.Queue // waiters on this instance (epoll_wait, poll, nesting)

	mu        sync.Mutex
	interests map[key]*interest
	ready     []*interest
	closed    bool
}

var (
	_ vfs.FileImpl = (*Instance)(nil)
	_ vfs.Waitable = (*Instance)(nil)
)

// New returns an empty instance.
func New() *Instance { return &Instance{interests: map[key]*interest{}} }

// Of returns f's instance.
//
// # Errors
//   - EINVAL: f is not an epoll instance.
func Of(f *vfs.File) (*Instance, errno.Errno) {
	if ep, ok := f.Impl().(*Instance); ok {
		return ep, 0
	}
	return nil, errno.EINVAL
}

func (ep *Instance) EventRegister(e *waiter.Entry)   { ep.q.Register(e) }
func (ep *Instance) EventUnregister(e *waiter.Entry) { ep.q.Unregister(e) }

// Ctl adds, changes or removes the interest in (f, fd).
//
// # Errors
//   - EEXIST: CtlAdd of an interest that exists.
//   - ENOENT: CtlMod or CtlDel of one that does not.
//   - EPERM: f cannot be polled (a regular file or directory).
//   - EINVAL: an unknown op, f is this instance, EPOLLEXCLUSIVE with
//     CtlMod.
//   - ELOOP: f is an epoll instance that watches this one.
func (ep *Instance) Ctl(op int, f *vfs.File, fd int32, events uint32, data uint64) errno.Errno {
	if f.Impl() == ep {
		return errno.EINVAL
	}
	k := key{f, fd}
	switch op {
	case CtlAdd:
		w, pollable := f.Impl().(vfs.Waitable)
		if !pollable {
			if st, e := f.Stat(); e == 0 && (st.Type() == vfs.TypeRegular || st.Type() == vfs.TypeDirectory) {
				return errno.EPERM
			}
			w = nil
		}
		if inner, ok := f.Impl().(*Instance); ok && inner.watches(ep, 0) {
			return errno.ELOOP
		}
		ep.mu.Lock()
		if _, ok := ep.interests[k]; ok {
			ep.mu.Unlock()
			return errno.EEXIST
		}
		it := &interest{ep: ep, key: k, events: events, data: data, w: w}
		it.entry = waiter.NewEntry(waiter.Events(events&eventBits), it.notify)
		ep.interests[k] = it
		ep.enqueueLocked(it) // checked by the next wait, as Linux does at add
		ep.mu.Unlock()
		if w != nil {
			w.EventRegister(it.entry)
		}
		f.OnLastClose(it, func() { ep.remove(it) })
		ep.q.Notify(waiter.EventIn)
		return 0
	case CtlMod:
		if events&EPOLLEXCLUSIVE != 0 {
			return errno.EINVAL
		}
		ep.mu.Lock()
		it, ok := ep.interests[k]
		if !ok {
			ep.mu.Unlock()
			return errno.ENOENT
		}
		it.events, it.data, it.disabled = events, data, false
		ep.enqueueLocked(it)
		ep.mu.Unlock()
		// A new entry with the new mask replaces the old one.
		if it.w != nil {
			it.w.EventUnregister(it.entry)
			it.entry = waiter.NewEntry(waiter.Events(events&eventBits), it.notify)
			it.w.EventRegister(it.entry)
		}
		ep.q.Notify(waiter.EventIn)
		return 0
	case CtlDel:
		ep.mu.Lock()
		it, ok := ep.interests[k]
		ep.mu.Unlock()
		if !ok {
			return errno.ENOENT
		}
		ep.remove(it)
		f.RemoveOnLastClose(it)
		return 0
	}
	return errno.EINVAL
}

// watches reports whether ep watches target, directly or through nested
// instances (depth-limited, as Linux's EP_MAX_NESTS).
func (ep *Instance) watches(target *Instance, depth int) bool {
	if depth > 4 {
		return true
	}
	ep.mu.Lock()
	var inner []*Instance
	for k := range ep.interests {
		if in, ok := k.f.Impl().(*Instance); ok {
			if in == target {
				ep.mu.Unlock()
				return true
			}
			inner = append(inner, in)
		}
	}
	ep.mu.Unlock()
	for _, in := range inner {
		if in.watches(target, depth+1) {
			return true
		}
	}
	return false
}

// notify is a watched file's waiter callback: queue the interest and
// tell the instance's waiters (also when it was queued already: a nested
// instance or a poll may have found it not ready since).
func (it *interest) notify(waiter.Events) {
	ep := it.ep
	ep.mu.Lock()
	ep.enqueueLocked(it)
	live := !it.disabled && ep.interests[it.key] == it
	ep.mu.Unlock()
	if live {
		ep.q.Notify(waiter.EventIn)
	}
}

// enqueueLocked puts it on the ready list unless it is there or
// disabled.
func (ep *Instance) enqueueLocked(it *interest) bool {
	if it.queued || it.disabled || ep.interests[it.key] != it {
		return false
	}
	it.queued = true
	ep.ready = append(ep.ready, it)
	return true
}

// remove drops an interest (CtlDel, or its file's last close).
func (ep *Instance) remove(it *interest) {
	ep.mu.Lock()
	if ep.interests[it.key] != it {
		ep.mu.Unlock()
		return
	}
	delete(ep.interests, it.key)
	it.disabled = true
	if it.queued {
		for i, r := range ep.ready {
			if r == it {
				ep.ready = append(ep.ready[:i], ep.ready[i+1:]...)
				break
			}
		}
		it.queued = false
	}
	ep.mu.Unlock()
	if it.w != nil {
		it.w.EventUnregister(it.entry)
	}
}

// Collect reports up to max ready events. A level-triggered interest
// that is still ready stays queued for the next call; an edge-triggered
// one waits for its next notification; a one-shot one is disabled until
// CtlMod re-arms it.
func (ep *Instance) Collect(max int) []Event {
	ep.mu.Lock()
	batch := ep.ready
	ep.ready = nil
	for _, it := range batch {
		it.queued = false
	}
	ep.mu.Unlock()
	var out []Event
	var again, rest []*interest
	for i, it := range batch {
		if len(out) >= max {
			rest = batch[i:] // not looked at: first in line next time
			break
		}
		mask := waiter.Events(it.events&eventBits) | waiter.EventErr | waiter.EventHup
		r := it.key.f.Readiness(mask)
		if r == 0 {
			continue
		}
		ep.mu.Lock()
		if ep.interests[it.key] != it || it.disabled {
			ep.mu.Unlock()
			continue
		}
		ev := uint32(r)
		// Linux reports the normal-data aliases with the events asked for.
		if r&waiter.EventIn != 0 {
			ev |= 0x40 // EPOLLRDNORM
		}
		if r&waiter.EventOut != 0 {
			ev |= 0x100 // EPOLLWRNORM
		}
		ev &= it.events&eventBits | uint32(waiter.EventErr|waiter.EventHup)
		out = append(out, Event{Events: ev, Data: it.data})
		switch {
		case it.events&EPOLLONESHOT != 0:
			it.disabled = true
		case it.events&EPOLLET == 0:
			again = append(again, it)
		}
		ep.mu.Unlock()
	}
	if len(again)+len(rest) > 0 {
		ep.mu.Lock()
		// What was not looked at goes before what was reported (and is
		// still level-triggered), so that interests take turns when more
		// are ready than maxevents, as on Linux. New notifications since
		// the batch was taken are already queued and come first.
		for _, it := range rest {
			ep.enqueueLocked(it)
		}
		for _, it := range again {
			ep.enqueueLocked(it)
		}
		ep.mu.Unlock()
	}
	return out
}

// Pending reports whether the ready list is not empty.
func (ep *Instance) Pending() bool {
	ep.mu.Lock()
	defer ep.mu.Unlock()
	return len(ep.ready) > 0
}

// Readiness implements vfs.FileImpl: readable while something may be
// ready (checked, so that a nested instance or poll is not woken for
// files that are no longer ready).
func (ep *Instance) Readiness(mask vfs.Events) vfs.Events {
	ep.mu.Lock()
	var batch []*interest
	for _, it := range ep.ready {
		if ep.interests[it.key] == it && !it.disabled {
			batch = append(batch, it)
		}
	}
	ep.mu.Unlock()
	for _, it := range batch {
		m := waiter.Events(it.events&eventBits) | waiter.EventErr | waiter.EventHup
		if it.key.f.Readiness(m) != 0 {
			return vfs.EventIn & mask
		}
	}
	return 0
}

func (ep *Instance) Stat() (vfs.Stat, errno.Errno) {
	return vfs.Stat{Mode: 0o600, Nlink: 1}, 0
}

// Close drops every interest.
func (ep *Instance) Close() errno.Errno {
	ep.mu.Lock()
	if ep.closed {
		ep.mu.Unlock()
		return 0
	}
	ep.closed = true
	all := make([]*interest, 0, len(ep.interests))
	for _, it := range ep.interests {
		all = append(all, it)
	}
	ep.mu.Unlock()
	for _, it := range all {
		ep.remove(it)
		it.key.f.RemoveOnLastClose(it)
	}
	return 0
}
