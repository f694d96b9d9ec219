package fdtable_test

import (
	"sync"
	"sync/atomic"
	"testing"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/fdtable"
	"github.com/occlumgo/occlum/core/vfs"
)

// counted is a FileImpl that counts its closes and returns closeErr from
// them.
type counted struct {
	vfs.UnimplementedFile
	closes   atomic.Int32
	closeErr errno.Errno
}

func (c *counted) Close() errno.Errno {
	c.closes.Add(1)
	return c.closeErr
}

func newFile() (*vfs.File, *counted) {
	c := &counted{}
	return vfs.NewFile(c, vfs.Dentry{}, vfs.O_RDWR), c
}

func mustInsert(t *testing.T, tb *fdtable.Table, f *vfs.File, min int32) int32 {
	t.Helper()
	fd, e := tb.Insert(f, min, false)
	if e != 0 {
		t.Fatalf("Insert(min %d): %v", min, e)
	}
	return fd
}

func closes(t *testing.T, what string, c *counted, want int32) {
	t.Helper()
	if got := c.closes.Load(); got != want {
		t.Errorf("%s: closed %d times, want %d", what, got, want)
	}
}

func TestInsertLowestFree(t *testing.T) {
	tb := fdtable.New(16)
	var cs []*counted
	for want := int32(0); want < 4; want++ {
		f, c := newFile()
		cs = append(cs, c)
		if fd := mustInsert(t, tb, f, 0); fd != want {
			t.Errorf("Insert = %d, want %d", fd, want)
		}
	}
	if e := tb.Remove(1); e != 0 {
		t.Fatal(e)
	}
	closes(t, "removed fd 1", cs[1], 1)
	f, _ := newFile()
	if fd := mustInsert(t, tb, f, 0); fd != 1 {
		t.Errorf("Insert after freeing 1 = %d", fd)
	}
	// min skips lower free slots, and may lie past the end.
	f, _ = newFile()
	if fd := mustInsert(t, tb, f, 10); fd != 10 {
		t.Errorf("Insert(min 10) = %d", fd)
	}
	f, _ = newFile()
	if fd := mustInsert(t, tb, f, 2); fd != 4 {
		t.Errorf("Insert(min 2) = %d, want 4", fd)
	}
	f, _ = newFile()
	if fd := mustInsert(t, tb, f, 5); fd != 5 {
		t.Errorf("Insert(min 5) = %d, want 5", fd)
	}
	if n := tb.Count(); n != 7 {
		t.Errorf("Count = %d, want 7", n)
	}
	// A negative min is invalid; one at or above the limit leaves no fd.
	for _, tc := range []struct {
		min  int32
		want errno.Errno
	}{{-1, errno.EINVAL}, {16, errno.EMFILE}, {100, errno.EMFILE}} {
		f, c := newFile()
		if _, e := tb.Insert(f, tc.min, false); e != tc.want {
			t.Errorf("Insert(min %d) = %v, want %v", tc.min, e, tc.want)
		}
		closes(t, "rejected file", c, 0)
	}
}

// RLIMIT_NOFILE 0 leaves no descriptor to allocate: EMFILE, as Linux's
// dup, open and pipe (it was EINVAL, the error for a bad minimum). Setting
// a given descriptor (dup2) is EBADF, and open ones stay usable.
func TestZeroLimit(t *testing.T) {
	tb := fdtable.New(8)
	a, _ := newFile()
	mustInsert(t, tb, a, 0)
	if e := tb.SetLimits(0, 0); e != 0 {
		t.Fatal(e)
	}
	f, c := newFile()
	for _, min := range []int32{0, 1, 5} {
		if e := tb.CheckFree(min); e != errno.EMFILE {
			t.Errorf("CheckFree(%d) = %v, want EMFILE", min, e)
		}
		if fd, e := tb.Insert(f, min, false); fd != -1 || e != errno.EMFILE {
			t.Errorf("Insert(min %d) = %d, %v; want EMFILE", min, fd, e)
		}
	}
	if _, e := tb.InsertPreopen(f, "/"); e != errno.EMFILE {
		t.Errorf("InsertPreopen = %v, want EMFILE", e)
	}
	if e := tb.CheckFree(-1); e != errno.EINVAL {
		t.Errorf("CheckFree(-1) = %v, want EINVAL", e)
	}
	if e := tb.Set(1, f, false); e != errno.EBADF {
		t.Errorf("Set(1) = %v, want EBADF", e)
	}
	if e := tb.Dup2(0, 1, false); e != errno.EBADF {
		t.Errorf("Dup2(0, 1) = %v, want EBADF", e)
	}
	if e := tb.Dup2(0, 0, false); e != 0 {
		t.Errorf("Dup2(0, 0) = %v, want success", e)
	}
	closes(t, "refused file", c, 0)
	if g, e := tb.Get(0); e != 0 {
		t.Errorf("open fd 0 under limit 0: %v", e)
	} else {
		g.DecRef()
	}
	if n := tb.Count(); n != 1 {
		t.Errorf("Count = %d, want 1", n)
	}
}

// CheckFree answers what Insert would, without inserting.
func TestCheckFree(t *testing.T) {
	tb := fdtable.New(3)
	for fd := int32(0); fd < 3; fd++ {
		if e := tb.CheckFree(fd); e != 0 {
			t.Errorf("CheckFree(%d) on an empty table = %v", fd, e)
		}
	}
	if e := tb.CheckFree(3); e != errno.EMFILE {
		t.Errorf("CheckFree(limit) = %v, want EMFILE", e)
	}
	for range 2 {
		f, _ := newFile()
		mustInsert(t, tb, f, 0)
	}
	if e := tb.CheckFree(0); e != 0 {
		t.Errorf("CheckFree with fd 2 free = %v", e)
	}
	if tb.Count() != 2 {
		t.Error("CheckFree inserted something")
	}
	f, _ := newFile()
	mustInsert(t, tb, f, 0)
	if e := tb.CheckFree(0); e != errno.EMFILE {
		t.Errorf("CheckFree on a full table = %v, want EMFILE", e)
	}
}

func TestLimit(t *testing.T) {
	if got := fdtable.New(0).Limit(); got != fdtable.DefaultLimit {
		t.Errorf("New(0).Limit() = %d, want %d", got, fdtable.DefaultLimit)
	}
	tb := fdtable.New(3)
	for range 3 {
		f, _ := newFile()
		mustInsert(t, tb, f, 0)
	}
	f, c := newFile()
	if fd, e := tb.Insert(f, 0, false); e != errno.EMFILE || fd != -1 {
		t.Errorf("Insert into full table = %d, %v; want EMFILE", fd, e)
	}
	if _, e := tb.InsertPreopen(f, "/"); e != errno.EMFILE {
		t.Errorf("InsertPreopen into full table = %v, want EMFILE", e)
	}
	// min below the limit but no room from there on.
	if _, e := tb.Insert(f, 2, false); e != errno.EMFILE {
		t.Errorf("Insert(min 2) into full table = %v, want EMFILE", e)
	}
	closes(t, "file refused with EMFILE", c, 0) // the caller keeps its reference
	if e := tb.Set(3, f, false); e != errno.EBADF {
		t.Errorf("Set(limit) = %v, want EBADF", e)
	}
	if e := tb.Set(-1, f, false); e != errno.EBADF {
		t.Errorf("Set(-1) = %v, want EBADF", e)
	}
	closes(t, "file refused by Set", c, 0)
	if e := tb.Remove(0); e != 0 {
		t.Fatal(e)
	}
	if fd, e := tb.Insert(f, 0, false); fd != 0 || e != 0 {
		t.Errorf("Insert after Remove = %d, %v", fd, e)
	}
}

func TestGetRemove(t *testing.T) {
	tb := fdtable.New(8)
	f, c := newFile()
	fd := mustInsert(t, tb, f, 0)
	g, e := tb.Get(fd)
	if e != 0 || g != f {
		t.Fatalf("Get = %p, %v; want %p", g, e, f)
	}
	// Get's reference keeps the file open after Remove.
	if e := tb.Remove(fd); e != 0 {
		t.Fatal(e)
	}
	closes(t, "removed while referenced", c, 0)
	g.DecRef()
	closes(t, "last reference dropped", c, 1)
	for _, bad := range []int32{fd, -1, 5, 1000} {
		if _, e := tb.Get(bad); e != errno.EBADF {
			t.Errorf("Get(%d) = %v, want EBADF", bad, e)
		}
		if e := tb.Remove(bad); e != errno.EBADF {
			t.Errorf("Remove(%d) = %v, want EBADF", bad, e)
		}
	}
	// File (vfs.FDTable) is Get.
	f, _ = newFile()
	fd = mustInsert(t, tb, f, 0)
	if g, e := tb.File(fd); e != 0 || g != f {
		t.Errorf("File = %p, %v", g, e)
	} else {
		g.DecRef()
	}
	// Remove reports the error of the final close, and only of the final one.
	f, c = newFile()
	c.closeErr = errno.EIO
	fd = mustInsert(t, tb, f, 0)
	f.IncRef()
	fd2 := mustInsert(t, tb, f, 0)
	if e := tb.Remove(fd); e != 0 {
		t.Errorf("Remove of a shared description = %v, want 0", e)
	}
	if e := tb.Remove(fd2); e != errno.EIO {
		t.Errorf("final Remove = %v, want EIO", e)
	}
	closes(t, "shared description", c, 1)
}

func TestSet(t *testing.T) {
	tb := fdtable.New(64)
	a, ca := newFile()
	b, cb := newFile()
	fd := mustInsert(t, tb, a, 0)
	// dup2(b, fd): the old description is closed exactly once.
	if e := tb.Set(fd, b, true); e != 0 {
		t.Fatal(e)
	}
	closes(t, "replaced description", ca, 1)
	closes(t, "new description", cb, 0)
	if g, _ := tb.Get(fd); g != b {
		t.Errorf("Get after Set = %p, want %p", g, b)
	} else {
		g.DecRef()
	}
	if on, _ := tb.CloseOnExec(fd); !on {
		t.Error("Set(cloexec) lost the flag")
	}
	// dup2(fd, fd) style: the same description again keeps it open.
	b.IncRef()
	if e := tb.Set(fd, b, false); e != 0 {
		t.Fatal(e)
	}
	closes(t, "description set over itself", cb, 0)
	// A slot past the end grows the table.
	c, cc := newFile()
	if e := tb.Set(40, c, false); e != 0 {
		t.Fatal(e)
	}
	if n := tb.Count(); n != 2 {
		t.Errorf("Count = %d, want 2", n)
	}
	// The new fd is taken, the gap below it is free.
	d, _ := newFile()
	if got := mustInsert(t, tb, d, 0); got != 1 {
		t.Errorf("Insert after Set(40) = %d, want 1", got)
	}
	tb.CloseAll()
	closes(t, "b", cb, 1)
	closes(t, "c", cc, 1)
}

func TestRenumber(t *testing.T) {
	tb := fdtable.New(8)
	a, ca := newFile()
	b, cb := newFile()
	fa := mustInsert(t, tb, a, 0)
	fb, e := tb.InsertPreopen(b, "/sandbox")
	if e != 0 {
		t.Fatal(e)
	}
	if e := tb.SetCloseOnExec(fb, true); e != 0 {
		t.Fatal(e)
	}
	if e := tb.Renumber(fb, fa); e != 0 {
		t.Fatal(e)
	}
	closes(t, "description at the target", ca, 1)
	closes(t, "moved description", cb, 0)
	if _, e := tb.Get(fb); e != errno.EBADF {
		t.Errorf("old fd after Renumber: %v, want EBADF", e)
	}
	if g, _ := tb.Get(fa); g != b {
		t.Error("Renumber did not move the description")
	} else {
		g.DecRef()
	}
	if name, e := tb.Preopen(fa); name != "/sandbox" || e != 0 {
		t.Errorf("preopen after Renumber = %q, %v", name, e)
	}
	if on, _ := tb.CloseOnExec(fa); !on {
		t.Error("Renumber lost FD_CLOEXEC")
	}
	// Both ends must be open.
	if e := tb.Renumber(fa, 5); e != errno.EBADF {
		t.Errorf("Renumber to a closed fd = %v, want EBADF", e)
	}
	if e := tb.Renumber(5, fa); e != errno.EBADF {
		t.Errorf("Renumber from a closed fd = %v, want EBADF", e)
	}
	if e := tb.Renumber(-1, fa); e != errno.EBADF {
		t.Errorf("Renumber from -1 = %v, want EBADF", e)
	}
	if e := tb.Renumber(fa, fa); e != 0 {
		t.Errorf("Renumber to itself = %v", e)
	}
	closes(t, "renumbered to itself", cb, 0)
	if n := tb.Count(); n != 1 {
		t.Errorf("Count = %d, want 1", n)
	}
}

func TestCloseOnExec(t *testing.T) {
	tb := fdtable.New(8)
	var cs []*counted
	for i := range 4 {
		f, c := newFile()
		cs = append(cs, c)
		if _, e := tb.Insert(f, 0, i%2 == 1); e != 0 {
			t.Fatal(e)
		}
	}
	if e := tb.SetCloseOnExec(0, true); e != 0 {
		t.Fatal(e)
	}
	if e := tb.SetCloseOnExec(1, false); e != 0 {
		t.Fatal(e)
	}
	for fd, want := range []bool{true, false, false, true} {
		if on, e := tb.CloseOnExec(int32(fd)); on != want || e != 0 {
			t.Errorf("CloseOnExec(%d) = %v, %v; want %v", fd, on, e, want)
		}
	}
	if _, e := tb.CloseOnExec(7); e != errno.EBADF {
		t.Errorf("CloseOnExec(closed) = %v", e)
	}
	if e := tb.SetCloseOnExec(-1, true); e != errno.EBADF {
		t.Errorf("SetCloseOnExec(-1) = %v", e)
	}
	tb.CloseCloexec()
	for fd, want := range []int32{1, 0, 0, 1} {
		closes(t, "after CloseCloexec", cs[fd], want)
	}
	if n := tb.Count(); n != 2 {
		t.Errorf("Count after CloseCloexec = %d, want 2", n)
	}
	// Freed slots are reused.
	f, _ := newFile()
	if fd := mustInsert(t, tb, f, 0); fd != 0 {
		t.Errorf("Insert after CloseCloexec = %d, want 0", fd)
	}
}

func TestForkAndCloseAll(t *testing.T) {
	parent := fdtable.New(8)
	a, ca := newFile()
	b, cb := newFile()
	mustInsert(t, parent, a, 0)
	if _, e := parent.Insert(b, 3, true); e != 0 {
		t.Fatal(e)
	}
	child := parent.Fork()
	if child.Count() != 2 || child.Limit() != 8 {
		t.Fatalf("child Count %d Limit %d", child.Count(), child.Limit())
	}
	if g, _ := child.Get(3); g != b {
		t.Error("child fd 3 is not the parent's description")
	} else {
		g.DecRef()
	}
	if on, _ := child.CloseOnExec(3); !on {
		t.Error("Fork lost FD_CLOEXEC")
	}
	// The tables are independent; the descriptions are shared.
	if e := child.Remove(0); e != 0 {
		t.Fatal(e)
	}
	closes(t, "closed in the child only", ca, 0)
	if g, e := parent.Get(0); e != 0 {
		t.Error("child's close removed the parent's fd")
	} else {
		g.DecRef()
	}
	c, _ := newFile()
	if fd := mustInsert(t, child, c, 0); fd != 0 {
		t.Errorf("child Insert = %d", fd)
	}
	if g, _ := parent.Get(0); g != a {
		t.Error("child's Insert changed the parent")
	} else {
		g.DecRef()
	}
	child.CloseCloexec()
	closes(t, "cloexec closed in child only", cb, 0)
	parent.CloseAll()
	closes(t, "a", ca, 1)
	closes(t, "b", cb, 1)
	if parent.Count() != 0 {
		t.Errorf("Count after CloseAll = %d", parent.Count())
	}
	parent.CloseAll() // again: nothing left to close
	closes(t, "a after second CloseAll", ca, 1)
	// The table is usable after CloseAll.
	d, _ := newFile()
	if fd := mustInsert(t, parent, d, 0); fd != 0 {
		t.Errorf("Insert after CloseAll = %d", fd)
	}
	child.CloseAll()
	parent.CloseAll()
}

func TestPreopen(t *testing.T) {
	tb := fdtable.New(8)
	plain, _ := newFile()
	mustInsert(t, tb, plain, 0)
	d, _ := newFile()
	fd, e := tb.InsertPreopen(d, "/data")
	if fd != 1 || e != 0 {
		t.Fatalf("InsertPreopen = %d, %v", fd, e)
	}
	if name, e := tb.Preopen(1); name != "/data" || e != 0 {
		t.Errorf("Preopen(1) = %q, %v", name, e)
	}
	for _, bad := range []int32{0, 2, -1} {
		if _, e := tb.Preopen(bad); e != errno.EBADF {
			t.Errorf("Preopen(%d) = %v, want EBADF", bad, e)
		}
	}
	if on, _ := tb.CloseOnExec(1); on {
		t.Error("preopen is close-on-exec")
	}
	child := tb.Fork()
	if name, _ := child.Preopen(1); name != "/data" {
		t.Errorf("Fork lost the preopen: %q", name)
	}
	// dup2 over a preopen makes it an ordinary fd.
	other, _ := newFile()
	if e := tb.Set(1, other, false); e != 0 {
		t.Fatal(e)
	}
	if _, e := tb.Preopen(1); e != errno.EBADF {
		t.Errorf("Preopen after Set = %v, want EBADF", e)
	}
	tb.CloseAll()
	child.CloseAll()
}

// TestConcurrent runs every operation from many goroutines (run with -race)
// and checks that each description is closed exactly once in the end.
func TestConcurrent(t *testing.T) {
	tb := fdtable.New(64)
	var mu sync.Mutex
	var all []*counted
	newF := func() *vfs.File {
		f, c := newFile()
		mu.Lock()
		all = append(all, c)
		mu.Unlock()
		return f
	}
	var forks []*fdtable.Table
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 300 {
				fd := int32((g*7 + i) % 64)
				switch i % 8 {
				case 0, 1:
					f := newF()
					if _, e := tb.Insert(f, 0, i%3 == 0); e != 0 {
						f.DecRef() // EMFILE: the reference stays ours
					}
				case 2:
					if e := tb.Set(fd, newF(), false); e != 0 {
						t.Errorf("Set: %v", e)
					}
				case 3:
					tb.Remove(fd)
				case 4:
					if f, e := tb.Get(fd); e == 0 {
						if f2, e := tb.Get(fd); e == 0 {
							f2.DecRef()
						}
						f.DecRef()
					}
				case 5:
					tb.Renumber(fd, (fd+1)%64)
					tb.SetCloseOnExec(fd, true)
				case 6:
					if i%48 == 6 {
						c := tb.Fork()
						mu.Lock()
						forks = append(forks, c)
						mu.Unlock()
					} else {
						tb.Count()
					}
				case 7:
					if i%64 == 7 {
						tb.CloseCloexec()
					}
				}
			}
		}()
	}
	wg.Wait()
	tb.CloseAll()
	for _, c := range forks {
		c.CloseAll()
	}
	for i, c := range all {
		if n := c.closes.Load(); n != 1 {
			t.Errorf("description %d closed %d times", i, n)
		}
	}
}

func TestDup2(t *testing.T) {
	tb := fdtable.New(8)
	f, c := newFile()
	fd := mustInsert(t, tb, f, 0)
	g, cg := newFile()
	other := mustInsert(t, tb, g, 0)

	// Onto itself: only a check, FD_CLOEXEC unchanged.
	tb.SetCloseOnExec(fd, true)
	if e := tb.Dup2(fd, fd, false); e != 0 {
		t.Fatalf("Dup2(fd, fd) = %v", e)
	}
	if on, _ := tb.CloseOnExec(fd); !on {
		t.Error("Dup2(fd, fd) cleared FD_CLOEXEC")
	}
	// Onto an open fd: it is closed, both share the description.
	if e := tb.Dup2(fd, other, true); e != 0 {
		t.Fatalf("Dup2 = %v", e)
	}
	closes(t, "replaced", cg, 1)
	if h, _ := tb.Get(other); h != f {
		t.Errorf("Dup2 target holds %p, want %p", h, f)
	} else {
		h.DecRef()
	}
	if on, _ := tb.CloseOnExec(other); !on {
		t.Error("Dup2(cloexec) did not set FD_CLOEXEC")
	}
	// Past the end of the slice, below the limit.
	if e := tb.Dup2(fd, 7, false); e != 0 {
		t.Fatalf("Dup2(7) = %v", e)
	}
	for _, bad := range []struct{ fd, newfd int32 }{{5, 6}, {-1, 6}, {100, 6}, {fd, 8}, {fd, -1}, {5, 5}} {
		if e := tb.Dup2(bad.fd, bad.newfd, false); e != errno.EBADF {
			t.Errorf("Dup2(%d, %d) = %v, want EBADF", bad.fd, bad.newfd, e)
		}
	}
	for _, d := range []int32{fd, other, 7} {
		tb.Remove(d)
	}
	closes(t, "every copy closed", c, 1)
}

func TestSetLimits(t *testing.T) {
	tb := fdtable.New(8)
	if cur, max := tb.Limits(); cur != 8 || max != 8 {
		t.Fatalf("Limits = %d, %d", cur, max)
	}
	for range 6 {
		f, _ := newFile()
		mustInsert(t, tb, f, 0)
	}
	tb.Remove(1)
	// Lowering below open fds keeps them; new ones go below the limit only.
	if e := tb.SetLimits(2, 6); e != 0 {
		t.Fatalf("SetLimits(2, 6) = %v", e)
	}
	if g, e := tb.Get(5); e != 0 {
		t.Errorf("fd 5 above the lowered limit: %v", e)
	} else {
		g.DecRef()
	}
	f, _ := newFile()
	if fd := mustInsert(t, tb, f, 0); fd != 1 {
		t.Errorf("Insert = %d, want 1", fd)
	}
	tb.Remove(3)
	g, c := newFile()
	if _, e := tb.Insert(g, 0, false); e != errno.EMFILE {
		t.Errorf("Insert with free fd 3 above the limit = %v, want EMFILE", e)
	}
	if e := tb.Set(3, g, false); e != errno.EBADF {
		t.Errorf("Set above the limit = %v, want EBADF", e)
	}
	closes(t, "refused", c, 0)
	if e := tb.Dup2(0, 4, false); e != errno.EBADF {
		t.Errorf("Dup2 above the limit = %v, want EBADF", e)
	}
	for _, tc := range []struct {
		cur, max int32
		want     errno.Errno
	}{{7, 6, errno.EINVAL}, {-1, 6, errno.EINVAL}, {6, 7, errno.EPERM}, {6, 6, 0}, {4, 5, 0}, {5, 6, errno.EPERM}} {
		if e := tb.SetLimits(tc.cur, tc.max); e != tc.want {
			t.Errorf("SetLimits(%d, %d) = %v, want %v", tc.cur, tc.max, e, tc.want)
		}
	}
	if cur, max := tb.Fork().Limits(); cur != 4 || max != 5 {
		t.Errorf("Fork keeps limits %d, %d; want 4, 5", cur, max)
	}
}

func TestFDs(t *testing.T) {
	tb := fdtable.New(0)
	if got := tb.FDs(); len(got) != 0 {
		t.Errorf("empty table: %v", got)
	}
	for i := 0; i < 3; i++ {
		f, _ := newFile()
		mustInsert(t, tb, f, 0)
	}
	f, _ := newFile()
	if e := tb.Set(9, f, false); e != 0 {
		t.Fatal(e)
	}
	tb.Remove(1)
	if got := tb.FDs(); len(got) != 3 || got[0] != 0 || got[1] != 2 || got[2] != 9 {
		t.Errorf("FDs = %v, want [0 2 9]", got)
	}
	tb.CloseAll()
	if got := tb.FDs(); len(got) != 0 {
		t.Errorf("after CloseAll: %v", got)
	}
}
