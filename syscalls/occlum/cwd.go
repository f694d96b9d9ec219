package occlum

import (
	"context"

	"github.com/tetratelabs/wazero/api"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/kernel"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/syscalls/abi"
)

var cwdFuncs = []abi.Func{chdir, fchdir, getcwd, umask}

var chdir = abi.Func{
	Name:    "chdir",
	Params:  []abi.Param{abi.I32("path"), abi.I32("path_len")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		path, e := abi.Path(mod, uint32(s[0]), uint32(s[1]))
		if e != 0 {
			return e
		}
		return p.Chdir(path)
	},
}

var fchdir = abi.Func{
	Support: abi.Partial,
	Note:    "the working directory is kept as a path: fchdir to a directory renamed or removed since it was opened goes by its old path",
	Name:    "fchdir",
	Params:  []abi.Param{abi.I32("fd")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, _ api.Module, s []uint64) errno.Errno {
		f, e := p.FDs.Get(int32(s[0]))
		if e != 0 {
			return e
		}
		d := f.Dentry()
		f.DecRef()
		if d.Inode == nil || d.Inode.Type() != vfs.TypeDirectory {
			return errno.ENOTDIR
		}
		return p.Chdir(d.Path)
	},
}

var getcwd = abi.Func{
	Name:    "getcwd",
	Params:  []abi.Param{abi.I32("buf"), abi.I32("buf_len"), abi.I32("result.len")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		buf, e := abi.Bytes(mod, uint32(s[0]), uint32(s[1]))
		if e != 0 {
			return e
		}
		if _, e := abi.Bytes(mod, uint32(s[2]), 4); e != 0 {
			return e
		}
		cwd := p.Cwd()
		if len(buf) < len(cwd)+1 {
			return errno.ERANGE
		}
		buf[copy(buf, cwd)] = 0
		return abi.PutU32(mod, uint32(s[2]), uint32(len(cwd)))
	},
}

var umask = abi.Func{
	Name:    "umask",
	Params:  []abi.Param{abi.I32("mask"), abi.I32("result.old")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		if _, e := abi.Bytes(mod, uint32(s[1]), 4); e != 0 {
			return e
		}
		return abi.PutU32(mod, uint32(s[1]), p.SetUmask(uint32(s[0])))
	},
}
