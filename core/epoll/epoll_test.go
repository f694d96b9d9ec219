package epoll

import (
	"testing"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/eventfd"
	"github.com/occlumgo/occlum/core/pipe"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/core/waiter"
)

func pipeFiles() (r, w *vfs.File) {
	re, we := pipe.New(0)
	return vfs.NewFile(re, vfs.Dentry{}, vfs.O_RDONLY), vfs.NewFile(we, vfs.Dentry{}, vfs.O_WRONLY)
}

func datas(evs []Event) []uint64 {
	var out []uint64
	for _, e := range evs {
		out = append(out, e.Data)
	}
	return out
}

func TestLevelEdgeOneshot(t *testing.T) {
	ep := New()
	lt, ltw := pipeFiles()
	et, etw := pipeFiles()
	os, osw := pipeFiles()
	in := uint32(waiter.EventIn)
	if e := ep.Ctl(CtlAdd, lt, 3, in, 1); e != 0 {
		t.Fatal(e)
	}
	ep.Ctl(CtlAdd, et, 4, in|EPOLLET, 2)
	ep.Ctl(CtlAdd, os, 5, in|EPOLLONESHOT, 3)
	if evs := ep.Collect(10); len(evs) != 0 {
		t.Fatalf("nothing written, yet %v", evs)
	}
	for _, w := range []*vfs.File{ltw, etw, osw} {
		w.Write([]byte("x"))
	}
	if got := datas(ep.Collect(10)); len(got) != 3 {
		t.Fatalf("first wait: %v", got)
	}
	if got := datas(ep.Collect(10)); len(got) != 1 || got[0] != 1 {
		t.Fatalf("second wait: %v; want only the level-triggered one", got)
	}
	etw.Write([]byte("y"))
	osw.Write([]byte("y"))
	if got := datas(ep.Collect(10)); len(got) != 2 {
		t.Fatalf("after new data: %v; want level and edge (one-shot is disabled)", got)
	}
	ep.Ctl(CtlMod, os, 5, in|EPOLLONESHOT, 3)
	if got := datas(ep.Collect(10)); len(got) != 2 || got[1] != 3 {
		t.Fatalf("after re-arming: %v", got)
	}
	// Errors.
	if e := ep.Ctl(CtlAdd, lt, 3, in, 1); e != errno.EEXIST {
		t.Errorf("double add: %v", e)
	}
	if e := ep.Ctl(CtlMod, ltw, 9, in, 1); e != errno.ENOENT {
		t.Errorf("mod of an unknown fd: %v", e)
	}
	if e := ep.Ctl(7, lt, 3, in, 1); e != errno.EINVAL {
		t.Errorf("unknown op: %v", e)
	}
	self := vfs.NewFile(ep, vfs.Dentry{}, vfs.O_RDONLY)
	if e := ep.Ctl(CtlAdd, self, 8, in, 1); e != errno.EINVAL {
		t.Errorf("an instance in itself: %v", e)
	}
	if e := ep.Ctl(CtlDel, lt, 3, 0, 0); e != 0 {
		t.Fatal(e)
	}
	if got := datas(ep.Collect(10)); len(got) != 0 {
		t.Fatalf("after delete: %v", got)
	}
}

// TestMaxEventsRotate: with more ready than maxevents, level-triggered
// interests take turns.
func TestMaxEventsRotate(t *testing.T) {
	ep := New()
	for i := uint64(1); i <= 3; i++ {
		r, w := pipeFiles()
		w.Write([]byte("x"))
		ep.Ctl(CtlAdd, r, int32(i), uint32(waiter.EventIn), i)
	}
	seen := map[uint64]int{}
	for i := 0; i < 3; i++ {
		for _, d := range datas(ep.Collect(2)) {
			seen[d]++
		}
	}
	if seen[1] != 2 || seen[2] != 2 || seen[3] != 2 {
		t.Fatalf("turns: %v; want each twice", seen)
	}
}

// TestLastCloseRemoves: an interest goes with its file's last reference.
func TestLastCloseRemoves(t *testing.T) {
	ep := New()
	r, w := pipeFiles()
	w.Write([]byte("x"))
	r.IncRef() // a dup
	ep.Ctl(CtlAdd, r, 3, uint32(waiter.EventIn), 1)
	r.DecRef()
	if got := datas(ep.Collect(10)); len(got) != 1 {
		t.Fatalf("with a duplicate open: %v", got)
	}
	r.DecRef()
	if got := datas(ep.Collect(10)); len(got) != 0 {
		t.Fatalf("after the last close: %v", got)
	}
	if ep.Readiness(vfs.EventIn) != 0 {
		t.Error("an empty instance polls readable")
	}
}

// TestNesting: an instance watched by another reports readiness, and a
// loop is ELOOP.
func TestNesting(t *testing.T) {
	inner, outer := New(), New()
	innerF := vfs.NewFile(inner, vfs.Dentry{}, vfs.O_RDONLY)
	outerF := vfs.NewFile(outer, vfs.Dentry{}, vfs.O_RDONLY)
	efd := vfs.NewFile(eventfd.New(0, false), vfs.Dentry{}, vfs.O_RDWR)
	inner.Ctl(CtlAdd, efd, 3, uint32(waiter.EventIn), 1)
	if e := outer.Ctl(CtlAdd, innerF, 4, uint32(waiter.EventIn), 2); e != 0 {
		t.Fatal(e)
	}
	if e := inner.Ctl(CtlAdd, outerF, 5, uint32(waiter.EventIn), 3); e != errno.ELOOP {
		t.Errorf("a loop: %v", e)
	}
	if got := datas(outer.Collect(10)); len(got) != 0 {
		t.Fatalf("nothing ready: %v", got)
	}
	b := make([]byte, 8)
	b[0] = 1
	efd.Write(b)
	if got := datas(outer.Collect(10)); len(got) != 1 || got[0] != 2 {
		t.Fatalf("inner ready: %v", got)
	}
	efd.Read(b)
	if got := datas(outer.Collect(10)); len(got) != 0 {
		t.Fatalf("inner drained: %v", got)
	}
}

func TestEventfd(t *testing.T) {
	f := eventfd.New(0, false)
	b := make([]byte, 8)
	if _, e := f.Read(b); e != errno.EAGAIN {
		t.Errorf("empty: %v", e)
	}
	if _, e := f.Read(b[:7]); e != errno.EINVAL {
		t.Errorf("short buffer: %v", e)
	}
	b[0] = 3
	f.Write(b)
	b[0] = 4
	f.Write(b)
	f.Read(b)
	if b[0] != 7 {
		t.Errorf("counter %d, want 7", b[0])
	}
	for i := range b {
		b[i] = 0xff
	}
	if _, e := f.Write(b); e != errno.EINVAL {
		t.Errorf("2^64-1: %v", e)
	}
	b[0] = 0xfe
	f.Write(b) // the largest count
	b[0] = 1
	for i := 1; i < 8; i++ {
		b[i] = 0
	}
	if _, e := f.Write(b); e != errno.EAGAIN {
		t.Errorf("overflow: %v", e)
	}
	if f.Readiness(vfs.EventOut) != 0 {
		t.Error("a full counter polls writable")
	}
	sem := eventfd.New(2, true)
	sem.Read(b)
	if b[0] != 1 || sem.Readiness(vfs.EventIn) == 0 {
		t.Errorf("semaphore read %d", b[0])
	}
}
