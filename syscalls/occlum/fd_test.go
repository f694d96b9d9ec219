package occlum

import (
	"encoding/binary"
	"testing"

	"github.com/occlumgo/occlum/core/kernel"
	"github.com/occlumgo/occlum/core/locks"

	"github.com/occlumgo/occlum/syscalls/internal/wasitest"
)

// Linux values the tests pass.
const (
	lRDONLY   = 0
	lWRONLY   = 1
	lRDWR     = 2
	lAPPEND   = 0x400
	lNONBLOCK = 0x800
	lCLOEXEC  = 0x80000
)

// getfd and getfl return fcntl(F_GETFD) and fcntl(F_GETFL) of fd.
func getfd(t *testing.T, env *wasitest.Env, fd uint64) uint32 {
	t.Helper()
	want(t, env, wSUCCESS, "fcntl", fd, fGetfd, 0, res2)
	return env.U32(t, res2)
}

func getfl(t *testing.T, env *wasitest.Env, fd uint64) uint32 {
	t.Helper()
	want(t, env, wSUCCESS, "fcntl", fd, fGetfl, 0, res2)
	return env.U32(t, res2)
}

func TestPipe2(t *testing.T) {
	env := occlumEnv(t)
	want(t, env, wSUCCESS, "pipe2", res, 0)
	r, w := uint64(env.U32(t, res)), uint64(env.U32(t, res+4))
	if r != 6 || w != 7 {
		t.Fatalf("pipe2 = [%d %d], want [6 7]", r, w)
	}
	if fl := getfl(t, env, r); fl != lRDONLY {
		t.Errorf("read end F_GETFL = %#x", fl)
	}
	if fl := getfl(t, env, w); fl != lWRONLY {
		t.Errorf("write end F_GETFL = %#x", fl)
	}
	if getfd(t, env, r) != 0 || getfd(t, env, w) != 0 {
		t.Error("FD_CLOEXEC set without O_CLOEXEC")
	}
	env.Put(t, buf, []byte("ping"))
	env.PutIovecs(t, iovs, [2]uint32{buf, 4})
	want(t, env, wSUCCESS, "fd_write", w, iovs, 1, res2)
	env.PutIovecs(t, iovs, [2]uint32{buf + 100, 10})
	want(t, env, wSUCCESS, "fd_read", r, iovs, 1, res2)
	if got := string(env.Get(t, buf+100, env.U32(t, res2))); got != "ping" {
		t.Errorf("read %q", got)
	}
	want(t, env, wBADF, "fd_read", w, iovs, 1, res2)
	want(t, env, wBADF, "fd_write", r, iovs, 1, res2)

	want(t, env, wSUCCESS, "pipe2", res, lNONBLOCK|lCLOEXEC)
	r, w = uint64(env.U32(t, res)), uint64(env.U32(t, res+4))
	if fl := getfl(t, env, r); fl != lRDONLY|lNONBLOCK {
		t.Errorf("O_NONBLOCK read end F_GETFL = %#x", fl)
	}
	if fl := getfl(t, env, w); fl != lWRONLY|lNONBLOCK {
		t.Errorf("O_NONBLOCK write end F_GETFL = %#x", fl)
	}
	if getfd(t, env, r) != fdCloexec || getfd(t, env, w) != fdCloexec {
		t.Error("O_CLOEXEC did not set FD_CLOEXEC")
	}
	want(t, env, wAGAIN, "fd_read", r, iovs, 1, res2)
}

func TestPipe2Errors(t *testing.T) {
	env := occlumEnv(t)
	n := env.Proc.FDs.Count()
	before := env.Snapshot()
	for _, fl := range []uint64{lAPPEND, lRDWR, 0x4000 /* O_DIRECT */, 0xffffffff} {
		want(t, env, wINVAL, "pipe2", res, fl)
	}
	for _, p := range []uint64{wild, memSize - 4, memSize - 7} {
		want(t, env, wFAULT, "pipe2", p, 0)
	}
	unchanged(t, env, before, "failed pipe2")
	if got := env.Proc.FDs.Count(); got != n {
		t.Errorf("failed pipe2 left %d descriptors open", got-n)
	}
	want(t, env, wSUCCESS, "pipe2", memSize-8, 0)

	// No room for the second end: the first is closed again.
	fillTable(t, env, 1)
	want(t, env, wMFILE, "pipe2", res, 0)
	if env.Proc.FDs.Count() != fdLimit-1 {
		t.Errorf("pipe2 with EMFILE left the read end open")
	}
	want(t, env, wSUCCESS, "dup", fdFile, res) // the free slot is still free
	want(t, env, wMFILE, "pipe2", res, 0)
}

func TestDup(t *testing.T) {
	env := occlumEnv(t)
	want(t, env, wSUCCESS, "fcntl", fdFile, fSetfd, fdCloexec, res)
	want(t, env, wSUCCESS, "dup", fdFile, res)
	if fd := env.U32(t, res); fd != 6 {
		t.Fatalf("dup = %d, want 6", fd)
	}
	if getfd(t, env, 6) != 0 {
		t.Error("dup kept FD_CLOEXEC")
	}
	// The copy shares the description: its offset and status flags.
	want(t, env, wSUCCESS, "fd_seek", 6, 2, 0, res2)
	want(t, env, wSUCCESS, "fd_tell", fdFile, res2)
	if off := env.U64(t, res2); off != 2 {
		t.Errorf("offset through the original = %d, want 2", off)
	}
	want(t, env, wSUCCESS, "fcntl", 6, fSetfl, lNONBLOCK, res2)
	if fl := getfl(t, env, fdFile); fl != lRDWR|lNONBLOCK {
		t.Errorf("F_GETFL of the original = %#x", fl)
	}
	// Lowest free descriptor.
	want(t, env, wSUCCESS, "fd_close", 1)
	want(t, env, wSUCCESS, "dup", fdDir, res)
	if fd := env.U32(t, res); fd != 1 {
		t.Errorf("dup = %d, want 1", fd)
	}

	n := env.Proc.FDs.Count()
	want(t, env, wBADF, "dup", fdClosed, res)
	want(t, env, wBADF, "dup", 0xffffffff, res)
	want(t, env, wFAULT, "dup", fdFile, wild)
	want(t, env, wFAULT, "dup", fdFile, memSize-2)
	if env.Proc.FDs.Count() != n {
		t.Error("failed dup opened a descriptor")
	}
	fillTable(t, env, 0)
	want(t, env, wMFILE, "dup", fdFile, res)
}

func TestDup2(t *testing.T) {
	env := occlumEnv(t)
	want(t, env, wSUCCESS, "fcntl", fdDir, fSetfd, fdCloexec, res)
	want(t, env, wSUCCESS, "dup2", fdFile, fdDir)
	if getfd(t, env, fdDir) != 0 {
		t.Error("dup2 kept the target's FD_CLOEXEC")
	}
	if fl := getfl(t, env, fdDir); fl != lRDWR|lAPPEND {
		t.Errorf("dup2 target F_GETFL = %#x: not /f", fl)
	}
	// Onto stdout: stdout is closed.
	want(t, env, wSUCCESS, "dup2", fdFile, 1)
	if env.Stdout.Closes() != 1 {
		t.Error("dup2 did not close the target")
	}
	want(t, env, wSUCCESS, "dup2", fdFile, fdLimit-1)
	// Onto itself: a check of fd only, FD_CLOEXEC untouched.
	want(t, env, wSUCCESS, "fcntl", fdFile, fSetfd, fdCloexec, res)
	want(t, env, wSUCCESS, "dup2", fdFile, fdFile)
	if getfd(t, env, fdFile) != fdCloexec {
		t.Error("dup2(fd, fd) changed FD_CLOEXEC")
	}
	want(t, env, wBADF, "dup2", fdClosed, fdClosed)
	want(t, env, wBADF, "dup2", fdClosed, 10)
	want(t, env, wBADF, "dup2", 0xffffffff, 10)
	want(t, env, wBADF, "dup2", fdFile, fdLimit)
	want(t, env, wBADF, "dup2", fdFile, 0xffffffff)
	want(t, env, wBADF, "fd_close", 10)
}

func TestDup3(t *testing.T) {
	env := occlumEnv(t)
	want(t, env, wSUCCESS, "dup3", fdFile, 10, lCLOEXEC)
	if getfd(t, env, 10) != fdCloexec {
		t.Error("dup3(O_CLOEXEC) did not set FD_CLOEXEC")
	}
	want(t, env, wSUCCESS, "dup3", fdDir, 10, 0)
	if getfd(t, env, 10) != 0 {
		t.Error("dup3(0) kept FD_CLOEXEC")
	}
	want(t, env, wINVAL, "dup3", fdFile, fdFile, 0)
	want(t, env, wINVAL, "dup3", fdFile, 11, lNONBLOCK)
	want(t, env, wINVAL, "dup3", fdClosed, 11, 1)
	want(t, env, wBADF, "dup3", fdClosed, 11, 0)
	want(t, env, wBADF, "dup3", fdFile, fdLimit, 0)
	want(t, env, wBADF, "fd_close", 11)
}

func TestFcntl(t *testing.T) {
	env := occlumEnv(t)
	want(t, env, wSUCCESS, "fcntl", fdFile, fDupfd, 10, res)
	if fd := env.U32(t, res); fd != 10 {
		t.Errorf("F_DUPFD 10 = %d", fd)
	}
	want(t, env, wSUCCESS, "fcntl", fdFile, fDupfd, 10, res)
	if fd := env.U32(t, res); fd != 11 || getfd(t, env, 11) != 0 {
		t.Errorf("F_DUPFD 10 = %d (FD_CLOEXEC %d)", fd, getfd(t, env, 11))
	}
	want(t, env, wSUCCESS, "fcntl", fdFile, fDupfdCloexec, 0, res)
	if fd := env.U32(t, res); fd != 6 || getfd(t, env, 6) != fdCloexec {
		t.Errorf("F_DUPFD_CLOEXEC 0 = %d (FD_CLOEXEC %d)", fd, getfd(t, env, 6))
	}
	want(t, env, wSUCCESS, "fcntl", fdFile, fSetfd, 0xffffffff, res) // only FD_CLOEXEC counts
	if getfd(t, env, fdFile) != fdCloexec || env.U32(t, res) != 0 {
		t.Error("F_SETFD")
	}
	want(t, env, wSUCCESS, "fcntl", fdFile, fSetfd, 0, res)
	if getfd(t, env, fdFile) != 0 {
		t.Error("F_SETFD 0")
	}

	for fd, fl := range map[uint64]uint32{0: lRDONLY, 1: lWRONLY, fdFile: lRDWR | lAPPEND, fdDir: lRDONLY} {
		if got := getfl(t, env, fd); got != fl {
			t.Errorf("F_GETFL of %d = %#x, want %#x", fd, got, fl)
		}
	}
	// F_SETFL changes O_APPEND and O_NONBLOCK, ignores the rest.
	want(t, env, wSUCCESS, "fcntl", fdFile, fSetfl, lWRONLY|lNONBLOCK|lCLOEXEC, res)
	if got := getfl(t, env, fdFile); got != lRDWR|lNONBLOCK {
		t.Errorf("F_GETFL after F_SETFL = %#x", got)
	}

	n := env.Proc.FDs.Count()
	for _, cmd := range []uint64{fDupfd, fGetfd, fSetfd, fGetfl, fSetfl, fDupfdCloexec, 99} {
		want(t, env, wBADF, "fcntl", fdClosed, cmd, 0, res)
		if cmd != fSetfd && cmd != fSetfl {
			want(t, env, wFAULT, "fcntl", fdFile, cmd, 0, wild)
		}
	}
	before := env.Snapshot()
	for _, cmd := range []uint64{1031 /* F_SETPIPE_SZ */, 8 /* F_SETOWN */, 99, 0xffffffff} {
		want(t, env, wINVAL, "fcntl", fdFile, cmd, 0, res)
	}
	want(t, env, wINVAL, "fcntl", fdFile, fDupfd, fdLimit, res)
	want(t, env, wINVAL, "fcntl", fdFile, fDupfdCloexec, 0xffffffff, res)
	unchanged(t, env, before, "failed fcntl")
	if env.Proc.FDs.Count() != n {
		t.Error("failed fcntl opened a descriptor")
	}
	fillTable(t, env, 0)
	want(t, env, wSUCCESS, "fd_close", 7)
	want(t, env, wMFILE, "fcntl", fdFile, fDupfd, 8, res) // 7 is free, nothing above it
}

// Record locks through fcntl and flock: the struct flock is read and
// written where the guest put it; bad types, whences, ranges and pointers
// are refused. (Conflicts between processes: core/locks and test/locks.)
func TestRecordLockCalls(t *testing.T) {
	env := occlumEnv(t)
	le := binary.LittleEndian
	fl := func(typ, whence uint16, start, length int64, pid uint32) {
		b := make([]byte, 32)
		le.PutUint16(b[0:], typ)
		le.PutUint16(b[2:], whence)
		le.PutUint64(b[8:], uint64(start))
		le.PutUint64(b[16:], uint64(length))
		le.PutUint32(b[24:], pid)
		env.Put(t, buf, b)
	}
	fl(1, 0, 0, 10, 0) // F_WRLCK [0,10)
	want(t, env, wSUCCESS, "fcntl", fdFile, 6, buf, res)
	if held := env.Kernel.Locks.Held(lockKey(t, env)); len(held) != 1 || held[0].Range.End != 9 {
		t.Fatalf("held %+v", held)
	}
	fl(1, 0, 0, 0, 0)
	want(t, env, wSUCCESS, "fcntl", fdFile, 5, buf, res) // F_GETLK: our own lock
	if typ := le.Uint16(env.Get(t, buf, 32)); typ != 2 {
		t.Fatalf("F_GETLK of the owner: type %d, want F_UNLCK", typ)
	}
	fl(2, 0, 0, 0, 0)
	want(t, env, wSUCCESS, "fcntl", fdFile, 6, buf, res) // unlock all
	if held := env.Kernel.Locks.Held(lockKey(t, env)); len(held) != 0 {
		t.Fatalf("held %+v after unlock", held)
	}
	for _, c := range []struct {
		typ, whence uint16
		start, len  int64
		pid         uint32
		cmd         uint64
	}{
		{7, 0, 0, 0, 0, 6},  // no such type
		{1, 3, 0, 0, 0, 6},  // no such whence
		{1, 0, -1, 1, 0, 6}, // before the start
		{1, 0, 5, -6, 0, 6}, // backwards past the start
		{1, 0, 0, 0, 5, 37}, // OFD with a pid
		{2, 0, 0, 0, 0, 5},  // F_GETLK of F_UNLCK
	} {
		fl(c.typ, c.whence, c.start, c.len, c.pid)
		want(t, env, wINVAL, "fcntl", fdFile, c.cmd, buf, res)
	}
	want(t, env, wFAULT, "fcntl", fdFile, 6, wild, res)
	want(t, env, wBADF, "fcntl", fdClosed, 6, buf, res)
	// flock.
	want(t, env, wSUCCESS, "flock", fdFile, 2|4)
	want(t, env, wSUCCESS, "flock", fdFile, 8)
	want(t, env, wINVAL, "flock", fdFile, 3)
	want(t, env, wINVAL, "flock", fdFile, 16)
	want(t, env, wBADF, "flock", fdClosed, 2)
}

func lockKey(t *testing.T, env *wasitest.Env) locks.Key {
	t.Helper()
	f, e := env.Proc.FDs.Get(fdFile)
	if e != 0 {
		t.Fatal(e)
	}
	defer f.DecRef()
	k, e := kernel.LockKey(f)
	if e != 0 {
		t.Fatal(e)
	}
	return k
}
