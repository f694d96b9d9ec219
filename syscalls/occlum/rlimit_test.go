package occlum

import (
	"testing"

	"github.com/occlumgo/occlum/core/fdtable"
	"github.com/occlumgo/occlum/syscalls/internal/wasitest"
)

const inf = rlimInfinity

// putLimit writes a struct rlimit at off.
func putLimit(t *testing.T, env *wasitest.Env, off uint32, cur, max uint64) uint64 {
	t.Helper()
	env.Mem().WriteUint64Le(off, cur)
	env.Mem().WriteUint64Le(off+8, max)
	return uint64(off)
}

// limit returns getrlimit(res).
func limit(t *testing.T, env *wasitest.Env, resource uint64) rlimit {
	t.Helper()
	want(t, env, wSUCCESS, "getrlimit", resource, res2)
	return rlimit{env.U64(t, res2), env.U64(t, res2+8)}
}

func TestGetrlimit(t *testing.T) {
	env := occlumEnv(t)
	if l := limit(t, env, rlimitNofile); l != (rlimit{fdLimit, fdLimit}) {
		t.Errorf("NOFILE = %v", l)
	}
	for _, r := range []uint64{0, 1, rlimitData, rlimitStack, 4, 5, rlimitNproc, 8, rlimitAS, 15} {
		if l := limit(t, env, r); l != (rlimit{inf, inf}) {
			t.Errorf("resource %d = %v, want infinity", r, l)
		}
	}
	env.Kernel.Limits.MaxProcesses = 32
	env.Kernel.Limits.ProcessMemory = 64 << 20
	if l := limit(t, env, rlimitNproc); l != (rlimit{32, 32}) {
		t.Errorf("NPROC = %v", l)
	}
	for _, r := range []uint64{rlimitData, rlimitStack, rlimitAS} {
		if l := limit(t, env, r); l != (rlimit{64 << 20, 64 << 20}) {
			t.Errorf("resource %d = %v, want the memory budget", r, l)
		}
	}
	want(t, env, wINVAL, "getrlimit", rlimitCount, res)
	want(t, env, wINVAL, "getrlimit", 0xffffffff, res)
	want(t, env, wFAULT, "getrlimit", rlimitNofile, wild)
	want(t, env, wFAULT, "getrlimit", rlimitNofile, memSize-15)
}

func TestSetrlimit(t *testing.T) {
	env := occlumEnv(t)
	env.Kernel.Limits.MaxProcesses = 32
	want(t, env, wSUCCESS, "setrlimit", rlimitNofile, putLimit(t, env, res, 8, 32))
	if l := limit(t, env, rlimitNofile); l != (rlimit{8, 32}) {
		t.Errorf("NOFILE = %v", l)
	}
	// New descriptors must be below the soft limit.
	want(t, env, wSUCCESS, "dup", fdFile, res2)
	want(t, env, wSUCCESS, "dup", fdFile, res2)
	want(t, env, wMFILE, "dup", fdFile, res2)
	want(t, env, wMFILE, "pipe2", res2, 0)
	want(t, env, wBADF, "dup2", fdFile, 8)
	// Lowering below open descriptors is allowed; they stay open.
	want(t, env, wSUCCESS, "setrlimit", rlimitNofile, putLimit(t, env, res, 2, 32))
	want(t, env, wSUCCESS, "fd_fdstat_get", 7, buf)
	want(t, env, wSUCCESS, "setrlimit", rlimitNofile, putLimit(t, env, res, 32, 32))
	want(t, env, wPERM, "setrlimit", rlimitNofile, putLimit(t, env, res, 32, 33))
	want(t, env, wPERM, "setrlimit", rlimitNofile, putLimit(t, env, res, inf, inf))
	want(t, env, wINVAL, "setrlimit", rlimitNofile, putLimit(t, env, res, 33, 32))

	// Fixed limits: setting the same values is fine, changing them is not.
	want(t, env, wSUCCESS, "setrlimit", rlimitNproc, putLimit(t, env, res, 32, 32))
	want(t, env, wPERM, "setrlimit", rlimitNproc, putLimit(t, env, res, 16, 32))
	want(t, env, wPERM, "setrlimit", rlimitNproc, putLimit(t, env, res, 32, 64))
	want(t, env, wSUCCESS, "setrlimit", rlimitStack, putLimit(t, env, res, inf, inf))
	want(t, env, wPERM, "setrlimit", rlimitAS, putLimit(t, env, res, 1<<20, 1<<20))
	// The rest accept anything sensible and keep reporting infinity.
	want(t, env, wSUCCESS, "setrlimit", 4 /* CORE */, putLimit(t, env, res, 0, 0))
	if l := limit(t, env, 4); l != (rlimit{inf, inf}) {
		t.Errorf("CORE = %v", l)
	}
	want(t, env, wINVAL, "setrlimit", 4, putLimit(t, env, res, 1, 0))
	want(t, env, wINVAL, "setrlimit", rlimitCount, putLimit(t, env, res, 0, 0))

	want(t, env, wFAULT, "setrlimit", rlimitNofile, wild)
	want(t, env, wFAULT, "setrlimit", rlimitNofile, memSize-8)
	if l := limit(t, env, rlimitNofile); l != (rlimit{32, 32}) {
		t.Errorf("NOFILE after failures = %v", l)
	}
}

func TestPrlimit(t *testing.T) {
	env := occlumEnv(t)
	child, e := env.Kernel.NewProcess(env.Proc, nil, nil, "/", fdtable.New(16))
	if e != 0 {
		t.Fatal(e)
	}
	// Both at once: old is the value before.
	want(t, env, wSUCCESS, "prlimit", 0, rlimitNofile, putLimit(t, env, res, 10, 20), res2)
	if l := (rlimit{env.U64(t, res2), env.U64(t, res2+8)}); l != (rlimit{fdLimit, fdLimit}) {
		t.Errorf("old = %v", l)
	}
	want(t, env, wSUCCESS, "prlimit", uint64(env.Proc.PID), rlimitNofile, 0, res2)
	if l := (rlimit{env.U64(t, res2), env.U64(t, res2+8)}); l != (rlimit{10, 20}) {
		t.Errorf("own NOFILE = %v", l)
	}
	want(t, env, wSUCCESS, "prlimit", 0, rlimitNofile, 0, 0)
	// Another process's.
	want(t, env, wSUCCESS, "prlimit", uint64(child.PID), rlimitNofile, putLimit(t, env, res, 4, 16), res2)
	if l := (rlimit{env.U64(t, res2), env.U64(t, res2+8)}); l != (rlimit{16, 16}) {
		t.Errorf("child's old NOFILE = %v", l)
	}
	if cur, max := child.FDs.Limits(); cur != 4 || max != 16 {
		t.Errorf("child's NOFILE = %d, %d", cur, max)
	}

	before := env.Snapshot()
	want(t, env, wSRCH, "prlimit", 999, rlimitNofile, 0, res2)
	want(t, env, wINVAL, "prlimit", 0xffffffff, rlimitNofile, 0, res2)
	want(t, env, wINVAL, "prlimit", 0, rlimitCount, 0, res2)
	want(t, env, wFAULT, "prlimit", 0, rlimitNofile, wild, res2)
	want(t, env, wFAULT, "prlimit", 0, rlimitNofile, memSize-15, 0)
	unchanged(t, env, before, "failed prlimit")
	// A bad old pointer: the new limit is not set either.
	want(t, env, wFAULT, "prlimit", 0, rlimitNofile, putLimit(t, env, res, 1, 1), wild)
	want(t, env, wPERM, "prlimit", 0, rlimitNofile, putLimit(t, env, res, 1, 21), res2)
	if cur, max := env.Proc.FDs.Limits(); cur != 10 || max != 20 {
		t.Errorf("NOFILE after failures = %d, %d", cur, max)
	}
}

// RLIMIT_NOFILE 0: every call that allocates a descriptor fails as on
// Linux (checked natively): dup and pipe2 with EMFILE, F_DUPFD with EINVAL
// (its minimum is not below the limit; EBADF first for a closed fd), dup2
// and dup3 onto any other descriptor with EBADF; dup2 of a descriptor onto
// itself still succeeds. Nothing is opened.
func TestNofileZero(t *testing.T) {
	env := occlumEnv(t)
	want(t, env, wSUCCESS, "setrlimit", rlimitNofile, putLimit(t, env, res, 0, 0))
	if l := limit(t, env, rlimitNofile); l != (rlimit{0, 0}) {
		t.Fatalf("NOFILE = %v", l)
	}
	n := env.Proc.FDs.Count()
	want(t, env, wMFILE, "dup", fdFile, res)
	want(t, env, wMFILE, "pipe2", res, 0)
	want(t, env, wMFILE, "pipe2", res, lCLOEXEC|lNONBLOCK)
	want(t, env, wINVAL, "fcntl", fdFile, fDupfd, 0, res)
	want(t, env, wINVAL, "fcntl", fdFile, fDupfdCloexec, 0, res)
	want(t, env, wINVAL, "fcntl", fdFile, fDupfd, 5, res)
	want(t, env, wBADF, "fcntl", fdClosed, fDupfd, 0, res)
	want(t, env, wBADF, "dup", fdClosed, res)
	want(t, env, wBADF, "dup2", fdFile, 0)
	want(t, env, wBADF, "dup2", fdFile, 11)
	want(t, env, wSUCCESS, "dup2", fdFile, fdFile)
	want(t, env, wBADF, "dup3", fdFile, 11, 0)
	want(t, env, wBADF, "dup3", fdFile, 0, lCLOEXEC)
	want(t, env, wINVAL, "dup3", fdFile, fdFile, 0)
	if got := env.Proc.FDs.Count(); got != n {
		t.Errorf("%d descriptors opened under RLIMIT_NOFILE 0", got-n)
	}
	// Existing descriptors stay usable.
	want(t, env, wSUCCESS, "fd_fdstat_get", fdFile, buf)
}
