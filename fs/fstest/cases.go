package fstest

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
)

func testOpen(e *env) {
	type openCase struct {
		name     string
		path     string
		flags    vfs.OpenFlags
		symlinks bool
		want     errno.Errno
		check    func(e *env, f *vfs.File)
	}
	isContent := func(want string) func(e *env, f *vfs.File) {
		return func(e *env, f *vfs.File) {
			if got := readAll(e.t, f); got != want {
				e.t.Errorf("content %q, want %q", got, want)
			}
		}
	}
	cases := []openCase{
		{name: "missing", path: "/nope", want: errno.ENOENT},
		{name: "create in missing dir", path: "/nope/x", flags: vfs.O_CREAT, want: errno.ENOENT},
		{name: "create", path: "/new", flags: vfs.O_CREAT | vfs.O_RDWR, check: func(e *env, f *vfs.File) {
			st := e.lstat("/new")
			if st.Type() != vfs.TypeRegular || st.Size != 0 {
				e.t.Errorf("new file: type %v size %d", st.Type(), st.Size)
			}
			if e.caps.Chmod && st.Perm() != 0o640 {
				e.t.Errorf("new file perm %#o, want 0640", st.Perm())
			}
		}},
		{name: "create excl", path: "/dir/new", flags: vfs.O_CREAT | vfs.O_EXCL | vfs.O_WRONLY},
		{name: "excl on file", path: "/file", flags: vfs.O_CREAT | vfs.O_EXCL, want: errno.EEXIST},
		{name: "excl on dir", path: "/dir", flags: vfs.O_CREAT | vfs.O_EXCL, want: errno.EEXIST},
		{name: "excl on symlink", path: "/link", flags: vfs.O_CREAT | vfs.O_EXCL, symlinks: true, want: errno.EEXIST},
		{name: "excl on dangling symlink", path: "/dangling", flags: vfs.O_CREAT | vfs.O_EXCL, symlinks: true, want: errno.EEXIST},
		{name: "create existing keeps data", path: "/file", flags: vfs.O_CREAT | vfs.O_RDWR, check: isContent("hello")},
		{name: "trunc", path: "/file", flags: vfs.O_RDWR | vfs.O_TRUNC, check: func(e *env, f *vfs.File) {
			if st, _ := f.Stat(); st.Size != 0 {
				e.t.Errorf("size after O_TRUNC %d", st.Size)
			}
		}},
		{name: "create trunc", path: "/file", flags: vfs.O_CREAT | vfs.O_WRONLY | vfs.O_TRUNC, check: func(e *env, f *vfs.File) {
			if e.readFile("/file") != "" {
				e.t.Error("O_CREAT|O_TRUNC kept data")
			}
		}},
		{name: "directory flag on file", path: "/file", flags: vfs.O_DIRECTORY, want: errno.ENOTDIR},
		{name: "directory flag on dir", path: "/dir", flags: vfs.O_DIRECTORY},
		{name: "write dir", path: "/dir", flags: vfs.O_WRONLY, want: errno.EISDIR},
		{name: "rdwr dir", path: "/dir", flags: vfs.O_RDWR, want: errno.EISDIR},
		{name: "create existing dir", path: "/dir", flags: vfs.O_CREAT, want: errno.EISDIR},
		{name: "create with slash", path: "/newdir/", flags: vfs.O_CREAT, want: errno.EISDIR},
		{name: "file with slash", path: "/file/", want: errno.ENOTDIR},
		{name: "file as dir", path: "/file/x", want: errno.ENOTDIR},
		{name: "create under file", path: "/file/x", flags: vfs.O_CREAT, want: errno.ENOTDIR},
		{name: "dot", path: "/dir/.", flags: vfs.O_DIRECTORY},
		{name: "dotdot", path: "/dir/sub/../f", check: isContent("in dir")},
		{name: "name too long", path: "/" + strings.Repeat("x", vfs.MaxNameLen+1), flags: vfs.O_CREAT, want: errno.ENAMETOOLONG},
		{name: "follow", path: "/link", symlinks: true, check: isContent("hello")},
		{name: "nofollow", path: "/link", flags: vfs.O_NOFOLLOW, symlinks: true, want: errno.ELOOP},
		{name: "nofollow create", path: "/link", flags: vfs.O_CREAT | vfs.O_NOFOLLOW, symlinks: true, want: errno.ELOOP},
		{name: "nofollow only final", path: "/dirlink/f", flags: vfs.O_NOFOLLOW, symlinks: true, check: isContent("in dir")},
		{name: "dangling", path: "/dangling", symlinks: true, want: errno.ENOENT},
		{name: "create through dangling", path: "/dangling", flags: vfs.O_CREAT | vfs.O_WRONLY, symlinks: true, check: func(e *env, f *vfs.File) {
			writeAll(e.t, f, "made")
			if e.ltype("/dangling") != vfs.TypeSymlink {
				e.t.Error("/dangling is no longer a symlink")
			}
			if got := e.readFile("/missing"); got != "made" {
				e.t.Errorf("link target /missing = %q", got)
			}
		}},
		{name: "create nofollow dangling", path: "/dangling", flags: vfs.O_CREAT | vfs.O_NOFOLLOW, symlinks: true, want: errno.ELOOP},
		{name: "symlink to dir with slash", path: "/dirlink/", flags: vfs.O_DIRECTORY, symlinks: true},
		{name: "symlink to file with slash", path: "/link/", symlinks: true, want: errno.ENOTDIR},
	}
	for _, c := range cases {
		if c.symlinks && !e.caps.Symlinks {
			continue
		}
		e.sub(c.name, func(e *env) {
			f, got := e.ns.Open(c.path, c.flags, 0o640, nil)
			if got != c.want {
				e.t.Fatalf("open(%q, %#x) = %v, want %v", c.path, uint32(c.flags), got, c.want)
			}
			if got != 0 {
				return
			}
			defer f.DecRef()
			if c.check != nil {
				c.check(e, f)
			}
		})
	}
}

func testReadWrite(e *env) {
	e.setup()
	f := e.open("/rw", vfs.O_CREAT|vfs.O_RDWR, 0o644)
	buf := make([]byte, 64)
	pos := func(want int64) {
		e.t.Helper()
		if got, er := f.Lseek(0, vfs.SeekCur); er != 0 || got != want {
			e.t.Errorf("offset %d, %v; want %d", got, er, want)
		}
	}
	writeAll(e.t, f, "hello world")
	pos(11)
	if n, er := f.Read(buf); n != 0 || er != 0 {
		e.t.Errorf("read at EOF = %d, %v", n, er)
	}
	if off, er := f.Lseek(0, vfs.SeekSet); off != 0 || er != 0 {
		e.t.Errorf("lseek set = %d, %v", off, er)
	}
	if n, _ := f.Read(buf[:5]); string(buf[:n]) != "hello" {
		e.t.Errorf("read %q", buf[:n])
	}
	if off, _ := f.Lseek(1, vfs.SeekCur); off != 6 {
		e.t.Errorf("lseek cur = %d", off)
	}
	if n, _ := f.Read(buf); string(buf[:n]) != "world" {
		e.t.Errorf("read %q", buf[:n])
	}
	if off, _ := f.Lseek(-1, vfs.SeekEnd); off != 10 {
		e.t.Errorf("lseek end = %d", off)
	}
	if n, er := f.Pread(buf[:5], 6); er != 0 || string(buf[:n]) != "world" {
		e.t.Errorf("pread = %q, %v", buf[:n], er)
	}
	if n, er := f.Pwrite([]byte("W"), 6); n != 1 || er != 0 {
		e.t.Errorf("pwrite = %d, %v", n, er)
	}
	pos(10)
	if n, er := f.Pread(buf, 100); n != 0 || er != 0 {
		e.t.Errorf("pread past EOF = %d, %v", n, er)
	}
	if got := e.readFile("/rw"); got != "hello World" {
		e.t.Errorf("content %q", got)
	}
	_, er := f.Lseek(-100, vfs.SeekSet)
	e.expect(er, errno.EINVAL, "lseek negative")
	_, er = f.Lseek(-12, vfs.SeekCur)
	e.expect(er, errno.EINVAL, "lseek cur negative")
	_, er = f.Lseek(0, 3)
	e.expect(er, errno.EINVAL, "lseek bad whence")
	pos(10)
	_, er = f.Pread(buf, -1)
	e.expect(er, errno.EINVAL, "pread negative")
	_, er = f.Pwrite(buf, -1)
	e.expect(er, errno.EINVAL, "pwrite negative")

	if st, er := f.Stat(); er != 0 || st.Size != 11 || st.Type() != vfs.TypeRegular {
		e.t.Errorf("fstat = size %d type %v, %v", st.Size, st.Type(), er)
	}
	if st := e.lstat("/rw"); st.Size != 11 {
		e.t.Errorf("stat size %d", st.Size)
	}

	ro := e.open("/rw", vfs.O_RDONLY, 0)
	_, er = ro.Write([]byte("x"))
	e.expect(er, errno.EBADF, "write on O_RDONLY")
	_, er = ro.Pwrite([]byte("x"), 0)
	e.expect(er, errno.EBADF, "pwrite on O_RDONLY")
	wo := e.open("/rw", vfs.O_WRONLY, 0)
	_, er = wo.Read(buf)
	e.expect(er, errno.EBADF, "read on O_WRONLY")
	_, er = wo.Pread(buf, 0)
	e.expect(er, errno.EBADF, "pread on O_WRONLY")
	d := e.open("/dir", vfs.O_RDONLY, 0)
	_, er = d.Read(buf)
	e.expect(er, errno.EISDIR, "read on directory")
	_, er = d.Pread(buf, 0)
	e.expect(er, errno.EISDIR, "pread on directory")

	// Independent offsets; a write through one description is seen by another.
	if n, _ := ro.Read(buf[:5]); string(buf[:n]) != "hello" {
		e.t.Errorf("second description read %q", buf[:n])
	}
	if _, er := wo.Write([]byte("J")); er != 0 {
		e.t.Fatal(er)
	}
	if n, _ := ro.Pread(buf[:1], 0); string(buf[:n]) != "J" {
		e.t.Errorf("write not visible: %q", buf[:n])
	}

	// Multi-page content, odd sizes.
	big := make([]byte, 3*4096+1234)
	for i := range big {
		big[i] = byte(i*7 + i/4096)
	}
	e.writeFile("/big", string(big))
	if got := e.readFile("/big"); got != string(big) {
		e.t.Errorf("big file: read %d bytes, differs from written %d", len(got), len(big))
	}
	bf := e.open("/big", vfs.O_RDWR, 0)
	if _, er := bf.Pwrite([]byte("XYZ"), 4095); er != 0 {
		e.t.Fatal(er)
	}
	copy(big[4095:], "XYZ")
	got := make([]byte, 10)
	if n, _ := bf.Pread(got, 4090); !bytes.Equal(got[:n], big[4090:4100]) {
		e.t.Errorf("across page edge: %q, want %q", got[:n], big[4090:4100])
	}
}

func testAppend(e *env) {
	e.setup()
	f := e.open("/file", vfs.O_WRONLY|vfs.O_APPEND, 0)
	if _, er := f.Lseek(0, vfs.SeekSet); er != 0 {
		e.t.Fatal(er)
	}
	writeAll(e.t, f, " there")
	if off, _ := f.Lseek(0, vfs.SeekCur); off != 11 {
		e.t.Errorf("offset after append %d, want 11", off)
	}
	// Another writer extends the file; the next append goes after it.
	g := e.open("/file", vfs.O_WRONLY, 0)
	if _, er := g.Pwrite([]byte("!!"), 11); er != 0 {
		e.t.Fatal(er)
	}
	writeAll(e.t, f, ".")
	if got := e.readFile("/file"); got != "hello there!!." {
		e.t.Errorf("content %q", got)
	}
	c := e.open("/new", vfs.O_CREAT|vfs.O_WRONLY|vfs.O_APPEND, 0o644)
	writeAll(e.t, c, "a")
	writeAll(e.t, c, "b")
	if got := e.readFile("/new"); got != "ab" {
		e.t.Errorf("content %q", got)
	}
	// pwrite on an O_APPEND description appends and leaves the offset, as
	// on Linux; a negative offset is still EINVAL.
	if _, er := c.Lseek(1, vfs.SeekSet); er != 0 {
		e.t.Fatal(er)
	}
	if n, er := c.Pwrite([]byte("cd"), 0); n != 2 || er != 0 {
		e.t.Errorf("pwrite with O_APPEND = %d, %v", n, er)
	}
	if off, _ := c.Lseek(0, vfs.SeekCur); off != 1 {
		e.t.Errorf("offset after pwrite with O_APPEND %d, want 1", off)
	}
	_, er := c.Pwrite([]byte("x"), -1)
	e.expect(er, errno.EINVAL, "pwrite with O_APPEND at -1")
	if got := e.readFile("/new"); got != "abcd" {
		e.t.Errorf("pwrite with O_APPEND: content %q, want %q", got, "abcd")
	}
}

// testConcurrentAppend has goroutines append fixed-size records through four
// descriptions of one file, with write and with pwrite: O_APPEND must find
// the end and write there in one step for every writer of the inode, so no
// record is lost, torn or overwritten. (A file system without vfs.Appender
// fails it.)
func testConcurrentAppend(e *env) {
	e.setup()
	const (
		writers = 16
		records = 1000
		size    = 32
	)
	descs := []*vfs.File{
		e.open("/log", vfs.O_CREAT|vfs.O_WRONLY|vfs.O_APPEND, 0o644),
		e.open("/log", vfs.O_RDWR|vfs.O_APPEND, 0),
		e.open("/log", vfs.O_WRONLY|vfs.O_APPEND, 0),
		e.open("/log", vfs.O_WRONLY|vfs.O_APPEND, 0),
	}
	record := func(w, i int) string {
		r := fmt.Sprintf("w%02d r%05d ", w, i)
		return r + strings.Repeat(string(rune('a'+w)), size-1-len(r)) + "\n"
	}
	var wg sync.WaitGroup
	errs := make(chan string, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f := descs[w%len(descs)]
			for i := range records {
				var n int
				var er errno.Errno
				if w/len(descs)%2 == 0 {
					n, er = f.Write([]byte(record(w, i)))
				} else {
					n, er = f.Pwrite([]byte(record(w, i)), 0)
				}
				if n != size || er != 0 {
					errs <- fmt.Sprintf("writer %d record %d: %d, %v", w, i, n, er)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for msg := range errs {
		e.t.Error(msg)
	}
	got := e.readFile("/log")
	if len(got) != writers*records*size {
		e.t.Errorf("size %d, want %d (records lost or overwritten)", len(got), writers*records*size)
	}
	// Each writer's records must appear whole, in the order it wrote them.
	last, count := make([]int, writers), make([]int, writers)
	for w := range last {
		last[w] = -1
	}
	bad := 0
	for k := 0; k+size <= len(got); k += size {
		r := got[k : k+size]
		var w, i int
		if _, err := fmt.Sscanf(r, "w%02d r%05d ", &w, &i); err != nil || w < 0 || w >= writers || r != record(w, i) || i <= last[w] {
			if bad++; bad <= 3 {
				e.t.Errorf("record at %d: %q", k, r)
			}
			continue
		}
		last[w] = i
		count[w]++
	}
	if bad > 3 {
		e.t.Errorf("%d bad records in all", bad)
	}
	for w, n := range count {
		if n != records {
			e.t.Errorf("writer %d: %d of %d records", w, n, records)
		}
	}
}

func testSparse(e *env) {
	e.setup()
	zeros := func(b []byte) bool { return bytes.Count(b, []byte{0}) == len(b) }
	f := e.open("/sparse", vfs.O_CREAT|vfs.O_RDWR, 0o644)
	const far = 1 << 20
	if n, er := f.Pwrite([]byte("x"), far); n != 1 || er != 0 {
		e.t.Fatalf("pwrite past EOF = %d, %v", n, er)
	}
	if st, _ := f.Stat(); st.Size != far+1 {
		e.t.Errorf("size %d, want %d", st.Size, far+1)
	}
	buf := make([]byte, 8192)
	if n, er := f.Pread(buf, 0); n != len(buf) || er != 0 || !zeros(buf) {
		e.t.Errorf("hole: n=%d er=%v zeros=%v", n, er, zeros(buf[:n]))
	}
	if n, _ := f.Pread(buf[:5], far-2); string(buf[:n]) != "\x00\x00x" {
		e.t.Errorf("end of hole %q", buf[:n])
	}
	// lseek past EOF, then write.
	g := e.open("/sparse2", vfs.O_CREAT|vfs.O_RDWR, 0o644)
	if off, er := g.Lseek(5000, vfs.SeekSet); off != 5000 || er != 0 {
		e.t.Fatalf("lseek past EOF = %d, %v", off, er)
	}
	if n, _ := g.Read(buf); n != 0 {
		e.t.Errorf("read past EOF = %d", n)
	}
	writeAll(e.t, g, "y")
	got := e.readFile("/sparse2")
	if len(got) != 5001 || !zeros([]byte(got[:5000])) || got[5000] != 'y' {
		e.t.Errorf("sparse2: len %d", len(got))
	}
	// Shrink then grow: the regrown part reads zeros, not the old data.
	e.writeFile("/stale", strings.Repeat("z", 9000))
	must(e.t, e.ns.SetAttr("/stale", true, vfs.SetAttr{Mask: vfs.SetSize, Size: 10}), "truncate")
	must(e.t, e.ns.SetAttr("/stale", true, vfs.SetAttr{Mask: vfs.SetSize, Size: 9000}), "truncate")
	got = e.readFile("/stale")
	if len(got) != 9000 || got[:10] != strings.Repeat("z", 10) || !zeros([]byte(got[10:])) {
		e.t.Errorf("stale data after shrink+grow (len %d)", len(got))
	}
	// A far offset (8 GiB) works without allocating the hole.
	const huge = 8 << 30
	if n, er := f.Pwrite([]byte("end"), huge); n != 3 || er != 0 {
		e.t.Fatalf("pwrite at 8GiB = %d, %v", n, er)
	}
	if n, _ := f.Pread(buf[:6], huge-3); string(buf[:n]) != "\x00\x00\x00end" {
		e.t.Errorf("read at 8GiB %q", buf[:n])
	}
}

func testTruncate(e *env) {
	e.setup()
	e.writeFile("/t", "hello world")
	must(e.t, e.ns.SetAttr("/t", true, vfs.SetAttr{Mask: vfs.SetSize, Size: 5}), "truncate")
	if got := e.readFile("/t"); got != "hello" {
		e.t.Errorf("after shrink %q", got)
	}
	must(e.t, e.ns.SetAttr("/t", true, vfs.SetAttr{Mask: vfs.SetSize, Size: 8}), "truncate")
	if got := e.readFile("/t"); got != "hello\x00\x00\x00" {
		e.t.Errorf("after grow %q", got)
	}
	f := e.open("/t", vfs.O_RDWR, 0)
	must(e.t, f.SetAttr(vfs.SetAttr{Mask: vfs.SetSize, Size: 2}), "ftruncate")
	if st, _ := f.Stat(); st.Size != 2 {
		e.t.Errorf("fstat size %d", st.Size)
	}
	ro := e.open("/t", vfs.O_RDONLY, 0)
	e.expect(ro.SetAttr(vfs.SetAttr{Mask: vfs.SetSize, Size: 0}), errno.EINVAL, "ftruncate on O_RDONLY")
	e.expect(e.ns.SetAttr("/dir", true, vfs.SetAttr{Mask: vfs.SetSize}), errno.EISDIR, "truncate dir")
	e.expect(e.ns.SetAttr("/t", true, vfs.SetAttr{Mask: vfs.SetSize, Size: -1}), errno.EINVAL, "truncate negative")
	e.expect(e.ns.SetAttr("/nope", true, vfs.SetAttr{Mask: vfs.SetSize}), errno.ENOENT, "truncate missing")
	if e.caps.Symlinks {
		must(e.t, e.ns.SetAttr("/link", true, vfs.SetAttr{Mask: vfs.SetSize, Size: 1}), "truncate via link")
		if got := e.readFile("/file"); got != "h" {
			e.t.Errorf("truncate through symlink: %q", got)
		}
	}
	// O_TRUNC is seen through another open description.
	if _, er := f.Pwrite([]byte("abc"), 0); er != 0 {
		e.t.Fatal(er)
	}
	e.open("/t", vfs.O_WRONLY|vfs.O_TRUNC, 0)
	if st, _ := ro.Stat(); st.Size != 0 {
		e.t.Errorf("size after O_TRUNC elsewhere %d", st.Size)
	}
}

func testChmod(e *env) {
	e.setup()
	for _, perm := range []uint32{0o600, 0o751, 0o444, 0o777} {
		p := fmt.Sprintf("/f%o", perm)
		e.open(p, vfs.O_CREAT|vfs.O_RDONLY, perm)
		if st := e.lstat(p); st.Perm() != perm || st.Type() != vfs.TypeRegular {
			e.t.Errorf("create %#o: mode %#o", perm, st.Mode)
		}
		d := fmt.Sprintf("/d%o", perm|0o700)
		must(e.t, e.ns.Mkdir(d, perm|0o700), "mkdir")
		if st := e.lstat(d); st.Perm() != perm|0o700 || st.Type() != vfs.TypeDirectory {
			e.t.Errorf("mkdir %#o: mode %#o", perm|0o700, st.Mode)
		}
	}
	must(e.t, e.ns.SetAttr("/file", true, vfs.SetAttr{Mask: vfs.SetMode, Mode: 0o751}), "chmod")
	if st := e.lstat("/file"); st.Mode != vfs.TypeRegular.ModeBits()|0o751 {
		e.t.Errorf("chmod: mode %#o", st.Mode)
	}
	f := e.open("/file", vfs.O_RDONLY, 0)
	must(e.t, f.SetAttr(vfs.SetAttr{Mask: vfs.SetMode, Mode: 0o600}), "fchmod")
	if st, _ := f.Stat(); st.Perm() != 0o600 {
		e.t.Errorf("fchmod: mode %#o", st.Mode)
	}
	must(e.t, e.ns.SetAttr("/empty", true, vfs.SetAttr{Mask: vfs.SetMode, Mode: 0o1777}), "chmod dir")
	if st := e.lstat("/empty"); st.Mode != vfs.TypeDirectory.ModeBits()|0o1777 {
		e.t.Errorf("chmod dir: mode %#o", st.Mode)
	}
}

func testChown(e *env) {
	e.setup()
	own := func(p string) (uint32, uint32, uint32) {
		st := e.lstat(p)
		return st.Uid, st.Gid, st.Perm()
	}
	must(e.t, e.ns.SetAttr("/file", true, vfs.SetAttr{Mask: vfs.SetMode, Mode: 0o4755}), "chmod")
	must(e.t, e.ns.SetAttr("/file", true, vfs.SetAttr{Mask: vfs.SetUid | vfs.SetGid, Uid: 1000, Gid: 100}), "chown")
	if u, g, m := own("/file"); u != 1000 || g != 100 || m != 0o755 {
		e.t.Errorf("chown 1000:100 of a set-uid file: %d:%d mode %#o, want 1000:100 0755", u, g, m)
	}
	// The group alone, through the open file; set-gid without group
	// execute stays.
	must(e.t, e.ns.SetAttr("/file", true, vfs.SetAttr{Mask: vfs.SetMode, Mode: 0o2745}), "chmod")
	f := e.open("/file", vfs.O_RDONLY, 0)
	must(e.t, f.SetAttr(vfs.SetAttr{Mask: vfs.SetGid, Gid: 7}), "fchown")
	if u, g, m := own("/file"); u != 1000 || g != 7 || m != 0o2745 {
		e.t.Errorf("fchown :7: %d:%d mode %#o, want 1000:7 02745", u, g, m)
	}
	must(e.t, e.ns.SetAttr("/file", true, vfs.SetAttr{Mask: vfs.SetMode, Mode: 0o2755}), "chmod")
	must(e.t, e.ns.SetAttr("/file", true, vfs.SetAttr{Mask: vfs.SetUid, Uid: 0}), "chown")
	if u, g, m := own("/file"); u != 0 || g != 7 || m != 0o755 {
		e.t.Errorf("chown 0 of a group-executable set-gid file: %d:%d mode %#o, want 0:7 0755", u, g, m)
	}
	// A directory keeps its set-gid.
	must(e.t, e.ns.SetAttr("/empty", true, vfs.SetAttr{Mask: vfs.SetMode, Mode: 0o2775}), "chmod dir")
	must(e.t, e.ns.SetAttr("/empty", true, vfs.SetAttr{Mask: vfs.SetUid | vfs.SetGid, Uid: 5, Gid: 6}), "chown dir")
	if u, g, m := own("/empty"); u != 5 || g != 6 || m != 0o2775 {
		e.t.Errorf("chown of a directory: %d:%d mode %#o, want 5:6 02775", u, g, m)
	}
}

func testTimes(e *env) {
	e.setup()
	const at, mt = 1_000_000_001, 2_000_000_002
	must(e.t, e.ns.SetAttr("/file", true, vfs.SetAttr{Mask: vfs.SetAtime | vfs.SetMtime, Atime: at, Mtime: mt}), "utimens")
	if st := e.lstat("/file"); st.Atime != at || st.Mtime != mt {
		e.t.Errorf("utimens: atime %d mtime %d, want %d %d", st.Atime, st.Mtime, at, mt)
	}
	// Only mtime.
	must(e.t, e.ns.SetAttr("/file", true, vfs.SetAttr{Mask: vfs.SetMtime, Mtime: 3_000_000_003}), "utimens")
	if st := e.lstat("/file"); st.Atime != at || st.Mtime != 3_000_000_003 {
		e.t.Errorf("utimens mtime only: atime %d mtime %d", st.Atime, st.Mtime)
	}
	f := e.open("/file", vfs.O_RDWR, 0)
	must(e.t, f.SetAttr(vfs.SetAttr{Mask: vfs.SetAtime | vfs.SetMtime, Atime: 5, Mtime: 7}), "futimens")
	if st, _ := f.Stat(); st.Atime != 5 || st.Mtime != 7 {
		e.t.Errorf("futimens: atime %d mtime %d", st.Atime, st.Mtime)
	}
	// "now" and a write move mtime into the present.
	before := time.Now().Add(-2 * time.Second).UnixNano()
	must(e.t, e.ns.SetAttr("/file2", true, vfs.SetAttr{Mask: vfs.SetAtimeNow | vfs.SetMtimeNow}), "utimens now")
	after := time.Now().Add(2 * time.Second).UnixNano()
	if st := e.lstat("/file2"); st.Mtime < before || st.Mtime > after || st.Atime < before || st.Atime > after {
		e.t.Errorf("utimens now: atime %d mtime %d not in [%d, %d]", st.Atime, st.Mtime, before, after)
	}
	if _, er := f.Write([]byte("x")); er != 0 {
		e.t.Fatal(er)
	}
	if st := e.lstat("/file"); st.Mtime < before {
		e.t.Errorf("write did not update mtime: %d", st.Mtime)
	}
	// Creating an entry updates the directory's mtime.
	must(e.t, e.ns.SetAttr("/dir", true, vfs.SetAttr{Mask: vfs.SetMtime, Mtime: mt}), "utimens dir")
	e.writeFile("/dir/new", "")
	if st := e.lstat("/dir"); st.Mtime < before {
		e.t.Errorf("create did not update dir mtime: %d", st.Mtime)
	}
}

func testMkdir(e *env) {
	e.setup()
	must(e.t, e.ns.Mkdir("/d", 0o755), "mkdir")
	if st := e.lstat("/d"); st.Type() != vfs.TypeDirectory {
		e.t.Errorf("mkdir made %v", st.Type())
	}
	e.writeFile("/d/f", "x")
	e.expect(e.ns.Mkdir("/d", 0o755), errno.EEXIST, "mkdir existing")
	e.expect(e.ns.Mkdir("/file", 0o755), errno.EEXIST, "mkdir over file")
	e.expect(e.ns.Mkdir("/", 0o755), errno.EEXIST, "mkdir /")
	e.expect(e.ns.Mkdir("/d/..", 0o755), errno.EEXIST, "mkdir ..")
	e.expect(e.ns.Mkdir("/nope/d", 0o755), errno.ENOENT, "mkdir in missing")
	e.expect(e.ns.Mkdir("/file/d", 0o755), errno.ENOTDIR, "mkdir under file")
	e.expect(e.ns.Mkdir("/"+strings.Repeat("d", vfs.MaxNameLen+1), 0o755), errno.ENAMETOOLONG, "mkdir long")
	must(e.t, e.ns.Mkdir("/slash/", 0o755), "mkdir with trailing slash")
	must(e.t, e.ns.Mkdir("/d/e", 0o755), "mkdir nested")
	must(e.t, e.ns.Mkdir("/d/e/../e2", 0o755), "mkdir via ..")
	if !e.exists("/d/e2") {
		e.t.Error("/d/e2 missing")
	}
	if e.caps.Symlinks {
		e.expect(e.ns.Mkdir("/dangling", 0o755), errno.EEXIST, "mkdir over dangling symlink")
		must(e.t, e.ns.Mkdir("/dirlink/new", 0o755), "mkdir through symlink")
		if !e.exists("/dir/new") {
			e.t.Error("mkdir through symlink: /dir/new missing")
		}
	}
}

func testRmdir(e *env) {
	e.setup()
	e.expect(e.ns.Rmdir("/dir"), errno.ENOTEMPTY, "rmdir non-empty")
	e.expect(e.ns.Rmdir("/file"), errno.ENOTDIR, "rmdir file")
	e.expect(e.ns.Rmdir("/file/"), errno.ENOTDIR, "rmdir file/")
	e.expect(e.ns.Rmdir("/nope"), errno.ENOENT, "rmdir missing")
	e.expect(e.ns.Rmdir("/nope/x"), errno.ENOENT, "rmdir in missing")
	e.expect(e.ns.Rmdir("/"), errno.EBUSY, "rmdir /")
	e.expect(e.ns.Rmdir("/empty/."), errno.EINVAL, "rmdir .")
	if e.caps.Symlinks {
		e.expect(e.ns.Rmdir("/dirlink"), errno.ENOTDIR, "rmdir symlink to dir")
	}
	must(e.t, e.ns.Rmdir("/empty"), "rmdir")
	if e.exists("/empty") {
		e.t.Error("/empty still exists")
	}
	must(e.t, e.ns.Rmdir("/dir/sub/"), "rmdir with slash")
	must(e.t, e.ns.Unlink("/dir/f"), "unlink")
	must(e.t, e.ns.Rmdir("/dir"), "rmdir emptied")
	e.expect(e.ns.Rmdir("/dir"), errno.ENOENT, "rmdir twice")
}

func testUnlink(e *env) {
	e.setup()
	e.expect(e.ns.Unlink("/dir"), errno.EISDIR, "unlink dir")
	e.expect(e.ns.Unlink("/dir/"), errno.EISDIR, "unlink dir/")
	e.expect(e.ns.Unlink("/file/"), errno.ENOTDIR, "unlink file/")
	e.expect(e.ns.Unlink("/nope"), errno.ENOENT, "unlink missing")
	e.expect(e.ns.Unlink("/nope/x"), errno.ENOENT, "unlink in missing")
	e.expect(e.ns.Unlink("/file/x"), errno.ENOTDIR, "unlink under file")
	if e.caps.Symlinks {
		must(e.t, e.ns.Unlink("/link"), "unlink symlink")
		if e.exists("/link") || !e.exists("/file") {
			e.t.Error("unlink symlink removed the wrong thing")
		}
		must(e.t, e.ns.Unlink("/dangling"), "unlink dangling")
		must(e.t, e.ns.Unlink("/dirlink"), "unlink symlink to dir")
	}
	must(e.t, e.ns.Unlink("/file"), "unlink")
	if e.exists("/file") {
		e.t.Error("/file still exists")
	}
	e.expect(e.ns.Unlink("/file"), errno.ENOENT, "unlink twice")
	must(e.t, e.ns.Unlink("/dir/f"), "unlink nested")
}

func testRename(e *env) {
	type renameCase struct {
		name     string
		old, new string
		need     bool
		want     errno.Errno
		check    func(e *env)
	}
	content := func(p, want string) func(e *env) {
		return func(e *env) {
			if got := e.readFile(p); got != want {
				e.t.Errorf("%s: %q, want %q", p, got, want)
			}
		}
	}
	gone := func(p string, then func(e *env)) func(e *env) {
		return func(e *env) {
			if e.exists(p) {
				e.t.Errorf("%s still exists", p)
			}
			if then != nil {
				then(e)
			}
		}
	}
	sl, hl := e.caps.Symlinks, e.caps.HardLinks
	cases := []renameCase{
		{name: "file to new name", old: "/file", new: "/new", need: true, check: gone("/file", content("/new", "hello"))},
		{name: "file over file", old: "/file", new: "/file2", need: true, check: gone("/file", content("/file2", "hello"))},
		{name: "file into dir", old: "/file", new: "/dir/file", need: true, check: gone("/file", content("/dir/file", "hello"))},
		{name: "file out of dir", old: "/dir/f", new: "/f", need: true, check: gone("/dir/f", content("/f", "in dir"))},
		{name: "file over dir", old: "/file", new: "/empty", need: true, want: errno.EISDIR},
		{name: "dir over file", old: "/empty", new: "/file", need: true, want: errno.ENOTDIR},
		{name: "dir to new name", old: "/dir", new: "/dir2", need: true, check: gone("/dir", func(e *env) {
			content("/dir2/f", "in dir")(e)
			if st := e.lstat("/dir2/sub"); st.Type() != vfs.TypeDirectory {
				e.t.Error("/dir2/sub lost")
			}
		})},
		{name: "dir over empty dir", old: "/dir", new: "/empty", need: true, check: gone("/dir", content("/empty/f", "in dir"))},
		{name: "dir over non-empty dir", old: "/empty", new: "/dir", need: true, want: errno.ENOTEMPTY},
		{name: "dir onto its parent", old: "/dir/sub", new: "/dir", need: true, want: errno.ENOTEMPTY},
		{name: "dir into itself", old: "/dir", new: "/dir/x", need: true, want: errno.EINVAL},
		{name: "dir into its subdir", old: "/dir", new: "/dir/sub/x", need: true, want: errno.EINVAL},
		{name: "dir to itself", old: "/dir", new: "/dir", need: true, check: content("/dir/f", "in dir")},
		{name: "file to itself", old: "/file", new: "/file", need: true, check: content("/file", "hello")},
		{name: "missing", old: "/nope", new: "/x", need: true, want: errno.ENOENT},
		{name: "missing target dir", old: "/file", new: "/nope/x", need: true, want: errno.ENOENT},
		{name: "target under file", old: "/file", new: "/file2/x", need: true, want: errno.ENOTDIR},
		{name: "file with slash", old: "/file", new: "/new/", need: true, want: errno.ENOTDIR},
		{name: "dir with slash", old: "/empty/", new: "/empty2/", need: true, check: gone("/empty", nil)},
		{name: "dot", old: "/dir/.", new: "/x", need: true, want: errno.EBUSY},
		{name: "dotdot", old: "/dir/sub/..", new: "/x", need: true, want: errno.EBUSY},
		{name: "root", old: "/", new: "/x", need: true, want: errno.EBUSY},
		{name: "onto dot", old: "/empty", new: "/dir/.", need: true, want: errno.EBUSY},
		{name: "moved dir's dotdot", old: "/dir/sub", new: "/empty/sub", need: true, check: func(e *env) {
			if e.lstat("/empty/sub/..").Ino != e.lstat("/empty").Ino {
				e.t.Error("/empty/sub/.. is not /empty")
			}
			e.writeFile("/empty/sub/x", "1")
		}},
		{name: "symlink moves the link", old: "/link", new: "/link2", need: sl, check: func(e *env) {
			if got, _ := e.ns.Readlink("/link2"); got != "file" {
				e.t.Errorf("readlink /link2 = %q", got)
			}
			content("/file", "hello")(e)
			gone("/link", nil)(e)
		}},
		{name: "over symlink", old: "/file2", new: "/link", need: sl, check: func(e *env) {
			if e.ltype("/link") != vfs.TypeRegular {
				e.t.Error("/link is still a symlink")
			}
			content("/link", "world")(e)
			content("/file", "hello")(e)
		}},
		{name: "dir over symlink", old: "/empty", new: "/link", need: sl, want: errno.ENOTDIR},
		{name: "through symlinked parent", old: "/file", new: "/dirlink/moved", need: sl, check: content("/dir/moved", "hello")},
		{name: "hard links of one file", old: "/file", new: "/hl", need: hl, check: func(e *env) {
			content("/file", "hello")(e)
			content("/hl", "hello")(e)
		}},
	}
	for _, c := range cases {
		if !c.need {
			continue
		}
		e.sub(c.name, func(e *env) {
			if c.name == "hard links of one file" {
				must(e.t, e.ns.Link("/file", "/hl", false), "link")
			}
			if got := e.ns.Rename(c.old, c.new); got != c.want {
				e.t.Fatalf("rename(%q, %q) = %v, want %v", c.old, c.new, got, c.want)
			}
			if c.want != 0 {
				// A failed rename changes nothing.
				if _, er := e.ns.Stat(c.old, false); er != 0 && c.want != errno.ENOENT {
					e.t.Errorf("failed rename removed %s: %v", c.old, er)
				}
			}
			if c.check != nil {
				c.check(e)
			}
		})
	}
}

func testRenameOpen(e *env) {
	e.setup()
	f := e.open("/file2", vfs.O_RDONLY, 0)
	must(e.t, e.ns.Rename("/file", "/file2"), "rename over open file")
	if got := readAll(e.t, f); got != "world" {
		e.t.Errorf("replaced open file reads %q", got)
	}
	if got := e.readFile("/file2"); got != "hello" {
		e.t.Errorf("/file2 = %q", got)
	}
	// An open file follows its inode across a rename.
	g := e.open("/file2", vfs.O_RDWR, 0)
	must(e.t, e.ns.Rename("/file2", "/dir/moved"), "rename open file")
	writeAll(e.t, g, "J")
	if got := e.readFile("/dir/moved"); got != "Jello" {
		e.t.Errorf("/dir/moved = %q", got)
	}
}

func testLink(e *env) {
	e.setup()
	must(e.t, e.ns.Link("/file", "/hl", false), "link")
	a, b := e.lstat("/file"), e.lstat("/hl")
	if a.Ino != b.Ino {
		e.t.Errorf("hard link ino %d != %d", b.Ino, a.Ino)
	}
	if a.Nlink != 2 || b.Nlink != 2 {
		e.t.Errorf("nlink %d %d, want 2", a.Nlink, b.Nlink)
	}
	f := e.open("/hl", vfs.O_WRONLY|vfs.O_APPEND, 0)
	writeAll(e.t, f, "!")
	if got := e.readFile("/file"); got != "hello!" {
		e.t.Errorf("write through link: %q", got)
	}
	must(e.t, e.ns.Link("/hl", "/dir/hl2", false), "link into dir")
	if st := e.lstat("/file"); st.Nlink != 3 {
		e.t.Errorf("nlink %d, want 3", st.Nlink)
	}
	e.expect(e.ns.Link("/dir", "/dl", false), errno.EPERM, "link dir")
	e.expect(e.ns.Link("/file", "/file2", false), errno.EEXIST, "link over file")
	e.expect(e.ns.Link("/file", "/dir", false), errno.EEXIST, "link over dir")
	e.expect(e.ns.Link("/nope", "/x", false), errno.ENOENT, "link missing")
	e.expect(e.ns.Link("/file", "/nope/x", false), errno.ENOENT, "link into missing")
	e.expect(e.ns.Link("/file", "/file2/x", false), errno.ENOTDIR, "link under file")
	must(e.t, e.ns.Unlink("/file"), "unlink")
	if got := e.readFile("/hl"); got != "hello!" {
		e.t.Errorf("after unlink of other name: %q", got)
	}
	if st := e.lstat("/hl"); st.Nlink != 2 {
		e.t.Errorf("nlink after unlink %d, want 2", st.Nlink)
	}
	if e.caps.Symlinks {
		must(e.t, e.ns.Link("/link", "/ls", false), "link symlink nofollow")
		if e.ltype("/ls") != vfs.TypeSymlink {
			e.t.Error("link to symlink without follow is not a symlink")
		}
		must(e.t, e.ns.Link("/dirlink/f", "/lf", true), "link follow")
		if e.lstat("/lf").Ino != e.lstat("/dir/f").Ino {
			e.t.Error("link follow: wrong inode")
		}
	}
}

func testSymlink(e *env) {
	e.setup()
	if got, er := e.ns.Readlink("/link"); got != "file" || er != 0 {
		e.t.Errorf("readlink = %q, %v", got, er)
	}
	if st := e.lstat("/link"); st.Type() != vfs.TypeSymlink || st.Size != 4 {
		e.t.Errorf("lstat symlink: type %v size %d", st.Type(), st.Size)
	}
	if st, er := e.ns.Stat("/link", true); er != 0 || st.Type() != vfs.TypeRegular || st.Size != 5 {
		e.t.Errorf("stat through symlink: %v %v %d", er, st.Type(), st.Size)
	}
	_, er := e.ns.Readlink("/file")
	e.expect(er, errno.EINVAL, "readlink on file")
	_, er = e.ns.Readlink("/nope")
	e.expect(er, errno.ENOENT, "readlink missing")
	e.expect(e.ns.Symlink("x", "/file"), errno.EEXIST, "symlink over file")
	e.expect(e.ns.Symlink("x", "/link"), errno.EEXIST, "symlink over symlink")
	e.expect(e.ns.Symlink("x", "/nope/l"), errno.ENOENT, "symlink in missing dir")
	e.expect(e.ns.Symlink("", "/empty-target"), errno.ENOENT, "empty target")
	_, er = e.ns.Stat("/dangling", true)
	e.expect(er, errno.ENOENT, "stat dangling")
	e.lstat("/dangling")

	odd := "a//b/../c/"
	must(e.t, e.ns.Symlink(odd, "/odd"), "symlink")
	if got, _ := e.ns.Readlink("/odd"); got != odd {
		e.t.Errorf("target not stored verbatim: %q", got)
	}
	must(e.t, e.ns.Mkdir("/a", 0o755), "mkdir")
	must(e.t, e.ns.Mkdir("/a/b", 0o755), "mkdir")
	must(e.t, e.ns.Symlink("../../file", "/a/b/rel"), "symlink")
	must(e.t, e.ns.Symlink("/dir/f", "/a/b/abs"), "symlink")
	must(e.t, e.ns.Symlink("rel", "/a/b/chain"), "symlink")
	must(e.t, e.ns.Symlink("../../dirlink/", "/a/b/todir"), "symlink")
	for p, want := range map[string]string{
		"/a/b/rel": "hello", "/a/b/abs": "in dir", "/a/b/chain": "hello",
		"/a/b/todir/f": "in dir", "/dirlink/f": "in dir", "/dirlink/sub/../f": "in dir",
	} {
		if got := e.readFile(p); got != want {
			e.t.Errorf("%s: %q, want %q", p, got, want)
		}
	}
	if e.lstat("/dirlink/..").Ino != e.lstat("/").Ino {
		e.t.Error("/dirlink/.. is not / (.. must apply to the link's target)")
	}
	if e.ltype("/a/b/todir") != vfs.TypeSymlink {
		e.t.Error("lstat followed a final symlink")
	}
	if st, _ := e.ns.Stat("/a/b/todir", true); st.Type() != vfs.TypeDirectory {
		e.t.Error("stat did not follow to a directory")
	}
	must(e.t, e.ns.Symlink("loop2", "/loop1"), "symlink")
	must(e.t, e.ns.Symlink("loop1", "/loop2"), "symlink")
	must(e.t, e.ns.Symlink("self", "/self"), "symlink")
	_, er = e.ns.Stat("/loop1", true)
	e.expect(er, errno.ELOOP, "stat loop")
	_, er = e.ns.Open("/self", vfs.O_RDONLY, 0, nil)
	e.expect(er, errno.ELOOP, "open self loop")
	_, er = e.ns.Stat("/loop1/x", false)
	e.expect(er, errno.ELOOP, "loop in the middle")
	e.lstat("/loop1")
}

func testReadDir(e *env) {
	e.setup()
	list := func(p string) []vfs.Dirent {
		e.t.Helper()
		f := e.open(p, vfs.O_RDONLY|vfs.O_DIRECTORY, 0)
		l, er := f.ReadDir(0)
		e.must(er, "readdir %s", p)
		return l
	}
	names := func(l []vfs.Dirent) string {
		var s []string
		for _, d := range l {
			s = append(s, d.Name+":"+d.Type.String())
		}
		return strings.Join(s, " ")
	}
	if got := names(list("/empty")); got != ".:directory ..:directory" {
		e.t.Errorf("empty dir: %s", got)
	}
	l := list("/dir")
	if got := names(l); got != ".:directory ..:directory f:regular sub:directory" &&
		got != ".:directory ..:directory sub:directory f:regular" {
		e.t.Errorf("/dir: %s", got)
	}
	for _, d := range l[2:] {
		if st := e.lstat("/dir/" + d.Name); st.Ino != d.Ino {
			e.t.Errorf("%s: dirent ino %d, stat ino %d", d.Name, d.Ino, st.Ino)
		}
	}
	if l[0].Ino != e.lstat("/dir").Ino {
		e.t.Errorf(". ino %d, want %d", l[0].Ino, e.lstat("/dir").Ino)
	}
	if e.caps.Symlinks {
		for _, d := range list("/") {
			if d.Name == "link" && d.Type != vfs.TypeSymlink {
				e.t.Errorf("symlink dirent type %v", d.Type)
			}
		}
	}

	// Paging with cookies sees every entry exactly once.
	must(e.t, e.ns.Mkdir("/many", 0o755), "mkdir")
	const n = 150
	for i := range n {
		e.writeFile(fmt.Sprintf("/many/file-%03d", i), "")
	}
	f := e.open("/many", vfs.O_RDONLY|vfs.O_DIRECTORY, 0)
	seen := map[string]int{}
	var cookie uint64
	for {
		page, er := f.ReadDir(cookie)
		e.must(er, "readdir cookie %d", cookie)
		if len(page) == 0 {
			break
		}
		page = page[:min(7, len(page))]
		for _, d := range page {
			seen[d.Name]++
		}
		cookie += uint64(len(page))
	}
	if len(seen) != n+2 || cookie != n+2 {
		e.t.Errorf("paging saw %d names in %d entries, want %d", len(seen), cookie, n+2)
	}
	for name, c := range seen {
		if c != 1 {
			e.t.Errorf("%s seen %d times", name, c)
		}
	}
	if rest, er := f.ReadDir(cookie + 10); len(rest) != 0 || er != 0 {
		e.t.Errorf("readdir past end = %d, %v", len(rest), er)
	}
	// Rewinding (cookie 0) sees changes.
	e.writeFile("/many/late", "")
	must(e.t, e.ns.Unlink("/many/file-000"), "unlink")
	l, _ = f.ReadDir(0)
	got := map[string]bool{}
	for _, d := range l {
		got[d.Name] = true
	}
	if !got["late"] || got["file-000"] || len(l) != n+2 {
		e.t.Errorf("rewind: late=%v file-000=%v len=%d", got["late"], got["file-000"], len(l))
	}
	ff := e.open("/file", vfs.O_RDONLY, 0)
	_, er := ff.ReadDir(0)
	e.expect(er, errno.ENOTDIR, "readdir on file")
}

func testUnlinkedOpen(e *env) {
	e.setup()
	f := e.open("/file", vfs.O_RDWR, 0)
	must(e.t, e.ns.Unlink("/file"), "unlink")
	if got := readAll(e.t, f); got != "hello" {
		e.t.Errorf("unlinked file reads %q", got)
	}
	writeAll(e.t, f, " again")
	buf := make([]byte, 32)
	if n, _ := f.Pread(buf, 0); string(buf[:n]) != "hello again" {
		e.t.Errorf("unlinked file pread %q", buf[:n])
	}
	st, er := f.Stat()
	e.must(er, "fstat unlinked")
	if st.Size != 11 {
		e.t.Errorf("unlinked size %d", st.Size)
	}
	if e.caps.Nlink && st.Nlink != 0 {
		e.t.Errorf("unlinked nlink %d", st.Nlink)
	}
	// The name is free for a new, different file.
	e.writeFile("/file", "new")
	if e.lstat("/file").Ino == st.Ino {
		e.t.Error("new file reuses the open unlinked file's inode number")
	}
	if n, _ := f.Pread(buf, 0); string(buf[:n]) != "hello again" {
		e.t.Errorf("unlinked file changed: %q", buf[:n])
	}
	// A removed directory that is still open lists as empty.
	d := e.open("/empty", vfs.O_RDONLY|vfs.O_DIRECTORY, 0)
	must(e.t, e.ns.Rmdir("/empty"), "rmdir")
	if l, er := d.ReadDir(0); er != 0 || len(l) > 2 {
		e.t.Errorf("removed dir lists %d entries, %v", len(l), er)
	}
}

func testNlink(e *env) {
	e.setup()
	check := func(p string, want uint64) {
		e.t.Helper()
		if st := e.lstat(p); st.Nlink != want {
			e.t.Errorf("%s nlink %d, want %d", p, st.Nlink, want)
		}
	}
	check("/file", 1)
	check("/empty", 2)
	check("/dir", 3)
	must(e.t, e.ns.Mkdir("/dir/sub2", 0o755), "mkdir")
	check("/dir", 4)
	must(e.t, e.ns.Rmdir("/dir/sub2"), "rmdir")
	check("/dir", 3)
	must(e.t, e.ns.Rename("/dir/sub", "/empty/sub"), "rename")
	check("/dir", 2)
	check("/empty", 3)
	must(e.t, e.ns.Mkdir("/x", 0o755), "mkdir")
	must(e.t, e.ns.Rename("/x", "/empty/sub"), "rename over dir")
	check("/empty", 3)
	rootBefore := e.lstat("/").Nlink
	must(e.t, e.ns.Mkdir("/y", 0o755), "mkdir")
	check("/", rootBefore+1)
}

func testInodes(e *env) {
	e.setup()
	seen := map[uint64]string{}
	var dev uint64
	for i, p := range []string{"/", "/file", "/file2", "/dir", "/dir/f", "/dir/sub", "/empty"} {
		st := e.lstat(p)
		if st.Ino == 0 {
			e.t.Errorf("%s: ino 0", p)
		}
		if q, ok := seen[st.Ino]; ok {
			e.t.Errorf("%s and %s share ino %d", p, q, st.Ino)
		}
		seen[st.Ino] = p
		if i == 0 {
			dev = st.Dev
		} else if st.Dev != dev {
			e.t.Errorf("%s: dev %d, want %d", p, st.Dev, dev)
		}
		if again := e.lstat(p); again.Ino != st.Ino {
			e.t.Errorf("%s: ino changed %d -> %d", p, st.Ino, again.Ino)
		}
	}
	f := e.open("/file", vfs.O_RDONLY, 0)
	if st, _ := f.Stat(); st.Ino != e.lstat("/file").Ino || st.Dev != dev {
		e.t.Errorf("fstat ino/dev %d/%d differ from stat", st.Ino, st.Dev)
	}
}
