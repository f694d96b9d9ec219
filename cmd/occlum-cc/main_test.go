package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"
)

// fakeHost has the files in present and the programs in path.
func fakeHost(path map[string]string, present ...string) host {
	files := map[string]bool{}
	for _, p := range present {
		files[p] = true
	}
	return host{
		Getenv: func(string) string { return "" },
		LookPath: func(name string) (string, error) {
			if p, ok := path[name]; ok {
				return p, nil
			}
			return "", exec.ErrNotFound
		},
		Exists: func(p string) bool { return files[p] },
		Stdin:  strings.NewReader(""),
	}
}

var debianFiles = []string{
	"/usr/include/wasm32-wasi/stdio.h",
	"/usr/lib/wasm32-wasi/libc.a",
}

func TestMissingToolchainIsOneClearLine(t *testing.T) {
	clang := map[string]string{"clang": "/usr/bin/clang"}
	tests := []struct {
		name  string
		argv0 string
		h     host
		want  string
	}{
		{"no clang", "occlum-gcc", fakeHost(nil, debianFiles...),
			"occlum-gcc: clang not found; install the Debian packages clang lld wasi-libc libclang-rt-14-dev-wasm32 libc++-14-dev-wasm32 libc++abi-14-dev-wasm32 (make deps)\n"},
		{"no sysroot", "occlum-cc", fakeHost(clang),
			"occlum-cc: wasm32-wasi sysroot not found (no /usr/lib/wasm32-wasi/libc.a); install the Debian packages clang lld wasi-libc libclang-rt-14-dev-wasm32 (make deps), or set OCCLUM_WASI_SYSROOT\n"},
		{"no libc++", "/x/bin/occlum-g++", fakeHost(clang, debianFiles...),
			"occlum-g++: libc++ for wasm32-wasi not found (no /usr/lib/wasm32-wasi/libc++.a); install the Debian packages libc++-14-dev-wasm32 libc++abi-14-dev-wasm32 (make deps)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := runWith([]string{tt.argv0, "-o", "h", "h.c"}, &stdout, &stderr, tt.h)
			if code != 1 {
				t.Errorf("exit status %d, want 1", code)
			}
			if stderr.String() != tt.want {
				t.Errorf("stderr\n got %q\nwant %q", stderr.String(), tt.want)
			}
		})
	}
}

// requireToolchain skips the test when this machine cannot build wasm.
func requireToolchain(t *testing.T, l lang) toolchain {
	t.Helper()
	tc, err := discover(l, osHost())
	if err != nil {
		t.Skipf("skipping: no wasm32-wasi toolchain on this machine (%v)", err)
	}
	return tc
}

// checkWasm validates a built program and checks that it imports nothing
// but WASI.
func checkWasm(t *testing.T, file string) wazero.CompiledModule {
	t.Helper()
	bin, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	r := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter())
	t.Cleanup(func() { r.Close(ctx) })
	m, err := r.CompileModule(ctx, bin)
	if err != nil {
		t.Fatalf("%s is not a valid wasm module: %v", file, err)
	}
	for _, f := range m.ImportedFunctions() {
		mod, name, _ := f.Import()
		if mod != "wasi_snapshot_preview1" {
			t.Errorf("%s imports %s.%s; want only wasi_snapshot_preview1", file, mod, name)
		}
	}
	if _, ok := m.ExportedFunctions()["_start"]; !ok {
		t.Errorf("%s exports no _start: not a command module", file)
	}
	return m
}

func TestCompileHelloWorld(t *testing.T) {
	requireToolchain(t, langC)
	dir := t.TempDir()
	src := filepath.Join(dir, "hello_world.c")
	writeFile(t, src, "#include <stdio.h>\nint main(void) { printf(\"Hello World\\n\"); return 0; }\n")
	out := filepath.Join(dir, "hello_world")
	var stdout, stderr bytes.Buffer
	// Flags a native Makefile passes, some of which are dropped.
	code := run([]string{"occlum-gcc", "-O2", "-g", "-fPIC", "-pthread", "-Wl,--as-needed", "-o", out, src, "-lm"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("occlum-gcc exit status %d; stderr:\n%s", code, stderr.String())
	}
	if stderr.Len() != 0 {
		t.Errorf("occlum-gcc printed warnings:\n%s", stderr.String())
	}
	m := checkWasm(t, out)
	// The default stack is linked in: linear memory starts at least that big.
	mem, ok := m.ExportedMemories()["memory"]
	if !ok {
		t.Fatalf("%s exports no memory", out)
	}
	if min := mem.Min(); min < defaultStackSize/65536 {
		t.Errorf("initial memory is %d pages, want at least %d for the stack", min, defaultStackSize/65536)
	}
}

func TestCompileSeparatelyThenLink(t *testing.T) {
	requireToolchain(t, langC)
	dir := t.TempDir()
	a := filepath.Join(dir, "a.c")
	b := filepath.Join(dir, "b.c")
	writeFile(t, a, "int twice(int x);\nint main(void) { return twice(0); }\n")
	writeFile(t, b, "int twice(int x) { return 2 * x; }\n")
	var stderr bytes.Buffer
	for _, src := range []string{a, b} {
		if code := run([]string{"occlum-cc", "-c", "-Wall", "-Werror", "-o", src + ".o", src}, os.Stdout, &stderr); code != 0 {
			t.Fatalf("compiling %s: exit status %d\n%s", src, code, stderr.String())
		}
	}
	out := filepath.Join(dir, "prog")
	if code := run([]string{"occlum-cc", "-o", out, a + ".o", b + ".o"}, os.Stdout, &stderr); code != 0 {
		t.Fatalf("linking: exit status %d\n%s", code, stderr.String())
	}
	checkWasm(t, out)
}

func TestCompileCXX(t *testing.T) {
	requireToolchain(t, langCXX)
	dir := t.TempDir()
	src := filepath.Join(dir, "hello.cpp")
	prog := `#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>
struct Base { virtual ~Base() {} };
struct Derived : Base {};
int main() {
	std::vector<std::string> v{"a", "b"};
	std::map<std::string, int> m{{"x", 1}};
	std::unique_ptr<Base> p(new Derived);
	std::cout << v.size() << m["x"] << (dynamic_cast<Derived*>(p.get()) != nullptr) << std::endl;
}
`
	writeFile(t, src, prog)
	out := filepath.Join(dir, "hello")
	var stderr bytes.Buffer
	if code := run([]string{"occlum-g++", "-std=c++17", "-O2", "-o", out, src}, os.Stdout, &stderr); code != 0 {
		t.Fatalf("occlum-g++ exit status %d; stderr:\n%s", code, stderr.String())
	}
	checkWasm(t, out)
}

func TestCompileErrorKeepsClangStatus(t *testing.T) {
	requireToolchain(t, langC)
	dir := t.TempDir()
	src := filepath.Join(dir, "bad.c")
	writeFile(t, src, "int main(void) { return undefined_thing; }\n")
	var stderr bytes.Buffer
	code := run([]string{"occlum-gcc", "-o", filepath.Join(dir, "bad"), src}, os.Stdout, &stderr)
	if code == 0 {
		t.Fatal("compiling a broken program succeeded")
	}
	if !strings.Contains(stderr.String(), "undefined_thing") {
		t.Errorf("stderr does not show clang's diagnostic:\n%s", stderr.String())
	}
}

func TestLinkErrorIsNotBlamedOnTheToolchain(t *testing.T) {
	requireToolchain(t, langC)
	dir := t.TempDir()
	src := filepath.Join(dir, "undef.c")
	writeFile(t, src, "int missing_function(void);\nint main(void) { return missing_function(); }\n")
	var stderr bytes.Buffer
	code := run([]string{"occlum-gcc", "-o", filepath.Join(dir, "undef"), src}, os.Stdout, &stderr)
	if code == 0 {
		t.Fatal("linking a program with an undefined function succeeded")
	}
	if !strings.Contains(stderr.String(), "missing_function") {
		t.Errorf("stderr does not show the linker's diagnostic:\n%s", stderr.String())
	}
	if strings.Contains(stderr.String(), "make deps") {
		t.Errorf("a link error in the program was blamed on the toolchain:\n%s", stderr.String())
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestHostHeadersAreNotSearched(t *testing.T) {
	requireToolchain(t, langC)
	// linux/limits.h is in the host's /usr/include (linux-libc-dev), not
	// in wasi-libc: a wasm build must not find it.
	const probe = "/usr/include/linux/limits.h"
	if _, err := os.Stat(probe); err != nil {
		t.Skipf("no %s to probe with", probe)
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "probe.c")
	writeFile(t, src, "#include <linux/limits.h>\nint main(void) { return 0; }\n")
	var stderr bytes.Buffer
	if code := run([]string{"occlum-gcc", "-c", "-o", src + ".o", src}, os.Stdout, &stderr); code == 0 {
		t.Errorf("a wasm build found the host header %s", probe)
	}
}

// A static library made with occlum-ar (and indexed by occlum-ranlib)
// links like a native one; occlum-nm lists its symbols; occlum-strip
// leaves a program that still loads.
func TestStaticLibrary(t *testing.T) {
	requireToolchain(t, langC)
	dir := t.TempDir()
	a := filepath.Join(dir, "main.c")
	b := filepath.Join(dir, "twice.c")
	writeFile(t, a, "int twice(int x);\nint main(void) { return twice(0); }\n")
	writeFile(t, b, "int twice(int x) { return 2 * x; }\n")
	var stdout, stderr bytes.Buffer
	must := func(args ...string) {
		t.Helper()
		stdout.Reset()
		if code := run(args, &stdout, &stderr); code != 0 {
			t.Fatalf("%v: exit status %d\n%s", args, code, stderr.String())
		}
	}
	must("occlum-cc", "-c", "-o", b+".o", b)
	lib := filepath.Join(dir, "libtwice.a")
	must("occlum-ar", "rc", lib, b+".o")
	must("occlum-ranlib", lib)
	must("occlum-nm", lib)
	if !strings.Contains(stdout.String(), "T twice") {
		t.Errorf("occlum-nm %s: %q, want twice", lib, stdout.String())
	}
	out := filepath.Join(dir, "prog")
	must("occlum-cc", "-o", out, a, "-L"+dir, "-ltwice")
	must("occlum-strip", out)
	checkWasm(t, out)
	if code := run([]string{"occlum-ar", "x", filepath.Join(dir, "missing.a")}, &stdout, &stderr); code == 0 {
		t.Error("occlum-ar of a missing archive succeeded")
	}
}
