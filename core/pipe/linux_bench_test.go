//go:build linux

package pipe

import (
	"testing"

	"golang.org/x/sys/unix"
)

// BenchmarkLinuxPipeThroughput is BenchmarkPipeThroughput on a host pipe,
// with blocking read(2)/write(2): the native figure the issue compares
// against (plus Go's syscall overhead, about 0.1 µs a call).
func BenchmarkLinuxPipeThroughput(b *testing.B) {
	for _, capacity := range []struct {
		name string
		n    int
	}{{"cap=64KiB", DefaultCapacity}, {"cap=1MiB", 1 << 20}} {
		for _, chunk := range benchSizes {
			b.Run(capacity.name+"/chunk="+chunk.name, func(b *testing.B) {
				var fds [2]int
				if err := unix.Pipe2(fds[:], unix.O_CLOEXEC); err != nil {
					b.Fatal(err)
				}
				defer unix.Close(fds[0])
				if _, err := unix.FcntlInt(uintptr(fds[1]), unix.F_SETPIPE_SZ, capacity.n); err != nil {
					b.Skipf("F_SETPIPE_SZ: %v", err)
				}
				b.SetBytes(int64(chunk.n))
				total := int64(b.N) * int64(chunk.n)
				go func() {
					buf := make([]byte, chunk.n)
					for sent := int64(0); sent < total; {
						n, err := unix.Write(fds[1], buf[:min(int64(chunk.n), total-sent)])
						if err != nil {
							panic(err)
						}
						sent += int64(n)
					}
					unix.Close(fds[1])
				}()
				buf := make([]byte, chunk.n)
				var got int64
				for {
					n, err := unix.Read(fds[0], buf)
					if err != nil {
						b.Fatal(err)
					}
					if n == 0 {
						break
					}
					got += int64(n)
				}
				if got != total {
					b.Fatalf("read %d of %d", got, total)
				}
			})
		}
	}
}
