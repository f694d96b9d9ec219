package vfs

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/occlumgo/occlum/core/errno"
)

// flag is a Waitable whose readiness is a boolean.
type flag struct {
	mu      sync.Mutex
	ready   bool
	waiters []chan<- struct{}
}

func (f *flag) Register(ch chan<- struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.waiters = append(f.waiters, ch)
}

func (f *flag) Unregister(ch chan<- struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, c := range f.waiters {
		if c == ch {
			f.waiters = append(f.waiters[:i], f.waiters[i+1:]...)
			return
		}
	}
}

func (f *flag) set() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ready = true
	for _, ch := range f.waiters {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
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
	if len(f.waiters) != 0 {
		t.Errorf("%d waiters left", len(f.waiters))
	}

	f = &flag{}
	cctx, cancel := context.WithTimeout(ctx, 5*time.Millisecond)
	defer cancel()
	if n, e := WaitReady(cctx, f, f.try); n != 7 || e != errno.EINTR {
		t.Errorf("context ended: %d, %v; want the last count with EINTR", n, e)
	}
	if len(f.waiters) != 0 {
		t.Errorf("%d waiters left", len(f.waiters))
	}
}
