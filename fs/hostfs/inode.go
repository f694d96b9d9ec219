package hostfs

import (
	"os"
	"runtime"

	"golang.org/x/sys/unix"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
)

// inode is a host file: for a directory, a handle of the directory itself;
// for anything else, the handle of its parent directory, its name there and
// its identity at lookup. It is immutable.
type inode struct {
	vfs.UnimplementedInode
	fs     *FileSystem
	parent *dirHandle // nil for the root
	name   string
	dir    *dirHandle // directories only
	typ    vfs.FileType
	id     identity
}

var _ vfs.Inode = (*inode)(nil)

func (i *inode) Type() vfs.FileType { return i.typ }

func (i *inode) Stat() (vfs.Stat, errno.Errno) {
	defer runtime.KeepAlive(i) // its handles: see dirHandle
	var st unix.Stat_t
	if i.dir != nil {
		if err := unix.Fstat(i.dir.fd, &st); err != nil {
			return vfs.Stat{}, hostErr(err)
		}
	} else {
		var e errno.Errno
		if st, e = fstatat(i.parent, i.name); e != 0 {
			return vfs.Stat{}, e
		}
		if statID(&st) != i.id {
			return vfs.Stat{}, errno.ESTALE // replaced on the host
		}
	}
	s, e := statFromSys(&st)
	if e != 0 {
		return vfs.Stat{}, e
	}
	if s.Type() != i.typ {
		return vfs.Stat{}, errno.ESTALE
	}
	return s, 0
}

func (i *inode) Lookup(name string) (vfs.Inode, errno.Errno) {
	defer runtime.KeepAlive(i) // its handles: see dirHandle
	if i.typ != vfs.TypeDirectory {
		return nil, errno.ENOTDIR
	}
	if !checkName(name) {
		return nil, errno.EINVAL
	}
	if e := i.fs.checkName("lookup", i.id, name); e != 0 {
		return nil, e
	}
	if c := i.fs.cached(i.id, name); c != nil {
		return c, 0
	}
	st, e := fstatat(i.dir, name)
	if e != 0 {
		return nil, e
	}
	id := statID(&st)
	if e := i.fs.checkAccess("lookup", name, id); e != 0 {
		return nil, e
	}
	s, e := statFromSys(&st)
	if e != 0 {
		return nil, e
	}
	child := &inode{fs: i.fs, parent: i.dir, name: name, typ: s.Type(), id: id}
	if child.typ == vfs.TypeDirectory {
		if child.dir, e = i.fs.childDir(i.dir, name, id); e != 0 {
			return nil, e
		}
	}
	i.fs.remember(i.id, name, child)
	return child, 0
}

func (i *inode) Readlink() (string, errno.Errno) {
	defer runtime.KeepAlive(i) // its handles: see dirHandle
	if i.typ != vfs.TypeSymlink {
		return "", errno.EINVAL
	}
	// Through an O_PATH descriptor of the link checked to be this one:
	// readlinkat(fd, "") reads the link the descriptor is.
	fd, e := openat(i.parent, i.name, unix.O_PATH, 0, i.id)
	if e != 0 {
		return "", e
	}
	defer unix.Close(fd)
	buf := make([]byte, vfs.MaxPathLen)
	n, err := unix.Readlinkat(fd, "", buf)
	if err != nil {
		return "", hostErr(err)
	}
	t := string(buf[:n])
	if n >= len(buf) || !checkTarget(t) {
		return "", errno.EIO
	}
	return t, 0
}

func (i *inode) ReadDir() ([]vfs.Dirent, errno.Errno) {
	if i.typ != vfs.TypeDirectory {
		return nil, errno.ENOTDIR
	}
	f, e := i.openDirFile()
	if e != 0 {
		return nil, e
	}
	defer f.Close()
	return listDir(f)
}

// openDirFile opens the directory for reading its entries.
func (i *inode) openDirFile() (*os.File, errno.Errno) {
	defer runtime.KeepAlive(i) // its handles: see dirHandle
	fd, err := unix.Openat(i.dir.fd, ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, hostErr(err)
	}
	return os.NewFile(uintptr(fd), i.name), 0
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
		f, e := i.openDirFile()
		if e != 0 {
			return nil, e
		}
		return &dirFile{fs: i.fs, f: f}, 0
	case vfs.TypeRegular:
		return openRegular(i, flags)
	}
	// FIFOs, devices and sockets of the host are not opened: opening them
	// could block or have side effects on the host.
	return nil, errno.ENXIO
}

func (i *inode) Create(name string, perm uint32) (vfs.Inode, errno.Errno) {
	defer runtime.KeepAlive(i) // its handles: see dirHandle
	if i.typ != vfs.TypeDirectory {
		return nil, errno.ENOTDIR
	}
	if !checkName(name) {
		return nil, errno.EINVAL
	}
	if e := i.fs.checkName("creation", i.id, name); e != 0 {
		return nil, e
	}
	i.fs.forget(i.id, name)
	perm = i.fs.maskMode(perm, false)
	// O_CREAT|O_EXCL never follows a symlink.
	fd, err := unix.Openat(i.dir.fd, name, unix.O_RDONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, perm&0o777)
	if err != nil {
		return nil, hostErr(err)
	}
	defer unix.Close(fd)
	// The host process's umask applied; the LibOS already applied the
	// guest's, so set exactly what was asked for (as masked).
	if err := unix.Fchmod(fd, perm); err != nil {
		return nil, hostErr(err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, hostErr(err)
	}
	return &inode{fs: i.fs, parent: i.dir, name: name, typ: vfs.TypeRegular, id: statID(&st)}, 0
}

func (i *inode) Mkdir(name string, perm uint32) errno.Errno {
	defer runtime.KeepAlive(i) // its handles: see dirHandle
	if i.typ != vfs.TypeDirectory {
		return errno.ENOTDIR
	}
	if !checkName(name) {
		return errno.EINVAL
	}
	if e := i.fs.checkName("creation", i.id, name); e != 0 {
		return e
	}
	i.fs.forget(i.id, name)
	perm = i.fs.maskMode(perm, true)
	if err := unix.Mkdirat(i.dir.fd, name, perm&0o777); err != nil {
		return hostErr(err)
	}
	// Undo the host umask and add setgid/sticky bits, which mkdir ignores.
	st, e := fstatat(i.dir, name)
	if e != 0 {
		return e
	}
	return chmodEntry(i.dir, name, statID(&st), perm)
}

func (i *inode) Symlink(name, target string) errno.Errno {
	defer runtime.KeepAlive(i) // its handles: see dirHandle
	if i.typ != vfs.TypeDirectory {
		return errno.ENOTDIR
	}
	if !checkName(name) || !checkTarget(target) {
		return errno.EINVAL
	}
	if e := i.fs.checkName("creation", i.id, name); e != 0 {
		return e
	}
	i.fs.forget(i.id, name)
	// The target is stored verbatim; it is a LibOS path, interpreted by vfs.
	return hostErr(unix.Symlinkat(target, i.dir.fd, name))
}

func (i *inode) Link(name string, target vfs.Inode) errno.Errno {
	defer runtime.KeepAlive(i)
	defer runtime.KeepAlive(target)
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
	// The name must still be the file the target inode is (linkat takes a
	// name, not the file).
	st, e := fstatat(t.parent, t.name)
	if e != 0 {
		return e
	}
	if statID(&st) != t.id {
		return errno.ESTALE
	}
	if e := i.fs.checkAccess("link", t.name, t.id); e != 0 {
		return e
	}
	if e := i.fs.checkName("creation", i.id, name); e != 0 {
		return e
	}
	i.fs.forget(i.id, name)
	return hostErr(unix.Linkat(t.parent.fd, t.name, i.dir.fd, name, 0))
}

func (i *inode) Unlink(name string) errno.Errno { return i.unlinkat(name, 0) }

func (i *inode) Rmdir(name string) errno.Errno { return i.unlinkat(name, unix.AT_REMOVEDIR) }

// unlinkat removes name from the directory with one unlinkat(2), so the
// host kernel picks the error (EISDIR, ENOTDIR, ENOTEMPTY) for what is
// there at that moment, after checking it is not protected.
func (i *inode) unlinkat(name string, flags int) errno.Errno {
	defer runtime.KeepAlive(i) // its handles: see dirHandle
	if i.typ != vfs.TypeDirectory {
		return errno.ENOTDIR
	}
	if !checkName(name) {
		return errno.EINVAL
	}
	if e := i.fs.checkName("removal", i.id, name); e != 0 {
		return e
	}
	i.fs.forget(i.id, name)
	st, e := fstatat(i.dir, name)
	if e != 0 {
		return e
	}
	if e := i.fs.checkChange("removal", name, statID(&st)); e != 0 {
		return e
	}
	return hostErr(unix.Unlinkat(i.dir.fd, name, flags))
}

func (i *inode) Rename(oldName string, newDir vfs.Inode, newName string) errno.Errno {
	defer runtime.KeepAlive(i)
	defer runtime.KeepAlive(newDir)
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
	if e := i.fs.checkName("rename", i.id, oldName); e != 0 {
		return e
	}
	if e := i.fs.checkName("replacement", nd.id, newName); e != 0 {
		return e
	}
	i.fs.forget(i.id, oldName)
	i.fs.forget(nd.id, newName)
	st, e := fstatat(i.dir, oldName)
	if e != 0 {
		return e
	}
	if e := i.fs.checkChange("rename", oldName, statID(&st)); e != 0 {
		return e
	}
	if st, e := fstatat(nd.dir, newName); e == 0 {
		if e := i.fs.checkChange("replacement", newName, statID(&st)); e != 0 {
			return e
		}
	}
	// renameat(2), not os.Rename: it replaces an empty directory, as
	// rename(2) does.
	return hostErr(unix.Renameat(i.dir.fd, oldName, nd.dir.fd, newName))
}

func (i *inode) SetAttr(a vfs.SetAttr) errno.Errno {
	defer runtime.KeepAlive(i) // its handles: see dirHandle
	if a.Mask&(vfs.SetUid|vfs.SetGid) != 0 {
		return errno.EPERM // host files keep their host owners
	}
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
		fd, e := openat(i.parent, i.name, unix.O_WRONLY|unix.O_NONBLOCK, 0, i.id)
		if e != 0 {
			return e
		}
		e = hostErr(unix.Ftruncate(fd, a.Size))
		unix.Close(fd)
		if e != 0 {
			return e
		}
	}
	if a.Mask&^vfs.SetSize != 0 {
		// No guest changes the mode or times of what holds a protected
		// path (a 0777 instance directory would let other users swap
		// its files).
		if e := i.fs.checkChange("attribute change", i.name, i.id); e != 0 {
			return e
		}
	}
	if a.Mask&vfs.SetMode != 0 {
		perm := i.fs.maskMode(a.Mode, i.typ == vfs.TypeDirectory)
		var e errno.Errno
		switch {
		case i.typ == vfs.TypeSymlink:
			e = errno.EOPNOTSUPP // as Linux's fchmodat(AT_SYMLINK_NOFOLLOW)
		case i.dir != nil:
			e = hostErr(unix.Chmod(procFD(i.dir.fd), perm))
		default:
			e = chmodEntry(i.parent, i.name, i.id, perm)
		}
		if e != 0 {
			return e
		}
	}
	if ts, ok := timespecs(a); ok {
		if i.dir != nil {
			return hostErr(unix.UtimesNanoAt(unix.AT_FDCWD, procFD(i.dir.fd), ts[:], 0))
		}
		if i.typ == vfs.TypeSymlink {
			// utimensat on the parent with AT_SYMLINK_NOFOLLOW acts on
			// the entry itself, a link's own times, and never leaves the
			// directory.
			return hostErr(unix.UtimesNanoAt(i.parent.fd, i.name, ts[:], unix.AT_SYMLINK_NOFOLLOW))
		}
		// Through an O_PATH descriptor of the entry checked to be this
		// one, by its /proc/self/fd link (it is not a symbolic link, so
		// nothing is followed), exactly UTIME_NOW/UTIME_OMIT.
		fd, e := openat(i.parent, i.name, unix.O_PATH, 0, i.id)
		if e != 0 {
			return e
		}
		defer unix.Close(fd)
		return hostErr(unix.UtimesNanoAt(unix.AT_FDCWD, procFD(fd), ts[:], 0))
	}
	return 0
}
