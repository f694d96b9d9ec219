// Package fstest is the conformance suite every mount type runs from its own
// tests. The file system under test is mounted as the root of a fresh
// vfs.Namespace and exercised only through the Namespace and File API, so
// what is checked is what a guest sees: exact errno values, contents,
// attributes, directory listings and rename(2) semantics. It also runs
// testing/fstest.TestFS through IOFS, an io/fs view of a Namespace.
//
// Writable file systems call Run with a constructor; read-only ones are
// built over a Fixture (Populate writes one to a host directory) and call
// RunReadOnly. Caps switches off what a file system legitimately lacks.
//
// Lock order: the suite holds no locks of its own.
package fstest

import (
	"testing"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
)

// Caps says which optional behaviour the file system under test has. A
// false field skips the checks that need it.
type Caps struct {
	// Symlinks: Symlink and Readlink work.
	Symlinks bool
	// HardLinks: Link works and link counts of files are kept.
	HardLinks bool
	// Nlink: Stat reports POSIX link counts (files 1 per name, directories
	// 2 plus one per subdirectory, 0 once removed while open).
	Nlink bool
	// Chmod: permission bits given at creation or by SetAttr are stored
	// exactly (no umask, no masking) and reported by Stat.
	Chmod bool
	// Times: atime and mtime set by SetAttr are stored with nanoseconds.
	Times bool
	// Chown: owners set by SetAttr (SetUid, SetGid) are stored and
	// reported, and a change clears set-uid (and group-executable set-gid)
	// of a non-directory, as Linux does.
	Chown bool
	// UnlinkedOpen: an open file stays readable and writable after its last
	// name is removed (unlink, or replaced by rename).
	UnlinkedOpen bool
	// SizeZero: regular files and symbolic links report size 0, whatever
	// they hold, as Linux's procfs does (their content is made when read);
	// the size check is then that it is 0. Not a capability: a quirk of
	// synthetic file systems.
	SizeZero bool
}

// AllCaps has every capability; an in-memory POSIX file system has them all.
var AllCaps = Caps{Symlinks: true, HardLinks: true, Nlink: true, Chmod: true, Times: true, Chown: true, UnlinkedOpen: true}

// env is one subtest's namespace over a fresh file system.
type env struct {
	t     *testing.T
	ns    *vfs.Namespace
	caps  Caps
	newFS func(t *testing.T) vfs.FileSystem // nil for RunReadOnly
}

func newEnv(t *testing.T, fsys vfs.FileSystem, caps Caps) *env {
	return &env{t: t, ns: vfs.NewNamespace(fsys, false, "fstest"), caps: caps}
}

// sub runs fn as a subtest on a fresh file system holding the setup tree.
func (e *env) sub(name string, fn func(e *env)) {
	e.t.Run(name, func(t *testing.T) {
		s := newEnv(t, e.newFS(t), e.caps)
		s.newFS = e.newFS
		s.setup()
		fn(s)
	})
}

// Run checks a writable file system. newFS must return a fresh, empty file
// system each time it is called (it is called once per subtest); use t for
// temporary directories and cleanups.
func Run(t *testing.T, newFS func(t *testing.T) vfs.FileSystem, caps Caps) {
	tests := []struct {
		name string
		need bool
		fn   func(e *env)
	}{
		{"Fixture", true, testFixture},
		{"Open", true, testOpen},
		{"ReadWrite", true, testReadWrite},
		{"Append", true, testAppend},
		{"ConcurrentAppend", true, testConcurrentAppend},
		{"Sparse", true, testSparse},
		{"Truncate", true, testTruncate},
		{"Chmod", caps.Chmod, testChmod},
		{"Times", caps.Times, testTimes},
		{"Chown", caps.Chown, testChown},
		{"Mkdir", true, testMkdir},
		{"Rmdir", true, testRmdir},
		{"Unlink", true, testUnlink},
		{"Rename", true, testRename},
		{"RenameOpen", caps.UnlinkedOpen, testRenameOpen},
		{"Link", caps.HardLinks, testLink},
		{"Symlink", caps.Symlinks, testSymlink},
		{"ReadDir", true, testReadDir},
		{"UnlinkedOpen", caps.UnlinkedOpen, testUnlinkedOpen},
		{"Nlink", caps.Nlink, testNlink},
		{"Inodes", true, testInodes},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !tc.need {
				t.Skip("not supported by this file system (Caps)")
			}
			e := newEnv(t, newFS(t), caps)
			e.newFS = newFS
			tc.fn(e)
		})
	}
}

// RunReadOnly checks a read-only file system fsys whose root holds exactly
// fx (for example one built over a directory written by fx.Populate). It
// checks fx's tree, runs testing/fstest.TestFS, and expects EROFS from every
// modifying operation (the mount itself is not marked read-only, so the
// errors must come from the file system).
func RunReadOnly(t *testing.T, fsys vfs.FileSystem, fx Fixture, caps Caps) {
	if !caps.Symlinks {
		fx = fx.WithoutSymlinks()
	}
	e := newEnv(t, fsys, caps)
	t.Run("Fixture", func(t *testing.T) { fx.check(t, e.ns, caps) })
	t.Run("TestFS", func(t *testing.T) { fx.checkIOFS(t, e.ns) })
	t.Run("EROFS", func(t *testing.T) { testEROFS(t, e.ns, fx) })
}

// RunSynthetic checks a read-only file system that makes its tree itself
// (procfs): fx is the tree as it stands while the test runs (nothing may
// change it meanwhile; Snapshot takes it), and caller, which may be nil,
// is the caller of the namespace it is checked through (vfs.Namespace.As),
// for links that stand for the caller. It checks fx's tree as RunReadOnly
// does, reads every file at offsets (pread, lseek), and expects every
// modification to fail without changing the tree; which errno is the file
// system's to choose (Linux's procfs answers EACCES, EPERM, ENOENT or
// EEXIST), for its own tests to check. testing/fstest.TestFS is not run:
// it seeks from the end of files, which Linux's procfs refuses (EINVAL,
// its files having no size), as a file system reporting SizeZero does.
func RunSynthetic(t *testing.T, fsys vfs.FileSystem, caller vfs.Caller, fx Fixture, caps Caps) {
	e := newEnv(t, fsys, caps)
	if caller != nil {
		e.ns = e.ns.As(caller)
	}
	t.Run("Fixture", func(t *testing.T) { fx.check(t, e.ns, caps) })
	t.Run("Reads", func(t *testing.T) { fx.checkReads(t, e.ns) })
	t.Run("Refused", func(t *testing.T) { testModify(t, e.ns, fx, caps, 0) })
}

// checkReads reads every regular file of fx in pieces at offsets (pread)
// and after lseek, expecting its content each time.
func (fx Fixture) checkReads(t *testing.T, ns *vfs.Namespace) {
	t.Helper()
	for _, en := range fx {
		if en.Type != vfs.TypeRegular {
			continue
		}
		p := "/" + en.Path
		f, er := ns.Open(p, vfs.O_RDONLY, 0, nil)
		if er != 0 {
			t.Errorf("open %s: %v", p, er)
			continue
		}
		var got []byte
		buf := make([]byte, 7)
		for off := int64(0); ; off += 7 {
			n, er := f.Pread(buf, off)
			if er != 0 {
				t.Errorf("pread %s at %d: %v", p, off, er)
				break
			}
			if n == 0 {
				break
			}
			got = append(got, buf[:n]...)
		}
		if string(got) != en.Data {
			t.Errorf("pread %s: %.60q, want %.60q", p, got, en.Data)
		}
		if len(en.Data) > 3 {
			if off, er := f.Lseek(3, vfs.SeekSet); er != 0 || off != 3 {
				t.Errorf("lseek %s to 3: %d, %v", p, off, er)
			}
			if off, er := f.Lseek(-1, vfs.SeekCur); er != 0 || off != 2 {
				t.Errorf("lseek %s back 1: %d, %v", p, off, er)
			}
			if rest := readAll(t, f); rest != en.Data[2:] {
				t.Errorf("read %s from 2: %.60q, want %.60q", p, rest, en.Data[2:])
			}
		}
		f.DecRef()
	}
}

// Snapshot returns the tree under ns's root as a Fixture: what lstat,
// readdir, read and readlink show now. Directories are listed before
// their contents.
func Snapshot(t *testing.T, ns *vfs.Namespace) Fixture {
	t.Helper()
	var fx Fixture
	var walk func(dir, rel string)
	walk = func(dir, rel string) {
		f, er := ns.Open(dir, vfs.O_RDONLY|vfs.O_DIRECTORY, 0, nil)
		must(t, er, "open %s", dir)
		list, er := f.ReadDir(0)
		f.DecRef()
		must(t, er, "readdir %s", dir)
		for _, d := range list {
			if d.Name == "." || d.Name == ".." {
				continue
			}
			p, r := vfs.Join(dir, d.Name), d.Name
			if rel != "" {
				r = rel + "/" + d.Name
			}
			st, er := ns.Stat(p, false)
			must(t, er, "lstat %s", p)
			en := Entry{Path: r, Type: st.Type(), Mode: st.Perm()}
			switch st.Type() {
			case vfs.TypeRegular:
				en.Data = readFile(t, ns, p)
			case vfs.TypeSymlink:
				en.Target, er = ns.Readlink(p)
				must(t, er, "readlink %s", p)
				en.Mode = 0
			}
			fx = append(fx, en)
			if st.Type() == vfs.TypeDirectory {
				walk(p, r)
			}
		}
	}
	walk("/", "")
	return fx
}

// testEROFS expects every modification of fx's tree to fail with EROFS.
func testEROFS(t *testing.T, ns *vfs.Namespace, fx Fixture) {
	testModify(t, ns, fx, Caps{}, errno.EROFS)
}

// testModify expects every modification of fx's tree to fail with want
// (any errno when want is 0) and the tree to stay as it was.
func testModify(t *testing.T, ns *vfs.Namespace, fx Fixture, caps Caps, want errno.Errno) {
	var file, dir, emptyDir string
	for _, en := range fx {
		switch {
		case en.Type == vfs.TypeRegular && file == "":
			file = "/" + en.Path
		case en.Type == vfs.TypeDirectory && dir == "":
			dir = "/" + en.Path
		}
	}
	for _, en := range fx {
		if en.Type != vfs.TypeDirectory {
			continue
		}
		empty := true
		for _, c := range fx {
			if len(c.Path) > len(en.Path) && c.Path[:len(en.Path)+1] == en.Path+"/" {
				empty = false
			}
		}
		if empty {
			emptyDir = "/" + en.Path
			break
		}
	}
	if file == "" || dir == "" {
		t.Fatal("fixture needs a regular file and a directory")
	}
	open := func(p string, fl vfs.OpenFlags) errno.Errno {
		f, e := ns.Open(p, fl, 0o644, nil)
		if e == 0 {
			f.DecRef()
		}
		return e
	}
	cases := []struct {
		name string
		op   func() errno.Errno
	}{
		{"open write", func() errno.Errno { return open(file, vfs.O_WRONLY) }},
		{"open rdwr", func() errno.Errno { return open(file, vfs.O_RDWR) }},
		{"create", func() errno.Errno { return open("/new-file", vfs.O_CREAT|vfs.O_WRONLY) }},
		{"create rdonly", func() errno.Errno { return open(dir+"/new-file", vfs.O_CREAT|vfs.O_RDONLY) }},
		{"mkdir", func() errno.Errno { return ns.Mkdir("/new-dir", 0o755) }},
		{"symlink", func() errno.Errno { return ns.Symlink("x", dir+"/new-link") }},
		{"link", func() errno.Errno { return ns.Link(file, "/new-link", false) }},
		{"unlink", func() errno.Errno { return ns.Unlink(file) }},
		{"rmdir", func() errno.Errno {
			if emptyDir == "" {
				return errno.EROFS
			}
			return ns.Rmdir(emptyDir)
		}},
		{"rename", func() errno.Errno { return ns.Rename(file, "/renamed") }},
		{"truncate", func() errno.Errno { return ns.SetAttr(file, true, vfs.SetAttr{Mask: vfs.SetSize}) }},
		{"chmod", func() errno.Errno { return ns.SetAttr(file, true, vfs.SetAttr{Mask: vfs.SetMode, Mode: 0o600}) }},
		{"utimens", func() errno.Errno { return ns.SetAttr(dir, true, vfs.SetAttr{Mask: vfs.SetMtime, Mtime: 1}) }},
	}
	for _, c := range cases {
		got := c.op()
		switch {
		case want == 0 && got == 0:
			t.Errorf("%s: succeeded on a read-only file system", c.name)
		case want != 0 && got != want:
			t.Errorf("%s: got %v, want %v", c.name, got, want)
		}
	}
	// The tree is untouched.
	fx.check(t, ns, Caps{SizeZero: caps.SizeZero})
}

// expect reports got != want.
func (e *env) expect(got, want errno.Errno, format string, args ...any) {
	e.t.Helper()
	if got != want {
		e.t.Errorf(format+": got %v, want %v", append(args, got, want)...)
	}
}

func (e *env) must(er errno.Errno, format string, args ...any) {
	e.t.Helper()
	must(e.t, er, format, args...)
}

func (e *env) open(p string, fl vfs.OpenFlags, perm uint32) *vfs.File {
	e.t.Helper()
	f, er := e.ns.Open(p, fl, perm, nil)
	e.must(er, "open %s", p)
	e.t.Cleanup(func() { f.DecRef() })
	return f
}

func (e *env) writeFile(p, data string) {
	e.t.Helper()
	f, er := e.ns.Open(p, vfs.O_CREAT|vfs.O_TRUNC|vfs.O_WRONLY, 0o644, nil)
	e.must(er, "create %s", p)
	writeAll(e.t, f, data)
	e.must(f.DecRef(), "close %s", p)
}

func (e *env) readFile(p string) string {
	e.t.Helper()
	return readFile(e.t, e.ns, p)
}

func (e *env) lstat(p string) vfs.Stat {
	e.t.Helper()
	st, er := e.ns.Stat(p, false)
	e.must(er, "lstat %s", p)
	return st
}

func (e *env) exists(p string) bool {
	_, er := e.ns.Stat(p, false)
	return er == 0
}

// setup builds the small tree most tests start from:
//
//	/file "hello"   /file2 "world"   /dir/f "in dir"   /dir/sub/   /empty/
//	/link -> file   /dangling -> missing   /dirlink -> dir   (with Symlinks)
func (e *env) setup() {
	e.t.Helper()
	e.writeFile("/file", "hello")
	e.writeFile("/file2", "world")
	e.must(e.ns.Mkdir("/dir", 0o755), "mkdir /dir")
	e.writeFile("/dir/f", "in dir")
	e.must(e.ns.Mkdir("/dir/sub", 0o755), "mkdir /dir/sub")
	e.must(e.ns.Mkdir("/empty", 0o755), "mkdir /empty")
	if e.caps.Symlinks {
		e.must(e.ns.Symlink("file", "/link"), "symlink /link")
		e.must(e.ns.Symlink("missing", "/dangling"), "symlink /dangling")
		e.must(e.ns.Symlink("dir", "/dirlink"), "symlink /dirlink")
	}
}

func testFixture(e *env) {
	fx := DefaultFixture()
	if !e.caps.Symlinks {
		fx = fx.WithoutSymlinks()
	}
	fx.build(e.t, e.ns)
	fx.check(e.t, e.ns, e.caps)
	fx.checkIOFS(e.t, e.ns)
}

func (e *env) ltype(p string) vfs.FileType {
	e.t.Helper()
	st := e.lstat(p)
	return st.Type()
}
