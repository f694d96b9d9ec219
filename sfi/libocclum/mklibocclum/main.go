// Command mklibocclum builds libocclum (package sfi/libocclum) into the
// directory occlum-cc looks for next to itself. `make build` runs
//
//	go run ./sfi/libocclum/mklibocclum -cc bin/occlum-cc -o bin/libocclum
//
// It does nothing when the directory is up to date, and only prints a note
// when the wasm toolchain is missing (`make deps` installs it): building the
// Go commands must not depend on it.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/occlumgo/occlum/sfi/libocclum"
)

func main() {
	cc := flag.String("cc", "bin/occlum-cc", "the occlum-cc to compile with")
	out := flag.String("o", "bin/libocclum", "the directory to build into")
	force := flag.Bool("f", false, "rebuild even if up to date")
	flag.Parse()
	if flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: mklibocclum [-cc occlum-cc] [-o dir] [-f]")
		os.Exit(2)
	}
	built, err := libocclum.Build(libocclum.Options{CC: *cc, Out: *out, Force: *force})
	switch {
	case errors.Is(err, libocclum.ErrNoToolchain):
		fmt.Fprintf(os.Stderr, "mklibocclum: not building libocclum: %v\n", err)
	case err != nil:
		fmt.Fprintf(os.Stderr, "mklibocclum: %v\n", err)
		os.Exit(1)
	case built:
		fmt.Printf("libocclum built in %s\n", *out)
	}
}
