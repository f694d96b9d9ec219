package vfs_test

import (
	"fmt"
	"testing"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/fs/ramfs"
)

// TestCreateThroughDanglingSymlink checks open(O_CREAT) on a symbolic link
// whose target is missing: Linux creates the target (in the target's
// directory, even on another mount) unless O_EXCL or O_NOFOLLOW is given.
func TestCreateThroughDanglingSymlink(t *testing.T) {
	w := newWorld(t)
	ro := ramfs.New(ramfs.Options{})
	must(t, w.ns.Mkdir("/ro", 0o755), "mkdir")
	must(t, w.ns.Mount("/ro", ro, true, "ro"), "mount")
	for _, l := range []struct{ target, link string }{
		{"new", "/a/dang"},                // relative, same directory
		{"b/../b/deep", "/a/dang2"},       // relative, through ".."
		{"/mnt/inner/made", "/a/dang3"},   // absolute, into another mount
		{"newc", "/a/dangc"},              // dangling, reached by a chain:
		{"nodir/x", "/a/dang4"},           // the target's directory is missing
		{"newdir/", "/a/dang5"},           // the target names a directory
		{"/a/dang5", "/a/chain5"},         // ... reached through a chain
		{"/ro/x", "/a/dang6"},             // the target is on a read-only mount
		{"dangc", "/a/chain"},             // a link to a dangling link
		{"f", "/a/live"},                  // not dangling: opens /a/f
		{"../loop", "/a/toloop"},          // a loop
		{"rel/made", "/a/viadirlink"},     // the target's directory is a link
		{"/mnt/up/viaup", "/mnt/dangmnt"}, // and climbs out of a mount
	} {
		must(t, w.ns.Symlink(l.target, l.link), "symlink "+l.link)
	}
	for _, c := range []struct {
		link    string
		flags   vfs.OpenFlags
		want    errno.Errno
		created string // canonical path of the new file
		mnt     bool
	}{
		{link: "/a/dang", created: "/a/new"},
		{link: "/a/dang2", created: "/a/b/deep"},
		{link: "/a/dang3", created: "/mnt/inner/made", mnt: true},
		{link: "/a/chain", flags: vfs.O_TRUNC, created: "/a/newc"},
		{link: "/a/viadirlink", created: "/a/b/made"},
		{link: "/mnt/dangmnt", created: "/a/b/viaup"},
		{link: "/a/dang4", want: errno.ENOENT},
		{link: "/a/dang5", want: errno.EISDIR},
		{link: "/a/chain5", want: errno.EISDIR},
		{link: "/a/dang6", want: errno.EROFS},
		{link: "/a/toloop", want: errno.ELOOP},
		{link: "/a/dang", flags: vfs.O_EXCL, want: errno.EEXIST},
		{link: "/a/dang", flags: vfs.O_NOFOLLOW, want: errno.ELOOP},
	} {
		name := fmt.Sprintf("%s flags %#x", c.link, uint32(c.flags))
		t.Run(name, func(t *testing.T) {
			w := w
			if c.want != 0 || c.flags&vfs.O_EXCL != 0 {
				// Failures must create nothing: check on a fresh world.
				w = newWorld(t)
				must(t, w.ns.Mkdir("/ro", 0o755), "mkdir")
				must(t, w.ns.Mount("/ro", ramfs.New(ramfs.Options{}), true, "ro"), "mount")
				must(t, w.ns.Symlink("new", "/a/dang"), "symlink")
				must(t, w.ns.Symlink("nodir/x", "/a/dang4"), "symlink")
				must(t, w.ns.Symlink("newdir/", "/a/dang5"), "symlink")
				must(t, w.ns.Symlink("/a/dang5", "/a/chain5"), "symlink")
				must(t, w.ns.Symlink("/ro/x", "/a/dang6"), "symlink")
				must(t, w.ns.Symlink("../loop", "/a/toloop"), "symlink")
			}
			f, e := w.ns.Open(c.link, vfs.O_CREAT|vfs.O_WRONLY|c.flags, 0o640, nil)
			if e != c.want {
				t.Fatalf("open(%s, O_CREAT|%#x) = %v, want %v", c.link, uint32(c.flags), e, c.want)
			}
			if e != 0 {
				for _, p := range []string{"/a/new", "/a/newdir", "/ro/x", "/a/nodir"} {
					if _, e := w.ns.Stat(p, false); e != errno.ENOENT {
						t.Errorf("failed open left %s behind (%v)", p, e)
					}
				}
				return
			}
			defer f.DecRef()
			if f.Path() != c.created {
				t.Errorf("path %q, want %q", f.Path(), c.created)
			}
			wantM := w.rootM
			if c.mnt {
				wantM = w.mntM
			}
			if f.Dentry().Mount != wantM {
				t.Errorf("created in mount %q, want %q", f.Dentry().Mount.Path, wantM.Path)
			}
			if _, e := f.Write([]byte("via link")); e != 0 {
				t.Fatal(e)
			}
			if got := readFile(t, w.ns, c.link); got != "via link" {
				t.Errorf("read through %s: %q", c.link, got)
			}
			st, e := w.ns.Stat(c.created, false)
			if e != 0 || st.Type() != vfs.TypeRegular || st.Perm() != 0o640 {
				t.Errorf("stat %s: %v, type %v perm %#o", c.created, e, st.Type(), st.Perm())
			}
			if st, _ := w.ns.Stat(c.link, false); st.Type() != vfs.TypeSymlink {
				t.Errorf("%s replaced by a %v", c.link, st.Type())
			}
		})
	}
	// An existing target is opened, not recreated.
	f, e := w.ns.Open("/a/live", vfs.O_CREAT|vfs.O_RDONLY, 0o600, nil)
	must(t, e, "open live link")
	f.DecRef()
	if got := readFile(t, w.ns, "/a/f"); got != "root f" {
		t.Errorf("/a/f = %q", got)
	}
}

// TestCreateSymlinkBudget checks that the MaxSymlinks budget of an O_CREAT
// open covers the links in the directory part and the dangling final link
// together, as Linux's total_link_count.
func TestCreateSymlinkBudget(t *testing.T) {
	w := newWorld(t)
	// /d1 -> a, /d(i) -> d(i-1): the directory part "/dK/" follows K links;
	// /a/dang -> new is one more.
	must(t, w.ns.Symlink("a", "/d1"), "symlink")
	for i := 2; i <= vfs.MaxSymlinks; i++ {
		must(t, w.ns.Symlink(fmt.Sprintf("d%d", i-1), fmt.Sprintf("/d%d", i)), "symlink")
	}
	must(t, w.ns.Symlink("new", "/a/dang"), "symlink")
	p := fmt.Sprintf("/d%d/dang", vfs.MaxSymlinks-1)
	f, e := w.ns.Open(p, vfs.O_CREAT|vfs.O_WRONLY, 0o644, nil)
	must(t, e, fmt.Sprintf("%d links", vfs.MaxSymlinks))
	f.DecRef()
	must(t, w.ns.Unlink("/a/new"), "unlink")
	p = fmt.Sprintf("/d%d/dang", vfs.MaxSymlinks)
	if _, e := w.ns.Open(p, vfs.O_CREAT|vfs.O_WRONLY, 0o644, nil); e != errno.ELOOP {
		t.Errorf("%d links: %v, want ELOOP", vfs.MaxSymlinks+1, e)
	}
	if _, e := w.ns.Stat("/a/new", false); e != errno.ENOENT {
		t.Errorf("ELOOP open created the file: %v", e)
	}
}

// noAppend hides the ramfs file's Append, to exercise File's fallback.
type noAppend struct{ vfs.FileImpl }

func openNoAppend(t *testing.T, ns *vfs.Namespace, p string, fl vfs.OpenFlags) *vfs.File {
	t.Helper()
	f, e := ns.Open(p, fl, 0o644, nil)
	must(t, e, "open "+p)
	if _, ok := f.Impl().(vfs.Appender); !ok {
		t.Fatal("ramfs file is not an Appender")
	}
	nf := vfs.NewFile(noAppend{f.Impl()}, f.Dentry(), fl)
	t.Cleanup(func() { nf.DecRef() })
	return nf
}

// TestPwriteAppend checks that pwrite on an O_APPEND description writes at
// the end of the file and leaves the offset alone, as Linux does, with and
// without an Appender.
func TestPwriteAppend(t *testing.T) {
	for _, appender := range []bool{true, false} {
		t.Run(fmt.Sprintf("appender=%v", appender), func(t *testing.T) {
			w := newWorld(t)
			writeFile(t, w.ns, "/log", "0123")
			fl := vfs.O_RDWR | vfs.O_APPEND
			var f *vfs.File
			if appender {
				var e errno.Errno
				f, e = w.ns.Open("/log", fl, 0, nil)
				must(t, e, "open")
				defer f.DecRef()
			} else {
				f = openNoAppend(t, w.ns, "/log", fl)
			}
			if n, e := f.Pwrite([]byte("ab"), 1); n != 2 || e != 0 {
				t.Fatalf("pwrite = %d, %v", n, e)
			}
			if off, _ := f.Lseek(0, vfs.SeekCur); off != 0 {
				t.Errorf("offset after pwrite %d, want 0", off)
			}
			if _, e := f.Pwrite([]byte("x"), -1); e != errno.EINVAL {
				t.Errorf("pwrite at -1: %v, want EINVAL", e)
			}
			if n, e := f.Write([]byte("c")); n != 1 || e != 0 {
				t.Fatalf("write = %d, %v", n, e)
			}
			if off, _ := f.Lseek(0, vfs.SeekCur); off != 7 {
				t.Errorf("offset after append %d, want 7", off)
			}
			// An empty append moves nothing.
			if _, e := f.Lseek(2, vfs.SeekSet); e != 0 {
				t.Fatal(e)
			}
			if n, e := f.Write(nil); n != 0 || e != 0 {
				t.Errorf("empty write = %d, %v", n, e)
			}
			if off, _ := f.Lseek(0, vfs.SeekCur); off != 2 {
				t.Errorf("offset after empty append %d, want 2", off)
			}
			if got := readFile(t, w.ns, "/log"); got != "0123abc" {
				t.Errorf("content %q, want %q", got, "0123abc")
			}
			// F_SETFL clearing O_APPEND makes pwrite positional again.
			f.SetStatusFlags(0)
			if _, e := f.Pwrite([]byte("Z"), 0); e != 0 {
				t.Fatal(e)
			}
			if got := readFile(t, w.ns, "/log"); got != "Z123abc" {
				t.Errorf("content after clearing O_APPEND %q", got)
			}
		})
	}
}

// TestReadDirDotDot checks the inode numbers of "." and ".." in listings:
// ".." is the parent within the file system; a mounted file system's root
// is its own "..", as getdents reports on Linux.
func TestReadDirDotDot(t *testing.T) {
	w := newWorld(t)
	ino := func(p string) uint64 {
		t.Helper()
		st, e := w.ns.Stat(p, true)
		must(t, e, "stat "+p)
		return st.Ino
	}
	dots := func(p string) (dot, dotdot uint64) {
		t.Helper()
		f, e := w.ns.Open(p, vfs.O_RDONLY|vfs.O_DIRECTORY, 0, nil)
		must(t, e, "open "+p)
		defer f.DecRef()
		l, e := f.ReadDir(0)
		must(t, e, "readdir "+p)
		if len(l) < 2 || l[0].Name != "." || l[1].Name != ".." {
			t.Fatalf("readdir %s starts %v", p, l)
		}
		return l[0].Ino, l[1].Ino
	}
	for _, c := range []struct{ dir, parent string }{
		{"/a/b", "/a"},
		{"/a", "/"},
		{"/", "/"},
		{"/a/rel", "/a"}, // opened through a symlink: the target's parent
		{"/c1", "/a"},    // through a chain
		{"/mnt", "/mnt"}, // a mount root is its own ".."
		{"/mnt/inner", "/mnt"},
		{"/a/abs", "/mnt"}, // /mnt/inner through a link from another mount
	} {
		dot, dotdot := dots(c.dir)
		if dot != ino(c.dir) {
			t.Errorf("%s: . ino %d, want %d", c.dir, dot, ino(c.dir))
		}
		if dotdot != ino(c.parent) {
			t.Errorf("%s: .. ino %d, want %d (%s)", c.dir, dotdot, ino(c.parent), c.parent)
		}
	}
	// After the directory moves, ".." falls back to the directory itself
	// rather than naming whatever now has its old parent's path.
	must(t, w.ns.Mkdir("/a/b/sub", 0o755), "mkdir")
	f, e := w.ns.Open("/a/b/sub", vfs.O_RDONLY|vfs.O_DIRECTORY, 0, nil)
	must(t, e, "open")
	defer f.DecRef()
	self := ino("/a/b/sub")
	must(t, w.ns.Rename("/a/b/sub", "/a/sub"), "rename")
	must(t, w.ns.Mkdir("/a/b/sub", 0o755), "mkdir")
	if l, _ := f.ReadDir(0); l[1].Ino != self {
		t.Errorf("moved dir: .. ino %d, want its own %d", l[1].Ino, self)
	}
	// An anonymous directory description (no Namespace) uses its own.
	g, e := w.ns.Open("/a", vfs.O_RDONLY|vfs.O_DIRECTORY, 0, nil)
	must(t, e, "open")
	defer g.DecRef()
	anon := vfs.NewFile(g.Impl(), g.Dentry(), vfs.O_RDONLY) // not released: g owns the impl
	if l, _ := anon.ReadDir(0); l[1].Ino != ino("/a") {
		t.Errorf("description without namespace: .. ino %d, want %d", l[1].Ino, ino("/a"))
	}
}
