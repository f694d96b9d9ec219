package wasi_test

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/syscalls/internal/wasitest"
)

// tcase is one call of a table test: a fresh newEnv, args builds the raw
// arguments (writing what they point to), want is the WASI errno, check
// looks at the results.
type tcase struct {
	name  string
	args  func(t *testing.T, env *wasitest.Env) []uint64
	want  uint32
	check func(t *testing.T, env *wasitest.Env)
}

// a returns fixed arguments.
func a(v ...uint64) func(*testing.T, *wasitest.Env) []uint64 {
	return func(*testing.T, *wasitest.Env) []uint64 { return v }
}

func run(t *testing.T, fn string, tests []tcase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := newEnv(t, wasitest.Options{})
			args := tc.args(t, env)
			expect(t, fn, env.Call(t, fn, args...), tc.want)
			if tc.check != nil {
				tc.check(t, env)
			}
		})
	}
}

// i64 passes a signed 64-bit argument.
func i64(v int64) uint64 { return uint64(v) }

func fileContent(want string) func(*testing.T, *wasitest.Env) {
	return func(t *testing.T, env *wasitest.Env) {
		t.Helper()
		if got := env.ReadFile(t, "/f"); got != want {
			t.Errorf("/f = %q, want %q", got, want)
		}
	}
}

func u32At(off, want uint32) func(*testing.T, *wasitest.Env) {
	return func(t *testing.T, env *wasitest.Env) {
		t.Helper()
		if got := env.U32(t, off); got != want {
			t.Errorf("u32 at %#x = %d, want %d", off, got, want)
		}
	}
}

func u64At(off uint32, want uint64) func(*testing.T, *wasitest.Env) {
	return func(t *testing.T, env *wasitest.Env) {
		t.Helper()
		if got := env.U64(t, off); got != want {
			t.Errorf("u64 at %#x = %d, want %d", off, got, want)
		}
	}
}

func both(fs ...func(*testing.T, *wasitest.Env)) func(*testing.T, *wasitest.Env) {
	return func(t *testing.T, env *wasitest.Env) {
		t.Helper()
		for _, f := range fs {
			f(t, env)
		}
	}
}

func TestFdAdvise(t *testing.T) {
	run(t, "fd_advise", []tcase{
		{"normal", a(fdFile, 0, 10, 0), eSUCCESS, nil},
		{"noreuse", a(fdFileRO, 5, 0, 5), eSUCCESS, nil},
		{"directory", a(fdDir, 0, 0, 1), eSUCCESS, nil},
		{"bad advice", a(fdFile, 0, 0, 6), eINVAL, nil},
		{"negative offset", a(fdFile, i64(-1), 0, 0), eINVAL, nil},
		{"negative len", a(fdFile, 0, i64(-1), 0), eINVAL, nil},
		{"stream", a(fdStdout, 0, 0, 0), eSPIPE, nil},
		{"closed", a(fdClosed, 0, 0, 0), eBADF, nil},
		{"negative fd", a(0xffffffff, 0, 0, 0), eBADF, nil},
	})
}

func TestFdAllocate(t *testing.T) {
	run(t, "fd_allocate", []tcase{
		{"grow", a(fdFile, 5, 20), eSUCCESS, fileContent(fileBytes + strings.Repeat("\x00", 14))},
		{"within", a(fdFile, 0, 5), eSUCCESS, fileContent(fileBytes)},
		{"write only", a(fdFileWO, 11, 1), eSUCCESS, fileContent(fileBytes + "\x00")},
		{"zero len", a(fdFile, 0, 0), eINVAL, nil},
		{"negative offset", a(fdFile, i64(-1), 1), eINVAL, nil},
		{"overflow", a(fdFile, 1<<62, 1<<62), eINVAL, nil},
		{"read only", a(fdFileRO, 0, 100), eBADF, fileContent(fileBytes)},
		{"device", a(fdNull, 0, 1), eNODEV, nil},
		{"closed", a(fdClosed, 0, 1), eBADF, nil},
	})
}

func TestFdClose(t *testing.T) {
	run(t, "fd_close", []tcase{
		{"file", a(fdFile), eSUCCESS, func(t *testing.T, env *wasitest.Env) {
			expect(t, "fd_close again", env.Call(t, "fd_close", fdFile), eBADF)
			expect(t, "fd_read closed", env.Call(t, "fd_read", fdFile, iovs, 0, result), eBADF)
		}},
		{"preopen", a(fdRoot), eSUCCESS, func(t *testing.T, env *wasitest.Env) {
			expect(t, "fd_prestat_get", env.Call(t, "fd_prestat_get", fdRoot, result), eBADF)
		}},
		{"stdin", a(fdStdin), eSUCCESS, func(t *testing.T, env *wasitest.Env) {
			if n := env.Stdin.Closes(); n != 1 {
				t.Errorf("stdin closed %d times", n)
			}
		}},
		{"closed", a(fdClosed), eBADF, nil},
		{"beyond table", a(1 << 20), eBADF, nil},
		{"negative", a(0xffffffff), eBADF, nil},
	})
}

func TestFdSyncAndDatasync(t *testing.T) {
	for _, fn := range []string{"fd_sync", "fd_datasync"} {
		t.Run(fn, func(t *testing.T) {
			run(t, fn, []tcase{
				{"file", a(fdFile), eSUCCESS, nil},
				{"read only", a(fdFileRO), eSUCCESS, nil},
				{"stream", a(fdStdout), eINVAL, nil},
				{"closed", a(fdClosed), eBADF, nil},
			})
		})
	}
}

// fdstat decodes a WASI fdstat at off.
type fdstat struct {
	filetype              uint8
	flags                 uint16
	rights, rightsInherit uint64
}

func getFdstat(t *testing.T, env *wasitest.Env, fd uint64) fdstat {
	t.Helper()
	expect(t, "fd_fdstat_get", env.Call(t, "fd_fdstat_get", fd, result), eSUCCESS)
	b := env.Get(t, result, 24)
	return fdstat{b[0], binary.LittleEndian.Uint16(b[2:]), binary.LittleEndian.Uint64(b[8:]), binary.LittleEndian.Uint64(b[16:])}
}

// WASI rights bits the tests look at.
const (
	rightFdRead     = 1 << 1
	rightFdSeek     = 1 << 2
	rightFdTell     = 1 << 5
	rightFdWrite    = 1 << 6
	rightFdReaddir  = 1 << 14
	rightSetSize    = 1 << 22
	rightsAll       = 1<<30 - 1
	fdflagAppend    = 1 << 0
	fdflagDsync     = 1 << 1
	fdflagNonblock  = 1 << 2
	fdflagRsync     = 1 << 3
	fdflagSync      = 1 << 4
	fdflagsAll      = 1<<5 - 1
	rightPathOpen   = 1 << 13
	rightFdAllocate = 1 << 8
)

func TestFdFdstatGet(t *testing.T) {
	env := newEnv(t, wasitest.Options{})
	tty := &wasitest.Stream{Tty: true}
	fdTTY := env.Install(t, vfs.NewFile(tty, vfs.Dentry{}, vfs.O_RDWR))
	fdAppend := env.Open(t, "/f", vfs.O_WRONLY|vfs.O_APPEND|vfs.O_NONBLOCK)
	fdSync := env.Open(t, "/f", vfs.O_RDONLY|vfs.O_SYNC)
	fdDsync := env.Open(t, "/f", vfs.O_RDONLY|vfs.O_DSYNC)
	for _, tc := range []struct {
		name string
		fd   uint64
		want fdstat
		none uint64 // rights that must be absent
		has  uint64 // rights that must be present
	}{
		{"rdwr file", fdFile, fdstat{filetype: ftRegularFile}, 0, rightFdRead | rightFdWrite | rightFdSeek | rightFdTell | rightSetSize},
		{"rdonly file", fdFileRO, fdstat{filetype: ftRegularFile}, rightFdWrite | rightSetSize | rightFdAllocate, rightFdRead | rightFdSeek},
		{"wronly file", fdFileWO, fdstat{filetype: ftRegularFile}, rightFdRead | rightFdReaddir, rightFdWrite},
		{"directory", fdDir, fdstat{filetype: ftDirectory}, rightFdWrite, rightFdReaddir | rightPathOpen},
		{"preopen", fdRoot, fdstat{filetype: ftDirectory}, rightFdWrite, rightFdReaddir | rightPathOpen},
		{"device", fdNull, fdstat{filetype: ftCharDevice}, rightFdRead, rightFdWrite},
		{"stream", fdStdout, fdstat{filetype: ftCharDevice}, rightFdRead, rightFdWrite | rightFdSeek | rightFdTell},
		{"terminal", uint64(fdTTY), fdstat{filetype: ftCharDevice}, rightFdSeek | rightFdTell, rightFdRead | rightFdWrite},
		{"append nonblock", uint64(fdAppend), fdstat{filetype: ftRegularFile, flags: fdflagAppend | fdflagNonblock}, rightFdRead, rightFdWrite},
		{"sync", uint64(fdSync), fdstat{filetype: ftRegularFile, flags: fdflagSync}, 0, 0},
		{"dsync", uint64(fdDsync), fdstat{filetype: ftRegularFile, flags: fdflagDsync}, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env.Put(t, result, bytes.Repeat([]byte{0xff}, 24))
			got := getFdstat(t, env, tc.fd)
			if got.filetype != tc.want.filetype || got.flags != tc.want.flags {
				t.Errorf("filetype, flags = %d, %#x, want %d, %#x", got.filetype, got.flags, tc.want.filetype, tc.want.flags)
			}
			if got.rights&tc.none != 0 || got.rights&tc.has != tc.has {
				t.Errorf("rights = %#x, want none of %#x and all of %#x", got.rights, tc.none, tc.has)
			}
			if got.rightsInherit != rightsAll {
				t.Errorf("inheriting rights = %#x", got.rightsInherit)
			}
			if b := env.Get(t, result, 8); b[1] != 0 || b[4] != 0 || b[7] != 0 {
				t.Errorf("padding not cleared: %v", b)
			}
		})
	}
	expect(t, "closed", env.Call(t, "fd_fdstat_get", 99, result), eBADF)
}

func TestFdFdstatSetFlags(t *testing.T) {
	flagsOf := func(fd uint64, want uint16) func(*testing.T, *wasitest.Env) {
		return func(t *testing.T, env *wasitest.Env) {
			if got := getFdstat(t, env, fd).flags; got != want {
				t.Errorf("flags = %#x, want %#x", got, want)
			}
		}
	}
	run(t, "fd_fdstat_set_flags", []tcase{
		{"append", a(fdFile, fdflagAppend), eSUCCESS, both(flagsOf(fdFile, fdflagAppend), func(t *testing.T, env *wasitest.Env) {
			// Appends go to the end whatever the offset.
			env.PutIovecs(t, iovs, [2]uint32{buf, 1})
			env.Put(t, buf, []byte("!"))
			expect(t, "fd_write", env.Call(t, "fd_write", fdFile, iovs, 1, result), eSUCCESS)
			fileContent(fileBytes+"!")(t, env)
		})},
		{"nonblock", a(fdFile, fdflagNonblock), eSUCCESS, flagsOf(fdFile, fdflagNonblock)},
		{"clear", a(fdFile, 0), eSUCCESS, flagsOf(fdFile, 0)},
		// The sync flags are accepted; every write is synchronous already.
		{"sync flags", a(fdFile, fdflagSync|fdflagDsync|fdflagRsync), eSUCCESS, flagsOf(fdFile, 0)},
		{"keeps access mode", a(fdFileRO, fdflagAppend), eSUCCESS, func(t *testing.T, env *wasitest.Env) {
			// Linux checks the access mode before the length.
			expect(t, "fd_write", env.Call(t, "fd_write", fdFileRO, iovs, 0, result), eBADF)
			env.PutIovecs(t, iovs, [2]uint32{buf, 1})
			expect(t, "fd_write", env.Call(t, "fd_write", fdFileRO, iovs, 1, result), eBADF)
		}},
		{"unknown bit", a(fdFile, fdflagsAll+1), eINVAL, flagsOf(fdFile, 0)},
		{"closed", a(fdClosed, 0), eBADF, nil},
	})
}

func TestFdFdstatSetRights(t *testing.T) {
	run(t, "fd_fdstat_set_rights", []tcase{
		{"same", a(fdFile, rightsAll, rightsAll), eSUCCESS, nil},
		{"shrink", a(fdFile, rightFdRead, 0), eSUCCESS, nil},
		{"grow write on read only", a(fdFileRO, rightFdRead|rightFdWrite, 0), eNOTCAPABLE, nil},
		{"grow seek on terminal", func(t *testing.T, env *wasitest.Env) []uint64 {
			fd := env.Install(t, vfs.NewFile(&wasitest.Stream{Tty: true}, vfs.Dentry{}, vfs.O_RDWR))
			return []uint64{uint64(fd), rightFdSeek, 0}
		}, eNOTCAPABLE, nil},
		{"unknown right", a(fdFile, 1<<40, 0), eNOTCAPABLE, nil},
		{"closed", a(fdClosed, 0, 0), eBADF, nil},
	})
}

// filestat decodes a WASI filestat.
type filestat struct {
	dev, ino         uint64
	filetype         uint8
	nlink, size      uint64
	atim, mtim, ctim uint64
}

func readFilestat(t *testing.T, env *wasitest.Env, off uint32) filestat {
	t.Helper()
	b := env.Get(t, off, 64)
	le := binary.LittleEndian
	if !bytes.Equal(b[17:24], make([]byte, 7)) {
		t.Errorf("filestat padding not cleared: %v", b[17:24])
	}
	return filestat{le.Uint64(b), le.Uint64(b[8:]), b[16], le.Uint64(b[24:]), le.Uint64(b[32:]),
		le.Uint64(b[40:]), le.Uint64(b[48:]), le.Uint64(b[56:])}
}

func TestFdFilestatGet(t *testing.T) {
	env := newEnv(t, wasitest.Options{})
	st, e := env.Kernel.VFS.Stat("/f", false)
	if e != 0 {
		t.Fatal(e)
	}
	for _, tc := range []struct {
		name     string
		fd       uint64
		filetype uint8
		size     uint64
	}{
		{"file", fdFile, ftRegularFile, fileSize},
		{"read only", fdFileRO, ftRegularFile, fileSize},
		{"directory", fdDir, ftDirectory, 0},
		{"device", fdNull, ftCharDevice, 0},
		{"stream", fdStdout, ftCharDevice, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env.Put(t, result, bytes.Repeat([]byte{0xff}, 64))
			expect(t, "fd_filestat_get", env.Call(t, "fd_filestat_get", tc.fd, result), eSUCCESS)
			got := readFilestat(t, env, result)
			if got.filetype != tc.filetype || (tc.filetype != ftDirectory && got.size != tc.size) {
				t.Errorf("filetype, size = %d, %d, want %d, %d", got.filetype, got.size, tc.filetype, tc.size)
			}
			if tc.fd == fdFile {
				want := filestat{st.Dev, st.Ino, ftRegularFile, st.Nlink, uint64(st.Size), uint64(st.Atime), uint64(st.Mtime), uint64(st.Ctime)}
				if got != want {
					t.Errorf("filestat = %+v, want %+v", got, want)
				}
			}
		})
	}
	expect(t, "closed", env.Call(t, "fd_filestat_get", fdClosed, result), eBADF)
}

func TestFdFilestatSetSize(t *testing.T) {
	run(t, "fd_filestat_set_size", []tcase{
		{"shrink", a(fdFile, 5), eSUCCESS, fileContent("hello")},
		{"grow", a(fdFile, 13), eSUCCESS, fileContent(fileBytes + "\x00\x00")},
		{"zero", a(fdFileWO, 0), eSUCCESS, fileContent("")},
		{"negative", a(fdFile, i64(-1)), eINVAL, fileContent(fileBytes)},
		{"read only", a(fdFileRO, 0), eINVAL, fileContent(fileBytes)},
		{"directory", a(fdDir, 0), eISDIR, nil},
		{"device", a(fdNull, 0), eINVAL, nil},
		{"closed", a(fdClosed, 0), eBADF, nil},
	})
}

// WASI fstflags.
const (
	fstAtim    = 1 << 0
	fstAtimNow = 1 << 1
	fstMtim    = 1 << 2
	fstMtimNow = 1 << 3
)

func timesOf(path string, atim, mtim uint64) func(*testing.T, *wasitest.Env) {
	return func(t *testing.T, env *wasitest.Env) {
		t.Helper()
		st, e := env.Kernel.VFS.Stat(path, false)
		if e != 0 {
			t.Fatal(e)
		}
		if atim != 0 && uint64(st.Atime) != atim {
			t.Errorf("atime = %d, want %d", st.Atime, atim)
		}
		if mtim != 0 && uint64(st.Mtime) != mtim {
			t.Errorf("mtime = %d, want %d", st.Mtime, mtim)
		}
	}
}

func TestFdFilestatSetTimes(t *testing.T) {
	const at, mt = 1_000_000_007, 2_000_000_011
	run(t, "fd_filestat_set_times", []tcase{
		{"both", a(fdFile, at, mt, fstAtim|fstMtim), eSUCCESS, timesOf("/f", at, mt)},
		{"atime only", a(fdFileRO, at, 0, fstAtim), eSUCCESS, timesOf("/f", at, 0)},
		{"mtime only", a(fdFile, 0, mt, fstMtim), eSUCCESS, timesOf("/f", 0, mt)},
		{"now", a(fdFile, 0, 0, fstAtimNow|fstMtimNow), eSUCCESS, func(t *testing.T, env *wasitest.Env) {
			st, _ := env.Kernel.VFS.Stat("/f", false)
			if st.Mtime < 1e18 {
				t.Errorf("mtime = %d, not now", st.Mtime)
			}
		}},
		{"nothing", a(fdFile, at, mt, 0), eSUCCESS, nil},
		{"directory", a(fdDir, at, mt, fstAtim|fstMtim), eSUCCESS, timesOf("/d", at, mt)},
		{"atime and now", a(fdFile, at, 0, fstAtim|fstAtimNow), eINVAL, nil},
		{"mtime and now", a(fdFile, 0, mt, fstMtim|fstMtimNow), eINVAL, nil},
		{"unknown flag", a(fdFile, 0, 0, 1<<4), eINVAL, nil},
		{"device", a(fdNull, at, mt, fstAtim), eROFS, nil},
		{"closed", a(fdClosed, 0, 0, 0), eBADF, nil},
	})
}

// rwCase writes data at buf and builds iovecs over it.
func iov(t *testing.T, env *wasitest.Env, data string, lens ...uint32) {
	t.Helper()
	env.Put(t, buf, []byte(data))
	var v [][2]uint32
	off := uint32(buf)
	for _, l := range lens {
		v = append(v, [2]uint32{off, l})
		off += l
	}
	env.PutIovecs(t, iovs, v...)
}

func readBack(want string) func(*testing.T, *wasitest.Env) {
	return func(t *testing.T, env *wasitest.Env) {
		t.Helper()
		if got := string(env.Get(t, buf, uint32(len(want)))); got != want {
			t.Errorf("read %q, want %q", got, want)
		}
		if n := env.U32(t, result); n != uint32(len(want)) {
			t.Errorf("nread = %d, want %d", n, len(want))
		}
	}
}

func TestFdRead(t *testing.T) {
	run(t, "fd_read", []tcase{
		{"all", func(t *testing.T, env *wasitest.Env) []uint64 {
			iov(t, env, "", 32)
			return []uint64{fdFile, iovs, 1, result}
		}, eSUCCESS, readBack(fileBytes)},
		{"scatter", func(t *testing.T, env *wasitest.Env) []uint64 {
			iov(t, env, "", 5, 0, 3, 100)
			return []uint64{fdFileRO, iovs, 4, result}
		}, eSUCCESS, readBack(fileBytes)},
		{"advances offset", func(t *testing.T, env *wasitest.Env) []uint64 {
			iov(t, env, "", 6)
			expect(t, "first read", env.Call(t, "fd_read", fdFile, iovs, 1, result), eSUCCESS)
			return []uint64{fdFile, iovs, 1, result}
		}, eSUCCESS, readBack("world")},
		{"eof", func(t *testing.T, env *wasitest.Env) []uint64 {
			iov(t, env, "", 100)
			expect(t, "first read", env.Call(t, "fd_read", fdFile, iovs, 1, result), eSUCCESS)
			return []uint64{fdFile, iovs, 1, result}
		}, eSUCCESS, u32At(result, 0)},
		{"no iovecs", a(fdFile, iovs, 0, result), eSUCCESS, u32At(result, 0)},
		{"stdin", func(t *testing.T, env *wasitest.Env) []uint64 {
			env.Stdin.Write([]byte("typed"))
			iov(t, env, "", 100)
			return []uint64{fdStdin, iovs, 1, result}
		}, eSUCCESS, readBack("typed")},
		{"empty stream, O_NONBLOCK", func(t *testing.T, env *wasitest.Env) []uint64 {
			iov(t, env, "", 100)
			fd := env.Install(t, vfs.NewFile(&wasitest.Stream{}, vfs.Dentry{}, vfs.O_RDONLY|vfs.O_NONBLOCK))
			return []uint64{uint64(fd), iovs, 1, result}
		}, 6 /* EAGAIN */, nil},
		{"stdout", func(t *testing.T, env *wasitest.Env) []uint64 {
			iov(t, env, "", 100)
			return []uint64{fdStdout, iovs, 1, result}
		}, eBADF, nil},
		{"write only", func(t *testing.T, env *wasitest.Env) []uint64 {
			iov(t, env, "", 10)
			return []uint64{fdFileWO, iovs, 1, result}
		}, eBADF, nil},
		{"directory", func(t *testing.T, env *wasitest.Env) []uint64 {
			iov(t, env, "", 10)
			return []uint64{fdDir, iovs, 1, result}
		}, eISDIR, nil},
		{"too many iovecs", a(fdFile, iovs, 1025, result), eINVAL, nil},
		{"closed", a(fdClosed, iovs, 0, result), eBADF, nil},
	})
}

func TestFdWrite(t *testing.T) {
	run(t, "fd_write", []tcase{
		{"overwrite", func(t *testing.T, env *wasitest.Env) []uint64 {
			iov(t, env, "HELLO", 5)
			return []uint64{fdFile, iovs, 1, result}
		}, eSUCCESS, both(u32At(result, 5), fileContent("HELLO world"))},
		{"gather", func(t *testing.T, env *wasitest.Env) []uint64 {
			iov(t, env, "HeLLo_WoRLD!", 2, 0, 3, 7)
			return []uint64{fdFileWO, iovs, 4, result}
		}, eSUCCESS, both(u32At(result, 12), fileContent("HeLLo_WoRLD!"))},
		{"stdout", func(t *testing.T, env *wasitest.Env) []uint64 {
			iov(t, env, "out\n", 4)
			return []uint64{fdStdout, iovs, 1, result}
		}, eSUCCESS, func(t *testing.T, env *wasitest.Env) {
			if got := env.Stdout.String(); got != "out\n" {
				t.Errorf("stdout = %q", got)
			}
		}},
		{"full device", func(t *testing.T, env *wasitest.Env) []uint64 {
			iov(t, env, "x", 1)
			fd := env.Open(t, "/dev/full", vfs.O_WRONLY)
			return []uint64{uint64(fd), iovs, 1, result}
		}, 51 /* ENOSPC */, nil},
		{"read only", func(t *testing.T, env *wasitest.Env) []uint64 {
			iov(t, env, "x", 1)
			return []uint64{fdFileRO, iovs, 1, result}
		}, eBADF, fileContent(fileBytes)},
		{"stdin", func(t *testing.T, env *wasitest.Env) []uint64 {
			iov(t, env, "x", 1)
			return []uint64{fdStdin, iovs, 1, result}
		}, eBADF, nil},
		{"too many iovecs", a(fdFile, iovs, 1025, result), eINVAL, nil},
		{"closed", a(fdClosed, iovs, 0, result), eBADF, nil},
	})
}

func TestFdPread(t *testing.T) {
	run(t, "fd_pread", []tcase{
		{"at offset", func(t *testing.T, env *wasitest.Env) []uint64 {
			iov(t, env, "", 3, 100)
			return []uint64{fdFile, iovs, 2, 6, result}
		}, eSUCCESS, both(readBack("world"), func(t *testing.T, env *wasitest.Env) {
			// The offset did not move.
			expect(t, "fd_tell", env.Call(t, "fd_tell", fdFile, result2), eSUCCESS)
			u64At(result2, 0)(t, env)
		})},
		{"past end", func(t *testing.T, env *wasitest.Env) []uint64 {
			iov(t, env, "", 3)
			return []uint64{fdFile, iovs, 1, 100, result}
		}, eSUCCESS, u32At(result, 0)},
		{"negative offset", func(t *testing.T, env *wasitest.Env) []uint64 {
			iov(t, env, "", 3)
			return []uint64{fdFile, iovs, 1, i64(-1), result}
		}, eINVAL, nil},
		{"stream", func(t *testing.T, env *wasitest.Env) []uint64 {
			iov(t, env, "", 3)
			return []uint64{fdStdin, iovs, 1, 0, result}
		}, eSPIPE, nil},
		{"directory", func(t *testing.T, env *wasitest.Env) []uint64 {
			iov(t, env, "", 3)
			return []uint64{fdDir, iovs, 1, 0, result}
		}, eISDIR, nil},
		{"write only", func(t *testing.T, env *wasitest.Env) []uint64 {
			iov(t, env, "", 3)
			return []uint64{fdFileWO, iovs, 1, 0, result}
		}, eBADF, nil},
		{"too many iovecs", a(fdFile, iovs, 1025, 0, result), eINVAL, nil},
		{"closed", a(fdClosed, iovs, 0, 0, result), eBADF, nil},
	})
}

func TestFdPwrite(t *testing.T) {
	run(t, "fd_pwrite", []tcase{
		{"at offset", func(t *testing.T, env *wasitest.Env) []uint64 {
			iov(t, env, "WORLD", 2, 3)
			return []uint64{fdFile, iovs, 2, 6, result}
		}, eSUCCESS, both(u32At(result, 5), fileContent("hello WORLD"), func(t *testing.T, env *wasitest.Env) {
			expect(t, "fd_tell", env.Call(t, "fd_tell", fdFile, result2), eSUCCESS)
			u64At(result2, 0)(t, env)
		})},
		{"past end", func(t *testing.T, env *wasitest.Env) []uint64 {
			iov(t, env, "!", 1)
			return []uint64{fdFileWO, iovs, 1, 13, result}
		}, eSUCCESS, fileContent(fileBytes + "\x00\x00!")},
		{"negative offset", func(t *testing.T, env *wasitest.Env) []uint64 {
			iov(t, env, "!", 1)
			return []uint64{fdFile, iovs, 1, i64(-1), result}
		}, eINVAL, fileContent(fileBytes)},
		{"stream", func(t *testing.T, env *wasitest.Env) []uint64 {
			iov(t, env, "!", 1)
			return []uint64{fdStdout, iovs, 1, 0, result}
		}, eSPIPE, nil},
		{"read only", func(t *testing.T, env *wasitest.Env) []uint64 {
			iov(t, env, "!", 1)
			return []uint64{fdFileRO, iovs, 1, 0, result}
		}, eBADF, fileContent(fileBytes)},
		{"too many iovecs", a(fdFile, iovs, 1025, 0, result), eINVAL, nil},
		{"closed", a(fdClosed, iovs, 0, 0, result), eBADF, nil},
	})
}

func TestFdPrestat(t *testing.T) {
	env := newEnv(t, wasitest.Options{})
	env.Put(t, result, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	expect(t, "fd_prestat_get(3)", env.Call(t, "fd_prestat_get", fdRoot, result), eSUCCESS)
	if got := env.Get(t, result, 8); !bytes.Equal(got, []byte{0, 0, 0, 0, 1, 0, 0, 0}) {
		t.Errorf("prestat = %v, want tag 0 (dir), name length 1", got)
	}
	for _, fd := range []uint64{fdStdin, fdFile, fdDir, fdClosed, 0xffffffff} {
		expect(t, "fd_prestat_get", env.Call(t, "fd_prestat_get", fd, result), eBADF)
		expect(t, "fd_prestat_dir_name", env.Call(t, "fd_prestat_dir_name", fd, buf, 10), eBADF)
	}

	env.Put(t, buf, []byte("xyz"))
	expect(t, "fd_prestat_dir_name", env.Call(t, "fd_prestat_dir_name", fdRoot, buf, 1), eSUCCESS)
	if got := string(env.Get(t, buf, 3)); got != "/yz" {
		t.Errorf("dir name = %q, want %q (not NUL-terminated)", got, "/yz")
	}
	expect(t, "fd_prestat_dir_name big buffer", env.Call(t, "fd_prestat_dir_name", fdRoot, buf, 100), eSUCCESS)
	expect(t, "fd_prestat_dir_name short", env.Call(t, "fd_prestat_dir_name", fdRoot, buf, 0), eNAMETOOLONG)

	// A renumbered preopen stays a preopen.
	expect(t, "fd_renumber", env.Call(t, "fd_renumber", fdRoot, fdFile), eSUCCESS)
	expect(t, "fd_prestat_get(4)", env.Call(t, "fd_prestat_get", fdFile, result), eSUCCESS)
	expect(t, "fd_prestat_get(3)", env.Call(t, "fd_prestat_get", fdRoot, result), eBADF)
}

func TestFdRenumber(t *testing.T) {
	run(t, "fd_renumber", []tcase{
		{"over open", a(fdFileRO, fdFile), eSUCCESS, func(t *testing.T, env *wasitest.Env) {
			expect(t, "old fd", env.Call(t, "fd_close", fdFileRO), eBADF)
			// fdFile is now the read-only description.
			env.PutIovecs(t, iovs, [2]uint32{buf, 1})
			expect(t, "fd_write", env.Call(t, "fd_write", fdFile, iovs, 1, result), eBADF)
		}},
		{"stdout", func(t *testing.T, env *wasitest.Env) []uint64 {
			iov(t, env, "x", 1)
			return []uint64{fdFile, fdStdout}
		}, eSUCCESS, func(t *testing.T, env *wasitest.Env) {
			expect(t, "fd_write", env.Call(t, "fd_write", fdStdout, iovs, 1, result), eSUCCESS)
			fileContent("xello world")(t, env)
			if env.Stdout.Closes() != 1 {
				t.Error("replaced stdout was not closed")
			}
		}},
		{"same", a(fdFile, fdFile), eSUCCESS, func(t *testing.T, env *wasitest.Env) {
			expect(t, "fd_close", env.Call(t, "fd_close", fdFile), eSUCCESS)
		}},
		{"to closed", a(fdFile, fdClosed), eBADF, func(t *testing.T, env *wasitest.Env) {
			expect(t, "fd_close", env.Call(t, "fd_close", fdFile), eSUCCESS)
		}},
		{"from closed", a(fdClosed, fdFile), eBADF, nil},
		{"negative", a(0xffffffff, fdFile), eBADF, nil},
	})
}

func TestFdSeekTell(t *testing.T) {
	const whenceSet, whenceCur, whenceEnd = 0, 1, 2
	run(t, "fd_seek", []tcase{
		{"set", a(fdFile, 6, whenceSet, result), eSUCCESS, both(u64At(result, 6), func(t *testing.T, env *wasitest.Env) {
			iov(t, env, "", 100)
			expect(t, "fd_read", env.Call(t, "fd_read", fdFile, iovs, 1, result), eSUCCESS)
			readBack("world")(t, env)
		})},
		{"cur", func(t *testing.T, env *wasitest.Env) []uint64 {
			expect(t, "fd_seek", env.Call(t, "fd_seek", fdFile, 4, whenceSet, result), eSUCCESS)
			return []uint64{fdFile, i64(-2), whenceCur, result}
		}, eSUCCESS, both(u64At(result, 2), func(t *testing.T, env *wasitest.Env) {
			expect(t, "fd_tell", env.Call(t, "fd_tell", fdFile, result2), eSUCCESS)
			u64At(result2, 2)(t, env)
		})},
		{"end", a(fdFileRO, i64(-5), whenceEnd, result), eSUCCESS, u64At(result, 6)},
		{"past end", a(fdFile, 100, whenceSet, result), eSUCCESS, u64At(result, 100)},
		{"directory", a(fdDir, 0, whenceSet, result), eSUCCESS, u64At(result, 0)},
		{"negative result", a(fdFile, i64(-1), whenceSet, result), eINVAL, nil},
		{"overflow", func(t *testing.T, env *wasitest.Env) []uint64 {
			expect(t, "fd_seek", env.Call(t, "fd_seek", fdFile, 10, whenceSet, result), eSUCCESS)
			return []uint64{fdFile, 1<<63 - 1, whenceCur, result}
		}, eINVAL, nil},
		{"bad whence", a(fdFile, 0, 3, result), eINVAL, nil},
		{"stream", a(fdStdout, 0, whenceCur, result), eSPIPE, nil},
		{"closed", a(fdClosed, 0, whenceSet, result), eBADF, nil},
	})
	run(t, "fd_tell", []tcase{
		{"start", a(fdFile, result), eSUCCESS, u64At(result, 0)},
		{"after read", func(t *testing.T, env *wasitest.Env) []uint64 {
			iov(t, env, "", 3)
			expect(t, "fd_read", env.Call(t, "fd_read", fdFile, iovs, 1, result), eSUCCESS)
			return []uint64{fdFile, result}
		}, eSUCCESS, u64At(result, 3)},
		{"stream", a(fdStdout, result), eSPIPE, nil},
		{"terminal", func(t *testing.T, env *wasitest.Env) []uint64 {
			fd := env.Install(t, vfs.NewFile(&wasitest.Stream{Tty: true}, vfs.Dentry{}, vfs.O_RDWR))
			return []uint64{uint64(fd), result}
		}, eSPIPE, nil},
		{"closed", a(fdClosed, result), eBADF, nil},
	})
}

// Zero-length reads and writes still check the descriptor (Linux returns
// EBADF for the wrong access mode and EISDIR for a directory).
func TestZeroLengthIOChecksDescriptor(t *testing.T) {
	env := newEnv(t, wasitest.Options{})
	ro := env.Open(t, "/ro/file", vfs.O_RDONLY)
	env.PutIovecs(t, 0, [2]uint32{64, 0})
	if got := env.Call(t, "fd_write", uint64(ro), 0, 1, 32); got != eBADF {
		t.Fatalf("zero-length fd_write on a read-only fd: errno %d, want EBADF", got)
	}
	if got := env.Call(t, "fd_read", 3, 0, 1, 32); got != eISDIR {
		t.Fatalf("zero-length fd_read on a directory: errno %d, want EISDIR", got)
	}
	if got := env.Call(t, "fd_read", uint64(ro), 0, 1, 32); got != 0 {
		t.Fatalf("zero-length fd_read on a readable file: errno %d", got)
	}
}
