package occlum

import (
	"context"
	"encoding/binary"

	"github.com/tetratelabs/wazero/api"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/kernel"
	"github.com/occlumgo/occlum/syscalls/abi"
)

var infoFuncs = []abi.Func{getuid, geteuid, getgid, getegid, uname, sysinfo}

// Release is the LibOS version uname reports.
const Release = kernel.Release

// unameFields are the fields of struct utsname, in order: sysname,
// nodename, release, version (the build), machine, domainname
// (kernel.Uname, which /proc/sys/kernel shows too).
func unameFields() [6]string {
	u := kernel.Uname()
	return [6]string{u.Sysname, u.Nodename, u.Release, u.Version, u.Machine, u.Domainname}
}

// utsField is the size of each struct utsname field, NUL included.
const utsField = 65

// zeroID stores the only identity there is: the LibOS has one user, root.
func zeroID(name string) abi.Func {
	return abi.Func{
		Name:    name,
		Params:  []abi.Param{abi.I32("result.id")},
		Results: abi.Errno,
		Impl: func(_ context.Context, _ *kernel.Process, mod api.Module, s []uint64) errno.Errno {
			return abi.PutU32(mod, uint32(s[0]), 0)
		},
	}
}

var (
	getuid  = zeroID("getuid")
	geteuid = zeroID("geteuid")
	getgid  = zeroID("getgid")
	getegid = zeroID("getegid")
)

var uname = abi.Func{
	Name:    "uname",
	Params:  []abi.Param{abi.I32("buf")},
	Results: abi.Errno,
	Impl: func(_ context.Context, _ *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		fields := unameFields()
		buf, e := abi.Bytes(mod, uint32(s[0]), uint32(len(fields))*utsField)
		if e != 0 {
			return e
		}
		clear(buf)
		for i, f := range fields {
			copy(buf[i*utsField:(i+1)*utsField-1], f) // truncated, NUL kept
		}
		return 0
	},
}

// sysinfoSize is the size of the ABI's struct sysinfo (docs/abi.md).
const sysinfoSize = 88

// noMemoryLimit is the memory sysinfo reports when user_space_size is not
// configured: the wasm32 address space.
const noMemoryLimit = 1 << 32

var sysinfo = abi.Func{
	Support: abi.Partial,
	Note:    "totalram is user_space_size, freeram what all processes' linear memories leave of it; load averages are 0",
	Name:    "sysinfo",
	Params:  []abi.Param{abi.I32("buf")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		buf, e := abi.Bytes(mod, uint32(s[0]), sysinfoSize)
		if e != 0 {
			return e
		}
		k := p.Kernel()
		uptime := k.Clock.Now().Sub(k.Boot).Seconds()
		ram := k.Limits.UserSpaceSize
		if ram == 0 {
			ram = noMemoryLimit
		}
		used := min(k.MemoryUsed(), ram)
		clear(buf)
		binary.LittleEndian.PutUint64(buf[0:], uint64(max(uptime, 0)))
		binary.LittleEndian.PutUint64(buf[32:], ram)      // totalram
		binary.LittleEndian.PutUint64(buf[40:], ram-used) // freeram
		binary.LittleEndian.PutUint32(buf[80:], uint32(k.Count()))
		binary.LittleEndian.PutUint32(buf[84:], 1) // mem_unit
		return 0
	},
}
