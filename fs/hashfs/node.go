package hashfs

import (
	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
)

// node is one manifest entry. It is immutable after New.
type node struct {
	vfs.UnimplementedInode
	fs       *FileSystem
	e        Entry
	ino      uint64
	nlink    uint64
	children map[string]*node // directories only
	dirents  []vfs.Dirent     // directories only, sorted by name
}

var _ vfs.Inode = (*node)(nil)

func (n *node) Type() vfs.FileType { return n.e.Type }

func (n *node) Stat() (vfs.Stat, errno.Errno) {
	st := vfs.Stat{
		Ino:   n.ino,
		Mode:  n.e.Type.ModeBits() | n.e.Perm,
		Nlink: n.nlink,
	}
	switch n.e.Type {
	case vfs.TypeRegular:
		st.Size = n.e.Size
		st.Blocks = (n.e.Size + 4095) / 4096 * 8 // as a 4 KiB-block file system
	case vfs.TypeSymlink:
		st.Size = int64(len(n.e.Target))
	}
	return st, 0
}

func (n *node) SetAttr(vfs.SetAttr) errno.Errno { return errno.EROFS }

func (n *node) Open(flags vfs.OpenFlags) (vfs.FileImpl, errno.Errno) {
	if flags&vfs.O_PATH != 0 {
		return &file{n: n, path: true}, 0
	}
	if flags.Writable() {
		if n.e.Type == vfs.TypeDirectory {
			return nil, errno.EISDIR
		}
		return nil, errno.EROFS
	}
	switch n.e.Type {
	case vfs.TypeDirectory:
		return &file{n: n}, 0
	case vfs.TypeRegular:
		b, e := n.fs.content(n)
		if e != 0 {
			return nil, e
		}
		return &file{n: n, data: b}, 0
	}
	return nil, errno.ENXIO
}

func (n *node) Readlink() (string, errno.Errno) {
	if n.e.Type != vfs.TypeSymlink {
		return "", errno.EINVAL
	}
	return n.e.Target, 0
}

func (n *node) Lookup(name string) (vfs.Inode, errno.Errno) {
	if n.e.Type != vfs.TypeDirectory {
		return nil, errno.ENOTDIR
	}
	c, ok := n.children[name]
	if !ok {
		return nil, errno.ENOENT
	}
	return c, 0
}

func (n *node) ReadDir() ([]vfs.Dirent, errno.Errno) {
	if n.e.Type != vfs.TypeDirectory {
		return nil, errno.ENOTDIR
	}
	return append([]vfs.Dirent(nil), n.dirents...), 0
}

// Every modification is EROFS (ENOTDIR on a non-directory, as vfs would
// never ask).

func (n *node) rofs() errno.Errno {
	if n.e.Type != vfs.TypeDirectory {
		return errno.ENOTDIR
	}
	return errno.EROFS
}

func (n *node) Create(string, uint32) (vfs.Inode, errno.Errno) { return nil, n.rofs() }
func (n *node) Mkdir(string, uint32) errno.Errno               { return n.rofs() }
func (n *node) Symlink(string, string) errno.Errno             { return n.rofs() }
func (n *node) Link(string, vfs.Inode) errno.Errno             { return n.rofs() }
func (n *node) Unlink(string) errno.Errno                      { return n.rofs() }
func (n *node) Rmdir(string) errno.Errno                       { return n.rofs() }
func (n *node) Rename(string, vfs.Inode, string) errno.Errno   { return n.rofs() }

// file is an open hashfs file: a verified, immutable copy of a regular
// file's content, or a directory, or an O_PATH handle.
type file struct {
	vfs.UnimplementedFile
	n    *node
	data []byte // regular files: the verified content
	path bool   // O_PATH: no I/O
}

func (f *file) Seekable() bool { return true }

func (f *file) ReadAt(p []byte, off int64) (int, errno.Errno) {
	switch {
	case f.n.e.Type == vfs.TypeDirectory:
		return 0, errno.EISDIR
	case f.path:
		return 0, errno.EBADF
	case off < 0:
		return 0, errno.EINVAL
	case off >= int64(len(f.data)):
		return 0, 0
	}
	return copy(p, f.data[off:]), 0
}

func (f *file) WriteAt([]byte, int64) (int, errno.Errno) { return 0, errno.EBADF }

func (f *file) Stat() (vfs.Stat, errno.Errno) { return f.n.Stat() }

func (f *file) SetAttr(vfs.SetAttr) errno.Errno { return errno.EROFS }

func (f *file) Sync(bool) errno.Errno { return 0 }

func (f *file) ReadDir() ([]vfs.Dirent, errno.Errno) { return f.n.ReadDir() }
