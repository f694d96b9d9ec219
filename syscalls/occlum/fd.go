package occlum

import (
	"context"

	"github.com/tetratelabs/wazero/api"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/kernel"
	"github.com/occlumgo/occlum/core/pipe"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/syscalls/abi"
)

var fdFuncs = []abi.Func{pipe2, dup, dup2, dup3, fcntl, flockCall, syncFunc}

// syncFunc is sync(2) (fd -1) and syncfs(2) (fd open): every mounted
// file system's changes (sefs layers' uncommitted writes) are durable when
// it returns — for syncfs too, which covers fd's. It reports a failure
// (EIO, ENOSPC), which syncfs callers expect and libocclum's sync ignores.
var syncFunc = abi.Func{
	Name:    "sync",
	Params:  []abi.Param{abi.I32("fd")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, _ api.Module, s []uint64) errno.Errno {
		if fd := int32(s[0]); fd != -1 {
			f, e := p.FDs.Get(fd)
			if e != 0 {
				return e
			}
			f.DecRef()
		}
		return p.Kernel().VFS.Sync()
	},
}

// fcntl commands and descriptor flags (Linux values).
const (
	fDupfd        = 0
	fGetfd        = 1
	fSetfd        = 2
	fGetfl        = 3
	fSetfl        = 4
	fDupfdCloexec = 1030

	fdCloexec = 1
)

var pipe2 = abi.Func{
	Name:    "pipe2",
	Params:  []abi.Param{abi.I32("result.fds"), abi.I32("flags")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		fl := vfs.OpenFlags(uint32(s[1]))
		if fl&^(vfs.O_CLOEXEC|vfs.O_NONBLOCK) != 0 {
			return errno.EINVAL
		}
		if _, e := abi.Bytes(mod, uint32(s[0]), 8); e != 0 {
			return e
		}
		re, we := pipe.New(pipe.DefaultCapacity)
		nb, cloexec := fl&vfs.O_NONBLOCK, fl&vfs.O_CLOEXEC != 0
		r := vfs.NewFile(re, vfs.Dentry{}, vfs.O_RDONLY|nb)
		w := vfs.NewFile(we, vfs.Dentry{}, vfs.O_WRONLY|nb)
		rfd, e := p.FDs.Insert(r, 0, cloexec)
		if e != 0 {
			r.DecRef()
			w.DecRef()
			return e
		}
		wfd, e := p.FDs.Insert(w, 0, cloexec)
		if e != 0 {
			p.FDs.Remove(rfd)
			w.DecRef()
			return e
		}
		abi.PutU32(mod, uint32(s[0]), uint32(rfd))
		return abi.PutU32(mod, uint32(s[0])+4, uint32(wfd))
	},
}

// dupAbove puts a new descriptor for fd's description at the lowest free
// number >= min and stores it at result (dup, F_DUPFD). No free number is
// EMFILE (fdtable.Table.Insert). F_DUPFD (fdupfd) also refuses, as Linux's
// f_dupfd, a minimum that is not below RLIMIT_NOFILE with EINVAL — after
// EBADF for fd — so that F_DUPFD 0 under a limit of 0 is EINVAL while dup
// is EMFILE.
func dupAbove(p *kernel.Process, mod api.Module, fd, min int32, cloexec, fdupfd bool, result uint32) errno.Errno {
	f, e := p.FDs.Get(fd)
	if e != 0 {
		return e
	}
	if fdupfd && (min < 0 || min >= p.FDs.Limit()) {
		f.DecRef()
		return errno.EINVAL
	}
	if _, e := abi.Bytes(mod, result, 4); e != 0 {
		f.DecRef()
		return e
	}
	nfd, e := p.FDs.Insert(f, min, cloexec)
	if e != 0 {
		f.DecRef()
		return e
	}
	return abi.PutU32(mod, result, uint32(nfd))
}

var dup = abi.Func{
	Name:    "dup",
	Params:  []abi.Param{abi.I32("fd"), abi.I32("result.fd")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		return dupAbove(p, mod, int32(s[0]), 0, false, false, uint32(s[1]))
	},
}

var dup2 = abi.Func{
	Name:    "dup2",
	Params:  []abi.Param{abi.I32("fd"), abi.I32("newfd")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, _ api.Module, s []uint64) errno.Errno {
		return p.FDs.Dup2(int32(s[0]), int32(s[1]), false)
	},
}

var dup3 = abi.Func{
	Name:    "dup3",
	Params:  []abi.Param{abi.I32("fd"), abi.I32("newfd"), abi.I32("flags")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, _ api.Module, s []uint64) errno.Errno {
		fl := vfs.OpenFlags(uint32(s[2]))
		if fl&^vfs.O_CLOEXEC != 0 || int32(s[0]) == int32(s[1]) {
			return errno.EINVAL
		}
		return p.FDs.Dup2(int32(s[0]), int32(s[1]), fl != 0)
	},
}

var fcntl = abi.Func{
	Support: abi.Partial,
	Note:    "F_DUPFD, F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_DUPFD_CLOEXEC, and the record locks F_GETLK, F_SETLK, F_SETLKW, F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW (arg: a struct flock); other commands (owners, leases, pipe sizes) are EINVAL",
	Name:    "fcntl",
	Params:  []abi.Param{abi.I32("fd"), abi.I32("cmd"), abi.I32("arg"), abi.I32("result.value")},
	Results: abi.Errno,
	Impl: func(ctx context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		fd, cmd, arg, result := int32(s[0]), uint32(s[1]), int32(s[2]), uint32(s[3])
		switch cmd {
		case fDupfd, fDupfdCloexec:
			return dupAbove(p, mod, fd, arg, cmd == fDupfdCloexec, true, result)
		}
		f, e := p.FDs.Get(fd)
		if e != 0 {
			return e
		}
		defer f.DecRef()
		if _, e := abi.Bytes(mod, result, 4); e != 0 {
			return e
		}
		if isLockCmd(cmd) {
			if e := recordLock(ctx, p, mod, f, cmd, uint32(arg)); e != 0 {
				return e
			}
			return abi.PutU32(mod, result, 0)
		}
		var v uint32
		switch cmd {
		case fGetfd:
			if on, _ := p.FDs.CloseOnExec(fd); on {
				v = fdCloexec
			}
		case fSetfd:
			if e := p.FDs.SetCloseOnExec(fd, arg&fdCloexec != 0); e != 0 {
				return e
			}
		case fGetfl:
			v = uint32(f.Flags() & (vfs.O_ACCMODE | vfs.O_APPEND | vfs.O_NONBLOCK | vfs.O_SYNC))
		case fSetfl:
			f.SetStatusFlags(vfs.OpenFlags(uint32(arg))) // other bits are ignored, as Linux
		default:
			return errno.EINVAL
		}
		return abi.PutU32(mod, result, v)
	},
}
