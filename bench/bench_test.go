// Package bench measures the LibOS against native Linux on the same machine
// in the same run. Every benchmark reports our figure, the native figure and
// their ratio (b.ReportMetric) and prints one table row; docs/benchmarks.md
// keeps the latest table. Run with `make bench` (it builds bin/ first).
package bench

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/occlumgo/occlum/libos/libostest"
)

var binDir = func() string { d, _ := filepath.Abs("../bin"); return d }()

// build compiles src natively and with occlum-gcc and returns both paths.
func build(b *testing.B, src string) (native, wasm string) {
	b.Helper()
	return buildWith(b, src)
}

// buildWith is build with more compiler arguments (flags, other sources).
func buildWith(b *testing.B, src string, extra ...string) (native, wasm string) {
	b.Helper()
	gcc := filepath.Join(binDir, "occlum-gcc")
	if _, err := os.Stat(gcc); err != nil {
		b.Fatalf("%s missing: run `make build` (make bench does)", gcc)
	}
	dir := b.TempDir()
	name := strings.TrimSuffix(filepath.Base(src), ".c")
	native, wasm = filepath.Join(dir, name), filepath.Join(dir, name+".wasm")
	for _, c := range [][]string{
		append([]string{"cc", "-O2", "-o", native, src}, extra...),
		append([]string{gcc, "-O2", "-o", wasm, src}, extra...),
	} {
		if out, err := exec.Command(c[0], c[1:]...).CombinedOutput(); err != nil {
			b.Fatalf("%s: %v\n%s", strings.Join(c, " "), err, out)
		}
	}
	return native, wasm
}

// row prints one comparison with native Linux and reports it to the
// benchmark framework.
func row(b *testing.B, what, unit string, ours, native float64, lowerIsBetter bool) {
	b.ReportMetric(native, "native-"+unit)
	rowVs(b, "", what, unit, ours, lowerIsBetter, peer{"native", native})
}

// peer is a figure ours is compared with: who ("native", "gocryptfs") and
// its value (NaN: not measured in this run).
type peer struct {
	name string
	v    float64
}

// rowVs prints our figure beside each peer's with the ratio (how many times
// better ours is: above 1 is better) and reports ours and the ratios as
// metrics named key+unit and key+x-name (key tells apart the rows of one
// benchmark; "" for a benchmark with one row). The peers' own figures are
// the caller's to report (once, where several rows share them).
func rowVs(b *testing.B, key, what, unit string, ours float64, lowerIsBetter bool, peers ...peer) {
	if !math.IsNaN(ours) {
		b.ReportMetric(ours, key+unit)
	}
	line := fmt.Sprintf("BENCH | %-40s | %10.2f %-6s |", what, ours, unit)
	for _, p := range peers {
		if math.IsNaN(p.v) || math.IsNaN(ours) {
			line += fmt.Sprintf(" %s %10s %-6s | %6s |", p.name, "-", unit, "-")
			continue
		}
		ratio := p.v / ours
		if !lowerIsBetter {
			ratio = ours / p.v
		}
		b.ReportMetric(ratio, key+"x-"+p.name)
		line += fmt.Sprintf(" %s %10.2f %-6s | %5.2fx |", p.name, p.v, unit, ratio)
	}
	fmt.Println(line)
}

// row3 prints our figure beside plain wazero's and native Linux's, with
// both ratios (lower is better for all three).
func row3(b *testing.B, what, unit string, ours, plain, native float64) {
	b.ReportMetric(ours, unit)
	b.ReportMetric(plain, "wazero-"+unit)
	b.ReportMetric(native, "native-"+unit)
	b.ReportMetric(ours/plain, "x-wazero")
	b.ReportMetric(ours/native, "x-native")
	fmt.Printf("BENCH | %-34s | %10.2f %-3s | wazero %10.2f %-3s | native %10.2f %-3s | %.3fx wazero | %.2fx native |\n",
		what, ours, unit, plain, unit, native, unit, ours/plain, ours/native)
}

func parseFloat(b *testing.B, out []byte) float64 {
	v, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
	if err != nil {
		b.Fatalf("bad benchmark output %q", out)
	}
	return v
}

// BenchmarkSyscallRoundTrip: a cheap syscall in a loop, guest-timed.
func BenchmarkSyscallRoundTrip(b *testing.B) {
	native, wasm := build(b, "src/syscall.c")
	bin, err := os.ReadFile(wasm)
	if err != nil {
		b.Fatal(err)
	}
	const calls = "2000000"
	var ours, nat []float64
	for i := 0; i < b.N; i++ {
		var out bytes.Buffer
		st, err := libostest.RunProgram(context.Background(), libostest.ProgramOptions{
			Wasm: bin, Args: []string{"syscall", calls}, Stdout: &out, Stderr: os.Stderr})
		if err != nil || st.ShellStatus() != 0 {
			b.Fatalf("LibOS run: status %d, %v", st.ShellStatus(), err)
		}
		ours = append(ours, parseFloat(b, out.Bytes()))
		o, err := exec.Command(native, calls).Output()
		if err != nil {
			b.Fatal(err)
		}
		nat = append(nat, parseFloat(b, o))
	}
	row(b, "syscall round trip", "ns", median(ours), median(nat), true)
}

// BenchmarkOcclumRunHello: `occlum run /bin/hello_world` end to end (CLI,
// verification, LibOS start, program) with a warm compile cache, against
// exec of the native binary.
func BenchmarkOcclumRunHello(b *testing.B) {
	// A throw-away user directory: no developer key or trusted-signer
	// record of the benchmark's instance is left in ~/.config/occlum (the
	// key is made once per run: RSA-3072 generation is not measured).
	b.Setenv("OCCLUM_CONFIG_DIR", b.TempDir())
	native, wasm := build(b, "src/hello_world.c")
	occlum := filepath.Join(binDir, "occlum")
	inst := filepath.Join(b.TempDir(), "inst")
	sh := func(dir string, args ...string) {
		c := exec.Command(args[0], args[1:]...)
		c.Dir = dir
		if out, err := c.CombinedOutput(); err != nil {
			b.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	sh(".", occlum, "new", inst)
	data, err := os.ReadFile(wasm)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(inst, "image/bin/hello_world"), data, 0o755); err != nil {
		b.Fatal(err)
	}
	sh(inst, occlum, "build")
	sh(inst, occlum, "run", "/bin/hello_world") // warm the compile cache

	const runs = 20
	var ours, nat []float64
	for i := 0; i < b.N; i++ {
		for j := 0; j < runs; j++ {
			ours = append(ours, timeRun(b, inst, occlum, "run", "/bin/hello_world"))
			nat = append(nat, timeRun(b, inst, native))
		}
	}
	row(b, "occlum run hello_world (warm)", "ms", median(ours), median(nat), true)
}

func timeRun(b *testing.B, dir string, args ...string) float64 {
	c := exec.Command(args[0], args[1:]...)
	c.Dir = dir
	start := time.Now()
	out, err := c.CombinedOutput()
	d := time.Since(start)
	if err != nil || !bytes.Contains(out, []byte("Hello World")) {
		b.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return float64(d.Microseconds()) / 1000
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[len(s)/2]
}
