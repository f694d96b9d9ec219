package occlum

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"

	"github.com/occlumgo/occlum/core/fdtable"
)

func TestIdentity(t *testing.T) {
	env := occlumEnv(t)
	for _, fn := range []string{"getuid", "geteuid", "getgid", "getegid"} {
		env.Put(t, res, []byte{1, 1, 1, 1})
		want(t, env, wSUCCESS, fn, res)
		if id := env.U32(t, res); id != 0 {
			t.Errorf("%s = %d", fn, id)
		}
		want(t, env, wFAULT, fn, wild)
		want(t, env, wFAULT, fn, memSize-3)
	}
}

func TestUname(t *testing.T) {
	env := occlumEnv(t)
	env.Put(t, buf, bytes.Repeat([]byte{0xff}, 6*65))
	want(t, env, wSUCCESS, "uname", buf)
	b := env.Get(t, buf, 6*65)
	var got []string
	for i := range 6 {
		f := b[i*65 : (i+1)*65]
		n := bytes.IndexByte(f, 0)
		if n < 0 || !bytes.Equal(f[n:], make([]byte, 65-n)) {
			t.Errorf("field %d is not NUL-padded: %q", i, f)
			continue
		}
		got = append(got, string(f[:n]))
	}
	if len(got) != 6 || got[0] != "Occlum" || got[1] != "occlum-node" || got[2] != Release ||
		got[3] == "" || got[4] != "wasm32" || got[5] != "(none)" {
		t.Errorf("uname = %q", got)
	}
	want(t, env, wSUCCESS, "uname", memSize-6*65)
	want(t, env, wFAULT, "uname", wild)
	want(t, env, wFAULT, "uname", memSize-6*65+1)
}

func TestSysinfo(t *testing.T) {
	env := occlumEnv(t)
	k := env.Kernel
	k.Boot = k.Clock.Now().Add(-90 * time.Second)
	if _, e := k.NewProcess(env.Proc, nil, nil, "/", fdtable.New(0)); e != 0 {
		t.Fatal(e)
	}
	env.Put(t, buf, bytes.Repeat([]byte{0xff}, 100))
	want(t, env, wSUCCESS, "sysinfo", buf)
	b := env.Get(t, buf, 100)
	le := binary.LittleEndian
	if up := le.Uint64(b); up < 90 || up > 100 {
		t.Errorf("uptime = %d", up)
	}
	if total, free := le.Uint64(b[32:]), le.Uint64(b[40:]); total != 1<<32 || free != total {
		t.Errorf("ram = %d, %d without user_space_size", total, free)
	}
	if procs, unit := le.Uint32(b[80:]), le.Uint32(b[84:]); procs != 2 || unit != 1 {
		t.Errorf("procs = %d, mem_unit = %d", procs, unit)
	}
	if !bytes.Equal(b[8:32], make([]byte, 24)) || !bytes.Equal(b[48:80], make([]byte, 32)) {
		t.Errorf("loads, sharedram, bufferram and swap are not 0: %v", b[:88])
	}
	if !bytes.Equal(b[88:], bytes.Repeat([]byte{0xff}, 12)) {
		t.Error("sysinfo wrote past 88 bytes")
	}
	k.Limits.UserSpaceSize = 256 << 20
	want(t, env, wSUCCESS, "sysinfo", memSize-88)
	if total := env.U64(t, memSize-88+32); total != 256<<20 {
		t.Errorf("totalram = %d, want user_space_size", total)
	}
	want(t, env, wFAULT, "sysinfo", wild)
	want(t, env, wFAULT, "sysinfo", memSize-87)
}

// meter is a kernel.MemoryMeter reporting a fixed use.
type meter uint64

func (m meter) MemoryUsed() uint64 { return uint64(m) }

// sysinfo's freeram is what the processes' memory leaves of
// user_space_size (security finding 6), never below 0.
func TestSysinfoMemoryUsed(t *testing.T) {
	env := occlumEnv(t)
	k := env.Kernel
	ram := func() (total, free uint64) {
		t.Helper()
		want(t, env, wSUCCESS, "sysinfo", buf)
		return env.U64(t, buf+32), env.U64(t, buf+40)
	}
	for _, tc := range []struct {
		limit, used, total, free uint64
	}{
		{256 << 20, 100 << 20, 256 << 20, 156 << 20},
		{256 << 20, 256 << 20, 256 << 20, 0},
		{256 << 20, 300 << 20, 256 << 20, 0}, // a limit lowered under use
		{0, 1 << 20, 1 << 32, 1<<32 - 1<<20}, // no limit: the wasm32 address space
	} {
		k.Limits.UserSpaceSize = tc.limit
		k.Memory = meter(tc.used)
		if total, free := ram(); total != tc.total || free != tc.free {
			t.Errorf("limit %d, used %d: totalram %d, freeram %d; want %d, %d", tc.limit, tc.used, total, free, tc.total, tc.free)
		}
	}
}
