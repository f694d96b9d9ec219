package wasi_test

import (
	"strings"
	"testing"

	"github.com/occlumgo/occlum/syscalls/internal/wasitest"
)

// WASI lookupflags and oflags.
const (
	symlinkFollow = 1 << 0

	oCreat     = 1 << 0
	oDirectory = 1 << 1
	oExcl      = 1 << 2
	oTrunc     = 1 << 3
)

// Rights requested by the guest toolchains for open(2)'s access modes.
const (
	// wasi-libc: every right except those of the other access mode.
	libcWriteBits = 1<<0 | rightFdRead | rightFdWrite | rightFdAllocate | rightFdReaddir | rightSetSize
	libcRDONLY    = rightsAll&^libcWriteBits | rightFdRead | rightFdReaddir
	libcWRONLY    = rightsAll&^libcWriteBits | 1<<0 | rightFdWrite | rightFdAllocate | rightSetSize
	libcRDWR      = rightsAll

	// Go's syscall/fs_wasip1.go: its writeRights name
	// PATH_FILESTAT_SET_SIZE (1<<19), so O_RDONLY keeps FD_FILESTAT_SET_SIZE.
	goFileRights  = 1<<28 - 1
	goWriteRights = 1<<0 | rightFdWrite | rightFdAllocate | 1<<19
	goRDONLY      = goFileRights &^ goWriteRights
	goWRONLY      = goFileRights &^ (rightFdRead | rightFdReaddir)
)

// pathOpen opens path relative to dirfd and returns the errno and the fd.
func pathOpen(t *testing.T, env *wasitest.Env, dirfd uint64, dirflags uint32, path string, oflags uint32, rights uint64, fdflags uint32) (uint32, uint64) {
	t.Helper()
	p, n := str(t, env, pathA, path)
	env.Put(t, result, []byte{0xee, 0xee, 0xee, 0xee})
	e := env.Call(t, "path_open", dirfd, uint64(dirflags), p, n, uint64(oflags), rights, rightsAll, uint64(fdflags), result)
	fd := uint64(env.U32(t, result))
	if e != eSUCCESS && fd != 0xeeeeeeee {
		t.Errorf("path_open failed with %d but wrote fd %d", e, fd)
	}
	return e, fd
}

func canRead(t *testing.T, env *wasitest.Env, fd uint64) uint32 {
	t.Helper()
	env.PutIovecs(t, iovs, [2]uint32{buf, 1})
	return env.Call(t, "fd_read", fd, iovs, 1, result2)
}

func canWrite(t *testing.T, env *wasitest.Env, fd uint64) uint32 {
	t.Helper()
	// One byte, the first of /f, so a successful write changes nothing.
	env.Put(t, buf, []byte("h"))
	env.PutIovecs(t, iovs, [2]uint32{buf, 1})
	return env.Call(t, "fd_pwrite", fd, iovs, 1, 0, result2)
}

func TestPathOpenAccessMode(t *testing.T) {
	for _, tc := range []struct {
		name             string
		path             string
		rights           uint64
		oflags           uint32
		read, write      uint32
		wantOpen         uint32
		wantFiletype     uint8
		wantRight, noRgt uint64
	}{
		{"libc rdonly", "f", libcRDONLY, 0, eSUCCESS, eBADF, eSUCCESS, ftRegularFile, rightFdRead, rightFdWrite},
		{"libc wronly", "f", libcWRONLY, 0, eBADF, eSUCCESS, eSUCCESS, ftRegularFile, rightFdWrite, rightFdRead},
		{"libc rdwr", "f", libcRDWR, 0, eSUCCESS, eSUCCESS, eSUCCESS, ftRegularFile, rightFdRead | rightFdWrite, 0},
		{"go rdonly", "f", goRDONLY, 0, eSUCCESS, eBADF, eSUCCESS, ftRegularFile, rightFdRead, rightFdWrite},
		{"go wronly", "f", goWRONLY, 0, eBADF, eSUCCESS, eSUCCESS, ftRegularFile, rightFdWrite, rightFdRead},
		{"no rights", "f", 0, 0, eSUCCESS, eBADF, eSUCCESS, ftRegularFile, rightFdRead, rightFdWrite},
		{"go rdonly on read-only mount", "ro/file", goRDONLY, 0, eSUCCESS, eBADF, eSUCCESS, ftRegularFile, rightFdRead, rightFdWrite},
		{"libc rdonly on read-only mount", "ro/file", libcRDONLY, 0, eSUCCESS, eBADF, eSUCCESS, ftRegularFile, rightFdRead, rightFdWrite},
		{"write on read-only mount", "ro/file", libcWRONLY, 0, 0, 0, eROFS, 0, 0, 0},
		{"libc rdonly directory", "d", libcRDONLY, oDirectory, eISDIR, eBADF, eSUCCESS, ftDirectory, rightFdReaddir, rightFdWrite},
		{"go rdonly directory", "d", goRDONLY & (1<<27 - 1), 0, eISDIR, eBADF, eSUCCESS, ftDirectory, rightFdReaddir, rightFdWrite},
		{"write directory", "d", libcWRONLY, 0, 0, 0, eISDIR, 0, 0, 0},
		{"rdwr directory", "d", libcRDWR, oDirectory, 0, 0, eISDIR, 0, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newEnv(t, wasitest.Options{})
			e, fd := pathOpen(t, env, fdRoot, symlinkFollow, tc.path, tc.oflags, tc.rights, 0)
			expect(t, "path_open", e, tc.wantOpen)
			if e != eSUCCESS {
				return
			}
			expect(t, "fd_read", canRead(t, env, fd), tc.read)
			expect(t, "fd_pwrite", canWrite(t, env, fd), tc.write)
			st := getFdstat(t, env, fd)
			if st.filetype != tc.wantFiletype || st.rights&tc.wantRight != tc.wantRight || st.rights&tc.noRgt != 0 {
				t.Errorf("fdstat = %+v", st)
			}
			if got := env.ReadFile(t, "/f"); got != fileBytes {
				t.Errorf("/f = %q", got)
			}
		})
	}
}

func TestPathOpen(t *testing.T) {
	type check func(t *testing.T, env *wasitest.Env, fd uint64)
	content := func(path, want string) check {
		return func(t *testing.T, env *wasitest.Env, _ uint64) {
			if got := env.ReadFile(t, path); got != want {
				t.Errorf("%s = %q, want %q", path, got, want)
			}
		}
	}
	reads := func(want string) check {
		return func(t *testing.T, env *wasitest.Env, fd uint64) {
			env.PutIovecs(t, iovs, [2]uint32{buf, 100})
			expect(t, "fd_read", env.Call(t, "fd_read", fd, iovs, 1, result2), eSUCCESS)
			if got := string(env.Get(t, buf, env.U32(t, result2))); got != want {
				t.Errorf("read %q, want %q", got, want)
			}
		}
	}
	for _, tc := range []struct {
		name     string
		dirfd    uint64
		dirflags uint32
		path     string
		oflags   uint32
		rights   uint64
		fdflags  uint32
		want     uint32
		check    check
	}{
		{"relative to preopen", fdRoot, symlinkFollow, "d/a", 0, libcRDONLY, 0, eSUCCESS, reads("A")},
		{"relative to dir fd", fdDir, symlinkFollow, "a", 0, libcRDONLY, 0, eSUCCESS, reads("A")},
		{"dot dot", fdDir, symlinkFollow, "../f", 0, libcRDONLY, 0, eSUCCESS, reads(fileBytes)},
		{"dot dot above root", fdRoot, symlinkFollow, "../../f", 0, libcRDONLY, 0, eSUCCESS, reads(fileBytes)},
		{"dot", fdRoot, 0, ".", oDirectory, libcRDONLY, 0, eSUCCESS, nil},
		{"create", fdRoot, symlinkFollow, "new", oCreat, libcWRONLY, 0, eSUCCESS, func(t *testing.T, env *wasitest.Env, fd uint64) {
			st, e := env.Kernel.VFS.Stat("/new", false)
			if e != 0 || st.Size != 0 || st.Perm() != 0o644 {
				t.Errorf("stat /new = %+v, %v (want mode 0644 after umask 022)", st, e)
			}
		}},
		{"create existing", fdRoot, symlinkFollow, "f", oCreat, libcRDWR, 0, eSUCCESS, content("/f", fileBytes)},
		{"create excl new", fdRoot, 0, "new", oCreat | oExcl, libcRDWR, 0, eSUCCESS, nil},
		{"create excl existing", fdRoot, 0, "f", oCreat | oExcl, libcRDWR, 0, eEXIST, nil},
		{"create excl dangling symlink", fdRoot, 0, "dangling", oCreat | oExcl, libcRDWR, 0, eEXIST, nil},
		{"create in missing dir", fdRoot, 0, "nodir/new", oCreat, libcRDWR, 0, eNOENT, nil},
		{"create dir path", fdRoot, 0, "new/", oCreat, libcRDWR, 0, eISDIR, nil},
		{"create on read-only mount", fdRoot, 0, "ro/new", oCreat, libcRDWR, 0, eROFS, nil},
		{"trunc", fdRoot, symlinkFollow, "f", oTrunc, libcWRONLY, 0, eSUCCESS, content("/f", "")},
		{"trunc read only", fdRoot, symlinkFollow, "f", oTrunc, libcRDONLY, 0, eSUCCESS, content("/f", fileBytes)},
		{"directory on dir", fdRoot, 0, "d", oDirectory, libcRDONLY, 0, eSUCCESS, nil},
		{"directory on file", fdRoot, 0, "f", oDirectory, libcRDONLY, 0, eNOTDIR, nil},
		{"directory via symlink", fdRoot, symlinkFollow, "dl", oDirectory, libcRDONLY, 0, eSUCCESS, nil},
		{"nofollow symlink", fdRoot, 0, "l", 0, libcRDONLY, 0, eLOOP, nil},
		{"nofollow symlink to dir", fdRoot, 0, "dl", oDirectory, libcRDONLY, 0, eLOOP, nil},
		{"nofollow inner symlink", fdRoot, 0, "dl/a", 0, libcRDONLY, 0, eSUCCESS, reads("A")},
		{"follow symlink", fdRoot, symlinkFollow, "l", 0, libcRDONLY, 0, eSUCCESS, reads(fileBytes)},
		{"symlink loop", fdRoot, symlinkFollow, "loop1", 0, libcRDONLY, 0, eLOOP, nil},
		{"symlink loop inside path", fdRoot, 0, "loop1/x", 0, libcRDONLY, 0, eLOOP, nil},
		{"missing", fdRoot, 0, "nope", 0, libcRDONLY, 0, eNOENT, nil},
		{"file as dir", fdRoot, 0, "f/x", 0, libcRDONLY, 0, eNOTDIR, nil},
		{"trailing slash on file", fdRoot, 0, "f/", 0, libcRDONLY, 0, eNOTDIR, nil},
		{"empty path", fdRoot, 0, "", 0, libcRDONLY, 0, eNOENT, nil},
		{"NUL in path", fdRoot, 0, "f\x00x", 0, libcRDONLY, 0, eINVAL, nil},
		{"path too long", fdRoot, 0, strings.Repeat("a/", 2048), 0, libcRDONLY, 0, eNAMETOOLONG, nil},
		{"name too long", fdRoot, 0, strings.Repeat("a", 256), 0, libcRDONLY, 0, eNAMETOOLONG, nil},
		{"dirfd is a file", fdFile, 0, "x", 0, libcRDONLY, 0, eNOTDIR, nil},
		{"dirfd is a stream", fdStdout, 0, "x", 0, libcRDONLY, 0, eNOTDIR, nil},
		{"dirfd closed", fdClosed, 0, "f", 0, libcRDONLY, 0, eBADF, nil},
		{"unknown oflag", fdRoot, 0, "f", 1 << 4, libcRDONLY, 0, eINVAL, nil},
		{"unknown fdflag", fdRoot, 0, "f", 0, libcRDONLY, 1 << 5, eINVAL, nil},
		{"append", fdRoot, 0, "f", 0, libcWRONLY, fdflagAppend, eSUCCESS, func(t *testing.T, env *wasitest.Env, fd uint64) {
			if st := getFdstat(t, env, fd); st.flags != fdflagAppend {
				t.Errorf("flags = %#x", st.flags)
			}
			env.Put(t, buf, []byte("!"))
			env.PutIovecs(t, iovs, [2]uint32{buf, 1})
			expect(t, "fd_write", env.Call(t, "fd_write", fd, iovs, 1, result2), eSUCCESS)
			content("/f", fileBytes+"!")(t, env, fd)
		}},
		{"sync flags", fdRoot, 0, "f", 0, libcRDONLY, fdflagRsync, eSUCCESS, func(t *testing.T, env *wasitest.Env, fd uint64) {
			if st := getFdstat(t, env, fd); st.flags != fdflagSync {
				t.Errorf("flags = %#x, want SYNC", st.flags)
			}
		}},
		{"dsync flag", fdRoot, 0, "f", 0, libcRDONLY, fdflagDsync, eSUCCESS, func(t *testing.T, env *wasitest.Env, fd uint64) {
			if st := getFdstat(t, env, fd); st.flags != fdflagDsync {
				t.Errorf("flags = %#x, want DSYNC", st.flags)
			}
		}},
		{"nonblock flag", fdRoot, 0, "f", 0, libcRDONLY, fdflagNonblock, eSUCCESS, func(t *testing.T, env *wasitest.Env, fd uint64) {
			if st := getFdstat(t, env, fd); st.flags != fdflagNonblock {
				t.Errorf("flags = %#x, want NONBLOCK", st.flags)
			}
		}},
		{"dev stdout is fd 1", fdRoot, symlinkFollow, "dev/stdout", 0, libcWRONLY, 0, eSUCCESS, func(t *testing.T, env *wasitest.Env, fd uint64) {
			env.Put(t, buf, []byte("via /dev/stdout"))
			env.PutIovecs(t, iovs, [2]uint32{buf, 15})
			expect(t, "fd_write", env.Call(t, "fd_write", fd, iovs, 1, result2), eSUCCESS)
			if got := env.Stdout.String(); got != "via /dev/stdout" {
				t.Errorf("stdout = %q", got)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newEnv(t, wasitest.Options{})
			if e := env.Kernel.VFS.Symlink("nowhere", "/dangling"); e != 0 {
				t.Fatal(e)
			}
			before := env.Proc.FDs.Count()
			e, fd := pathOpen(t, env, tc.dirfd, tc.dirflags, tc.path, tc.oflags, tc.rights, tc.fdflags)
			expect(t, "path_open", e, tc.want)
			if e != eSUCCESS {
				if n := env.Proc.FDs.Count(); n != before {
					t.Errorf("failed path_open left %d descriptors, had %d", n, before)
				}
				return
			}
			if fd != fdClosed {
				t.Errorf("opened fd %d, want the lowest free (%d)", fd, fdClosed)
			}
			if tc.check != nil {
				tc.check(t, env, fd)
			}
		})
	}
}

// eMFILE is WASI's EMFILE.
const eMFILE = 33

// With no descriptor free below RLIMIT_NOFILE, path_open is EMFILE, as
// open(2) on Linux — also with the limit at 0 — and, as there, nothing is
// opened or created: the descriptor is found before the file is.
func TestPathOpenEMFILE(t *testing.T) {
	env := newEnv(t, wasitest.Options{})
	for _, limit := range []int32{0, int32(env.Proc.FDs.Count())} {
		if e := env.Proc.FDs.SetLimits(limit, 64); e != 0 {
			t.Fatal(e)
		}
		before := env.Proc.FDs.Count()
		for _, tc := range []struct {
			path   string
			oflags uint32
		}{{"f", 0}, {"new", oCreat}, {"missing", 0}, {"d", oDirectory}} {
			if e, _ := pathOpen(t, env, fdRoot, 0, tc.path, tc.oflags, libcRDWR, 0); e != eMFILE {
				t.Errorf("limit %d: path_open %q = %d, want EMFILE", limit, tc.path, e)
			}
		}
		exists("/new", false)(t, env)
		if n := env.Proc.FDs.Count(); n != before {
			t.Errorf("limit %d: failed path_open left %d descriptors, had %d", limit, n, before)
		}
	}
}
