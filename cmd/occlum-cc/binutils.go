package main

import (
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
)

// binutils are the archive and symbol tools occlum-cc also answers to
// (occlum-ar, occlum-ranlib, occlum-nm, occlum-strip): LLVM's, which
// understand WebAssembly objects and write the archive symbol index
// wasm-ld needs, so build systems that make static libraries (AR=occlum-ar
// RANLIB=occlum-ranlib) work.
var binutils = map[string]string{
	"occlum-ar":     "llvm-ar",
	"occlum-ranlib": "llvm-ranlib",
	"occlum-nm":     "llvm-nm",
	"occlum-strip":  "llvm-strip",
}

// llvmVersions are the suffixes tried, Debian's versioned names first
// (the clang occlum-cc drives is clang-14).
var llvmVersions = []string{"-14", ""}

// runBinutil runs the LLVM tool behind name with args; ok is false when
// name is not one of binutils.
func runBinutil(name string, args []string, stdin io.Reader, stdout, stderr io.Writer) (status int, ok bool) {
	tool, ok := binutils[name]
	if !ok {
		return 0, false
	}
	var path string
	for _, v := range llvmVersions {
		if p, err := exec.LookPath(tool + v); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		fmt.Fprintf(stderr, "%s: %s not found; install the Debian package llvm (make deps)\n", name, tool)
		return 127, true
	}
	cmd := exec.Command(path, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, true
	case errors.As(err, &ee) && ee.ExitCode() > 0:
		return ee.ExitCode(), true
	default:
		fmt.Fprintf(stderr, "%s: %s: %v\n", name, strings.TrimSpace(path), err)
		return 1, true
	}
}
