package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"

	"github.com/occlumgo/occlum/libos/libostest"
)

// runInLibOS installs the wasm builds of progs (name -> wasm path) in /bin
// of a fresh LibOS and runs /bin/<main> with args; it returns stdout.
func runInLibOS(b *testing.B, progs map[string]string, main string, args ...string) []byte {
	b.Helper()
	ctx := context.Background()
	var out bytes.Buffer
	l, install, cleanup, err := libostest.Boot(ctx, libostest.ProgramOptions{Stdout: &out, Stderr: os.Stderr})
	if err != nil {
		b.Fatal(err)
	}
	defer cleanup()
	for name, wasm := range progs {
		data, err := os.ReadFile(wasm)
		if err != nil {
			b.Fatal(err)
		}
		if err := install("/bin/"+name, data); err != nil {
			b.Fatal(err)
		}
	}
	st, err := l.Run(ctx, "/bin/"+main, append([]string{"/bin/" + main}, args...), []string{"PATH=/bin"})
	if err != nil || st.ShellStatus() != 0 {
		b.Fatalf("/bin/%s %v in the LibOS: status %d, %v", main, args, st.ShellStatus(), err)
	}
	return out.Bytes()
}

// BenchmarkSpawnAndExit: 5,000 x (posix_spawn of an empty program +
// waitpid), guest-timed, µs per iteration.
func BenchmarkSpawnAndExit(b *testing.B) {
	emptyN, emptyW := build(b, "src/empty.c")
	spawnN, spawnW := build(b, "src/spawn.c")
	const n = "5000"
	var ours, nat []float64
	for i := 0; i < b.N; i++ {
		ours = append(ours, parseFloat(b, runInLibOS(b, map[string]string{"empty": emptyW, "spawn": spawnW}, "spawn", "/bin/empty", n)))
		o, err := exec.Command(spawnN, emptyN, n).Output()
		if err != nil {
			b.Fatal(err)
		}
		nat = append(nat, parseFloat(b, o))
	}
	row(b, "spawn+exit+wait", "us", median(ours), median(nat), true)
}

// BenchmarkPipeThroughput: 2 GiB through a pipe to a child in 4 KiB, 128
// KiB and 1 MiB writes, MiB/s.
func BenchmarkPipeThroughput(b *testing.B) {
	sinkN, sinkW := build(b, "src/sink.c")
	pipeN, pipeW := build(b, "src/pipe.c")
	const total = "2147483648"
	for _, chunk := range []int{4 << 10, 128 << 10, 1 << 20} {
		b.Run(fmt.Sprintf("%dKiB", chunk>>10), func(b *testing.B) {
			var ours, nat []float64
			for i := 0; i < b.N; i++ {
				ours = append(ours, parseFloat(b, runInLibOS(b, map[string]string{"sink": sinkW, "pipe": pipeW}, "pipe", "/bin/sink", fmt.Sprint(chunk), total)))
				o, err := exec.Command(pipeN, sinkN, fmt.Sprint(chunk), total).Output()
				if err != nil {
					b.Fatal(err)
				}
				nat = append(nat, parseFloat(b, o))
			}
			row(b, fmt.Sprintf("pipe throughput, %d KiB writes", chunk>>10), "MiB/s", median(ours), median(nat), false)
		})
	}
}
