//go:build wasip1

// Command spawn is an example LibOS guest in Go: it runs /bin/echo (or the
// program and arguments it is given) as a child process with its standard
// output on a pipe, copies what the child writes, and reports how it ended.
//
//	GOOS=wasip1 GOARCH=wasm go build -o spawn.wasm ./guest/examples/spawn
//	cp spawn.wasm <instance>/image/bin/spawn && occlum build && occlum run /bin/spawn
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/occlumgo/occlum/guest/occlum"
)

func main() {
	argv := []string{"/bin/echo", "hello from a child of", fmt.Sprint(occlum.Getpid())}
	if len(os.Args) > 1 {
		argv = os.Args[1:]
	}

	r, w, err := occlum.Pipe()
	if err != nil {
		fail("pipe", err)
	}
	pid, err := occlum.Spawn(argv[0], argv, os.Environ(), &occlum.SpawnOptions{
		Actions: []occlum.FileAction{occlum.Dup2Action(int(w.Fd()), 1)},
	})
	if err != nil {
		fail("spawn "+argv[0], err)
	}
	w.Close() // the child has its copy: EOF comes when it exits

	if _, err := io.Copy(os.Stdout, r); err != nil {
		fail("read", err)
	}
	r.Close()
	wpid, status, err := occlum.Wait4(pid, 0)
	if err != nil {
		fail("wait4", err)
	}
	fmt.Printf("child %d: %v\n", wpid, status)
	if !status.Exited() || status.ExitStatus() != 0 {
		os.Exit(1)
	}
}

func fail(what string, err error) {
	fmt.Fprintf(os.Stderr, "spawn: %s: %v\n", what, err)
	os.Exit(1)
}
