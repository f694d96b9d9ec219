package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/occlumgo/occlum/libos/libostest"
	"github.com/occlumgo/occlum/userland"
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

// BenchmarkShellScript: userland/bench.sh (about 2,000 small commands and
// pipelines) run by our sh and utilities inside the LibOS, against bash
// with the GNU tools natively. Wall time of the script, ms.
func BenchmarkShellScript(b *testing.B) {
	gcc := filepath.Join(binDir, "occlum-gcc")
	wasmDir := b.TempDir()
	if err := userland.Build(gcc, []string{"-O2"}, wasmDir); err != nil {
		b.Fatalf("building userland with occlum-gcc: %v", err)
	}
	script, err := os.ReadFile(filepath.Join(userland.SourceDir(), "bench.sh"))
	if err != nil {
		b.Fatal(err)
	}
	progs := map[string]string{}
	for _, p := range userland.Programs {
		progs[p] = filepath.Join(wasmDir, p)
	}
	var ours, nat []float64
	for i := 0; i < b.N; i++ {
		ctx := context.Background()
		var out bytes.Buffer
		l, install, cleanup, err := libostest.Boot(ctx, libostest.ProgramOptions{Stdout: &out, Stderr: os.Stderr})
		if err != nil {
			b.Fatal(err)
		}
		for name, path := range progs {
			data, err := os.ReadFile(path)
			if err != nil {
				b.Fatal(err)
			}
			if err := install("/bin/"+name, data); err != nil {
				b.Fatal(err)
			}
		}
		if err := install("/root/bench.sh", script); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		st, err := l.Run(ctx, "/bin/sh", []string{"sh", "-c", "cd /tmp && sh /root/bench.sh"}, []string{"PATH=/bin"})
		ours = append(ours, float64(time.Since(start).Microseconds())/1000)
		cleanup()
		if err != nil || st.ShellStatus() != 0 {
			b.Fatalf("bench.sh in the LibOS: status %d, %v\n%s", st.ShellStatus(), err, out.Bytes())
		}
		dir := b.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "bench.sh"), script, 0o644); err != nil {
			b.Fatal(err)
		}
		cmd := exec.Command("bash", "bench.sh")
		cmd.Dir = dir
		cmd.Env = []string{"PATH=/usr/bin:/bin", "LC_ALL=C"}
		start = time.Now()
		natOut, err := cmd.Output()
		nat = append(nat, float64(time.Since(start).Microseconds())/1000)
		if err != nil {
			b.Fatalf("bash bench.sh: %v", err)
		}
		if !bytes.Equal(natOut, out.Bytes()) {
			b.Fatalf("bench.sh prints differently in the LibOS than with bash")
		}
	}
	row(b, "shell script (bench.sh)", "ms", median(ours), median(nat), true)
}
