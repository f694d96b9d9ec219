package vfs_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/fs/ramfs"
)

func must(t *testing.T, e errno.Errno, what string) {
	t.Helper()
	if e != 0 {
		t.Fatalf("%s: %v", what, e)
	}
}

func writeFile(t *testing.T, ns *vfs.Namespace, p, data string) {
	t.Helper()
	f, e := ns.Open(p, vfs.O_CREAT|vfs.O_WRONLY|vfs.O_TRUNC, 0o644, nil)
	must(t, e, "create "+p)
	defer f.DecRef()
	if _, e := f.Write([]byte(data)); e != 0 {
		t.Fatalf("write %s: %v", p, e)
	}
}

func readFile(t *testing.T, ns *vfs.Namespace, p string) string {
	t.Helper()
	f, e := ns.Open(p, vfs.O_RDONLY, 0, nil)
	must(t, e, "open "+p)
	defer f.DecRef()
	buf := make([]byte, 256)
	n, e := f.Read(buf)
	must(t, e, "read "+p)
	return string(buf[:n])
}

// world is a namespace with a ramfs root and a second ramfs at /mnt:
//
//	/a/b/  /a/f "root f"  /a/rel -> b  /a/abs -> /mnt/inner  /a/tofile -> f/
//	/mnt/inner/file "inner"  /mnt/up -> ../a/b  /mnt/rootlink -> /
//	/loop -> loop   /c1 -> c2   /c2 -> a/b
type world struct {
	ns           *vfs.Namespace
	rootFS, mnt  *ramfs.FileSystem
	rootM, mntM  *vfs.Mount
	rootDev, dev uint64
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{rootFS: ramfs.New(ramfs.Options{}), mnt: ramfs.New(ramfs.Options{})}
	ns := vfs.NewNamespace(w.rootFS, false, "root")
	w.ns = ns
	must(t, ns.Mkdir("/a", 0o755), "mkdir")
	must(t, ns.Mkdir("/a/b", 0o755), "mkdir")
	writeFile(t, ns, "/a/f", "root f")
	must(t, ns.Symlink("b", "/a/rel"), "symlink")
	must(t, ns.Symlink("/mnt/inner", "/a/abs"), "symlink")
	must(t, ns.Symlink("f/", "/a/tofile"), "symlink")
	must(t, ns.Symlink("loop", "/loop"), "symlink")
	must(t, ns.Symlink("c2", "/c1"), "symlink")
	must(t, ns.Symlink("a/b", "/c2"), "symlink")
	must(t, ns.Mkdir("/mnt", 0o755), "mkdir")
	must(t, ns.Mount("/mnt", w.mnt, false, "mnt"), "mount")
	must(t, ns.Mkdir("/mnt/inner", 0o755), "mkdir")
	writeFile(t, ns, "/mnt/inner/file", "inner")
	must(t, ns.Symlink("../a/b", "/mnt/up"), "symlink")
	must(t, ns.Symlink("/", "/mnt/rootlink"), "symlink")
	for _, m := range ns.Mounts() {
		switch m.Path {
		case "/":
			w.rootM = m
		case "/mnt":
			w.mntM = m
		}
	}
	return w
}

func TestJoin(t *testing.T) {
	for _, c := range []struct{ base, p, want string }{
		{"/", "a", "/a"}, {"/a", "b", "/a/b"}, {"/a", "/x", "/x"}, {"/a/b", "..", "/a/b/.."}, {"/", ".", "/."},
	} {
		if got := vfs.Join(c.base, c.p); got != c.want {
			t.Errorf("Join(%q, %q) = %q, want %q", c.base, c.p, got, c.want)
		}
	}
}

func TestResolve(t *testing.T) {
	w := newWorld(t)
	long := "/a/" + strings.Repeat("n", vfs.MaxNameLen+1)
	cases := []struct {
		path   string
		follow bool
		want   string // canonical path
		mnt    bool   // in the /mnt mount
		err    errno.Errno
	}{
		{path: "/", want: "/"},
		{path: "/a/b", want: "/a/b"},
		{path: "//a///b//", want: "/a/b"},
		{path: "/a/./b/.", want: "/a/b"},
		{path: "/..", want: "/"},
		{path: "/../../a", want: "/a"},
		{path: "/a/b/../..", want: "/"},
		{path: vfs.Join("/a/b", "../f"), want: "/a/f"},
		{path: vfs.Join("/mnt/inner", "../../a/b"), want: "/a/b"},
		{path: "/mnt", want: "/mnt", mnt: true},
		{path: "/mnt/inner/file", want: "/mnt/inner/file", mnt: true},
		{path: "/mnt/..", want: "/"},
		{path: "/mnt/inner/../..", want: "/"},
		{path: "/mnt/../a/../mnt/inner", want: "/mnt/inner", mnt: true},
		{path: "/a/rel", follow: true, want: "/a/b"},
		{path: "/a/rel", follow: false, want: "/a/rel"},
		{path: "/a/rel/", follow: false, want: "/a/b"},
		{path: "/a/rel/..", want: "/a"},
		{path: "/a/abs", follow: true, want: "/mnt/inner", mnt: true},
		{path: "/a/abs/file", want: "/mnt/inner/file", mnt: true},
		{path: "/a/abs/..", want: "/mnt", mnt: true},
		{path: "/mnt/up", follow: true, want: "/a/b"},
		{path: "/mnt/rootlink/a", want: "/a"},
		{path: "/mnt/rootlink/..", want: "/"},
		{path: "/c1", follow: true, want: "/a/b"},
		{path: "/c1/../f", want: "/a/f"},
		{path: "/loop", follow: true, err: errno.ELOOP},
		{path: "/loop", follow: false, want: "/loop"},
		{path: "/loop/", err: errno.ELOOP},
		{path: "/loop/x", err: errno.ELOOP},
		{path: "/a/tofile", follow: true, err: errno.ENOTDIR},
		{path: "/a/f/", err: errno.ENOTDIR},
		{path: "/a/f/.", err: errno.ENOTDIR},
		{path: "/a/f/..", err: errno.ENOTDIR},
		{path: "/a/f/x", err: errno.ENOTDIR},
		{path: "/nope", err: errno.ENOENT},
		{path: "/nope/..", err: errno.ENOENT},
		{path: "", err: errno.ENOENT},
		{path: "/a\x00", err: errno.EINVAL},
		{path: long, err: errno.ENAMETOOLONG},
		{path: "/" + strings.Repeat("a/", vfs.MaxPathLen/2), err: errno.ENAMETOOLONG},
	}
	for _, c := range cases {
		d, e := w.ns.Resolve(c.path, c.follow)
		if e != c.err {
			t.Errorf("Resolve(%.40q, %v) = %v, want %v", c.path, c.follow, e, c.err)
			continue
		}
		if e != 0 {
			continue
		}
		if d.Path != c.want {
			t.Errorf("Resolve(%q, %v).Path = %q, want %q", c.path, c.follow, d.Path, c.want)
		}
		wantM := w.rootM
		if c.mnt {
			wantM = w.mntM
		}
		if d.Mount != wantM {
			t.Errorf("Resolve(%q): mount %q, want %q", c.path, d.Mount.Path, wantM.Path)
		}
	}
	// A path just under the limit is accepted.
	p := "/a/" + strings.Repeat("./", (vfs.MaxPathLen-5)/2)
	if _, e := w.ns.Resolve(p, true); e != 0 {
		t.Errorf("path of %d bytes: %v", len(p), e)
	}
}

func TestSymlinkLimit(t *testing.T) {
	w := newWorld(t)
	// /s1 -> a/b, /s(i) -> s(i-1): resolving /sN follows N links.
	must(t, w.ns.Symlink("a/b", "/s1"), "symlink")
	for i := 2; i <= vfs.MaxSymlinks+1; i++ {
		must(t, w.ns.Symlink(fmt.Sprintf("s%d", i-1), fmt.Sprintf("/s%d", i)), "symlink")
	}
	if d, e := w.ns.Resolve(fmt.Sprintf("/s%d", vfs.MaxSymlinks), true); e != 0 || d.Path != "/a/b" {
		t.Errorf("%d links: %q, %v", vfs.MaxSymlinks, d.Path, e)
	}
	if _, e := w.ns.Resolve(fmt.Sprintf("/s%d", vfs.MaxSymlinks+1), true); e != errno.ELOOP {
		t.Errorf("%d links: %v, want ELOOP", vfs.MaxSymlinks+1, e)
	}
	// Links in the middle of a path count too.
	if _, e := w.ns.Resolve(fmt.Sprintf("/s%d/.", vfs.MaxSymlinks+1), false); e != errno.ELOOP {
		t.Errorf("%d links mid-path: %v, want ELOOP", vfs.MaxSymlinks+1, e)
	}
}

func TestMountCrossing(t *testing.T) {
	w := newWorld(t)
	// Files created through /mnt live in the mounted fs, not under it.
	writeFile(t, w.ns, "/mnt/new", "n")
	if _, e := w.mnt.Root().Lookup("new"); e != 0 {
		t.Errorf("/mnt/new not in the mounted fs: %v", e)
	}
	under, e := w.rootFS.Root().Lookup("mnt")
	must(t, e, "lookup mnt in root fs")
	if list, _ := under.ReadDir(); len(list) != 0 {
		t.Errorf("covered directory has %d entries", len(list))
	}
	rst, _ := w.ns.Stat("/", true)
	mst, _ := w.ns.Stat("/mnt", true)
	fst, _ := w.ns.Stat("/mnt/inner/file", true)
	if rst.Dev == mst.Dev || mst.Dev != fst.Dev {
		t.Errorf("st_dev: / %d, /mnt %d, /mnt/inner/file %d", rst.Dev, mst.Dev, fst.Dev)
	}
	if up, _ := w.ns.Stat("/mnt/..", true); up.Ino != rst.Ino || up.Dev != rst.Dev {
		t.Errorf("/mnt/.. is not /")
	}
	// Open through a symlink that crosses into the mount, and back out.
	if got := readFile(t, w.ns, "/a/abs/file"); got != "inner" {
		t.Errorf("/a/abs/file = %q", got)
	}
	if got := readFile(t, w.ns, "/mnt/rootlink/a/f"); got != "root f" {
		t.Errorf("/mnt/rootlink/a/f = %q", got)
	}
	f, e := w.ns.Open("/mnt/inner/file", vfs.O_RDONLY, 0, nil)
	must(t, e, "open")
	if st, _ := f.Stat(); st.Dev != mst.Dev || f.Path() != "/mnt/inner/file" {
		t.Errorf("fstat dev %d path %q", st.Dev, f.Path())
	}
	f.DecRef()
	// Nested mount, and ".." out of it.
	must(t, w.ns.Mount("/mnt/inner", ramfs.New(ramfs.Options{}), false, "nested"), "nested mount")
	if d, e := w.ns.Resolve("/mnt/inner/../up", true); e != 0 || d.Path != "/a/b" {
		t.Errorf("nested ..: %q, %v", d.Path, e)
	}
	if _, e := w.ns.Stat("/mnt/inner/file", true); e != errno.ENOENT {
		t.Errorf("covered file visible: %v", e)
	}
}

func TestMountErrors(t *testing.T) {
	w := newWorld(t)
	fs := ramfs.New(ramfs.Options{})
	if e := w.ns.Mount("/a/f", fs, false, ""); e != errno.ENOTDIR {
		t.Errorf("mount on file: %v", e)
	}
	if e := w.ns.Mount("/nope", fs, false, ""); e != errno.ENOENT {
		t.Errorf("mount on missing: %v", e)
	}
	if e := w.ns.Mount("/mnt", fs, false, ""); e != errno.EBUSY {
		t.Errorf("double mount: %v", e)
	}
	if e := w.ns.Mount("/", fs, false, ""); e != errno.EBUSY {
		t.Errorf("mount on /: %v", e)
	}
	// A mount through a symlink lands on the canonical path.
	must(t, w.ns.Mount("/a/rel", fs, false, ""), "mount via symlink")
	if e := w.ns.Mount("/a/b", fs, false, ""); e != errno.EBUSY {
		t.Errorf("mount on canonical path of existing mount: %v", e)
	}
	var paths []string
	for _, m := range w.ns.Mounts() {
		paths = append(paths, m.Path)
	}
	if strings.Join(paths, " ") != "/ /a/b /mnt" {
		t.Errorf("mounts %v", paths)
	}

	// Mount points cannot be removed or renamed.
	if e := w.ns.Rmdir("/mnt"); e != errno.EBUSY {
		t.Errorf("rmdir mount point: %v", e)
	}
	if e := w.ns.Rmdir("/mnt/"); e != errno.EBUSY {
		t.Errorf("rmdir mount point/: %v", e)
	}
	// unlink(2) of a directory is EISDIR before the mount check, as Linux.
	if e := w.ns.Unlink("/mnt"); e != errno.EISDIR {
		t.Errorf("unlink mount point: %v", e)
	}
	if e := w.ns.Rename("/mnt", "/mnt2"); e != errno.EBUSY {
		t.Errorf("rename mount point: %v", e)
	}
	must(t, w.ns.Mkdir("/e", 0o755), "mkdir")
	if e := w.ns.Rename("/e", "/mnt"); e != errno.EBUSY {
		t.Errorf("rename onto mount point: %v", e)
	}
	if e := w.ns.Mkdir("/mnt", 0o755); e != errno.EEXIST {
		t.Errorf("mkdir mount point: %v", e)
	}
	if e := w.ns.Rmdir("/"); e != errno.EBUSY {
		t.Errorf("rmdir /: %v", e)
	}
	// The mount point and its mount stay usable.
	if got := readFile(t, w.ns, "/mnt/inner/file"); got != "inner" {
		t.Errorf("after failed ops: %q", got)
	}
}

func TestEXDEV(t *testing.T) {
	w := newWorld(t)
	for _, c := range []struct {
		name string
		got  errno.Errno
	}{
		{"rename file into mount", w.ns.Rename("/a/f", "/mnt/f")},
		{"rename file out of mount", w.ns.Rename("/mnt/inner/file", "/a/x")},
		{"rename dir into mount", w.ns.Rename("/a/b", "/mnt/b")},
		{"rename via symlinked parent", w.ns.Rename("/a/f", "/a/abs/f")},
		{"link into mount", w.ns.Link("/a/f", "/mnt/l", false)},
		{"link out of mount", w.ns.Link("/mnt/inner/file", "/a/l", false)},
	} {
		if c.got != errno.EXDEV {
			t.Errorf("%s: %v, want EXDEV", c.name, c.got)
		}
	}
	if got := readFile(t, w.ns, "/a/f"); got != "root f" {
		t.Errorf("/a/f changed: %q", got)
	}
}

func TestReadOnlyMount(t *testing.T) {
	w := newWorld(t)
	ro := ramfs.New(ramfs.Options{})
	pre := vfs.NewNamespace(ro, false, "")
	writeFile(t, pre, "/file", "ro data")
	must(t, pre.Mkdir("/dir", 0o755), "mkdir")
	must(t, pre.Symlink("file", "/link"), "symlink")
	must(t, w.ns.Mkdir("/ro", 0o755), "mkdir")
	must(t, w.ns.Mount("/ro", ro, true, "ro"), "mount ro")

	open := func(p string, fl vfs.OpenFlags) errno.Errno {
		f, e := w.ns.Open(p, fl, 0o644, nil)
		if e == 0 {
			f.DecRef()
		}
		return e
	}
	rf, e := w.ns.Open("/ro/file", vfs.O_RDONLY, 0, nil)
	must(t, e, "open ro for reading")
	defer rf.DecRef()
	for _, c := range []struct {
		name string
		got  errno.Errno
		want errno.Errno
	}{
		{"open O_WRONLY", open("/ro/file", vfs.O_WRONLY), errno.EROFS},
		{"open O_RDWR", open("/ro/file", vfs.O_RDWR), errno.EROFS},
		{"open O_WRONLY via symlink", open("/ro/link", vfs.O_WRONLY), errno.EROFS},
		{"open O_TRUNC", open("/ro/file", vfs.O_WRONLY|vfs.O_TRUNC), errno.EROFS},
		{"create", open("/ro/new", vfs.O_CREAT|vfs.O_WRONLY), errno.EROFS},
		{"create O_RDONLY", open("/ro/new", vfs.O_CREAT|vfs.O_RDONLY), errno.EROFS},
		{"open O_CREAT existing O_RDONLY", open("/ro/file", vfs.O_CREAT|vfs.O_RDONLY), 0},
		{"open O_RDONLY", open("/ro/file", vfs.O_RDONLY), 0},
		{"mkdir", w.ns.Mkdir("/ro/d", 0o755), errno.EROFS},
		{"mkdir existing", w.ns.Mkdir("/ro/dir", 0o755), errno.EEXIST},
		{"rmdir", w.ns.Rmdir("/ro/dir"), errno.EROFS},
		{"rmdir missing", w.ns.Rmdir("/ro/nope"), errno.ENOENT},
		{"unlink", w.ns.Unlink("/ro/file"), errno.EROFS},
		{"unlink symlink", w.ns.Unlink("/ro/link"), errno.EROFS},
		{"unlink missing", w.ns.Unlink("/ro/nope"), errno.ENOENT},
		{"rename", w.ns.Rename("/ro/file", "/ro/file2"), errno.EROFS},
		{"rename dir", w.ns.Rename("/ro/dir", "/ro/dir2"), errno.EROFS},
		{"rename in from outside", w.ns.Rename("/a/f", "/ro/f"), errno.EXDEV},
		{"symlink", w.ns.Symlink("x", "/ro/l2"), errno.EROFS},
		{"link", w.ns.Link("/ro/file", "/ro/l3", false), errno.EROFS},
		{"truncate", w.ns.SetAttr("/ro/file", true, vfs.SetAttr{Mask: vfs.SetSize}), errno.EROFS},
		{"chmod", w.ns.SetAttr("/ro/file", true, vfs.SetAttr{Mask: vfs.SetMode, Mode: 0o600}), errno.EROFS},
		{"utimens", w.ns.SetAttr("/ro/dir", true, vfs.SetAttr{Mask: vfs.SetMtimeNow}), errno.EROFS},
		{"fchmod", rf.SetAttr(vfs.SetAttr{Mask: vfs.SetMode, Mode: 0o600}), errno.EROFS},
		{"futimens", rf.SetAttr(vfs.SetAttr{Mask: vfs.SetAtime, Atime: 1}), errno.EROFS},
	} {
		if c.got != c.want {
			t.Errorf("%s: %v, want %v", c.name, c.got, c.want)
		}
	}
	if got := readFile(t, w.ns, "/ro/link"); got != "ro data" {
		t.Errorf("read-only content %q", got)
	}
	// The writable mount above is unaffected.
	writeFile(t, w.ns, "/a/still-writable", "ok")
	// A read-only root.
	rns := vfs.NewNamespace(ro, true, "")
	if e := rns.Mkdir("/x", 0o755); e != errno.EROFS {
		t.Errorf("mkdir on read-only root: %v", e)
	}
}

// aliasFS is a fake devfs: /stdin and /fd9 are FDAlias inodes.
type aliasFS struct{}

func (aliasFS) Root() vfs.Inode { return aliasDir{} }
func (aliasFS) Type() string    { return "alias" }

type aliasDir struct{ vfs.UnimplementedInode }

func (aliasDir) Type() vfs.FileType { return vfs.TypeDirectory }
func (aliasDir) Stat() (vfs.Stat, errno.Errno) {
	return vfs.Stat{Ino: 1, Mode: vfs.TypeDirectory.ModeBits() | 0o755, Nlink: 2}, 0
}
func (aliasDir) Lookup(name string) (vfs.Inode, errno.Errno) {
	switch name {
	case "stdin":
		return aliasNode{fd: 0}, 0
	case "fd9":
		return aliasNode{fd: 9}, 0
	}
	return nil, errno.ENOENT
}

type aliasNode struct {
	vfs.UnimplementedInode
	fd int32
}

func (aliasNode) Type() vfs.FileType { return vfs.TypeCharDev }
func (n aliasNode) Stat() (vfs.Stat, errno.Errno) {
	return vfs.Stat{Ino: uint64(n.fd) + 2, Mode: vfs.TypeCharDev.ModeBits() | 0o666, Nlink: 1}, 0
}
func (n aliasNode) AliasFD() int32 { return n.fd }

type fakeFDs map[int32]*vfs.File

func (t fakeFDs) File(fd int32) (*vfs.File, errno.Errno) {
	f, ok := t[fd]
	if !ok {
		return nil, errno.EBADF
	}
	f.IncRef()
	return f, 0
}

func TestFDAlias(t *testing.T) {
	w := newWorld(t)
	must(t, w.ns.Mkdir("/dev", 0o755), "mkdir")
	must(t, w.ns.Mount("/dev", aliasFS{}, false, "dev"), "mount")
	must(t, w.ns.Symlink("/dev/stdin", "/a/in"), "symlink")
	stdin, e := w.ns.Open("/a/f", vfs.O_RDONLY, 0, nil)
	must(t, e, "open")
	defer stdin.DecRef()
	fds := fakeFDs{0: stdin}
	for _, p := range []string{"/dev/stdin", "/a/in", "/dev/../dev/stdin"} {
		f, e := w.ns.Open(p, vfs.O_RDONLY, 0, fds)
		if e != 0 || f != stdin {
			t.Errorf("open %s: %p, %v; want the fd's description %p", p, f, e, stdin)
			continue
		}
		f.DecRef()
	}
	buf := make([]byte, 16)
	if n, _ := stdin.Read(buf); string(buf[:n]) != "root f" {
		t.Errorf("alias description reads %q", buf[:n])
	}
	if _, e := w.ns.Open("/dev/stdin", vfs.O_RDONLY, 0, nil); e != errno.ENXIO {
		t.Errorf("alias without fd table: %v, want ENXIO", e)
	}
	if _, e := w.ns.Open("/dev/fd9", vfs.O_RDONLY, 0, fds); e != errno.ENOENT {
		t.Errorf("alias of closed fd: %v, want ENOENT", e)
	}
	if st, e := w.ns.Stat("/dev/stdin", true); e != 0 || st.Type() != vfs.TypeCharDev {
		t.Errorf("stat alias: %v %v", st.Type(), e)
	}
}
