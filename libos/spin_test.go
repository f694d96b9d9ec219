package libos_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/occlumgo/occlum/config"
	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/kernel"
	"github.com/occlumgo/occlum/internal/toolchaintest"
	"github.com/occlumgo/occlum/internal/wattest"
	"github.com/occlumgo/occlum/libos"
	"github.com/occlumgo/occlum/libos/libostest"
	"github.com/occlumgo/occlum/syscalls/abi"
)

// killLatency is how soon a killed process must be gone (its exit
// recorded, its memory released, its parent able to reap it).
const killLatency = 100 * time.Millisecond

// spinMemoryLimit is the per-process memory limit of the spinners.
const spinMemoryLimit = 1 << 30

// The spinners write "spinning" once they are about to spin (the grow
// spinners "grown" once their memory is at the limit) and make no other
// syscall.
const spinPrelude = `
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (data (i32.const 0) "\10\00\00\00\09\00\00\00\20\00\00\00\06\00\00\00")
  (data (i32.const 16) "spinning\n")
  (data (i32.const 32) "grown\n")
  (func $spinning (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 48))))
  (func $grown (drop (call $write (i32.const 1) (i32.const 8) (i32.const 1) (i32.const 48))))`

var spinners = []struct {
	name string
	wat  string
	// mark is what the spinner writes when it is where it should be
	// killed; settle is how long it then runs first.
	mark   string
	settle time.Duration
}{
	{"loop", `(module ` + spinPrelude + ` (memory (export "memory") 1)
	  (func (export "_start") (local $i i32)
	    (call $spinning)
	    (loop (local.set $i (i32.add (local.get $i) (i32.const 1))) (br 0))))`, "spinning", 20 * time.Millisecond},
	// fib(80) is 2^55 calls without a single loop.
	{"recursion", `(module ` + spinPrelude + ` (memory (export "memory") 1)
	  (func $fib (param $n i64) (result i64)
	    (if (result i64) (i64.lt_u (local.get $n) (i64.const 2))
	      (then (local.get $n))
	      (else (i64.add (call $fib (i64.sub (local.get $n) (i64.const 1)))
	                     (call $fib (i64.sub (local.get $n) (i64.const 2)))))))
	  (func (export "_start") (call $spinning) (drop (call $fib (i64.const 80)))))`, "spinning", 20 * time.Millisecond},
	// 256 MiB filled, then copied over itself forwards and backwards,
	// again and again: each operation is one instruction.
	{"fill-copy", `(module ` + spinPrelude + ` (memory (export "memory") 4096)
	  (func (export "_start")
	    (call $spinning)
	    (loop
	      (memory.fill (i32.const 0) (i32.const 0xab) (i32.const 0x10000000))
	      (memory.copy (i32.const 0) (i32.const 0x8000000) (i32.const 0x8000000))
	      (memory.copy (i32.const 1) (i32.const 0) (i32.const 0xfffffff))
	      (br 0))))`, "spinning", 50 * time.Millisecond},
	// The same in 128 MiB, a memory the pool keeps for reuse, zeroing
	// it as the process exits.
	{"fill-128", `(module ` + spinPrelude + ` (memory (export "memory") 2048)
	  (func (export "_start")
	    (call $spinning)
	    (loop
	      (memory.fill (i32.const 0) (i32.const 0xab) (i32.const 0x8000000))
	      (memory.copy (i32.const 1) (i32.const 0) (i32.const 0x7ffffff))
	      (br 0))))`, "spinning", 50 * time.Millisecond},
	// Grows by 1 MiB until the limit (1 GiB), then spins on failing grows.
	{"grow-loop", `(module ` + spinPrelude + ` (memory (export "memory") 1)
	  (func (export "_start") (local $marked i32)
	    (call $spinning)
	    (loop
	      (if (i32.eq (memory.grow (i32.const 16)) (i32.const -1))
	        (then (if (i32.eqz (local.get $marked)) (then (local.set $marked (i32.const 1)) (call $grown)))))
	      (br 0))))`, "grown", 20 * time.Millisecond},
	// One grow to the limit (1 GiB), then failing grows.
	{"grow-huge", `(module ` + spinPrelude + ` (memory (export "memory") 1)
	  (func (export "_start")
	    (call $spinning)
	    (if (i32.eq (memory.grow (i32.const 16383)) (i32.const -1)) (then unreachable))
	    (call $grown)
	    (loop (drop (memory.grow (i32.const 1))) (br 0))))`, "grown", 20 * time.Millisecond},
}

// TestKillSpinningGuests kills processes spinning without a syscall — in
// a loop, in recursion without any loop (in WebAssembly text, and the
// review's fib(80) in C at -O0), in memory.fill and memory.copy of hundreds
// of MiB, in memory.grow up to the limit and then failing — with SIGKILL,
// and with SIGTERM and SIGINT, which they do not handle (kill(2) from their
// parent, the root process). Each must be gone — its exit recorded, its
// parent able to reap it — within killLatency of the kill, with the status
// of that signal (a kill over it is measured again, twice at most, before
// the test fails: see below). While each spins, the rest of the LibOS must keep
// serving: 20 spawns (of a program, and of a program spawning another)
// complete within a second, and garbage collections from the test (whose
// stop-the-world a spinning guest once stalled) complete promptly.
func TestKillSpinningGuests(t *testing.T) {
	if testing.Short() {
		t.Skip("spinning guests: -short")
	}
	lab := newSpinLab(t)
	type spinner struct {
		name, path, mark string
		settle           time.Duration
	}
	var spins []spinner
	progs := map[string][]byte{}
	for _, s := range spinners {
		path := "/bin/spin-" + s.name
		progs[path] = wattest.Compile(t, s.wat)
		spins = append(spins, spinner{s.name, path, s.mark, s.settle})
	}
	// The review's guest: recursion at -O0, as occlum-gcc builds it.
	if fib, skip := fibC(t); skip == "" {
		progs["/bin/spin-fib-c"] = fib
		spins = append(spins, spinner{"recursion-c", "/bin/spin-fib-c", "spinning", 20 * time.Millisecond})
	} else {
		t.Log(skip)
	}
	lab.install(progs)

	const reps = 5
	var all []time.Duration
	var summary []string
	for _, s := range spins {
		for _, sig := range []kernel.Signal{kernel.SIGKILL, kernel.SIGTERM, kernel.SIGINT} {
			var lats []time.Duration
			for rep := 0; rep < reps; rep++ {
				// A kill over the bound is measured again, twice at most:
				// on this 2-core machine, with other test binaries running
				// beside, a goroutine can wait for a CPU for that long
				// (seen once in 500 kills: 204 ms). Every outlier is
				// logged; a kill over the bound three times fails.
				var lat time.Duration
				for try := 0; try < 3; try++ {
					p := lab.start(s.path, s.mark)
					time.Sleep(s.settle)
					if rep == 0 && try == 0 {
						lab.serving(s.name)
					}
					if lat = lab.kill(p, sig); lat <= killLatency {
						break
					}
					t.Logf("%s killed by %v: gone after %v, over %v; measuring again", s.name, sig, lat, killLatency)
				}
				lats = append(lats, lat)
			}
			all = append(all, lats...)
			slices.Sort(lats)
			summary = append(summary, fmt.Sprintf("%-12s %-7v min %-9v median %-9v max %v", s.name, sig,
				lats[0].Round(time.Microsecond), lats[len(lats)/2].Round(time.Microsecond), lats[len(lats)-1].Round(time.Microsecond)))
			if max := lats[len(lats)-1]; max > killLatency {
				t.Errorf("%s killed by %v: gone after %v (of %v), want within %v", s.name, sig, max, lats, killLatency)
			}
		}
	}
	slices.Sort(all)
	t.Logf("kill latencies (%d kills per line):\n%s\nall %d: median %v, p90 %v, max %v", reps, strings.Join(summary, "\n"),
		len(all), all[len(all)/2], all[len(all)*9/10], all[len(all)-1])
	lab.close()
}

// TestKillDuringMemoryGrowCopy kills a process in the memory.grow that
// takes its linear memory past 512 MiB. The memory pool used to allocate a
// 1 GiB buffer in the Go heap there and copy the 512 MiB into it, inside
// the grow instruction: the kill waited for the grow to end, and the rest
// of the LibOS stalled (measured on this 2-core VM: the kill landed after
// up to 1.87 s, runtime.GC() took up to 1.87 s, a 1 ms heartbeat goroutine
// stood still for up to 2.5 s). Linear memories are now mappings of their
// maximum size (sfi/memory.go): a grow neither allocates nor copies.
func TestKillDuringMemoryGrowCopy(t *testing.T) {
	lab := newSpinLab(t)
	// Grows to 512 MiB (a buffer of exactly that capacity), says so, then
	// grows once more and spins on failing grows.
	lab.install(map[string][]byte{"/bin/grow-cross": wattest.Compile(t, `(module `+spinPrelude+` (memory (export "memory") 1)
	  (func (export "_start")
	    (call $spinning)
	    (drop (memory.grow (i32.const 15)))
	    (loop (br_if 0 (i32.lt_u (memory.grow (i32.const 16)) (i32.const 8176))))
	    (call $grown)
	    (loop (drop (memory.grow (i32.const 16))) (br 0))))`)})
	// A heartbeat: the longest the LibOS's other goroutines stood still.
	stop := make(chan struct{})
	gap := make(chan time.Duration)
	go func() {
		var longest time.Duration
		last := time.Now()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case now := <-tick.C:
				longest = max(longest, now.Sub(last))
				last = now
			case <-stop:
				gap <- longest
				return
			}
		}
	}()
	var kills, gcs []time.Duration
	for rep := 0; rep < 5; rep++ {
		p := lab.start("/bin/grow-cross", "grown")
		time.Sleep(2 * time.Millisecond) // the guest is in the copying grow
		gc := make(chan time.Duration, 1)
		go func() {
			s := time.Now()
			runtime.GC()
			gc <- time.Since(s)
		}()
		kills = append(kills, lab.kill(p, kernel.SIGKILL))
		gcs = append(gcs, <-gc)
	}
	close(stop)
	frozen := <-gap
	t.Logf("kill during the copying grow: %v; GC meanwhile: %v; longest heartbeat gap %v", kills, gcs, frozen)
	if m := slices.Max(kills); m > killLatency {
		t.Errorf("killed in a copying memory.grow: gone after %v (of %v), want within %v", m, kills, killLatency)
	}
	if m := slices.Max(gcs); m > gcLatency {
		t.Errorf("runtime.GC() during a copying memory.grow took %v (of %v), want under %v", m, gcs, gcLatency)
	}
	if frozen > gcLatency {
		t.Errorf("the LibOS's goroutines stood still for %v, want under %v", frozen, gcLatency)
	}
	lab.close()
}

// gcLatency bounds a runtime.GC() while a guest spins.
const gcLatency = 250 * time.Millisecond

// spinLab is a LibOS with a per-process memory limit of spinMemoryLimit,
// whose root process sleeps; the test spawns spinners as its children,
// through the libos API, and kills them as the root would.
type spinLab struct {
	t       *testing.T
	ctx     context.Context
	l       *libos.LibOS
	root    *kernel.Process
	marks   *markWriter
	install func(map[string][]byte)
	// rootDone is closed when the root process has ended.
	rootDone chan struct{}
}

func newSpinLab(t *testing.T) *spinLab {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	cfg := config.Default()
	cfg.Process.DefaultMmapSize = spinMemoryLimit - cfg.Process.DefaultStackSize - cfg.Process.DefaultHeapSize
	cfg.ResourceLimits.UserSpaceSize = 2 * spinMemoryLimit
	lab := &spinLab{t: t, ctx: ctx, marks: &markWriter{ch: make(chan string, 64)}, rootDone: make(chan struct{})}
	l, install, cleanup, err := libostest.Boot(ctx, libostest.ProgramOptions{Config: cfg, Stdout: lab.marks, Stderr: lab.marks})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel() // ends the root process, if a failure left it running
		select {
		case <-lab.rootDone:
		case <-time.After(10 * time.Second):
		}
		cleanup()
	})
	lab.l = l
	lab.install = func(progs map[string][]byte) {
		t.Helper()
		for p, b := range progs {
			if err := install(p, b); err != nil {
				t.Fatal(err)
			}
		}
	}
	lab.install(map[string][]byte{
		"/bin/sleeper": wattest.Compile(t, sleeperWAT),
		"/bin/exit7":   exit7(),
		"/bin/p-exit7": spawnParent("/bin/exit7", 0, 8),
	})
	go func() {
		defer close(lab.rootDone)
		if _, err := l.Run(ctx, "/bin/sleeper", []string{"sleeper"}, nil); err != nil {
			t.Error(err)
		}
	}()
	lab.root = waitRoot(t, l)
	return lab
}

func (lab *spinLab) spawn(path string) (*kernel.Process, errno.Errno) {
	return lab.l.Spawn(lab.ctx, lab.root, kernel.SpawnRequest{Path: path, Argv: []string{path}})
}

// wait waits for p to exit (at most d) and reaps it.
func (lab *spinLab) wait(p *kernel.Process, d time.Duration) (kernel.WaitStatus, bool) {
	select {
	case <-p.Done():
		lab.l.Kernel().Reap(p)
		return p.Status(), true
	case <-time.After(d):
		return 0, false
	}
}

// start spawns path and waits until it has written mark.
func (lab *spinLab) start(path, mark string) *kernel.Process {
	t := lab.t
	t.Helper()
	lab.marks.drain()
	p, e := lab.spawn(path)
	if e != 0 {
		t.Fatalf("spawn %s: %v", path, e)
	}
	if err := lab.marks.await(mark, 30*time.Second); err != nil {
		p.Kill(kernel.SIGKILL)
		lab.wait(p, 10*time.Second)
		t.Fatalf("%s: %v", path, err)
	}
	return p
}

// kill sends sig to p from the root process, as kill(2), and returns how
// long p took to be gone.
func (lab *spinLab) kill(p *kernel.Process, sig kernel.Signal) time.Duration {
	t := lab.t
	t.Helper()
	start := time.Now()
	if e := lab.root.SendSignal(p.PID, sig); e != 0 {
		t.Fatalf("kill(%d, %v): %v", p.PID, sig, e)
	}
	st, ok := lab.wait(p, 10*time.Second)
	lat := time.Since(start)
	if !ok {
		t.Fatalf("%s: still running 10 s after %v", p.Args[0], sig)
	}
	if st != kernel.Signaled(sig) {
		t.Errorf("%s: status %#x after %v, want killed by it", p.Args[0], st, sig)
	}
	return lat
}

// close kills the root process and checks that no process is left.
func (lab *spinLab) close() {
	t := lab.t
	lab.root.Kill(kernel.SIGKILL)
	select {
	case <-lab.rootDone:
	case <-time.After(10 * time.Second):
		t.Fatal("root not killed")
	}
	if n := lab.l.Kernel().Count(); n != 0 {
		t.Errorf("%d processes left", n)
	}
}

// serving checks, while a guest spins, that 20 spawns complete within a
// second and that garbage collections complete promptly.
func (lab *spinLab) serving(name string) {
	t := lab.t
	t.Helper()
	start := time.Now()
	for i := 0; i < 20; i++ {
		path := []string{"/bin/exit7", "/bin/p-exit7"}[i%2]
		p, e := lab.spawn(path)
		if e != 0 {
			t.Errorf("%s spinning: spawn %s: %v", name, path, e)
			continue
		}
		if st, ok := lab.wait(p, 5*time.Second); !ok || st != kernel.Exited(7) {
			t.Errorf("%s spinning: %s: status %#x (finished: %v), want exit 7", name, path, st, ok)
		}
	}
	spawns := time.Since(start)
	if spawns > time.Second {
		t.Errorf("%s spinning: 20 spawns took %v, want under 1 s", name, spawns)
	}
	var gcs []time.Duration
	for i := 0; i < 3; i++ {
		done := make(chan time.Duration, 1)
		go func() {
			s := time.Now()
			runtime.GC()
			done <- time.Since(s)
		}()
		select {
		case d := <-done:
			gcs = append(gcs, d)
		case <-time.After(10 * time.Second):
			t.Fatalf("%s spinning: runtime.GC() stalled for 10 s", name)
		}
	}
	if max := slices.Max(gcs); max > gcLatency {
		t.Errorf("%s spinning: runtime.GC() took %v, want under %v", name, gcs, gcLatency)
	}
	t.Logf("%-12s spinning: 20 spawns in %v, GC %v", name, spawns.Round(time.Microsecond), gcs)
}

// markWriter is the LibOS's stdout: it passes on every word written.
type markWriter struct {
	ch chan string
}

func (w *markWriter) Write(p []byte) (int, error) {
	for _, line := range strings.Fields(string(p)) {
		select {
		case w.ch <- line:
		default:
		}
	}
	return len(p), nil
}

func (w *markWriter) drain() {
	for {
		select {
		case <-w.ch:
		default:
			return
		}
	}
}

func (w *markWriter) await(mark string, d time.Duration) error {
	timeout := time.After(d)
	for {
		select {
		case m := <-w.ch:
			if m == mark {
				return nil
			}
		case <-timeout:
			return fmt.Errorf("no %q after %v", mark, d)
		}
	}
}

// fibC builds the review's spinner with occlum-gcc at -O0: fib(80), which
// recurses without a loop. skip says why it is not available.
func fibC(t *testing.T) ([]byte, string) {
	gcc, skip, err := toolchaintest.Build()
	if err != nil {
		t.Fatal(err)
	}
	if skip != "" {
		return nil, skip
	}
	dir := t.TempDir()
	src, out := filepath.Join(dir, "fib.c"), filepath.Join(dir, "fib")
	err = os.WriteFile(src, []byte(`#include <unistd.h>
long fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
int main(void) {
	write(1, "spinning\n", 9);
	return (int)fib(80);
}
`), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command(gcc, "-O0", "-o", out, src).CombinedOutput(); err != nil {
		t.Fatalf("occlum-gcc: %v\n%s", err, b)
	}
	bin, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return bin, ""
}

// A module naming a global index equal to its own global count named the
// budget global the rewrite adds: `loop { global.set N (1000) }` refilled
// its own preemption budget forever, unkillable. The loader refuses it,
// saying why, whether it is the root program or a spawned one.
func TestGlobalIndexOfTheBudgetRefused(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out markWriter
	out.ch = make(chan string, 1)
	l, install, cleanup, err := libostest.Boot(ctx, libostest.ProgramOptions{Stdout: &out, Stderr: &out})
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	for _, tc := range []struct {
		globals string
		n       int
	}{
		{"", 0},
		{"(global $g (mut i32) (i32.const 0))", 1},
		{"(global (mut i32) (i32.const 0)) (global i64 (i64.const 0)) (global (mut f64) (f64.const 0))", 3},
	} {
		wat := fmt.Sprintf(`(module %s (memory (export "memory") 1)
		  (func (export "_start") (loop (global.set %d (i32.const 1000)) (br 0))))`, tc.globals, tc.n)
		if err := install("/bin/refill", wattest.Compile(t, wat, wattest.NoCheck)); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		var st kernel.WaitStatus
		go func() {
			defer close(done)
			st, err = l.Run(ctx, "/bin/refill", []string{"refill"}, nil)
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			l.SignalRoot(kernel.SIGKILL)
			<-done
			t.Fatalf("%d globals: the program ran (status %#x after SIGKILL)", tc.n, st)
		}
		// "/bin/refill: invalid WebAssembly: section 10: function 0: global
		// index 1 out of range (at byte 6)"
		want := fmt.Sprintf("global index %d out of range", tc.n)
		var pe *libos.ProgramError
		if !errors.As(err, &pe) || pe.Errno != errno.ENOEXEC || !strings.HasPrefix(err.Error(), "/bin/refill: invalid WebAssembly: ") ||
			!strings.Contains(err.Error(), want) {
			t.Errorf("%d globals: err %v, want ENOEXEC naming the path and %q", tc.n, err, want)
		}
		// Spawned by a guest: spawn fails with ENOEXEC, the parent goes on.
		if err := install("/bin/p-refill", wattest.Compile(t, spawnErrnoWAT)); err != nil {
			t.Fatal(err)
		}
		if st, err := l.Run(ctx, "/bin/p-refill", []string{"p-refill"}, nil); err != nil || st != kernel.Exited(uint8(abi.ToWASI(errno.ENOEXEC))) {
			t.Errorf("%d globals: a parent spawning it: status %#x, err %v; want exit ENOEXEC (%d)", tc.n, st, err, abi.ToWASI(errno.ENOEXEC))
		}
	}
	if n := l.Kernel().Count(); n != 0 {
		t.Errorf("%d processes left", n)
	}
}

// spawnErrnoWAT spawns /bin/refill and exits with spawn's errno.
const spawnErrnoWAT = `(module
  (import "occlum" "spawn" (func $spawn (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "/bin/refill")
  (data (i32.const 200) "\64\00\00\00\0b\00\00\00")
  (func (export "_start")
    (call $exit (call $spawn (i32.const 100) (i32.const 11) (i32.const 200) (i32.const 1)
      (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 300)))))`
