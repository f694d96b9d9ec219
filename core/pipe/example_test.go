package pipe_test

import (
	"context"
	"fmt"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/pipe"
	"github.com/occlumgo/occlum/core/vfs"
)

// The syscall layer makes the never-blocking ends block with
// vfs.WaitReady, unless the description has O_NONBLOCK; on EPIPE it raises
// SIGPIPE.
func Example() {
	r, w := pipe.New(0)
	ctx := context.Background()

	go func() {
		msg := []byte("hello, pipe")
		// A blocking write(2) writes everything (a try that made
		// progress but wants more returns EAGAIN) unless interrupted.
		done := 0
		vfs.WaitReady(ctx, w, func() (int, errno.Errno) {
			n, e := w.Write(msg[done:])
			done += n
			if e == 0 && done < len(msg) {
				return done, errno.EAGAIN
			}
			return done, e
		})
		w.Close()
	}()

	buf := make([]byte, 64)
	for {
		n, e := vfs.WaitReady(ctx, r, func() (int, errno.Errno) { return r.Read(buf) })
		if e != 0 || n == 0 { // EINTR, or end of file
			break
		}
		fmt.Printf("%s\n", buf[:n])
	}
	r.Close()

	// Without readers, a write fails with EPIPE: the caller raises SIGPIPE.
	r, w = pipe.New(0)
	r.Close()
	if _, e := w.Write([]byte("x")); e == errno.EPIPE {
		fmt.Println("EPIPE: raise SIGPIPE")
	}
	// Output:
	// hello, pipe
	// EPIPE: raise SIGPIPE
}
