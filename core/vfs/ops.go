package vfs

import (
	"strings"

	"github.com/occlumgo/occlum/core/errno"
)

// Every operation below takes absolute paths; callers join relative paths
// with the process's working directory or a directory fd's path first (Join).

// Stat returns the attributes of p, following a final symlink if follow.
func (n *Namespace) Stat(p string, follow bool) (Stat, errno.Errno) {
	d, e := n.Resolve(p, follow)
	if e != 0 {
		return Stat{}, e
	}
	return d.Stat()
}

// Stat returns the inode's attributes with st_dev of its mount.
func (d Dentry) Stat() (Stat, errno.Errno) {
	st, e := d.Inode.Stat()
	if e != 0 {
		return Stat{}, e
	}
	st.Dev = d.Mount.Dev
	if d.Mount.nsocket.Load() > 0 && st.Type() == TypeRegular {
		if _, ok := d.Mount.sockets.Load(st.Ino); ok {
			st.Mode = TypeSocket.ModeBits() | st.Perm()
		}
	}
	return st, 0
}

// MarkSocket records that the regular file p (just created by a UNIX
// socket's bind) names a socket: stat reports S_IFSOCK until it is
// unlinked.
func (n *Namespace) MarkSocket(p string) {
	d, e := n.Resolve(p, false)
	if e != 0 {
		return
	}
	st, e := d.Inode.Stat()
	if e != 0 {
		return
	}
	if _, loaded := d.Mount.sockets.LoadOrStore(st.Ino, true); !loaded {
		d.Mount.nsocket.Add(1)
	}
}

// FDTable gives Open access to the opener's descriptors, for inodes that
// stand for one of them (FDAlias: /dev/stdin, /dev/fd/N). It may be nil.
type FDTable interface {
	// File returns the description behind fd, with a new reference.
	File(fd int32) (*File, errno.Errno)
}

// FDAlias is implemented by inodes that stand for one of the opener's file
// descriptors (/dev/stdin, /dev/fd/3). Opening one yields the description
// behind that descriptor.
type FDAlias interface {
	AliasFD() int32
}

// Open opens (and with O_CREAT maybe creates) p. perm is applied only when a
// file is created and must already have the umask removed. fds resolves
// FDAlias inodes and may be nil.
//
// # Errors
//   - EEXIST: O_CREAT|O_EXCL and p exists.
//   - EISDIR: write access to a directory, or O_CREAT on "dir/".
//   - ENOTDIR: O_DIRECTORY and p is not a directory.
//   - ELOOP: O_NOFOLLOW and p is a symbolic link.
//   - EROFS: write access or creation on a read-only mount.
//   - ENXIO: p is an FDAlias and fds is nil.
//   - ENOENT: p is an FDAlias for a descriptor that is not open.
//   - and the errors of Resolve.
func (n *Namespace) Open(p string, flags OpenFlags, perm uint32, fds FDTable) (*File, errno.Errno) {
	var d Dentry
	var e errno.Errno
	if flags&O_CREAT != 0 {
		d, e = n.openCreate(p, flags, perm)
	} else {
		d, e = n.Resolve(p, flags&O_NOFOLLOW == 0)
	}
	if e != 0 {
		return nil, e
	}
	if a, ok := d.Inode.(FDAlias); ok {
		if fds == nil {
			return nil, errno.ENXIO
		}
		f, e := fds.File(a.AliasFD())
		if e == errno.EBADF {
			// The path names no open descriptor: open(2) never says EBADF
			// for a path; Linux reports /proc/self/fd/N as absent.
			e = errno.ENOENT
		}
		return f, e
	}
	return n.OpenDentry(d, flags)
}

// openCreate resolves p for open with O_CREAT, creating a regular file when
// the final component is missing. As on Linux, without O_EXCL and
// O_NOFOLLOW a final symbolic link is followed, and when it dangles the
// file is created where its target points (in the target's directory and
// mount), under the same MaxSymlinks budget as the rest of the path. With
// O_EXCL any existing name, a symlink included, is EEXIST.
func (n *Namespace) openCreate(p string, flags OpenFlags, perm uint32) (Dentry, errno.Errno) {
	if strings.HasSuffix(p, "/") {
		return Dentry{}, errno.EISDIR
	}
	w := walker{n: n}
	parent, name, e := w.resolveParent(p)
	if e != 0 {
		return Dentry{}, e
	}
	if name == "" || name == "." || name == ".." {
		return Dentry{}, errno.EISDIR
	}
	follow := flags&(O_EXCL|O_NOFOLLOW) == 0
	links := w.links
	// A concurrent creator or remover can change the answer between the
	// lookup and Create; retry a few times, then report what Create said.
	for try := 0; ; try++ {
		w.links = links
		d, e := w.walk(parent, []string{name}, follow)
		switch {
		case e == 0:
			if flags&O_EXCL != 0 {
				return Dentry{}, errno.EEXIST
			}
			if d.Inode.Type() == TypeDirectory {
				return Dentry{}, errno.EISDIR // as Linux, even for O_RDONLY
			}
			return d, 0
		case e != errno.ENOENT || w.missingName == "":
			return Dentry{}, e
		case w.missingSlash:
			return Dentry{}, errno.EISDIR // a dangling link to "name/"
		}
		dir, base := w.missingDir, w.missingName
		if dir.Mount.ReadOnly {
			return Dentry{}, errno.EROFS
		}
		in, e := dir.Inode.Create(base, perm&0o7777)
		if e == errno.EEXIST && flags&O_EXCL == 0 && try < 3 {
			continue
		}
		if e != 0 {
			return Dentry{}, e
		}
		return Dentry{Mount: dir.Mount, Inode: in, Path: childPath(dir.Path, base)}, 0
	}
}

// OpenDentry opens an already resolved dentry (checks access, applies
// O_TRUNC).
func (n *Namespace) OpenDentry(d Dentry, flags OpenFlags) (*File, errno.Errno) {
	t := d.Inode.Type()
	if t == TypeSymlink && flags&O_PATH == 0 {
		return nil, errno.ELOOP
	}
	if flags&O_DIRECTORY != 0 && t != TypeDirectory {
		return nil, errno.ENOTDIR
	}
	if t == TypeDirectory && flags.Writable() {
		return nil, errno.EISDIR
	}
	if d.Mount.ReadOnly && flags.Writable() && t == TypeRegular {
		return nil, errno.EROFS
	}
	impl, e := d.Inode.Open(flags)
	if e != 0 {
		return nil, e
	}
	if flags&O_TRUNC != 0 && flags.Writable() && t == TypeRegular {
		if e := d.Inode.SetAttr(SetAttr{Mask: SetSize}); e != 0 {
			impl.Close()
			return nil, e
		}
	}
	f := NewFile(impl, d, flags)
	f.ns = n
	return f, 0
}

func (n *Namespace) writableParent(p string) (Dentry, string, errno.Errno) {
	parent, name, e := n.resolveParent(p)
	if e != 0 {
		return Dentry{}, "", e
	}
	if parent.Mount.ReadOnly {
		return parent, name, errno.EROFS
	}
	return parent, name, 0
}

// Mkdir makes directory p.
func (n *Namespace) Mkdir(p string, perm uint32) errno.Errno {
	parent, name, e := n.resolveParent(p)
	if e != 0 {
		return e
	}
	if name == "" || name == "." || name == ".." {
		return errno.EEXIST
	}
	if _, e := n.walk(parent, []string{name}, false); e == 0 {
		return errno.EEXIST
	}
	if parent.Mount.ReadOnly {
		return errno.EROFS
	}
	return parent.Inode.Mkdir(name, perm&0o7777)
}

// Rmdir removes the empty directory p.
func (n *Namespace) Rmdir(p string) errno.Errno {
	parent, name, e := n.writableParent(p)
	switch {
	case e == errno.EROFS:
		if _, e2 := n.walk(parent, []string{name}, false); e2 != 0 {
			return e2
		}
		return e
	case e != 0:
		return e
	}
	switch name {
	case "", "..":
		return errno.EBUSY
	case ".":
		return errno.EINVAL
	}
	if n.isMountPoint(childPath(parent.Path, name)) {
		return errno.EBUSY
	}
	return parent.Inode.Rmdir(name)
}

// Unlink removes the non-directory p.
func (n *Namespace) Unlink(p string) errno.Errno {
	parent, name, e := n.writableParent(p)
	if e == errno.EROFS {
		if _, e2 := n.walk(parent, []string{name}, false); e2 != 0 {
			return e2
		}
	}
	if e != 0 {
		return e
	}
	if name == "" || name == "." || name == ".." {
		return errno.EISDIR
	}
	if strings.HasSuffix(p, "/") {
		d, e := n.walk(parent, []string{name}, false)
		if e != 0 {
			return e
		}
		if d.Inode.Type() == TypeDirectory {
			return errno.EISDIR
		}
		return errno.ENOTDIR
	}
	if n.isMountPoint(childPath(parent.Path, name)) {
		return errno.EISDIR
	}
	var sockIno uint64
	marked := false
	if parent.Mount.nsocket.Load() > 0 {
		if c, e := parent.Inode.Lookup(name); e == 0 {
			if st, e := c.Stat(); e == 0 && st.Nlink <= 1 {
				_, marked = parent.Mount.sockets.Load(st.Ino)
				sockIno = st.Ino
			}
		}
	}
	if e := parent.Inode.Unlink(name); e != 0 {
		return e
	}
	if marked {
		parent.Mount.sockets.Delete(sockIno)
		parent.Mount.nsocket.Add(-1)
	}
	return 0
}

// Symlink makes p a symbolic link to target.
func (n *Namespace) Symlink(target, p string) errno.Errno {
	if target == "" {
		return errno.ENOENT
	}
	if len(target) >= MaxPathLen {
		return errno.ENAMETOOLONG
	}
	parent, name, e := n.resolveParent(p)
	if e != 0 {
		return e
	}
	if name == "" || name == "." || name == ".." || strings.HasSuffix(p, "/") {
		return errno.EEXIST
	}
	if _, e := n.walk(parent, []string{name}, false); e == 0 {
		return errno.EEXIST
	}
	if parent.Mount.ReadOnly {
		return errno.EROFS
	}
	return parent.Inode.Symlink(name, target)
}

// Readlink returns the target of the symbolic link p.
func (n *Namespace) Readlink(p string) (string, errno.Errno) {
	d, e := n.Resolve(p, false)
	if e != 0 {
		return "", e
	}
	return n.readlink(d.Inode)
}

// Link makes newPath a hard link to oldPath (following a final symlink of
// oldPath if follow).
func (n *Namespace) Link(oldPath, newPath string, follow bool) errno.Errno {
	old, e := n.Resolve(oldPath, follow)
	if e != 0 {
		return e
	}
	if old.Inode.Type() == TypeDirectory {
		return errno.EPERM
	}
	parent, name, e := n.resolveParent(newPath)
	if e != 0 {
		return e
	}
	if name == "" || name == "." || name == ".." || strings.HasSuffix(newPath, "/") {
		return errno.EEXIST
	}
	if _, e := n.walk(parent, []string{name}, false); e == 0 {
		return errno.EEXIST
	}
	if parent.Mount != old.Mount {
		return errno.EXDEV
	}
	if parent.Mount.ReadOnly {
		return errno.EROFS
	}
	return parent.Inode.Link(name, old.Inode)
}

// Rename moves oldPath to newPath as rename(2).
func (n *Namespace) Rename(oldPath, newPath string) errno.Errno {
	op, oname, e := n.resolveParent(oldPath)
	if e != 0 {
		return e
	}
	np, nname, e := n.resolveParent(newPath)
	if e != 0 {
		return e
	}
	if oname == "" || oname == "." || oname == ".." || nname == "" || nname == "." || nname == ".." {
		return errno.EBUSY
	}
	src, e := n.walk(op, []string{oname}, false)
	if e != 0 {
		return e
	}
	dst, de := n.walk(np, []string{nname}, false)
	if (strings.HasSuffix(oldPath, "/") || strings.HasSuffix(newPath, "/")) && src.Inode.Type() != TypeDirectory {
		return errno.ENOTDIR
	}
	if op.Mount != np.Mount {
		return errno.EXDEV
	}
	if n.isMountPoint(src.Path) || (de == 0 && n.isMountPoint(dst.Path)) {
		return errno.EBUSY
	}
	if op.Mount.ReadOnly {
		return errno.EROFS
	}
	if de == 0 && dst.Inode == src.Inode {
		return 0 // same file: rename(2) does nothing
	}
	if src.Inode.Type() == TypeDirectory {
		if np.Path == src.Path || strings.HasPrefix(np.Path, src.Path+"/") {
			return errno.EINVAL
		}
	}
	if de == 0 {
		st, dt := src.Inode.Type(), dst.Inode.Type()
		if st == TypeDirectory && dt != TypeDirectory {
			return errno.ENOTDIR
		}
		if st != TypeDirectory && dt == TypeDirectory {
			return errno.EISDIR
		}
	}
	return op.Inode.Rename(oname, np.Inode, nname)
}

// SetAttr changes attributes of p (truncate, chmod, utimens).
func (n *Namespace) SetAttr(p string, follow bool, a SetAttr) errno.Errno {
	d, e := n.Resolve(p, follow)
	if e != 0 {
		return e
	}
	if d.Mount.ReadOnly {
		return errno.EROFS
	}
	if a.Mask&SetSize != 0 {
		switch d.Inode.Type() {
		case TypeDirectory:
			return errno.EISDIR
		case TypeRegular:
		default:
			return errno.EINVAL
		}
		if a.Size < 0 {
			return errno.EINVAL
		}
	}
	return d.Inode.SetAttr(a)
}

// CheckReplace says whether rename(2) may put a file of the source's kind
// over an existing destination: a directory only over an empty directory,
// a non-directory only over a non-directory. File systems call it with
// their tree locked.
//
// # Errors
//   - ENOTDIR: a directory over a non-directory.
//   - EISDIR: a non-directory over a directory.
//   - ENOTEMPTY: a directory over a non-empty one.
func CheckReplace(srcIsDir, dstIsDir, dstEmpty bool) errno.Errno {
	switch {
	case srcIsDir && !dstIsDir:
		return errno.ENOTDIR
	case !srcIsDir && dstIsDir:
		return errno.EISDIR
	case dstIsDir && !dstEmpty:
		return errno.ENOTEMPTY
	}
	return 0
}
