package unionfs_test

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
	fst "github.com/occlumgo/occlum/fs/fstest"
	"github.com/occlumgo/occlum/fs/ramfs"
	"github.com/occlumgo/occlum/fs/unionfs"
)

// tenv is a union of a recorded ramfs upper over ramfs lowers, which are
// checked to be unchanged when the test ends.
type tenv struct {
	t      *testing.T
	lowers []vfs.FileSystem
	upper  *ramfs.FileSystem
	rec    *recorder
	u      *unionfs.FileSystem
	ns     *vfs.Namespace // the union
	uns    *vfs.Namespace // the upper layer itself
}

// newTEnv builds the lowers from fxs; prep, if not nil, may change them
// (set times) before they are guarded.
func newTEnv(t *testing.T, opts unionfs.Options, prep func(lowers []*vfs.Namespace), fxs ...fst.Fixture) *tenv {
	t.Helper()
	e := &tenv{t: t, upper: ramfs.New(ramfs.Options{}), rec: &recorder{}}
	var lns []*vfs.Namespace
	for _, fx := range fxs {
		l := layer(t, fx)
		e.lowers = append(e.lowers, l)
		lns = append(lns, vfs.NewNamespace(l, false, "lower"))
	}
	if prep != nil {
		prep(lns)
	}
	guard(t, e.lowers...)
	e.u = mustNew(t, recFS{e.upper, e.rec}, e.lowers, opts)
	e.ns = vfs.NewNamespace(e.u, false, "union")
	e.uns = vfs.NewNamespace(e.upper, false, "upper")
	return e
}

func (e *tenv) must(er errno.Errno, format string, args ...any) {
	e.t.Helper()
	must(e.t, er, format, args...)
}

func (e *tenv) expect(got, want errno.Errno, format string, args ...any) {
	e.t.Helper()
	if got != want {
		e.t.Errorf(format+": got %v, want %v", append(args, got, want)...)
	}
}

func (e *tenv) read(ns *vfs.Namespace, p string) string {
	e.t.Helper()
	f, er := ns.Open(p, vfs.O_RDONLY, 0, nil)
	e.must(er, "open %s", p)
	defer f.DecRef()
	var out []byte
	buf := make([]byte, 777)
	for {
		n, er := f.Read(buf)
		e.must(er, "read %s", p)
		if n == 0 {
			return string(out)
		}
		out = append(out, buf[:n]...)
	}
}

func (e *tenv) write(p, data string, fl vfs.OpenFlags) {
	e.t.Helper()
	f, er := e.ns.Open(p, fl|vfs.O_WRONLY, 0o644, nil)
	e.must(er, "open %s", p)
	defer f.DecRef()
	if _, er := f.Write([]byte(data)); er != 0 {
		e.t.Fatalf("write %s: %v", p, er)
	}
}

func (e *tenv) lstat(ns *vfs.Namespace, p string) vfs.Stat {
	e.t.Helper()
	st, er := ns.Stat(p, false)
	e.must(er, "lstat %s", p)
	return st
}

func (e *tenv) exists(ns *vfs.Namespace, p string) bool {
	_, er := ns.Stat(p, false)
	return er == 0
}

// list returns "name:type" of a directory, without "." and "..".
func (e *tenv) list(ns *vfs.Namespace, p string) string {
	e.t.Helper()
	f, er := ns.Open(p, vfs.O_RDONLY|vfs.O_DIRECTORY, 0, nil)
	e.must(er, "open %s", p)
	defer f.DecRef()
	l, er := f.ReadDir(0)
	e.must(er, "readdir %s", p)
	var s []string
	for _, d := range l[2:] {
		s = append(s, d.Name+":"+d.Type.String())
	}
	return strings.Join(s, " ")
}

func pattern(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('A' + i%53)
	}
	return string(b)
}

func setTimes(t *testing.T, ns *vfs.Namespace, p string, at, mt int64) {
	t.Helper()
	must(t, ns.SetAttr(p, false, vfs.SetAttr{Mask: vfs.SetAtime | vfs.SetMtime, Atime: at, Mtime: mt}), "utimens %s", p)
}

func TestNew(t *testing.T) {
	r := ramfs.New(ramfs.Options{})
	if _, err := unionfs.New(nil, nil, unionfs.Options{}); err == nil {
		t.Error("no layers: no error")
	}
	if _, err := unionfs.New(r, []vfs.FileSystem{nil}, unionfs.Options{}); err == nil {
		t.Error("nil lower: no error")
	}
	if _, err := unionfs.New(r, nil, unionfs.Options{ChunkSize: -1}); err == nil {
		t.Error("negative chunk size: no error")
	}
	file, _ := r.Root().Create("f", 0o644)
	if _, err := unionfs.New(r, []vfs.FileSystem{fileRoot{r, file}}, unionfs.Options{}); err == nil {
		t.Error("lower root not a directory: no error")
	}
	if _, err := unionfs.New(fileRoot{r, file}, nil, unionfs.Options{}); err == nil {
		t.Error("upper root not a directory: no error")
	}
	u := mustNew(t, r, nil, unionfs.Options{})
	if u.Type() != unionfs.Name || u.ReadOnly() {
		t.Errorf("Type %q ReadOnly %v", u.Type(), u.ReadOnly())
	}
	if ro := mustNew(t, nil, []vfs.FileSystem{r}, unionfs.Options{}); !ro.ReadOnly() {
		t.Error("a union without upper layer is not read-only")
	}
}

type fileRoot struct {
	vfs.FileSystem
	root vfs.Inode
}

func (f fileRoot) Root() vfs.Inode { return f.root }

// TestNewClearsWorkDir: what a previous use left in the work directory is
// removed, and nothing of it is ever visible.
func TestNewClearsWorkDir(t *testing.T) {
	w := unionfs.WorkDir
	upper := layer(t, fst.Fixture{
		{Path: w, Type: vfs.TypeDirectory, Mode: 0o700},
		{Path: w + "/.wh..wh..tmp.x.1", Type: vfs.TypeRegular, Data: "partial copy"},
		{Path: w + "/.wh..wh..tmp.x.2", Type: vfs.TypeDirectory},
		{Path: w + "/.wh..wh..tmp.x.2/.wh.y", Type: vfs.TypeRegular},
		{Path: "kept", Type: vfs.TypeRegular, Data: "k"},
	})
	u := mustNew(t, upper, []vfs.FileSystem{ramfs.New(ramfs.Options{})}, unionfs.Options{})
	wd, e := upper.Root().Lookup(w)
	must(t, e, "lookup work dir")
	if l, _ := wd.ReadDir(); len(l) != 0 {
		t.Errorf("work directory still holds %v", l)
	}
	ns := vfs.NewNamespace(u, false, "union")
	if l, _ := ns.Open("/", vfs.O_RDONLY, 0, nil); l != nil {
		list, _ := l.ReadDir(0)
		l.DecRef()
		if len(list) != 3 || list[2].Name != "kept" {
			t.Errorf("root lists %v", list)
		}
	}
}

// TestCopyUp: chmod of a lower file copies its data (in chunks smaller
// than the file, never more than a chunk at a time), mode and times, and
// its parent directories with theirs, into the upper layer; no time of a
// directory the guest sees changes.
func TestCopyUp(t *testing.T) {
	const chunk = 1000
	data := pattern(10*chunk + 500)
	holey := pattern(3*chunk) + strings.Repeat("\x00", 3*chunk) + pattern(chunk)
	e := newTEnv(t, unionfs.Options{ChunkSize: chunk}, func(l []*vfs.Namespace) {
		setTimes(t, l[0], "/a/b/f", 1_000_000_001, 2_000_000_002)
		setTimes(t, l[0], "/a/b", 3_000_000_003, 4_000_000_004)
		setTimes(t, l[0], "/a", 5_000_000_005, 6_000_000_006)
	}, fst.Fixture{
		{Path: "a", Type: vfs.TypeDirectory, Mode: 0o750},
		{Path: "a/b", Type: vfs.TypeDirectory, Mode: 0o701},
		{Path: "a/b/f", Type: vfs.TypeRegular, Data: data, Mode: 0o640},
		{Path: "a/b/holey", Type: vfs.TypeRegular, Data: holey, Mode: 0o600},
		{Path: "a/b/empty", Type: vfs.TypeRegular, Mode: 0o600},
	})
	before := map[string]vfs.Stat{}
	for _, p := range []string{"/", "/a", "/a/b"} {
		before[p] = e.lstat(e.ns, p)
	}
	fBefore := e.lstat(e.ns, "/a/b/f")
	e.must(e.ns.SetAttr("/a/b/f", false, vfs.SetAttr{Mask: vfs.SetMode, Mode: 0o604}), "chmod")

	// The upper layer holds the copy.
	st := e.lstat(e.uns, "/a/b/f")
	if st.Perm() != 0o604 || st.Size != int64(len(data)) || st.Atime != 1_000_000_001 || st.Mtime != 2_000_000_002 {
		t.Errorf("copy: perm %#o size %d atime %d mtime %d", st.Perm(), st.Size, st.Atime, st.Mtime)
	}
	if got := e.read(e.uns, "/a/b/f"); got != data {
		t.Errorf("copied data differs (%d bytes, want %d)", len(got), len(data))
	}
	for p, want := range map[string][3]int64{"/a": {0o750, 5_000_000_005, 6_000_000_006}, "/a/b": {0o701, 3_000_000_003, 4_000_000_004}} {
		st := e.lstat(e.uns, p)
		if int64(st.Perm()) != want[0] || st.Atime != want[1] || st.Mtime != want[2] {
			t.Errorf("upper %s: perm %#o atime %d mtime %d, want %#o %d %d", p, st.Perm(), st.Atime, st.Mtime, want[0], want[1], want[2])
		}
	}
	// What the guest sees: same times, the new mode, same data, the same
	// directory inode numbers.
	for p, b := range before {
		a := e.lstat(e.ns, p)
		if a.Mtime != b.Mtime || a.Atime != b.Atime || a.Perm() != b.Perm() || a.Ino != b.Ino {
			t.Errorf("%s changed by copy-up: %+v -> %+v", p, b, a)
		}
	}
	if st := e.lstat(e.ns, "/a/b/f"); st.Perm() != 0o604 || st.Mtime != fBefore.Mtime || st.Size != fBefore.Size {
		t.Errorf("union stat after chmod: %+v", st)
	}
	writes, reads := e.rec.sizes()
	total := 0
	for _, n := range writes {
		if n > chunk {
			t.Errorf("a write of %d bytes (chunk %d)", n, chunk)
		}
		total += n
	}
	if total != len(data) || len(writes) < len(data)/chunk {
		t.Errorf("%d writes of %d bytes in all, want %d bytes in chunks", len(writes), total, len(data))
	}
	if e.rec.count(".wh..wh..tmp.") != 1 {
		t.Errorf("temporaries made: %d", e.rec.count(".wh..wh..tmp."))
	}
	_ = reads

	// A chunk of zeros is not written (it stays a hole).
	e.rec.reset()
	f, er := e.ns.Open("/a/b/holey", vfs.O_RDWR, 0, nil)
	e.must(er, "open holey")
	f.DecRef()
	writes, _ = e.rec.sizes()
	total = 0
	for _, n := range writes {
		total += n
	}
	if total != 4*chunk {
		t.Errorf("holey: %d bytes written, want %d", total, 4*chunk)
	}
	if got := e.read(e.ns, "/a/b/holey"); got != holey {
		t.Error("holey file differs after copy-up")
	}
	// An empty file.
	e.must(e.ns.SetAttr("/a/b/empty", false, vfs.SetAttr{Mask: vfs.SetMtime, Mtime: 42}), "utimens")
	if st := e.lstat(e.uns, "/a/b/empty"); st.Size != 0 || st.Mtime != 42 || st.Perm() != 0o600 {
		t.Errorf("empty: %+v", st)
	}
	// Nothing is left in the work directory.
	wd, er := e.upper.Root().Lookup(unionfs.WorkDir)
	e.must(er, "work dir")
	if l, _ := wd.ReadDir(); len(l) != 0 {
		t.Errorf("work directory holds %v", l)
	}
}

// TestCopyUpReadsByChunk: a lower file larger than the chunk is read a
// chunk at a time.
func TestCopyUpReadsByChunk(t *testing.T) {
	const chunk = 4096
	data := pattern(5*chunk + 1)
	lrec := &recorder{}
	lower := layer(t, fst.Fixture{{Path: "f", Type: vfs.TypeRegular, Data: data}})
	guard(t, lower)
	u := mustNew(t, ramfs.New(ramfs.Options{}), []vfs.FileSystem{recFS{lower, lrec}}, unionfs.Options{ChunkSize: chunk})
	ns := vfs.NewNamespace(u, false, "union")
	f, e := ns.Open("/f", vfs.O_WRONLY|vfs.O_APPEND, 0, nil)
	must(t, e, "open")
	if _, e := f.Write([]byte("!")); e != 0 {
		t.Fatal(e)
	}
	f.DecRef()
	_, reads := lrec.sizes()
	if len(reads) < 6 {
		t.Errorf("%d reads of the lower file", len(reads))
	}
	for _, n := range reads {
		if n > chunk {
			t.Errorf("a read of %d bytes (chunk %d)", n, chunk)
		}
	}
	g, _ := ns.Open("/f", vfs.O_RDONLY, 0, nil)
	defer g.DecRef()
	buf := make([]byte, len(data)+10)
	if n, _ := g.Pread(buf, 0); string(buf[:n]) != data+"!" {
		t.Errorf("content after append: %d bytes", n)
	}
}

// TestCopyUpTruncate: O_TRUNC copies no data; a truncate copies only what
// it keeps.
func TestCopyUpTruncate(t *testing.T) {
	data := pattern(5000)
	e := newTEnv(t, unionfs.Options{ChunkSize: 512}, nil, fst.Fixture{
		{Path: "f", Type: vfs.TypeRegular, Data: data, Mode: 0o640},
		{Path: "g", Type: vfs.TypeRegular, Data: data},
	})
	f, er := e.ns.Open("/f", vfs.O_RDWR|vfs.O_TRUNC, 0, nil)
	e.must(er, "open O_TRUNC")
	if st, _ := f.Stat(); st.Size != 0 || st.Perm() != 0o640 {
		t.Errorf("after O_TRUNC: size %d perm %#o", st.Size, st.Perm())
	}
	e.must(f.Sync(false), "fsync")
	dir, er := e.ns.Open("/", vfs.O_RDONLY|vfs.O_DIRECTORY, 0, nil)
	e.must(er, "open /")
	e.must(dir.Sync(false), "fsync /")
	dir.DecRef()
	f.DecRef()
	if writes, _ := e.rec.sizes(); len(writes) != 0 {
		t.Errorf("O_TRUNC copied %d chunks", len(writes))
	}
	e.must(e.ns.SetAttr("/g", true, vfs.SetAttr{Mask: vfs.SetSize, Size: 1200}), "truncate")
	total := 0
	writes, _ := e.rec.sizes()
	for _, n := range writes {
		total += n
	}
	if total != 1200 {
		t.Errorf("truncate to 1200 copied %d bytes", total)
	}
	if got := e.read(e.ns, "/g"); got != data[:1200] {
		t.Errorf("after truncate: %d bytes", len(got))
	}
	e.must(e.ns.SetAttr("/g", true, vfs.SetAttr{Mask: vfs.SetSize, Size: 2000}), "grow")
	if got := e.read(e.ns, "/g"); got != data[:1200]+strings.Repeat("\x00", 800) {
		t.Error("grown file does not read zeros")
	}
}

// TestReaderSwitches: a file open for reading from the lower layer reads
// the upper copy once there is one, and keeps reading the lower file once
// it is removed.
func TestReaderSwitches(t *testing.T) {
	e := newTEnv(t, unionfs.Options{}, nil, fst.Fixture{
		{Path: "f", Type: vfs.TypeRegular, Data: "lower data"},
		{Path: "g", Type: vfs.TypeRegular, Data: "gone soon"},
	})
	r, er := e.ns.Open("/f", vfs.O_RDONLY, 0, nil)
	e.must(er, "open")
	defer r.DecRef()
	buf := make([]byte, 32)
	if n, _ := r.Pread(buf, 0); string(buf[:n]) != "lower data" {
		t.Fatalf("read %q", buf[:n])
	}
	w, er := e.ns.Open("/f", vfs.O_RDWR, 0, nil)
	e.must(er, "open for writing")
	if _, er := w.Pwrite([]byte("UPPER"), 0); er != 0 {
		t.Fatal(er)
	}
	w.DecRef()
	if n, _ := r.Pread(buf, 0); string(buf[:n]) != "UPPER data" {
		t.Errorf("reader sees %q after the copy-up", buf[:n])
	}
	if st, _ := r.Stat(); st.Ino != e.lstat(e.ns, "/f").Ino {
		t.Errorf("fstat ino %d, lstat %d", st.Ino, e.lstat(e.ns, "/f").Ino)
	}
	// A reader of a removed lower file keeps it; fchmod cannot copy a
	// file without a name up.
	g, er := e.ns.Open("/g", vfs.O_RDONLY, 0, nil)
	e.must(er, "open g")
	defer g.DecRef()
	e.must(e.ns.Unlink("/g"), "unlink g")
	e.write("/g", "new g", vfs.O_CREAT|vfs.O_EXCL)
	if n, _ := g.Pread(buf, 0); string(buf[:n]) != "gone soon" {
		t.Errorf("reader of the removed file reads %q", buf[:n])
	}
	e.expect(g.SetAttr(vfs.SetAttr{Mask: vfs.SetMode, Mode: 0o600}), errno.ENOENT, "fchmod of a removed lower file")
	if got := e.read(e.ns, "/g"); got != "new g" {
		t.Errorf("/g = %q", got)
	}
	if st := e.lstat(e.ns, "/g"); st.Perm() != 0o644 {
		t.Errorf("new /g perm %#o", st.Perm())
	}
	// fchmod through a reader of a lower file copies it up.
	e.must(r.SetAttr(vfs.SetAttr{Mask: vfs.SetMode, Mode: 0o600}), "fchmod")
	if st, _ := r.Stat(); st.Perm() != 0o600 {
		t.Errorf("fstat after fchmod: %#o", st.Perm())
	}
}

// TestWhiteoutOnUnlink: removing a lower name leaves a whiteout, which a
// new file replaces; removing an upper-only name leaves none.
func TestWhiteoutOnUnlink(t *testing.T) {
	e := newTEnv(t, unionfs.Options{}, nil, fst.Fixture{
		{Path: "f", Type: vfs.TypeRegular, Data: "lower f"},
		{Path: "c", Type: vfs.TypeRegular, Data: "lower c"},
		{Path: "l", Type: vfs.TypeSymlink, Target: "f"},
		{Path: "d", Type: vfs.TypeDirectory},
		{Path: "d/g", Type: vfs.TypeRegular},
	})
	wh := unionfs.WhiteoutPrefix
	e.must(e.ns.Unlink("/f"), "unlink")
	e.expect(e.ns.Unlink("/f"), errno.ENOENT, "unlink twice")
	if e.exists(e.ns, "/f") || !e.exists(e.uns, "/"+wh+"f") || e.exists(e.uns, "/f") {
		t.Error("unlink of a lower file: no whiteout, or the name still shows")
	}
	e.must(e.ns.Unlink("/l"), "unlink symlink")
	e.must(e.ns.Unlink("/d/g"), "unlink nested")
	if !e.exists(e.uns, "/d/"+wh+"g") || e.list(e.ns, "/d") != "" {
		t.Errorf("/d lists %q", e.list(e.ns, "/d"))
	}
	if got := e.list(e.ns, "/"); got != "c:regular d:directory" {
		t.Errorf("root lists %q", got)
	}
	// A new file over the whiteout replaces it.
	e.write("/f", "new f", vfs.O_CREAT|vfs.O_EXCL)
	if e.exists(e.uns, "/"+wh+"f") || e.read(e.ns, "/f") != "new f" {
		t.Error("create over a whiteout")
	}
	e.must(e.ns.Unlink("/f"), "unlink new")
	if !e.exists(e.uns, "/"+wh+"f") || e.exists(e.ns, "/f") {
		t.Error("unlink of a file over a lower one: no whiteout")
	}
	// A copied-up file.
	e.must(e.ns.SetAttr("/c", false, vfs.SetAttr{Mask: vfs.SetMode, Mode: 0o600}), "chmod")
	e.must(e.ns.Unlink("/c"), "unlink copied")
	if e.exists(e.uns, "/c") || !e.exists(e.uns, "/"+wh+"c") || e.exists(e.ns, "/c") {
		t.Error("unlink of a copied-up file")
	}
	// An upper-only file.
	e.write("/u", "u", vfs.O_CREAT)
	e.must(e.ns.Unlink("/u"), "unlink upper")
	if e.exists(e.uns, "/"+wh+"u") || e.exists(e.uns, "/u") {
		t.Error("unlink of an upper-only file left something")
	}
}

// TestUnlinkedWhileOpen: a lower file unlinked (or replaced by rename)
// while open stays readable, and fstat of it says the name is gone (its
// link count drops by the union's name), as Linux says of a file on one
// file system.
func TestUnlinkedWhileOpen(t *testing.T) {
	e := newTEnv(t, unionfs.Options{}, nil, fst.Fixture{
		{Path: "f", Type: vfs.TypeRegular, Data: "lower f"},
		{Path: "g", Type: vfs.TypeRegular, Data: "lower g"},
		{Path: "src", Type: vfs.TypeRegular, Data: "src"},
	})
	for _, c := range []struct {
		name   string
		remove func() errno.Errno
	}{
		{"/f", func() errno.Errno { return e.ns.Unlink("/f") }},
		{"/g", func() errno.Errno { return e.ns.Rename("/src", "/g") }},
	} {
		f, err := e.ns.Open(c.name, vfs.O_RDONLY, 0, nil)
		e.must(err, "open "+c.name)
		if st, _ := f.Stat(); st.Nlink != 1 {
			t.Errorf("%s: nlink %d before, want 1", c.name, st.Nlink)
		}
		e.must(c.remove(), "remove "+c.name)
		st, err := f.Stat()
		e.must(err, "fstat "+c.name)
		if st.Nlink != 0 {
			t.Errorf("%s: nlink %d once removed, want 0", c.name, st.Nlink)
		}
		buf := make([]byte, 16)
		if n, _ := f.Pread(buf, 0); string(buf[:n]) != "lower "+c.name[1:] {
			t.Errorf("%s: read %q once removed", c.name, buf[:n])
		}
		f.DecRef()
	}
}

// TestOpaqueDirectories: rmdir of a lower directory works once everything
// in it is whited out; mkdir over the whiteout makes an opaque directory;
// the same for a merged directory.
func TestOpaqueDirectories(t *testing.T) {
	e := newTEnv(t, unionfs.Options{}, nil, fst.Fixture{
		{Path: "d", Type: vfs.TypeDirectory},
		{Path: "d/x", Type: vfs.TypeRegular, Data: "x"},
		{Path: "d/sub", Type: vfs.TypeDirectory},
		{Path: "d/sub/y", Type: vfs.TypeRegular},
		{Path: "m", Type: vfs.TypeDirectory},
		{Path: "m/x", Type: vfs.TypeRegular},
		{Path: "e", Type: vfs.TypeDirectory},
	})
	wh, opq := unionfs.WhiteoutPrefix, unionfs.OpaqueMarker
	e.expect(e.ns.Rmdir("/d"), errno.ENOTEMPTY, "rmdir lower dir")
	e.must(e.ns.Unlink("/d/x"), "unlink")
	e.expect(e.ns.Rmdir("/d"), errno.ENOTEMPTY, "rmdir with a subdirectory")
	e.must(e.ns.Unlink("/d/sub/y"), "unlink")
	e.must(e.ns.Rmdir("/d/sub"), "rmdir sub")
	e.must(e.ns.Rmdir("/d"), "rmdir emptied lower dir")
	if e.exists(e.ns, "/d") || e.exists(e.uns, "/d") || !e.exists(e.uns, "/"+wh+"d") {
		t.Error("rmdir: the upper directory or no whiteout is left")
	}
	e.must(e.ns.Mkdir("/d", 0o700), "mkdir over whiteout")
	if got := e.list(e.ns, "/d"); got != "" {
		t.Errorf("new /d lists %q", got)
	}
	if !e.exists(e.uns, "/d/"+opq) || e.exists(e.uns, "/"+wh+"d") {
		t.Error("mkdir over a whiteout: not opaque, or the whiteout stays")
	}
	if st := e.lstat(e.ns, "/d"); st.Perm() != 0o700 || st.Nlink != 2 {
		t.Errorf("new /d: perm %#o nlink %d", st.Perm(), st.Nlink)
	}
	e.write("/d/x", "new x", vfs.O_CREAT|vfs.O_EXCL)
	if got := e.list(e.ns, "/d"); got != "x:regular" {
		t.Errorf("/d lists %q", got)
	}
	e.expect(e.ns.Rmdir("/d"), errno.ENOTEMPTY, "rmdir opaque non-empty")
	e.must(e.ns.Unlink("/d/x"), "unlink")
	e.must(e.ns.Rmdir("/d"), "rmdir opaque")
	if e.exists(e.ns, "/d") || !e.exists(e.uns, "/"+wh+"d") {
		t.Error("rmdir of the opaque directory")
	}

	// A merged directory: rmdir, then mkdir again.
	e.write("/m/y", "y", vfs.O_CREAT)
	if got := e.list(e.ns, "/m"); got != "x:regular y:regular" {
		t.Errorf("/m lists %q", got)
	}
	e.must(e.ns.Unlink("/m/x"), "unlink")
	e.must(e.ns.Unlink("/m/y"), "unlink")
	e.must(e.ns.Rmdir("/m"), "rmdir merged")
	e.must(e.ns.Mkdir("/m", 0o755), "mkdir")
	if got := e.list(e.ns, "/m"); got != "" {
		t.Errorf("/m after rmdir+mkdir lists %q", got)
	}
	// An empty lower directory.
	e.must(e.ns.Rmdir("/e"), "rmdir empty lower dir")
	if e.exists(e.ns, "/e") {
		t.Error("/e still shows")
	}
	// The work directory is empty.
	wd, er := e.upper.Root().Lookup(unionfs.WorkDir)
	e.must(er, "work dir")
	if l, _ := wd.ReadDir(); len(l) != 0 {
		t.Errorf("work directory holds %v", l)
	}
}

// TestMergedReadDir: three layers, whiteouts and opaque directories in
// each; the listing is merged, sorted, without duplicates or reserved
// names, with inode numbers that match lstat and do not change.
func TestMergedReadDir(t *testing.T) {
	e := newTEnv(t, unionfs.Options{}, nil,
		fst.Fixture{
			{Path: "d", Type: vfs.TypeDirectory},
			{Path: "d/a", Type: vfs.TypeRegular, Data: "L1 a"},
			{Path: "d/b", Type: vfs.TypeRegular, Data: "L1 b"},
			{Path: "d/c", Type: vfs.TypeDirectory},
			{Path: "d/c/z1", Type: vfs.TypeRegular},
			{Path: "d/.wh.e", Type: vfs.TypeRegular},
			{Path: "d/o", Type: vfs.TypeDirectory},
			{Path: "d/o/.wh..wh..opq", Type: vfs.TypeRegular},
			{Path: "d/o/k", Type: vfs.TypeRegular},
			{Path: "d/n", Type: vfs.TypeRegular, Data: "n"},
			{Path: "d/.wh.w", Type: vfs.TypeRegular},
		},
		fst.Fixture{
			{Path: "d", Type: vfs.TypeDirectory},
			{Path: "d/b", Type: vfs.TypeRegular, Data: "L2 b"},
			{Path: "d/c", Type: vfs.TypeDirectory},
			{Path: "d/c/z2", Type: vfs.TypeRegular},
			{Path: "d/e", Type: vfs.TypeRegular},
			{Path: "d/g", Type: vfs.TypeRegular},
			{Path: "d/o", Type: vfs.TypeDirectory},
			{Path: "d/o/hidden", Type: vfs.TypeRegular},
			{Path: "d/n", Type: vfs.TypeDirectory},
			{Path: "d/n/hidden", Type: vfs.TypeRegular},
			{Path: "d/w", Type: vfs.TypeDirectory},
			{Path: "d/w/hidden", Type: vfs.TypeRegular},
		})
	// The upper layer gets its share through the union.
	e.write("/d/a", "U a", vfs.O_TRUNC)
	e.write("/d/f", "U f", vfs.O_CREAT|vfs.O_EXCL)
	e.must(e.ns.Unlink("/d/g"), "unlink")
	// w is whited out in the middle layer: a new upper w does not merge
	// with the bottom one.
	e.must(e.ns.Mkdir("/d/w", 0o755), "mkdir")
	want := "a:regular b:regular c:directory f:regular n:regular o:directory w:directory"
	if got := e.list(e.ns, "/d"); got != want {
		t.Errorf("/d lists %q, want %q", got, want)
	}
	if got := e.list(e.ns, "/d/c"); got != "z1:regular z2:regular" {
		t.Errorf("/d/c lists %q", got)
	}
	if got := e.list(e.ns, "/d/w"); got != "" {
		t.Errorf("/d/w lists %q", got)
	}
	if got := e.list(e.ns, "/d/o"); got != "k:regular" {
		t.Errorf("/d/o lists %q", got)
	}
	for p, want := range map[string]string{"/d/a": "U a", "/d/b": "L1 b", "/d/f": "U f", "/d/n": "n"} {
		if got := e.read(e.ns, p); got != want {
			t.Errorf("%s = %q, want %q", p, got, want)
		}
	}
	for _, p := range []string{"/d/e", "/d/g", "/d/o/hidden", "/d/w/hidden", "/d/.wh.e", "/d/o/.wh..wh..opq", "/d/n/hidden"} {
		if _, er := e.ns.Stat(p, false); er != errno.ENOENT && er != errno.ENOTDIR {
			t.Errorf("%s: %v, want ENOENT", p, er)
		}
	}
	if st := e.lstat(e.ns, "/d"); st.Nlink != 5 {
		t.Errorf("/d nlink %d, want 5", st.Nlink)
	}
	// Inode numbers: what readdir says is what lstat says, every time,
	// all different; a directory keeps its number when copied up.
	inos := func() map[string]uint64 {
		f, er := e.ns.Open("/d", vfs.O_RDONLY|vfs.O_DIRECTORY, 0, nil)
		e.must(er, "open")
		defer f.DecRef()
		l, _ := f.ReadDir(0)
		m := map[string]uint64{}
		seen := map[uint64]string{}
		for _, d := range l[2:] {
			if st := e.lstat(e.ns, "/d/"+d.Name); st.Ino != d.Ino {
				t.Errorf("%s: readdir ino %#x, lstat %#x", d.Name, d.Ino, st.Ino)
			}
			if o, ok := seen[d.Ino]; ok {
				t.Errorf("%s and %s share ino %#x", d.Name, o, d.Ino)
			}
			seen[d.Ino] = d.Name
			m[d.Name] = d.Ino
		}
		return m
	}
	first := inos()
	cIno := e.lstat(e.ns, "/d/c").Ino
	e.write("/d/c/new", "", vfs.O_CREAT) // copies /d/c up
	if !e.exists(e.uns, "/d/c/new") {
		t.Fatal("/d/c/new is not in the upper layer")
	}
	if st := e.lstat(e.ns, "/d/c"); st.Ino != cIno || st.Nlink != 2 {
		t.Errorf("/d/c after copy-up: ino %#x (was %#x) nlink %d", st.Ino, cIno, st.Nlink)
	}
	second := inos()
	for name, ino := range first {
		if second[name] != ino {
			t.Errorf("%s: ino %#x then %#x", name, ino, second[name])
		}
	}
	// The upper layer's numbers are its own.
	if st, ust := e.lstat(e.ns, "/d/f"), e.lstat(e.uns, "/d/f"); st.Ino != ust.Ino {
		t.Errorf("upper file: union ino %#x, upper ino %#x", st.Ino, ust.Ino)
	}
}

// TestRename covers rename of lower, upper and copied-up files, over lower
// files, and of directories.
func TestRename(t *testing.T) {
	e := newTEnv(t, unionfs.Options{}, nil, fst.Fixture{
		{Path: "f", Type: vfs.TypeRegular, Data: "lower f", Mode: 0o640},
		{Path: "g", Type: vfs.TypeRegular, Data: "lower g"},
		{Path: "l", Type: vfs.TypeSymlink, Target: "f"},
		{Path: "d", Type: vfs.TypeDirectory},
		{Path: "d/x", Type: vfs.TypeRegular},
		{Path: "e", Type: vfs.TypeDirectory},
		{Path: "sub", Type: vfs.TypeDirectory},
		{Path: "sub/y", Type: vfs.TypeRegular, Data: "lower y"},
	})
	wh := unionfs.WhiteoutPrefix
	// A lower file: copied up, whiteout at the old name.
	e.must(e.ns.Rename("/f", "/f2"), "rename lower file")
	if st := e.lstat(e.ns, "/f2"); e.exists(e.ns, "/f") || !e.exists(e.uns, "/"+wh+"f") || e.read(e.ns, "/f2") != "lower f" || st.Perm() != 0o640 {
		t.Error("rename of a lower file")
	}
	// An upper file: no whiteout.
	e.write("/u", "upper u", vfs.O_CREAT)
	e.must(e.ns.Rename("/u", "/u2"), "rename upper file")
	if e.exists(e.ns, "/u") || e.exists(e.uns, "/"+wh+"u") || e.read(e.ns, "/u2") != "upper u" {
		t.Error("rename of an upper file")
	}
	// Over a lower file; removing it then must not bring the lower back.
	e.must(e.ns.Rename("/u2", "/g"), "rename over a lower file")
	if got := e.read(e.ns, "/g"); got != "upper u" {
		t.Errorf("/g = %q", got)
	}
	e.must(e.ns.Unlink("/g"), "unlink")
	if e.exists(e.ns, "/g") {
		t.Error("the lower /g shows again")
	}
	// A lower file into a lower directory (copied up on the way).
	e.must(e.ns.Rename("/f2", "/d/f3"), "rename into a lower dir")
	if got := e.list(e.ns, "/d"); got != "f3:regular x:regular" {
		t.Errorf("/d lists %q", got)
	}
	// A lower symbolic link.
	e.must(e.ns.Rename("/l", "/l2"), "rename lower symlink")
	if target, _ := e.ns.Readlink("/l2"); target != "f" || e.exists(e.ns, "/l") {
		t.Errorf("renamed link -> %q", target)
	}
	// Directories a lower layer holds cannot move.
	e.expect(e.ns.Rename("/d", "/d2"), errno.EXDEV, "rename merged dir")
	e.expect(e.ns.Rename("/e", "/e2"), errno.EXDEV, "rename lower dir")
	e.expect(e.ns.Rename("/sub", "/e"), errno.EXDEV, "rename lower dir over lower dir")
	// An upper directory over a lower one whose entries are whited out:
	// it lands opaque, and what was below stays hidden.
	e.must(e.ns.Unlink("/sub/y"), "unlink")
	e.must(e.ns.Mkdir("/p", 0o755), "mkdir")
	e.write("/p/q", "q", vfs.O_CREAT)
	e.must(e.ns.Rename("/p", "/sub"), "rename dir over whited-out dir")
	if got := e.list(e.ns, "/sub"); got != "q:regular" {
		t.Errorf("/sub lists %q, want only q", got)
	}
	if !e.exists(e.uns, "/sub/"+unionfs.OpaqueMarker) {
		t.Error("the moved directory is not opaque")
	}
	// An opaque upper directory can move; the lower one stays hidden.
	e.must(e.ns.Rename("/sub", "/sub2"), "rename opaque dir")
	if e.exists(e.ns, "/sub") || e.list(e.ns, "/sub2") != "q:regular" {
		t.Errorf("after moving /sub: /sub exists %v, /sub2 lists %q", e.exists(e.ns, "/sub"), e.list(e.ns, "/sub2"))
	}
	// Over an empty lower directory.
	e.must(e.ns.Rename("/sub2", "/e"), "rename over empty lower dir")
	if got := e.list(e.ns, "/e"); got != "q:regular" {
		t.Errorf("/e lists %q", got)
	}
	// A file onto itself through a hard link does nothing.
	e.write("/h", "h", vfs.O_CREAT)
	e.must(e.ns.Link("/h", "/h2", false), "link")
	e.must(e.ns.Rename("/h", "/h2"), "rename onto a hard link")
	if !e.exists(e.ns, "/h") || !e.exists(e.ns, "/h2") {
		t.Error("rename onto a hard link of itself removed a name")
	}
	// Failures change nothing.
	e.expect(e.ns.Rename("/e", "/d"), errno.ENOTEMPTY, "rename over a non-empty merged dir")
	e.expect(e.ns.Rename("/h", "/d"), errno.EISDIR, "file over dir")
	if got := e.list(e.ns, "/"); got != "d:directory e:directory h:regular h2:regular l2:symlink" {
		t.Errorf("root lists %q", got)
	}
}

// TestLinkLowerFile: a hard link to a lower file copies it up first.
func TestLinkLowerFile(t *testing.T) {
	e := newTEnv(t, unionfs.Options{}, nil, fst.Fixture{
		{Path: "f", Type: vfs.TypeRegular, Data: "data"},
		{Path: "d", Type: vfs.TypeDirectory},
		{Path: "l", Type: vfs.TypeSymlink, Target: "f"},
	})
	e.must(e.ns.Link("/f", "/d/h", false), "link")
	a, b := e.lstat(e.ns, "/f"), e.lstat(e.ns, "/d/h")
	if a.Ino != b.Ino || a.Nlink != 2 || b.Nlink != 2 {
		t.Errorf("ino %#x %#x nlink %d %d", a.Ino, b.Ino, a.Nlink, b.Nlink)
	}
	e.write("/d/h", "DATA", 0)
	if got := e.read(e.ns, "/f"); got != "DATA" {
		t.Errorf("write through the link: %q", got)
	}
	if !e.exists(e.uns, "/f") || !e.exists(e.uns, "/d/h") {
		t.Error("the upper layer lacks a name")
	}
	e.must(e.ns.Link("/l", "/l2", false), "link symlink")
	if target, _ := e.ns.Readlink("/l2"); target != "f" {
		t.Errorf("linked symlink -> %q", target)
	}
	e.expect(e.ns.Link("/f", "/l", false), errno.EEXIST, "link over a lower name")
	e.expect(e.ns.Link("/d", "/d2", false), errno.EPERM, "link dir")
}

// TestConcurrentCopyUp: many writers open one lower file at once; it is
// copied up exactly once and every write lands in the copy.
func TestConcurrentCopyUp(t *testing.T) {
	const writers = 16
	data := pattern(64 << 10)
	e := newTEnv(t, unionfs.Options{ChunkSize: 4096}, nil, fst.Fixture{
		{Path: "a", Type: vfs.TypeDirectory},
		{Path: "a/big", Type: vfs.TypeRegular, Data: data},
	})
	var wg sync.WaitGroup
	start := make(chan struct{})
	for w := range writers {
		wg.Add(2)
		go func() {
			defer wg.Done()
			<-start
			f, er := e.ns.Open("/a/big", vfs.O_RDWR, 0, nil)
			if er != 0 {
				t.Error(er)
				return
			}
			defer f.DecRef()
			if _, er := f.Pwrite([]byte{'0' + byte(w)}, int64(w*1000)); er != 0 {
				t.Error(er)
			}
			runtime.GC() // let nodes be collected and made again
		}()
		go func() {
			defer wg.Done()
			<-start
			f, er := e.ns.Open("/a/big", vfs.O_RDONLY, 0, nil)
			if er != 0 {
				t.Error(er)
				return
			}
			defer f.DecRef()
			buf := make([]byte, 4096)
			for off := int64(0); off < int64(len(data)); off += int64(len(buf)) {
				f.Pread(buf, off)
			}
			e.ns.Stat("/a/big", false)
		}()
	}
	close(start)
	wg.Wait()
	if n := e.rec.count(".wh..wh..tmp."); n != 1 {
		t.Errorf("copied up %d times", n)
	}
	want := []byte(data)
	for w := range writers {
		want[w*1000] = '0' + byte(w)
	}
	if got := e.read(e.ns, "/a/big"); got != string(want) {
		t.Error("writes lost")
	}
}

// TestReservedNames: names starting with ".wh." are never visible and
// cannot be made.
func TestReservedNames(t *testing.T) {
	e := newTEnv(t, unionfs.Options{}, nil, fst.Fixture{
		{Path: "f", Type: vfs.TypeRegular},
		{Path: ".wh.lowest", Type: vfs.TypeRegular},
	})
	e.must(e.ns.Unlink("/f"), "unlink") // makes a whiteout
	e.write("/g", "", vfs.O_CREAT)
	e.must(e.ns.SetAttr("/", false, vfs.SetAttr{Mask: vfs.SetMode, Mode: 0o755}), "chmod /")
	for _, name := range []string{".wh.f", ".wh.lowest", unionfs.OpaqueMarker, unionfs.WorkDir, ".wh.nothing"} {
		p := "/" + name
		_, er := e.ns.Stat(p, false)
		e.expect(er, errno.ENOENT, "lstat %s", p)
		e.expect(e.ns.Unlink(p), errno.ENOENT, "unlink %s", p)
		e.expect(e.ns.Rmdir(p), errno.ENOENT, "rmdir %s", p)
		e.expect(e.ns.Rename(p, "/x"), errno.ENOENT, "rename %s", p)
	}
	_, er := e.ns.Open("/.wh.new", vfs.O_CREAT|vfs.O_WRONLY, 0o644, nil)
	e.expect(er, errno.EINVAL, "create")
	e.expect(e.ns.Mkdir("/.wh.new", 0o755), errno.EINVAL, "mkdir")
	e.expect(e.ns.Symlink("g", "/.wh.new"), errno.EINVAL, "symlink")
	e.expect(e.ns.Link("/g", "/.wh.new", false), errno.EINVAL, "link")
	e.expect(e.ns.Rename("/g", "/.wh.new"), errno.EINVAL, "rename to")
	e.expect(e.ns.Mkdir("/"+unionfs.OpaqueMarker, 0o755), errno.EINVAL, "mkdir opaque marker")
	if got := e.list(e.ns, "/"); got != "g:regular" {
		t.Errorf("root lists %q", got)
	}
	// ".wh" and ".whatever" are ordinary names.
	e.write("/.whatever", "", vfs.O_CREAT)
	e.must(e.ns.Mkdir("/.wh", 0o755), "mkdir .wh")
}

// TestReadOnlyUnion: without an upper layer every change is EROFS, and a
// missing name is still ENOENT.
func TestReadOnlyUnion(t *testing.T) {
	lower := layer(t, fst.Fixture{
		{Path: "f", Type: vfs.TypeRegular, Data: "f"},
		{Path: "d", Type: vfs.TypeDirectory},
		{Path: "d/x", Type: vfs.TypeRegular},
		{Path: "e", Type: vfs.TypeDirectory},
		{Path: "l", Type: vfs.TypeSymlink, Target: "f"},
	})
	guard(t, lower)
	ns := vfs.NewNamespace(mustNew(t, nil, []vfs.FileSystem{lower}, unionfs.Options{}), false, "ro")
	open := func(p string, fl vfs.OpenFlags) errno.Errno {
		f, e := ns.Open(p, fl, 0o644, nil)
		if e == 0 {
			f.DecRef()
		}
		return e
	}
	r, e := ns.Open("/f", vfs.O_RDONLY, 0, nil)
	must(t, e, "open for reading")
	defer r.DecRef()
	cases := map[string]func() errno.Errno{
		"open write":     func() errno.Errno { return open("/f", vfs.O_WRONLY) },
		"open trunc":     func() errno.Errno { return open("/f", vfs.O_RDWR|vfs.O_TRUNC) },
		"create":         func() errno.Errno { return open("/d/new", vfs.O_CREAT|vfs.O_RDONLY) },
		"mkdir":          func() errno.Errno { return ns.Mkdir("/new", 0o755) },
		"symlink":        func() errno.Errno { return ns.Symlink("f", "/new") },
		"link":           func() errno.Errno { return ns.Link("/f", "/new", false) },
		"unlink":         func() errno.Errno { return ns.Unlink("/f") },
		"unlink symlink": func() errno.Errno { return ns.Unlink("/l") },
		"rmdir":          func() errno.Errno { return ns.Rmdir("/e") },
		"rename file":    func() errno.Errno { return ns.Rename("/f", "/g") },
		"rename dir":     func() errno.Errno { return ns.Rename("/e", "/g") },
		"truncate":       func() errno.Errno { return ns.SetAttr("/f", true, vfs.SetAttr{Mask: vfs.SetSize}) },
		"chmod":          func() errno.Errno { return ns.SetAttr("/f", true, vfs.SetAttr{Mask: vfs.SetMode, Mode: 0o600}) },
		"utimens dir":    func() errno.Errno { return ns.SetAttr("/d", true, vfs.SetAttr{Mask: vfs.SetMtimeNow}) },
		"utimens link":   func() errno.Errno { return ns.SetAttr("/l", false, vfs.SetAttr{Mask: vfs.SetMtimeNow}) },
		"fchmod":         func() errno.Errno { return r.SetAttr(vfs.SetAttr{Mask: vfs.SetMode, Mode: 0o600}) },
	}
	for name, op := range cases {
		if got := op(); got != errno.EROFS {
			t.Errorf("%s: %v, want EROFS", name, got)
		}
	}
	if e := ns.Unlink("/nope"); e != errno.ENOENT {
		t.Errorf("unlink missing: %v", e)
	}
	if e := ns.Rmdir("/nope"); e != errno.ENOENT {
		t.Errorf("rmdir missing: %v", e)
	}
	if e := ns.Mkdir("/d", 0o755); e != errno.EEXIST {
		t.Errorf("mkdir existing: %v", e)
	}
	buf := make([]byte, 8)
	if n, _ := r.Pread(buf, 0); string(buf[:n]) != "f" {
		t.Errorf("read %q", buf[:n])
	}
}

// TestRemovedDirectory: a directory removed through the union can no
// longer be created in, through a node found before the removal (a
// process's working directory).
func TestRemovedDirectory(t *testing.T) {
	e := newTEnv(t, unionfs.Options{}, nil, fst.Fixture{
		{Path: "d", Type: vfs.TypeDirectory},
		{Path: "d/sub", Type: vfs.TypeDirectory},
	})
	d, er := e.ns.Resolve("/d/sub", true)
	e.must(er, "resolve")
	e.must(e.ns.Rmdir("/d/sub"), "rmdir")
	_, er = d.Inode.Create("x", 0o644)
	e.expect(er, errno.ENOENT, "create in the removed lower directory")
	e.expect(d.Inode.Mkdir("x", 0o755), errno.ENOENT, "mkdir in the removed lower directory")
	if l, er := d.Inode.ReadDir(); er != 0 || len(l) != 0 {
		t.Errorf("removed directory lists %v, %v", l, er)
	}
	// Made again: a new, empty directory.
	e.must(e.ns.Mkdir("/d/sub", 0o755), "mkdir")
	e.write("/d/sub/y", "y", vfs.O_CREAT)
	_, er = d.Inode.Lookup("y")
	e.expect(er, errno.ENOENT, "lookup through the removed directory")
}

// TestInodeNumbers: a lower layer's numbers carry its index; the layers'
// numbers never collide.
func TestInodeNumbers(t *testing.T) {
	fx := fst.Fixture{{Path: "f", Type: vfs.TypeRegular}, {Path: "d", Type: vfs.TypeDirectory}}
	e := newTEnv(t, unionfs.Options{}, nil, fx, fst.Fixture{
		{Path: "g", Type: vfs.TypeRegular}, {Path: "d", Type: vfs.TypeDirectory}, {Path: "d/h", Type: vfs.TypeRegular},
	})
	e.write("/u", "", vfs.O_CREAT)
	seen := map[uint64]string{}
	for _, p := range []string{"/", "/f", "/g", "/d", "/d/h", "/u"} {
		st := e.lstat(e.ns, p)
		if o, ok := seen[st.Ino]; ok {
			t.Errorf("%s and %s share ino %#x", p, o, st.Ino)
		}
		seen[st.Ino] = p
	}
	lst, _ := e.lowers[0].Root().Lookup("f")
	raw, _ := lst.Stat()
	if st := e.lstat(e.ns, "/f"); st.Ino == raw.Ino || st.Ino&0xffffffff != raw.Ino {
		t.Errorf("lower ino %#x shows as %#x", raw.Ino, st.Ino)
	}
	// A copy-up gives a file the upper layer's number.
	e.must(e.ns.SetAttr("/f", false, vfs.SetAttr{Mask: vfs.SetMtimeNow}), "touch")
	if st, ust := e.lstat(e.ns, "/f"), e.lstat(e.uns, "/f"); st.Ino != ust.Ino {
		t.Errorf("copied-up ino %#x, upper %#x", st.Ino, ust.Ino)
	}
}

// TestManyChanges runs random-ish changes from many goroutines over a
// populated lower layer (run with -race): errors are expected, panics,
// races and a changed lower layer are not; afterwards every name listed
// can be looked up and no reserved name is listed.
func TestManyChanges(t *testing.T) {
	var fx fst.Fixture
	for i := range 4 {
		d := fmt.Sprintf("d%d", i)
		fx = append(fx, fst.Entry{Path: d, Type: vfs.TypeDirectory})
		for j := range 5 {
			fx = append(fx, fst.Entry{Path: fmt.Sprintf("%s/f%d", d, j), Type: vfs.TypeRegular, Data: pattern(3000 + j)})
		}
		fx = append(fx, fst.Entry{Path: d + "/s", Type: vfs.TypeDirectory}, fst.Entry{Path: d + "/s/x", Type: vfs.TypeRegular})
	}
	e := newTEnv(t, unionfs.Options{ChunkSize: 1024}, nil, fx)
	ns := e.ns
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 150 {
				d := fmt.Sprintf("/d%d", (w+i)%4)
				f := fmt.Sprintf("%s/f%d", d, i%5)
				switch (w + i) % 9 {
				case 0:
					if h, er := ns.Open(f, vfs.O_RDWR|vfs.O_CREAT, 0o644, nil); er == 0 {
						h.Pwrite([]byte("w"), int64(i))
						h.DecRef()
					}
				case 1:
					ns.Unlink(f)
				case 2:
					ns.Rename(f, fmt.Sprintf("%s/r%d", d, w))
				case 3:
					ns.Link(f, fmt.Sprintf("%s/l%d", d, w), false)
				case 4:
					ns.SetAttr(f, false, vfs.SetAttr{Mask: vfs.SetMode, Mode: 0o600})
				case 5:
					ns.Unlink(d + "/s/x")
					ns.Rmdir(d + "/s")
					ns.Mkdir(d+"/s", 0o755)
				case 6:
					if h, er := ns.Open(d, vfs.O_RDONLY|vfs.O_DIRECTORY, 0, nil); er == 0 {
						h.ReadDir(0)
						h.DecRef()
					}
				case 7:
					if h, er := ns.Open(f, vfs.O_RDONLY, 0, nil); er == 0 {
						h.Pread(make([]byte, 100), 0)
						h.Stat()
						h.DecRef()
					}
				case 8:
					ns.SetAttr(f, false, vfs.SetAttr{Mask: vfs.SetSize, Size: 10})
				}
			}
		}()
	}
	wg.Wait()
	for i := range 4 {
		d := fmt.Sprintf("/d%d", i)
		f, er := ns.Open(d, vfs.O_RDONLY|vfs.O_DIRECTORY, 0, nil)
		e.must(er, "open %s", d)
		l, _ := f.ReadDir(0)
		f.DecRef()
		for _, de := range l[2:] {
			if strings.HasPrefix(de.Name, unionfs.WhiteoutPrefix) {
				t.Errorf("%s lists %s", d, de.Name)
			}
			st, er := ns.Stat(d+"/"+de.Name, false)
			if er != 0 || st.Ino != de.Ino {
				t.Errorf("%s/%s: listed ino %#x, lstat %#x, %v", d, de.Name, de.Ino, st.Ino, er)
			}
		}
	}
}
