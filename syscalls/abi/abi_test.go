package abi_test

import (
	"context"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero/api"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/kernel"
	"github.com/occlumgo/occlum/logging"
	"github.com/occlumgo/occlum/syscalls/abi"
	"github.com/occlumgo/occlum/syscalls/internal/wasitest"
)

// TestToWASI checks every mapped errno against the numbering of the WASI
// preview 1 spec (witx `errno` enum).
func TestToWASI(t *testing.T) {
	tests := []struct {
		in   errno.Errno
		want uint16
	}{
		{errno.ESUCCESS, 0}, {errno.E2BIG, 1}, {errno.EACCES, 2}, {errno.EADDRINUSE, 3},
		{errno.EADDRNOTAVAIL, 4}, {errno.EAFNOSUPPORT, 5}, {errno.EAGAIN, 6}, {errno.EALREADY, 7},
		{errno.EBADF, 8}, {errno.EBUSY, 10}, {errno.ECANCELED, 11}, {errno.ECHILD, 12},
		{errno.ECONNABORTED, 13}, {errno.ECONNREFUSED, 14}, {errno.ECONNRESET, 15},
		{errno.EDEADLK, 16}, {errno.EDESTADDRREQ, 17}, {errno.EDOM, 18}, {errno.EDQUOT, 19},
		{errno.EEXIST, 20}, {errno.EFAULT, 21}, {errno.EFBIG, 22}, {errno.EHOSTUNREACH, 23},
		{errno.EILSEQ, 25}, {errno.EINPROGRESS, 26}, {errno.EINTR, 27}, {errno.EINVAL, 28},
		{errno.EIO, 29}, {errno.EISCONN, 30}, {errno.EISDIR, 31}, {errno.ELOOP, 32},
		{errno.EMFILE, 33}, {errno.EMLINK, 34}, {errno.EMSGSIZE, 35}, {errno.ENAMETOOLONG, 37},
		{errno.ENETDOWN, 38}, {errno.ENETUNREACH, 40}, {errno.ENFILE, 41}, {errno.ENOBUFS, 42},
		{errno.ENODEV, 43}, {errno.ENOENT, 44}, {errno.ENOEXEC, 45}, {errno.ENOLCK, 46},
		{errno.ENOMEM, 48}, {errno.ENOMSG, 49}, {errno.ENOPROTOOPT, 50}, {errno.ENOSPC, 51},
		{errno.ENOSYS, 52}, {errno.ENOTCONN, 53}, {errno.ENOTDIR, 54}, {errno.ENOTEMPTY, 55},
		{errno.ENOTSOCK, 57}, {errno.EOPNOTSUPP, 58}, {errno.ENOTSUP, 58}, {errno.ENOTTY, 59},
		{errno.ENXIO, 60}, {errno.EOWNERDEAD, 62}, {errno.EPERM, 63}, {errno.EPIPE, 64},
		{errno.EPROTONOSUPPORT, 66}, {errno.EPROTOTYPE, 67}, {errno.ERANGE, 68},
		{errno.EROFS, 69}, {errno.ESPIPE, 70}, {errno.ESRCH, 71}, {errno.ESTALE, 72},
		{errno.ETIMEDOUT, 73}, {errno.ETXTBSY, 74}, {errno.EXDEV, 75},
		{errno.EWOULDBLOCK, 6}, {errno.ENOTCAPABLE, 76},
		// Unmapped numbers become EIO.
		{errno.Errno(41), 29}, {errno.Errno(200), 29}, {errno.Errno(255), 29},
		{errno.Errno(256), 29}, {errno.Errno(0xffff), 29},
	}
	for _, tc := range tests {
		if got := abi.ToWASI(tc.in); got != tc.want {
			t.Errorf("ToWASI(%s) = %d, want %d", tc.in.Name(), got, tc.want)
		}
	}
}

func newEnv(t *testing.T, funcs []abi.Func, o wasitest.Options) *wasitest.Env {
	return wasitest.New(t, funcs, o)
}

const mem = wasitest.MemSize

func TestIovecs(t *testing.T) {
	env := newEnv(t, nil, wasitest.Options{})
	mod := env.Mod
	env.PutIovecs(t, 0x100, [2]uint32{0x1000, 3}, [2]uint32{mem - 5, 5}, [2]uint32{mem, 0})
	bufs, e := abi.Iovecs(mod, 0x100, 3)
	if e != 0 {
		t.Fatalf("Iovecs: %v", e)
	}
	if len(bufs) != 3 || len(bufs[0]) != 3 || len(bufs[1]) != 5 || len(bufs[2]) != 0 {
		t.Fatalf("Iovecs = %d buffers %v", len(bufs), bufs)
	}
	bufs[1][4] = 'x' // aliases guest memory
	if env.Get(t, mem-1, 1)[0] != 'x' {
		t.Error("Iovecs buffers do not alias guest memory")
	}
	if bufs, e := abi.Iovecs(mod, mem, 0); e != 0 || len(bufs) != 0 {
		t.Errorf("Iovecs(n=0) = %v, %v", bufs, e)
	}

	// MaxIovecs entries are fine (all zero: empty buffers at 0).
	if _, e := abi.Iovecs(mod, 0x2000, abi.MaxIovecs); e != 0 {
		t.Errorf("Iovecs(MaxIovecs) = %v", e)
	}

	env.PutIovecs(t, 0x200, [2]uint32{0x1000, 1}, [2]uint32{mem - 4, 5})
	env.PutIovecs(t, 0x300, [2]uint32{0xfffffff0, 0x20})
	env.PutIovecs(t, 0x400, [2]uint32{0x10, 0x7fffffff})
	env.PutIovecs(t, 0x500, [2]uint32{mem, 1})
	for _, tc := range []struct {
		name   string
		ptr, n uint32
		want   errno.Errno
	}{
		{"too many", 0x100, abi.MaxIovecs + 1, errno.EINVAL},
		{"n wraps", 0x100, 0x20000000, errno.EINVAL},
		{"array outside", 0xfffffff0, 1, errno.EFAULT},
		{"array crosses end", mem - 4, 1, errno.EFAULT},
		{"second buffer crosses end", 0x200, 2, errno.EFAULT},
		{"buffer wraps", 0x300, 1, errno.EFAULT},
		{"buffer huge", 0x400, 1, errno.EFAULT},
		{"buffer at end", 0x500, 1, errno.EFAULT},
	} {
		if _, e := abi.Iovecs(mod, tc.ptr, tc.n); e != tc.want {
			t.Errorf("%s: Iovecs(%#x, %d) = %v, want %v", tc.name, tc.ptr, tc.n, e, tc.want)
		}
	}
}

func TestMemHelpers(t *testing.T) {
	env := newEnv(t, nil, wasitest.Options{})
	mod := env.Mod
	for _, tc := range []struct {
		name string
		op   func() errno.Errno
		want errno.Errno
	}{
		{"Bytes last byte", func() errno.Errno { _, e := abi.Bytes(mod, mem-1, 1); return e }, 0},
		{"Bytes empty at end", func() errno.Errno { _, e := abi.Bytes(mod, mem, 0); return e }, 0},
		{"Bytes past end", func() errno.Errno { _, e := abi.Bytes(mod, mem-1, 2); return e }, errno.EFAULT},
		{"Bytes wraps", func() errno.Errno { _, e := abi.Bytes(mod, 0xfffffff0, 0x20); return e }, errno.EFAULT},
		{"Bytes huge", func() errno.Errno { _, e := abi.Bytes(mod, 0, 0x7fffffff); return e }, errno.EFAULT},
		{"String past end", func() errno.Errno { _, e := abi.String(mod, mem, 1); return e }, errno.EFAULT},
		{"PutU8 end", func() errno.Errno { return abi.PutU8(mod, mem-1, 1) }, 0},
		{"PutU8 past", func() errno.Errno { return abi.PutU8(mod, mem, 1) }, errno.EFAULT},
		{"PutU16 end", func() errno.Errno { return abi.PutU16(mod, mem-2, 1) }, 0},
		{"PutU16 past", func() errno.Errno { return abi.PutU16(mod, mem-1, 1) }, errno.EFAULT},
		{"PutU32 end", func() errno.Errno { return abi.PutU32(mod, mem-4, 1) }, 0},
		{"PutU32 past", func() errno.Errno { return abi.PutU32(mod, mem-3, 1) }, errno.EFAULT},
		{"PutU64 end", func() errno.Errno { return abi.PutU64(mod, mem-8, 1) }, 0},
		{"PutU64 past", func() errno.Errno { return abi.PutU64(mod, mem-7, 1) }, errno.EFAULT},
		{"PutU64 wild", func() errno.Errno { return abi.PutU64(mod, 0xfffffff0, 1) }, errno.EFAULT},
		{"U32 end", func() errno.Errno { _, e := abi.U32(mod, mem-4); return e }, 0},
		{"U32 past", func() errno.Errno { _, e := abi.U32(mod, mem-2); return e }, errno.EFAULT},
	} {
		if got := tc.op(); got != tc.want {
			t.Errorf("%s = %v, want %v", tc.name, got, tc.want)
		}
	}

	env.PutString(t, 0x100, "a/b")
	env.Put(t, 0x200, []byte("a\x00b"))
	env.Put(t, 0x4000, []byte(strings.Repeat("a", 4095)))
	for _, tc := range []struct {
		name   string
		ptr, n uint32
		want   string
		e      errno.Errno
	}{
		{"ok", 0x100, 3, "a/b", 0},
		{"empty", 0x100, 0, "", 0},
		{"NUL", 0x200, 3, "", errno.EINVAL},
		{"too long", 0, 4096, "", errno.ENAMETOOLONG},
		{"longest", 0x4000, 4095, strings.Repeat("a", 4095), 0},
		{"outside", 0xfffffff0, 4, "", errno.EFAULT},
		{"too long outside", mem - 100, 4096, "", errno.EFAULT},
	} {
		got, e := abi.Path(mod, tc.ptr, tc.n)
		if e != tc.e || got != tc.want {
			t.Errorf("Path %s = %q, %v, want %q, %v", tc.name, got, e, tc.want, tc.e)
		}
	}
}

// echo is a test syscall: it writes its i64 argument to the pointer
// argument and returns the errno in its i32 argument.
var echo = abi.Func{
	Name:    "echo",
	Params:  []abi.Param{abi.I32("ret"), abi.I64("v"), abi.I32("result.v")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		if p == nil {
			return errno.ESRCH
		}
		if e := abi.PutU64(mod, uint32(s[2]), s[1]); e != 0 {
			return e
		}
		return errno.Errno(s[0])
	},
}

var noResult = abi.Func{
	Name:   "no_result",
	Params: []abi.Param{abi.I32("x")},
	Impl: func(context.Context, *kernel.Process, api.Module, []uint64) errno.Errno {
		return errno.EBADF // ignored: the function has no result
	},
}

// TestInstantiate checks the untraced wrapper: the process reaches the
// implementation and the result is translated by ToWASI.
func TestInstantiate(t *testing.T) {
	env := newEnv(t, []abi.Func{echo, noResult}, wasitest.Options{})
	for _, tc := range []struct {
		ret  errno.Errno
		want uint32
	}{{0, 0}, {errno.ENOENT, 44}, {errno.ENOTCAPABLE, 76}, {errno.Errno(200), 29}} {
		if got := env.Call(t, "echo", uint64(tc.ret), 0xfedcba9876543210, 0x100); got != tc.want {
			t.Errorf("echo(%s) = %d, want %d", tc.ret.Name(), got, tc.want)
		}
		if v := env.U64(t, 0x100); v != 0xfedcba9876543210 {
			t.Errorf("echo wrote %#x", v)
		}
	}
	if got := env.Call(t, "echo", 0, 1, 0xfffffff0); got != 21 {
		t.Errorf("echo(ptr outside) = %d, want EFAULT(21)", got)
	}
	res, err := env.CallErr("no_result", 1)
	if err != nil || len(res) != 0 {
		t.Errorf("no_result = %v, %v", res, err)
	}
}

// TestTrace checks the trace logger prints every call with its arguments
// and its result at TraceLevel.
func TestTrace(t *testing.T) {
	core, logs := observer.New(logging.TraceLevel)
	env := newEnv(t, []abi.Func{echo, noResult}, wasitest.Options{Logger: zap.New(core)})
	if got := env.Call(t, "echo", uint64(errno.ENOENT), uint64(1<<40), 0x100); got != 44 {
		t.Fatalf("echo = %d, want ENOENT(44)", got)
	}
	if got := env.Call(t, "echo", 0, uint64(0xffffffffffffffff), 0x100); got != 0 {
		t.Fatalf("echo = %d, want 0", got)
	}
	if _, err := env.CallErr("no_result", 0xffffffff); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"==> echo(ret=2,v=1099511627776,result.v=256)",
		"<== echo errno=ENOENT",
		"==> echo(ret=0,v=-1,result.v=256)",
		"<== echo errno=ESUCCESS",
		"==> no_result(x=-1)",
		"<== no_result errno=EBADF",
	}
	all := logs.All()
	if len(all) != len(want) {
		t.Fatalf("got %d log lines, want %d: %v", len(all), len(want), all)
	}
	for i, e := range all {
		if e.Message != want[i] {
			t.Errorf("line %d = %q, want %q", i, e.Message, want[i])
		}
		if e.Level != logging.TraceLevel {
			t.Errorf("line %d level %v", i, e.Level)
		}
		if pid, ok := e.ContextMap()["pid"]; !ok || pid != env.Proc.PID {
			t.Errorf("line %d pid = %v, want %d", i, pid, env.Proc.PID)
		}
	}
}

// TestTraceDisabled checks a logger below TraceLevel gets nothing.
func TestTraceDisabled(t *testing.T) {
	core, logs := observer.New(zap.DebugLevel)
	env := newEnv(t, []abi.Func{echo}, wasitest.Options{Logger: zap.New(core)})
	env.Call(t, "echo", 0, 1, 0x100)
	if logs.Len() != 0 {
		t.Errorf("logged %v", logs.All())
	}
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], 1)
	if got := env.Get(t, 0x100, 8); string(got) != string(b[:]) {
		t.Errorf("memory = %v", got)
	}
}
