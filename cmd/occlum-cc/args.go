package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// target is the clang target triple of every LibOS program.
const target = "wasm32-wasi"

// defaultStackSize is the size of the C stack (wasm's shadow stack in linear
// memory) linked into every program unless the user passes their own
// -Wl,-z,stack-size=N.
//
// wasm-ld's default is 64 KiB, which real programs with a few large local
// buffers overflow. Occlum's default_stack_size is 4 MB for the main thread
// of native x86 code, but the wasm shadow stack holds only the locals whose
// address is taken (arrays, structs passed by pointer); return addresses,
// spills and scalar locals live on the engine's own stack. 1 MiB covers what
// a 4 MB native stack covers for the programs we run, while costing 16 wasm
// pages of linear memory per process instead of 64 (memory is allocated and
// zeroed at every spawn, which is where spawn latency goes).
const defaultStackSize = 1 << 20

// invocation is a translated clang command line.
type invocation struct {
	Args    []string // arguments after the clang binary
	Linking bool     // the command links a program
}

// Options whose value is the next argument. Their values are passed through
// untouched, never mistaken for input files or for flags to translate.
var takesValue = map[string]bool{
	"-o": true, "-x": true, "-I": true, "-D": true, "-U": true, "-L": true, "-l": true,
	"-include": true, "-imacros": true, "-isystem": true, "-idirafter": true,
	"-iquote": true, "-iprefix": true, "-iwithprefix": true, "-iwithprefixbefore": true,
	"-isysroot": true, "-MF": true, "-MT": true, "-MQ": true, "-Xclang": true,
	"-Xassembler": true, "-Xpreprocessor": true, "-T": true, "-u": true, "-e": true,
	"-z": true, "-arch": true, "--param": true, "-aux-info": true,
}

// Flags that stop before the link step.
var noLink = map[string]bool{
	"-c": true, "-S": true, "-E": true, "-M": true, "-MM": true, "-fsyntax-only": true,
}

// Flags dropped because they mean nothing, or the wrong thing, for a wasm32
// program that is always linked statically into its own linear memory:
//
//   - -fPIC/-fpic/-fPIE/-fpie: each process has its own linear memory, so
//     code is never relocated; PIC only adds GOT indirections. -pie/-no-pie/
//     -rdynamic concern the ELF dynamic loader (clang only warns about them).
//   - -pthread: wasm32-wasi has no threads yet; clang would ask for shared
//     memory, which wasi-libc is not built for, and the link fails. The
//     stub libpthread.a keeps -lpthread working. <pthread.h> is libocclum's
//     single-threaded one: locks work, pthread_create fails with EAGAIN.
//   - -fexceptions/-fcxx-exceptions: the wrapper decides. C++ has
//     exceptions, as with g++, through clang's Emscripten-style lowering
//     (-mllvm -enable-emscripten-cxx-exceptions) and libocclum's runtime
//     (src/cxa_exception.c) — unless the user says -fno-exceptions, or
//     there is no libocclum overlay (Debian's libc++abi has no exception
//     runtime): then -fno-exceptions, and a throw is a compile error. C
//     never gets them.
//   - -m32/-m64/-march=/-mtune=: x86 choices; -m64 would even retarget clang
//     to wasm64.
var dropped = map[string]bool{
	"-fPIC": true, "-fpic": true, "-fPIE": true, "-fpie": true,
	"-pie": true, "-no-pie": true, "-rdynamic": true,
	"-pthread": true, "-pthreads": true,
	"-fexceptions": true, "-fcxx-exceptions": true,
	"-m32": true, "-m64": true,
}

var droppedPrefixes = []string{"-march=", "-mtune="}

// ELF-only linker options that wasm-ld 14 rejects with "unknown argument";
// they appear in ordinary Makefiles, so they are dropped from -Wl,/-Xlinker.
// wasm-ld resolves archive members in any order, so --start-group and
// --end-group are not needed either.
var droppedLinker = map[string]bool{
	"--as-needed": true, "--no-as-needed": true, "--build-id": true,
	"--enable-new-dtags": true, "--disable-new-dtags": true, "--sort-common": true,
	"--eh-frame-hdr": true, "-Bstatic": true, "-Bdynamic": true, "-Bsymbolic": true,
	"-Bsymbolic-functions": true, "--start-group": true, "--end-group": true,
	"-(": true, "-)": true,
}

var droppedLinkerPrefixes = []string{
	"--build-id=", "--hash-style=", "--version-script=", "-rpath=", "--rpath=",
	"-soname=", "--soname=", "-dynamic-linker=", "--dynamic-linker=",
}

// ELF-only linker options dropped together with their value.
var droppedLinkerWithValue = map[string]bool{
	"-rpath": true, "--rpath": true, "-rpath-link": true, "-R": true, "-soname": true,
	"--soname": true, "-h": true, "--version-script": true, "-dynamic-linker": true,
	"--dynamic-linker": true,
}

// translate turns the user's arguments into clang's.
//
// The result is, in order: the target and sysroot; the include path
// (libocclum's overlay, libc++ for C++, wasi-libc; the host's /usr/include is
// never searched: -nostdlibinc); for C++ -fexceptions or -fno-exceptions;
// the user's arguments; the lowering of setjmp (and of C++ exceptions) when
// compiling; and, when linking, the stack options, the overlay library and
// the stack pointer's export.
func translate(l lang, tc toolchain, user []string) (invocation, error) {
	var inv invocation
	args := make([]string, 0, len(user)+16)
	if l == langCXX {
		args = append(args, "--driver-mode=g++")
	}
	args = append(args, "--target="+target, "--sysroot="+tc.Sysroot, "-nostdlibinc")
	for _, dir := range tc.Overlay.IncludeDirs {
		args = append(args, "-isystem", dir)
	}
	if l == langCXX {
		args = append(args, "-isystem", tc.CXXInclude)
	}
	args = append(args, "-isystem", tc.Include)
	overlay := len(tc.Overlay.IncludeDirs) > 0
	cxxExceptions := l == langCXX && overlay && !noExceptions(user)
	switch {
	case cxxExceptions:
		args = append(args, "-fexceptions")
	case l == langCXX:
		args = append(args, "-fno-exceptions")
	}

	var (
		inputs         int
		sources        int    // inputs that are compiled (not objects or archives)
		language       string // the last -x: what clang takes later inputs to be
		compileOnly    bool
		userStack      bool
		skipLinkerNext bool // the previous -Xlinker dropped an option that takes a value
	)
	for i := 0; i < len(user); i++ {
		a := user[i]
		switch {
		case takesValue[a]:
			args = append(args, a)
			if i+1 < len(user) {
				i++
				args = append(args, user[i])
				if a == "-z" && strings.HasPrefix(user[i], "stack-size=") {
					userStack = true
				}
				if a == "-x" {
					language = user[i]
				}
			}
			continue
		case strings.HasPrefix(a, "-x"): // -xc++
			language = a[len("-x"):]
		case a == "-" || !strings.HasPrefix(a, "-"):
			inputs++
			if a == "-" || !linkInput(a) {
				sources++
			}
		case noLink[a]:
			compileOnly = true
		case dropped[a] || hasAnyPrefix(a, droppedPrefixes):
			continue
		case a == "-shared":
			return inv, fmt.Errorf("-shared: shared libraries are not supported (LibOS programs are linked statically); build a static archive with ar instead")
		case a == "-target" || strings.HasPrefix(a, "--target=") || strings.HasPrefix(a, "-target="):
			return inv, fmt.Errorf("%s: the target is always %s", a, target)
		case a == "--sysroot" || strings.HasPrefix(a, "--sysroot="):
			return inv, fmt.Errorf("%s: the sysroot is chosen by the wrapper; set OCCLUM_WASI_SYSROOT instead", a)
		case strings.HasPrefix(a, "-Wl,"):
			items := strings.Split(a[len("-Wl,"):], ",")
			if skipLinkerNext { // the value of the previous one
				skipLinkerNext = false
				items = items[1:]
			}
			items, stack, valueNext := filterLinker(items)
			userStack = userStack || stack
			skipLinkerNext = valueNext
			if len(items) > 0 {
				args = append(args, "-Wl,"+strings.Join(items, ","))
			}
			continue
		case a == "-Xlinker":
			if i+1 >= len(user) {
				break // let clang report the missing value
			}
			i++
			v := user[i]
			switch {
			case skipLinkerNext:
				skipLinkerNext = false
			case droppedLinkerWithValue[v]:
				skipLinkerNext = true
			case droppedLinker[v] || hasAnyPrefix(v, droppedLinkerPrefixes):
			default:
				userStack = userStack || strings.Contains(v, "stack-size=")
				args = append(args, a, v)
			}
			continue
		}
		args = append(args, a)
	}

	if sources > 0 && overlay {
		// setjmp/longjmp through libocclum and the LibOS (<setjmp.h>);
		// functions that do not call setjmp are compiled as before.
		args = append(args, "-mllvm", "-enable-emscripten-sjlj")
		if cxxExceptions {
			args = append(args, "-mllvm", "-enable-emscripten-cxx-exceptions")
		}
	}
	if sources == 0 && inputs > 0 {
		// Only linking: clang would warn on every link that the
		// include-path option is unused.
		args = slices.DeleteFunc(args, func(a string) bool { return a == "-nostdlibinc" })
	}
	inv.Linking = !compileOnly && inputs > 0
	if inv.Linking {
		if !userStack {
			args = append(args, "-Wl,-z,stack-size="+strconv.Itoa(defaultStackSize))
		}
		// Put the stack below the data: an overflow then runs off the
		// bottom of linear memory and traps, instead of silently
		// overwriting globals and the heap.
		args = append(args, "-Wl,--stack-first")
		if language != "" && language != "none" && len(tc.Overlay.LinkArgs) > 0 {
			// "-x c++ a.c": the overlay's archive is not C++ source.
			args = append(args, "-x", "none")
		}
		args = append(args, tc.Overlay.LinkArgs...)
		if len(tc.Overlay.LinkArgs) > 0 {
			// The LibOS puts the C stack pointer back after a longjmp
			// (sfi/nonlocal); libocclum's objects enable the
			// mutable-globals feature this export needs.
			args = append(args, "-Wl,--export="+stackPointer)
		}
	}
	inv.Args = args
	return inv, nil
}

// noExceptions reports whether the user turned C++ exceptions off.
func noExceptions(user []string) bool {
	off := false
	for _, a := range user {
		switch a {
		case "-fno-exceptions", "-fno-cxx-exceptions":
			off = true
		case "-fexceptions", "-fcxx-exceptions":
			off = false
		}
	}
	return off
}

// stackPointer is the C stack pointer's symbol (nonlocal.StackPointer).
const stackPointer = "__stack_pointer"

// linkInput reports whether an input file is linked as it is (an object,
// an archive or a library) rather than compiled.
func linkInput(name string) bool {
	switch filepath.Ext(name) {
	case ".o", ".obj", ".a", ".lo", ".la", ".so", ".wasm":
		return true
	}
	return strings.Contains(filepath.Base(name), ".so.") // libfoo.so.1
}

// filterLinker drops ELF-only options from one -Wl, list and reports whether
// the user set the stack size.
//
// If the list ends with an option whose value is dropped with it, the value
// is the first item of the next linker argument (libtool writes
// "-Wl,-rpath -Wl,/usr/lib"): valueNext reports it.
func filterLinker(items []string) (kept []string, stackSize, valueNext bool) {
	for i := 0; i < len(items); i++ {
		it := items[i]
		switch {
		case droppedLinkerWithValue[it]:
			if i == len(items)-1 {
				valueNext = true
			}
			i++ // and its value
		case droppedLinker[it] || hasAnyPrefix(it, droppedLinkerPrefixes):
		default:
			if strings.Contains(it, "stack-size=") {
				stackSize = true
			}
			kept = append(kept, it)
		}
	}
	return kept, stackSize, valueNext
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
