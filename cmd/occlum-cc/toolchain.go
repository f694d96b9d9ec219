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
	// Executable is the path of the running occlum-cc with symbolic links
	// resolved (so bin/occlum-gcc -> occlum-cc, or a link to it from
	// elsewhere, finds the libocclum next to the real binary); nil or an
	// error means unknown.
	Executable func() (string, error)
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
		Executable: func() (string, error) {
			exe, err := os.Executable()
			if err != nil {
				return "", err
			}
			return filepath.EvalSymlinks(exe)
		},
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

// overlay is the Occlum C library layered over wasi-libc (libocclum,
// sfi/libocclum): the POSIX calls wasi-libc lacks (posix_spawn, waitpid,
// pipe, dup2, kill, signals, cwd, system, popen, ...) implemented on the
// `occlum` import module.
//
// It is the one place to hook libocclum in: its headers go in IncludeDirs
// (searched before wasi-libc's, so they can complete or replace its
// declarations) and its archive in LinkArgs (placed after the user's inputs
// and before clang's implicit -lc, so its symbols win over wasi-libc's).
type overlay struct {
	IncludeDirs []string
	LinkArgs    []string
}

// libocclumDirName is the libocclum directory next to the occlum-cc binary:
// `make build` writes bin/libocclum beside bin/occlum-cc.
const libocclumDirName = "libocclum"

// libocclum locates the overlay, a directory laid out as sfi/libocclum's
// Build writes it (include/, libocclum.a):
//
//   - OCCLUM_LIBOCCLUM=<dir>: that directory, which must be one;
//   - OCCLUM_LIBOCCLUM=none: no overlay (plain wasi-libc; libocclum's own
//     build uses this);
//   - otherwise <directory of the occlum-cc binary>/libocclum if it exists,
//     else no overlay (an occlum-cc built outside `make build`, as tests
//     do, compiles plain WASI programs).
//
// Linking adds -u __wasilibc_find_relpath_alloc: libocclum's definition
// resolves relative paths against the LibOS process's working directory
// (which a child inherits from its parent), where wasi-libc would use "/"
// in every program that does not call chdir itself. wasm-ld drops it again
// from programs that never resolve a path, so a program imports an
// `occlum` function only if it calls one or resolves relative paths
// (occlum.getcwd); see sfi/libocclum/README.md.
func libocclum(h host) (overlay, error) {
	dir := h.Getenv("OCCLUM_LIBOCCLUM")
	switch {
	case dir == "none":
		return overlay{}, nil
	case dir != "":
		if !isLibocclumDir(h, dir) {
			return overlay{}, fmt.Errorf("OCCLUM_LIBOCCLUM=%s is not a libocclum directory (need include/spawn.h and libocclum.a; `make build` writes one to bin/libocclum), or set it to none", dir)
		}
	default:
		if h.Executable == nil {
			return overlay{}, nil
		}
		exe, err := h.Executable()
		if err != nil || exe == "" {
			return overlay{}, nil
		}
		dir = filepath.Join(filepath.Dir(exe), libocclumDirName)
		if !isLibocclumDir(h, dir) {
			return overlay{}, nil
		}
	}
	return overlay{
		IncludeDirs: []string{filepath.Join(dir, "include")},
		LinkArgs:    []string{filepath.Join(dir, "libocclum.a"), "-Wl,-u,__wasilibc_find_relpath_alloc"},
	}, nil
}

func isLibocclumDir(h host, dir string) bool {
	return h.Exists(filepath.Join(dir, "include", "spawn.h")) && h.Exists(filepath.Join(dir, "libocclum.a"))
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

	tc.Overlay, err = libocclum(h)
	return tc, err
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
