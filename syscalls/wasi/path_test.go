package wasi_test

import (
	"strings"
	"testing"

	"github.com/occlumgo/occlum/syscalls/internal/wasitest"
)

// at returns the arguments (fd, path, path_len) followed by rest.
func at(fd uint64, path string, rest ...uint64) func(*testing.T, *wasitest.Env) []uint64 {
	return func(t *testing.T, env *wasitest.Env) []uint64 {
		p, n := str(t, env, pathA, path)
		return append([]uint64{fd, p, n}, rest...)
	}
}

// two returns (fd, old, old_len, new_fd, new, new_len) for path_rename.
func two(fd uint64, oldPath string, newFd uint64, newPath string) func(*testing.T, *wasitest.Env) []uint64 {
	return func(t *testing.T, env *wasitest.Env) []uint64 {
		op, on := str(t, env, pathA, oldPath)
		np, nn := str(t, env, pathB, newPath)
		return []uint64{fd, op, on, newFd, np, nn}
	}
}

func exists(path string, want bool) func(*testing.T, *wasitest.Env) {
	return func(t *testing.T, env *wasitest.Env) {
		t.Helper()
		if got := env.Exists(path); got != want {
			t.Errorf("%s exists = %v, want %v", path, got, want)
		}
	}
}

func contentOf(path, want string) func(*testing.T, *wasitest.Env) {
	return func(t *testing.T, env *wasitest.Env) {
		t.Helper()
		if got := env.ReadFile(t, path); got != want {
			t.Errorf("%s = %q, want %q", path, got, want)
		}
	}
}

func TestPathCreateDirectory(t *testing.T) {
	run(t, "path_create_directory", []tcase{
		{"new", at(fdRoot, "nd"), eSUCCESS, func(t *testing.T, env *wasitest.Env) {
			st, e := env.Kernel.VFS.Stat("/nd", false)
			if e != 0 || st.Perm() != 0o755 {
				t.Errorf("stat = %+v, %v; want mode 0755 (umask 022)", st, e)
			}
		}},
		{"relative to dir fd", at(fdDir, "sub/x"), eSUCCESS, exists("/d/sub/x", true)},
		{"trailing slash", at(fdRoot, "nd/"), eSUCCESS, exists("/nd", true)},
		{"exists", at(fdRoot, "d"), eEXIST, nil},
		{"exists as file", at(fdRoot, "f"), eEXIST, nil},
		{"exists as symlink", at(fdRoot, "loop1"), eEXIST, nil},
		{"dot", at(fdRoot, "."), eEXIST, nil},
		{"missing parent", at(fdRoot, "no/x"), eNOENT, nil},
		{"parent is a file", at(fdRoot, "f/x"), eNOTDIR, nil},
		{"read-only mount", at(fdRoot, "ro/x"), eROFS, nil},
		{"empty", at(fdRoot, ""), eNOENT, nil},
		{"name too long", at(fdRoot, strings.Repeat("n", 256)), eNAMETOOLONG, nil},
		{"dirfd is a file", at(fdFile, "x"), eNOTDIR, nil},
		{"dirfd closed", at(fdClosed, "x"), eBADF, nil},
	})
}

func TestPathFilestatGet(t *testing.T) {
	filetype := func(want uint8, size uint64) func(*testing.T, *wasitest.Env) {
		return func(t *testing.T, env *wasitest.Env) {
			st := readFilestat(t, env, result)
			if st.filetype != want || (size != 0 && st.size != size) {
				t.Errorf("filetype, size = %d, %d, want %d, %d", st.filetype, st.size, want, size)
			}
		}
	}
	// path_filestat_get puts flags before the path: (fd, flags, path, len, buf).
	get := func(fd uint64, flags uint64, path string) func(*testing.T, *wasitest.Env) []uint64 {
		return func(t *testing.T, env *wasitest.Env) []uint64 {
			p, n := str(t, env, pathA, path)
			return []uint64{fd, flags, p, n, result}
		}
	}
	run(t, "path_filestat_get", []tcase{
		{"file", get(fdRoot, 0, "f"), eSUCCESS, filetype(ftRegularFile, fileSize)},
		{"dir", get(fdRoot, 0, "d"), eSUCCESS, filetype(ftDirectory, 0)},
		{"device", get(fdRoot, 0, "dev/null"), eSUCCESS, filetype(ftCharDevice, 0)},
		{"relative", get(fdDir, 0, "a"), eSUCCESS, filetype(ftRegularFile, 1)},
		{"symlink nofollow", get(fdRoot, 0, "l"), eSUCCESS, filetype(ftSymlink, 1)},
		{"symlink follow", get(fdRoot, symlinkFollow, "l"), eSUCCESS, filetype(ftRegularFile, fileSize)},
		{"same as fd_filestat_get", get(fdRoot, 0, "f"), eSUCCESS, func(t *testing.T, env *wasitest.Env) {
			expect(t, "fd_filestat_get", env.Call(t, "fd_filestat_get", fdFile, result2), eSUCCESS)
			if a, b := readFilestat(t, env, result), readFilestat(t, env, result2); a != b {
				t.Errorf("path %+v != fd %+v", a, b)
			}
		}},
		{"loop follow", get(fdRoot, symlinkFollow, "loop1"), eLOOP, nil},
		{"loop nofollow", get(fdRoot, 0, "loop1"), eSUCCESS, filetype(ftSymlink, 0)},
		{"missing", get(fdRoot, 0, "nope"), eNOENT, nil},
		{"through file", get(fdRoot, 0, "f/x"), eNOTDIR, nil},
		{"empty", get(fdRoot, 0, ""), eNOENT, nil},
		{"dirfd is a file", get(fdFile, 0, "x"), eNOTDIR, nil},
		{"dirfd closed", get(fdClosed, 0, "f"), eBADF, nil},
	})
}

func TestPathFilestatSetTimes(t *testing.T) {
	const at1, mt1 = 3_000_000_001, 4_000_000_003
	set := func(fd, flags uint64, path string, fst uint64) func(*testing.T, *wasitest.Env) []uint64 {
		return func(t *testing.T, env *wasitest.Env) []uint64 {
			p, n := str(t, env, pathA, path)
			return []uint64{fd, flags, p, n, at1, mt1, fst}
		}
	}
	run(t, "path_filestat_set_times", []tcase{
		{"file", set(fdRoot, 0, "f", fstAtim|fstMtim), eSUCCESS, timesOf("/f", at1, mt1)},
		{"relative", set(fdDir, 0, "a", fstMtim), eSUCCESS, timesOf("/d/a", 0, mt1)},
		{"follow symlink", set(fdRoot, symlinkFollow, "l", fstAtim|fstMtim), eSUCCESS, timesOf("/f", at1, mt1)},
		{"symlink itself", set(fdRoot, 0, "l", fstAtim|fstMtim), eSUCCESS, both(timesOf("/l", at1, mt1), func(t *testing.T, env *wasitest.Env) {
			st, _ := env.Kernel.VFS.Stat("/f", false)
			if st.Mtime == mt1 {
				t.Error("the target's times changed")
			}
		})},
		{"now", set(fdRoot, 0, "f", fstAtimNow|fstMtimNow), eSUCCESS, nil},
		{"nothing", set(fdRoot, 0, "f", 0), eSUCCESS, nil},
		{"nothing on missing", set(fdRoot, 0, "nope", 0), eNOENT, nil},
		{"atime twice", set(fdRoot, 0, "f", fstAtim|fstAtimNow), eINVAL, nil},
		{"mtime twice", set(fdRoot, 0, "f", fstMtim|fstMtimNow), eINVAL, nil},
		{"unknown flag", set(fdRoot, 0, "f", 1<<4), eINVAL, nil},
		{"missing", set(fdRoot, 0, "nope", fstMtim), eNOENT, nil},
		{"loop", set(fdRoot, symlinkFollow, "loop1", fstMtim), eLOOP, nil},
		{"read-only mount", set(fdRoot, 0, "ro/file", fstMtim), eROFS, nil},
		{"dirfd is a file", set(fdFile, 0, "x", fstMtim), eNOTDIR, nil},
		{"dirfd closed", set(fdClosed, 0, "f", fstMtim), eBADF, nil},
	})
}

func TestPathLink(t *testing.T) {
	link := func(oldFd, flags uint64, oldPath string, newFd uint64, newPath string) func(*testing.T, *wasitest.Env) []uint64 {
		return func(t *testing.T, env *wasitest.Env) []uint64 {
			op, on := str(t, env, pathA, oldPath)
			np, nn := str(t, env, pathB, newPath)
			return []uint64{oldFd, flags, op, on, newFd, np, nn}
		}
	}
	nlink := func(path string, want int) func(*testing.T, *wasitest.Env) {
		return func(t *testing.T, env *wasitest.Env) {
			st, e := env.Kernel.VFS.Stat(path, false)
			if e != 0 || st.Nlink != uint64(want) {
				t.Errorf("nlink of %s = %d, %v, want %d", path, st.Nlink, e, want)
			}
		}
	}
	run(t, "path_link", []tcase{
		{"file", link(fdRoot, 0, "f", fdRoot, "g"), eSUCCESS, both(contentOf("/g", fileBytes), nlink("/f", 2))},
		{"across dir fds", link(fdDir, 0, "a", fdRoot, "g"), eSUCCESS, contentOf("/g", "A")},
		{"symlink itself", link(fdRoot, 0, "l", fdRoot, "g"), eSUCCESS, func(t *testing.T, env *wasitest.Env) {
			st, _ := env.Kernel.VFS.Stat("/g", false)
			if st.Type() != 10 {
				t.Errorf("/g type %v, want symlink", st.Type())
			}
		}},
		{"follow symlink", link(fdRoot, symlinkFollow, "l", fdRoot, "g"), eSUCCESS, nlink("/f", 2)},
		{"directory", link(fdRoot, 0, "d", fdRoot, "g"), ePERM, exists("/g", false)},
		{"exists", link(fdRoot, 0, "f", fdDir, "a"), eEXIST, contentOf("/d/a", "A")},
		{"missing", link(fdRoot, 0, "nope", fdRoot, "g"), eNOENT, nil},
		{"missing target dir", link(fdRoot, 0, "f", fdRoot, "no/g"), eNOENT, nil},
		{"across mounts", link(fdRoot, 0, "f", fdRoot, "ro/g"), 75 /* EXDEV */, nil},
		{"old dirfd closed", link(fdClosed, 0, "f", fdRoot, "g"), eBADF, nil},
		{"new dirfd closed", link(fdRoot, 0, "f", fdClosed, "g"), eBADF, exists("/g", false)},
		{"new dirfd is a file", link(fdRoot, 0, "f", fdFile, "g"), eNOTDIR, nil},
		{"empty new", link(fdRoot, 0, "f", fdRoot, ""), eNOENT, nil},
	})
}

func TestPathReadlink(t *testing.T) {
	rl := func(fd uint64, path string, bufLen uint64) func(*testing.T, *wasitest.Env) []uint64 {
		return func(t *testing.T, env *wasitest.Env) []uint64 {
			p, n := str(t, env, pathA, path)
			env.Put(t, buf, []byte("########"))
			return []uint64{fd, p, n, buf, bufLen, result}
		}
	}
	got := func(want string) func(*testing.T, *wasitest.Env) {
		return func(t *testing.T, env *wasitest.Env) {
			n := env.U32(t, result)
			if s := string(env.Get(t, buf, 8)); n != uint32(len(want)) || s[:n] != want || strings.Trim(s[n:], "#") != "" {
				t.Errorf("readlink = %q (bufused %d), want %q", s, n, want)
			}
		}
	}
	run(t, "path_readlink", []tcase{
		{"link", rl(fdRoot, "loop1", 100), eSUCCESS, got("loop2")},
		{"relative dirfd", rl(fdRoot, "dl", 100), eSUCCESS, got("d")},
		{"truncated", rl(fdRoot, "loop1", 3), eSUCCESS, got("loo")},
		{"zero buffer", rl(fdRoot, "loop1", 0), eSUCCESS, got("")},
		{"devfs link", rl(fdRoot, "dev/stdout", 100), eSUCCESS, got("fd/1")},
		{"through symlinked dir", rl(fdRoot, "dl/../l", 100), eSUCCESS, got("f")},
		{"not a link", rl(fdRoot, "f", 100), eINVAL, nil},
		{"dir", rl(fdRoot, "d", 100), eINVAL, nil},
		{"missing", rl(fdRoot, "nope", 100), eNOENT, nil},
		{"empty", rl(fdRoot, "", 100), eNOENT, nil},
		{"dirfd is a file", rl(fdFile, "l", 100), eNOTDIR, nil},
		{"dirfd closed", rl(fdClosed, "l", 100), eBADF, nil},
	})
}

func TestPathRemoveDirectory(t *testing.T) {
	run(t, "path_remove_directory", []tcase{
		{"empty dir", at(fdRoot, "empty"), eSUCCESS, exists("/empty", false)},
		{"relative", at(fdDir, "sub"), eSUCCESS, exists("/d/sub", false)},
		{"trailing slash", at(fdRoot, "empty/"), eSUCCESS, exists("/empty", false)},
		{"not empty", at(fdRoot, "d"), eNOTEMPTY, exists("/d/a", true)},
		{"file", at(fdRoot, "f"), eNOTDIR, exists("/f", true)},
		{"symlink to dir", at(fdRoot, "dl"), eNOTDIR, exists("/d", true)},
		{"missing", at(fdRoot, "nope"), eNOENT, nil},
		{"dot", at(fdRoot, "empty/."), eINVAL, nil},
		{"mount point", at(fdRoot, "ro"), eBUSY, nil},
		{"empty path", at(fdRoot, ""), eNOENT, nil},
		{"dirfd is a file", at(fdFile, "x"), eNOTDIR, nil},
		{"dirfd closed", at(fdClosed, "empty"), eBADF, exists("/empty", true)},
	})
}

func TestPathRename(t *testing.T) {
	run(t, "path_rename", []tcase{
		{"file", two(fdRoot, "f", fdRoot, "g"), eSUCCESS, both(exists("/f", false), contentOf("/g", fileBytes))},
		{"between dir fds", two(fdDir, "a", fdRoot, "a2"), eSUCCESS, both(exists("/d/a", false), contentOf("/a2", "A"))},
		{"replace file", two(fdRoot, "f", fdDir, "a"), eSUCCESS, contentOf("/d/a", fileBytes)},
		{"dir", two(fdRoot, "d", fdRoot, "d2"), eSUCCESS, contentOf("/d2/a", "A")},
		{"dir over empty dir", two(fdRoot, "d", fdRoot, "empty"), eSUCCESS, contentOf("/empty/a", "A")},
		{"symlink itself", two(fdRoot, "l", fdRoot, "l2"), eSUCCESS, both(exists("/l", false), contentOf("/l2", fileBytes))},
		{"same file", two(fdRoot, "f", fdRoot, "f"), eSUCCESS, contentOf("/f", fileBytes)},
		{"file over dir", two(fdRoot, "f", fdRoot, "empty"), eISDIR, exists("/f", true)},
		{"dir over file", two(fdRoot, "empty", fdRoot, "f"), eNOTDIR, exists("/empty", true)},
		{"dir over non-empty dir", two(fdRoot, "empty", fdRoot, "d"), eNOTEMPTY, exists("/empty", true)},
		{"dir into itself", two(fdRoot, "d", fdDir, "sub/d"), eINVAL, exists("/d", true)},
		{"missing", two(fdRoot, "nope", fdRoot, "g"), eNOENT, nil},
		{"missing target dir", two(fdRoot, "f", fdRoot, "no/g"), eNOENT, exists("/f", true)},
		{"across mounts", two(fdRoot, "f", fdRoot, "ro/g"), 75 /* EXDEV */, exists("/f", true)},
		{"mount point", two(fdRoot, "ro", fdRoot, "ro2"), eBUSY, nil},
		{"old dirfd closed", two(fdClosed, "f", fdRoot, "g"), eBADF, nil},
		{"new dirfd closed", two(fdRoot, "f", fdClosed, "g"), eBADF, exists("/f", true)},
		{"new dirfd is a file", two(fdRoot, "f", fdFile, "g"), eNOTDIR, nil},
		{"empty", two(fdRoot, "", fdRoot, "g"), eNOENT, nil},
	})
}

func TestPathSymlink(t *testing.T) {
	sl := func(target string, fd uint64, path string) func(*testing.T, *wasitest.Env) []uint64 {
		return func(t *testing.T, env *wasitest.Env) []uint64 {
			tp, tn := str(t, env, pathA, target)
			p, n := str(t, env, pathB, path)
			return []uint64{tp, tn, fd, p, n}
		}
	}
	target := func(path, want string) func(*testing.T, *wasitest.Env) {
		return func(t *testing.T, env *wasitest.Env) {
			got, e := env.Kernel.VFS.Readlink(path)
			if e != 0 || got != want {
				t.Errorf("readlink %s = %q, %v, want %q", path, got, e, want)
			}
		}
	}
	run(t, "path_symlink", []tcase{
		{"relative target", sl("f", fdRoot, "s"), eSUCCESS, both(target("/s", "f"), contentOf("/s", fileBytes))},
		{"in dir fd", sl("../f", fdDir, "s"), eSUCCESS, both(target("/d/s", "../f"), contentOf("/d/s", fileBytes))},
		{"absolute target", sl("/d/a", fdRoot, "s"), eSUCCESS, contentOf("/s", "A")},
		{"dangling", sl("nowhere", fdRoot, "s"), eSUCCESS, target("/s", "nowhere")},
		{"exists", sl("f", fdRoot, "d"), eEXIST, nil},
		{"exists as symlink", sl("f", fdRoot, "l"), eEXIST, nil},
		{"empty target", sl("", fdRoot, "s"), eNOENT, exists("/s", false)},
		{"NUL in target", sl("f\x00", fdRoot, "s"), eINVAL, exists("/s", false)},
		{"missing dir", sl("f", fdRoot, "no/s"), eNOENT, nil},
		{"read-only mount", sl("f", fdRoot, "ro/s"), eROFS, nil},
		{"empty path", sl("f", fdRoot, ""), eNOENT, nil},
		{"dirfd is a file", sl("f", fdFile, "s"), eNOTDIR, nil},
		{"dirfd closed", sl("f", fdClosed, "s"), eBADF, nil},
	})
}

func TestPathUnlinkFile(t *testing.T) {
	run(t, "path_unlink_file", []tcase{
		{"file", at(fdRoot, "f"), eSUCCESS, func(t *testing.T, env *wasitest.Env) {
			exists("/f", false)(t, env)
			// The open description outlives the name.
			env.PutIovecs(t, iovs, [2]uint32{buf, 100})
			expect(t, "fd_read", env.Call(t, "fd_read", fdFile, iovs, 1, result), eSUCCESS)
			readBack(fileBytes)(t, env)
		}},
		{"relative", at(fdDir, "a"), eSUCCESS, exists("/d/a", false)},
		{"symlink itself", at(fdRoot, "l"), eSUCCESS, both(exists("/l", false), exists("/f", true))},
		{"dangling symlink", at(fdRoot, "loop1"), eSUCCESS, exists("/loop1", false)},
		{"dir", at(fdRoot, "empty"), eISDIR, exists("/empty", true)},
		{"trailing slash on file", at(fdRoot, "f/"), eNOTDIR, exists("/f", true)},
		{"missing", at(fdRoot, "nope"), eNOENT, nil},
		{"through file", at(fdRoot, "f/x"), eNOTDIR, nil},
		{"read-only mount", at(fdRoot, "ro/file"), eROFS, nil},
		{"empty", at(fdRoot, ""), eNOENT, nil},
		{"dirfd is a file", at(fdFile, "x"), eNOTDIR, nil},
		{"dirfd closed", at(fdClosed, "f"), eBADF, exists("/f", true)},
	})
}

// AT_FDCWD (-100) as the directory of a path call means the working
// directory, with no descriptor: libocclum resolves every path against it,
// so fd 3 (the preopen) may be closed or reused as on Linux.
func TestDirfdCwd(t *testing.T) {
	env := newEnv(t, wasitest.Options{})
	env.WriteFile(t, "/f", "x")
	const cwd = uint64(0xffffff9c) // -100 as a u32
	env.Proc.FDs.Remove(3)         // no preopen at all
	p, n := env.PutString(t, buf, "/f")
	expect(t, "path_filestat_get", env.Call(t, "path_filestat_get", cwd, 1, p, n, buf2), eSUCCESS)
	if e := env.Proc.Chdir("/dev"); e != 0 {
		t.Fatal(e)
	}
	p, n = env.PutString(t, buf, "null")
	expect(t, "path_open", env.Call(t, "path_open", cwd, 1, p, n, 0, 2, 0, 0, result), eSUCCESS)
	p, n = env.PutString(t, buf, "")
	expect(t, "path_open empty", env.Call(t, "path_open", cwd, 1, p, n, 0, 2, 0, 0, result), eNOENT)
	// faccessat asks for the directory's rights.
	expect(t, "fd_fdstat_get", env.Call(t, "fd_fdstat_get", cwd, buf2), eSUCCESS)
	if ft := env.Get(t, buf2, 1)[0]; ft != 3 {
		t.Fatalf("filetype %d, want directory", ft)
	}
	expect(t, "fd_fdstat_get", env.Call(t, "fd_fdstat_get", cwd, wild), eFAULT)
}
