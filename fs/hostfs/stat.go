package hostfs

import (
	"io/fs"
	"os"
	"strings"
	"syscall"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
)

// statFromInfo converts what the host returned for Lstat or Fstat. The host is
// untrusted: an unknown file type or a negative size is EIO.
func statFromInfo(fi os.FileInfo) (vfs.Stat, errno.Errno) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || st == nil {
		return vfs.Stat{}, errno.EIO
	}
	return statFromSys(st)
}

func statFromSys(st *syscall.Stat_t) (vfs.Stat, errno.Errno) {
	mode := uint32(st.Mode)
	if !knownType(vfs.FileTypeFromMode(mode)) || mode&^0o177777 != 0 || st.Size < 0 {
		return vfs.Stat{}, errno.EIO
	}
	return vfs.Stat{
		Ino:    st.Ino,
		Mode:   mode,
		Nlink:  uint64(st.Nlink),
		Uid:    st.Uid,
		Gid:    st.Gid,
		Rdev:   uint64(st.Rdev),
		Size:   st.Size,
		Blocks: st.Blocks,
		Atime:  st.Atim.Nano(),
		Mtime:  st.Mtim.Nano(),
		Ctime:  st.Ctim.Nano(),
	}, 0
}

func knownType(t vfs.FileType) bool {
	switch t {
	case vfs.TypeFIFO, vfs.TypeCharDev, vfs.TypeDirectory, vfs.TypeBlockDev,
		vfs.TypeRegular, vfs.TypeSymlink, vfs.TypeSocket:
		return true
	}
	return false
}

// typeOf returns the file type of a host FileInfo (from its Stat_t), or EIO.
func typeOf(fi os.FileInfo) (vfs.FileType, errno.Errno) {
	st, e := statFromInfo(fi)
	if e != 0 {
		return 0, e
	}
	return st.Type(), 0
}

// checkName reports whether name is a single valid component. For names
// coming from the LibOS (already checked by vfs) a failure is EINVAL; for
// names coming from the host the caller turns it into EIO.
func checkName(name string) bool {
	return name != "" && name != "." && name != ".." && len(name) <= vfs.MaxNameLen &&
		!strings.ContainsAny(name, "/\x00")
}

// checkTarget reports whether a symlink target read from the host is usable.
func checkTarget(t string) bool {
	return t != "" && len(t) < vfs.MaxPathLen && strings.IndexByte(t, 0) < 0
}

// fileMode converts Linux permission bits (with setuid/setgid/sticky) to an
// os.FileMode.
func fileMode(perm uint32) fs.FileMode {
	m := fs.FileMode(perm & 0o777)
	if perm&0o4000 != 0 {
		m |= fs.ModeSetuid
	}
	if perm&0o2000 != 0 {
		m |= fs.ModeSetgid
	}
	if perm&0o1000 != 0 {
		m |= fs.ModeSticky
	}
	return m
}
