package unionfs

import (
	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
)

// Changes to the tree. Each takes fs.ns, looks the names up afresh under
// it, and changes the upper layer in an order that shows, at every step,
// either the old tree or the new one to lookups (which take no lock):
// a whiteout is made before the entry it stands for is removed, and an
// entry is made before the whiteout it replaces is removed (an entry wins
// over a whiteout of the same name in the same layer).

// lowerHas reports whether a lower layer shows name in directory d.
func (d *node) lowerHas(name string) (bool, errno.Errno) {
	if len(d.lowers) == 0 {
		return false, 0
	}
	_, e := resolve(d.lowers, name)
	switch e {
	case 0:
		return true, 0
	case errno.ENOENT:
		return false, 0
	}
	return false, e
}

// checkDir checks that d is a directory that still exists.
func (d *node) checkDir() errno.Errno {
	if d.typ != vfs.TypeDirectory {
		return errno.ENOTDIR
	}
	if d.dead.Load() {
		return errno.ENOENT
	}
	return 0
}

// create makes name in d with mk, given d's upper directory and whether it
// holds a whiteout for name; the whiteout is removed after.
func (d *node) create(name string, mk func(u vfs.Inode, whited bool) errno.Errno) errno.Errno {
	if e := d.checkDir(); e != 0 {
		return e
	}
	if reserved(name) {
		return errno.EINVAL
	}
	fs := d.fs
	fs.ns.Lock()
	defer fs.ns.Unlock()
	if e := d.checkDir(); e != 0 {
		return e
	}
	switch _, e := resolve(d.stack(), name); e {
	case 0:
		return errno.EEXIST
	case errno.ENOENT:
	default:
		return e
	}
	if fs.upper == nil {
		return errno.EROFS
	}
	u, e := d.upperDirLocked()
	if e != 0 {
		return e
	}
	whited, e := hasEntry(u, whiteout(name))
	if e != 0 {
		return e
	}
	if e := mk(u, whited); e != 0 {
		return e
	}
	if whited {
		dropWhiteout(u, name) // if it stays, the new entry still wins
	}
	return 0
}

func (d *node) Create(name string, perm uint32) (vfs.Inode, errno.Errno) {
	var c vfs.Inode
	e := d.create(name, func(u vfs.Inode, _ bool) errno.Errno {
		var e errno.Errno
		c, e = u.Create(name, perm)
		return e
	})
	if e != 0 {
		return nil, e
	}
	n := &node{fs: d.fs, typ: vfs.TypeRegular}
	n.setUpper(c)
	return n, 0
}

func (d *node) Mkdir(name string, perm uint32) errno.Errno {
	return d.create(name, func(u vfs.Inode, whited bool) errno.Errno {
		if !whited {
			return u.Mkdir(name, perm)
		}
		// Over a whiteout: an opaque directory, made whole in the
		// work directory and renamed into place.
		wd, e := d.fs.workDirLocked()
		if e != 0 {
			return e
		}
		tmp := d.fs.tempName()
		if e := wd.Mkdir(tmp, perm); e != 0 {
			return e
		}
		c, e := wd.Lookup(tmp)
		if e == 0 {
			_, e = c.Create(OpaqueMarker, 0o600)
		}
		if e == 0 {
			e = wd.Rename(tmp, u, name)
		}
		if e != 0 {
			removeAll(wd, tmp)
		}
		return e
	})
}

func (d *node) Symlink(name, target string) errno.Errno {
	return d.create(name, func(u vfs.Inode, _ bool) errno.Errno { return u.Symlink(name, target) })
}

func (d *node) Link(name string, target vfs.Inode) errno.Errno {
	if e := d.checkDir(); e != 0 {
		return e
	}
	t, ok := target.(*node)
	if !ok || t.fs != d.fs {
		return errno.EXDEV
	}
	if t.typ == vfs.TypeDirectory {
		return errno.EPERM
	}
	if reserved(name) {
		return errno.EINVAL
	}
	if _, e := resolve(d.stack(), name); e == 0 {
		return errno.EEXIST // checked again below; spares a copy-up
	}
	tu, e := t.copyUp(-1)
	if e != 0 {
		return e
	}
	return d.create(name, func(u vfs.Inode, _ bool) errno.Errno { return u.Link(name, tu) })
}

func (d *node) Unlink(name string) errno.Errno {
	if d.typ != vfs.TypeDirectory {
		return errno.ENOTDIR
	}
	if reserved(name) {
		return errno.ENOENT
	}
	fs := d.fs
	fs.ns.Lock()
	defer fs.ns.Unlock()
	if e := d.checkDir(); e != 0 {
		return e
	}
	f, e := resolve(d.stack(), name)
	if e != 0 {
		return e
	}
	if f.typ == vfs.TypeDirectory {
		return errno.EISDIR
	}
	if fs.upper == nil {
		return errno.EROFS
	}
	inUpper := f.layers[0].layer == 0
	lower, e := d.lowerHas(name)
	if e != 0 {
		return e
	}
	if !lower {
		return d.upperInode().Unlink(name) // inUpper: d has an upper directory
	}
	u, e := d.upperDirLocked()
	if e != 0 {
		return e
	}
	made, e := makeWhiteout(u, name)
	if e != 0 {
		return e
	}
	if inUpper {
		if e := u.Unlink(name); e != 0 {
			if made {
				dropWhiteout(u, name)
			}
			return e
		}
	}
	if d.path != "" {
		fs.markDead(childPath(d.path, name))
	}
	return 0
}

func (d *node) Rmdir(name string) errno.Errno {
	if d.typ != vfs.TypeDirectory {
		return errno.ENOTDIR
	}
	if reserved(name) {
		return errno.ENOENT
	}
	fs := d.fs
	fs.ns.Lock()
	defer fs.ns.Unlock()
	if e := d.checkDir(); e != 0 {
		return e
	}
	f, e := resolve(d.stack(), name)
	if e != 0 {
		return e
	}
	if f.typ != vfs.TypeDirectory {
		return errno.ENOTDIR
	}
	if fs.upper == nil {
		return errno.EROFS
	}
	if ents, e := fs.list(f.layers); e != 0 {
		return e
	} else if len(ents) > 0 {
		return errno.ENOTEMPTY
	}
	lower, e := d.lowerHas(name)
	if e != 0 {
		return e
	}
	u, e := d.upperDirLocked()
	if e != 0 {
		return e
	}
	made := false
	if lower {
		if made, e = makeWhiteout(u, name); e != 0 {
			return e
		}
	}
	if f.layers[0].layer == 0 {
		if e := fs.removeUpperDirLocked(u, name, f.layers[0].in); e != 0 {
			if made {
				dropWhiteout(u, name)
			}
			return e
		}
	}
	if d.path != "" {
		fs.markDead(childPath(d.path, name))
	}
	return 0
}

// removeUpperDirLocked removes directory name, c, from u, an upper
// directory; c shows nothing but may hold whiteouts, which must not
// disappear while c is still in place (the lower entries would show): a
// non-empty c is first moved into the work directory.
//
// Preconditions: fs.ns is held.
func (fs *FileSystem) removeUpperDirLocked(u vfs.Inode, name string, c vfs.Inode) errno.Errno {
	raw, e := c.ReadDir()
	if e != 0 {
		return e
	}
	if len(raw) == 0 {
		return u.Rmdir(name)
	}
	wd, e := fs.workDirLocked()
	if e != 0 {
		return e
	}
	tmp := fs.tempName()
	if e := u.Rename(name, wd, tmp); e != 0 {
		return e
	}
	removeAll(wd, tmp) // what is left is cleared by the next New
	return 0
}

func (d *node) Rename(oldName string, newDir vfs.Inode, newName string) errno.Errno {
	if d.typ != vfs.TypeDirectory {
		return errno.ENOTDIR
	}
	nd, ok := newDir.(*node)
	if !ok || nd.fs != d.fs {
		return errno.EXDEV
	}
	if nd.typ != vfs.TypeDirectory {
		return errno.ENOTDIR
	}
	if reserved(oldName) {
		return errno.ENOENT
	}
	if reserved(newName) {
		return errno.EINVAL
	}
	for try := 0; ; try++ {
		e, again := d.rename(oldName, nd, newName)
		if !again || try == 3 {
			return e
		}
	}
}

// rename is one attempt at Rename; again says the source changed between
// its copy-up and the namespace lock.
func (d *node) rename(oldName string, nd *node, newName string) (e errno.Errno, again bool) {
	fs := d.fs
	if e := d.checkDir(); e != 0 {
		return e, false
	}
	f, e := resolve(d.stack(), oldName)
	if e != 0 {
		return e, false
	}
	if f.typ == vfs.TypeDirectory && (len(f.layers) > 1 || f.layers[0].layer != 0) {
		// A directory a lower layer holds would have to move with
		// everything below it (overlayfs's redirect_dir): not done.
		if fs.upper == nil {
			return errno.EROFS, false
		}
		return errno.EXDEV, false
	}
	if f.layers[0].layer != 0 {
		if _, e := fs.nodeFor(d, oldName, f).copyUp(-1); e != 0 {
			return e, false
		}
	}

	fs.ns.Lock()
	defer fs.ns.Unlock()
	if e := d.checkDir(); e != 0 {
		return e, false
	}
	if e := nd.checkDir(); e != 0 {
		return e, false
	}
	if f, e = resolve(d.stack(), oldName); e != 0 {
		return e, false
	}
	if f.layers[0].layer != 0 || (f.typ == vfs.TypeDirectory && len(f.layers) > 1) {
		return errno.EXDEV, true
	}
	src := f.layers[0].in
	g, de := resolve(nd.stack(), newName)
	if de != 0 && de != errno.ENOENT {
		return de, false
	}
	var dst vfs.Inode // the upper entry at newName, if any
	if de == 0 {
		if g.layers[0].layer == 0 {
			dst = g.layers[0].in
			if same, e := sameInode(src, dst); e != 0 || same {
				return e, false // rename(2) of a file onto itself does nothing
			}
		}
		switch {
		case f.typ == vfs.TypeDirectory && g.typ != vfs.TypeDirectory:
			return errno.ENOTDIR, false
		case f.typ != vfs.TypeDirectory && g.typ == vfs.TypeDirectory:
			return errno.EISDIR, false
		case g.typ == vfs.TypeDirectory:
			ents, e := fs.list(g.layers)
			if e != 0 {
				return e, false
			}
			if len(ents) > 0 {
				return errno.ENOTEMPTY, false
			}
		}
	}
	du, e := d.upperDirLocked()
	if e != 0 {
		return e, false
	}
	nu, e := nd.upperDirLocked()
	if e != 0 {
		return e, false
	}
	oldLower, e := d.lowerHas(oldName)
	if e != 0 {
		return e, false
	}
	newLower, e := nd.lowerHas(newName)
	if e != 0 {
		return e, false
	}

	// 1. A directory landing where a lower layer shows something must
	// not merge with it: make it opaque (keeping its times).
	if f.typ == vfs.TypeDirectory && newLower {
		if e := makeOpaque(src); e != 0 {
			return e, false
		}
	}
	// 2. An upper directory at newName holding whiteouts cannot be
	// replaced by the layer's rename: move it aside, behind a whiteout
	// if a lower layer shows newName.
	var wd vfs.Inode
	aside, whNew := "", false
	if dst != nil && g.typ == vfs.TypeDirectory {
		raw, e := dst.ReadDir()
		if e != 0 {
			return e, false
		}
		if len(raw) > 0 {
			if wd, e = fs.workDirLocked(); e != 0 {
				return e, false
			}
			if newLower {
				if whNew, e = makeWhiteout(nu, newName); e != 0 {
					return e, false
				}
			}
			aside = fs.tempName()
			if e := nu.Rename(newName, wd, aside); e != 0 {
				if whNew {
					dropWhiteout(nu, newName)
				}
				return e, false
			}
		}
	}
	undo := func() {
		if aside != "" {
			wd.Rename(aside, nu, newName)
		}
		if whNew {
			dropWhiteout(nu, newName)
		}
	}
	// 3. A whiteout for the old name, if a lower layer shows it.
	whOld := false
	if oldLower {
		if whOld, e = makeWhiteout(du, oldName); e != 0 {
			undo()
			return e, false
		}
	}
	// 4. The move.
	if e := du.Rename(oldName, nu, newName); e != 0 {
		if whOld {
			dropWhiteout(du, oldName)
		}
		undo()
		return e, false
	}
	// 5. The whiteout at newName is redundant now.
	dropWhiteout(nu, newName)
	if aside != "" {
		removeAll(wd, aside)
	}
	if de == 0 && nd.path != "" {
		fs.markDead(childPath(nd.path, newName))
	}
	return 0, false
}

// makeOpaque puts an opaque marker in dir, an upper directory, keeping its
// times.
func makeOpaque(dir vfs.Inode) errno.Errno {
	opq, e := isOpaque(dir)
	if e != 0 || opq {
		return e
	}
	st, e := dir.Stat()
	if e != 0 {
		return e
	}
	if _, e := dir.Create(OpaqueMarker, 0o600); e != 0 {
		return e
	}
	restoreTimes(dir, st)
	return 0
}

// sameInode reports whether a and b, inodes of the upper layer, are one.
func sameInode(a, b vfs.Inode) (bool, errno.Errno) {
	sa, e := a.Stat()
	if e != 0 {
		return false, e
	}
	sb, e := b.Stat()
	if e != 0 {
		return false, e
	}
	return sa.Ino == sb.Ino, 0
}
