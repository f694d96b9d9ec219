package wasi_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/occlumgo/occlum/syscalls/internal/wasitest"
	"github.com/occlumgo/occlum/syscalls/wasi"
)

// efault is one call with a pointer or length outside guest memory.
type efault struct {
	fn   string
	name string
	args func(t *testing.T, env *wasitest.Env) []uint64
	want uint32 // 0 means EFAULT
}

// good arguments: a path at pathA, a second at pathB, iovecs at iovs.
func pa(t *testing.T, env *wasitest.Env, s string) (uint64, uint64) { return str(t, env, pathA, s) }
func pb(t *testing.T, env *wasitest.Env, s string) (uint64, uint64) { return str(t, env, pathB, s) }

// goodIov puts one 4-byte iovec at iovs over buf.
func goodIov(t *testing.T, env *wasitest.Env) {
	env.Put(t, buf, []byte("DATA"))
	env.PutIovecs(t, iovs, [2]uint32{buf, 4})
}

// iovCases returns the bad-pointer calls of an fd_read-like function whose
// arguments are (fd, iovs, iovs_len[, offset], result).
func iovCases(fn string, fd uint64, offset ...uint64) []efault {
	mk := func(name string, setup func(t *testing.T, env *wasitest.Env), iovPtr, n, res uint64, want uint32) efault {
		return efault{fn, name, func(t *testing.T, env *wasitest.Env) []uint64 {
			goodIov(t, env)
			if setup != nil {
				setup(t, env)
			}
			return append(append([]uint64{fd, iovPtr, n}, offset...), res)
		}, want}
	}
	bad := func(v ...[2]uint32) func(t *testing.T, env *wasitest.Env) {
		return func(t *testing.T, env *wasitest.Env) { env.PutIovecs(t, iovs, v...) }
	}
	return []efault{
		mk("iovs outside", nil, wild, 1, result, 0),
		mk("iovs crossing the end", nil, memSize-4, 1, result, 0),
		mk("iovs_len huge", nil, iovs, huge, result, eINVAL),
		mk("iovs_len past memory", nil, memSize-800, 1000, result, 0),
		mk("buffer outside", bad([2]uint32{wild, 4}), iovs, 1, result, 0),
		mk("buffer huge", bad([2]uint32{buf, huge}), iovs, 1, result, 0),
		mk("buffer crossing the end", bad([2]uint32{memSize - 2, 4}), iovs, 1, result, 0),
		mk("second buffer outside", bad([2]uint32{buf, 4}, [2]uint32{wild, 1}), iovs, 2, result, 0),
		mk("result outside", nil, iovs, 1, wild, 0),
		mk("result crossing the end", nil, iovs, 1, memSize-2, 0),
	}
}

func efaultCases() []efault {
	fixed := func(fn, name string, v ...uint64) efault {
		return efault{fn, name, func(*testing.T, *wasitest.Env) []uint64 { return v }, 0}
	}
	path1 := func(fn, name string, build func(p, n uint64) []uint64, path string) efault {
		return efault{fn, name, func(t *testing.T, env *wasitest.Env) []uint64 {
			p, n := pa(t, env, path)
			return build(p, n)
		}, 0}
	}
	var cs []efault
	for _, fn := range []string{"args_get", "environ_get"} {
		cs = append(cs,
			fixed(fn, "ptrs outside", wild, buf),
			fixed(fn, "ptrs crossing the end", memSize-4, buf),
			fixed(fn, "buf outside", result, wild),
			fixed(fn, "buf crossing the end", result, memSize-3))
	}
	for _, fn := range []string{"args_sizes_get", "environ_sizes_get"} {
		cs = append(cs,
			fixed(fn, "count outside", wild, result),
			fixed(fn, "size outside", result, wild),
			fixed(fn, "size crossing the end", result, memSize-2))
	}
	cs = append(cs,
		fixed("clock_res_get", "outside", clockMonotonic, wild),
		fixed("clock_res_get", "crossing the end", clockMonotonic, memSize-4),
		fixed("clock_time_get", "outside", clockRealtime, 0, wild),
		fixed("clock_time_get", "crossing the end", clockMonotonic, 0, memSize-7),
		fixed("fd_fdstat_get", "outside", fdFile, wild),
		fixed("fd_fdstat_get", "crossing the end", fdFile, memSize-23),
		fixed("fd_filestat_get", "outside", fdFile, wild),
		fixed("fd_filestat_get", "crossing the end", fdFile, memSize-63),
		fixed("fd_prestat_get", "outside", fdRoot, wild),
		fixed("fd_prestat_get", "crossing the end", fdRoot, memSize-7),
		fixed("fd_prestat_dir_name", "outside", fdRoot, wild, 1),
		fixed("fd_prestat_dir_name", "len huge", fdRoot, buf, huge),
		fixed("fd_prestat_dir_name", "at the end", fdRoot, memSize, 1),
		fixed("fd_readdir", "buf outside", fdDir, wild, 100, 0, result),
		fixed("fd_readdir", "buf_len huge", fdDir, buf, huge, 0, result),
		fixed("fd_readdir", "bufused outside", fdDir, buf, 100, 0, wild),
		fixed("fd_readdir", "bufused crossing the end", fdDir, buf, 100, 0, memSize-3),
		fixed("fd_seek", "outside", fdFile, 5, 0, wild),
		fixed("fd_seek", "crossing the end", fdFile, 5, 0, memSize-4),
		fixed("fd_tell", "outside", fdFile, wild),
		fixed("fd_tell", "crossing the end", fdFile, memSize-7),
		fixed("random_get", "outside", wild, 16),
		fixed("random_get", "len huge", buf, huge),
		fixed("random_get", "crossing the end", memSize-8, 16),
		fixed("poll_oneoff", "in outside", wild, buf2, 1, result),
		fixed("poll_oneoff", "in crossing the end", memSize-40, buf2, 1, result),
		fixed("poll_oneoff", "out outside", buf, wild, 1, result),
		fixed("poll_oneoff", "out crossing the end", buf, memSize-63, 2, result),
		fixed("poll_oneoff", "nevents outside", buf, buf2, 1, wild),
	)
	cs = append(cs, iovCases("fd_read", fdFile)...)
	cs = append(cs, iovCases("fd_write", fdFile)...)
	cs = append(cs, iovCases("fd_pread", fdFile, 0)...)
	cs = append(cs, iovCases("fd_pwrite", fdFile, 0)...)

	// Path functions: the path pointer, then any result pointer.
	for _, tc := range []struct {
		fn    string
		build func(p, n uint64) []uint64
	}{
		{"path_create_directory", func(p, n uint64) []uint64 { return []uint64{fdRoot, p, n} }},
		{"path_filestat_get", func(p, n uint64) []uint64 { return []uint64{fdRoot, 0, p, n, result} }},
		{"path_filestat_set_times", func(p, n uint64) []uint64 { return []uint64{fdRoot, 0, p, n, 1, 1, fstAtim | fstMtim} }},
		{"path_open", func(p, n uint64) []uint64 {
			return []uint64{fdRoot, 0, p, n, oCreat | oTrunc, libcRDWR, libcRDWR, 0, result}
		}},
		{"path_readlink", func(p, n uint64) []uint64 { return []uint64{fdRoot, p, n, buf, 100, result} }},
		{"path_remove_directory", func(p, n uint64) []uint64 { return []uint64{fdRoot, p, n} }},
		{"path_unlink_file", func(p, n uint64) []uint64 { return []uint64{fdRoot, p, n} }},
		{"path_link", func(p, n uint64) []uint64 { return []uint64{fdRoot, 0, p, n, fdRoot, pathB, 3} }},
		{"path_rename", func(p, n uint64) []uint64 { return []uint64{fdRoot, p, n, fdRoot, pathB, 3} }},
		{"path_symlink", func(p, n uint64) []uint64 { return []uint64{p, n, fdRoot, pathB, 3} }},
	} {
		fn, build := tc.fn, tc.build
		// Swap in a bad (pointer, length) for the first path.
		for _, bad := range []struct {
			name string
			p, n uint64
		}{
			{"path outside", wild, 4},
			{"path crossing the end", memSize - 2, 4},
			{"path_len huge", pathA, huge},
			{"path_len just long", memSize - 100, 4096},
		} {
			bad := bad
			cs = append(cs, efault{fn, bad.name, func(t *testing.T, env *wasitest.Env) []uint64 {
				pb(t, env, "new")
				return build(bad.p, bad.n)
			}, 0})
		}
	}
	// Second paths.
	for _, fn := range []string{"path_link", "path_rename", "path_symlink"} {
		fn := fn
		for _, bad := range []struct {
			name string
			p, n uint64
		}{{"new path outside", wild, 3}, {"new path_len huge", pathB, huge}} {
			bad := bad
			cs = append(cs, efault{fn, bad.name, func(t *testing.T, env *wasitest.Env) []uint64 {
				p, n := pa(t, env, "f")
				switch fn {
				case "path_link":
					return []uint64{fdRoot, 0, p, n, fdRoot, bad.p, bad.n}
				case "path_rename":
					return []uint64{fdRoot, p, n, fdRoot, bad.p, bad.n}
				}
				return []uint64{p, n, fdRoot, bad.p, bad.n}
			}, 0})
		}
	}
	cs = append(cs,
		path1("path_filestat_get", "result outside", func(p, n uint64) []uint64 { return []uint64{fdRoot, 0, p, n, wild} }, "f"),
		path1("path_filestat_get", "result crossing the end", func(p, n uint64) []uint64 { return []uint64{fdRoot, 0, p, n, memSize - 60} }, "f"),
		path1("path_open", "result outside", func(p, n uint64) []uint64 {
			return []uint64{fdRoot, 0, p, n, oCreat | oTrunc, libcRDWR, libcRDWR, 0, wild}
		}, "new"),
		path1("path_open", "truncating, result outside", func(p, n uint64) []uint64 {
			return []uint64{fdRoot, 0, p, n, oTrunc, libcRDWR, libcRDWR, 0, memSize - 2}
		}, "f"),
		path1("path_readlink", "buf outside", func(p, n uint64) []uint64 { return []uint64{fdRoot, p, n, wild, 100, result} }, "l"),
		path1("path_readlink", "buf_len huge", func(p, n uint64) []uint64 { return []uint64{fdRoot, p, n, buf, huge, result} }, "l"),
		path1("path_readlink", "bufused outside", func(p, n uint64) []uint64 { return []uint64{fdRoot, p, n, buf, 100, wild} }, "l"),
	)
	return cs
}

// TestEFAULT calls every function that takes a pointer with pointers and
// lengths outside guest memory: each must fail with EFAULT (or EINVAL for
// an iovec count beyond IOV_MAX) without writing guest memory and without
// any other effect.
func TestEFAULT(t *testing.T) {
	for _, tc := range efaultCases() {
		t.Run(tc.fn+"/"+tc.name, func(t *testing.T) {
			env := newEnv(t, wasitest.Options{Args: []string{"prog", "arg"}, Env: []string{"A=1", "B=2"}})
			env.Put(t, buf2, append(clockSub(1, clockMonotonic, 0, 0), clockSub(2, clockMonotonic, 0, 0)...))
			env.Put(t, buf, append(clockSub(1, clockMonotonic, 0, 0), clockSub(2, clockMonotonic, 0, 0)...))
			args := tc.args(t, env)
			fds := env.Proc.FDs.Count()
			before := env.Snapshot()

			want := tc.want
			if want == 0 {
				want = eFAULT
			}
			expect(t, tc.fn, env.Call(t, tc.fn, args...), want)

			if after := env.Snapshot(); !bytes.Equal(before, after) {
				for i := range before {
					if before[i] != after[i] {
						t.Fatalf("guest memory changed at %#x", i)
					}
				}
			}
			if n := env.Proc.FDs.Count(); n != fds {
				t.Errorf("descriptors: %d, was %d", n, fds)
			}
			if got := env.ReadFile(t, "/f"); got != fileBytes {
				t.Errorf("/f = %q", got)
			}
			for _, p := range []string{"/new", "/l", "/empty", "/d/a"} {
				if env.Exists(p) != (p != "/new") {
					t.Errorf("%s exists: %v", p, env.Exists(p))
				}
			}
			// No descriptor offset moved.
			expect(t, "fd_tell", env.Call(t, "fd_tell", fdFile, result2), eSUCCESS)
			if off := env.U64(t, result2); off != 0 {
				t.Errorf("offset of fd %d moved to %d", fdFile, off)
			}
		})
	}
}

// pointerParams are the parameters holding guest addresses.
func isPointer(name string) bool {
	switch name {
	case "argv", "argv_buf", "environ", "environ_buf", "iovs", "buf", "path",
		"old_path", "new_path", "in", "out", "ri_data", "si_data":
		return true
	}
	return strings.HasPrefix(name, "result.")
}

// TestEFAULTCoverage checks every function with a pointer parameter has
// EFAULT cases (sock_* are covered by TestSock: the descriptor is checked
// first and no descriptor is a socket yet).
func TestEFAULTCoverage(t *testing.T) {
	covered := map[string]bool{}
	for _, c := range efaultCases() {
		covered[c.fn] = true
	}
	for _, f := range wasi.Funcs() {
		ptr := false
		for _, p := range f.Params {
			ptr = ptr || isPointer(p.Name)
		}
		if ptr && !covered[f.Name] && !strings.HasPrefix(f.Name, "sock_") {
			t.Errorf("%s takes a pointer but has no EFAULT case", f.Name)
		}
	}
}
