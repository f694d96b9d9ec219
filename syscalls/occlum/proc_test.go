package occlum

import (
	"encoding/binary"
	"testing"

	"github.com/occlumgo/occlum/core/kernel"
	"github.com/occlumgo/occlum/core/vfs"
)

// Spawning and execve need a running LibOS (libos/spawn_test.go); here the
// argument decoding, the process attributes and every wild pointer.

func TestProcessIDs(t *testing.T) {
	env := occlumEnv(t)
	want(t, env, wSUCCESS, "getpid", res)
	if got := env.U32(t, res); got != uint32(env.Proc.PID) {
		t.Fatalf("getpid = %d, want %d", got, env.Proc.PID)
	}
	want(t, env, wSUCCESS, "getppid", res)
	if got := env.U32(t, res); got != 0 {
		t.Fatalf("getppid of the root = %d, want 0", got)
	}
	want(t, env, wSUCCESS, "getpgid", 0, res)
	if got := env.U32(t, res); got != uint32(env.Proc.PID) {
		t.Fatalf("getpgid(0) = %d, want %d", got, env.Proc.PID)
	}
	want(t, env, wSRCH, "getpgid", 999, res)
	want(t, env, wSUCCESS, "setpgid", 0, 0)
	want(t, env, wSRCH, "setpgid", 999, 0)
	want(t, env, wINVAL, "setpgid", 0, 0xffffffff)
	want(t, env, wPERM, "setpgid", 0, 4242) // no such group
}

func TestWait4NoChildren(t *testing.T) {
	env := occlumEnv(t)
	want(t, env, wCHILD, "wait4", 0xffffffff, 0, res, res2)
	want(t, env, wCHILD, "wait4", 7, 1, res, res2)
	want(t, env, wINVAL, "wait4", 0xffffffff, 0x80, res, res2)
}

func TestKill(t *testing.T) {
	env := occlumEnv(t)
	want(t, env, wSUCCESS, "kill", uint64(env.Proc.PID), 0) // existence check
	want(t, env, wSRCH, "kill", 999, 0)
	want(t, env, wINVAL, "kill", uint64(env.Proc.PID), 65)
	want(t, env, wINVAL, "kill", uint64(env.Proc.PID), 0xffffffff)
	want(t, env, wSRCH, "kill", 0xffffffff, 15) // -1: nobody but the caller exists
	// SIGCHLD's default is to ignore it: nothing becomes pending.
	want(t, env, wSUCCESS, "kill", uint64(env.Proc.PID), uint64(kernel.SIGCHLD))
	if env.Proc.Sigpending() != 0 {
		t.Fatalf("pending %#x after an ignored signal", env.Proc.Sigpending())
	}
}

func TestSignalMaskAndPending(t *testing.T) {
	env := occlumEnv(t)
	usr1 := uint64(1) << (kernel.SIGUSR1 - 1)
	kill := uint64(1) << (kernel.SIGKILL - 1)
	put64 := func(off uint32, v uint64) {
		b := make([]byte, 8)
		binary.LittleEndian.PutUint64(b, v)
		env.Put(t, off, b)
	}
	put64(buf, usr1|kill)
	want(t, env, wSUCCESS, "sigprocmask", kernel.SigBlock, buf, res)
	if got := env.U64(t, res); got != 0 {
		t.Fatalf("old mask %#x, want 0", got)
	}
	want(t, env, wSUCCESS, "sigprocmask", kernel.SigBlock, 0, res)
	if got := env.U64(t, res); got != usr1 {
		t.Fatalf("mask %#x, want only SIGUSR1 (SIGKILL cannot be blocked)", got)
	}
	// A blocked fatal signal stays pending and does no harm.
	want(t, env, wSUCCESS, "kill", uint64(env.Proc.PID), uint64(kernel.SIGUSR1))
	want(t, env, wSUCCESS, "sigpending", res)
	if got := env.U64(t, res); got != usr1 {
		t.Fatalf("pending %#x, want SIGUSR1", got)
	}
	want(t, env, wINVAL, "sigprocmask", 3, buf, res)
	// SIG_IGN discards the pending signal; unblocking then delivers nothing.
	ign := make([]byte, 24)
	binary.LittleEndian.PutUint32(ign, 1)
	env.Put(t, buf, ign)
	want(t, env, wSUCCESS, "sigaction", uint64(kernel.SIGUSR1), buf, res)
	want(t, env, wSUCCESS, "sigpending", res)
	if got := env.U64(t, res); got != 0 {
		t.Fatalf("pending %#x after SIG_IGN, want none", got)
	}
	put64(buf, usr1)
	want(t, env, wSUCCESS, "sigprocmask", kernel.SigUnblock, buf, 0)
}

func TestSigaction(t *testing.T) {
	env := occlumEnv(t)
	act := make([]byte, 24)
	binary.LittleEndian.PutUint32(act[0:], 1) // SIG_IGN
	binary.LittleEndian.PutUint64(act[8:], 0xff)
	env.Put(t, buf, act)
	want(t, env, wSUCCESS, "sigaction", uint64(kernel.SIGTERM), buf, 0)
	for i := 0; i < 3; i++ { // a query changes nothing
		want(t, env, wSUCCESS, "sigaction", uint64(kernel.SIGTERM), 0, res)
		if got := env.Get(t, res, 24); string(got) != string(act) {
			t.Fatalf("query %d: oldact %x, want %x", i, got, act)
		}
	}
	want(t, env, wINVAL, "sigaction", uint64(kernel.SIGKILL), buf, 0)
	want(t, env, wINVAL, "sigaction", uint64(kernel.SIGSTOP), buf, 0)
	want(t, env, wINVAL, "sigaction", 0, 0, res)
	want(t, env, wINVAL, "sigaction", 65, 0, res)
	// Querying SIGKILL's action is allowed.
	want(t, env, wSUCCESS, "sigaction", uint64(kernel.SIGKILL), 0, res)
	// A handler needs the program's trampoline export, which this guest lacks.
	binary.LittleEndian.PutUint32(act[0:], 7)
	env.Put(t, buf, act)
	want(t, env, wNOSYS, "sigaction", uint64(kernel.SIGTERM), buf, 0)
	binary.LittleEndian.PutUint32(act[0:], 0)
	binary.LittleEndian.PutUint32(act[4:], 4) // SA_SIGINFO: not supported
	env.Put(t, buf, act)
	want(t, env, wINVAL, "sigaction", uint64(kernel.SIGTERM), buf, 0)
}

// Every pointer of the process and signal functions is checked before
// anything happens.
func TestProcSignalEFAULT(t *testing.T) {
	env := occlumEnv(t)
	strvec := make([]byte, 8)
	binary.LittleEndian.PutUint32(strvec[0:], wild)
	binary.LittleEndian.PutUint32(strvec[4:], 4)
	env.Put(t, iovs, strvec)
	env.PutString(t, pathA, "/bin/x")
	for _, c := range []struct {
		name string
		args []uint64
	}{
		{"spawn", []uint64{wild, 4, 0, 0, 0, 0, 0, 0, 0, res}},
		{"spawn", []uint64{pathA, 6, wild, 1, 0, 0, 0, 0, 0, res}},
		{"spawn", []uint64{pathA, 6, iovs, 1, 0, 0, 0, 0, 0, res}}, // argv[0] points outside
		{"spawn", []uint64{pathA, 6, 0, 0, wild, 1, 0, 0, 0, res}},
		{"spawn", []uint64{pathA, 6, 0, 0, 0, 0, wild, 1, 0, res}},
		{"spawn", []uint64{pathA, 6, 0, 0, 0, 0, 0, 0, wild, res}},
		{"spawn", []uint64{pathA, 6, 0, 0, 0, 0, 0, 0, 0, wild}},
		{"execve", []uint64{wild, 4, 0, 0, 0, 0}},
		{"execve", []uint64{pathA, 6, 0, 0, iovs, 1}},
		{"wait4", []uint64{0xffffffff, 0, wild, res}},
		{"wait4", []uint64{0xffffffff, 0, res, wild}},
		{"getpid", []uint64{wild}},
		{"getppid", []uint64{wild}},
		{"getpgid", []uint64{0, wild}},
		{"sigaction", []uint64{15, wild, 0}},
		{"sigaction", []uint64{15, 0, wild}},
		{"sigprocmask", []uint64{0, wild, 0}},
		{"sigprocmask", []uint64{0, 0, wild}},
		{"sigpending", []uint64{wild}},
		{"sigsuspend", []uint64{wild}},
	} {
		before := env.Snapshot()
		want(t, env, wFAULT, c.name, c.args...)
		unchanged(t, env, before, c.name)
	}
	if env.Kernel.Count() != 1 {
		t.Fatalf("%d processes after failed spawns", env.Kernel.Count())
	}
}

func TestStat(t *testing.T) {
	env := occlumEnv(t)
	if e := env.Kernel.VFS.SetAttr("/f", true, vfs.SetAttr{Mask: vfs.SetMode, Mode: 0o640}); e != 0 {
		t.Fatal(e)
	}
	p, n := env.PutString(t, pathA, "/f")
	want(t, env, wSUCCESS, "stat", 0xffffff9c, 0, p, n, buf)
	b := env.Get(t, buf, 88)
	le := binary.LittleEndian
	if mode := le.Uint32(b[16:]); mode != 0o100640 {
		t.Fatalf("mode %o, want 100640", mode)
	}
	if size := le.Uint64(b[40:]); size != 5 {
		t.Fatalf("size %d, want 5", size)
	}
	if blocks := le.Uint64(b[48:]); blocks != 8 {
		t.Fatalf("blocks %d, want 8 (one 4 KiB ramfs page)", blocks)
	}
	// The descriptor itself (AT_EMPTY_PATH), relative to a directory fd,
	// and the errors.
	want(t, env, wSUCCESS, "stat", fdFile, 0x1000, p, 0, buf)
	if mode := le.Uint32(env.Get(t, buf, 88)[16:]); mode != 0o100640 {
		t.Fatalf("fstat mode %o", mode)
	}
	p, n = env.PutString(t, pathA, "sub")
	want(t, env, wSUCCESS, "stat", fdDir, 0, p, n, buf)
	if mode := le.Uint32(env.Get(t, buf, 88)[16:]); mode&0o170000 != 0o040000 {
		t.Fatalf("sub is not a directory: %o", mode)
	}
	want(t, env, wNOENT, "stat", fdDir, 0, p, 0, buf)
	want(t, env, wINVAL, "stat", fdDir, 0x1, p, n, buf)
	want(t, env, wBADF, "stat", fdClosed, 0x1000, p, 0, buf)
	before := env.Snapshot()
	want(t, env, wFAULT, "stat", fdDir, 0, p, n, wild)
	want(t, env, wFAULT, "stat", fdDir, 0, wild, 4, buf)
	unchanged(t, env, before, "stat")
}

func TestChmod(t *testing.T) {
	env := occlumEnv(t)
	const wNOTSUP = 58
	mode := func(path string) uint32 {
		t.Helper()
		st, e := env.Kernel.VFS.Stat(path, false)
		if e != 0 {
			t.Fatal(e)
		}
		return st.Perm()
	}
	p, n := env.PutString(t, pathA, "/f")
	want(t, env, wSUCCESS, "chmod", 0xffffff9c, 0, p, n, 0o4751|0o170000)
	if m := mode("/f"); m != 0o4751 {
		t.Fatalf("chmod: %o, want 4751 (bits above 07777 ignored)", m)
	}
	// fchmod: the descriptor itself.
	want(t, env, wSUCCESS, "chmod", fdFile, 0x1000, p, 0, 0o600)
	if m := mode("/f"); m != 0o600 {
		t.Fatalf("fchmod: %o", m)
	}
	// Relative to a directory descriptor; a symbolic link is followed,
	// or refused with AT_SYMLINK_NOFOLLOW.
	if e := env.Kernel.VFS.Symlink("sub", "/d/link"); e != 0 {
		t.Fatal(e)
	}
	p, n = env.PutString(t, pathA, "link")
	want(t, env, wSUCCESS, "chmod", fdDir, 0, p, n, 0o700)
	if m := mode("/d/sub"); m != 0o700 {
		t.Fatalf("through a link: %o", m)
	}
	want(t, env, wNOTSUP, "chmod", fdDir, 0x100, p, n, 0o755)
	p, n = env.PutString(t, pathA, "sub")
	want(t, env, wSUCCESS, "chmod", fdDir, 0x100, p, n, 0o755)
	if m := mode("/d/sub"); m != 0o755 {
		t.Fatalf("nofollow on a directory: %o", m)
	}
	want(t, env, wNOENT, "chmod", fdDir, 0, p, 0, 0o755)
	want(t, env, wINVAL, "chmod", fdDir, 0x1, p, n, 0o755)
	want(t, env, wBADF, "chmod", fdClosed, 0x1000, p, 0, 0o755)
	before := env.Snapshot()
	want(t, env, wFAULT, "chmod", fdDir, 0, wild, 4, 0o755)
	unchanged(t, env, before, "chmod")
}

func TestChown(t *testing.T) {
	env := occlumEnv(t)
	owner := func(path string, follow bool) (uint32, uint32, uint32) {
		t.Helper()
		st, e := env.Kernel.VFS.Stat(path, follow)
		if e != 0 {
			t.Fatal(e)
		}
		return st.Uid, st.Gid, st.Perm()
	}
	if e := env.Kernel.VFS.SetAttr("/f", true, vfs.SetAttr{Mask: vfs.SetMode, Mode: 0o4755}); e != 0 {
		t.Fatal(e)
	}
	p, n := env.PutString(t, pathA, "/f")
	want(t, env, wSUCCESS, "chown", 0xffffff9c, 0, p, n, 1000, 100)
	if u, g, m := owner("/f", true); u != 1000 || g != 100 || m != 0o755 {
		t.Fatalf("chown: %d:%d %o, want 1000:100 0755 (set-uid cleared)", u, g, m)
	}
	// -1 keeps one; fchown through the descriptor.
	want(t, env, wSUCCESS, "chown", fdFile, 0x1000, p, 0, 0xffffffff, 7)
	if u, g, _ := owner("/f", true); u != 1000 || g != 7 {
		t.Fatalf("fchown -1:7: %d:%d", u, g)
	}
	want(t, env, wSUCCESS, "chown", fdFile, 0x1000, p, 0, 0xffffffff, 0xffffffff)
	// lchown: the link itself.
	if e := env.Kernel.VFS.Symlink("sub", "/d/link"); e != 0 {
		t.Fatal(e)
	}
	p, n = env.PutString(t, pathA, "link")
	want(t, env, wSUCCESS, "chown", fdDir, 0x100, p, n, 5, 6)
	if u, g, _ := owner("/d/link", false); u != 5 || g != 6 {
		t.Fatalf("lchown: %d:%d", u, g)
	}
	if u, _, _ := owner("/d/sub", true); u != 0 {
		t.Fatalf("lchown changed the target: uid %d", u)
	}
	want(t, env, wNOENT, "chown", fdDir, 0, p, 0, 1, 1)
	want(t, env, wINVAL, "chown", fdDir, 0x1, p, n, 1, 1)
	want(t, env, wBADF, "chown", fdClosed, 0x1000, p, 0, 1, 1)
	before := env.Snapshot()
	want(t, env, wFAULT, "chown", fdDir, 0, wild, 4, 1, 1)
	unchanged(t, env, before, "chown")
}
