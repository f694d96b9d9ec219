package occlum

import (
	"context"
	"encoding/binary"

	"github.com/tetratelabs/wazero/api"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/kernel"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/syscalls/abi"
)

var statFuncs = []abi.Func{stat, chmod, chown}

// *at flags (Linux values).
const (
	atSymlinkNofollow = 0x100
	atEmptyPath       = 0x1000
)

// statSize is the size of the stat result (docs/abi.md).
const statSize = 88

// stat is fstatat(2) with Linux's fields, which WASI's filestat lacks:
// permission bits, owner, device numbers, block count. libocclum's stat
// family uses it.
var stat = abi.Func{
	Name:    "stat",
	Params:  []abi.Param{abi.I32("fd"), abi.I32("flags"), abi.I32("path"), abi.I32("path_len"), abi.I32("result.stat")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		t, e := atTarget(p, mod, s)
		if e != 0 {
			return e
		}
		out, e := abi.Bytes(mod, uint32(s[4]), statSize)
		if e != 0 {
			t.done()
			return e
		}
		var st vfs.Stat
		if t.file != nil {
			st, e = t.file.Stat()
		} else {
			st, e = p.VFS().Stat(t.abs, t.follow)
		}
		t.done()
		if e != 0 {
			return e
		}
		le := binary.LittleEndian
		clear(out)
		le.PutUint64(out[0:], st.Dev)
		le.PutUint64(out[8:], st.Ino)
		le.PutUint32(out[16:], st.Mode)
		le.PutUint32(out[20:], uint32(st.Nlink))
		le.PutUint32(out[24:], st.Uid)
		le.PutUint32(out[28:], st.Gid)
		le.PutUint64(out[32:], st.Rdev)
		le.PutUint64(out[40:], uint64(st.Size))
		le.PutUint64(out[48:], uint64(st.Blocks))
		le.PutUint64(out[56:], uint64(st.Atime))
		le.PutUint64(out[64:], uint64(st.Mtime))
		le.PutUint64(out[72:], uint64(st.Ctime))
		le.PutUint32(out[80:], 4096) // st_blksize
		return 0
	},
}

// chmod is fchmodat(2) (with fchmod as AT_EMPTY_PATH and an empty path):
// the permission bits of a file, including set-uid, set-gid and sticky
// (bits above 07777 are ignored, as Linux does). AT_SYMLINK_NOFOLLOW
// changes the file itself when it is not a symbolic link and is
// EOPNOTSUPP on one (a link's mode means nothing on Linux). Every process
// runs as root, so the owner check always passes; each mount type keeps
// the bits it can (hostfs masks what its options do not allow).
var chmod = abi.Func{
	Name:    "chmod",
	Params:  []abi.Param{abi.I32("fd"), abi.I32("flags"), abi.I32("path"), abi.I32("path_len"), abi.I32("mode")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		t, e := atTarget(p, mod, s)
		if e != 0 {
			return e
		}
		defer t.done()
		a := vfs.SetAttr{Mask: vfs.SetMode, Mode: uint32(s[4]) & 0o7777}
		if t.file != nil {
			return t.file.SetAttr(a)
		}
		ns := p.VFS()
		if !t.follow {
			st, e := ns.Stat(t.abs, false)
			if e != 0 {
				return e
			}
			if st.Type() == vfs.TypeSymlink {
				return errno.EOPNOTSUPP
			}
		}
		return ns.SetAttr(t.abs, t.follow, a)
	},
}

// chown is fchownat(2) (fchown: AT_EMPTY_PATH and an empty path; lchown:
// AT_SYMLINK_NOFOLLOW): uid or gid 0xffffffff (-1) leaves that one as it
// is. Every process runs as root, so any owner may be given; a change
// clears set-uid (and group-executable set-gid) of a non-directory, as
// Linux does. hostfs refuses it (EPERM: host files keep their owners).
var chown = abi.Func{
	Name:    "chown",
	Params:  []abi.Param{abi.I32("fd"), abi.I32("flags"), abi.I32("path"), abi.I32("path_len"), abi.I32("uid"), abi.I32("gid")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		t, e := atTarget(p, mod, s)
		if e != 0 {
			return e
		}
		defer t.done()
		var a vfs.SetAttr
		if uid := uint32(s[4]); uid != 0xffffffff {
			a.Mask |= vfs.SetUid
			a.Uid = uid
		}
		if gid := uint32(s[5]); gid != 0xffffffff {
			a.Mask |= vfs.SetGid
			a.Gid = gid
		}
		switch {
		case a.Mask == 0 && t.file != nil:
			return 0
		case a.Mask == 0:
			_, e := p.VFS().Stat(t.abs, t.follow)
			return e
		case t.file != nil:
			return t.file.SetAttr(a)
		}
		return p.VFS().SetAttr(t.abs, t.follow, a)
	},
}

// target is what the (fd, flags, path, path_len) arguments of an *at
// call name: the open file itself (AT_EMPTY_PATH and an empty path; done
// drops the reference) or an absolute path, and whether a final symbolic
// link is followed.
type target struct {
	file   *vfs.File
	abs    string
	follow bool
}

func (t target) done() {
	if t.file != nil {
		t.file.DecRef()
	}
}

// atTarget reads s[0..3] (fd, flags, path, path_len) of an *at call;
// flags other than AT_SYMLINK_NOFOLLOW and AT_EMPTY_PATH are EINVAL.
func atTarget(p *kernel.Process, mod api.Module, s []uint64) (target, errno.Errno) {
	flags := uint32(s[1])
	if flags&^uint32(atSymlinkNofollow|atEmptyPath) != 0 {
		return target{}, errno.EINVAL
	}
	path, e := abi.Path(mod, uint32(s[2]), uint32(s[3]))
	if e != 0 {
		return target{}, e
	}
	if path == "" && flags&atEmptyPath != 0 {
		f, e := p.FDs.Get(int32(s[0]))
		if e != 0 {
			return target{}, e
		}
		return target{file: f}, 0
	}
	abs, e := p.AtPath(int32(s[0]), path)
	if e != 0 {
		return target{}, e
	}
	return target{abs: abs, follow: flags&atSymlinkNofollow == 0}, 0
}
