package vfs

import (
	"context"
	"sync"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/waiter"
)

// waitChans recycles the wake channels of WaitReady, so that blocking
// costs no allocation. A channel is put back empty and unregistered.
var waitChans = sync.Pool{New: func() any {
	ch := make(chan struct{}, 1)
	return &chanEntry{ch, waiter.NewChannelEntry(waiter.AllEvents, ch)}
}}

// chanEntry is a wake channel and the waiter entry that sends to it.
type chanEntry struct {
	ch    chan struct{}
	entry *waiter.Entry
}

// WaitReady gives blocking semantics to an operation on a stream that never
// blocks. It calls try until try returns something other than EAGAIN, and
// between calls waits until w signals that readiness may have changed or
// ctx ends. It returns try's last result, or try's last count with EINTR
// when ctx ended first (the process was killed or interrupted by a
// signal); the caller decides whether a partial count wins over EINTR.
//
// try is called at least once and is called again after w.Register, so a
// readiness change between a failed try and the wait is never lost (see
// Waitable). try runs on the calling goroutine, with no lock of WaitReady's
// held. A try that makes progress and still wants more (a blocking write
// of more than the buffer holds) keeps its own count and returns it with
// EAGAIN.
//
// If w is nil the first result is returned as is, so callers can pass
// w, _ := impl.(Waitable) for any file.
//
// # Errors
//   - EINTR: ctx ended while try reported EAGAIN.
//   - whatever try returns other than EAGAIN.
func WaitReady(ctx context.Context, w Waitable, try func() (int, errno.Errno)) (int, errno.Errno) {
	return WaitReadyWith(w, try, func(ready <-chan struct{}) errno.Errno {
		select {
		case <-ready:
			return 0
		case <-ctx.Done():
			return errno.EINTR
		}
	})
}

// WaitReadyWith is WaitReady with the waiting step supplied by the caller:
// block waits until ready fires (returning 0) or the caller must give up
// (returning the errno to return, such as EINTR when a process has a
// signal to act on). The kernel passes Process.Block.
func WaitReadyWith(w Waitable, try func() (int, errno.Errno), block func(ready <-chan struct{}) errno.Errno) (int, errno.Errno) {
	n, e := try()
	if e != errno.EAGAIN || w == nil {
		return n, e
	}
	ce := waitChans.Get().(*chanEntry)
	ch := ce.ch
	w.EventRegister(ce.entry)
	// Deferred: block may run guest code (a signal handler) that leaves
	// by a longjmp or an exit, unwinding through here.
	defer func() {
		w.EventUnregister(ce.entry)
		// Empty ch for reuse. Should a notifier still send after
		// Unregister, the next user only sees one spurious wake-up, which
		// its loop absorbs.
		select {
		case <-ch:
		default:
		}
		waitChans.Put(ce)
	}()
	for {
		if n, e = try(); e != errno.EAGAIN {
			return n, e
		}
		if be := block(ch); be != 0 {
			return n, be
		}
	}
}
