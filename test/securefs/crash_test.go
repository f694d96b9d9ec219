package securefs

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/fs/sefs"
	"github.com/occlumgo/occlum/instance"
	"github.com/occlumgo/occlum/platform/sim"
)

// The generator of testdata/storm.c, mirrored: keep both in step.
const (
	stormStride  = 1000000 // versions of run r: r*stormStride .. + stormCap
	stormCap     = 4000    // versions of one file in one run
	stormMaxOff  = 20000
	stormMaxLen  = 9000
	stormMaxSize = 30000
	// stormWorkers and stormFiles: 4 worker processes of 8 files each.
	stormWorkers = 4
	stormFiles   = 8
)

// crashRunsEnv overrides the number of kills (default 50, 10 with -short).
const crashRunsEnv = "OCCLUM_CRASH_RUNS"

func fnv1a(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

func splitmix(s *uint64) uint64 {
	*s += 0x9E3779B97F4A7C15
	z := *s
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// applyOp applies version v of path (storm.c's op_of) to the content f.
func applyOp(f []byte, path string, v uint64) []byte {
	s := fnv1a(path) ^ (v * 0x9E3779B97F4A7C15)
	if splitmix(&s)%16 < 2 {
		size := int(splitmix(&s) % (stormMaxSize + 1))
		if size <= len(f) {
			return f[:size]
		}
		return append(f, make([]byte, size-len(f))...)
	}
	off := int(splitmix(&s) % stormMaxOff)
	n := int(1 + splitmix(&s)%stormMaxLen)
	if end := off + n; end > len(f) {
		f = append(f, make([]byte, end-len(f))...)
	}
	var w uint64
	for i := 0; i < n; i++ {
		if i%8 == 0 {
			w = splitmix(&s)
		}
		f[off+i] = byte(w >> (8 * (i % 8)))
	}
	return f
}

// TestStormGenerator checks that applyOp mirrors storm.c: `storm replay`
// applies versions inside the LibOS and prints the file it made.
func TestStormGenerator(t *testing.T) {
	in := newInstance(t, "storm")
	in.build()
	const path, from, to = "/root/replay", 7 * stormStride, 7*stormStride + 300
	res := in.mustRun("/bin/storm", "replay", path, strconv.Itoa(from), strconv.Itoa(to))
	var want []byte
	for v := uint64(from + 1); v <= to; v++ {
		want = applyOp(want, path, v)
	}
	if res.stdout != string(want) {
		t.Fatalf("storm replay printed %d bytes, applyOp gives %d: the generators differ", len(res.stdout), len(want))
	}
}

// TestCrashKill: a write storm of 4 worker processes inside the LibOS,
// killed with SIGKILL (occlum and occlum-libos: their process group) 20 to
// 500 ms after `occlum run` started, again and again on one instance. After
// each kill the container layer must mount, every file of the storm must
// read without an integrity error, and every file with a logged fsync must
// be at that version or a later one (see storm.c).
func TestCrashKill(t *testing.T) {
	runs := 50
	if testing.Short() {
		runs = 10
	}
	if s := os.Getenv(crashRunsEnv); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("%s=%q: want a positive number", crashRunsEnv, s)
		}
		runs = n
	}
	in := newInstance(t, "storm", "readfile")
	in.build()
	in.mustRun("/bin/storm", "warm") // fills the compile cache, makes the layer
	layer := openerFor(t, in)

	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d (kills at 20-500 ms after start, %d runs; %s sets the count)", seed, runs, crashRunsEnv)
	rng := rand.New(rand.NewPCG(seed, 0x5ec7))
	var totalLogged, totalChecked int // files logged at the end, checks made
	start := time.Now()
	for r := 1; r <= runs; r++ {
		delay := time.Duration(20+rng.IntN(481)) * time.Millisecond
		s := in.start("run", "/bin/storm", strconv.Itoa(r), strconv.Itoa(stormWorkers), strconv.Itoa(stormFiles))
		timer := time.AfterFunc(delay, s.killGroup)
		res := s.wait()
		if timer.Stop() {
			// It ended before the kill: it must not have failed (the
			// layer must always mount, and no call may fail).
			t.Fatalf("run %d ended by itself before the kill at %v: %v", r, delay, res)
		}
		if res.code != 128+9 {
			t.Fatalf("run %d: killed at %v, but %v", r, delay, res)
		}
		logged := readStormLogs(t, in)
		totalLogged = len(logged)
		totalChecked += checkStorm(t, layer, logged, r, fmt.Sprintf("run %d (killed at %v)", r, delay))
		if t.Failed() {
			t.Fatalf("run %d: seed %d", r, seed)
		}
	}
	t.Logf("%d runs in %v: %d files with a logged fsync, %d file checks", runs, time.Since(start).Round(time.Millisecond), totalLogged, totalChecked)
	if totalLogged == 0 {
		t.Errorf("no fsync was ever logged: the storm never got going before the kills")
	}
	// The LibOS mounts what the last kill left and reads it as the
	// checker did.
	logged := readStormLogs(t, in)
	for path := range logged {
		fs := layer(t)
		want := readLayerFile(t, fs, path)
		fs.Close()
		res := in.mustRun("/bin/readfile", path)
		if got := strings.TrimPrefix(res.stdout, "readfile: start\n"); got != string(want) {
			t.Errorf("occlum run /bin/readfile %s: %d bytes, the layer holds %d", path, len(got), len(want))
		}
		break
	}
}

// openerFor returns a function that mounts the instance's container layer
// read-only from the host, with the key occlum-libos derives: the
// simulated platform's sealing key for the build's measurement, label
// "sefs ./run/mount/__ROOT", bound to the build's image root.
func openerFor(t *testing.T, in *inst) func(t *testing.T) *sefs.FileSystem {
	t.Helper()
	built, err := instance.Verify(in.dir)
	if err != nil {
		t.Fatal(err)
	}
	plat, err := sim.New(sim.Options{Measurement: built.Measurement()})
	if err != nil {
		t.Fatal(err)
	}
	key, err := plat.SealKey("sefs " + containerSource)
	if err != nil {
		t.Fatal(err)
	}
	bound := *built.ImageRoot()
	return func(t *testing.T) *sefs.FileSystem {
		t.Helper()
		var errs []error
		fs, err := sefs.OpenDir(in.path(containerLayer), sefs.Options{Mode: sefs.Encrypted, Key: key, BoundTo: bound,
			ReadOnly: true, CommitInterval: -1, Report: func(err error) { errs = append(errs, err) }})
		if err != nil {
			t.Fatalf("the container layer does not mount: %v", err)
		}
		t.Cleanup(func() {
			for _, err := range errs {
				t.Errorf("integrity error: %v", err)
			}
		})
		return fs
	}
}

// readStormLogs returns, for every path in the workers' logs, the last
// version logged. A last line without its newline (the kill came while it
// was written) is ignored.
func readStormLogs(t *testing.T, in *inst) map[string]uint64 {
	t.Helper()
	out := map[string]uint64{}
	logs, _ := filepath.Glob(in.path("host/log.w*"))
	for _, p := range logs {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(data), "\n")
		for _, line := range lines[:len(lines)-1] {
			path, vs, ok := strings.Cut(line, " ")
			v, err := strconv.ParseUint(vs, 10, 64)
			if !ok || err != nil || !strings.HasPrefix(path, "/data/w") {
				t.Fatalf("%s: malformed line %q", p, line)
			}
			if v < out[path] {
				t.Errorf("%s: %s logged at version %d after %d: versions must grow", p, path, v, out[path])
			}
			out[path] = v
		}
	}
	return out
}

// checkStorm checks the layer against the logs after run lastRun was
// killed: every file reads without an integrity error, and every logged
// file is at one of the versions at or after its last logged one. It
// returns how many logged files it checked.
func checkStorm(t *testing.T, open func(*testing.T) *sefs.FileSystem, logged map[string]uint64, lastRun int, what string) int {
	t.Helper()
	fs := open(t)
	defer fs.Close()
	// Every file of the storm reads in full.
	contents := map[string][]byte{}
	for w := 0; w < stormWorkers; w++ {
		for k := 0; k < stormFiles; k++ {
			p := fmt.Sprintf("/data/w%d/f%d", w, k)
			if data, ok := readLayerFileIfExists(t, fs, p); ok {
				contents[p] = data
			}
		}
	}
	paths := make([]string, 0, len(logged))
	for p := range logged {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		vl := logged[p]
		got, ok := contents[p]
		if !ok {
			t.Errorf("%s: %s is missing, but its version %d was fsynced", what, p, vl)
			continue
		}
		if !matchesAtOrAfter(got, p, vl, uint64(lastRun)) {
			t.Errorf("%s: %s (%d bytes) is no version at or after %d, its last logged fsync", what, p, len(got), vl)
		}
	}
	return len(paths)
}

// matchesAtOrAfter tells whether got is path's content at some version at
// or after vl: a later version of vl's run, or any version of a later run
// up to lastRun (each run starts from an empty file, O_TRUNC).
func matchesAtOrAfter(got []byte, path string, vl, lastRun uint64) bool {
	first := vl / stormStride
	for r := lastRun; r >= first; r-- {
		base := r * stormStride
		var f []byte
		for v := base; v <= base+stormCap; v++ {
			if v > base {
				f = applyOp(f, path, v)
			}
			if v >= vl && len(f) == len(got) && bytes.Equal(f, got) {
				return true
			}
		}
	}
	return false
}

// lookup resolves an absolute path in a layer.
func lookup(fs *sefs.FileSystem, path string) (vfs.Inode, errno.Errno) {
	node := fs.Root()
	for _, name := range strings.Split(strings.Trim(path, "/"), "/") {
		next, e := node.Lookup(name)
		if e != 0 {
			return nil, e
		}
		node = next
	}
	return node, 0
}

// readLayerFileIfExists reads a whole file of the layer; a missing one is
// (nil, false), any other error fails the test.
func readLayerFileIfExists(t *testing.T, fs *sefs.FileSystem, path string) ([]byte, bool) {
	t.Helper()
	node, e := lookup(fs, path)
	if e == errno.ENOENT {
		return nil, false
	}
	if e != 0 {
		t.Fatalf("%s: lookup: %v", path, e)
	}
	st, e := node.Stat()
	if e != 0 {
		t.Fatalf("%s: stat: %v", path, e)
	}
	f, e := node.Open(vfs.O_RDONLY)
	if e != 0 {
		t.Fatalf("%s: open: %v", path, e)
	}
	defer f.Close()
	buf := make([]byte, st.Size)
	n, e := f.ReadAt(buf, 0)
	if e != 0 || int64(n) != st.Size {
		t.Fatalf("%s: read %d of %d bytes: %v", path, n, st.Size, e)
	}
	return buf, true
}

func readLayerFile(t *testing.T, fs *sefs.FileSystem, path string) []byte {
	t.Helper()
	data, ok := readLayerFileIfExists(t, fs, path)
	if !ok {
		t.Fatalf("%s is missing", path)
	}
	return data
}
