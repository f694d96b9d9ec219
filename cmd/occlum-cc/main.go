// Command occlum-cc is the Occlum toolchain wrapper: one program that acts as
// occlum-gcc and occlum-cc (C) or occlum-g++ and occlum-c++ (C++), chosen by
// the name it is invoked under (bin/occlum-gcc etc. are links to it).
//
// It runs clang with --target=wasm32-wasi against the wasi-libc sysroot (and
// libc++ for C++), passes the user's flags through, drops or rejects the few
// flags that make no sense for a statically linked wasm32 program, and adds
// the link options every LibOS program gets (see args.go for each choice and
// why). A missing clang or sysroot is reported on one line with the packages
// to install.
//
// Environment:
//
//	OCCLUM_CLANG         path of the clang binary (default: clang, clang-14 on PATH)
//	OCCLUM_WASI_SYSROOT  wasi-libc sysroot (default: /usr, Debian's wasi-libc)
//	OCCLUM_LIBOCCLUM     the libocclum overlay (include/ and libocclum.a):
//	                     a directory, or "none" for plain WASI programs
//	                     (default: libocclum/ beside this executable, which
//	                     `make build` writes)
//
// With libocclum, programs get the POSIX calls WASI lacks (posix_spawn,
// waitpid, pipe, dup2, signals, ...), and every program that uses a path
// imports occlum.getcwd: they run in the LibOS, not on other WASI runtimes.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

func main() {
	os.Exit(run(os.Args, os.Stdout, os.Stderr))
}

// run is the whole program; it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	return runWith(args, stdout, stderr, osHost())
}

func runWith(args []string, stdout, stderr io.Writer, h host) int {
	argv0 := "occlum-gcc"
	if len(args) > 0 {
		argv0 = args[0]
	}
	name, lang := driverFor(argv0)
	if status, ok := runBinutil(name, args[min(1, len(args)):], h.Stdin, stdout, stderr); ok {
		return status
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 1
	}

	tc, err := discover(lang, h)
	if err != nil {
		return fail(err)
	}
	inv, err := translate(lang, tc, args[min(1, len(args)):])
	if err != nil {
		return fail(err)
	}

	cmd := exec.Command(tc.Clang, inv.Args...)
	cmd.Stdin = h.Stdin
	cmd.Stdout = stdout
	cmd.Stderr = stderr
	err = cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exitErr):
		if inv.Linking {
			if hint := diagnoseLink(tc); hint != "" {
				fmt.Fprintf(stderr, "%s: %s\n", name, hint)
			}
		}
		if code := exitErr.ExitCode(); code > 0 {
			return code
		}
		return 1 // killed by a signal
	default:
		return fail(fmt.Errorf("running %s: %v", tc.Clang, err))
	}
}

// driverFor names the front end from argv[0]: any name containing "++"
// (occlum-g++, occlum-c++) compiles C++, everything else C.
func driverFor(argv0 string) (name string, l lang) {
	name = strings.TrimSuffix(filepath.Base(argv0), ".exe")
	if name == "" || name == "." || name == string(filepath.Separator) {
		name = "occlum-gcc"
	}
	if strings.Contains(name, "++") {
		return name, langCXX
	}
	return name, langC
}
