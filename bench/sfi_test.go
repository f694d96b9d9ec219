package bench

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/tetratelabs/wazero/sys"

	"github.com/occlumgo/occlum/libos/libostest"
)

// The cost of SFI's preemption points (sfi/preempt): the same binary,
// guest-timed, in the LibOS (instrumented), on plain wazero with its own
// WASI (not instrumented: the best-known way to run it without our
// isolation of processes from each other and the LibOS), and natively.

// plainWazero runs bin with wazero's compiler and WASI, uninstrumented, and
// returns its stdout.
func plainWazero(b *testing.B, bin []byte, args ...string) []byte {
	b.Helper()
	ctx := context.Background()
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigCompiler())
	defer rt.Close(ctx)
	wasi_snapshot_preview1.MustInstantiate(ctx, rt)
	var out bytes.Buffer
	_, err := rt.InstantiateWithConfig(ctx, bin, wazero.NewModuleConfig().WithArgs(args...).
		WithStdout(&out).WithStderr(os.Stderr).WithSysNanotime().WithSysWalltime())
	if ee, ok := err.(*sys.ExitError); err != nil && (!ok || ee.ExitCode() != 0) {
		b.Fatalf("plain wazero: %v", err)
	}
	return out.Bytes()
}

// sfiCost runs wasm in the LibOS and on plain wazero and native natively,
// rounds times, and prints the row.
func sfiCost(b *testing.B, what, native string, wasm []byte, args []string, rounds int) {
	var ours, plain, nat []float64
	for i := 0; i < b.N*rounds; i++ {
		var out bytes.Buffer
		st, err := libostest.RunProgram(context.Background(), libostest.ProgramOptions{
			Wasm: wasm, Args: args, Stdout: &out, Stderr: os.Stderr})
		if err != nil || st.ShellStatus() != 0 {
			b.Fatalf("LibOS run: status %d, %v", st.ShellStatus(), err)
		}
		ours = append(ours, parseFloat(b, out.Bytes()))
		plain = append(plain, parseFloat(b, plainWazero(b, wasm, args...)))
		o, err := exec.Command(native).Output()
		if err != nil {
			b.Fatal(err)
		}
		nat = append(nat, parseFloat(b, o))
	}
	row3(b, what, "ms", median(ours), median(plain), median(nat))
}

// BenchmarkCompute: CPU-bound C code (hashing, a quicksort, floating
// point).
func BenchmarkCompute(b *testing.B) {
	native, wasm := build(b, "src/compute.c")
	bin, err := os.ReadFile(wasm)
	if err != nil {
		b.Fatal(err)
	}
	sfiCost(b, "compute (hash, sort, float)", native, bin, []string{"compute"}, 5)
}

// BenchmarkBzip2: libbz2 from Debian's sources, compressing and
// decompressing 8 MiB.
func BenchmarkBzip2(b *testing.B) {
	src, err := exec.Command("./fetch-debian-src.sh", "bzip2", "build/src").Output()
	if err != nil {
		b.Fatalf("fetching the bzip2 sources: %v", err)
	}
	dir := strings.TrimSpace(string(src))
	var files []string
	for _, f := range []string{"blocksort.c", "huffman.c", "crctable.c", "randtable.c", "compress.c", "decompress.c", "bzlib.c"} {
		files = append(files, filepath.Join(dir, f))
	}
	native, wasm := buildWith(b, "src/bzip2.c", append([]string{"-DBZ_NO_STDIO", "-I" + dir}, files...)...)
	bin, err := os.ReadFile(wasm)
	if err != nil {
		b.Fatal(err)
	}
	sfiCost(b, "bzip2 -9 of 8 MiB, and back", native, bin, []string{"bzip2"}, 3)
}
