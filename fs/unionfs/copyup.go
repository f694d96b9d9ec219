package unionfs

import (
	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
)

// copyUp returns the upper inode of a non-directory, copying it from its
// lower layer first if needed. limit, when not negative, caps how many
// bytes of data are copied (and the size of the copy): the caller is about
// to truncate the file to limit.
//
// The data is copied without holding fs.ns, into a temporary in the work
// directory, and renamed into place under fs.ns after checking that the
// name still shows this file.
//
// # Errors
//   - EROFS: the union has no upper layer.
//   - ENOENT: the file was removed through the union since it was found.
//   - EOPNOTSUPP: the file is a device, FIFO or socket.
//   - and the upper layer's errors (ENOSPC, EIO).
func (n *node) copyUp(limit int64) (vfs.Inode, errno.Errno) {
	if u := n.upperInode(); u != nil {
		return u, 0
	}
	fs := n.fs
	if fs.upper == nil {
		return nil, errno.EROFS
	}
	n.cu.Lock()
	defer n.cu.Unlock()
	if u := n.upperInode(); u != nil {
		return u, 0
	}
	switch n.typ {
	case vfs.TypeRegular, vfs.TypeSymlink:
	default:
		return nil, errno.EOPNOTSUPP
	}
	src := n.lowers[0].in
	st, e := src.Stat()
	if e != 0 {
		return nil, e
	}

	fs.ns.Lock()
	pu, wd, u, e := n.prepareLocked()
	fs.ns.Unlock()
	if e != 0 {
		return nil, e
	}
	if u != nil {
		n.setUpper(u)
		return u, 0
	}

	tmp, e := fs.copyToTemp(wd, src, st, limit)
	if e != 0 {
		return nil, e
	}

	fs.ns.Lock()
	u, e = n.installLocked(pu, wd, tmp)
	fs.ns.Unlock()
	if e != 0 {
		removeAll(wd, tmp)
		return nil, e
	}
	n.setUpper(u)
	return u, 0
}

// prepareLocked makes the parent directory in the upper layer and the work
// directory, and checks the name: u is not nil when the upper layer
// already holds the file (copied up through a node since collected).
//
// Preconditions: fs.ns is held; n is a lower-backed non-directory.
func (n *node) prepareLocked() (pu, wd, u vfs.Inode, e errno.Errno) {
	if pu, e = n.parent.upperDirLocked(); e != 0 {
		return nil, nil, nil, e
	}
	if u, e = n.checkNameLocked(pu); e != 0 || u != nil {
		return nil, nil, u, e
	}
	if wd, e = n.fs.workDirLocked(); e != 0 {
		return nil, nil, nil, e
	}
	return pu, wd, nil, 0
}

// checkNameLocked checks that n's name in pu, its parent's upper
// directory, still shows n: it returns the upper entry if there is one of
// n's type, ENOENT if n was removed (or the name now shows something
// else), and nil otherwise.
//
// Preconditions: fs.ns is held; n is lower-backed.
func (n *node) checkNameLocked(pu vfs.Inode) (vfs.Inode, errno.Errno) {
	if n.dead.Load() {
		return nil, errno.ENOENT
	}
	c, e := pu.Lookup(n.name)
	switch {
	case e == 0:
		if c.Type() != n.typ {
			return nil, errno.ENOENT
		}
		if n.typ == vfs.TypeDirectory {
			// An opaque directory is a new one made over a whiteout,
			// not the upper part of n.
			if opq, e := isOpaque(c); e != 0 || opq {
				return nil, errno.ENOENT
			}
		}
		return c, 0
	case e != errno.ENOENT:
		return nil, e
	}
	wh, e := hasEntry(pu, whiteout(n.name))
	if e != 0 {
		return nil, e
	}
	if wh {
		return nil, errno.ENOENT
	}
	return nil, 0
}

// installLocked renames the finished copy tmp from the work directory to
// n's name in pu, keeping pu's times.
//
// Preconditions: fs.ns is held.
func (n *node) installLocked(pu, wd vfs.Inode, tmp string) (vfs.Inode, errno.Errno) {
	u, e := n.checkNameLocked(pu)
	if e != 0 || u != nil {
		if u != nil {
			removeAll(wd, tmp)
		}
		return u, e
	}
	pst, e := pu.Stat()
	if e != 0 {
		return nil, e
	}
	if e := wd.Rename(tmp, pu, n.name); e != 0 {
		return nil, e
	}
	restoreTimes(pu, pst)
	return pu.Lookup(n.name)
}

// copyToTemp copies src (with attributes st) to a new temporary in wd and
// returns its name: at most limit bytes of data when limit >= 0, in chunks
// of fs.chunkSize, skipping chunks that are all zeros; then the mode and
// the access and modification times.
func (fs *FileSystem) copyToTemp(wd, src vfs.Inode, st vfs.Stat, limit int64) (string, errno.Errno) {
	name := fs.tempName()
	var tmp vfs.Inode
	var e errno.Errno
	switch st.Type() {
	case vfs.TypeSymlink:
		target, e := src.Readlink()
		if e != 0 {
			return "", e
		}
		if e := wd.Symlink(name, target); e != 0 {
			return "", e
		}
		if tmp, e = wd.Lookup(name); e != 0 {
			removeAll(wd, name)
			return "", e
		}
		// Not every layer keeps times of links: best effort.
		tmp.SetAttr(vfs.SetAttr{Mask: vfs.SetAtime | vfs.SetMtime, Atime: st.Atime, Mtime: st.Mtime})
		return name, 0
	case vfs.TypeRegular:
	default:
		return "", errno.EOPNOTSUPP
	}
	if tmp, e = wd.Create(name, 0o600); e != 0 {
		return "", e
	}
	size := st.Size
	if limit >= 0 && limit < size {
		size = limit
	}
	if e = fs.copyData(tmp, src, size); e == 0 {
		e = tmp.SetAttr(vfs.SetAttr{Mask: vfs.SetMode | vfs.SetAtime | vfs.SetMtime,
			Mode: st.Perm(), Atime: st.Atime, Mtime: st.Mtime})
	}
	if e != 0 {
		removeAll(wd, name)
		return "", e
	}
	return name, 0
}

// copyData copies the first size bytes of src into the empty regular file
// dst, one chunk at a time, and sets dst's size to size.
func (fs *FileSystem) copyData(dst, src vfs.Inode, size int64) errno.Errno {
	if size > 0 {
		r, e := src.Open(vfs.O_RDONLY)
		if e != 0 {
			return e
		}
		defer r.Close()
		w, e := dst.Open(vfs.O_WRONLY)
		if e != 0 {
			return e
		}
		if e := copyChunks(w, r, size, fs.chunkSize); e != 0 {
			w.Close()
			return e
		}
		if e := w.Sync(true); e != 0 && e != errno.EINVAL && e != errno.ENOSYS {
			w.Close()
			return e
		}
		if e := w.Close(); e != 0 {
			return e
		}
	}
	// The size, for a file that ends in a hole or shrank under us.
	return dst.SetAttr(vfs.SetAttr{Mask: vfs.SetSize, Size: size})
}

// copyChunks copies [0, size) from r to w through one buffer of at most
// chunk bytes, leaving chunks of zeros unwritten (holes).
func copyChunks(w, r vfs.FileImpl, size int64, chunk int) errno.Errno {
	buf := make([]byte, min(int64(chunk), size))
	for off := int64(0); off < size; {
		p := buf[:min(int64(len(buf)), size-off)]
		got, e := r.ReadAt(p, off)
		if e != 0 {
			return e
		}
		if got == 0 {
			return 0 // the lower file is shorter than it said
		}
		p = p[:got]
		if !allZero(p) {
			for done := 0; done < len(p); {
				k, e := w.WriteAt(p[done:], off+int64(done))
				if e != 0 {
					return e
				}
				if k == 0 {
					return errno.EIO
				}
				done += k
			}
		}
		off += int64(got)
	}
	return 0
}

func allZero(p []byte) bool {
	for _, b := range p {
		if b != 0 {
			return false
		}
	}
	return true
}

// copyUpDir returns the upper directory of a directory, making it (and its
// missing ancestors) first if needed.
func (n *node) copyUpDir() (vfs.Inode, errno.Errno) {
	if u := n.upperInode(); u != nil {
		return u, 0
	}
	if n.fs.upper == nil {
		return nil, errno.EROFS
	}
	n.fs.ns.Lock()
	defer n.fs.ns.Unlock()
	return n.upperDirLocked()
}

// upperDirLocked returns the upper directory of directory n, making it in
// its parent's upper directory (made the same way) with the mode and
// times of n's topmost lower directory. The parent's times are kept.
//
// Preconditions: fs.ns is held; fs.upper != nil.
func (n *node) upperDirLocked() (vfs.Inode, errno.Errno) {
	if u := n.upperInode(); u != nil {
		return u, 0
	}
	if n.dead.Load() || n.parent == nil {
		return nil, errno.ENOENT
	}
	pu, e := n.parent.upperDirLocked()
	if e != 0 {
		return nil, e
	}
	u, e := n.checkNameLocked(pu)
	if e != 0 {
		return nil, e
	}
	if u == nil {
		st, e := n.lowers[0].in.Stat()
		if e != 0 {
			return nil, e
		}
		pst, e := pu.Stat()
		if e != 0 {
			return nil, e
		}
		if e := pu.Mkdir(n.name, st.Perm()); e != 0 {
			return nil, e
		}
		restoreTimes(pu, pst)
		if u, e = pu.Lookup(n.name); e != 0 {
			return nil, e
		}
		u.SetAttr(vfs.SetAttr{Mask: vfs.SetMode | vfs.SetAtime | vfs.SetMtime,
			Mode: st.Perm(), Atime: st.Atime, Mtime: st.Mtime})
	}
	n.setUpper(u)
	return u, 0
}
