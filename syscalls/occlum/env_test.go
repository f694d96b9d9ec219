package occlum

// These tests are internal (package occlum) only so that their helpers
// cannot clash with the external tests' of the other families.

import (
	"testing"

	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/syscalls/internal/wasitest"
	"github.com/occlumgo/occlum/syscalls/wasi"
)

// WASI errno numbers the tests assert.
const (
	wSUCCESS     = 0
	wAGAIN       = 6
	wBADF        = 8
	wFAULT       = 21
	wINVAL       = 28
	wMFILE       = 33
	wNAMETOOLONG = 37
	wNOENT       = 44
	wNOTDIR      = 54
	wPERM        = 63
	wRANGE       = 68
	wSRCH        = 71
	wCHILD       = 12
	wNOSYS       = 52
)

// Guest memory layout and fixture descriptors.
const (
	memSize = wasitest.MemSize
	wild    = 0xfffffff0 // far outside memory
	pathA   = 0x100
	iovs    = 0x400
	res     = 0x800 // result pointers
	res2    = 0x900
	buf     = 0x1000

	fdFile   = 4 // /f O_RDWR|O_APPEND
	fdDir    = 5 // /d
	fdClosed = 9
	fdLimit  = 64 // wasitest's RLIMIT_NOFILE
)

// occlumEnv returns a process that can call every WASI and occlum function
// (all imported from one module: the module name does not matter to the
// implementations), with /f ("hello"), /d/sub/, and fds 4 and 5 open.
func occlumEnv(t *testing.T) *wasitest.Env {
	t.Helper()
	env := wasitest.New(t, append(wasi.Funcs(), Funcs()...), wasitest.Options{})
	env.WriteFile(t, "/f", "hello")
	for _, d := range []string{"/d", "/d/sub"} {
		if e := env.Kernel.VFS.Mkdir(d, 0o755); e != 0 {
			t.Fatalf("mkdir %s: %v", d, e)
		}
	}
	if fd := env.Open(t, "/f", vfs.O_RDWR|vfs.O_APPEND); fd != fdFile {
		t.Fatalf("/f opened as %d", fd)
	}
	if fd := env.Open(t, "/d", vfs.O_RDONLY|vfs.O_DIRECTORY); fd != fdDir {
		t.Fatalf("/d opened as %d", fd)
	}
	return env
}

// want fails the test unless the call returns errno e.
func want(t *testing.T, env *wasitest.Env, e uint32, name string, args ...uint64) {
	t.Helper()
	if got := env.Call(t, name, args...); got != e {
		t.Fatalf("%s%v = errno %d, want %d", name, args, got, e)
	}
}

// fillTable opens descriptors until only free remain below the limit.
func fillTable(t *testing.T, env *wasitest.Env, free int) {
	t.Helper()
	for env.Proc.FDs.Count() < fdLimit-free {
		want(t, env, wSUCCESS, "dup", fdFile, res)
	}
}

// unchanged fails the test if guest memory differs from before.
func unchanged(t *testing.T, env *wasitest.Env, before []byte, what string) {
	t.Helper()
	if string(env.Snapshot()) != string(before) {
		t.Errorf("%s changed guest memory", what)
	}
}
