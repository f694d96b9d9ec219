package fstest_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/fs/fstest"
	"github.com/occlumgo/occlum/fs/ramfs"
)

// roFS is a minimal read-only decorator, to run RunReadOnly in this package.
type roFS struct{ vfs.FileSystem }

func (f roFS) Root() vfs.Inode { return roInode{f.FileSystem.Root()} }

type roInode struct{ vfs.Inode }

func (i roInode) Lookup(name string) (vfs.Inode, errno.Errno) {
	c, e := i.Inode.Lookup(name)
	if e != 0 {
		return nil, e
	}
	return roInode{c}, 0
}

func (i roInode) Open(fl vfs.OpenFlags) (vfs.FileImpl, errno.Errno) {
	if fl.Writable() {
		return nil, errno.EROFS
	}
	return i.Inode.Open(fl)
}

func (roInode) SetAttr(vfs.SetAttr) errno.Errno                { return errno.EROFS }
func (roInode) Create(string, uint32) (vfs.Inode, errno.Errno) { return nil, errno.EROFS }
func (roInode) Mkdir(string, uint32) errno.Errno               { return errno.EROFS }
func (roInode) Symlink(string, string) errno.Errno             { return errno.EROFS }
func (roInode) Link(string, vfs.Inode) errno.Errno             { return errno.EROFS }
func (roInode) Unlink(string) errno.Errno                      { return errno.EROFS }
func (roInode) Rmdir(string) errno.Errno                       { return errno.EROFS }
func (roInode) Rename(string, vfs.Inode, string) errno.Errno   { return errno.EROFS }

// buildRamfs copies fx into a ramfs through a namespace.
func buildRamfs(t *testing.T, fx fstest.Fixture) vfs.FileSystem {
	fs := ramfs.New(ramfs.Options{})
	ns := vfs.NewNamespace(fs, false, "")
	for _, e := range fx {
		p := "/" + e.Path
		var er errno.Errno
		switch e.Type {
		case vfs.TypeDirectory:
			er = ns.Mkdir(p, 0o700)
		case vfs.TypeSymlink:
			er = ns.Symlink(e.Target, p)
		case vfs.TypeRegular:
			var f *vfs.File
			if f, er = ns.Open(p, vfs.O_CREAT|vfs.O_WRONLY, 0o600, nil); er == 0 {
				_, er = f.Write([]byte(e.Data))
				f.DecRef()
			}
		}
		if er == 0 && e.Type != vfs.TypeSymlink {
			perm := e.Mode
			if perm == 0 {
				perm = 0o644
				if e.Type == vfs.TypeDirectory {
					perm = 0o755
				}
			}
			er = ns.SetAttr(p, false, vfs.SetAttr{Mask: vfs.SetMode, Mode: perm})
		}
		if er != 0 {
			t.Fatalf("%s: %v", p, er)
		}
	}
	return fs
}

func TestRunRamfs(t *testing.T) {
	fstest.Run(t, func(*testing.T) vfs.FileSystem { return ramfs.New(ramfs.Options{}) }, fstest.AllCaps)
}

func TestRunReadOnly(t *testing.T) {
	fx := fstest.DefaultFixture()
	fstest.RunReadOnly(t, roFS{buildRamfs(t, fx)}, fx, fstest.AllCaps)
}

func TestRunReadOnlyNoSymlinks(t *testing.T) {
	fx := fstest.DefaultFixture().WithoutSymlinks()
	fstest.RunReadOnly(t, roFS{buildRamfs(t, fx)}, fx, fstest.Caps{})
}

func TestPopulate(t *testing.T) {
	dir := t.TempDir()
	fx := fstest.DefaultFixture()
	if err := fx.Populate(dir); err != nil {
		t.Fatal(err)
	}
	for _, e := range fx {
		p := filepath.Join(dir, filepath.FromSlash(e.Path))
		fi, err := os.Lstat(p)
		if err != nil {
			t.Fatal(err)
		}
		switch e.Type {
		case vfs.TypeRegular:
			b, _ := os.ReadFile(p)
			if string(b) != e.Data || !fi.Mode().IsRegular() {
				t.Errorf("%s: wrong content or type", e.Path)
			}
			if e.Mode != 0 && uint32(fi.Mode().Perm()) != e.Mode {
				t.Errorf("%s: mode %v", e.Path, fi.Mode())
			}
		case vfs.TypeDirectory:
			if !fi.IsDir() {
				t.Errorf("%s: not a directory", e.Path)
			}
		case vfs.TypeSymlink:
			if target, _ := os.Readlink(p); target != e.Target {
				t.Errorf("%s: target %q", e.Path, target)
			}
		}
	}
	// Populate fails on a non-empty directory rather than mixing trees.
	if err := fx.Populate(dir); err == nil {
		t.Error("second Populate succeeded")
	}
}
