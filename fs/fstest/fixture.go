package fstest

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
)

// Entry is one file of a Fixture.
type Entry struct {
	// Path is slash-separated and relative to the fixture root ("a/b.txt").
	Path string
	// Type is TypeRegular, TypeDirectory or TypeSymlink.
	Type vfs.FileType
	// Data is the content of a regular file.
	Data string
	// Target is the target of a symbolic link, stored as given.
	Target string
	// Mode is the permission bits; 0 means 0o644 for files, 0o755 for
	// directories. Symbolic links have none.
	Mode uint32
}

func (e Entry) perm() uint32 {
	switch {
	case e.Mode != 0:
		return e.Mode
	case e.Type == vfs.TypeDirectory:
		return 0o755
	}
	return 0o644
}

// Fixture is a fixed tree, parents listed before their children. Read-only
// file systems are built over it (Populate) and checked against it
// (RunReadOnly); writable ones build it through the VFS and check it too.
type Fixture []Entry

// DefaultFixture returns the tree used by Run and suggested for RunReadOnly:
// nested directories, an empty file, a multi-page file, modes, and relative,
// "..", chained and absolute symbolic links (all resolving inside the tree).
func DefaultFixture() Fixture {
	big := make([]byte, 3*4096+17)
	for i := range big {
		big[i] = byte('a' + i%23)
	}
	return Fixture{
		{Path: "a", Type: vfs.TypeDirectory},
		{Path: "a/b.txt", Type: vfs.TypeRegular, Data: "hello, world\n"},
		{Path: "a/c", Type: vfs.TypeDirectory, Mode: 0o700},
		{Path: "a/c/big", Type: vfs.TypeRegular, Data: string(big)},
		{Path: "a/c/up", Type: vfs.TypeSymlink, Target: "../b.txt"},
		{Path: "a/c/abs", Type: vfs.TypeSymlink, Target: "/a/b.txt"},
		{Path: "a/empty-dir", Type: vfs.TypeDirectory},
		{Path: "empty", Type: vfs.TypeRegular},
		{Path: "exec.sh", Type: vfs.TypeRegular, Data: "#!/bin/sh\necho hi\n", Mode: 0o755},
		{Path: "ro.txt", Type: vfs.TypeRegular, Data: "read only\n", Mode: 0o444},
		{Path: "link", Type: vfs.TypeSymlink, Target: "a/b.txt"},
		{Path: "chain", Type: vfs.TypeSymlink, Target: "link"},
		{Path: "dirlink", Type: vfs.TypeSymlink, Target: "a/c"},
	}
}

// WithoutSymlinks returns fx without its symbolic links, for file systems
// that have none.
func (fx Fixture) WithoutSymlinks() Fixture {
	var out Fixture
	for _, e := range fx {
		if e.Type != vfs.TypeSymlink {
			out = append(out, e)
		}
	}
	return out
}

// Populate writes fx into the existing host directory dir, with the exact
// modes of the fixture.
func (fx Fixture) Populate(dir string) error {
	var dirs []Entry
	for _, e := range fx {
		p := filepath.Join(dir, filepath.FromSlash(e.Path))
		var err error
		switch e.Type {
		case vfs.TypeDirectory:
			err = os.Mkdir(p, 0o700)
			dirs = append(dirs, e)
		case vfs.TypeRegular:
			if err = os.WriteFile(p, []byte(e.Data), 0o600); err == nil {
				err = os.Chmod(p, os.FileMode(e.perm()))
			}
		case vfs.TypeSymlink:
			err = os.Symlink(e.Target, p)
		default:
			err = fmt.Errorf("unsupported type %v", e.Type)
		}
		if err != nil {
			return fmt.Errorf("fstest: populate %s: %w", e.Path, err)
		}
	}
	// Directory modes last, so restrictive ones do not block the writes.
	for i := len(dirs) - 1; i >= 0; i-- {
		p := filepath.Join(dir, filepath.FromSlash(dirs[i].Path))
		if err := os.Chmod(p, os.FileMode(dirs[i].perm())); err != nil {
			return fmt.Errorf("fstest: populate %s: %w", dirs[i].Path, err)
		}
	}
	return nil
}

// build creates fx through ns (a writable file system).
func (fx Fixture) build(t *testing.T, ns *vfs.Namespace) {
	t.Helper()
	for _, e := range fx {
		p := "/" + e.Path
		switch e.Type {
		case vfs.TypeDirectory:
			must(t, ns.Mkdir(p, e.perm()), "mkdir %s", p)
		case vfs.TypeRegular:
			f, er := ns.Open(p, vfs.O_CREAT|vfs.O_EXCL|vfs.O_WRONLY, e.perm(), nil)
			must(t, er, "create %s", p)
			writeAll(t, f, e.Data)
			must(t, f.DecRef(), "close %s", p)
		case vfs.TypeSymlink:
			must(t, ns.Symlink(e.Target, p), "symlink %s", p)
		}
	}
}

// check compares the tree under ns's root with fx: types, sizes, contents,
// link targets, directory listings (exactly), inode numbers of entries, and
// modes when caps.Chmod.
func (fx Fixture) check(t *testing.T, ns *vfs.Namespace, caps Caps) {
	t.Helper()
	children := map[string][]Entry{"": nil}
	for _, e := range fx {
		dir := path.Dir(e.Path)
		if dir == "." {
			dir = ""
		}
		children[dir] = append(children[dir], e)
		if e.Type == vfs.TypeDirectory {
			if _, ok := children[e.Path]; !ok {
				children[e.Path] = nil
			}
		}
	}
	for _, e := range fx {
		p := "/" + e.Path
		st, er := ns.Stat(p, false)
		if er != 0 {
			t.Errorf("lstat %s: %v", p, er)
			continue
		}
		if st.Type() != e.Type {
			t.Errorf("lstat %s: type %v, want %v", p, st.Type(), e.Type)
			continue
		}
		if caps.Chmod && e.Type != vfs.TypeSymlink && st.Perm() != e.perm() {
			t.Errorf("lstat %s: perm %#o, want %#o", p, st.Perm(), e.perm())
		}
		switch e.Type {
		case vfs.TypeRegular:
			if want := int64(len(e.Data)); caps.SizeZero && st.Size != 0 {
				t.Errorf("lstat %s: size %d, want 0 (SizeZero)", p, st.Size)
			} else if !caps.SizeZero && st.Size != want {
				t.Errorf("lstat %s: size %d, want %d", p, st.Size, want)
			}
			if got := readFile(t, ns, p); got != e.Data {
				t.Errorf("read %s: %d bytes %.40q, want %d bytes %.40q", p, len(got), got, len(e.Data), e.Data)
			}
		case vfs.TypeSymlink:
			got, er := ns.Readlink(p)
			if er != 0 || got != e.Target {
				t.Errorf("readlink %s = %q, %v; want %q", p, got, er, e.Target)
			}
			if want := int64(len(e.Target)); caps.SizeZero && st.Size != 0 {
				t.Errorf("lstat %s: size %d, want 0 (SizeZero)", p, st.Size)
			} else if !caps.SizeZero && st.Size != want {
				t.Errorf("lstat %s: size %d, want %d", p, st.Size, want)
			}
		}
	}
	for dir, want := range children {
		p := "/" + dir
		f, er := ns.Open(p, vfs.O_RDONLY|vfs.O_DIRECTORY, 0, nil)
		if er != 0 {
			t.Errorf("open %s: %v", p, er)
			continue
		}
		list, er := f.ReadDir(0)
		f.DecRef()
		if er != 0 {
			t.Errorf("readdir %s: %v", p, er)
			continue
		}
		var got, exp []string
		for _, d := range list {
			got = append(got, fmt.Sprintf("%s:%v", d.Name, d.Type))
			if d.Name == "." || d.Name == ".." {
				continue
			}
			if st, er := ns.Stat(vfs.Join(p, d.Name), false); er == 0 && st.Ino != d.Ino {
				t.Errorf("readdir %s: %s ino %d, lstat says %d", p, d.Name, d.Ino, st.Ino)
			}
		}
		exp = append(exp, ".:directory", "..:directory")
		for _, e := range want {
			exp = append(exp, fmt.Sprintf("%s:%v", path.Base(e.Path), e.Type))
		}
		sort.Strings(got)
		sort.Strings(exp)
		if strings.Join(got, " ") != strings.Join(exp, " ") {
			t.Errorf("readdir %s:\n got  %v\n want %v", p, got, exp)
		}
	}
}

// checkIOFS runs testing/fstest.TestFS over ns, expecting fx's files.
func (fx Fixture) checkIOFS(t *testing.T, ns *vfs.Namespace) {
	t.Helper()
	var names []string
	for _, e := range fx {
		if e.Type == vfs.TypeRegular {
			names = append(names, e.Path)
		}
	}
	if err := fstest.TestFS(IOFS(ns), names...); err != nil {
		t.Error(err)
	}
}

func must(t *testing.T, e errno.Errno, format string, args ...any) {
	t.Helper()
	if e != 0 {
		t.Fatalf(format+": %v", append(args, e)...)
	}
}

func writeAll(t *testing.T, f *vfs.File, data string) {
	t.Helper()
	b := []byte(data)
	for len(b) > 0 {
		n, e := f.Write(b)
		must(t, e, "write %s", f.Path())
		if n == 0 {
			t.Fatalf("write %s: wrote 0 bytes", f.Path())
		}
		b = b[n:]
	}
}

func readAll(t *testing.T, f *vfs.File) string {
	t.Helper()
	var out []byte
	buf := make([]byte, 1000) // not a power of two: exercises page edges
	for {
		n, e := f.Read(buf)
		must(t, e, "read %s", f.Path())
		if n == 0 {
			return string(out)
		}
		out = append(out, buf[:n]...)
	}
}

func readFile(t *testing.T, ns *vfs.Namespace, p string) string {
	t.Helper()
	f, e := ns.Open(p, vfs.O_RDONLY, 0, nil)
	must(t, e, "open %s", p)
	defer f.DecRef()
	return readAll(t, f)
}
