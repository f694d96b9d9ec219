package devfs

import (
	"math"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
)

// linkInode is one of stdin, stdout and stderr: a symbolic link to fd/N.
type linkInode struct {
	roInode
	fs     *FileSystem
	ino    uint64
	target string
}

var _ vfs.Inode = (*linkInode)(nil)

func (l *linkInode) Type() vfs.FileType { return vfs.TypeSymlink }

func (l *linkInode) Stat() (vfs.Stat, errno.Errno) {
	st := l.fs.stat(l.ino, vfs.TypeSymlink, 0o777)
	st.Size = int64(len(l.target))
	return st, 0
}

func (l *linkInode) Readlink() (string, errno.Errno) { return l.target, 0 }

// Open is reached only with O_PATH; the file supports fstat.
func (l *linkInode) Open(vfs.OpenFlags) (vfs.FileImpl, errno.Errno) {
	return &statFile{in: l}, 0
}

// statFile is an open inode that supports only fstat (O_PATH).
type statFile struct {
	vfs.UnimplementedFile
	in vfs.Inode
}

func (f *statFile) Stat() (vfs.Stat, errno.Errno) { return f.in.Stat() }

// fdDirInode is fd/: every decimal fd number in range is a child.
type fdDirInode struct {
	roInode
	fs *FileSystem
}

var _ vfs.Inode = (*fdDirInode)(nil)

func (d *fdDirInode) Type() vfs.FileType { return vfs.TypeDirectory }

func (d *fdDirInode) Stat() (vfs.Stat, errno.Errno) {
	st := d.fs.stat(inoFD, vfs.TypeDirectory, 0o555)
	st.Nlink = 2
	return st, 0
}

func (d *fdDirInode) Open(flags vfs.OpenFlags) (vfs.FileImpl, errno.Errno) {
	if flags.Writable() {
		return nil, errno.EISDIR
	}
	return &dirFile{in: d}, 0
}

// Lookup returns the alias of fd name, a canonical decimal number
// ("0", "7", never "07" or "+7") not above math.MaxInt32.
func (d *fdDirInode) Lookup(name string) (vfs.Inode, errno.Errno) {
	fd, ok := parseFD(name)
	if !ok {
		return nil, errno.ENOENT
	}
	return &aliasInode{fs: d.fs, fd: fd}, 0
}

// ReadDir lists 0, 1 and 2: the directory cannot see the reader's table.
func (d *fdDirInode) ReadDir() ([]vfs.Dirent, errno.Errno) {
	return []vfs.Dirent{
		{Name: "0", Ino: inoFDBase + 0, Type: vfs.TypeCharDev},
		{Name: "1", Ino: inoFDBase + 1, Type: vfs.TypeCharDev},
		{Name: "2", Ino: inoFDBase + 2, Type: vfs.TypeCharDev},
	}, 0
}

func (d *fdDirInode) exists(name string) errno.Errno {
	if _, ok := parseFD(name); ok {
		return errno.EEXIST
	}
	return errno.EROFS
}

func (d *fdDirInode) Create(name string, perm uint32) (vfs.Inode, errno.Errno) {
	return nil, d.exists(name)
}

func (d *fdDirInode) Mkdir(name string, perm uint32) errno.Errno     { return d.exists(name) }
func (d *fdDirInode) Symlink(name, target string) errno.Errno        { return d.exists(name) }
func (d *fdDirInode) Link(name string, target vfs.Inode) errno.Errno { return d.exists(name) }
func (d *fdDirInode) Rename(string, vfs.Inode, string) errno.Errno   { return errno.EROFS }
func (d *fdDirInode) Unlink(name string) errno.Errno                 { return d.present(name) }
func (d *fdDirInode) Rmdir(name string) errno.Errno {
	if e := d.present(name); e != errno.EROFS {
		return e
	}
	return errno.ENOTDIR
}

func (d *fdDirInode) present(name string) errno.Errno {
	if _, ok := parseFD(name); ok {
		return errno.EROFS
	}
	return errno.ENOENT
}

// parseFD parses a canonical non-negative decimal int32.
func parseFD(s string) (int32, bool) {
	if s == "" || len(s) > 10 || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	var v int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	if v > math.MaxInt32 {
		return 0, false
	}
	return int32(v), true
}

// aliasInode is fd/N: it stands for the opener's descriptor N, which
// vfs.Namespace.Open hands out. Its own attributes are a placeholder.
type aliasInode struct {
	roInode
	fs *FileSystem
	fd int32
}

var (
	_ vfs.Inode   = (*aliasInode)(nil)
	_ vfs.FDAlias = (*aliasInode)(nil)
)

// AliasFD returns N.
func (a *aliasInode) AliasFD() int32 { return a.fd }

func (a *aliasInode) Type() vfs.FileType { return vfs.TypeCharDev }

func (a *aliasInode) Stat() (vfs.Stat, errno.Errno) {
	return a.fs.stat(inoFDBase+uint64(a.fd), vfs.TypeCharDev, 0o666), 0
}

// Open is not how an alias is opened (Namespace.Open resolves it through the
// opener's FDTable); reaching it means there is no table to ask.
func (a *aliasInode) Open(vfs.OpenFlags) (vfs.FileImpl, errno.Errno) {
	return nil, errno.ENXIO
}
