package unionfs

import (
	"strings"
	"testing"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/fs/ramfs"
)

// twoNodes returns a union over a lower layer holding /d/f, and two nodes
// for /d/f: the canonical one and a second one as a lookup racing with a
// copy-up through a node since collected would make.
func twoNodes(t *testing.T) (*FileSystem, *ramfs.FileSystem, *node, *node) {
	t.Helper()
	lower := ramfs.New(ramfs.Options{})
	lns := vfs.NewNamespace(lower, false, "lower")
	if e := lns.Mkdir("/d", 0o755); e != 0 {
		t.Fatal(e)
	}
	f, e := lns.Open("/d/f", vfs.O_CREAT|vfs.O_WRONLY, 0o644, nil)
	if e != 0 {
		t.Fatal(e)
	}
	f.Write([]byte("lower"))
	f.DecRef()
	upper := ramfs.New(ramfs.Options{})
	fs, err := New(upper, []vfs.FileSystem{lower}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	d, e := fs.root.Lookup("d")
	if e != 0 {
		t.Fatal(e)
	}
	c, e := d.Lookup("f")
	if e != 0 {
		t.Fatal(e)
	}
	n1 := c.(*node)
	n2 := &node{fs: fs, typ: n1.typ, parent: n1.parent, name: n1.name, path: n1.path, lowers: n1.lowers}
	return fs, upper, n1, n2
}

func countTemps(t *testing.T, fs *FileSystem) int {
	t.Helper()
	wd, e := fs.upper.Lookup(WorkDir)
	if e != 0 {
		return 0
	}
	l, _ := wd.ReadDir()
	return len(l)
}

// TestCopyUpAdopts: a node that missed a copy-up adopts the copy instead
// of copying again.
func TestCopyUpAdopts(t *testing.T) {
	fs, _, n1, n2 := twoNodes(t)
	u1, e := n1.copyUp(-1)
	if e != 0 {
		t.Fatal(e)
	}
	u2, e := n2.copyUp(-1)
	if e != 0 {
		t.Fatal(e)
	}
	s1, _ := u1.Stat()
	s2, _ := u2.Stat()
	if s1.Ino != s2.Ino {
		t.Errorf("second node copied again: ino %d and %d", s1.Ino, s2.Ino)
	}
	if n := countTemps(t, fs); n != 0 {
		t.Errorf("%d temporaries left", n)
	}
}

// TestInstallAdopts: a copy finished after another node installed its own
// is dropped, and the installed one adopted.
func TestInstallAdopts(t *testing.T) {
	fs, _, n1, n2 := twoNodes(t)
	fs.ns.Lock()
	pu, wd, u, e := n2.prepareLocked()
	fs.ns.Unlock()
	if e != 0 || u != nil {
		t.Fatalf("prepare: %v, %v", u, e)
	}
	st, _ := n2.lowers[0].in.Stat()
	tmp, e := fs.copyToTemp(wd, n2.lowers[0].in, st, -1)
	if e != 0 {
		t.Fatal(e)
	}
	u1, e := n1.copyUp(-1)
	if e != 0 {
		t.Fatal(e)
	}
	fs.ns.Lock()
	u2, e := n2.installLocked(pu, wd, tmp)
	fs.ns.Unlock()
	if e != 0 {
		t.Fatal(e)
	}
	s1, _ := u1.Stat()
	s2, _ := u2.Stat()
	if s1.Ino != s2.Ino {
		t.Errorf("install replaced the first copy: ino %d and %d", s1.Ino, s2.Ino)
	}
	if n := countTemps(t, fs); n != 0 {
		t.Errorf("%d temporaries left", n)
	}
}

// TestCopyUpStale: a node of a file removed through the union, canonical
// or not, cannot be copied up.
func TestCopyUpStale(t *testing.T) {
	fs, _, n1, n2 := twoNodes(t)
	d, _ := fs.root.Lookup("d")
	if e := d.Unlink("f"); e != 0 {
		t.Fatal(e)
	}
	if !n1.dead.Load() {
		t.Error("the canonical node is not marked removed")
	}
	if _, e := n1.copyUp(-1); e != errno.ENOENT {
		t.Errorf("canonical: %v, want ENOENT", e)
	}
	if _, e := n2.copyUp(-1); e != errno.ENOENT {
		t.Errorf("other: %v, want ENOENT", e)
	}
	// A new file at the name is not adopted by the canonical node.
	if _, e := d.Create("f", 0o644); e != 0 {
		t.Fatal(e)
	}
	if _, e := n1.copyUp(-1); e != errno.ENOENT {
		t.Errorf("canonical after re-create: %v, want ENOENT", e)
	}
}

// bigIno is a layer whose inode numbers use the top bits.
type bigIno struct{ vfs.FileSystem }

func (b bigIno) Root() vfs.Inode { return bigInode{b.FileSystem.Root()} }

type bigInode struct{ vfs.Inode }

func (i bigInode) Stat() (vfs.Stat, errno.Errno) {
	st, e := i.Inode.Stat()
	st.Ino |= 0xfff0_0000_0000_0000
	return st, e
}

func (i bigInode) Lookup(name string) (vfs.Inode, errno.Errno) {
	c, e := i.Inode.Lookup(name)
	if e != 0 {
		return nil, e
	}
	return bigInode{c}, 0
}

func (i bigInode) ReadDir() ([]vfs.Dirent, errno.Errno) {
	l, e := i.Inode.ReadDir()
	for k := range l {
		l[k].Ino |= 0xfff0_0000_0000_0000
	}
	return l, e
}

// TestInodeSpill: numbers too large to carry a layer index are numbered
// from a table: distinct, stable, the same in readdir and stat.
func TestInodeSpill(t *testing.T) {
	lower := ramfs.New(ramfs.Options{})
	for _, name := range []string{"a", "b", "c"} {
		if _, e := lower.Root().Create(name, 0o644); e != 0 {
			t.Fatal(e)
		}
	}
	fs, err := New(ramfs.New(ramfs.Options{}), []vfs.FileSystem{bigIno{lower}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	l, e := fs.root.ReadDir()
	if e != 0 || len(l) != 3 {
		t.Fatalf("readdir: %v, %v", l, e)
	}
	seen := map[uint64]bool{}
	for _, d := range l {
		c, _ := fs.root.Lookup(d.Name)
		st, _ := c.Stat()
		if st.Ino != d.Ino || seen[d.Ino] || d.Ino>>fs.inoShift != ^uint64(0)>>fs.inoShift {
			t.Errorf("%s: readdir %#x stat %#x", d.Name, d.Ino, st.Ino)
		}
		seen[d.Ino] = true
	}
	again, _ := fs.root.ReadDir()
	for k := range again {
		if again[k].Ino != l[k].Ino {
			t.Errorf("%s: %#x then %#x", l[k].Name, l[k].Ino, again[k].Ino)
		}
	}
}

// TestTempNames: temporaries are reserved names no whiteout can mean.
func TestTempNames(t *testing.T) {
	fs, err := New(ramfs.New(ramfs.Options{}), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, b := fs.tempName(), fs.tempName()
	if a == b || !strings.HasPrefix(a, internalPrefix) || !reserved(a) {
		t.Errorf("temp names %q %q", a, b)
	}
}
