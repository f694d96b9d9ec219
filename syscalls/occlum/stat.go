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

var statFuncs = []abi.Func{stat}

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
		flags := uint32(s[1])
		if flags&^uint32(atSymlinkNofollow|atEmptyPath) != 0 {
			return errno.EINVAL
		}
		path, e := abi.Path(mod, uint32(s[2]), uint32(s[3]))
		if e != 0 {
			return e
		}
		out, e := abi.Bytes(mod, uint32(s[4]), statSize)
		if e != 0 {
			return e
		}
		var st vfs.Stat
		if path == "" && flags&atEmptyPath != 0 {
			f, e := p.FDs.Get(int32(s[0]))
			if e != 0 {
				return e
			}
			st, e = f.Stat()
			f.DecRef()
			if e != 0 {
				return e
			}
		} else {
			abs, e := p.AtPath(int32(s[0]), path)
			if e != 0 {
				return e
			}
			if st, e = p.Kernel().VFS.Stat(abs, flags&atSymlinkNofollow == 0); e != 0 {
				return e
			}
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
