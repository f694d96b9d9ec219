package wasi_test

import (
	"testing"

	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/syscalls/internal/wasitest"
	"github.com/occlumgo/occlum/syscalls/wasi"
)

// WASI preview 1 errno numbers asserted by the tests.
const (
	eSUCCESS     = 0
	eBADF        = 8
	eBUSY        = 10
	eEXIST       = 20
	eFAULT       = 21
	eIO          = 29
	eINVAL       = 28
	eISDIR       = 31
	eLOOP        = 32
	eNAMETOOLONG = 37
	eNODEV       = 43
	eNOENT       = 44
	eNOTDIR      = 54
	eNOTEMPTY    = 55
	eNOTSOCK     = 57
	ePERM        = 63
	eROFS        = 69
	eSPIPE       = 70
	eNOTCAPABLE  = 76
)

// WASI filetypes.
const (
	ftCharDevice  = 2
	ftDirectory   = 3
	ftRegularFile = 4
	ftSymlink     = 7
)

// Descriptors of the fixture, opened in this order after stdio (0-2) and
// the preopen "/" (3).
const (
	fdRoot    = 3
	fdFile    = 4 // /f O_RDWR
	fdFileRO  = 5 // /f O_RDONLY
	fdDir     = 6 // /d
	fdNull    = 7 // /dev/null O_WRONLY
	fdFileWO  = 8 // /f O_WRONLY
	fdClosed  = 9 // never opened
	fdStdin   = 0
	fdStdout  = 1
	fileSize  = 11
	fileBytes = "hello world"
)

// Guest memory layout used by the tests.
const (
	pathA   = 0x100 // first path argument
	pathB   = 0x200 // second path argument
	iovs    = 0x400 // iovec array
	result  = 0x800 // result pointers
	result2 = 0x900
	buf     = 0x1000 // data buffers
	buf2    = 0x2000

	memSize = wasitest.MemSize
	wild    = 0xfffffff0 // a pointer far outside memory
	huge    = 0x7fffffff // a length far beyond memory
)

// newEnv returns a process whose file system holds
//
//	/f      "hello world"
//	/d/     a ("A"), sub/
//	/empty/
//	/l      -> f
//	/dl     -> d
//	/loop1  -> loop2, /loop2 -> loop1
//	/ro/    a read-only ramfs with file ("read-only")
//
// and whose descriptors are the fd* constants.
func newEnv(t *testing.T, o wasitest.Options) *wasitest.Env {
	t.Helper()
	env := wasitest.New(t, wasi.Funcs(), o)
	ns := env.Kernel.VFS
	env.WriteFile(t, "/f", fileBytes)
	for _, d := range []string{"/d", "/d/sub", "/empty"} {
		if e := ns.Mkdir(d, 0o755); e != 0 {
			t.Fatalf("mkdir %s: %v", d, e)
		}
	}
	env.WriteFile(t, "/d/a", "A")
	for link, target := range map[string]string{"/l": "f", "/dl": "d", "/loop1": "loop2", "/loop2": "loop1"} {
		if e := ns.Symlink(target, link); e != 0 {
			t.Fatalf("symlink %s: %v", link, e)
		}
	}
	for i, o := range []struct {
		path  string
		flags vfs.OpenFlags
	}{
		{"/f", vfs.O_RDWR}, {"/f", vfs.O_RDONLY}, {"/d", vfs.O_RDONLY | vfs.O_DIRECTORY},
		{"/dev/null", vfs.O_WRONLY}, {"/f", vfs.O_WRONLY},
	} {
		if fd := env.Open(t, o.path, o.flags); fd != int32(fdFile+i) {
			t.Fatalf("fixture %s opened as fd %d, want %d", o.path, fd, fdFile+i)
		}
	}
	return env
}

// str writes s at off and returns its (pointer, length) arguments.
func str(t *testing.T, env *wasitest.Env, off uint32, s string) (uint64, uint64) {
	t.Helper()
	return env.PutString(t, off, s)
}

// expect fails the test unless got is want.
func expect(t *testing.T, what string, got, want uint32) {
	t.Helper()
	if got != want {
		t.Fatalf("%s = errno %d, want %d", what, got, want)
	}
}
