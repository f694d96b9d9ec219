package wasi

import (
	"context"

	"github.com/tetratelabs/wazero/api"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/kernel"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/syscalls/abi"
)

// WASI lookupflags and oflags.
const (
	lookupSymlinkFollow = 1 << 0

	oflagCreat     = 1 << 0
	oflagDirectory = 1 << 1
	oflagExcl      = 1 << 2
	oflagTrunc     = 1 << 3
)

// DirfdCwd is Linux's AT_FDCWD (see kernel.DirfdCwd).
const DirfdCwd = kernel.DirfdCwd

// resolveAt reads the guest path (ptr, n) and makes it absolute against the
// directory behind dirfd (or the working directory for DirfdCwd).
func resolveAt(p *kernel.Process, mod api.Module, dirfd uint64, ptr, n uint64) (string, errno.Errno) {
	path, e := abi.Path(mod, uint32(ptr), uint32(n))
	if e != 0 {
		return "", e
	}
	return p.AtPath(int32(dirfd), path)
}

// atPath runs op on the path of a (fd, path, path_len) call.
func atPath(p *kernel.Process, mod api.Module, s []uint64, op func(path string) errno.Errno) errno.Errno {
	path, e := resolveAt(p, mod, s[0], s[1], s[2])
	if e != 0 {
		return e
	}
	return op(path)
}

var pathCreateDirectory = abi.Func{
	Name:    "path_create_directory",
	Params:  []abi.Param{abi.I32("fd"), abi.I32("path"), abi.I32("path_len")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		return atPath(p, mod, s, func(path string) errno.Errno {
			return p.VFS().Mkdir(path, 0o777&^p.Umask())
		})
	},
}

var pathFilestatGet = abi.Func{
	Name:    "path_filestat_get",
	Params:  []abi.Param{abi.I32("fd"), abi.I32("flags"), abi.I32("path"), abi.I32("path_len"), abi.I32("result.filestat")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		path, e := resolveAt(p, mod, s[0], s[2], s[3])
		if e != 0 {
			return e
		}
		if _, e := abi.Bytes(mod, uint32(s[4]), 64); e != 0 {
			return e
		}
		st, e := p.VFS().Stat(path, uint32(s[1])&lookupSymlinkFollow != 0)
		if e != 0 {
			return e
		}
		return putFilestat(mod, uint32(s[4]), &st)
	},
}

var pathFilestatSetTimes = abi.Func{
	Name: "path_filestat_set_times",
	Params: []abi.Param{abi.I32("fd"), abi.I32("flags"), abi.I32("path"), abi.I32("path_len"),
		abi.I64("atim"), abi.I64("mtim"), abi.I32("fst_flags")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		path, e := resolveAt(p, mod, s[0], s[2], s[3])
		if e != 0 {
			return e
		}
		a, e := timesAttr(s[4], s[5], uint32(s[6]))
		if e != 0 {
			return e
		}
		follow := uint32(s[1])&lookupSymlinkFollow != 0
		if a.Mask == 0 {
			_, e := p.VFS().Stat(path, follow)
			return e
		}
		return p.VFS().SetAttr(path, follow, a)
	},
}

var pathLink = abi.Func{
	Name: "path_link",
	Params: []abi.Param{abi.I32("old_fd"), abi.I32("old_flags"), abi.I32("old_path"), abi.I32("old_path_len"),
		abi.I32("new_fd"), abi.I32("new_path"), abi.I32("new_path_len")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		oldPath, e := resolveAt(p, mod, s[0], s[2], s[3])
		if e != 0 {
			return e
		}
		newPath, e := resolveAt(p, mod, s[4], s[5], s[6])
		if e != 0 {
			return e
		}
		return p.VFS().Link(oldPath, newPath, uint32(s[1])&lookupSymlinkFollow != 0)
	},
}

var pathOpen = abi.Func{
	Name: "path_open",
	Params: []abi.Param{abi.I32("fd"), abi.I32("dirflags"), abi.I32("path"), abi.I32("path_len"),
		abi.I32("oflags"), abi.I64("fs_rights_base"), abi.I64("fs_rights_inheriting"),
		abi.I32("fdflags"), abi.I32("result.opened_fd")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		path, e := resolveAt(p, mod, s[0], s[2], s[3])
		if e != 0 {
			return e
		}
		if _, e := abi.Bytes(mod, uint32(s[8]), 4); e != 0 {
			return e
		}
		flags, e := openFlags(uint32(s[1]), uint32(s[4]), s[5], uint32(s[7]))
		if e != 0 {
			return e
		}
		// As Linux, the descriptor is found before the file: with none
		// free below RLIMIT_NOFILE, EMFILE, and nothing is created.
		if e := p.FDs.CheckFree(0); e != 0 {
			return e
		}
		f, e := p.VFS().Open(path, flags, 0o666&^p.Umask(), p.FDs)
		if e != 0 {
			return e
		}
		fd, e := p.FDs.Insert(f, 0, false)
		if e != 0 {
			f.DecRef()
			return e
		}
		return abi.PutU32(mod, uint32(s[8]), uint32(fd))
	},
}

// openFlags turns path_open's arguments into open(2) flags. The access mode
// comes from the requested rights, as wasi-libc derives the rights from it.
// Only fd_write means write access: Go's wasip1 keeps fd_filestat_set_size
// in the rights of a read-only open.
func openFlags(lookup, oflags uint32, rights uint64, fdflags uint32) (vfs.OpenFlags, errno.Errno) {
	if oflags&^uint32(oflagCreat|oflagDirectory|oflagExcl|oflagTrunc) != 0 ||
		fdflags&^uint32(fdflagAppend|fdflagDsync|fdflagNonblock|fdflagRsync|fdflagSync) != 0 {
		return 0, errno.EINVAL
	}
	var fl vfs.OpenFlags
	r := rights&rightFdRead != 0 || rights&rightFdReaddir != 0
	w := rights&rightFdWrite != 0
	switch {
	case r && w:
		fl = vfs.O_RDWR
	case w:
		fl = vfs.O_WRONLY
	default:
		fl = vfs.O_RDONLY
	}
	if oflags&oflagCreat != 0 {
		fl |= vfs.O_CREAT
	}
	if oflags&oflagDirectory != 0 {
		fl |= vfs.O_DIRECTORY
	}
	if oflags&oflagExcl != 0 {
		fl |= vfs.O_EXCL
	}
	if oflags&oflagTrunc != 0 {
		fl |= vfs.O_TRUNC
	}
	if lookup&lookupSymlinkFollow == 0 {
		fl |= vfs.O_NOFOLLOW
	}
	if fdflags&fdflagAppend != 0 {
		fl |= vfs.O_APPEND
	}
	if fdflags&fdflagNonblock != 0 {
		fl |= vfs.O_NONBLOCK
	}
	if fdflags&(fdflagSync|fdflagRsync) != 0 {
		fl |= vfs.O_SYNC
	} else if fdflags&fdflagDsync != 0 {
		fl |= vfs.O_DSYNC
	}
	return fl, 0
}

var pathReadlink = abi.Func{
	Name: "path_readlink",
	Params: []abi.Param{abi.I32("fd"), abi.I32("path"), abi.I32("path_len"),
		abi.I32("buf"), abi.I32("buf_len"), abi.I32("result.bufused")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		path, e := resolveAt(p, mod, s[0], s[1], s[2])
		if e != 0 {
			return e
		}
		buf, e := abi.Bytes(mod, uint32(s[3]), uint32(s[4]))
		if e != 0 {
			return e
		}
		if _, e := abi.Bytes(mod, uint32(s[5]), 4); e != 0 {
			return e
		}
		target, e := p.VFS().Readlink(path)
		if e != 0 {
			return e
		}
		n := copy(buf, target) // truncated silently, as readlink(2)
		return abi.PutU32(mod, uint32(s[5]), uint32(n))
	},
}

var pathRemoveDirectory = abi.Func{
	Name:    "path_remove_directory",
	Params:  []abi.Param{abi.I32("fd"), abi.I32("path"), abi.I32("path_len")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		return atPath(p, mod, s, p.VFS().Rmdir)
	},
}

var pathRename = abi.Func{
	Name: "path_rename",
	Params: []abi.Param{abi.I32("fd"), abi.I32("old_path"), abi.I32("old_path_len"),
		abi.I32("new_fd"), abi.I32("new_path"), abi.I32("new_path_len")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		oldPath, e := resolveAt(p, mod, s[0], s[1], s[2])
		if e != 0 {
			return e
		}
		newPath, e := resolveAt(p, mod, s[3], s[4], s[5])
		if e != 0 {
			return e
		}
		return p.VFS().Rename(oldPath, newPath)
	},
}

var pathSymlink = abi.Func{
	Name: "path_symlink",
	Params: []abi.Param{abi.I32("old_path"), abi.I32("old_path_len"), abi.I32("fd"),
		abi.I32("new_path"), abi.I32("new_path_len")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		target, e := abi.Path(mod, uint32(s[0]), uint32(s[1]))
		if e != 0 {
			return e
		}
		path, e := resolveAt(p, mod, s[2], s[3], s[4])
		if e != 0 {
			return e
		}
		return p.VFS().Symlink(target, path)
	},
}

var pathUnlinkFile = abi.Func{
	Name:    "path_unlink_file",
	Params:  []abi.Param{abi.I32("fd"), abi.I32("path"), abi.I32("path_len")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		return atPath(p, mod, s, p.VFS().Unlink)
	},
}
