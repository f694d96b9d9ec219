package libos_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"testing"
	"time"

	"github.com/occlumgo/occlum/internal/wasmbuild"
	"github.com/occlumgo/occlum/libos/libostest"
	"github.com/occlumgo/occlum/syscalls/occlum"
)

func occ(name string, params ...byte) wasmbuild.Import {
	return wasmbuild.Import{Module: occlum.ModuleName, Name: name, Type: wasmbuild.Func{Params: params, Results: []byte{i32}}}
}

func i32s(n int) []byte { return bytes.Repeat([]byte{i32}, n) }

// spawnParent builds a parent that spawns child (with argv = [child]),
// optionally kills it with sig, waits for it, and exits with
// (status >> shift) & 0xff.
func spawnParent(child string, sig int32, shift int32) []byte {
	strvec := make([]byte, 8)
	binary.LittleEndian.PutUint32(strvec[0:], 100)
	binary.LittleEndian.PutUint32(strvec[4:], uint32(len(child)))
	c := wasmbuild.I32Const
	body := cat(c(100), c(int32(len(child))), c(200), c(1), c(0), c(0), c(0), c(0), c(0), c(300), wasmbuild.Call(1), wasmbuild.Drop)
	if sig != 0 {
		body = cat(body, c(300), wasmbuild.I32Load(), c(sig), wasmbuild.Call(3), wasmbuild.Drop)
	}
	body = cat(body, c(-1), c(0), c(304), c(308), wasmbuild.Call(2), wasmbuild.Drop,
		c(304), wasmbuild.I32Load(), c(shift), wasmbuild.I32Shru(), c(0xff), wasmbuild.I32And(), wasmbuild.Call(0))
	return wasmbuild.Module{MemoryPages: 1,
		Imports: []wasmbuild.Import{procExit, occ("spawn", i32s(10)...), occ("wait4", i32s(4)...), occ("kill", i32, i32)},
		Data:    map[uint32][]byte{100: []byte(child), 200: strvec},
		Body:    body}.Encode()
}

func TestSpawnWaitKill(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out bytes.Buffer
	l, install, cleanup, err := libostest.Boot(ctx, libostest.ProgramOptions{Stdout: &out, Stderr: &out})
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	progs := map[string][]byte{
		"/bin/exit7":       wasmbuild.Module{MemoryPages: 1, Imports: []wasmbuild.Import{procExit}, Body: cat(wasmbuild.I32Const(7), wasmbuild.Call(0))}.Encode(),
		"/bin/spin":        wasmbuild.Module{MemoryPages: 1, Body: wasmbuild.Loop()}.Encode(),
		"/bin/segv":        wasmbuild.Module{MemoryPages: 1, Body: cat(wasmbuild.I32Const(-4), wasmbuild.I32Load(), wasmbuild.Drop)}.Encode(),
		"/bin/p-exit7":     spawnParent("/bin/exit7", 0, 8),
		"/bin/p-segv":      spawnParent("/bin/segv", 0, 0),
		"/bin/p-kill-spin": spawnParent("/bin/spin", 9, 0),
		"/bin/p-term-spin": spawnParent("/bin/spin", 15, 0),
		"/bin/p-missing":   spawnParent("/bin/none", 0, 0),
	}
	for p, b := range progs {
		if err := install(p, b); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		parent string
		want   int
	}{
		{"/bin/p-exit7", 7},      // the child's exit code
		{"/bin/p-segv", 11},      // the child died of SIGSEGV
		{"/bin/p-kill-spin", 9},  // SIGKILL ends a child spinning without syscalls
		{"/bin/p-term-spin", 15}, // so does a fatal signal's default action
		{"/bin/p-missing", 0},    // spawn failed (ENOENT), wait4 found no child (ECHILD): status word untouched
	} {
		st, err := l.Run(ctx, tc.parent, []string{tc.parent}, nil)
		if err != nil || !st.IfExited() || st.ExitCode() != tc.want {
			t.Errorf("%s: status %#x (exit %d), err %v; want exit %d", tc.parent, st, st.ExitCode(), err, tc.want)
		}
	}
	if n := l.Kernel().Count(); n != 0 {
		t.Errorf("%d processes left in the table", n)
	}
}

// Ctrl-C on occlum run: SIGINT goes to the root process, whose default
// action ends it (and its status says so), even while it spins.
func TestSignalRoot(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	l, install, cleanup, err := libostest.Boot(ctx, libostest.ProgramOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	if err := install("/bin/spin", wasmbuild.Module{MemoryPages: 1, Body: wasmbuild.Loop()}.Encode()); err != nil {
		t.Fatal(err)
	}
	go func() {
		for l.Kernel().Count() == 0 {
			time.Sleep(time.Millisecond)
		}
		l.SignalRoot(2)
	}()
	st, err := l.Run(ctx, "/bin/spin", []string{"spin"}, nil)
	if err != nil || st.ShellStatus() != 130 {
		t.Fatalf("status %d, err %v; want 130 (SIGINT)", st.ShellStatus(), err)
	}
}

// A fork bomb — every process spawns itself over and over — is stopped by
// max_num_of_threads (spawn fails with EAGAIN), the LibOS stays responsive,
// and when the root exits every process is gone.
func TestForkBomb(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	l, install, cleanup, err := libostest.Boot(ctx, libostest.ProgramOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	const self = "/bin/bomb"
	strvec := make([]byte, 8)
	binary.LittleEndian.PutUint32(strvec[0:], 100)
	binary.LittleEndian.PutUint32(strvec[4:], uint32(len(self)))
	c := wasmbuild.I32Const
	loop := cat(
		c(404), // the last spawn's errno goes to 404
		c(100), c(int32(len(self))), c(200), c(1), c(0), c(0), c(0), c(0), c(0), c(300), wasmbuild.Call(1),
		wasmbuild.I32Store(),
		c(400), c(400), wasmbuild.I32Load(), c(1), wasmbuild.I32Add(), wasmbuild.I32Store(),
		c(400), wasmbuild.I32Load(), c(200), wasmbuild.I32LtU(), wasmbuild.BrIf(0),
	)
	body := cat([]byte{0x03, 0x40}, loop, wasmbuild.End, // loop ... end
		c(404), wasmbuild.I32Load(), wasmbuild.Call(0)) // exit with the last spawn's errno
	bomb := wasmbuild.Module{MemoryPages: 1,
		Imports: []wasmbuild.Import{procExit, occ("spawn", i32s(10)...)},
		Data:    map[uint32][]byte{100: []byte(self), 200: strvec},
		Body:    body}.Encode()
	if err := install(self, bomb); err != nil {
		t.Fatal(err)
	}
	if err := install("/bin/exit7", wasmbuild.Module{MemoryPages: 1, Imports: []wasmbuild.Import{procExit}, Body: cat(c(7), wasmbuild.Call(0))}.Encode()); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	st, err := l.Run(ctx, self, []string{self}, nil)
	if err != nil {
		t.Fatal(err)
	}
	const eagain = 6
	if !st.IfExited() || st.ExitCode() != eagain {
		t.Fatalf("root status %#x: want exit with EAGAIN (%d), the limit reached", st, eagain)
	}
	for deadline := time.Now().Add(10 * time.Second); l.Kernel().Count() != 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			var left []string
			for _, p := range l.Kernel().Processes() {
				select {
				case <-p.Done():
					left = append(left, fmt.Sprintf("%d(zombie of %d)", p.PID, p.Parent()))
				default:
					left = append(left, fmt.Sprintf("%d(running, parent %d, signal %v)", p.PID, p.Parent(), p.TermSignal()))
				}
			}
			t.Fatalf("%d processes left after the root exited: %v", l.Kernel().Count(), left)
		}
	}
	st, err = l.Run(ctx, "/bin/exit7", []string{"exit7"}, nil)
	if err != nil || st.ExitCode() != 7 {
		t.Fatalf("after the bomb: status %#x, err %v", st, err)
	}
	t.Logf("bomb defused in %v", time.Since(start))
}
