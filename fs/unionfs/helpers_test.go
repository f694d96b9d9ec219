package unionfs_test

import (
	"crypto/sha256"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/fs/fstest"
	"github.com/occlumgo/occlum/fs/ramfs"
	"github.com/occlumgo/occlum/fs/unionfs"
)

// layer builds a ramfs holding fx (exact modes; whiteouts and opaque
// markers are ordinary entries of fx).
func layer(t testing.TB, fx fstest.Fixture) *ramfs.FileSystem {
	t.Helper()
	fs := ramfs.New(ramfs.Options{})
	ns := vfs.NewNamespace(fs, false, "layer")
	for _, e := range fx {
		p := "/" + e.Path
		perm := e.Mode
		if perm == 0 {
			perm = 0o644
			if e.Type == vfs.TypeDirectory {
				perm = 0o755
			}
		}
		var er errno.Errno
		switch e.Type {
		case vfs.TypeDirectory:
			er = ns.Mkdir(p, perm)
		case vfs.TypeSymlink:
			er = ns.Symlink(e.Target, p)
		case vfs.TypeRegular:
			var f *vfs.File
			if f, er = ns.Open(p, vfs.O_CREAT|vfs.O_EXCL|vfs.O_WRONLY, perm, nil); er == 0 {
				if e.Data != "" {
					_, er = f.Write([]byte(e.Data))
				}
				f.DecRef()
			}
		}
		if er != 0 {
			t.Fatalf("layer: %s: %v", p, er)
		}
	}
	return fs
}

// snapshot describes everything in fs that a change could alter.
func snapshot(t testing.TB, fs vfs.FileSystem) string {
	t.Helper()
	var b strings.Builder
	var walk func(dir vfs.Inode, p string)
	walk = func(dir vfs.Inode, p string) {
		ents, e := dir.ReadDir()
		if e != 0 {
			t.Fatalf("snapshot: readdir %s: %v", p, e)
		}
		sort.Slice(ents, func(i, j int) bool { return ents[i].Name < ents[j].Name })
		for _, d := range ents {
			cp := p + "/" + d.Name
			c, e := dir.Lookup(d.Name)
			if e != 0 {
				t.Fatalf("snapshot: lookup %s: %v", cp, e)
			}
			st, e := c.Stat()
			if e != 0 {
				t.Fatalf("snapshot: stat %s: %v", cp, e)
			}
			fmt.Fprintf(&b, "%s ino=%d mode=%o nlink=%d size=%d a=%d m=%d c=%d", cp, st.Ino, st.Mode, st.Nlink, st.Size, st.Atime, st.Mtime, st.Ctime)
			switch c.Type() {
			case vfs.TypeRegular:
				f, e := c.Open(vfs.O_RDONLY)
				if e != 0 {
					t.Fatalf("snapshot: open %s: %v", cp, e)
				}
				buf := make([]byte, st.Size)
				n, _ := f.ReadAt(buf, 0)
				f.Close()
				fmt.Fprintf(&b, " sha=%x", sha256.Sum256(buf[:n]))
			case vfs.TypeSymlink:
				target, _ := c.Readlink()
				fmt.Fprintf(&b, " ->%q", target)
			}
			b.WriteByte('\n')
			if c.Type() == vfs.TypeDirectory {
				walk(c, cp)
			}
		}
	}
	st, _ := fs.Root().Stat()
	fmt.Fprintf(&b, "/ mode=%o nlink=%d a=%d m=%d c=%d\n", st.Mode, st.Nlink, st.Atime, st.Mtime, st.Ctime)
	walk(fs.Root(), "")
	return b.String()
}

// guard fails t if any of the layers changes before t ends.
func guard(t testing.TB, layers ...vfs.FileSystem) {
	t.Helper()
	before := make([]string, len(layers))
	for i, l := range layers {
		before[i] = snapshot(t, l)
	}
	t.Cleanup(func() {
		for i, l := range layers {
			if after := snapshot(t, l); after != before[i] {
				t.Errorf("lower layer %d was modified:\nbefore:\n%s\nafter:\n%s", i, before[i], after)
			}
		}
	})
}

func mustNew(t testing.TB, upper vfs.FileSystem, lowers []vfs.FileSystem, opts unionfs.Options) *unionfs.FileSystem {
	t.Helper()
	u, err := unionfs.New(upper, lowers, opts)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// recorder counts what unionfs asks of a layer.
type recorder struct {
	mu      sync.Mutex
	created []string // names given to Create, Mkdir and Symlink
	writes  []int    // lengths of WriteAt calls
	reads   []int    // lengths of ReadAt calls
}

func (r *recorder) add(list *[]string, s string) {
	r.mu.Lock()
	*list = append(*list, s)
	r.mu.Unlock()
}

func (r *recorder) count(prefix string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, s := range r.created {
		if strings.HasPrefix(s, prefix) {
			n++
		}
	}
	return n
}

func (r *recorder) sizes() (writes, reads []int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]int(nil), r.writes...), append([]int(nil), r.reads...)
}

func (r *recorder) reset() {
	r.mu.Lock()
	r.created, r.writes, r.reads = nil, nil, nil
	r.mu.Unlock()
}

// recFS is a layer whose calls are recorded.
type recFS struct {
	vfs.FileSystem
	r *recorder
}

func (f recFS) Root() vfs.Inode { return &recInode{f.FileSystem.Root(), f.r} }

type recInode struct {
	vfs.Inode
	r *recorder
}

func unwrap(in vfs.Inode) vfs.Inode {
	if ri, ok := in.(*recInode); ok {
		return ri.Inode
	}
	return in
}

func (i *recInode) Lookup(name string) (vfs.Inode, errno.Errno) {
	c, e := i.Inode.Lookup(name)
	if e != 0 {
		return nil, e
	}
	return &recInode{c, i.r}, 0
}

func (i *recInode) Create(name string, perm uint32) (vfs.Inode, errno.Errno) {
	i.r.add(&i.r.created, name)
	c, e := i.Inode.Create(name, perm)
	if e != 0 {
		return nil, e
	}
	return &recInode{c, i.r}, 0
}

func (i *recInode) Mkdir(name string, perm uint32) errno.Errno {
	i.r.add(&i.r.created, name)
	return i.Inode.Mkdir(name, perm)
}

func (i *recInode) Symlink(name, target string) errno.Errno {
	i.r.add(&i.r.created, name)
	return i.Inode.Symlink(name, target)
}

func (i *recInode) Link(name string, target vfs.Inode) errno.Errno {
	return i.Inode.Link(name, unwrap(target))
}

func (i *recInode) Rename(oldName string, newDir vfs.Inode, newName string) errno.Errno {
	return i.Inode.Rename(oldName, unwrap(newDir), newName)
}

func (i *recInode) Open(fl vfs.OpenFlags) (vfs.FileImpl, errno.Errno) {
	f, e := i.Inode.Open(fl)
	if e != 0 {
		return nil, e
	}
	return &recFile{f, i.r}, 0
}

type recFile struct {
	vfs.FileImpl
	r *recorder
}

func (f *recFile) WriteAt(p []byte, off int64) (int, errno.Errno) {
	f.r.mu.Lock()
	f.r.writes = append(f.r.writes, len(p))
	f.r.mu.Unlock()
	return f.FileImpl.WriteAt(p, off)
}

func (f *recFile) ReadAt(p []byte, off int64) (int, errno.Errno) {
	f.r.mu.Lock()
	f.r.reads = append(f.r.reads, len(p))
	f.r.mu.Unlock()
	return f.FileImpl.ReadAt(p, off)
}

func (f *recFile) Append(p []byte) (int, int64, errno.Errno) {
	return f.FileImpl.(vfs.Appender).Append(p)
}
