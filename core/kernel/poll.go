package kernel

import (
	"context"
	"time"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/core/waiter"
)

// PollItem is one file a Poll waits on: the events asked for (EventErr
// and EventHup are always reported) and, after Poll, those that are ready.
type PollItem struct {
	File  *vfs.File // nil: never ready (a negative descriptor)
	Mask  vfs.Events
	Ready vfs.Events
}

// Poll waits until at least one item is ready, the deadline passes or p
// must act on a signal, and fills in every item's Ready. It is the one
// blocking loop of poll(2), ppoll, select, pselect and WASI's poll_oneoff.
// With wait false it never blocks (a timeout of zero); with a zero
// deadline it waits without a time limit. It returns how many items are
// ready.
//
// # Errors
//   - EINTR: a signal p acts on arrived, or ctx ended, first.
func (p *Process) Poll(ctx context.Context, items []PollItem, wait bool, deadline time.Time) (int, errno.Errno) {
	if n := scan(items); n > 0 || !wait {
		return n, 0
	}
	wake := make(chan struct{}, 1)
	type reg struct {
		w vfs.Waitable
		e *waiter.Entry
	}
	var regs []reg
	defer func() {
		for _, r := range regs {
			r.w.EventUnregister(r.e)
		}
	}()
	for i := range items {
		if items[i].File == nil {
			continue
		}
		if w, ok := items[i].File.Impl().(vfs.Waitable); ok {
			e := waiter.NewChannelEntry(items[i].Mask, wake)
			w.EventRegister(e)
			regs = append(regs, reg{w, e})
		}
	}
	var timer <-chan time.Time
	if !deadline.IsZero() {
		t := time.NewTimer(time.Until(deadline))
		defer t.Stop()
		timer = t.C
	}
	for {
		// Registered before this check: no change is lost.
		if n := scan(items); n > 0 {
			return n, 0
		}
		if !deadline.IsZero() && !time.Now().Before(deadline) {
			return 0, 0
		}
		if e := p.BlockTimer(ctx, wake, timer); e != 0 {
			return 0, e
		}
	}
}

// scan fills in Ready and counts the ready items.
func scan(items []PollItem) int {
	n := 0
	for i := range items {
		it := &items[i]
		it.Ready = 0
		if it.File == nil {
			continue
		}
		it.Ready = it.File.Readiness(it.Mask | vfs.EventErr | vfs.EventHup)
		if it.Ready != 0 {
			n++
		}
	}
	return n
}
