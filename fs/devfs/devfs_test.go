package devfs

import (
	"bytes"
	"io"
	mrand "math/rand"
	"sync"
	"testing"
	"time"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
)

// fakeDir is a tiny fixed directory used as the namespace root.
type fakeDir struct {
	vfs.UnimplementedInode
	ino      uint64
	children map[string]vfs.Inode
}

func (d *fakeDir) Type() vfs.FileType { return vfs.TypeDirectory }
func (d *fakeDir) Stat() (vfs.Stat, errno.Errno) {
	return vfs.Stat{Ino: d.ino, Mode: vfs.TypeDirectory.ModeBits() | 0o755, Nlink: 2}, 0
}
func (d *fakeDir) Lookup(name string) (vfs.Inode, errno.Errno) {
	if in, ok := d.children[name]; ok {
		return in, 0
	}
	return nil, errno.ENOENT
}
func (d *fakeDir) ReadDir() ([]vfs.Dirent, errno.Errno) { return nil, 0 }
func (d *fakeDir) Open(vfs.OpenFlags) (vfs.FileImpl, errno.Errno) {
	return vfs.UnimplementedFile{}, 0
}

type fakeFS struct{ root *fakeDir }

func (f fakeFS) Root() vfs.Inode { return f.root }
func (f fakeFS) Type() string    { return "fake" }

func newFakeFS() fakeFS {
	return fakeFS{&fakeDir{ino: 1, children: map[string]vfs.Inode{
		"dev": &fakeDir{ino: 2, children: map[string]vfs.Inode{}},
	}}}
}

// fakeFDs is an FDTable holding fixed descriptions and recording requests.
type fakeFDs struct {
	mu    sync.Mutex
	files map[int32]*vfs.File
	asked []int32
}

func (t *fakeFDs) File(fd int32) (*vfs.File, errno.Errno) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.asked = append(t.asked, fd)
	f, ok := t.files[fd]
	if !ok {
		return nil, errno.EBADF
	}
	f.IncRef()
	return f, 0
}

func newNS(t *testing.T, opts Options, readOnly bool) *vfs.Namespace {
	t.Helper()
	ns := vfs.NewNamespace(newFakeFS(), false, "fake")
	if e := ns.Mount("/dev", New(opts), readOnly, Name); e != 0 {
		t.Fatalf("mount devfs: %v", e)
	}
	return ns
}

func open(t *testing.T, ns *vfs.Namespace, p string, flags vfs.OpenFlags) *vfs.File {
	t.Helper()
	f, e := ns.Open(p, flags, 0, nil)
	if e != 0 {
		t.Fatalf("open %s: %v", p, e)
	}
	t.Cleanup(func() { f.DecRef() })
	return f
}

func TestDevices(t *testing.T) {
	for _, ro := range []bool{false, true} {
		ns := newNS(t, Options{}, ro)

		null := open(t, ns, "/dev/null", vfs.O_RDWR)
		buf := []byte("xxxx")
		if n, e := null.Read(buf); n != 0 || e != 0 {
			t.Errorf("read null = %d, %v; want EOF", n, e)
		}
		if n, e := null.Write(buf); n != 4 || e != 0 {
			t.Errorf("write null = %d, %v; want 4", n, e)
		}

		zero := open(t, ns, "/dev/zero", vfs.O_RDWR)
		if n, e := zero.Read(buf); n != 4 || e != 0 || !bytes.Equal(buf, make([]byte, 4)) {
			t.Errorf("read zero = %d, %v, %q", n, e, buf)
		}
		if n, e := zero.Write(buf); n != 4 || e != 0 {
			t.Errorf("write zero = %d, %v; want 4", n, e)
		}

		full := open(t, ns, "/dev/full", vfs.O_RDWR)
		buf = []byte("xxxx")
		if n, e := full.Read(buf); n != 4 || e != 0 || !bytes.Equal(buf, make([]byte, 4)) {
			t.Errorf("read full = %d, %v, %q", n, e, buf)
		}
		for _, p := range [][]byte{buf, nil} {
			if n, e := full.Write(p); n != 0 || e != errno.ENOSPC {
				t.Errorf("write full (%d bytes) = %d, %v; want ENOSPC", len(p), n, e)
			}
		}

		for _, name := range []string{"random", "urandom"} {
			f := open(t, ns, "/dev/"+name, vfs.O_RDWR)
			if n, e := f.Write([]byte("seed")); n != 4 || e != 0 {
				t.Errorf("write %s = %d, %v; want 4", name, n, e)
			}
		}
	}
}

func TestStat(t *testing.T) {
	when := time.Date(2024, 1, 2, 3, 4, 5, 6, time.UTC)
	ns := newNS(t, Options{Clock: func() time.Time { return when }}, false)
	want := map[string][2]uint32{"null": {1, 3}, "zero": {1, 5}, "full": {1, 7}, "random": {1, 8}, "urandom": {1, 9}}
	inos := map[uint64]string{}
	for name, mm := range want {
		p := "/dev/" + name
		st, e := ns.Stat(p, true)
		if e != 0 {
			t.Fatalf("stat %s: %v", p, e)
		}
		if st.Type() != vfs.TypeCharDev || st.Perm() != 0o666 {
			t.Errorf("%s: mode %o", p, st.Mode)
		}
		// glibc's makedev for small numbers: major<<8 | minor.
		if st.Rdev != uint64(mm[0])<<8|uint64(mm[1]) {
			t.Errorf("%s: rdev %#x, want %d:%d", p, st.Rdev, mm[0], mm[1])
		}
		if st.Mtime != when.UnixNano() || st.Atime != st.Mtime || st.Ctime != st.Mtime {
			t.Errorf("%s: times %d %d %d", p, st.Atime, st.Mtime, st.Ctime)
		}
		if other, dup := inos[st.Ino]; dup {
			t.Errorf("%s and %s share ino %d", p, other, st.Ino)
		}
		inos[st.Ino] = p
		again, _ := ns.Stat(p, true)
		if again != st {
			t.Errorf("%s: stat changed: %+v then %+v", p, st, again)
		}
		f := open(t, ns, p, vfs.O_RDONLY)
		if fst, e := f.Stat(); e != 0 || fst != st {
			t.Errorf("fstat %s = %+v, %v; want %+v", p, fst, e, st)
		}
	}
	// Values from glibc's makedev.
	if got := makedev(259, 300); got != 0x11032c {
		t.Errorf("makedev(259, 300) = %#x", got)
	}
	if got := makedev(0x1234, 0x12345); got != 0x100012323445 {
		t.Errorf("makedev(0x1234, 0x12345) = %#x", got)
	}
	for p, typ := range map[string]vfs.FileType{"/dev": vfs.TypeDirectory, "/dev/fd": vfs.TypeDirectory, "/dev/shm": vfs.TypeDirectory} {
		if st, e := ns.Stat(p, true); e != 0 || st.Type() != typ {
			t.Errorf("stat %s = %v, %v", p, st.Type(), e)
		}
	}
	if st, _ := ns.Stat("/dev/shm", true); st.Perm() != 0o1777 {
		t.Errorf("/dev/shm perm %o, want 1777", st.Perm())
	}
	if st, _ := ns.Stat("/dev", true); st.Nlink != 4 || st.Ino != inoRoot {
		t.Errorf("/dev nlink %d ino %d, want 4 and %d", st.Nlink, st.Ino, inoRoot)
	}
}

// TestSeek: Linux lets lseek, pread and pwrite succeed on the memory devices.
func TestSeek(t *testing.T) {
	ns := newNS(t, Options{}, false)
	for _, name := range []string{"null", "zero", "full", "random", "urandom"} {
		f := open(t, ns, "/dev/"+name, vfs.O_RDWR)
		if off, e := f.Lseek(0, vfs.SeekSet); off != 0 || e != 0 {
			t.Errorf("lseek %s = %d, %v", name, off, e)
		}
		if off, e := f.Lseek(0, vfs.SeekEnd); off != 0 || e != 0 {
			t.Errorf("lseek end %s = %d, %v", name, off, e)
		}
		buf := make([]byte, 8)
		want := 8
		if name == "null" {
			want = 0
		}
		if n, e := f.Pread(buf, 1234); n != want || e != 0 {
			t.Errorf("pread %s = %d, %v; want %d", name, n, e, want)
		}
	}
	f := open(t, ns, "/dev/null", vfs.O_WRONLY|vfs.O_APPEND)
	if n, e := f.Write([]byte("abc")); n != 3 || e != 0 {
		t.Errorf("append to null = %d, %v", n, e)
	}
	if e := f.SetAttr(vfs.SetAttr{Mask: vfs.SetSize}); e != errno.EINVAL {
		t.Errorf("ftruncate null = %v; want EINVAL", e)
	}
}

func TestRandom(t *testing.T) {
	ns := newNS(t, Options{}, false)
	for _, name := range []string{"random", "urandom"} {
		f := open(t, ns, "/dev/"+name, vfs.O_RDONLY)
		a, b := make([]byte, 4096), make([]byte, 4096)
		if n, e := f.Read(a); n != len(a) || e != 0 {
			t.Fatalf("read %s = %d, %v", name, n, e)
		}
		if n, e := f.Read(b); n != len(b) || e != 0 {
			t.Fatalf("read %s = %d, %v", name, n, e)
		}
		if bytes.Equal(a, b) {
			t.Errorf("%s returned the same data twice", name)
		}
		if zeros := bytes.Count(a, []byte{0}); zeros > 100 { // expected ~16
			t.Errorf("%s: %d zero bytes in 4096", name, zeros)
		}
	}
}

// oneByte returns one byte per Read, like a slow entropy source, and is not
// safe for concurrent use.
type oneByte struct{ r *mrand.Rand }

func (o *oneByte) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	p[0] = byte(o.r.Intn(255) + 1)
	return 1, nil
}

func TestRandomCustomSource(t *testing.T) {
	ns := newNS(t, Options{Rand: &oneByte{mrand.New(mrand.NewSource(1))}}, false)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f, e := ns.Open("/dev/urandom", vfs.O_RDONLY, 0, nil)
			if e != 0 {
				t.Errorf("open: %v", e)
				return
			}
			defer f.DecRef()
			buf := make([]byte, 512)
			for j := 0; j < 20; j++ {
				if n, e := f.Read(buf); n != len(buf) || e != 0 || bytes.IndexByte(buf, 0) >= 0 {
					t.Errorf("read = %d, %v; want a full buffer", n, e)
					return
				}
			}
		}()
	}
	wg.Wait()

	ns = newNS(t, Options{Rand: io.LimitReader(&oneByte{mrand.New(mrand.NewSource(1))}, 3)}, false)
	f := open(t, ns, "/dev/random", vfs.O_RDONLY)
	if n, e := f.Read(make([]byte, 8)); n != 3 || e != 0 {
		t.Errorf("short source: read = %d, %v; want 3", n, e)
	}
	if n, e := f.Read(make([]byte, 8)); n != 0 || e != errno.EIO {
		t.Errorf("exhausted source: read = %d, %v; want EIO", n, e)
	}
}

func TestFDAlias(t *testing.T) {
	ns := newNS(t, Options{}, false)
	dummy := func() *vfs.File { return vfs.NewFile(vfs.UnimplementedFile{}, vfs.Dentry{}, vfs.O_RDWR) }
	fds := &fakeFDs{files: map[int32]*vfs.File{0: dummy(), 1: dummy(), 2: dummy(), 7: dummy(), 2147483647: dummy()}}
	for p, fd := range map[string]int32{
		"/dev/stdin": 0, "/dev/stdout": 1, "/dev/stderr": 2,
		"/dev/fd/0": 0, "/dev/fd/1": 1, "/dev/fd/2": 2, "/dev/fd/7": 7,
		"/dev/fd/2147483647": 2147483647, "/dev/./fd/../stdout": 1,
	} {
		for _, fl := range []vfs.OpenFlags{vfs.O_RDONLY, vfs.O_WRONLY | vfs.O_CREAT | vfs.O_TRUNC} {
			f, e := ns.Open(p, fl, 0o644, fds)
			if e != 0 || f != fds.files[fd] {
				t.Errorf("open %s (%#x) = %p, %v; want fd %d's description %p", p, fl, f, e, fd, fds.files[fd])
			}
		}
	}
	for _, p := range []string{"/dev/fd/abc", "/dev/fd/01", "/dev/fd/00", "/dev/fd/-1", "/dev/fd/+1",
		"/dev/fd/2147483648", "/dev/fd/99999999999", "/dev/fd/1 ", "/dev/fd/0x1"} {
		fds.asked = nil
		if _, e := ns.Open(p, vfs.O_RDONLY, 0, fds); e != errno.ENOENT || len(fds.asked) != 0 {
			t.Errorf("open %s = %v (asked %v); want ENOENT without asking", p, e, fds.asked)
		}
		if _, e := ns.Stat(p, true); e != errno.ENOENT {
			t.Errorf("stat %s = %v; want ENOENT", p, e)
		}
	}
	if _, e := ns.Open("/dev/fd/3", vfs.O_RDONLY, 0, fds); e != errno.ENOENT {
		t.Errorf("open closed /dev/fd/3 = %v; want ENOENT", e)
	}
	if _, e := ns.Open("/dev/stdout", vfs.O_WRONLY, 0, nil); e != errno.ENXIO {
		t.Errorf("open /dev/stdout without table = %v; want ENXIO", e)
	}
	if _, e := ns.Open("/dev/stdout", vfs.O_WRONLY|vfs.O_NOFOLLOW, 0, fds); e != errno.ELOOP {
		t.Errorf("open /dev/stdout O_NOFOLLOW = %v; want ELOOP", e)
	}
	if _, e := ns.Open("/dev/fd/1", vfs.O_WRONLY|vfs.O_CREAT|vfs.O_EXCL, 0, fds); e != errno.EEXIST {
		t.Errorf("open /dev/fd/1 O_EXCL = %v; want EEXIST", e)
	}

	for i, name := range []string{"stdin", "stdout", "stderr"} {
		p := "/dev/" + name
		if target, e := ns.Readlink(p); e != 0 || target != "fd/"+string(rune('0'+i)) {
			t.Errorf("readlink %s = %q, %v", p, target, e)
		}
		lst, e := ns.Stat(p, false)
		if e != 0 || lst.Type() != vfs.TypeSymlink || lst.Size != 4 {
			t.Errorf("lstat %s = %+v, %v", p, lst, e)
		}
		st, e := ns.Stat(p, true)
		fst, _ := ns.Stat("/dev/fd/"+string(rune('0'+i)), true)
		if e != 0 || st.Type() != vfs.TypeCharDev || st != fst || st.Ino != inoFDBase+uint64(i) {
			t.Errorf("stat %s = %+v, %v; want /dev/fd/%d's %+v", p, st, e, i, fst)
		}
		// O_PATH opens the link itself.
		f := open(t, ns, p, vfs.O_PATH|vfs.O_NOFOLLOW)
		if st, e := f.Stat(); e != 0 || st.Type() != vfs.TypeSymlink {
			t.Errorf("fstat O_PATH %s = %+v, %v", p, st, e)
		}
	}
}

func TestModifications(t *testing.T) {
	for _, ro := range []bool{false, true} {
		ns := newNS(t, Options{}, ro)
		fds := &fakeFDs{}
		chk := func(what string, got, want errno.Errno) {
			t.Helper()
			if got != want {
				t.Errorf("ro=%v %s = %v; want %v", ro, what, got, want)
			}
		}
		_, e := ns.Open("/dev/new", vfs.O_WRONLY|vfs.O_CREAT, 0o644, fds)
		chk("create /dev/new", e, errno.EROFS)
		_, e = ns.Open("/dev/shm/new", vfs.O_WRONLY|vfs.O_CREAT, 0o644, fds)
		chk("create /dev/shm/new", e, errno.EROFS)
		_, e = ns.Open("/dev/null", vfs.O_WRONLY|vfs.O_CREAT|vfs.O_EXCL, 0o644, fds)
		chk("O_EXCL /dev/null", e, errno.EEXIST)
		chk("mkdir /dev/d", ns.Mkdir("/dev/d", 0o755), errno.EROFS)
		chk("mkdir /dev/fd/x", ns.Mkdir("/dev/fd/x", 0o755), errno.EROFS)
		chk("mkdir /dev/null", ns.Mkdir("/dev/null", 0o755), errno.EEXIST)
		chk("unlink /dev/null", ns.Unlink("/dev/null"), errno.EROFS)
		chk("unlink /dev/stdout", ns.Unlink("/dev/stdout"), errno.EROFS)
		chk("unlink /dev/fd/1", ns.Unlink("/dev/fd/1"), errno.EROFS)
		chk("unlink /dev/nope", ns.Unlink("/dev/nope"), errno.ENOENT)
		chk("rmdir /dev/fd", ns.Rmdir("/dev/fd"), errno.EROFS)
		chk("rmdir /dev/nope", ns.Rmdir("/dev/nope"), errno.ENOENT)
		chk("symlink /dev/l", ns.Symlink("null", "/dev/l"), errno.EROFS)
		chk("link /dev/null /dev/n2", ns.Link("/dev/null", "/dev/n2", false), errno.EROFS)
		chk("rename /dev/null /dev/n2", ns.Rename("/dev/null", "/dev/n2"), errno.EROFS)
		chk("rename /dev/zero /dev/null", ns.Rename("/dev/zero", "/dev/null"), errno.EROFS)
		chk("rename /dev/nope /dev/n2", ns.Rename("/dev/nope", "/dev/n2"), errno.ENOENT)
		chk("chmod /dev/null", ns.SetAttr("/dev/null", true, vfs.SetAttr{Mask: vfs.SetMode, Mode: 0o600}), errno.EROFS)
		chk("utimens /dev/fd", ns.SetAttr("/dev/fd", true, vfs.SetAttr{Mask: vfs.SetAtimeNow | vfs.SetMtimeNow}), errno.EROFS)
		chk("chmod /dev", ns.SetAttr("/dev", true, vfs.SetAttr{Mask: vfs.SetMode, Mode: 0o700}), errno.EROFS)
		// The devices stay writable on a read-only mount, as on Linux.
		f, e := ns.Open("/dev/null", vfs.O_WRONLY|vfs.O_CREAT|vfs.O_TRUNC, 0o644, fds)
		chk("open /dev/null for writing", e, 0)
		if e == 0 {
			f.DecRef()
		}
		_, e = ns.Open("/dev", vfs.O_RDWR, 0, fds)
		chk("open /dev O_RDWR", e, errno.EISDIR)
	}

	// Inode methods directly (what vfs does not check first).
	root := New(Options{}).Root()
	fd, _ := root.Lookup("fd")
	for what, got := range map[string]errno.Errno{
		"rmdir null":   root.Rmdir("null"),
		"unlink fd":    root.Unlink("fd"),
		"mkdir null":   root.Mkdir("null", 0),
		"fd/rmdir 1":   fd.Rmdir("1"),
		"fd/rmdir x":   fd.Rmdir("x"),
		"fd/unlink x":  fd.Unlink("x"),
		"fd/mkdir 1":   fd.Mkdir("1", 0),
		"fd/rename 1":  fd.Rename("1", fd, "2"),
		"null.Mkdir":   func() errno.Errno { n, _ := root.Lookup("null"); return n.Mkdir("x", 0) }(),
		"stdout.Setat": func() errno.Errno { n, _ := root.Lookup("stdout"); return n.SetAttr(vfs.SetAttr{Mask: vfs.SetMode}) }(),
	} {
		want := map[string]errno.Errno{
			"rmdir null": errno.ENOTDIR, "unlink fd": errno.EISDIR, "mkdir null": errno.EEXIST,
			"fd/rmdir 1": errno.ENOTDIR, "fd/rmdir x": errno.ENOENT, "fd/unlink x": errno.ENOENT,
			"fd/mkdir 1": errno.EEXIST, "fd/rename 1": errno.EROFS, "null.Mkdir": errno.ENOTDIR,
			"stdout.Setat": errno.EROFS,
		}[what]
		if got != want {
			t.Errorf("%s = %v; want %v", what, got, want)
		}
	}
}

func names(ds []vfs.Dirent) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Name)
	}
	return out
}

func TestReadDir(t *testing.T) {
	ns := newNS(t, Options{}, false)
	for p, want := range map[string][]string{
		"/dev":     {".", "..", "fd", "full", "null", "random", "shm", "stderr", "stdin", "stdout", "tty", "urandom", "zero"},
		"/dev/fd":  {".", "..", "0", "1", "2"},
		"/dev/shm": {".", ".."},
	} {
		f := open(t, ns, p, vfs.O_RDONLY|vfs.O_DIRECTORY)
		ds, e := f.ReadDir(0)
		if e != 0 || !equal(names(ds), want) {
			t.Errorf("readdir %s = %v, %v; want %v", p, names(ds), e, want)
			continue
		}
		if n, e := f.Read(make([]byte, 1)); n != 0 || e != errno.EISDIR {
			t.Errorf("read %s = %d, %v; want EISDIR", p, n, e)
		}
		for _, d := range ds[2:] {
			st, e := ns.Stat(vfs.Join(p, d.Name), false)
			if e != 0 || st.Ino != d.Ino || st.Type() != d.Type {
				t.Errorf("%s/%s: dirent %+v, stat %+v, %v", p, d.Name, d, st, e)
			}
		}
	}
	// A caller may scribble on a listing without changing the next one.
	root := New(Options{}).Root()
	a, _ := root.ReadDir()
	a[0].Name = "scribbled"
	if b, _ := root.ReadDir(); b[0].Name != "fd" {
		t.Errorf("listing changed to %v", names(b))
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestShmMount: /dev/shm is a directory another file system mounts on.
func TestShmMount(t *testing.T) {
	ns := newNS(t, Options{}, false)
	shm := newFakeFS()
	if e := ns.Mount("/dev/shm", shm, false, "shm"); e != 0 {
		t.Fatalf("mount /dev/shm: %v", e)
	}
	if _, e := ns.Stat("/dev/shm/dev", true); e != 0 {
		t.Errorf("stat through /dev/shm mount: %v", e)
	}
	if e := ns.Rmdir("/dev/shm"); e != errno.EBUSY {
		t.Errorf("rmdir /dev/shm = %v; want EBUSY", e)
	}
}

func TestNew(t *testing.T) {
	fs := New(Options{})
	if fs.Type() != Name || Name != "devfs" {
		t.Errorf("Type = %q", fs.Type())
	}
	if fs.Root() != fs.Root() {
		t.Error("Root is not stable")
	}
	// Two instances share nothing mutable.
	if New(Options{}).Root() == fs.Root() {
		t.Error("instances share a root")
	}
}

// termStream is a fake terminal stream: it records writes and counts
// closes.
type termStream struct {
	vfs.UnimplementedFile
	mu     sync.Mutex
	out    bytes.Buffer
	closed int
}

func (s *termStream) Read(p []byte) (int, errno.Errno) { return copy(p, "typed\n"), 0 }
func (s *termStream) Write(p []byte) (int, errno.Errno) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, _ := s.out.Write(p)
	return n, 0
}
func (s *termStream) Stat() (vfs.Stat, errno.Errno) {
	return vfs.Stat{Mode: vfs.TypeCharDev.ModeBits() | 0o620, Rdev: 136 << 8}, 0
}
func (s *termStream) Close() errno.Errno {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed++
	return 0
}
func (s *termStream) IsTerminal() bool { return true }

// TestTTY: /dev/tty is 5:0 and opens the LibOS's terminal, or fails with
// ENXIO when there is none, as Linux's does without a controlling
// terminal.
func TestTTY(t *testing.T) {
	// No terminal: the device is there, opening it is ENXIO.
	ns := newNS(t, Options{}, false)
	st, e := ns.Stat("/dev/tty", true)
	if e != 0 || st.Type() != vfs.TypeCharDev || st.Rdev != makedev(5, 0) || st.Perm() != 0o666 {
		t.Errorf("stat /dev/tty = %+v, %v", st, e)
	}
	if _, e := ns.Open("/dev/tty", vfs.O_RDWR, 0, nil); e != errno.ENXIO {
		t.Errorf("open /dev/tty without a terminal: %v, want ENXIO", e)
	}

	// A terminal: each open is a stream of its own on it.
	var streams []*termStream
	ns = newNS(t, Options{Terminal: func() (vfs.FileImpl, errno.Errno) {
		s := &termStream{}
		streams = append(streams, s)
		return s, 0
	}}, false)
	f, e := ns.Open("/dev/tty", vfs.O_RDWR, 0, nil)
	if e != 0 {
		t.Fatalf("open /dev/tty: %v", e)
	}
	if n, e := f.Write([]byte("prompt: ")); n != 8 || e != 0 {
		t.Errorf("write = %d, %v", n, e)
	}
	buf := make([]byte, 16)
	if n, e := f.Read(buf); e != 0 || string(buf[:n]) != "typed\n" {
		t.Errorf("read = %q, %v", buf[:n], e)
	}
	if st, e := f.Stat(); e != 0 || st.Rdev != makedev(5, 0) {
		t.Errorf("fstat = %+v, %v; want rdev 5:0", st, e)
	}
	if term, ok := f.Impl().(interface{ IsTerminal() bool }); !ok || !term.IsTerminal() {
		t.Errorf("an open /dev/tty is not a terminal")
	}
	if f.Path() != "/dev/tty" {
		t.Errorf("path %q", f.Path())
	}
	f.DecRef()
	if len(streams) != 1 || streams[0].out.String() != "prompt: " || streams[0].closed != 1 {
		t.Errorf("streams: %d, %q, closed %d", len(streams), streams[0].out.String(), streams[0].closed)
	}
	if e := ns.Unlink("/dev/tty"); e != errno.EROFS {
		t.Errorf("unlink /dev/tty = %v, want EROFS", e)
	}
}
