package vfs

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/waiter"
)

// flag is a Waitable whose readiness is a boolean.
type flag struct {
	mu    sync.Mutex
	ready bool
	q     waiter.Queue
}

func (f *flag) EventRegister(e *waiter.Entry)   { f.q.Register(e) }
func (f *flag) EventUnregister(e *waiter.Entry) { f.q.Unregister(e) }

func (f *flag) set() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ready = true
	f.q.Notify(EventIn)
}

func (f *flag) try() (int, errno.Errno) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.ready {
		return 7, errno.EAGAIN
	}
	return 1, 0
}

func TestWaitReady(t *testing.T) {
	ctx := context.Background()
	calls := 0
	if n, e := WaitReady(ctx, nil, func() (int, errno.Errno) { calls++; return 0, errno.EAGAIN }); n != 0 || e != errno.EAGAIN || calls != 1 {
		t.Errorf("nil Waitable: %d, %v after %d calls; want EAGAIN after 1", n, e, calls)
	}
	f := &flag{}
	if n, e := WaitReady(ctx, f, func() (int, errno.Errno) { return 3, errno.EPIPE }); n != 3 || e != errno.EPIPE {
		t.Errorf("immediate error: %d, %v", n, e)
	}

	go func() {
		time.Sleep(5 * time.Millisecond)
		f.set()
	}()
	if n, e := WaitReady(ctx, f, f.try); n != 1 || e != 0 {
		t.Errorf("woken: %d, %v", n, e)
	}
	if f.q.Count() != 0 {
		t.Errorf("%d waiters left", f.q.Count())
	}

	f = &flag{}
	cctx, cancel := context.WithTimeout(ctx, 5*time.Millisecond)
	defer cancel()
	if n, e := WaitReady(cctx, f, f.try); n != 7 || e != errno.EINTR {
		t.Errorf("context ended: %d, %v; want the last count with EINTR", n, e)
	}
	if f.q.Count() != 0 {
		t.Errorf("%d waiters left", f.q.Count())
	}
}
