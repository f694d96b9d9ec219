package unionfs

import (
	"strings"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
)

// reserved reports whether name belongs to unionfs (never seen by guests).
func reserved(name string) bool { return strings.HasPrefix(name, WhiteoutPrefix) }

// whiteout returns the name of the whiteout that hides name.
func whiteout(name string) string { return WhiteoutPrefix + name }

// hasEntry reports whether dir, a layer's directory, holds name.
func hasEntry(dir vfs.Inode, name string) (bool, errno.Errno) {
	_, e := dir.Lookup(name)
	switch e {
	case 0:
		return true, 0
	case errno.ENOENT:
		return false, 0
	}
	return false, e
}

// isOpaque reports whether dir, a layer's directory, is opaque.
func isOpaque(dir vfs.Inode) (bool, errno.Errno) { return hasEntry(dir, OpaqueMarker) }

// makeWhiteout puts a whiteout for name in dir, a directory of the upper
// layer, and reports whether it made one (false: one was there already).
func makeWhiteout(dir vfs.Inode, name string) (bool, errno.Errno) {
	_, e := dir.Create(whiteout(name), 0o600)
	switch e {
	case 0:
		return true, 0
	case errno.EEXIST:
		return false, 0
	}
	return false, e
}

// dropWhiteout removes the whiteout for name from dir if there is one.
func dropWhiteout(dir vfs.Inode, name string) errno.Errno {
	if e := dir.Unlink(whiteout(name)); e != 0 && e != errno.ENOENT {
		return e
	}
	return 0
}

// removeAll removes name from dir, a directory of the upper layer, with
// everything under it.
func removeAll(dir vfs.Inode, name string) errno.Errno {
	c, e := dir.Lookup(name)
	if e == errno.ENOENT {
		return 0
	}
	if e != 0 {
		return e
	}
	if c.Type() != vfs.TypeDirectory {
		return dir.Unlink(name)
	}
	ents, e := c.ReadDir()
	if e != 0 {
		return e
	}
	for _, d := range ents {
		if e := removeAll(c, d.Name); e != 0 {
			return e
		}
	}
	return dir.Rmdir(name)
}

// restoreTimes sets dir's access and modification times back to st's
// (after unionfs changed dir for its own bookkeeping). Best effort: a
// layer that cannot set times keeps the new ones.
func restoreTimes(dir vfs.Inode, st vfs.Stat) {
	dir.SetAttr(vfs.SetAttr{Mask: vfs.SetAtime | vfs.SetMtime, Atime: st.Atime, Mtime: st.Mtime})
}
