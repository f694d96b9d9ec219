package locks

import (
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/occlumgo/occlum/core/errno"
)

var k = Key{Dev: 1, Ino: 2}

func p(pid int32) Owner                   { return Owner{Pid: pid} }
func ofd(f string) Owner                  { return Owner{File: f} }
func r(s, e int64) Range                  { return Range{s, e} }
func noBlock(<-chan struct{}) errno.Errno { panic("blocked") }

func held(t *testing.T, tb *Table) []Lock {
	t.Helper()
	h := tb.Held(k)
	sort.Slice(h, func(i, j int) bool {
		if h[i].Owner.Pid != h[j].Owner.Pid {
			return h[i].Owner.Pid < h[j].Owner.Pid
		}
		return h[i].Range.Start < h[j].Range.Start
	})
	return h
}

func TestConflicts(t *testing.T) {
	tb := New()
	must := func(e errno.Errno) {
		t.Helper()
		if e != 0 {
			t.Fatal(e)
		}
	}
	must(tb.Set(k, Lock{p(1), Read, r(0, 99)}, false, noBlock))
	must(tb.Set(k, Lock{p(2), Read, r(50, 149)}, false, noBlock)) // readers share
	if e := tb.Set(k, Lock{p(3), Write, r(99, 99)}, false, noBlock); e != errno.EAGAIN {
		t.Fatalf("write over two read locks: %v", e)
	}
	must(tb.Set(k, Lock{p(3), Write, r(150, End)}, false, noBlock)) // beyond them
	if h, ok := tb.Test(k, Lock{p(4), Read, r(200, 200)}); !ok || h.Owner.Pid != 3 || h.Type != Write {
		t.Fatalf("F_GETLK: %+v %v", h, ok)
	}
	if _, ok := tb.Test(k, Lock{p(3), Write, r(0, End)}); !ok {
		t.Fatal("F_GETLK of 3 over 1's read lock: no conflict")
	}
	if _, ok := tb.Test(k, Lock{p(1), Read, r(0, 10)}); ok {
		t.Fatal("an owner conflicts with itself")
	}
	// OFD locks share the space with POSIX locks.
	if e := tb.Set(k, Lock{ofd("a"), Write, r(0, 0)}, false, noBlock); e != errno.EAGAIN {
		t.Fatalf("OFD write over a POSIX read: %v", e)
	}
	// flock locks are a space of their own.
	must(tb.Flock(k, Lock{Owner: ofd("a"), Type: Write}, false, noBlock))
	if e := tb.Flock(k, Lock{Owner: ofd("b"), Type: Read}, false, noBlock); e != errno.EAGAIN {
		t.Fatalf("flock shared under exclusive: %v", e)
	}
	tb.ReleaseFile(k, "a")
	must(tb.Flock(k, Lock{Owner: ofd("b"), Type: Read}, false, noBlock))
	must(tb.Flock(k, Lock{Owner: ofd("c"), Type: Read}, false, noBlock))
}

func TestSplitMergeUnlock(t *testing.T) {
	tb := New()
	tb.Set(k, Lock{p(1), Write, r(0, 99)}, false, noBlock)
	tb.Set(k, Lock{p(1), Read, r(40, 59)}, false, noBlock) // converts the middle
	want := []Lock{{p(1), Write, r(0, 39)}, {p(1), Read, r(40, 59)}, {p(1), Write, r(60, 99)}}
	if got := held(t, tb); !slices.Equal(got, want) {
		t.Fatalf("split: %+v", got)
	}
	tb.Set(k, Lock{p(1), Write, r(40, 59)}, false, noBlock) // merges back
	if got := held(t, tb); !slices.Equal(got, []Lock{{p(1), Write, r(0, 99)}}) {
		t.Fatalf("merge: %+v", got)
	}
	tb.Set(k, Lock{p(1), Write, r(100, 109)}, false, noBlock) // adjacent: merged
	tb.Set(k, Lock{p(1), Unlock, r(10, 19)}, false, noBlock)
	if got := held(t, tb); !slices.Equal(got, []Lock{{p(1), Write, r(0, 9)}, {p(1), Write, r(20, 109)}}) {
		t.Fatalf("unlock a hole: %+v", got)
	}
	tb.Set(k, Lock{p(1), Unlock, r(0, End)}, false, noBlock)
	if got := held(t, tb); len(got) != 0 || len(tb.files) != 0 {
		t.Fatalf("unlock all: %+v, %d files", got, len(tb.files))
	}
}

func TestRelease(t *testing.T) {
	tb := New()
	k2 := Key{Dev: 1, Ino: 3}
	tb.Set(k, Lock{p(1), Write, r(0, 9)}, false, noBlock)
	tb.Set(k2, Lock{p(1), Write, r(0, 9)}, false, noBlock)
	tb.Set(k, Lock{ofd("f"), Write, r(10, 19)}, false, noBlock)
	tb.ReleasePOSIX(k, 1) // a close of one of k's descriptors
	if got := held(t, tb); !slices.Equal(got, []Lock{{ofd("f"), Write, r(10, 19)}}) {
		t.Fatalf("after close: %+v", got)
	}
	if len(tb.Held(k2)) != 1 {
		t.Fatal("a close of another file released k2's lock")
	}
	tb.ReleaseProcess(1)
	tb.ReleaseFile(k, "f")
	if len(tb.files) != 0 {
		t.Fatalf("%d files left", len(tb.files))
	}
}

// A blocked request waits for the release, and a signal (block's errno)
// ends the wait, leaving no lock and no waiter behind.
func TestWait(t *testing.T) {
	tb := New()
	tb.Set(k, Lock{p(1), Write, r(0, End)}, false, noBlock)
	done := make(chan errno.Errno)
	go func() {
		done <- tb.Set(k, Lock{p(2), Read, r(5, 5)}, true, func(ready <-chan struct{}) errno.Errno {
			<-ready
			return 0
		})
	}()
	select {
	case e := <-done:
		t.Fatalf("did not wait: %v", e)
	case <-time.After(50 * time.Millisecond):
	}
	tb.Set(k, Lock{p(1), Unlock, r(0, End)}, false, noBlock)
	if e := <-done; e != 0 {
		t.Fatal(e)
	}
	if got := held(t, tb); !slices.Equal(got, []Lock{{p(2), Read, r(5, 5)}}) {
		t.Fatalf("%+v", got)
	}
	e := tb.Set(k, Lock{p(3), Write, r(0, 9)}, true, func(<-chan struct{}) errno.Errno { return errno.EINTR })
	if e != errno.EINTR || len(tb.files[k].waiters) != 0 || len(tb.waiting) != 0 {
		t.Fatalf("interrupted: %v, %d waiters", e, len(tb.files[k].waiters))
	}
}

// 1 holds A and waits for B, held by 2; 2 asking for A would wait for
// itself: EDEADLK.
func TestDeadlock(t *testing.T) {
	tb := New()
	a, b := r(0, 0), r(1, 1)
	tb.Set(k, Lock{p(1), Write, a}, false, noBlock)
	tb.Set(k, Lock{p(2), Write, b}, false, noBlock)
	waiting := make(chan struct{})
	done := make(chan errno.Errno)
	go func() {
		done <- tb.Set(k, Lock{p(1), Write, b}, true, func(ready <-chan struct{}) errno.Errno {
			close(waiting)
			<-ready
			return errno.EINTR
		})
	}()
	<-waiting
	if e := tb.Set(k, Lock{p(2), Write, a}, true, noBlock); e != errno.EDEADLK {
		t.Fatalf("2 waiting for 1 waiting for 2: %v", e)
	}
	tb.ReleaseProcess(2)
	if e := <-done; e != errno.EINTR {
		t.Fatal(e)
	}
}

// A guest cannot fill the LibOS's memory with locks: past MaxPerFile
// pieces, ENOLCK; unlocking still works.
func TestTooManyLocks(t *testing.T) {
	tb := New()
	tb.max = 300
	var e errno.Errno
	n := 0
	for i := int64(0); i < 1000; i++ {
		if e = tb.Set(k, Lock{p(1), Write, r(2*i, 2*i)}, false, noBlock); e != 0 {
			break
		}
		n++
	}
	if e != errno.ENOLCK || n != 300 {
		t.Fatalf("%d locks, then %v", n, e)
	}
	if e := tb.Set(k, Lock{p(1), Unlock, r(0, End)}, false, noBlock); e != 0 || len(tb.Held(k)) != 0 {
		t.Fatalf("unlock all: %v, %d left", e, len(tb.Held(k)))
	}
}
