package libos_test

import (
	"bytes"
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/occlumgo/occlum/core/kernel"
	"github.com/occlumgo/occlum/internal/wasmbuild"
	"github.com/occlumgo/occlum/libos/libostest"
	"github.com/occlumgo/occlum/syscalls/wasi"
)

var (
	i32 = wasmbuild.I32
	i64 = wasmbuild.I64
)

func imp(name string, params ...byte) wasmbuild.Import {
	return wasmbuild.Import{Module: wasi.ModuleName, Name: name, Type: wasmbuild.Func{Params: params, Results: []byte{i32}}}
}

var procExit = wasmbuild.Import{Module: wasi.ModuleName, Name: "proc_exit", Type: wasmbuild.Func{Params: []byte{i32}}}

func run(t *testing.T, bin []byte) (kernel.WaitStatus, string, error) {
	t.Helper()
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := libostest.RunProgram(ctx, libostest.ProgramOptions{Wasm: bin, Stdout: &out, Stderr: &out})
	return st, out.String(), err
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// exitWith builds a program that calls import 0 with args and exits with its
// result (the WASI errno).
func exitWith(call wasmbuild.Import, args ...[]byte) []byte {
	body := cat(args...)
	body = append(body, wasmbuild.Call(1)...) // import 1 = call, 0 = proc_exit
	body = append(body, wasmbuild.Call(0)...)
	return wasmbuild.Module{MemoryPages: 1, Imports: []wasmbuild.Import{procExit, call}, Body: body}.Encode()
}

func TestTrapStatus(t *testing.T) {
	tests := []struct {
		name string
		body []byte
		want kernel.WaitStatus
	}{
		{"unreachable is abort", wasmbuild.Unreachable, kernel.Signaled(kernel.SIGABRT)},
		{"out of bounds load", cat(wasmbuild.I32Const(-4), wasmbuild.I32Load(), wasmbuild.Drop), kernel.Signaled(kernel.SIGSEGV)},
		{"returns from _start", nil, kernel.Exited(0)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, _, err := run(t, wasmbuild.Module{MemoryPages: 1, Body: tc.body}.Encode())
			if err != nil {
				t.Fatal(err)
			}
			if st != tc.want {
				t.Fatalf("status %#x (shell %d), want %#x", st, st.ShellStatus(), tc.want)
			}
		})
	}
}

func TestExitCode(t *testing.T) {
	st, _, err := run(t, wasmbuild.Module{MemoryPages: 1, Imports: []wasmbuild.Import{procExit},
		Body: cat(wasmbuild.I32Const(42), wasmbuild.Call(0))}.Encode())
	if err != nil || st.ShellStatus() != 42 || !st.IfExited() {
		t.Fatalf("status %d err %v, want exit 42", st.ShellStatus(), err)
	}
}

// Every syscall family given a wild pointer answers EFAULT (WASI 21) and the
// process goes on to exit normally with that value.
func TestWildPointersEFAULT(t *testing.T) {
	const efault = 21
	wild := wasmbuild.I32Const(-16) // 0xfffffff0: beyond a 1-page memory
	huge := wasmbuild.I32Const(0x7fffffff)
	z := wasmbuild.I32Const(0)
	one := wasmbuild.I32Const(1)
	three := wasmbuild.I32Const(3)
	tests := []struct {
		name string
		call wasmbuild.Import
		args [][]byte
	}{
		{"args_get", imp("args_get", i32, i32), [][]byte{wild, wild}},
		{"args_sizes_get", imp("args_sizes_get", i32, i32), [][]byte{wild, z}},
		{"environ_get", imp("environ_get", i32, i32), [][]byte{wild, wild}},
		{"environ_sizes_get", imp("environ_sizes_get", i32, i32), [][]byte{z, wild}},
		{"clock_res_get", imp("clock_res_get", i32, i32), [][]byte{z, wild}},
		{"clock_time_get", imp("clock_time_get", i32, i64, i32), [][]byte{z, wasmbuild.I64Const(1), wild}},
		{"fd_write iovec array", imp("fd_write", i32, i32, i32, i32), [][]byte{one, wild, one, z}},
		{"fd_write iovec buffer", imp("fd_write", i32, i32, i32, i32), [][]byte{one, z, one, z}}, // iovec at 0 is {0,0}: fine, then result at 0
		{"fd_read iovecs", imp("fd_read", i32, i32, i32, i32), [][]byte{z, huge, one, z}},
		{"fd_fdstat_get", imp("fd_fdstat_get", i32, i32), [][]byte{one, wild}},
		{"fd_filestat_get", imp("fd_filestat_get", i32, i32), [][]byte{three, wild}},
		{"fd_prestat_get", imp("fd_prestat_get", i32, i32), [][]byte{three, wild}},
		{"fd_prestat_dir_name", imp("fd_prestat_dir_name", i32, i32, i32), [][]byte{three, wild, one}},
		{"fd_readdir", imp("fd_readdir", i32, i32, i32, i64, i32), [][]byte{three, wild, huge, wasmbuild.I64Const(0), z}},
		{"fd_seek", imp("fd_seek", i32, i64, i32, i32), [][]byte{three, wasmbuild.I64Const(0), z, wild}},
		{"fd_tell", imp("fd_tell", i32, i32), [][]byte{three, wild}},
		{"path_open", imp("path_open", i32, i32, i32, i32, i32, i64, i64, i32, i32), [][]byte{three, z, wild, one, z, wasmbuild.I64Const(0), wasmbuild.I64Const(0), z, z}},
		{"path_create_directory", imp("path_create_directory", i32, i32, i32), [][]byte{three, z, huge}},
		{"path_filestat_get", imp("path_filestat_get", i32, i32, i32, i32, i32), [][]byte{three, z, wild, one, z}},
		{"path_readlink", imp("path_readlink", i32, i32, i32, i32, i32, i32), [][]byte{three, wild, one, z, z, z}},
		{"path_symlink", imp("path_symlink", i32, i32, i32, i32, i32), [][]byte{wild, one, three, z, one}},
		{"path_rename", imp("path_rename", i32, i32, i32, i32, i32, i32), [][]byte{three, wild, one, three, wild, one}},
		{"path_unlink_file", imp("path_unlink_file", i32, i32, i32), [][]byte{three, wild, one}},
		{"path_remove_directory", imp("path_remove_directory", i32, i32, i32), [][]byte{three, wild, one}},
		{"path_link", imp("path_link", i32, i32, i32, i32, i32, i32, i32), [][]byte{three, z, wild, one, three, z, one}},
		{"poll_oneoff", imp("poll_oneoff", i32, i32, i32, i32), [][]byte{wild, z, one, z}},
		{"random_get", imp("random_get", i32, i32), [][]byte{z, huge}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, _, err := run(t, exitWith(tc.call, tc.args...))
			if err != nil {
				t.Fatal(err)
			}
			want := efault
			if tc.name == "fd_write iovec buffer" {
				want = 0
			}
			if !st.IfExited() || st.ExitCode() != want {
				t.Fatalf("status %#x: exit %d, want errno %d", st, st.ExitCode(), want)
			}
		})
	}
}

func TestRejectedPrograms(t *testing.T) {
	for _, tc := range []struct {
		name string
		bin  []byte
		want string
	}{
		{"elf", []byte("\x7fELF\x02\x01\x01\x00rest"), "native ELF executable"},
		{"foreign import", wasmbuild.Module{MemoryPages: 1, Imports: []wasmbuild.Import{{Module: "env", Name: "evil"}}}.Encode(), "env.evil"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := run(t, tc.bin)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestSpinningGuestIsKilledByContext(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	st, err := libostest.RunProgram(ctx, libostest.ProgramOptions{Wasm: wasmbuild.Module{MemoryPages: 1, Body: wasmbuild.Loop()}.Encode()})
	if err != nil {
		t.Fatal(err)
	}
	if !st.IfSignaled() || st.Signal() != kernel.SIGKILL {
		t.Fatalf("status %#x, want killed by SIGKILL", st)
	}
	if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatal("returned before the deadline")
	}
}

// A guest spinning without syscalls must not stall the garbage collector
// (compiled guest code has no Go safe points of its own: the loader's
// preemption points provide them) and must still be killable.
func TestSpinningGuestDoesNotStallGC(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan kernel.WaitStatus, 1)
	go func() {
		st, _ := libostest.RunProgram(ctx, libostest.ProgramOptions{Wasm: wasmbuild.Module{MemoryPages: 1, Body: wasmbuild.Loop()}.Encode()})
		done <- st
	}()
	time.Sleep(50 * time.Millisecond)
	gcDone := make(chan struct{})
	go func() {
		for i := 0; i < 5; i++ {
			runtime.GC()
		}
		close(gcDone)
	}()
	select {
	case <-gcDone:
	case <-time.After(10 * time.Second):
		t.Fatal("garbage collection stalled behind a spinning guest")
	}
	cancel()
	select {
	case st := <-done:
		if st.Signal() != kernel.SIGKILL {
			t.Fatalf("status %#x, want SIGKILL", st)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("spinning guest not killed")
	}
}

// A guest that traps or is killed takes nothing else with it: the same
// LibOS goes on running programs, and no process is left in the table.
func TestLibOSLivesOnAfterTrap(t *testing.T) {
	ctx := context.Background()
	var out bytes.Buffer
	l, install, cleanup, err := libostest.Boot(ctx, libostest.ProgramOptions{Stdout: &out, Stderr: &out})
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	for path, bin := range map[string][]byte{
		"/bin/segv":  wasmbuild.Module{MemoryPages: 1, Body: cat(wasmbuild.I32Const(-4), wasmbuild.I32Load(), wasmbuild.Drop)}.Encode(),
		"/bin/abort": wasmbuild.Module{MemoryPages: 1, Body: wasmbuild.Unreachable}.Encode(),
		"/bin/exit7": wasmbuild.Module{MemoryPages: 1, Imports: []wasmbuild.Import{procExit}, Body: cat(wasmbuild.I32Const(7), wasmbuild.Call(0))}.Encode(),
	} {
		if err := install(path, bin); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 3; i++ {
		for _, tc := range []struct {
			path string
			want int
		}{{"/bin/segv", 139}, {"/bin/abort", 134}, {"/bin/exit7", 7}} {
			st, err := l.Run(ctx, tc.path, []string{tc.path}, nil)
			if err != nil || st.ShellStatus() != tc.want {
				t.Fatalf("%s: status %d, err %v; want %d", tc.path, st.ShellStatus(), err, tc.want)
			}
		}
	}
	if n := l.Kernel().Count(); n != 0 {
		t.Fatalf("%d processes left in the table", n)
	}
	if !strings.Contains(out.String(), "killed by SIGSEGV: out of bounds memory access") {
		t.Fatalf("no fault report on stderr: %q", out.String())
	}
}
