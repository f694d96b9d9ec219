package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// lang is the language front end selected by the program name.
type lang int

const (
	langC lang = iota
	langCXX
)

// Debian packages that provide the toolchain; `make deps` installs them.
const (
	debPackagesC   = "clang lld wasi-libc libclang-rt-14-dev-wasm32"
	debPackagesCXX = debPackagesC + " libc++-14-dev-wasm32 libc++abi-14-dev-wasm32"
)

func (l lang) packages() string {
	if l == langCXX {
		return debPackagesCXX
	}
	return debPackagesC
}

// host is what the wrapper needs from the machine; tests replace it.
type host struct {
	Getenv   func(string) string
	LookPath func(string) (string, error)
	Exists   func(string) bool
	Stdin    io.Reader
}

func osHost() host {
	return host{
		Getenv:   os.Getenv,
		LookPath: exec.LookPath,
		Exists: func(p string) bool {
			_, err := os.Stat(p)
			return err == nil
		},
		Stdin: os.Stdin,
	}
}

// toolchain is a located clang plus the wasm32-wasi sysroot it compiles
// against.
type toolchain struct {
	Clang      string // clang binary; C++ uses it with --driver-mode=g++
	Sysroot    string // --sysroot: Debian's wasi-libc lives under /usr
	Include    string // wasi-libc headers: <sysroot>/include/wasm32-wasi
	CXXInclude string // libc++ headers: <Include>/c++/v1 (C++ only)
	Overlay    overlay
}

// overlay is the Occlum C library layered over wasi-libc (libocclum): the
// POSIX calls wasi-libc lacks (posix_spawn, waitpid, pipe, dup2, kill,
// signals, sockets, ...) implemented on the `occlum` import module.
//
// It is the one place to hook libocclum in: its headers go in IncludeDirs
// (searched before wasi-libc's, so they can complete or replace its
// declarations) and its archive in LinkArgs (placed after the user's inputs
// and before clang's implicit -lc, so its symbols win over wasi-libc's).
// Until libocclum exists both are empty.
type overlay struct {
	IncludeDirs []string
	LinkArgs    []string
}

// libocclum returns the overlay. It is empty for now; when libocclum lands,
// locate its include/ and libocclum.a here (for example next to the
// occlum-cc binary, or under an OCCLUM_LIBOCCLUM directory read through h).
func libocclum(h host) overlay {
	_ = h.Getenv
	return overlay{}
}

// discover locates clang and the sysroot. Errors are one line, name what is
// missing and how to install it.
func discover(l lang, h host) (toolchain, error) {
	var tc toolchain

	clang, err := findClang(h)
	if err != nil {
		return tc, err
	}
	tc.Clang = clang

	sysroot := h.Getenv("OCCLUM_WASI_SYSROOT")
	fromEnv := sysroot != ""
	if !fromEnv {
		sysroot = "/usr"
	}
	tc.Sysroot = sysroot
	tc.Include = filepath.Join(sysroot, "include", "wasm32-wasi")
	libc := filepath.Join(sysroot, "lib", "wasm32-wasi", "libc.a")
	if !h.Exists(filepath.Join(tc.Include, "stdio.h")) || !h.Exists(libc) {
		if fromEnv {
			return tc, fmt.Errorf("OCCLUM_WASI_SYSROOT=%s is not a wasm32-wasi sysroot (need include/wasm32-wasi/stdio.h and lib/wasm32-wasi/libc.a)", sysroot)
		}
		return tc, fmt.Errorf("wasm32-wasi sysroot not found (no %s); install the Debian packages %s (make deps), or set OCCLUM_WASI_SYSROOT", libc, l.packages())
	}

	if l == langCXX {
		tc.CXXInclude = filepath.Join(tc.Include, "c++", "v1")
		libcxx := filepath.Join(sysroot, "lib", "wasm32-wasi", "libc++.a")
		libcxxabi := filepath.Join(sysroot, "lib", "wasm32-wasi", "libc++abi.a")
		if !h.Exists(filepath.Join(tc.CXXInclude, "cstdio")) || !h.Exists(libcxx) || !h.Exists(libcxxabi) {
			return tc, fmt.Errorf("libc++ for wasm32-wasi not found (no %s); install the Debian packages libc++-14-dev-wasm32 libc++abi-14-dev-wasm32 (make deps)", libcxx)
		}
	}

	tc.Overlay = libocclum(h)
	return tc, nil
}

func findClang(h host) (string, error) {
	if c := h.Getenv("OCCLUM_CLANG"); c != "" {
		p, err := h.LookPath(c)
		if err != nil {
			return "", fmt.Errorf("OCCLUM_CLANG=%s: not an executable", c)
		}
		return p, nil
	}
	// Debian's clang package provides "clang"; clang-14 alone is the
	// versioned package without the alternatives link.
	for _, c := range []string{"clang", "clang-14"} {
		if p, err := h.LookPath(c); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("clang not found; install the Debian packages %s (make deps)", debPackagesCXX)
}

// diagnoseLink explains a failed link when the cause is a missing package
// rather than the user's program: no wasm-ld (lld) or no compiler-rt
// builtins. It runs only after clang failed, so the normal path pays nothing.
func diagnoseLink(tc toolchain) string {
	ask := func(flag ...string) string {
		args := append([]string{"--target=" + target}, flag...)
		out, err := exec.Command(tc.Clang, args...).Output()
		if err != nil {
			return ""
		}
		return string(bytes.TrimSpace(out))
	}
	ld := ask("-print-prog-name=wasm-ld")
	if ld != "" && !filepath.IsAbs(ld) {
		if _, err := exec.LookPath(ld); err != nil {
			return "wasm-ld not found; install the Debian package lld (make deps)"
		}
	}
	rt := ask("-rtlib=compiler-rt", "-print-libgcc-file-name")
	if rt != "" && strings.HasSuffix(rt, ".a") {
		if _, err := os.Stat(rt); err != nil {
			return fmt.Sprintf("%s not found; install the Debian package libclang-rt-14-dev-wasm32 (make deps)", rt)
		}
	}
	return ""
}
