package wasi

import (
	"context"

	"github.com/tetratelabs/wazero/api"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/kernel"
	"github.com/occlumgo/occlum/syscalls/abi"
)

var argsGet = abi.Func{
	Name:    "args_get",
	Params:  []abi.Param{abi.I32("argv"), abi.I32("argv_buf")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		return writeStrings(mod, p.Args, uint32(s[0]), uint32(s[1]))
	},
}

var argsSizesGet = abi.Func{
	Name:    "args_sizes_get",
	Params:  []abi.Param{abi.I32("result.argc"), abi.I32("result.argv_len")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		return writeSizes(mod, p.Args, uint32(s[0]), uint32(s[1]))
	},
}

var environGet = abi.Func{
	Name:    "environ_get",
	Params:  []abi.Param{abi.I32("environ"), abi.I32("environ_buf")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		return writeStrings(mod, p.Env, uint32(s[0]), uint32(s[1]))
	},
}

var environSizesGet = abi.Func{
	Name:    "environ_sizes_get",
	Params:  []abi.Param{abi.I32("result.environc"), abi.I32("result.environv_len")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		return writeSizes(mod, p.Env, uint32(s[0]), uint32(s[1]))
	},
}

// writeStrings stores NUL-terminated copies of list at buf and their
// addresses at ptrs, as args_get and environ_get do.
func writeStrings(mod api.Module, list []string, ptrs, buf uint32) errno.Errno {
	total := uint64(0)
	for _, a := range list {
		total += uint64(len(a)) + 1
	}
	if total > 1<<31 {
		return errno.E2BIG
	}
	pb, e := abi.Bytes(mod, ptrs, uint32(4*len(list)))
	if e != 0 {
		return e
	}
	bb, e := abi.Bytes(mod, buf, uint32(total))
	if e != 0 {
		return e
	}
	off := uint32(0)
	for i, a := range list {
		putLE32(pb[4*i:], buf+off)
		copy(bb[off:], a)
		bb[off+uint32(len(a))] = 0
		off += uint32(len(a)) + 1
	}
	return 0
}

func writeSizes(mod api.Module, list []string, countPtr, sizePtr uint32) errno.Errno {
	total := uint64(0)
	for _, a := range list {
		total += uint64(len(a)) + 1
	}
	if total > 1<<31 {
		return errno.E2BIG
	}
	if _, e := abi.Bytes(mod, sizePtr, 4); e != 0 {
		return e
	}
	if e := abi.PutU32(mod, countPtr, uint32(len(list))); e != 0 {
		return e
	}
	return abi.PutU32(mod, sizePtr, uint32(total))
}

func putLE32(b []byte, v uint32) {
	_ = b[3]
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}

func putLE64(b []byte, v uint64) {
	_ = b[7]
	for i := 0; i < 8; i++ {
		b[i] = byte(v >> (8 * i))
	}
}
