package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/occlumgo/occlum/config"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/fs/devfs"
	"github.com/occlumgo/occlum/fs/hostfs"
	"github.com/occlumgo/occlum/fs/pluginfs"
	"github.com/occlumgo/occlum/fs/ramfs"
	"github.com/occlumgo/occlum/fs/sefs"
	"github.com/occlumgo/occlum/gen"
	"github.com/occlumgo/occlum/libos"
	"github.com/occlumgo/occlum/platform/sim"
	"github.com/occlumgo/occlum/plugins/sdk"
)

// File-system benchmarks: bench/src/fsbench.c (its comment says what each
// workload times) run natively on the host file system, natively through
// gocryptfs (FUSE: the best-known encrypted alternative), and in the LibOS
// on a standalone encrypted sefs layer, on the default root (a unionfs of
// an encrypted sefs container layer over the sefs image layer, a real
// instance made by `occlum new` and run by `occlum run`) and on ramfs.
// Every round runs every system on an empty directory, one after the
// other, with a host sync(2) (not timed) between them; the rows are the
// medians over the rounds. A second benchmark times `occlum build` packing
// a large image against `cp -r` of the same tree.
//
// Sizes (development and CI smoke runs set them small):
//
//	OCCLUM_BENCH_FS_SIZE    the big file, bytes or with K/M/G (default 1G)
//	OCCLUM_BENCH_FS_OPS     random 4 KiB reads, and writes (default 100000)
//	OCCLUM_BENCH_FS_FILES   small files created (default 10000)
//	OCCLUM_BENCH_FS_ROUNDS  rounds (default 3)
//	OCCLUM_BENCH_FS_ONLY    comma-separated systems to run (default all:
//	                        native,gocryptfs,sefs,root,hostfs,hostfs-plugin,
//	                        ramfs), for profiling
//
// Disk use is bounded by about three times the size: each system's files
// are removed after its round (and everything at the end, also on failure;
// the gocryptfs mount is unmounted then, or by gocryptfs itself on SIGTERM
// when the benchmark process dies).

// fsParams are the sizes of one run.
type fsParams struct {
	size, ops, files int64
	rounds           int
	only             map[string]bool
}

func envInt(b *testing.B, name string, def int64) int64 {
	v := strings.TrimSpace(os.Getenv(name))
	if v == "" {
		return def
	}
	mult := int64(1)
	switch strings.ToUpper(v[len(v)-1:]) {
	case "K":
		mult = 1 << 10
	case "M":
		mult = 1 << 20
	case "G":
		mult = 1 << 30
	}
	if mult != 1 {
		v = v[:len(v)-1]
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		b.Fatalf("%s=%q: want a positive number, optionally with K, M or G", name, os.Getenv(name))
	}
	return n * mult
}

func fsParamsFromEnv(b *testing.B) fsParams {
	p := fsParams{
		size:   envInt(b, "OCCLUM_BENCH_FS_SIZE", 1<<30),
		ops:    envInt(b, "OCCLUM_BENCH_FS_OPS", 100000),
		files:  envInt(b, "OCCLUM_BENCH_FS_FILES", 10000),
		rounds: int(envInt(b, "OCCLUM_BENCH_FS_ROUNDS", 3)),
	}
	if p.size%(64<<10) != 0 {
		b.Fatalf("OCCLUM_BENCH_FS_SIZE=%d: want a multiple of 64 KiB", p.size)
	}
	if v := os.Getenv("OCCLUM_BENCH_FS_ONLY"); v != "" {
		p.only = map[string]bool{}
		for _, s := range strings.Split(v, ",") {
			p.only[strings.TrimSpace(s)] = true
		}
	}
	return p
}

func (p fsParams) args(dir string, workloads ...string) []string {
	return append([]string{dir, fmt.Sprint(p.size), fmt.Sprint(p.ops), fmt.Sprint(p.files)}, workloads...)
}

// fsWorkloads are what every system runs, in this order (seqread reads
// what seqwrite wrote; randwrite overwrites it).
var fsWorkloads = []string{"seqwrite", "seqread", "randread", "randwrite", "create"}

// fsResult is one line of fsbench.
type fsResult struct{ bytes, ops, ns, syncNs int64 }

// parseFSBench reads fsbench's lines into results by workload (prefixed
// with prefix).
func parseFSBench(b *testing.B, out []byte, prefix string, into map[string]fsResult) {
	b.Helper()
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 6 || f[0] != "fsbench" {
			b.Fatalf("bad fsbench output line %q in:\n%s", sc.Text(), out)
		}
		var r fsResult
		for i, dst := range []*int64{&r.bytes, &r.ops, &r.ns, &r.syncNs} {
			_, v, _ := strings.Cut(f[2+i], "=")
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				b.Fatalf("bad fsbench output line %q", sc.Text())
			}
			*dst = n
		}
		into[prefix+f[1]] = r
	}
}

// fsSystem is one place the workloads run.
type fsSystem struct {
	name, label string
	// round runs the workloads in an empty directory and removes what
	// they left; it returns results by workload ("image-" workloads: on
	// the image layer). Nil: skipped (skip says why).
	round func(b *testing.B) map[string]fsResult
	skip  string
}

// BenchmarkFileSystems: sequential, random and small-file I/O on every
// system, all in the same run.
func BenchmarkFileSystems(b *testing.B) {
	p := fsParamsFromEnv(b)
	native, wasm := build(b, "src/fsbench.c")
	bin, err := os.ReadFile(wasm)
	if err != nil {
		b.Fatal(err)
	}
	want := func(name string) bool { return p.only == nil || p.only[name] }
	var systems []*fsSystem
	if want("native") {
		systems = append(systems, nativeFS(b, p, native, "native", "native (host ext4, page cache)", b.TempDir()))
	}
	if want("gocryptfs") {
		s := &fsSystem{name: "gocryptfs", label: "native through gocryptfs (FUSE)"}
		if dir, skip := mountGocryptfs(b); skip != "" {
			s.skip = skip
		} else {
			s = nativeFS(b, p, native, s.name, s.label, dir)
		}
		systems = append(systems, s)
	}
	if want("sefs") {
		systems = append(systems, libosFS(b, p, bin, "sefs", "LibOS, sefs layer (encrypted)", func(dir string) config.Mount {
			return config.Mount{Target: "/data", Type: sefs.Name, Source: filepath.Join(dir, "layer")}
		}))
	}
	if want("root") {
		systems = append(systems, instanceFS(b, p, bin))
	}
	if want("hostfs") {
		systems = append(systems, libosFS(b, p, bin, "hostfs", "LibOS, hostfs in process", func(dir string) config.Mount {
			return config.Mount{Target: "/data", Type: hostfs.Name, Source: dir}
		}))
	}
	if want("hostfs-plugin") {
		pluginBin := filepath.Join(b.TempDir(), "occlum-hostfs-plugin")
		if out, err := exec.Command("go", "build", "-o", pluginBin, "github.com/occlumgo/occlum/plugins/hostfs").CombinedOutput(); err != nil {
			b.Fatalf("building the hostfs plugin: %v\n%s", err, out)
		}
		hostfsPlugin = pluginBin
		systems = append(systems, libosFS(b, p, bin, "hostfs-plugin", "LibOS, hostfs through its plugin", func(dir string) config.Mount {
			return config.Mount{Target: "/data", Type: "hostfs-plugin", Source: dir}
		}))
	}
	if want("ramfs") {
		systems = append(systems, libosFS(b, p, bin, "ramfs", "LibOS, ramfs", func(string) config.Mount {
			return config.Mount{Target: "/data", Type: ramfs.Name, Options: config.MountOptions{Size: config.Size(2*p.size + p.files*8192 + 64<<20)}}
		}))
	}
	for _, s := range systems {
		if s.skip != "" {
			fmt.Printf("BENCH | note: no %s row: %s\n", s.name, s.skip)
		}
	}

	results := map[string][]map[string]fsResult{} // system -> rounds
	for i := 0; i < b.N*p.rounds; i++ {
		for _, s := range systems {
			if s.round == nil {
				continue
			}
			syscall.Sync() // the last system's dirty pages are not this one's cost
			r := s.round(b)
			results[s.name] = append(results[s.name], r)
			fmt.Printf("BENCH | round %d %-9s |%s\n", i+1, s.name, fsRoundSummary(r))
		}
	}

	// The figures: each workload's throughput, median over rounds.
	type metric struct {
		key, mkey, what, unit string // mkey names the metric
		val                   func(r fsResult) float64
	}
	mbps := func(ns func(fsResult) int64) func(fsResult) float64 {
		return func(r fsResult) float64 { return float64(r.bytes) / float64(ns(r)) * 1e3 }
	}
	opsps := func(ns func(fsResult) int64) func(fsResult) float64 {
		return func(r fsResult) float64 { return float64(r.ops) / float64(ns(r)) * 1e9 }
	}
	buffered := func(r fsResult) int64 { return r.ns }
	durable := func(r fsResult) int64 { return r.syncNs }
	sz := sizeName(p.size)
	metrics := []metric{
		{"seqwrite", "seqwrite", "seq write " + sz, "MB/s", mbps(buffered)},
		{"seqwrite", "seqwrite-fsync", "seq write " + sz + " +fsync", "MB/s", mbps(durable)},
		{"seqread", "seqread", "seq read " + sz, "MB/s", mbps(buffered)},
		{"randread", "randread", "rand 4 KiB reads", "ops/s", opsps(buffered)},
		{"randwrite", "randwrite", "rand 4 KiB writes", "ops/s", opsps(buffered)},
		{"randwrite", "randwrite-fsync", "rand 4 KiB writes +fsync", "ops/s", opsps(durable)},
		{"create", "create", fmt.Sprintf("create %d files", p.files), "files/s", opsps(buffered)},
	}
	med := func(system, key string, val func(fsResult) float64) float64 {
		var v []float64
		for _, r := range results[system] {
			if x, ok := r[key]; ok {
				v = append(v, val(x))
			}
		}
		if len(v) == 0 {
			return math.NaN()
		}
		return median(v)
	}
	for _, m := range metrics {
		peers := []peer{{"native", med("native", m.key, m.val)}, {"gocryptfs", med("gocryptfs", m.key, m.val)}}
		for _, p := range peers {
			if !math.IsNaN(p.v) {
				b.ReportMetric(p.v, p.name+"-"+m.mkey+"-"+m.unit)
			}
		}
		for _, s := range systems {
			if s.name == "native" || s.name == "gocryptfs" || s.round == nil {
				continue
			}
			v := med(s.name, m.key, m.val)
			metricKey := s.name + "-" + m.mkey + "-"
			rowVs(b, metricKey, m.what+", "+s.name, m.unit, v, false, peers...)
			// Reads of the image layer (the instance only): the same
			// peers, whose figures read the file they wrote.
			if iv := med(s.name, "image-"+m.key, m.val); !math.IsNaN(iv) {
				rowVs(b, "image-"+metricKey, m.what+", image layer", m.unit, iv, false, peers...)
			}
		}
	}
}

func fsRoundSummary(r map[string]fsResult) string {
	var sb strings.Builder
	for _, prefix := range []string{"", "image-"} {
		for _, w := range fsWorkloads {
			x, ok := r[prefix+w]
			if !ok {
				continue
			}
			switch w {
			case "seqwrite", "seqread":
				fmt.Fprintf(&sb, " %s%s %.0f MB/s", prefix, w, float64(x.bytes)/float64(x.ns)*1e3)
			default:
				fmt.Fprintf(&sb, " %s%s %.0f/s", prefix, w, float64(x.ops)/float64(x.ns)*1e9)
			}
			if x.syncNs > 0 {
				fmt.Fprintf(&sb, " (%.0f +fsync)", map[bool]float64{true: float64(x.bytes) / float64(x.syncNs) * 1e3, false: float64(x.ops) / float64(x.syncNs) * 1e9}[w == "seqwrite"])
			}
			sb.WriteString(";")
		}
	}
	return sb.String()
}

func sizeName(n int64) string {
	switch {
	case n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d KiB", n>>10)
}

// nativeFS runs the native build in a fresh directory under base each
// round.
func nativeFS(b *testing.B, p fsParams, native, name, label, base string) *fsSystem {
	return &fsSystem{name: name, label: label, round: func(b *testing.B) map[string]fsResult {
		dir := filepath.Join(base, "fsbench")
		defer removeAll(b, dir)
		out, err := exec.Command(native, p.args(dir, fsWorkloads...)...).Output()
		if err != nil {
			b.Fatalf("%s: fsbench: %v", name, exitErr(err))
		}
		r := map[string]fsResult{}
		parseFSBench(b, out, "", r)
		return r
	}}
}

func removeAll(b *testing.B, dir string) {
	if err := os.RemoveAll(dir); err != nil {
		b.Errorf("removing %s: %v", dir, err)
	}
}

func exitErr(err error) string {
	if ee, ok := err.(*exec.ExitError); ok && len(ee.Stderr) > 0 {
		return fmt.Sprintf("%v: %s", err, bytes.TrimSpace(ee.Stderr))
	}
	return err.Error()
}

// mountGocryptfs makes a gocryptfs volume in a temporary directory and
// mounts it; the mount goes at the end of the benchmark (also when it
// fails), or when the benchmark process dies (gocryptfs runs in the
// foreground as our child and unmounts on SIGTERM, which the kernel sends
// it when we die). skip says why there is no mount.
func mountGocryptfs(b *testing.B) (dir, skip string) {
	if _, err := os.Stat("/dev/fuse"); err != nil {
		return "", "/dev/fuse is missing (no FUSE on this machine)"
	}
	gc, err := exec.LookPath("gocryptfs")
	if err != nil {
		return "", "gocryptfs is not installed (`make bench-deps` installs Debian's)"
	}
	var fusermount string
	for _, n := range []string{"fusermount3", "fusermount"} {
		if fusermount, err = exec.LookPath(n); err == nil {
			break
		}
	}
	if fusermount == "" {
		return "", "fusermount is not installed (Debian's fuse3 has it)"
	}
	base := b.TempDir()
	cipher, plain, pass := filepath.Join(base, "cipher"), filepath.Join(base, "plain"), filepath.Join(base, "pass")
	for _, d := range []string{cipher, plain} {
		if err := os.Mkdir(d, 0o700); err != nil {
			b.Fatal(err)
		}
	}
	if err := os.WriteFile(pass, []byte(fmt.Sprintf("bench-%x\n", rand.Uint64())), 0o600); err != nil {
		b.Fatal(err)
	}
	if out, err := exec.Command(gc, "-init", "-q", "-passfile", pass, cipher).CombinedOutput(); err != nil {
		return "", fmt.Sprintf("gocryptfs -init failed: %v: %s", err, bytes.TrimSpace(out))
	}
	var stderr bytes.Buffer
	cmd := exec.Command(gc, "-fg", "-q", "-passfile", pass, cipher, plain)
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return "", fmt.Sprintf("starting gocryptfs: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	b.Cleanup(func() {
		if isMounted(plain) {
			if out, err := exec.Command(fusermount, "-u", plain).CombinedOutput(); err != nil {
				b.Errorf("%s -u %s: %v: %s", fusermount, plain, err, out)
				exec.Command(fusermount, "-u", "-z", plain).Run()
			}
		}
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	})
	for deadline := time.Now().Add(20 * time.Second); !isMounted(plain); {
		select {
		case err := <-exited:
			exited <- err
			return "", fmt.Sprintf("mounting gocryptfs failed: %v: %s", err, bytes.TrimSpace(stderr.Bytes()))
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return "", "mounting gocryptfs timed out"
		}
	}
	return plain, ""
}

// isMounted reports whether dir is a mount point (in /proc/self/mountinfo).
func isMounted(dir string) bool {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) > 4 && f[4] == dir {
			return true
		}
	}
	return false
}

// libosFS runs the wasm build in a LibOS booted in this process whose
// /data is mount(dir) (dir: a fresh host directory for the mount's
// source); the LibOS is closed (its layers committed, not timed) and dir
// removed after each round.
func libosFS(b *testing.B, p fsParams, wasm []byte, name, label string, mount func(dir string) config.Mount) *fsSystem {
	return &fsSystem{name: name, label: label, round: func(b *testing.B) map[string]fsResult {
		dir := b.TempDir()
		defer removeAll(b, dir)
		out := runWithMount(b, wasm, mount(dir), p.args("/data/fsbench", fsWorkloads...))
		r := map[string]fsResult{}
		parseFSBench(b, out, "", r)
		return r
	}}
}

// hostfsPlugin is the hostfs plugin program the "hostfs-plugin" system
// runs (built by BenchmarkFileSystems).
var hostfsPlugin string

// runWithMount boots a LibOS (the default injector and mount types, the
// simulated platform for sealing keys) with a ramfs root holding
// /bin/fsbench, devfs /dev and extra, runs /bin/fsbench with args and
// returns its stdout.
func runWithMount(b *testing.B, wasm []byte, extra config.Mount, args []string) []byte {
	b.Helper()
	ctx := context.Background()
	root := ramfs.New(ramfs.Options{})
	ns := vfs.NewNamespace(root, false, "")
	for _, d := range []string{"/bin", "/dev", "/tmp", extra.Target} {
		ns.Mkdir(d, 0o755)
	}
	f, e := ns.Open("/bin/fsbench", vfs.O_WRONLY|vfs.O_CREAT|vfs.O_TRUNC, 0o755, nil)
	if e != 0 {
		b.Fatal(e)
	}
	_, e = f.Write(wasm)
	f.DecRef()
	if e != 0 {
		b.Fatal(e)
	}
	types := libos.MountTypes()
	types["benchroot"] = func(config.Mount, libos.MountEnv) (vfs.FileSystem, error) { return root, nil }
	types["hostfs-plugin"] = func(m config.Mount, _ libos.MountEnv) (vfs.FileSystem, error) {
		c, err := sdk.Start(sdk.Options{Path: hostfsPlugin, Args: []string{"-exec", m.Source}})
		if err != nil {
			return nil, err
		}
		return pluginfs.New(c, c.Stop), nil
	}
	cfg := *config.Default()
	cfg.Mounts = []config.Mount{{Target: "/", Type: "benchroot"}, {Target: "/dev", Type: devfs.Name}, extra}
	plat, err := sim.New(sim.Options{})
	if err != nil {
		b.Fatal(err)
	}
	var out bytes.Buffer
	l, cleanup, err := gen.NewLibOS(ctx, libos.Options{Config: &cfg, Stdout: &out, Stderr: os.Stderr,
		MountTypes: types, Platform: plat})
	if err != nil {
		b.Fatal(err)
	}
	defer cleanup()
	st, err := l.Run(ctx, "/bin/fsbench", append([]string{"fsbench"}, args...), nil)
	if err != nil || st.ShellStatus() != 0 {
		b.Fatalf("fsbench %v on %s in the LibOS: status %d, %v", args, extra.Type, st.ShellStatus(), err)
	}
	return out.Bytes()
}

// instanceFS is the default root of a real instance (`occlum new`): the
// workloads run in /fsbench, which is in the encrypted container layer
// (run/mount/__ROOT, removed after each round), by `occlum run`. The image
// holds a file of the benchmark's size in /fsimage, written as seqwrite
// writes it, which each round also reads (seqread, randread: the image
// layer, integrity-only, through the union).
func instanceFS(b *testing.B, p fsParams, wasm []byte) *fsSystem {
	b.Setenv("OCCLUM_CONFIG_DIR", b.TempDir())
	occlum := filepath.Join(binDir, "occlum")
	inst := filepath.Join(b.TempDir(), "inst")
	runCmd(b, ".", occlum, "new", inst)
	if err := os.WriteFile(filepath.Join(inst, "image/bin/fsbench"), wasm, 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(inst, "image/fsimage"), 0o755); err != nil {
		b.Fatal(err)
	}
	writeStamped(b, filepath.Join(inst, "image/fsimage/big"), p.size)
	runCmd(b, inst, occlum, "build")
	return &fsSystem{name: "root", label: "LibOS, default root (`occlum run`)", round: func(b *testing.B) map[string]fsResult {
		defer removeAll(b, filepath.Join(inst, "run/mount/__ROOT"))
		r := map[string]fsResult{}
		run := func(args ...string) []byte {
			return runCmd(b, inst, append([]string{occlum, "run", "/bin/fsbench"}, args...)...)
		}
		parseFSBench(b, run(p.args("/fsbench", fsWorkloads...)...), "", r)
		parseFSBench(b, run(p.args("/fsimage", "seqread", "randread")...), "image-", r)
		return r
	}}
}

// runCmd runs a command in dir and returns its stdout (stderr goes to ours).
func runCmd(b *testing.B, dir string, args ...string) []byte {
	b.Helper()
	c := exec.Command(args[0], args[1:]...)
	c.Dir = dir
	c.Stderr = os.Stderr
	out, err := c.Output()
	if err != nil {
		b.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// writeStamped writes size bytes of random data in which every 64 KiB
// chunk starts with its offset (little-endian), as fsbench's seqwrite does,
// so fsbench's seqread can check it.
func writeStamped(b *testing.B, path string, size int64) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	rng := rand.NewChaCha8([32]byte{1})
	chunk := make([]byte, 64<<10)
	for off := int64(0); off < size; off += int64(len(chunk)) {
		rng.Read(chunk)
		binary.LittleEndian.PutUint64(chunk, uint64(off))
		if _, err := w.Write(chunk); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkOcclumBuildImage: `occlum build` packing image/ into the image
// layer (as `occlum new` makes it: the shell and utilities in /bin; then
// with one big file of OCCLUM_BENCH_FS_SIZE added; then with
// OCCLUM_BENCH_FS_FILES files of 1 KiB instead), against `cp -r` of the
// same image/ natively, on the same disk. The instance's developer key is
// made before (not timed); each build packs the whole image/ again, and
// its time includes what every build does besides (reading and measuring
// the LibOS binary, signing). MB/s is the tree's bytes over the time.
func BenchmarkOcclumBuildImage(b *testing.B) {
	p := fsParamsFromEnv(b)
	b.Setenv("OCCLUM_CONFIG_DIR", b.TempDir())
	occlum := filepath.Join(binDir, "occlum")
	base := b.TempDir()
	inst := filepath.Join(base, "inst")
	runCmd(b, ".", occlum, "new", inst)
	runCmd(b, inst, occlum, "build") // the developer key, once
	image := filepath.Join(inst, "image")
	data := filepath.Join(image, "data")
	for _, tree := range []struct {
		key, what string
		make      func()
	}{
		{"new-", "only what occlum new puts there", func() {}},
		{"big-", "a " + sizeName(p.size) + " file", func() { writeStamped(b, filepath.Join(data, "big"), p.size) }},
		{"small-", fmt.Sprintf("%d 1 KiB files", p.files), func() {
			chunk := make([]byte, 1024)
			for i := int64(0); i < p.files; i++ {
				binary.LittleEndian.PutUint64(chunk, uint64(i))
				if err := os.WriteFile(filepath.Join(data, fmt.Sprintf("f%05d", i)), chunk, 0o644); err != nil {
					b.Fatal(err)
				}
			}
		}},
	} {
		if err := os.Mkdir(data, 0o755); err != nil {
			b.Fatal(err)
		}
		tree.make()
		bytes := treeBytes(b, image)
		var ours, nat []float64
		for i := 0; i < b.N*p.rounds; i++ {
			syscall.Sync()
			start := time.Now()
			runCmd(b, inst, occlum, "build")
			ours = append(ours, time.Since(start).Seconds())
			syscall.Sync()
			cp := filepath.Join(base, "copy")
			start = time.Now()
			runCmd(b, base, "cp", "-r", image, cp)
			nat = append(nat, time.Since(start).Seconds())
			removeAll(b, cp)
		}
		o, n := median(ours), median(nat)
		what := "occlum build, image/ with " + tree.what
		b.ReportMetric(n, tree.key+"cp-r-s")
		rowVs(b, tree.key, what, "s", o, true, peer{"cp-r", n})
		rowVs(b, tree.key, what, "MB/s", float64(bytes)/o/1e6, false, peer{"cp-r", float64(bytes) / n / 1e6})
		removeAll(b, data)
	}
}

// treeBytes is the size of the regular files under dir.
func treeBytes(b *testing.B, dir string) int64 {
	var n int64
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		info, err := d.Info()
		if err == nil {
			n += info.Size()
		}
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return n
}
