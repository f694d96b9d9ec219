package libos_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/occlumgo/occlum/config"
	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/internal/wasmbuild"
	"github.com/occlumgo/occlum/internal/wattest"
	"github.com/occlumgo/occlum/libos"
	"github.com/occlumgo/occlum/libos/libostest"
)

const (
	wasmPage = 1 << 16
	hogs     = 6
	hogStep  = 8 // pages per memory.grow
	// wasiENOMEM is ENOMEM as the ABI returns it.
	wasiENOMEM = 48
)

// hogWAT grows its memory hogStep pages at a time until memory.grow fails,
// writes a report (u32 steps grown, u64 totalram, u64 freeram from
// sysinfo) to stdout, and holds its memory until the pipe at fd 4 (the
// root's) reaches end of file.
var hogWAT = fmt.Sprintf(`(module
  (import "occlum" "sysinfo" (func $sysinfo (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (local $n i32)
    (drop (call $fd_close (i32.const 5))) ;; only the root keeps the write end
    (block $full
      (loop $grow
        (br_if $full (i32.eq (memory.grow (i32.const %d)) (i32.const -1)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $grow)))
    (if (call $sysinfo (i32.const 0x100)) (then (call $exit (i32.const 1))))
    (i32.store (i32.const 0x200) (local.get $n))
    (i64.store (i32.const 0x204) (i64.load (i32.const 0x120))) ;; totalram
    (i64.store (i32.const 0x20c) (i64.load (i32.const 0x128))) ;; freeram
    (i32.store (i32.const 0x300) (i32.const 0x200))
    (i32.store (i32.const 0x304) (i32.const 20))
    (if (call $fd_write (i32.const 1) (i32.const 0x300) (i32.const 1) (i32.const 0x310)) (then (call $exit (i32.const 2))))
    (i32.store (i32.const 0x300) (i32.const 0x400))
    (i32.store (i32.const 0x304) (i32.const 1))
    (drop (call $fd_read (i32.const 4) (i32.const 0x300) (i32.const 1) (i32.const 0x310)))
    (call $exit (i32.const 0))))`, hogStep)

// rootWAT makes a pipe (fds 4 and 5), spawns the hogs, waits for a byte
// on stdin (the test's go-ahead, once every hog has reported), spawns
// /bin/big, closes the pipe so that the hogs exit, reaps every child and
// exits with big's spawn errno (104 if a hog did not exit 0).
var rootWAT = fmt.Sprintf(`(module
  (import "occlum" "spawn" (func $spawn (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "occlum" "pipe2" (func $pipe2 (param i32 i32) (result i32)))
  (import "occlum" "wait4" (func $wait4 (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "/bin/hog")
  (data (i32.const 120) "/bin/big")
  (data (i32.const 200) "\64\00\00\00\08\00\00\00")
  (data (i32.const 208) "\78\00\00\00\08\00\00\00")
  (func (export "_start")
    (local $i i32) (local $e i32) (local $bad i32)
    (if (call $pipe2 (i32.const 300) (i32.const 0)) (then (call $exit (i32.const 101))))
    (if (i32.ne (i32.load (i32.const 300)) (i32.const 4)) (then (call $exit (i32.const 102))))
    (loop $spawn
      (if (call $spawn (i32.const 100) (i32.const 8) (i32.const 200) (i32.const 1)
            (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 310))
        (then (call $exit (i32.const 103))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $spawn (i32.lt_u (local.get $i) (i32.const %d))))
    (i32.store (i32.const 400) (i32.const 500))
    (i32.store (i32.const 404) (i32.const 1))
    (drop (call $fd_read (i32.const 0) (i32.const 400) (i32.const 1) (i32.const 410)))
    (local.set $e (call $spawn (i32.const 120) (i32.const 8) (i32.const 208) (i32.const 1)
      (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 310)))
    (drop (call $fd_close (i32.const 5)))
    (drop (call $fd_close (i32.const 4)))
    (loop $reap
      (if (i32.eqz (call $wait4 (i32.const -1) (i32.const 0) (i32.const 320) (i32.const 324)))
        (then
          (if (i32.load (i32.const 320)) (then (local.set $bad (i32.const 1))))
          (br $reap))))
    (if (local.get $bad) (then (call $exit (i32.const 104))))
    (call $exit (local.get $e))))`, hogs)

// reports collects the hogs' 20-byte reports from stdout.
type reports struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	full chan struct{} // closed once hogs reports arrived
}

func (r *reports) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.buf.Write(p)
	if r.buf.Len() >= hogs*20 && r.full != nil {
		close(r.full)
		r.full = nil
	}
	return len(p), nil
}

// memoryConfig is the default configuration with a per-process budget of
// 8 MiB and user_space_size total.
func memoryConfig(total config.Size) *config.Config {
	cfg := config.Default()
	cfg.ResourceLimits.UserSpaceSize = total
	cfg.Process = config.Process{DefaultStackSize: 1 * config.MB, DefaultHeapSize: 3 * config.MB, DefaultMmapSize: 4 * config.MB}
	return cfg
}

// Security finding 6: user_space_size is a total over every process. Six
// processes, each allowed 8 MiB, grow their memory until memory.grow
// fails: together they hold no more than the 24 MiB of user_space_size
// (and fill it), sysinfo shows it used, a spawn that needs more than is
// left fails with ENOMEM while the LibOS goes on, and it is all given back
// when they exit.
func TestUserSpaceSizeIsATotal(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	const limit = 24 << 20
	stdin, goAhead := io.Pipe()
	defer goAhead.Close()
	out := &reports{full: make(chan struct{})}
	full := out.full
	var stderr bytes.Buffer
	l, install, cleanup, err := libostest.Boot(ctx, libostest.ProgramOptions{
		Config: memoryConfig(limit), Stdin: stdin, Stdout: out, Stderr: &stderr})
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	for path, bin := range map[string][]byte{
		"/bin/hog":  wattest.Compile(t, hogWAT),
		"/bin/root": wattest.Compile(t, rootWAT),
		"/bin/big":  wasmbuild.Module{MemoryPages: 2 * hogStep}.Encode(),
		"/bin/exit7": wasmbuild.Module{MemoryPages: 1, Imports: []wasmbuild.Import{procExit},
			Body: cat(wasmbuild.I32Const(7), wasmbuild.Call(0))}.Encode(),
	} {
		if err := install(path, bin); err != nil {
			t.Fatal(err)
		}
	}
	type result struct {
		status int
		err    error
	}
	done := make(chan result, 1)
	go func() {
		st, err := l.Run(ctx, "/bin/root", []string{"/bin/root"}, nil)
		done <- result{st.ShellStatus(), err}
	}()
	select {
	case <-full:
	case r := <-done:
		t.Fatalf("root exited (status %d, err %v) before the hogs reported; stdout %d bytes, stderr %q", r.status, r.err, out.buf.Len(), stderr.String())
	case <-ctx.Done():
		t.Fatal("the hogs did not all report")
	}

	used := l.Kernel().MemoryUsed()
	out.mu.Lock()
	rep := append([]byte(nil), out.buf.Bytes()...)
	out.mu.Unlock()
	le := binary.LittleEndian
	const perProcess = 8 << 20
	sum, nCapped := uint64(1)*wasmPage, 0 // the root's one page
	for i := 0; i < hogs; i++ {
		r := rep[i*20:]
		steps, total, free := le.Uint32(r), le.Uint64(r[4:]), le.Uint64(r[12:])
		sum += (1 + uint64(steps)*hogStep) * wasmPage
		if total != limit {
			t.Errorf("hog %d: sysinfo totalram = %d, want user_space_size %d", i, total, limit)
		}
		// A hog stops at its own budget (8 MiB) or at the total.
		if capped := (1+uint64(steps+1)*hogStep)*wasmPage > perProcess; capped {
			nCapped++
		} else if free >= hogStep*wasmPage {
			t.Errorf("hog %d: memory.grow failed, but sysinfo freeram = %d (%d pages) is room for a step", i, free, free/wasmPage)
		}
		if own := (2 + uint64(steps)*hogStep) * wasmPage; free > limit-own {
			t.Errorf("hog %d: sysinfo freeram = %d, but it and the root alone hold %d of %d", i, free, own, limit)
		}
	}
	if nCapped == hogs {
		t.Error("every hog stopped at its own budget: the total was never reached")
	}
	if sum > limit {
		t.Errorf("the processes hold %d MiB together, more than user_space_size (%d MiB)", sum>>20, limit>>20)
	}
	if used != sum {
		t.Errorf("MemoryUsed = %d, the processes hold %d", used, sum)
	}
	if sum <= limit-hogStep*wasmPage {
		t.Errorf("the processes hold %d of %d bytes: growing stopped early", sum, limit)
	}
	if n := l.Kernel().Count(); n != hogs+1 {
		t.Errorf("%d processes, want %d", n, hogs+1)
	}

	goAhead.Write([]byte{1}) // the root spawns /bin/big, then releases the hogs
	select {
	case r := <-done:
		if r.err != nil || r.status != wasiENOMEM {
			t.Fatalf("root: status %d, err %v; want exit %d: spawning /bin/big with no room is ENOMEM (stderr %q)", r.status, r.err, wasiENOMEM, stderr.String())
		}
	case <-ctx.Done():
		t.Fatal("the root did not finish")
	}
	if used := l.Kernel().MemoryUsed(); used != 0 {
		t.Errorf("MemoryUsed = %d after every process exited", used)
	}
	st, err := l.Run(ctx, "/bin/exit7", []string{"exit7"}, nil)
	if err != nil || st.ExitCode() != 7 {
		t.Fatalf("after the hogs: status %#x, err %v", st, err)
	}
}

// A root program whose initial memory alone does not fit in
// user_space_size does not start, with an error that says which setting
// is too small; the LibOS runs the next program.
func TestRootOverUserSpace(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	l, install, cleanup, err := libostest.Boot(ctx, libostest.ProgramOptions{Config: memoryConfig(1 * config.MB)})
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	if err := install("/bin/big", wasmbuild.Module{MemoryPages: 32}.Encode()); err != nil {
		t.Fatal(err)
	}
	if err := install("/bin/small", wasmbuild.Module{MemoryPages: 1}.Encode()); err != nil {
		t.Fatal(err)
	}
	_, err = l.Run(ctx, "/bin/big", []string{"big"}, nil)
	var pe *libos.ProgramError
	if !errors.As(err, &pe) || pe.Errno != errno.ENOMEM {
		t.Fatalf("Run = %v, want a ProgramError with ENOMEM", err)
	}
	for _, s := range []string{"/bin/big", "2.0 MiB", "resource_limits.user_space_size", "Occlum.json"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not say %q", err, s)
		}
	}
	if n := l.Kernel().Count(); n != 0 {
		t.Errorf("%d processes in the table", n)
	}
	if st, err := l.Run(ctx, "/bin/small", []string{"small"}, nil); err != nil || st.ExitCode() != 0 {
		t.Fatalf("next program: status %#x, err %v", st, err)
	}
	if used := l.Kernel().MemoryUsed(); used != 0 {
		t.Errorf("MemoryUsed = %d with no process", used)
	}
}

// A program that fails after its memory could not grow (malloc returned
// NULL) is reported with the limit that refused it and the Occlum.json
// field to raise: after a trap, and after a failing exit.
func TestGrowRefusedReported(t *testing.T) {
	ctx := context.Background()
	var out bytes.Buffer
	l, install, cleanup, err := libostest.Boot(ctx, libostest.ProgramOptions{Stdout: &out, Stderr: &out})
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	const grow = `(drop (memory.grow (i32.const 60000)))` // 3.7 GiB: past any per-process limit
	for path, wat := range map[string]string{
		"/bin/trap":  `(module (memory (export "memory") 1) (func (export "_start") ` + grow + ` unreachable))`,
		"/bin/exit1": `(module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32))) (memory (export "memory") 1) (func (export "_start") ` + grow + ` (call $exit (i32.const 1))))`,
		"/bin/exit0": `(module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32))) (memory (export "memory") 1) (func (export "_start") ` + grow + ` (call $exit (i32.const 0))))`,
	} {
		if err := install(path, wattest.Compile(t, wat)); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		path   string
		status int
		want   string
	}{
		{"/bin/trap", 134, "killed by SIGABRT: unreachable"},
		{"/bin/exit1", 1, "exited with status 1"},
		{"/bin/exit0", 0, ""}, // it coped: nothing to report
	} {
		out.Reset()
		st, err := l.Run(ctx, tc.path, []string{tc.path}, nil)
		if err != nil || st.ShellStatus() != tc.status {
			t.Fatalf("%s: status %d, err %v", tc.path, st.ShellStatus(), err)
		}
		got := out.String()
		if tc.want == "" {
			if got != "" {
				t.Errorf("%s: reported %q", tc.path, got)
			}
			continue
		}
		if !strings.Contains(got, tc.want) || !strings.Contains(got, "its memory could not grow past the per-process limit") ||
			!strings.Contains(got, "default_heap_size") || !strings.Contains(got, "Occlum.json") {
			t.Errorf("%s: report %q, want %q and the limit with its Occlum.json field", tc.path, got, tc.want)
		}
	}
}
