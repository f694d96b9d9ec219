package libos_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tetratelabs/wazero/api"
	"go.uber.org/zap"

	"github.com/occlumgo/occlum/config"
	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/kernel"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/fs/devfs"
	"github.com/occlumgo/occlum/fs/hostfs"
	"github.com/occlumgo/occlum/fs/ramfs"
	"github.com/occlumgo/occlum/internal/wasmbuild"
	"github.com/occlumgo/occlum/internal/wattest"
	"github.com/occlumgo/occlum/libos"
	"github.com/occlumgo/occlum/logging"
	"github.com/occlumgo/occlum/syscalls/abi"
	"github.com/occlumgo/occlum/syscalls/occlum"
	"github.com/occlumgo/occlum/syscalls/wasi"
)

// TestHostileGuests calls every function the LibOS exports to guests — every
// function of every family of libos.DefaultFamilies (WASI preview 1 and the
// occlum extension), enumerated from the ABI tables, so a new syscall is
// covered without editing this test — from a guest module that imports it
// with its exact signature and calls it a few hundred times with wild
// arguments: 0, -1, INT_MIN/MAX, the memory size and its neighbours,
// pointers just past the end of memory, lengths that wrap when added to
// their pointer, huge i64 values, and structures in memory (iovecs, string
// vectors, poll subscriptions, spawn file actions, paths) that are
// themselves wild. The calls are generated deterministically from the
// function's signature and parameter names.
//
// It asserts that:
//   - the LibOS never panics: no call unwinds out of its implementation
//     (which is where a host panic would surface) and every hostile process
//     exits normally (status 0) after its last call — it is never killed;
//   - every call returns promptly (each is timed in its implementation);
//   - a sentinel process running the whole time keeps its memory intact;
//   - afterwards the LibOS still spawns and runs normal programs, from the
//     API and from a guest, and as a new root process;
//   - no goroutine is left over once the LibOS is closed;
//   - nothing appears on the host outside the hostfs mount (a temp dir).
//
// A call whose success would legitimately end or block the process is
// neutralized (see hostileKeep), never dropped: it is still made, with
// the arguments for which it must fail fast.
//
// It runs twice: with the ABI's direct wrappers, and with the tracing ones
// (OCCLUM_LOG_LEVEL=trace), which format every argument.
func TestHostileGuests(t *testing.T) {
	if testing.Short() {
		t.Skip("hostile guests: -short")
	}
	t.Run("direct", func(t *testing.T) { hostileGuests(t, nil) })
	t.Run("traced", func(t *testing.T) {
		var trace countingWriter
		hostileGuests(t, logging.New(logging.TraceLevel, &trace))
		if trace.n.Load() == 0 {
			t.Error("nothing traced")
		}
	})
}

func hostileGuests(t *testing.T, log *zap.Logger) {
	goroutines := runtime.NumGoroutine()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	// The host side: the hostfs mount is mnt; outside it, a directory
	// with a file, and the places an escaping guest would write to.
	tmp := hostTempDir(t)
	mnt := filepath.Join(tmp, "mnt")
	outside := filepath.Join(tmp, "outside")
	for _, d := range []string{mnt, outside} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(outside, "keep"), []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	hostBefore := hostSnapshot(t, tmp, mnt)
	escapes := escapeCandidates(tmp)
	for _, p := range escapes {
		if _, err := os.Lstat(p); err == nil {
			t.Fatalf("%s exists before the test (left by an earlier run that escaped the mount?): remove it", p)
		}
	}

	rec := newRecorder()
	var stdout countingWriter
	l, install, cleanup, err := bootRecorded(ctx, mnt, rec, &stdout, log)
	if err != nil {
		t.Fatal(err)
	}
	var rootStatus kernel.WaitStatus
	rootDone := make(chan struct{}) // closed when the root process has ended
	closed := false
	defer func() {
		if !closed { // a failure: end the processes first
			cancel()
			select {
			case <-rootDone:
			case <-time.After(10 * time.Second):
			}
			cleanup()
		}
	}()

	// Programs.
	c := wattest.Compile
	progs := map[string][]byte{
		"/bin/sleeper":  c(t, sleeperWAT),
		"/bin/sentinel": c(t, sentinelWAT),
		"/bin/exit7":    exit7(),
		"/bin/p-exit7":  spawnParent("/bin/exit7", 0, 8),
	}
	img := hostileImage()
	type hostileProg struct {
		fam, name, path string
		calls, skipped  int
	}
	var hostile []hostileProg
	for _, fam := range libos.DefaultFamilies() {
		for _, f := range fam.Funcs {
			if fam.Name == wasi.ModuleName && f.Name == "proc_exit" {
				continue // ends the process whatever its argument: TestHostileProcExit
			}
			calls, skipped := hostileCalls(fam.Name, f, img)
			path := "/bin/hostile-" + fam.Name + "-" + f.Name
			progs[path] = c(t, hostileWAT(fam.Name, f, img, calls))
			hostile = append(hostile, hostileProg{fam.Name, f.Name, path, len(calls), skipped})
		}
	}
	covered := map[string]bool{wasi.ModuleName + ".proc_exit": true}
	for _, h := range hostile {
		covered[h.fam+"."+h.name] = true
	}
	abiFams := libos.Families{{Name: wasi.ModuleName, Funcs: wasi.Funcs()}, {Name: occlum.ModuleName, Funcs: occlum.Funcs()}}
	for _, fam := range abiFams {
		for _, f := range fam.Funcs {
			if !covered[fam.Name+"."+f.Name] {
				t.Errorf("%s.%s is not called: is it missing from libos.DefaultFamilies?", fam.Name, f.Name)
			}
		}
	}
	for p, b := range progs {
		if err := install(p, b); err != nil {
			t.Fatal(err)
		}
	}

	// The root process sleeps; every other process is its child.
	go func() {
		defer close(rootDone)
		st, err := l.Run(ctx, "/bin/sleeper", []string{"sleeper"}, nil)
		if err != nil {
			t.Error(err)
		}
		rootStatus = st
	}()
	root := waitRoot(t, l)
	spawn := func(path string, argv ...string) *kernel.Process {
		t.Helper()
		p, e := l.Spawn(ctx, root, kernel.SpawnRequest{Path: path, Argv: argv, Env: []string{"HOSTILE=1", "PATH=/bin"}})
		if e != 0 {
			t.Fatalf("spawn %s: %v", path, e)
		}
		return p
	}
	sentinel := spawn("/bin/sentinel", "sentinel")

	start := time.Now()
	const rounds = 2 // the second round meets what the first left (files, links, directories)
	for round := 0; round < rounds; round++ {
		for _, h := range hostile {
			p := spawn(h.path, "hostile", h.name)
			select {
			case <-p.Done():
			case <-time.After(20 * time.Second):
				t.Errorf("%s.%s: still running after 20 s; in flight: %s", h.fam, h.name, rec.inflightString(p.PID))
				p.Kill(kernel.SIGKILL)
				<-p.Done()
			}
			if st := p.Status(); st != kernel.Exited(0) {
				t.Errorf("%s.%s (round %d): status %#x (shell %d), want a normal exit after its last call; last call: %s",
					h.fam, h.name, round, st, st.ShellStatus(), rec.lastString(p.PID))
			}
			l.Kernel().Reap(p)
		}
	}
	elapsed := time.Since(start)

	// What the calls did.
	total, slowest, slowestSync := rec.report(t)
	for _, u := range rec.unwound {
		t.Errorf("a call unwound out of its implementation (a host panic?): %s", u)
	}
	// fd_sync and fd_datasync of a hostfs file wait for the host's disk:
	// measured up to 1.2 s on ext4 while other tests wrote to it.
	const prompt, promptSync = time.Second, 10 * time.Second
	if slowest.d > prompt {
		t.Errorf("slowest call took %v (> %v): %s", slowest.d, prompt, slowest.call)
	}
	if slowestSync.d > promptSync {
		t.Errorf("slowest sync took %v (> %v): %s", slowestSync.d, promptSync, slowestSync.call)
	}
	skipped := 0
	for _, h := range hostile {
		skipped += h.skipped
		want := rounds * h.calls
		switch h.fam + "." + h.name { // the prologue's calls
		case wasi.ModuleName + ".path_open":
			want += rounds * len(hostile) * len(setupPaths)
		case occlum.ModuleName + ".pipe2":
			want += rounds * len(hostile)
		}
		if n := rec.calls(h.fam + "." + h.name); n != want {
			t.Errorf("%s.%s: %d calls recorded, want %d", h.fam, h.name, n, want)
		}
	}
	t.Logf("%d functions, %d hostile calls in %v (%d neutralized as would-block/would-end); slowest %v: %s; slowest sync %v; %d bytes to stdout/stderr",
		len(hostile), total, elapsed, skipped, slowest.d, slowest.call, slowestSync.d, stdout.n.Load())

	// The sentinel ran beside all of it with its memory intact.
	if e := touch(l, "/tmp/sentinel-stop"); e != 0 {
		t.Fatalf("creating /tmp/sentinel-stop: %v", e)
	}
	select {
	case <-sentinel.Done():
		if st := sentinel.Status(); st != kernel.Exited(42) {
			t.Errorf("sentinel status %#x (shell %d), want exit 42 (1: its memory changed)", st, st.ShellStatus())
		}
	case <-time.After(5 * time.Second):
		t.Errorf("sentinel did not stop")
	}

	// The LibOS still runs programs: a child spawned through the API, a
	// guest that spawns and waits for its own child, and a new root.
	for _, path := range []string{"/bin/exit7", "/bin/p-exit7"} {
		p := spawn(path, path)
		select {
		case <-p.Done():
			if st := p.Status(); st != kernel.Exited(7) {
				t.Errorf("%s after the hostile calls: status %#x, want exit 7", path, st)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("%s after the hostile calls: did not finish", path)
		}
	}
	root.Kill(kernel.SIGKILL)
	select {
	case <-rootDone:
		if rootStatus != kernel.Signaled(kernel.SIGKILL) {
			t.Errorf("root (sleeper) status %#x, want SIGKILL: a hostile call reached it", rootStatus)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("root process not killed")
	}
	if st, err := l.Run(ctx, "/bin/p-exit7", []string{"p-exit7"}, nil); err != nil || st != kernel.Exited(7) {
		t.Errorf("new root after the hostile calls: status %#x, err %v; want exit 7", st, err)
	}
	if n := l.Kernel().Count(); n != 0 {
		t.Errorf("%d processes left in the table", n)
	}

	cleanup()
	closed = true
	checkGoroutines(t, goroutines)

	// Nothing escaped the mount.
	for _, p := range escapes {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("%s appeared on the host, outside the hostfs mount", p)
			os.RemoveAll(p)
		}
	}
	if after := hostSnapshot(t, tmp, mnt); !slices.Equal(hostBefore, after) {
		t.Errorf("the host directory around the mount changed:\nbefore %q\nafter  %q", hostBefore, after)
	}
}

// proc_exit ends its process whatever its argument, so it cannot be
// called repeatedly: each wild value gets a process of its own, which
// must exit with the value's low byte, as on Linux. proc_raise of a
// fatal signal likewise ends only its caller, killed by that signal.
func TestHostileProcExit(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	l, install, cleanup, err := bootRecorded(ctx, "", nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	for _, v := range []uint32{0, 1, 42, 255, 256, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff} {
		wat := fmt.Sprintf(`(module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
		  (memory (export "memory") 1)
		  (func (export "_start") (call $exit (i32.const %d)) unreachable))`, int32(v))
		if err := install("/bin/exit", wattest.Compile(t, wat)); err != nil {
			t.Fatal(err)
		}
		st, err := l.Run(ctx, "/bin/exit", []string{"exit"}, nil)
		if err != nil || st != kernel.Exited(uint8(v)) {
			t.Errorf("proc_exit(%#x): status %#x, err %v; want exit %d", v, st, err, uint8(v))
		}
	}
	for _, tc := range []struct {
		wasi uint32
		want kernel.Signal
	}{{15, kernel.SIGTERM}, {9, kernel.SIGKILL}, {11, kernel.SIGSEGV}, {30, 31}} { // WASI 30 is SIGSYS (31)
		wat := fmt.Sprintf(`(module (import "wasi_snapshot_preview1" "proc_raise" (func $raise (param i32) (result i32)))
		  (memory (export "memory") 1)
		  (func (export "_start") (drop (call $raise (i32.const %d)))))`, tc.wasi)
		if err := install("/bin/raise", wattest.Compile(t, wat)); err != nil {
			t.Fatal(err)
		}
		st, err := l.Run(ctx, "/bin/raise", []string{"raise"}, nil)
		if err != nil || st != kernel.Signaled(tc.want) {
			t.Errorf("proc_raise(%d): status %#x, err %v; want killed by %v", tc.wasi, st, err, tc.want)
		}
	}
}

// ---- the hostile guest's memory ----

// Layout of the one 64 KiB page of a hostile module. Regions hold
// structures for pointer arguments to point at: good ones, so that a wild
// value in one argument reaches the checks behind the others, and bad ones.
const (
	hPage     = 65536
	hStrings  = 256   // hostilePaths, one per 64-byte slot
	hSlot     = 64    //
	hIov      = 2048  // good iovecs (4)
	hBadIov   = 2112  // iovecs that leave memory or wrap (8)
	hStrvec   = 3072  // good string vector (2); bad ones at +64 (4)
	hSubs     = 3584  // poll subscriptions (8 of 48 bytes)
	hActs     = 4096  // spawn file actions (8 of 32 bytes)
	hAttr     = 4608  // spawn attributes: good, bad at +32
	hSigact   = 4864  // sigactions (3 of 24 bytes)
	hRlimit   = 5120  // rlimits (4 of 16 bytes)
	hSigset   = 5376  // signal sets: all, none
	hOut      = 6144  // scratch for results (1 KiB)
	hSetupStr = 7424  // the prologue's paths: no hostile value names them
	hSetupOut = 7936  // the prologue's results
	hBuf      = 8192  // 4 KiB of data
	hLong     = 16384 // "../" * 1365 and one more byte: paths of 4095 and 4096 bytes

	// escapeName is what a guest escaping the hostfs mount would create.
	escapeName = "occlum-hostile-escape"
	atFdcwd    = 0xffffff9c // -100
)

var hostilePaths = []string{
	"/host/hostile-file",
	"/tmp/hostile",
	"hostile-rel",
	"/host/hostile-dir",
	"/host/hostile-link",
	"../../../../../../../../tmp/" + escapeName,
	"/host/../../../../" + escapeName,
	"/host/hostile-dir/../../../" + escapeName,
	".", "..", "/", "/host", "/dev/null",
	"/host/hostile-file/",
	"bad\x00nul",
	"/host/hostile-link/x",
	"/host/" + escapeName + "/../../" + escapeName,
}

// The prologue opens these as descriptors 4, 5, 6, then a non-blocking
// pipe as 7 (read end, empty) and 8, then /dev/null as 9.
var setupPaths = []struct {
	path   string
	oflags uint32 // WASI oflags
	rights uint64
	fd     int32
}{
	{"/tmp/setup-ram", 1, 1<<1 | 1<<6, 4},   // creat, read+write
	{"/host/setup-host", 1, 1<<1 | 1<<6, 5}, // creat, read+write
	{"/host", 2, 1 << 1, 6},                 // directory
	{"/dev/null", 0, 1<<1 | 1<<6, 9},
}

func hostileImage() []byte {
	m := make([]byte, hPage)
	le := binary.LittleEndian
	u32s := func(at int, vs ...uint32) {
		for i, v := range vs {
			le.PutUint32(m[at+4*i:], v)
		}
	}
	for i, s := range hostilePaths {
		copy(m[hStrings+i*hSlot:], s)
	}
	str := func(i int) (uint32, uint32) { return uint32(hStrings + i*hSlot), uint32(len(hostilePaths[i])) }
	u32s(hIov, hBuf, 64, hBuf+64, 0, hBuf+128, 32, hBuf+256, 1024)
	u32s(hBadIov, hPage-4, 8, 16, 0xfffffff0, 0xffffffff, 1, 0, hPage, hPage, 0, hPage, 1, 0x80000000, 0x80000000, hBuf, 0x7fffffff)
	p0, l0 := str(0)
	p2, l2 := str(2)
	p14, l14 := str(14)
	u32s(hStrvec, p0, l0, p2, l2)
	u32s(hStrvec+64, p0, 0xffffffff, hPage-2, 4, p14, l14, 0xfffffff0, 32)
	sub := func(i int, userdata uint64, kind byte, id uint32, timeout uint64, flags uint16) {
		b := m[hSubs+48*i:]
		le.PutUint64(b[0:], userdata)
		b[8] = kind
		le.PutUint32(b[16:], id)
		le.PutUint64(b[24:], timeout)
		le.PutUint16(b[40:], flags)
	}
	sub(0, 0x1111, 0, 0, 0, 0)        // realtime, relative 0: fires at once
	sub(1, 0x2222, 1, 0, 0, 0)        // fd_read stdin (EOF): ready
	sub(2, 0x3333, 2, 1, 0, 0)        // fd_write stdout: ready
	sub(3, 0x4444, 0, 1, 0, 1)        // monotonic, absolute 0: past
	sub(4, 0x5555, 0, 0, 1<<62, 0)    // an eternity (never first: no pointer names it)
	sub(5, 0x6666, 1, 7, 0, 0)        // the empty pipe
	sub(6, 0x7777, 9, 0, 0, 0)        // unknown kind
	sub(7, ^uint64(0), 0, 99, 1, 0xf) // unknown clock, bad flags
	act := func(i int, op, fd, newfd, flags, mode, path, plen uint32) {
		u32s(hActs+32*i, op, fd, newfd, flags, mode, path, plen)
	}
	p1, l1 := str(1)
	p11, l11 := str(11)
	act(0, 1, 10, 0, 0x42, 0o644, p1, l1) // open /tmp/hostile O_CREAT|O_RDWR
	act(1, 2, 0, 0, 0, 0, 0, 0)           // close 0
	act(2, 3, 4, 11, 0, 0, 0, 0)          // dup2 4 11
	act(3, 4, 0, 0, 0, 0, p11, l11)       // chdir /host
	act(4, 5, 6, 0, 0, 0, 0, 0)           // fchdir 6
	act(5, 1, 12, 0, 0x42, 0, 0xfffffff0, 64)
	act(6, 99, 0, 0, 0, 0, 0, 0)
	act(7, 3, 0x7fffffff, 0xffffffff, 0, 0, 0, 0)
	u32s(hAttr, 0x0a, 0, 0, 0, 0xffffffff, 0xffffffff) // setpgroup|setsigmask, all blocked
	u32s(hAttr+32, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff)
	u32s(hSigact, 1, 0x10000000, 0xffffffff, 0xffffffff) // SIG_IGN, SA_RESTART
	u32s(hSigact+24, 5, 0, 0, 0)                         // a handler: no trampoline
	u32s(hSigact+48, 0, 1, 0, 0)                         // unknown flag
	le.PutUint64(m[hRlimit:], 1024)
	le.PutUint64(m[hRlimit+8:], 1024)
	le.PutUint64(m[hRlimit+16:], math.MaxUint64)
	le.PutUint64(m[hRlimit+24:], math.MaxUint64)
	le.PutUint64(m[hRlimit+32:], 10)
	le.PutUint64(m[hRlimit+40:], 5)
	le.PutUint64(m[hSigset:], math.MaxUint64)
	at := hSetupStr
	for _, s := range setupPaths {
		copy(m[at:], s.path)
		at += 32
	}
	for i := 0; i < 4096; i++ {
		m[hBuf+i] = "hostile data \x00\xff\n"[i%16]
	}
	copy(m[hLong:], strings.Repeat("../", 1365)+"x")
	return m
}

// ---- the calls ----

// u32Wild are the i32 values every i32 parameter takes in turn.
var u32Wild = []uint32{
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 16, 17, 24, 31, 32, 63, 64, 65, 255, 256,
	hStrings, hIov, hBadIov, hStrvec, hStrvec + 64, hSubs, hActs, hAttr, hAttr + 32, hSigact, hSigact + 24,
	hRlimit, hRlimit + 32, hSigset, hOut, hBuf, hLong,
	4095, 4096, 4097, 0x7fff, 0xffff - 7, hPage - 8, hPage - 4, hPage - 1, hPage, hPage + 1, 2 * hPage, 1 << 24,
	0x7fffffff, 0x80000000, 0x80000001, 0xfffffff0, 0xfffffff8, 0xfffffffc, 0xfffffffe, 0xffffffff, atFdcwd,
}

// u64Wild are the values of every i64 parameter.
var u64Wild = []uint64{
	0, 1, 2, 16, 4096, hPage, 0x7fffffff, 0x80000000, 0xffffffff, 1 << 32, 1 << 40, 1 << 62,
	math.MaxInt64, 1 << 63, 1<<63 + 1, math.MaxUint64, math.MaxUint64 - 1, math.MaxUint64 - 4095, math.MaxUint64 - 1<<62 + 1,
	0x0123456789abcdef,
}

// ptrLen are the (pointer, length) pairs of parameters that come in pairs.
func ptrLenWild() [][2]uint32 {
	var out [][2]uint32
	for i, s := range hostilePaths {
		out = append(out, [2]uint32{uint32(hStrings + i*hSlot), uint32(len(s))})
	}
	return append(out,
		[2]uint32{hStrings, 5}, [2]uint32{hLong, 4095}, [2]uint32{hLong, 4096}, [2]uint32{hLong, 0xffffffff},
		[2]uint32{hIov, 1}, [2]uint32{hIov, 4}, [2]uint32{hIov, 1024}, [2]uint32{hIov, 1025}, [2]uint32{hIov, 0x20000000},
		[2]uint32{hBadIov, 1}, [2]uint32{hBadIov + 8, 1}, [2]uint32{hBadIov + 16, 1}, [2]uint32{hBadIov + 24, 1},
		[2]uint32{hBadIov + 32, 1}, [2]uint32{hBadIov + 40, 1}, [2]uint32{hBadIov + 48, 1}, [2]uint32{hBadIov + 56, 1}, [2]uint32{hBadIov, 8},
		[2]uint32{hStrvec, 2}, [2]uint32{hStrvec + 64, 4}, [2]uint32{hActs, 8}, [2]uint32{hSubs, 8},
		[2]uint32{hBuf, 0}, [2]uint32{hBuf, 4096}, [2]uint32{0, 0}, [2]uint32{0, hPage}, [2]uint32{1, hPage},
		[2]uint32{hPage, 0}, [2]uint32{hPage - 1, 1}, [2]uint32{hPage - 1, 2}, [2]uint32{hPage - 8, 8}, [2]uint32{hPage - 8, 9},
		[2]uint32{16, 0xfffffff0}, [2]uint32{0xffffffff, 1}, [2]uint32{0xffffffff, 0}, [2]uint32{0x80000000, 0x80000000},
		[2]uint32{hOut, 0x7fffffff}, [2]uint32{hBuf, 0x100000000 - hBuf},
	)
}

// pairedLen names the length parameter that goes with a pointer parameter.
func pairedLen(params []abi.Param, i int) bool {
	if i+1 >= len(params) || params[i].Type != api.ValueTypeI32 || params[i+1].Type != api.ValueTypeI32 {
		return false
	}
	a, b := params[i].Name, params[i+1].Name
	return b == a+"_len" || (a == "argv" && b == "argc") || (a == "envp" && b == "envc") || (a == "actions" && b == "nactions")
}

// hostileBase returns the starting arguments of f: plausible ones, so that
// a wild value in one argument is checked with the others valid. They come
// from the parameter names; an unknown name starts at 0.
func hostileBase(f abi.Func) []uint64 {
	hasPath := false
	for _, p := range f.Params {
		hasPath = hasPath || strings.Contains(p.Name, "path")
	}
	args := make([]uint64, len(f.Params))
	paths, results := 0, 0
	for i := 0; i < len(f.Params); i++ {
		p := f.Params[i]
		var v uint64
		switch n := p.Name; {
		case strings.HasPrefix(n, "result."):
			v = hOut + 64*uint64(results)
			results++
		case pairedLen(f.Params, i):
			var ptr, l uint64
			switch {
			case strings.Contains(n, "path"):
				slot := []int{0, 4}[min(paths, 1)]
				paths++
				ptr, l = uint64(hStrings+slot*hSlot), uint64(len(hostilePaths[slot]))
			case n == "iovs" || n == "ri_data" || n == "si_data":
				ptr, l = hIov, 4
			case n == "argv" || n == "envp":
				ptr, l = hStrvec, 2
			case n == "actions":
				ptr, l = hActs, 5
			default: // buf
				ptr, l = hBuf, 64
			}
			args[i], args[i+1] = ptr, l
			i++
			continue
		case n == "fd" || n == "old_fd" || n == "new_fd":
			if hasPath {
				v = atFdcwd
			} else {
				v = 4
			}
		case n == "to" || n == "newfd":
			v = 10
		case n == "in":
			v = hSubs
		case n == "nsubscriptions":
			v = 2
		case n == "attr":
			v = hAttr
		case n == "act":
			v = hSigact
		case n == "set":
			v = hSigset
		case n == "rlimit" || n == "new":
			v = hRlimit
		case n == "resource":
			v = 7 // RLIMIT_NOFILE
		case n == "id":
			v = 1 // monotonic
		case n == "cmd":
			v = 1 // F_GETFD
		case n == "mask":
			v = 0o22
		case n == "options":
			v = 1 // WNOHANG
		case n == "dirflags" || n == "old_flags":
			v = 1 // follow symlinks
		case n == "oflags":
			v = 1 // O_CREAT
		case n == "fs_rights_base" || n == "fs_rights_inheriting":
			v = 1<<1 | 1<<6 // fd_read, fd_write
		case n == "len" || n == "size":
			v = 16
		case n == "out" || n == "buf" || n == "argv" || n == "environ" || strings.HasSuffix(n, "_buf"):
			v = hOut + 256 + 128*uint64(results)
			results++
		}
		args[i] = v
	}
	return args
}

// hostileCalls returns the argument lists f is called with: the base
// arguments, each argument (or pointer-length pair) set in turn to each
// wild value, then random mixtures, all from a generator seeded by f's
// name; minus those hostileKeep neutralizes (their number is returned).
func hostileCalls(fam string, f abi.Func, img []byte) (calls [][]uint64, skipped int) {
	base := hostileBase(f)
	var all [][]uint64
	with := func(i int, v uint64) {
		a := slices.Clone(base)
		a[i] = v
		all = append(all, a)
	}
	all = append(all, base)
	pairs := ptrLenWild()
	for i, p := range f.Params {
		if p.Type == api.ValueTypeI64 {
			for _, v := range u64Wild {
				with(i, v)
			}
			continue
		}
		for _, v := range u32Wild {
			with(i, uint64(v))
		}
		if pairedLen(f.Params, i) {
			for _, pl := range pairs {
				a := slices.Clone(base)
				a[i], a[i+1] = uint64(pl[0]), uint64(pl[1])
				all = append(all, a)
			}
		}
	}
	h := fnv.New64a()
	h.Write([]byte(fam + "." + f.Name))
	rng := rand.New(rand.NewPCG(h.Sum64(), 0x0cc1))
	for k := 0; k < 160 && len(f.Params) > 0; k++ {
		a := slices.Clone(base)
		for i := 0; i < len(a); i++ {
			switch r := rng.IntN(4); {
			case r == 0:
			case f.Params[i].Type == api.ValueTypeI64:
				a[i] = u64Wild[rng.IntN(len(u64Wild))]
			case r == 1 && pairedLen(f.Params, i):
				pl := pairs[rng.IntN(len(pairs))]
				a[i], a[i+1] = uint64(pl[0]), uint64(pl[1])
				i++
			default:
				a[i] = uint64(u32Wild[rng.IntN(len(u32Wild))])
			}
		}
		all = append(all, a)
	}
	if len(f.Params) == 0 {
		for k := 0; k < 16; k++ {
			all = append(all, nil)
		}
	}
	for _, a := range all {
		if hostileKeep(fam, f.Name, a, img) {
			calls = append(calls, a)
		} else {
			skipped++
		}
	}
	return calls, skipped
}

// hostileKeep neutralizes the calls whose success would legitimately end
// or block the hostile process, or end the test's other processes (the
// sleeping root, the sentinel): it keeps a call of such a function only
// with arguments for which it must fail fast (or do nothing). Everything
// else is kept. The neutralizations that need no filter:
//   - proc_exit is not called here at all (TestHostileProcExit);
//   - execve and spawn never name a program: no string in the guest's
//     memory is the path of one (they fail with ENOENT, ENOEXEC, EFAULT...);
//   - wait4: the hostile process has no children (ECHILD at once);
//   - reads block on nothing: the LibOS's stdin is at end of file, the
//     prologue's pipe is non-blocking (and fd_read is never in the same
//     module as the calls that could clear O_NONBLOCK).
func hostileKeep(fam, name string, a []uint64, img []byte) bool {
	i32 := func(i int) int32 { return int32(uint32(a[i])) }
	notSelfOrOthers := func(pid int32) bool {
		// No pid of this test reaches 1000; -pid of MinInt32 is itself.
		return pid >= 1000 || (pid < -1 && -int64(pid) >= 1000)
	}
	harmless := func(sig int32) bool { // fails (EINVAL), checks only (0), or is ignored
		return sig < 0 || sig > kernel.NumSignals || sig == 0 || kernel.Signal(sig).DefaultIgnored()
	}
	switch fam + "." + name {
	case occlum.ModuleName + ".kill":
		// A fatal signal to the caller (pid 0 is its group, shared with
		// the root and the sentinel; -1 is everyone) would end the test's
		// processes; kill(2) would legitimately do it.
		return harmless(i32(1)) || notSelfOrOthers(i32(0))
	case wasi.ModuleName + ".proc_raise":
		// raise(3) of a fatal signal legitimately ends the caller
		// (TestHostileProcExit checks that it ends only the caller).
		w := uint32(a[0])
		if w == 0 || w > 30 {
			return true
		}
		sig := int32(w)
		if w >= 16 {
			sig++
		}
		return harmless(sig)
	case occlum.ModuleName + ".sigsuspend":
		// With a readable mask it waits for a signal that never comes:
		// only masks outside memory (EFAULT).
		return a[0]+8 > hPage
	case occlum.ModuleName + ".prlimit":
		// Setting the limits of another process (the root, whose
		// descriptor table every child inherits) is allowed to root.
		return a[2] == 0 || i32(0) == 0 || i32(0) < 0 || i32(0) >= 1000
	case occlum.ModuleName + ".poll":
		// poll(fds, nfds, timeout_ns, sigmask, result) with a timeout is a
		// sleep: only those that must return at once (no wait, or
		// arguments that fail their checks).
		fits := func(p, size uint64) bool { return p+size <= uint64(len(img)) }
		timeout := int64(a[2])
		return timeout == 0 || (timeout > 0 && timeout < int64(time.Millisecond)) ||
			!fits(uint64(uint32(a[0])), 8*uint64(uint32(a[1]))) || !fits(uint64(uint32(a[4])), 4) ||
			(uint32(a[3]) != 0 && !fits(uint64(uint32(a[3])), 8))
	case wasi.ModuleName + ".poll_oneoff":
		// A poll whose subscriptions are all long clocks or the empty
		// pipe is a sleep: only those that must return at once.
		return !pollMayBlock(img, uint32(a[0]), uint32(a[1]), uint32(a[2]), uint32(a[3]))
	}
	return true
}

// pollMayBlock reports whether poll_oneoff(in, out, n, result) over the
// initial memory img could wait: its arguments pass the checks, every
// subscription decodes, and none fires at once.
func pollMayBlock(img []byte, in, out, n, result uint32) bool {
	fits := func(p, size uint32) bool { return uint64(p)+uint64(size) <= uint64(len(img)) }
	if n == 0 || n > 4096 || !fits(in, 48*n) || !fits(out, 32*n) || !fits(result, 4) {
		return false
	}
	le := binary.LittleEndian
	for i := uint32(0); i < n; i++ {
		b := img[in+48*i:]
		switch b[8] {
		case 0:
			id, timeout, flags := le.Uint32(b[16:]), le.Uint64(b[24:]), le.Uint16(b[40:])
			switch {
			case id > 3 || (flags&1 != 0 && id > 1):
				return false // clock error: an event at once
			case flags&1 != 0 && id == 0 && timeout < uint64(time.Now().UnixNano()):
				return false
			case flags&1 != 0 && id == 1 && timeout < uint64(time.Millisecond):
				return false
			case flags&1 == 0 && timeout < uint64(time.Millisecond):
				return false
			}
		case 1, 2:
			if fd := le.Uint32(b[16:]); fd != 3 && fd != 6 && fd != 7 {
				return false // ready, or not open: an event at once
			}
		default:
			return false // EINVAL
		}
	}
	return true
}

// hostileWAT writes the module: a prologue opening the descriptors the
// wild values name, then every call, dropping its errno.
func hostileWAT(fam string, f abi.Func, img []byte, calls [][]uint64) string {
	var b strings.Builder
	typ := func(ps []api.ValueType, rs []api.ValueType) string {
		s := ""
		if len(ps) > 0 {
			s += " (param"
			for _, p := range ps {
				s += " " + api.ValueTypeName(p)
			}
			s += ")"
		}
		if len(rs) > 0 {
			s += " (result"
			for _, r := range rs {
				s += " " + api.ValueTypeName(r)
			}
			s += ")"
		}
		return s
	}
	var params []api.ValueType
	for _, p := range f.Params {
		params = append(params, p.Type)
	}
	b.WriteString("(module\n")
	b.WriteString(`  (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))` + "\n")
	b.WriteString(`  (import "occlum" "pipe2" (func $pipe2 (param i32 i32) (result i32)))` + "\n")
	fmt.Fprintf(&b, "  (import %q %q (func $target%s))\n", fam, f.Name, typ(params, f.Results))
	b.WriteString("  (memory (export \"memory\") 1)\n")
	for i := 0; i < len(img); {
		if img[i] == 0 {
			i++
			continue
		}
		j := i
		for zeros := 0; j < len(img) && zeros < 16; j++ {
			if img[j] == 0 {
				zeros++
			} else {
				zeros = 0
			}
		}
		fmt.Fprintf(&b, "  (data (i32.const %d) \"", i)
		for _, c := range img[i:j] {
			fmt.Fprintf(&b, "\\%02x", c)
		}
		b.WriteString("\")\n")
		i = j
	}
	fmt.Fprintf(&b, `  (func $must (param $e i32) (param $fd i32)
    (if (local.get $e) (then unreachable))
    (if (i32.ne (i32.load (i32.const %d)) (local.get $fd)) (then unreachable)))
`, hSetupOut)
	b.WriteString("  (func $setup\n")
	at := hSetupStr
	for _, s := range setupPaths {
		fmt.Fprintf(&b, "    (call $must (call $open (i32.const -100) (i32.const 1) (i32.const %d) (i32.const %d) (i32.const %d) (i64.const %d) (i64.const %d) (i32.const 0) (i32.const %d)) (i32.const %d))\n",
			at, len(s.path), s.oflags, s.rights, s.rights, hSetupOut, s.fd)
		at += 32
		if s.fd == 6 {
			fmt.Fprintf(&b, "    (call $must (call $pipe2 (i32.const %d) (i32.const 0x800)) (i32.const 7))\n", hSetupOut)
			fmt.Fprintf(&b, "    (if (i32.ne (i32.load (i32.const %d)) (i32.const 8)) (then unreachable))\n", hSetupOut+4)
		}
	}
	b.WriteString("  )\n  (func (export \"_start\")\n    call $setup\n")
	for _, a := range calls {
		b.WriteString("    ")
		if len(f.Results) > 0 {
			b.WriteString("(drop ")
		}
		b.WriteString("(call $target")
		for i, p := range f.Params {
			if p.Type == api.ValueTypeI64 {
				fmt.Fprintf(&b, " (i64.const %d)", int64(a[i]))
			} else {
				fmt.Fprintf(&b, " (i32.const %d)", int32(uint32(a[i])))
			}
		}
		b.WriteString(")")
		if len(f.Results) > 0 {
			b.WriteString(")")
		}
		b.WriteString("\n")
	}
	b.WriteString("  ))\n")
	return b.String()
}

// sleeperWAT is the root process: it sleeps (an hour at a time) until killed.
const sleeperWAT = `(module
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "\01\00\00\00\00\00\00\00\00\68\c0\4f\46\03\00\00") ;; monotonic, 3600 s
  (func (export "_start") (loop (drop (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128))) (br 0))))`

// sentinelWAT fills most of its memory with a pattern and checks it every
// 2 ms until /tmp/sentinel-stop exists: exit 42 if it is intact, 1 if not.
const sentinelWAT = `(module
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_get" (func $stat (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "\01\00\00\00\00\00\00\00\80\84\1e\00\00\00\00\00") ;; monotonic, 2 ms
  (data (i32.const 512) "/tmp/sentinel-stop")
  (func $pattern (param $i i32) (result i32)
    (i32.and (i32.add (i32.mul (local.get $i) (i32.const 31)) (i32.const 7)) (i32.const 255)))
  (func $fill (local $i i32)
    (local.set $i (i32.const 1024))
    (loop
      (i32.store8 (local.get $i) (call $pattern (local.get $i)))
      (br_if 0 (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 65536)))))
  (func $intact (result i32) (local $i i32)
    (local.set $i (i32.const 1024))
    (loop
      (if (i32.ne (i32.load8_u (local.get $i)) (call $pattern (local.get $i))) (then (return (i32.const 0))))
      (br_if 0 (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 65536))))
    (i32.const 1))
  (func (export "_start")
    (call $fill)
    (loop
      (if (i32.eqz (call $intact)) (then (call $exit (i32.const 1))))
      (if (i32.eqz (call $stat (i32.const -100) (i32.const 0) (i32.const 512) (i32.const 18) (i32.const 256)))
        (then (call $exit (select (i32.const 42) (i32.const 1) (call $intact)))))
      (drop (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128)))
      (br 0))))`

// ---- the harness ----

// bootRecorded is libostest.Boot with every ABI function wrapped by rec
// (nil: not wrapped): the same providers gen.NewLibOS composes, with the
// families replaced, as a custom build would. stdout, if set, receives
// the LibOS's stdout and stderr; log, if set, is its logger.
func bootRecorded(ctx context.Context, hostDir string, rec *recorder, stdout *countingWriter, logger *zap.Logger) (*libos.LibOS, func(string, []byte) error, func(), error) {
	cfg := *config.Default()
	root := ramfs.New(ramfs.Options{})
	types := libos.MountTypes()
	types["testroot"] = func(config.Mount, libos.MountEnv) (vfs.FileSystem, error) { return root, nil }
	cfg.Mounts = []config.Mount{
		{Target: "/", Type: "testroot"},
		{Target: "/dev", Type: devfs.Name},
		{Target: "/tmp", Type: ramfs.Name},
	}
	if hostDir != "" {
		cfg.Mounts = append(cfg.Mounts, config.Mount{Target: "/host", Type: hostfs.Name, Source: hostDir})
	}
	ns := vfs.NewNamespace(root, false, "")
	for _, d := range []string{"/bin", "/dev", "/tmp", "/host", "/etc", "/root"} {
		ns.Mkdir(d, 0o755)
	}
	install := func(path string, wasm []byte) error {
		f, e := ns.Open(path, vfs.O_WRONLY|vfs.O_CREAT|vfs.O_TRUNC, 0o755, nil)
		if e != 0 {
			return fmt.Errorf("installing %s: %w", path, e)
		}
		defer f.DecRef()
		if _, e = f.Write(wasm); e != 0 {
			return fmt.Errorf("installing %s: %w", path, e)
		}
		return nil
	}
	o := libos.Options{Config: &cfg, MountTypes: types, Logger: logger}
	if stdout != nil {
		o.Stdout, o.Stderr = stdout, stdout
	}
	log := libos.ProvideLogger(o)
	nsp, unmount, err := libos.ProvideNamespace(o, libos.DefaultMountTypes(), log)
	if err != nil {
		return nil, nil, nil, err
	}
	k := libos.ProvideKernel(o, nsp, log)
	fams := libos.DefaultFamilies()
	if rec != nil {
		for i := range fams {
			fams[i].Funcs = slices.Clone(fams[i].Funcs)
			for j := range fams[i].Funcs {
				fams[i].Funcs[j] = rec.wrap(fams[i].Name, fams[i].Funcs[j])
			}
		}
	}
	loader, closeLoader, err := libos.ProvideLoader(ctx, o, fams, log)
	if err != nil {
		unmount()
		return nil, nil, nil, err
	}
	l, closeLibOS := libos.New(o, k, loader, log)
	return l, install, func() { closeLibOS(); closeLoader(); unmount() }, nil
}

// recorder times every ABI call of the hostile processes (argv[0]
// "hostile") and notes the ones that unwind out of their implementation:
// a Go panic in the LibOS surfaces there (proc_exit and a successful
// execve unwind too, and are not made by these processes).
type recorder struct {
	mu       sync.Mutex
	inflight map[int32]string
	last     map[int32]string
	stats    map[string]*callStats
	unwound  []string
}

type callStats struct {
	n       int
	errnos  map[errno.Errno]int
	slowest time.Duration
	slowArg string
}

func newRecorder() *recorder {
	return &recorder{inflight: map[int32]string{}, last: map[int32]string{}, stats: map[string]*callStats{}}
}

func callString(name string, s []uint64) string {
	var b strings.Builder
	b.WriteString(name + "(")
	for i, v := range s {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%#x", v)
	}
	return b.String() + ")"
}

func (r *recorder) wrap(fam string, f abi.Func) abi.Func {
	impl, name, n := f.Impl, fam+"."+f.Name, len(f.Params)
	f.Impl = func(ctx context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		if p == nil || len(p.Args) == 0 || p.Args[0] != "hostile" {
			return impl(ctx, p, mod, s)
		}
		call := callString(name, s[:n])
		r.mu.Lock()
		r.inflight[p.PID] = call
		r.mu.Unlock()
		start := time.Now()
		returned := false
		defer func() {
			if returned {
				return
			}
			v := recover()
			r.mu.Lock()
			r.unwound = append(r.unwound, fmt.Sprintf("pid %d: %s: %v\n%s", p.PID, call, v, debug.Stack()))
			delete(r.inflight, p.PID)
			r.mu.Unlock()
			panic(v)
		}()
		e := impl(ctx, p, mod, s)
		returned = true
		d := time.Since(start)
		r.mu.Lock()
		delete(r.inflight, p.PID)
		r.last[p.PID] = fmt.Sprintf("%s = %v", call, e)
		st := r.stats[name]
		if st == nil {
			st = &callStats{errnos: map[errno.Errno]int{}}
			r.stats[name] = st
		}
		st.n++
		st.errnos[e]++
		if d > st.slowest {
			st.slowest, st.slowArg = d, call
		}
		r.mu.Unlock()
		return e
	}
	return f
}

func (r *recorder) inflightString(pid int32) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c, ok := r.inflight[pid]; ok {
		return c
	}
	return "none (last: " + r.last[pid] + ")"
}

func (r *recorder) lastString(pid int32) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c, ok := r.inflight[pid]; ok {
		return "in flight " + c
	}
	return r.last[pid]
}

func (r *recorder) calls(name string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if st := r.stats[name]; st != nil {
		return st.n
	}
	return 0
}

type slowCall struct {
	d    time.Duration
	call string
}

// report logs, per function, the calls made and the errnos they returned,
// and returns the total, the slowest call, and the slowest fd_sync or
// fd_datasync.
func (r *recorder) report(t *testing.T) (total int, slowest, slowestSync slowCall) {
	r.mu.Lock()
	defer r.mu.Unlock()
	names := make([]string, 0, len(r.stats))
	for n := range r.stats {
		names = append(names, n)
	}
	sort.Strings(names)
	var lines []string
	for _, n := range names {
		st := r.stats[n]
		total += st.n
		max := &slowest
		if strings.HasSuffix(n, "sync") {
			max = &slowestSync
		}
		if st.slowest > max.d {
			*max = slowCall{st.slowest, st.slowArg}
		}
		var es []string
		for e, k := range st.errnos {
			name := "OK"
			if e != 0 {
				name = e.Name()
			}
			es = append(es, fmt.Sprintf("%s:%d", name, k))
		}
		sort.Strings(es)
		lines = append(lines, fmt.Sprintf("%-46s %5d calls, slowest %8v  %s", n, st.n, st.slowest.Round(time.Microsecond), strings.Join(es, " ")))
	}
	if testing.Verbose() {
		t.Logf("hostile calls per function:\n%s", strings.Join(lines, "\n"))
	}
	return total, slowest, slowestSync
}

// hostTempDir is a temporary directory for the hostfs mount, on tmpfs
// (/dev/shm) when there is one: the host's disk is not what is tested.
func hostTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("/dev/shm", "occlum-hostile-")
	if err != nil {
		return t.TempDir()
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// countingWriter counts what the processes write to stdout and stderr.
type countingWriter struct{ n atomic.Int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n.Add(int64(len(p)))
	return len(p), nil
}

func exit7() []byte {
	return wasmbuild.Module{MemoryPages: 1, Imports: []wasmbuild.Import{procExit}, Body: cat(wasmbuild.I32Const(7), wasmbuild.Call(0))}.Encode()
}

func waitRoot(t *testing.T, l *libos.LibOS) *kernel.Process {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if p, ok := l.Kernel().Process(kernel.RootPID); ok {
			return p
		}
	}
	t.Fatal("the root process did not start")
	return nil
}

// touch creates path in the LibOS's namespace.
func touch(l *libos.LibOS, path string) errno.Errno {
	f, e := l.Kernel().VFS.Open(path, vfs.O_WRONLY|vfs.O_CREAT, 0o644, nil)
	if e != 0 {
		return e
	}
	f.DecRef()
	return 0
}

// checkGoroutines waits (briefly) for the goroutine count to come back to
// what it was before the LibOS started.
func checkGoroutines(t *testing.T, before int) {
	t.Helper()
	var n int
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if n = runtime.NumGoroutine(); n <= before {
			return
		}
	}
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	t.Errorf("%d goroutines after the LibOS closed, %d before:\n%s", n, before, buf)
}

// hostSnapshot lists everything under dir but the mount, with sizes and
// modes.
func hostSnapshot(t *testing.T, dir, skip string) []string {
	t.Helper()
	var out []string
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if p == skip {
			return filepath.SkipDir
		}
		out = append(out, fmt.Sprintf("%s %v %d", p, fi.Mode(), fi.Size()))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// escapeCandidates are the host paths a guest escaping the mount with
// the hostile paths would create.
func escapeCandidates(tmp string) []string {
	dirs := []string{tmp, filepath.Dir(tmp), filepath.Dir(filepath.Dir(tmp)), os.TempDir(), "/tmp", "/"}
	if wd, err := os.Getwd(); err == nil {
		dirs = append(dirs, wd, filepath.Dir(wd))
	}
	var out []string
	for _, d := range dirs {
		out = append(out, filepath.Join(d, escapeName))
	}
	return out
}
