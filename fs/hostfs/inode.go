package hostfs

import (
	"os"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
)

// inode is a host file named by its path relative to the root. It is
// immutable.
type inode struct {
	vfs.UnimplementedInode
	fs  *FileSystem
	rel string // "." for the root, else "a/b/c" with valid components
	typ vfs.FileType
}

var _ vfs.Inode = (*inode)(nil)

func (i *inode) child(name string) string {
	if i.rel == "." {
		return name
	}
	return i.rel + "/" + name
}

// split returns the parent directory and the last component of a non-root
// inode's path.
func (i *inode) split() (string, string) {
	k := strings.LastIndexByte(i.rel, '/')
	if k < 0 {
		return ".", i.rel
	}
	return i.rel[:k], i.rel[k+1:]
}

func (i *inode) Type() vfs.FileType { return i.typ }

func (i *inode) Stat() (vfs.Stat, errno.Errno) {
	fi, err := i.fs.root.Lstat(i.rel)
	if err != nil {
		return vfs.Stat{}, hostErr(err)
	}
	st, e := statFromInfo(fi)
	if e != 0 {
		return vfs.Stat{}, e
	}
	if st.Type() != i.typ {
		// Replaced on the host since it was looked up.
		return vfs.Stat{}, errno.ESTALE
	}
	return st, 0
}

func (i *inode) Lookup(name string) (vfs.Inode, errno.Errno) {
	if i.typ != vfs.TypeDirectory {
		return nil, errno.ENOTDIR
	}
	if !checkName(name) {
		return nil, errno.EINVAL
	}
	rel := i.child(name)
	fi, err := i.fs.root.Lstat(rel)
	if err != nil {
		return nil, hostErr(err)
	}
	t, e := typeOf(fi)
	if e != 0 {
		return nil, e
	}
	return &inode{fs: i.fs, rel: rel, typ: t}, 0
}

func (i *inode) Readlink() (string, errno.Errno) {
	if i.typ != vfs.TypeSymlink {
		return "", errno.EINVAL
	}
	t, err := i.fs.root.Readlink(i.rel)
	if err != nil {
		return "", hostErr(err)
	}
	if !checkTarget(t) {
		return "", errno.EIO
	}
	return t, 0
}

func (i *inode) ReadDir() ([]vfs.Dirent, errno.Errno) {
	if i.typ != vfs.TypeDirectory {
		return nil, errno.ENOTDIR
	}
	r, err := i.fs.root.OpenRoot(i.rel)
	if err != nil {
		return nil, hostErr(err)
	}
	defer r.Close()
	d, err := r.OpenFile(".", os.O_RDONLY|syscall.O_DIRECTORY, 0)
	if err != nil {
		return nil, hostErr(err)
	}
	defer d.Close()
	return listDir(r, d)
}

func (i *inode) Open(flags vfs.OpenFlags) (vfs.FileImpl, errno.Errno) {
	if flags&vfs.O_PATH != 0 {
		return &pathFile{in: i}, 0
	}
	switch i.typ {
	case vfs.TypeDirectory:
		if flags.Writable() {
			return nil, errno.EISDIR
		}
		return openDir(i)
	case vfs.TypeRegular:
		return openRegular(i, flags)
	}
	// FIFOs, devices and sockets of the host are not opened: opening them
	// could block or have side effects on the host.
	return nil, errno.ENXIO
}

func (i *inode) Create(name string, perm uint32) (vfs.Inode, errno.Errno) {
	if i.typ != vfs.TypeDirectory {
		return nil, errno.ENOTDIR
	}
	if !checkName(name) {
		return nil, errno.EINVAL
	}
	rel := i.child(name)
	// O_CREATE|O_EXCL never follows a symlink, not even inside the root.
	f, err := i.fs.root.OpenFile(rel, os.O_RDONLY|os.O_CREATE|os.O_EXCL, fileMode(perm))
	if err != nil {
		return nil, hostErr(err)
	}
	defer f.Close()
	// The host process's umask applied; the LibOS already applied the
	// guest's, so set exactly what was asked for.
	if err := f.Chmod(fileMode(perm)); err != nil {
		return nil, hostErr(err)
	}
	return &inode{fs: i.fs, rel: rel, typ: vfs.TypeRegular}, 0
}

func (i *inode) Mkdir(name string, perm uint32) errno.Errno {
	if i.typ != vfs.TypeDirectory {
		return errno.ENOTDIR
	}
	if !checkName(name) {
		return errno.EINVAL
	}
	rel := i.child(name)
	if err := i.fs.root.Mkdir(rel, fileMode(perm&0o777)); err != nil {
		return hostErr(err)
	}
	// Undo the host umask and add setgid/sticky bits, which mkdir ignores.
	return hostErr(i.fs.root.Chmod(rel, fileMode(perm)))
}

func (i *inode) Symlink(name, target string) errno.Errno {
	if i.typ != vfs.TypeDirectory {
		return errno.ENOTDIR
	}
	if !checkName(name) || !checkTarget(target) {
		return errno.EINVAL
	}
	// The target is stored verbatim; it is a LibOS path, interpreted by vfs.
	return hostErr(i.fs.root.Symlink(target, i.child(name)))
}

func (i *inode) Link(name string, target vfs.Inode) errno.Errno {
	if i.typ != vfs.TypeDirectory {
		return errno.ENOTDIR
	}
	t, ok := target.(*inode)
	if !ok || t.fs != i.fs {
		return errno.EXDEV
	}
	if t.typ == vfs.TypeDirectory {
		return errno.EPERM
	}
	if !checkName(name) {
		return errno.EINVAL
	}
	return hostErr(i.fs.root.Link(t.rel, i.child(name)))
}

func (i *inode) Unlink(name string) errno.Errno {
	return i.unlinkat(name, 0)
}

func (i *inode) Rmdir(name string) errno.Errno {
	return i.unlinkat(name, unix.AT_REMOVEDIR)
}

// unlinkat removes name from the directory with one unlinkat(2) on a
// descriptor of the directory opened through the root, so the kernel picks
// the error (EISDIR, ENOTDIR, ENOTEMPTY) for what is there at that moment.
func (i *inode) unlinkat(name string, flags int) errno.Errno {
	if i.typ != vfs.TypeDirectory {
		return errno.ENOTDIR
	}
	if !checkName(name) {
		return errno.EINVAL
	}
	return i.fs.atDir(i.rel, func(fd int) error {
		return unix.Unlinkat(fd, name, flags)
	})
}

func (i *inode) Rename(oldName string, newDir vfs.Inode, newName string) errno.Errno {
	if i.typ != vfs.TypeDirectory {
		return errno.ENOTDIR
	}
	nd, ok := newDir.(*inode)
	if !ok || nd.fs != i.fs {
		return errno.EXDEV
	}
	if nd.typ != vfs.TypeDirectory {
		return errno.ENOTDIR
	}
	if !checkName(oldName) || !checkName(newName) {
		return errno.EINVAL
	}
	// Not Root.Rename: like os.Rename it refuses to replace a directory
	// (EEXIST), which rename(2) does when it is empty. renameat(2) on
	// descriptors of both directories, opened through the root, with
	// single-component names, stays inside the root as well.
	src, err := i.fs.openDir(i.rel)
	if err != nil {
		return hostErr(err)
	}
	defer src.Close()
	dst, err := i.fs.openDir(nd.rel)
	if err != nil {
		return hostErr(err)
	}
	defer dst.Close()
	return withFD(src, func(sfd int) error {
		return errnoErr(withFD(dst, func(dfd int) error {
			return unix.Renameat(sfd, oldName, dfd, newName)
		}))
	})
}

func (i *inode) SetAttr(a vfs.SetAttr) errno.Errno {
	if a.Mask&vfs.SetSize != 0 {
		switch i.typ {
		case vfs.TypeRegular:
		case vfs.TypeDirectory:
			return errno.EISDIR
		default:
			return errno.EINVAL
		}
		if a.Size < 0 {
			return errno.EINVAL
		}
		f, err := i.fs.root.OpenFile(i.rel, os.O_WRONLY|syscall.O_NONBLOCK, 0)
		if err != nil {
			return hostErr(err)
		}
		e := checkRegular(f)
		if e == 0 {
			e = hostErr(f.Truncate(a.Size))
		}
		f.Close()
		if e != 0 {
			return e
		}
	}
	if a.Mask&vfs.SetMode != 0 {
		if i.typ == vfs.TypeSymlink {
			return errno.EOPNOTSUPP // as Linux's fchmodat(AT_SYMLINK_NOFOLLOW)
		}
		if e := hostErr(i.fs.root.Chmod(i.rel, fileMode(a.Mode))); e != 0 {
			return e
		}
	}
	if ts, ok := timespecs(a); ok {
		if i.rel == "." {
			f, err := i.fs.openDir(".")
			if err != nil {
				return hostErr(err)
			}
			defer f.Close()
			return futimens(f, &ts)
		}
		// utimensat on the parent with AT_SYMLINK_NOFOLLOW: acts on the
		// entry itself (a link's own times), exactly UTIME_NOW/UTIME_OMIT.
		dir, name := i.split()
		return i.fs.atDir(dir, func(fd int) error {
			return unix.UtimesNanoAt(fd, name, ts[:], unix.AT_SYMLINK_NOFOLLOW)
		})
	}
	return 0
}

// openDir opens the directory rel through the root. O_DIRECTORY: a
// non-directory swapped in by the host fails instead of being opened.
func (f *FileSystem) openDir(rel string) (*os.File, error) {
	return f.root.OpenFile(rel, os.O_RDONLY|syscall.O_DIRECTORY, 0)
}

// atDir opens the directory rel through the root and calls fn with its
// descriptor; fn must only use single-component names relative to it.
func (f *FileSystem) atDir(rel string, fn func(fd int) error) errno.Errno {
	d, err := f.openDir(rel)
	if err != nil {
		return hostErr(err)
	}
	defer d.Close()
	return withFD(d, fn)
}

// withFD calls fn with f's descriptor and translates the result.
func withFD(f *os.File, fn func(fd int) error) errno.Errno {
	rc, err := f.SyscallConn()
	if err != nil {
		return hostErr(err)
	}
	var opErr error
	if err := rc.Control(func(fd uintptr) { opErr = fn(int(fd)) }); err != nil {
		return hostErr(err)
	}
	return hostErr(opErr)
}

// errnoErr turns an Errno back into an error (nil for success) for nesting
// withFD calls.
func errnoErr(e errno.Errno) error {
	if e == 0 {
		return nil
	}
	return e
}
