package fuseview

import (
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/fs/fstest"
	"github.com/occlumgo/occlum/fs/hostfs"
	"github.com/occlumgo/occlum/fs/ramfs"
	"github.com/occlumgo/occlum/fs/sefs"
	"github.com/occlumgo/occlum/fs/unionfs"
)

// These tests need no /dev/fuse: they drive go-fuse's bridge (the
// fuse.RawFileSystem a fuse.Server serves) with FUSE requests made in Go
// by rawFS, as the kernel would make them. mount_test.go does the same
// through the kernel where /dev/fuse exists.

// overFUSE returns fsys as seen through the view and the FUSE protocol.
func overFUSE(t *testing.T, fsys vfs.FileSystem, o Options) vfs.FileSystem {
	t.Helper()
	raw, err := NewRawFS(fsys, o)
	if err != nil {
		t.Fatal(err)
	}
	return newRawFS(raw)
}

// TestConformance runs the shared suite through the view over ramfs,
// which has every capability: the view must keep them all.
func TestConformance(t *testing.T) {
	fstest.Run(t, func(t *testing.T) vfs.FileSystem {
		return overFUSE(t, ramfs.New(ramfs.Options{}), Options{})
	}, fstest.AllCaps)
}

// sefsLayer makes an encrypted, writable sefs layer in a fresh directory.
func sefsLayer(t *testing.T) *sefs.FileSystem {
	t.Helper()
	st, err := sefs.NewDirStorage(t.TempDir(), true)
	if err != nil {
		t.Fatal(err)
	}
	key := make([]byte, sefs.KeySize)
	rand.Read(key)
	l, err := sefs.Create(st, sefs.Options{Mode: sefs.Encrypted, Key: key, CommitInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// TestConformanceSecureRoot runs it through the view over what `occlum
// mount --rw` shows: a unionfs whose writable layer is sefs.
func TestConformanceSecureRoot(t *testing.T) {
	fstest.Run(t, func(t *testing.T) vfs.FileSystem {
		u, err := unionfs.New(sefsLayer(t), []vfs.FileSystem{ramfs.New(ramfs.Options{})}, unionfs.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return overFUSE(t, u, Options{})
	}, fstest.AllCaps)
}

// TestConformanceReadOnly runs the read-only suite through a read-only
// view: the fixture reads back whole, and every change is EROFS.
func TestConformanceReadOnly(t *testing.T) {
	fx := fstest.DefaultFixture()
	dir := t.TempDir()
	if err := fx.Populate(dir); err != nil {
		t.Fatal(err)
	}
	src, err := hostfs.New(dir, hostfs.Options{Exec: true, SetID: true})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	fstest.RunReadOnly(t, overFUSE(t, src, Options{ReadOnly: true}), fx, fstest.AllCaps)
}

// viewOf returns the raw FUSE file system of a view of fsys and its root
// as a vfs inode, for requests the suite cannot make.
func viewOf(t *testing.T, fsys vfs.FileSystem, o Options) (*rawFS, *vfs.Namespace) {
	t.Helper()
	f := overFUSE(t, fsys, o).(*rawFS)
	return f, vfs.NewNamespace(f, false, "fuse")
}

func mustNS(t *testing.T, e errno.Errno, what string) {
	t.Helper()
	if e != 0 {
		t.Fatalf("%s: %v", what, e)
	}
}

func writeNS(t *testing.T, ns *vfs.Namespace, p, data string) {
	t.Helper()
	f, e := ns.Open(p, vfs.O_CREAT|vfs.O_WRONLY|vfs.O_TRUNC, 0o644, nil)
	mustNS(t, e, "open "+p)
	defer f.DecRef()
	if n, e := f.Write([]byte(data)); n != len(data) || e != 0 {
		t.Fatalf("write %s: %d, %v", p, n, e)
	}
}

// TestReadOnlyView: through a read-only view every change is EROFS, at
// the FUSE level too (a kernel mounted without "ro" would still be
// refused), and reads work.
func TestReadOnlyView(t *testing.T) {
	src := ramfs.New(ramfs.Options{})
	sns := vfs.NewNamespace(src, false, "src")
	writeNS(t, sns, "/f", "data")
	mustNS(t, sns.Mkdir("/d", 0o755), "mkdir")
	raw, ns := viewOf(t, src, Options{ReadOnly: true})
	f, e := ns.Open("/f", vfs.O_RDONLY, 0, nil)
	mustNS(t, e, "open for reading")
	buf := make([]byte, 10)
	if n, _ := f.Read(buf); string(buf[:n]) != "data" {
		t.Errorf("read %q", buf[:n])
	}
	f.DecRef()
	for name, got := range map[string]errno.Errno{
		"open for writing": func() errno.Errno { _, e := ns.Open("/f", vfs.O_WRONLY, 0, nil); return e }(),
		"create":           func() errno.Errno { _, e := ns.Open("/g", vfs.O_CREAT|vfs.O_WRONLY, 0o644, nil); return e }(),
		"mkdir":            ns.Mkdir("/e", 0o755),
		"rmdir":            ns.Rmdir("/d"),
		"unlink":           ns.Unlink("/f"),
		"rename":           ns.Rename("/f", "/g"),
		"symlink":          ns.Symlink("/f", "/l"),
		"link":             ns.Link("/f", "/h", false),
		"chmod":            ns.SetAttr("/f", true, vfs.SetAttr{Mask: vfs.SetMode, Mode: 0o600}),
		"truncate":         ns.SetAttr("/f", true, vfs.SetAttr{Mask: vfs.SetSize}),
		"access W_OK":      st(raw.raw.Access(nil, &fuse.AccessIn{InHeader: hdr(fuse.FUSE_ROOT_ID), Mask: 2})),
	} {
		if got != errno.EROFS {
			t.Errorf("%s: %v, want EROFS", name, got)
		}
	}
	if got := st(raw.raw.Access(nil, &fuse.AccessIn{InHeader: hdr(fuse.FUSE_ROOT_ID), Mask: 4})); got != 0 {
		t.Errorf("access R_OK: %v", got)
	}
	if got, _ := vfs.NewNamespace(src, false, "src").Stat("/f", false); got.Size != 4 || got.Perm() != 0o644 {
		t.Errorf("source changed: %+v", got)
	}
}

// TestRenameFlags: renameat2's RENAME_NOREPLACE refuses an existing
// target; RENAME_EXCHANGE is EINVAL (vfs has no exchange).
func TestRenameFlags(t *testing.T) {
	src := ramfs.New(ramfs.Options{})
	sns := vfs.NewNamespace(src, false, "src")
	writeNS(t, sns, "/a", "A")
	writeNS(t, sns, "/b", "B")
	raw, _ := viewOf(t, src, Options{})
	rename := func(from, to string, flags uint32) errno.Errno {
		return st(raw.raw.Rename(nil, &fuse.RenameIn{InHeader: hdr(fuse.FUSE_ROOT_ID), Newdir: fuse.FUSE_ROOT_ID, Flags: flags}, from, to))
	}
	if e := rename("a", "b", renameNoReplace); e != errno.EEXIST {
		t.Errorf("RENAME_NOREPLACE over a file: %v, want EEXIST", e)
	}
	if e := rename("a", "b", 2); e != errno.EINVAL {
		t.Errorf("RENAME_EXCHANGE: %v, want EINVAL", e)
	}
	if e := rename("a", "c", renameNoReplace); e != 0 {
		t.Errorf("RENAME_NOREPLACE to a new name: %v", e)
	}
	if _, e := sns.Stat("/c", false); e != 0 {
		t.Errorf("/c after rename: %v", e)
	}
}

// TestMknod: a regular file can be made with mknod(2); devices, FIFOs and
// sockets cannot be stored (EPERM).
func TestMknod(t *testing.T) {
	src := ramfs.New(ramfs.Options{})
	raw, _ := viewOf(t, src, Options{})
	var out fuse.EntryOut
	if s := raw.raw.Mknod(nil, &fuse.MknodIn{InHeader: hdr(fuse.FUSE_ROOT_ID), Mode: syscall.S_IFREG | 0o640}, "reg", &out); !s.Ok() {
		t.Errorf("mknod S_IFREG: %v", s)
	}
	if st, e := vfs.NewNamespace(src, false, "src").Stat("/reg", false); e != 0 || st.Type() != vfs.TypeRegular || st.Perm() != 0o640 {
		t.Errorf("/reg: %+v, %v", st, e)
	}
	for _, mode := range []uint32{syscall.S_IFIFO, syscall.S_IFCHR, syscall.S_IFSOCK} {
		if s := raw.raw.Mknod(nil, &fuse.MknodIn{InHeader: hdr(fuse.FUSE_ROOT_ID), Mode: mode | 0o600}, "x", &out); st(s) != errno.EPERM {
			t.Errorf("mknod %#o: %v, want EPERM", mode, s)
		}
	}
}

// TestAttributes: inode numbers, modes, sizes, link counts and times are
// vfs.Stat's, the root's number included.
func TestAttributes(t *testing.T) {
	src := ramfs.New(ramfs.Options{})
	sns := vfs.NewNamespace(src, false, "src")
	writeNS(t, sns, "/f", "12345")
	mustNS(t, sns.SetAttr("/f", false, vfs.SetAttr{Mask: vfs.SetMode | vfs.SetMtime, Mode: 0o4751, Mtime: 1234567890123456789}), "setattr")
	mustNS(t, sns.Link("/f", "/g", false), "link")
	_, ns := viewOf(t, src, Options{})
	for _, p := range []string{"/", "/f"} {
		want, _ := sns.Stat(p, false)
		got, e := ns.Stat(p, false)
		mustNS(t, e, "stat "+p)
		want.Dev, got.Dev = 0, 0
		if got != want {
			t.Errorf("stat %s through FUSE %+v, want %+v", p, got, want)
		}
	}
}

// TestSyncCommits: fsync through the view commits a sefs layer (its
// version counts commits), and so does fsync of a directory.
func TestSyncCommits(t *testing.T) {
	l := sefsLayer(t)
	_, ns := viewOf(t, l, Options{})
	f, e := ns.Open("/kept", vfs.O_CREAT|vfs.O_WRONLY, 0o600, nil)
	mustNS(t, e, "create")
	defer f.DecRef()
	f.Write([]byte("durable"))
	v := l.Version()
	mustNS(t, f.Sync(false), "fsync")
	if l.Version() <= v {
		t.Errorf("version %d after fsync, was %d: no commit", l.Version(), v)
	}
	d, e := ns.Open("/", vfs.O_RDONLY|vfs.O_DIRECTORY, 0, nil)
	mustNS(t, e, "open /")
	defer d.DecRef()
	f.Write([]byte(" and more"))
	v = l.Version()
	mustNS(t, d.Sync(false), "fsync /")
	if l.Version() <= v {
		t.Errorf("version %d after fsync of /, was %d: no commit", l.Version(), v)
	}
}

func TestCheckMountPoint(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	os.WriteFile(file, []byte("x"), 0o644)
	full := filepath.Join(dir, "full")
	os.MkdirAll(filepath.Join(full, "sub"), 0o755)
	empty := filepath.Join(dir, "empty")
	os.Mkdir(empty, 0o755)
	for _, c := range []struct{ dir, msg, hint string }{
		{filepath.Join(dir, "missing"), "does not exist", "mkdir"},
		{file, "is not a directory", "empty directory"},
		{full, "is not empty", "would hide"},
		{empty, "", ""},
	} {
		err := CheckMountPoint(c.dir)
		var fe *Error
		switch {
		case c.msg == "" && err != nil:
			t.Errorf("%s: %v", c.dir, err)
		case c.msg == "":
		case !errors.As(err, &fe) || !strings.Contains(fe.Msg, c.msg) || !strings.Contains(fe.Hint, c.hint):
			t.Errorf("%s: %#v, want %q with a hint about %q", c.dir, err, c.msg, c.hint)
		}
	}
}

func TestHostCheck(t *testing.T) {
	none := func(string) (string, error) { return "", errors.New("not found") }
	some := func(p string) (string, error) { return "/usr/bin/" + filepath.Base(p), nil }
	dev := filepath.Join(t.TempDir(), "fuse")
	os.WriteFile(dev, nil, 0o600)
	for _, c := range []struct {
		h         Host
		msg, hint string
	}{
		{Host{DevFuse: filepath.Join(t.TempDir(), "nofuse"), Root: true, LookPath: some}, "does not exist", "modprobe fuse"},
		{Host{DevFuse: dev, Root: false, LookPath: none}, "fusermount3 is not installed", "Debian package fuse3"},
		{Host{DevFuse: dev, Root: true, LookPath: none}, "", ""},
		{Host{DevFuse: dev, Root: false, LookPath: some}, "", ""},
	} {
		err := c.h.Check()
		var fe *Error
		switch {
		case c.msg == "" && err != nil:
			t.Errorf("%+v: %v", c.h, err)
		case c.msg == "":
		case !errors.As(err, &fe) || !strings.Contains(fe.Msg, c.msg) || !strings.Contains(fe.Hint, c.hint):
			t.Errorf("%+v: %#v, want %q with a hint about %q", c.h, err, c.msg, c.hint)
		}
	}
}
