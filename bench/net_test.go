package bench

import (
	"fmt"
	"os/exec"
	"testing"
)

// BenchmarkSocketPingPong: 20,000 one-byte round trips between two
// processes over a loopback TCP connection (TCP_NODELAY) and a UNIX
// stream socket, µs per round trip. Inside the LibOS both are joined in
// the LibOS; natively they go through the kernel's loopback.
func BenchmarkSocketPingPong(b *testing.B) {
	nat, wasm := build(b, "src/sockbench.c")
	for _, kind := range []string{"tcp", "unix"} {
		b.Run(kind, func(b *testing.B) {
			var ours, native []float64
			for i := 0; i < b.N; i++ {
				ours = append(ours, parseFloat(b, runInLibOS(b, map[string]string{"sockbench": wasm}, "sockbench", "ping", kind, "20000")))
				o, err := exec.Command(nat, "ping", kind, "20000").Output()
				if err != nil {
					b.Fatal(err)
				}
				native = append(native, parseFloat(b, o))
			}
			row(b, fmt.Sprintf("%s ping-pong, 1 byte", kind), "us", median(ours), median(native), true)
		})
	}
}

// BenchmarkSocketThroughput: 1 GiB from one process to another over a
// loopback TCP connection and a UNIX stream socket, in 128 KiB writes,
// MiB/s.
func BenchmarkSocketThroughput(b *testing.B) {
	nat, wasm := build(b, "src/sockbench.c")
	const total, chunk = "1073741824", "131072"
	for _, kind := range []string{"tcp", "unix"} {
		b.Run(kind, func(b *testing.B) {
			var ours, native []float64
			for i := 0; i < b.N; i++ {
				ours = append(ours, parseFloat(b, runInLibOS(b, map[string]string{"sockbench": wasm}, "sockbench", "stream", kind, total, chunk)))
				o, err := exec.Command(nat, "stream", kind, total, chunk).Output()
				if err != nil {
					b.Fatal(err)
				}
				native = append(native, parseFloat(b, o))
			}
			row(b, fmt.Sprintf("%s throughput, 128 KiB writes", kind), "MiB/s", median(ours), median(native), false)
		})
	}
}
