package hostfs

import (
	"io/fs"
	"os"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
)

// statFromSys converts what the host returned for a stat call. The host is
// untrusted: an unknown file type or a negative size is EIO.
func statFromSys(st *unix.Stat_t) (vfs.Stat, errno.Errno) {
	mode := st.Mode
	if !knownType(vfs.FileTypeFromMode(mode)) || mode&^0o177777 != 0 || st.Size < 0 {
		return vfs.Stat{}, errno.EIO
	}
	return vfs.Stat{
		Ino:    st.Ino,
		Mode:   mode,
		Nlink:  st.Nlink,
		Uid:    st.Uid,
		Gid:    st.Gid,
		Rdev:   st.Rdev,
		Size:   st.Size,
		Blocks: st.Blocks,
		Atime:  st.Atim.Nano(),
		Mtime:  st.Mtim.Nano(),
		Ctime:  st.Ctim.Nano(),
	}, 0
}

// fstatFile returns the checked attributes of an open host file.
func fstatFile(f *os.File) (vfs.Stat, errno.Errno) {
	var st unix.Stat_t
	if e := withFD(f, func(fd int) error { return unix.Fstat(fd, &st) }); e != 0 {
		return vfs.Stat{}, e
	}
	return statFromSys(&st)
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

func knownType(t vfs.FileType) bool {
	switch t {
	case vfs.TypeFIFO, vfs.TypeCharDev, vfs.TypeDirectory, vfs.TypeBlockDev,
		vfs.TypeRegular, vfs.TypeSymlink, vfs.TypeSocket:
		return true
	}
	return false
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
