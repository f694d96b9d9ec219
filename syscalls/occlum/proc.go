package occlum

import (
	"context"
	"encoding/binary"

	"github.com/tetratelabs/wazero/api"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/kernel"
	"github.com/occlumgo/occlum/syscalls/abi"
)

var procFuncs = []abi.Func{spawn, execve, wait4, getpid, getppid, getpgid, setpgid, kill}

// Limits on what one spawn or execve may pass, as Linux's ARG_MAX.
const (
	maxArgs       = 1 << 17
	maxArgBytes   = 2 << 20
	maxFileActs   = 1024
	fileActSize   = 32
	spawnAttrSize = 32
)

// strvec decodes n {ptr, len} string descriptors at ptr.
//
// # Errors
//   - EFAULT: the array or a string is outside memory.
//   - E2BIG: too many or too long strings.
//   - EINVAL: a string contains NUL.
func strvec(mod api.Module, ptr, n uint32) ([]string, errno.Errno) {
	if n > maxArgs {
		return nil, errno.E2BIG
	}
	raw, e := abi.Bytes(mod, ptr, n*8)
	if e != 0 {
		return nil, e
	}
	out := make([]string, n)
	total := 0
	for i := range out {
		p := binary.LittleEndian.Uint32(raw[i*8:])
		l := binary.LittleEndian.Uint32(raw[i*8+4:])
		if total += int(l) + 1; total > maxArgBytes {
			return nil, errno.E2BIG
		}
		b, e := abi.Bytes(mod, p, l)
		if e != 0 {
			return nil, e
		}
		for _, c := range b {
			if c == 0 {
				return nil, errno.EINVAL
			}
		}
		out[i] = string(b)
	}
	return out, 0
}

func fileActions(mod api.Module, ptr, n uint32) ([]kernel.FileAction, errno.Errno) {
	if n > maxFileActs {
		return nil, errno.EINVAL
	}
	raw, e := abi.Bytes(mod, ptr, n*fileActSize)
	if e != 0 {
		return nil, e
	}
	out := make([]kernel.FileAction, n)
	for i := range out {
		b := raw[i*fileActSize:]
		a := kernel.FileAction{
			Op:    kernel.FileActionOp(binary.LittleEndian.Uint32(b[0:])),
			FD:    int32(binary.LittleEndian.Uint32(b[4:])),
			NewFD: int32(binary.LittleEndian.Uint32(b[8:])),
			Flags: binary.LittleEndian.Uint32(b[12:]),
			Mode:  binary.LittleEndian.Uint32(b[16:]),
		}
		switch a.Op {
		case kernel.ActionOpen, kernel.ActionChdir:
			p, e := abi.Path(mod, binary.LittleEndian.Uint32(b[20:]), binary.LittleEndian.Uint32(b[24:]))
			if e != 0 {
				return nil, e
			}
			a.Path = p
		case kernel.ActionClose, kernel.ActionDup2, kernel.ActionFchdir:
		default:
			return nil, errno.EINVAL
		}
		out[i] = a
	}
	return out, 0
}

func spawnAttr(mod api.Module, ptr uint32) (*kernel.SpawnAttr, errno.Errno) {
	if ptr == 0 {
		return nil, 0
	}
	b, e := abi.Bytes(mod, ptr, spawnAttrSize)
	if e != 0 {
		return nil, e
	}
	a := &kernel.SpawnAttr{
		Flags:      binary.LittleEndian.Uint32(b[0:]),
		Pgroup:     int32(binary.LittleEndian.Uint32(b[4:])),
		SigDefault: kernel.SigSet(binary.LittleEndian.Uint64(b[8:])),
		SigMask:    kernel.SigSet(binary.LittleEndian.Uint64(b[16:])),
	}
	const known = kernel.SpawnResetIDs | kernel.SpawnSetPgroup | kernel.SpawnSetSigDef | kernel.SpawnSetSigMask | kernel.SpawnSetSID
	if a.Flags&^known != 0 || a.Pgroup < 0 {
		return nil, errno.EINVAL
	}
	return a, 0
}

// image decodes the (path, argv, envp) arguments spawn and execve share.
func image(mod api.Module, s []uint64) (path string, argv, env []string, e errno.Errno) {
	if path, e = abi.Path(mod, uint32(s[0]), uint32(s[1])); e != 0 {
		return
	}
	if path == "" {
		return "", nil, nil, errno.ENOENT
	}
	if argv, e = strvec(mod, uint32(s[2]), uint32(s[3])); e != 0 {
		return
	}
	env, e = strvec(mod, uint32(s[4]), uint32(s[5]))
	return
}

var spawn = abi.Func{
	Name: "spawn",
	Params: []abi.Param{abi.I32("path"), abi.I32("path_len"), abi.I32("argv"), abi.I32("argc"),
		abi.I32("envp"), abi.I32("envc"), abi.I32("actions"), abi.I32("nactions"), abi.I32("attr"),
		abi.I32("result.pid")},
	Results: abi.Errno,
	Impl: func(ctx context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		path, argv, env, e := image(mod, s)
		if e != 0 {
			return e
		}
		acts, e := fileActions(mod, uint32(s[6]), uint32(s[7]))
		if e != 0 {
			return e
		}
		attr, e := spawnAttr(mod, uint32(s[8]))
		if e != 0 {
			return e
		}
		if _, e := abi.Bytes(mod, uint32(s[9]), 4); e != 0 {
			return e
		}
		child, e := p.Kernel().Exec.Spawn(ctx, p, kernel.SpawnRequest{Path: path, Argv: argv, Env: env, Actions: acts, Attr: attr})
		if e != 0 {
			return e
		}
		return abi.PutU32(mod, uint32(s[9]), uint32(child.PID))
	},
}

var execve = abi.Func{
	Name: "execve",
	Params: []abi.Param{abi.I32("path"), abi.I32("path_len"), abi.I32("argv"), abi.I32("argc"),
		abi.I32("envp"), abi.I32("envc")},
	Results: abi.Errno,
	Impl: func(ctx context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		path, argv, env, e := image(mod, s)
		if e != 0 {
			return e
		}
		return p.Kernel().Exec.Exec(ctx, p, mod, path, argv, env)
	},
}

var wait4 = abi.Func{
	Name:    "wait4",
	Params:  []abi.Param{abi.I32("pid"), abi.I32("options"), abi.I32("result.status"), abi.I32("result.pid")},
	Results: abi.Errno,
	Support: abi.Partial,
	Note:    "WUNTRACED is accepted, but no process ever stops (no job control); no rusage",
	Impl: func(ctx context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		if _, e := abi.Bytes(mod, uint32(s[2]), 4); e != 0 {
			return e
		}
		if _, e := abi.Bytes(mod, uint32(s[3]), 4); e != 0 {
			return e
		}
		pid, st, e := p.Wait4(ctx, mod, int32(s[0]), int32(s[1]))
		if e != 0 {
			return e
		}
		abi.PutU32(mod, uint32(s[2]), uint32(st))
		return abi.PutU32(mod, uint32(s[3]), uint32(pid))
	},
}

// idFunc is a function that stores one process attribute.
func idFunc(name string, get func(p *kernel.Process) int32) abi.Func {
	return abi.Func{
		Name:    name,
		Params:  []abi.Param{abi.I32("result.pid")},
		Results: abi.Errno,
		Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
			return abi.PutU32(mod, uint32(s[0]), uint32(get(p)))
		},
	}
}

var (
	getpid  = idFunc("getpid", func(p *kernel.Process) int32 { return p.PID })
	getppid = idFunc("getppid", (*kernel.Process).Parent)
)

var getpgid = abi.Func{
	Name:    "getpgid",
	Params:  []abi.Param{abi.I32("pid"), abi.I32("result.pgid")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		if _, e := abi.Bytes(mod, uint32(s[1]), 4); e != 0 {
			return e
		}
		g, e := p.Getpgid(int32(s[0]))
		if e != 0 {
			return e
		}
		return abi.PutU32(mod, uint32(s[1]), uint32(g))
	},
}

var setpgid = abi.Func{
	Name:    "setpgid",
	Params:  []abi.Param{abi.I32("pid"), abi.I32("pgid")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, _ api.Module, s []uint64) errno.Errno {
		return p.Setpgid(int32(s[0]), int32(s[1]))
	},
}

var kill = abi.Func{
	Name:    "kill",
	Params:  []abi.Param{abi.I32("pid"), abi.I32("sig")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, _ api.Module, s []uint64) errno.Errno {
		sig := int32(s[1])
		if sig < 0 || sig > kernel.NumSignals {
			return errno.EINVAL
		}
		return p.SendSignal(int32(s[0]), kernel.Signal(sig))
	},
}
