// Package test runs the C programs in this directory natively and inside the
// LibOS, with Linux as the oracle.
//
// Each program lives in <name>/main.c and includes include/test.h. The
// harness builds it twice, with the host's cc and with occlum-gcc
// (cmd/occlum-cc), runs the native binary in a fresh temporary directory and
// requires exit status 0, then runs the wasm binary inside a fresh LibOS and
// requires exit status 0 and the same stdout, byte for byte. Inside the
// LibOS the process table must also drain once the program has exited.
//
// The process programs (include/proc.h) spawn helper programs, one per
// helpers/<name>.c, built the same two ways: natively they are found
// through TEST_BIN and PATH in a directory of their own, inside the LibOS
// in /bin. Programs that need the POSIX calls of libocclum (posix_spawn,
// waitpid, pipe, kill, sigaction, ...) are marked needs: "occlum"; while
// occlum-gcc cannot build them (a header, declaration or symbol it lacks)
// their LibOS half is skipped with the missing names, and it runs as soon
// as the overlay provides them. OCCLUM_TEST_REQUIRE_OCCLUM=1 turns those
// skips into failures.
//
// The programs that work on files (files: true) run inside the LibOS twice,
// each compared with the same native run: on a ramfs root in /tmp, and on
// the secure root an instance has (a unionfs of an encrypted sefs
// container layer over a sefs image layer, libostest.SecureRoot) in /root,
// a directory of the image. A program's fixture is in its working directory
// before it starts: natively written there, on the ramfs root written into
// /tmp, on the secure root packed into the image layer, so that what the
// program does to it goes through copy-up and whiteouts. On the secure root
// the LibOS must also report no integrity or unmount error on stderr.
//
// The LibOS half goes through runInLibOS (libos_test.go).
package test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/occlumgo/occlum/internal/toolchaintest"
)

// program is one C test program and how the harness runs it.
type program struct {
	name string
	// args follow argv[0] and the working directory (argv[1]).
	args []string
	// env is the whole environment, natively and in the LibOS.
	env []string
	// hostfs programs work in the directory shared with the host: argv[1]
	// is /host inside the LibOS.
	hostfs bool
	// helpers are the programs of helpers/<name>.c this one spawns. The
	// harness builds them with both compilers and installs them: natively
	// in a directory of their own, inside the LibOS in /bin. The program
	// finds them through PATH (posix_spawnp) or TEST_BIN, which the
	// harness sets to that directory (/bin in the LibOS).
	helpers []string
	// nativeArgs and libosArgs follow args natively and inside the LibOS
	// (a smaller load natively, say).
	nativeArgs, libosArgs []string
	// needs is "occlum" for a program that needs libocclum's POSIX calls:
	// its wasm half is skipped while occlum-gcc cannot build it.
	needs string
	// shell programs run /bin/sh (system, popen): natively the host's,
	// inside the LibOS userland/sh built with occlum-gcc.
	shell bool
	// leakCheck programs run alone (not in parallel) and, inside the
	// LibOS, must leave the Go heap and goroutine count at their baseline.
	leakCheck bool
	// files programs work on files in their working directory: inside
	// the LibOS they run on every root (roots), not only on the ramfs.
	files bool
	// fixture is in the working directory when the program starts, by
	// path relative to it (directories need an entry of their own, with
	// their mode). Only files programs have one.
	fixture fstest.MapFS
}

// root is a root file system a program runs on inside the LibOS.
type root struct {
	name   string // the subtest's name
	secure bool   // libostest.SecureRoot (else the ramfs root)
	dir    string // the working directory there (argv[1])
}

var (
	ramfsRoot  = root{name: "ramfs", dir: "/tmp"}
	secureRoot = root{name: "secure", secure: true, dir: "/root"}
)

// roots returns the roots p runs on inside the LibOS.
func (p program) roots() []root {
	if p.files {
		return []root{ramfsRoot, secureRoot}
	}
	return []root{ramfsRoot}
}

var programs = []program{
	{name: "hello_world"},
	{name: "file", files: true},
	{name: "readdir", files: true},
	{name: "mkdir", files: true},
	{name: "rename", files: true},
	{name: "stat", files: true},
	{name: "truncate", files: true},
	{name: "symlink", files: true},
	{name: "link", files: true},
	{
		name: "env",
		args: []string{"alpha", "two words", "", "-x=1"},
		env:  []string{"TEST_ENV_A=hello", "TEST_ENV_B=with spaces = and equals", "TEST_ENV_EMPTY="},
	},
	// More on files: each also runs on the secure root, where its
	// fixture is in the image layer.
	{name: "fsync", files: true},
	{name: "unlink_open", files: true},
	{name: "readdir_mutate", files: true, fixture: readdirMutateFixture()},
	{name: "truncate_blocks", files: true, fixture: truncateBlocksFixture()},
	{name: "sparse", files: true, fixture: sparseFixture()},
	{name: "preexisting", files: true, fixture: preexistingFixture()},
	{name: "time"},
	{name: "random"},
	{name: "device"},
	{name: "hostfs", hostfs: true},

	// Processes, signals and pipes (the occlum ABI extension).
	{
		name: "spawn", needs: "occlum", files: true,
		helpers: []string{"empty", "print_args", "print_env", "print_ids", "cat"},
	},
	{
		name: "spawn_attribute", needs: "occlum",
		helpers: []string{"print_sigs", "print_ids", "print_args", "fdcheck", "cat"},
	},
	{
		name: "wait", needs: "occlum",
		helpers: []string{"exit_with", "cat", "sleep_then_exit"},
	},
	{name: "exit_codes", needs: "occlum", helpers: []string{"exit_with"}},
	{
		name: "naughty_child", needs: "occlum",
		helpers: []string{"crash_segv", "crash_abort", "crash_fpe", "spin", "cat", "empty", "exit_with"},
	},
	{name: "pipe", needs: "occlum", helpers: []string{"cat", "write_forever"}},
	{
		name: "signal", needs: "occlum",
		helpers: []string{"empty", "signal_parent", "spin_handler", "print_sigs", "sleep_then_exit"},
	},
	{name: "sig_preempt", needs: "occlum", helpers: []string{"signal_parent"}},
	{name: "pthread_single", needs: "occlum"},
	{name: "kill_group", needs: "occlum", helpers: []string{"spin", "cat"}},
	{name: "dup_fcntl", needs: "occlum", files: true, helpers: []string{"fdcheck"}},
	{name: "libc_extras", needs: "occlum", files: true},
	{name: "setjmp", needs: "occlum", helpers: []string{"signal_parent"}},
	{name: "cxx_exceptions", needs: "occlum"},
	{name: "mman", needs: "occlum", files: true},
	{name: "libc_misc", needs: "occlum", files: true},
	{name: "locks", needs: "occlum", files: true, helpers: []string{"locker"}},
	{name: "emfile", needs: "occlum", files: true},
	{
		name: "env_cwd", needs: "occlum", files: true,
		helpers: []string{"print_env", "print_cwd", "print_umask"},
	},
	{name: "execve", needs: "occlum", files: true, helpers: []string{"execer", "exec_target"}},
	{name: "orphan", needs: "occlum", helpers: []string{"orphan_parent", "orphan_child"}},
	{name: "system_popen", needs: "occlum", shell: true, helpers: []string{"cat"}},
	{
		name: "stress_spawn", needs: "occlum", leakCheck: true,
		helpers:    []string{"empty"},
		nativeArgs: []string{"-n", "2000"},
	},

	// Networking: sockets over loopback and AF_UNIX, poll/select, epoll,
	// eventfd, getaddrinfo (include/net.h), each in one process.
	{name: "sock_tcp", needs: "occlum"},
	{name: "sock_udp", needs: "occlum"},
	{name: "sock_unix", needs: "occlum"},
	{name: "sock_poll", needs: "occlum"},
	{name: "sock_epoll", needs: "occlum"},
	{name: "sock_errors", needs: "occlum"},
	{name: "sock_getaddrinfo", needs: "occlum"},
	{name: "sock_procs", needs: "occlum", helpers: []string{"cat", "write_forever", "fd_receiver"}},

	// /proc (fs/procfs): the caller's files, a child's through its life.
	{name: "procfs", needs: "occlum", args: []string{"alpha", "two words", ""}, helpers: []string{"cat"}},
}

// Fixtures: what the programs above expect in their working directory.

func dirEntry() *fstest.MapFile { return &fstest.MapFile{Mode: fs.ModeDir | 0o755} }

func fileEntry(data string) *fstest.MapFile {
	return &fstest.MapFile{Data: []byte(data), Mode: 0o644}
}

func linkEntry(target string) *fstest.MapFile {
	return &fstest.MapFile{Data: []byte(target), Mode: fs.ModeSymlink | 0o777}
}

// readdirMutateFixture is pre/ with PRE_KEEP entries to keep and PRE_GONE
// to remove (test/readdir_mutate).
func readdirMutateFixture() fstest.MapFS {
	m := fstest.MapFS{"pre": dirEntry()}
	for i := 0; i < 60; i++ {
		m[fmt.Sprintf("pre/keep-entry-with-a-rather-long-name-to-fill-buffers-%04d", i)] = fileEntry("k")
		m[fmt.Sprintf("pre/gone-entry-with-a-rather-long-name-to-fill-buffers-%04d", i)] = fileEntry("g")
	}
	return m
}

// truncateBlocksFixture is pre, three 4 KiB blocks and 100 bytes of
// pre_byte (test/truncate_blocks).
func truncateBlocksFixture() fstest.MapFS {
	data := make([]byte, 3*4096+100)
	for i := range data {
		data[i] = byte('a' + i%23 + i/4096)
	}
	return fstest.MapFS{"pre": {Data: data, Mode: 0o644}}
}

// sparseFixture is pre: "start", zeros, "tail" at 2 MiB (test/sparse).
func sparseFixture() fstest.MapFS {
	data := make([]byte, 2<<20+4)
	copy(data, "start")
	copy(data[2<<20:], "tail")
	return fstest.MapFS{"pre": {Data: data, Mode: 0o644}}
}

// preexistingFixture is the tree test/preexisting changes.
func preexistingFixture() fstest.MapFS {
	return fstest.MapFS{
		"pre":              dirEntry(),
		"pre/file":         fileEntry("original\n"),
		"pre/append":       fileEntry("one\n"),
		"pre/reader":       fileEntry("before\n"),
		"pre/renamed":      fileEntry("move me\n"),
		"pre/over-src":     fileEntry("source\n"),
		"pre/over-dst":     fileEntry("destination\n"),
		"pre/gone":         fileEntry("remove me\n"),
		"pre/gone-open":    fileEntry("still readable\n"),
		"pre/linked":       fileEntry("linked data\n"),
		"pre/times":        fileEntry("t\n"),
		"pre/sym":          linkEntry("file"),
		"pre/dangling":     linkEntry("nowhere"),
		"pre/loop-a":       linkEntry("loop-b"),
		"pre/loop-b":       linkEntry("loop-a"),
		"pre/sub":          dirEntry(),
		"pre/sub/a":        fileEntry("a"),
		"pre/sub/b":        fileEntry("b"),
		"pre/sub/deeper":   dirEntry(),
		"pre/sub/deeper/c": fileEntry("c"),
		"pre/full":         dirEntry(),
		"pre/full/x":       fileEntry("x"),
		"pre/empty":        dirEntry(),
	}
}

// Flags for both compilers.
var cflags = []string{"-std=gnu11", "-O2", "-Wall", "-Iinclude"}

// cxxflags build the C++ programs (main.cpp).
var cxxflags = []string{"-std=gnu++17", "-O2", "-Wall", "-Iinclude"}

// source is the program's main source: main.cpp for a C++ program, else
// main.c.
func (p program) source() string {
	cpp := filepath.Join(p.name, "main.cpp")
	if _, err := os.Stat(cpp); err == nil {
		return cpp
	}
	return filepath.Join(p.name, "main.c")
}

// cxxCompiler is the host's C++ compiler beside the C compiler cc.
func cxxCompiler(cc string) string {
	if strings.HasSuffix(cc, "clang") {
		return cc + "++"
	}
	return "c++"
}

// occlumGXX returns occlum-g++ beside occlum-gcc (the same binary under
// the name that makes it compile C++).
func occlumGXX(t *testing.T, occlumGCC string) string {
	t.Helper()
	gxx := filepath.Join(filepath.Dir(occlumGCC), "occlum-g++")
	if _, err := os.Lstat(gxx); err != nil {
		if err := os.Symlink(filepath.Base(occlumGCC), gxx); err != nil && !os.IsExist(err) {
			t.Fatal(err)
		}
	}
	return gxx
}

const runTimeout = 2 * time.Minute

// shellSources holds the shell installed as /bin/sh inside the LibOS for
// the shell programs: every .c file there is one program, built with
// shellCflags (those of userland.Build).
const shellSources = "../userland/sh"

var shellCflags = []string{"-std=c11", "-O2", "-Wall", "-D_GNU_SOURCE"}

// requireOcclum, when set in the environment, makes a needs: "occlum"
// program that occlum-gcc cannot build fail instead of skipping.
const requireOcclum = "OCCLUM_TEST_REQUIRE_OCCLUM"

func TestEveryProgramIsInTheTable(t *testing.T) {
	inTable := map[string]bool{}
	for _, p := range programs {
		inTable[p.name] = true
	}
	dirs, err := filepath.Glob("*/main.c")
	if err != nil {
		t.Fatal(err)
	}
	cxx, err := filepath.Glob("*/main.cpp")
	if err != nil {
		t.Fatal(err)
	}
	dirs = append(dirs, cxx...)
	onDisk := map[string]bool{}
	for _, d := range dirs {
		name := filepath.Dir(d)
		onDisk[name] = true
		if !inTable[name] {
			t.Errorf("test/%s has no entry in the programs table of oracle_test.go", d)
		}
	}
	used := map[string]bool{}
	for _, p := range programs {
		if !onDisk[p.name] {
			t.Errorf("programs table lists %q but test/%s/main.c (or main.cpp) does not exist", p.name, p.name)
		}
		if len(p.fixture) > 0 && (!p.files || p.hostfs) {
			t.Errorf("program %s has a fixture but is not a files program", p.name)
		}
		for name := range p.fixture {
			if d := path.Dir(name); d != "." && p.fixture[d] == nil {
				t.Errorf("program %s: the fixture has %s but not its directory %s", p.name, name, d)
			}
		}
		if p.needs != "" && p.needs != "occlum" {
			t.Errorf("program %s: unknown needs %q (want \"occlum\" or nothing)", p.name, p.needs)
		}
		for _, h := range p.helpers {
			used[h] = true
			if _, err := os.Stat(helperSource(h)); err != nil {
				t.Errorf("program %s lists helper %q but test/%s does not exist", p.name, h, helperSource(h))
			}
		}
	}
	helpers, err := filepath.Glob("helpers/*.c")
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range helpers {
		if h := strings.TrimSuffix(filepath.Base(src), ".c"); !used[h] {
			t.Errorf("test/%s is in no program's helpers list", src)
		}
	}
}

func helperSource(name string) string { return filepath.Join("helpers", name+".c") }

func TestOracle(t *testing.T) {
	cc, err := exec.LookPath("cc")
	if err != nil {
		t.Skip("skipping: no native C compiler (cc) to build the oracle with")
	}
	bin := t.TempDir()
	occlumGCC, wasmSkip := buildOcclumGCC(t)
	b := &builder{dir: bin, cc: cc, occlumGCC: occlumGCC, done: map[string]*buildResult{}}

	for _, p := range programs {
		t.Run(p.name, func(t *testing.T) {
			if !p.leakCheck {
				t.Parallel()
			}
			native := b.native(t, p)
			want := runNative(t, p, native, b.nativeHelpers(t, p))

			if wasmSkip != "" {
				t.Skip(wasmSkip)
			}
			wasm, helpers := b.wasm(t, p)
			roots := p.roots()
			for _, r := range roots {
				run := func(t *testing.T) {
					got := runWasm(t, p, r, wasm, helpers)
					if !bytes.Equal(got, want) {
						t.Errorf("stdout inside the LibOS (%s root) differs from the native stdout\n--- native\n%s--- LibOS\n%s", r.name, want, got)
					}
				}
				if len(roots) == 1 {
					run(t)
				} else {
					t.Run(r.name, run)
				}
			}
		})
	}
}

// buildOcclumGCC returns occlum-gcc with libocclum (internal/toolchaintest).
// When the machine has no wasm toolchain it returns a skip message for the
// wasm half.
func buildOcclumGCC(t *testing.T) (path, skip string) {
	t.Helper()
	path, skip, err := toolchaintest.Build()
	if err != nil {
		t.Fatal(err)
	}
	return path, skip
}

// builder compiles each program and helper at most once per compiler, for
// all the subtests of TestOracle, into dir/native and dir/wasm.
type builder struct {
	dir, cc, occlumGCC string

	mu   sync.Mutex
	done map[string]*buildResult
}

type buildResult struct {
	once sync.Once
	path string
	diag string // the compiler's output when err != nil
	err  error
}

// build compiles srcs into out (under b.dir) with compiler and cflags,
// once per out.
func (b *builder) build(compiler, out string, srcs ...string) *buildResult {
	return b.buildFlags(compiler, cflags, out, srcs...)
}

func (b *builder) buildFlags(compiler string, flags []string, out string, srcs ...string) *buildResult {
	out = filepath.Join(b.dir, out)
	b.mu.Lock()
	r := b.done[out]
	if r == nil {
		r = &buildResult{path: out}
		b.done[out] = r
	}
	b.mu.Unlock()
	r.once.Do(func() {
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			r.err = err
			return
		}
		r.diag, r.err = compile(compiler, flags, out, srcs...)
	})
	return r
}

// native builds the program with cc and returns the binary's path.
func (b *builder) native(t *testing.T, p program) string {
	t.Helper()
	src := p.source()
	var r *buildResult
	if strings.HasSuffix(src, ".cpp") {
		r = b.buildFlags(cxxCompiler(b.cc), cxxflags, filepath.Join("native", p.name), src)
	} else {
		r = b.build(b.cc, filepath.Join("native", p.name), src)
	}
	if r.err != nil {
		t.Fatalf("cc %s: %v\n%s", src, r.err, r.diag)
	}
	return r.path
}

// nativeHelpers builds the program's helpers with cc and links them into a
// directory of the program's own, which it returns ("" for no helpers): a
// helper the program does not list cannot be found there by accident.
func (b *builder) nativeHelpers(t *testing.T, p program) string {
	t.Helper()
	if len(p.helpers) == 0 && !p.shell {
		return ""
	}
	dir := t.TempDir()
	for _, h := range p.helpers {
		r := b.build(b.cc, filepath.Join("native", "helpers", h), helperSource(h))
		if r.err != nil {
			t.Fatalf("cc %s: %v\n%s", helperSource(h), r.err, r.diag)
		}
		if err := os.Symlink(r.path, filepath.Join(dir, h)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// wasm builds the program, its helpers and (for shell programs) the shell
// with occlum-gcc. It returns the program and the files to install in the
// LibOS, by absolute path. A needs: "occlum" program that cannot be built
// because libocclum is not there yet skips the test.
func (b *builder) wasm(t *testing.T, p program) (prog []byte, files map[string][]byte) {
	t.Helper()
	load := func(what string, r *buildResult) []byte {
		t.Helper()
		if r.err != nil {
			buildFailed(t, p, what, r)
		}
		data, err := os.ReadFile(r.path)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	src := p.source()
	if strings.HasSuffix(src, ".cpp") {
		prog = load(src, b.buildFlags(occlumGXX(t, b.occlumGCC), cxxflags, filepath.Join("wasm", p.name+".wasm"), src))
	} else {
		prog = load(src, b.build(b.occlumGCC, filepath.Join("wasm", p.name+".wasm"), src))
	}
	files = map[string][]byte{}
	for _, h := range p.helpers {
		files["/bin/"+h] = load(helperSource(h), b.build(b.occlumGCC, filepath.Join("wasm", "helpers", h+".wasm"), helperSource(h)))
	}
	if p.shell {
		srcs, err := filepath.Glob(filepath.Join(shellSources, "*.c"))
		if err != nil {
			t.Fatal(err)
		}
		if len(srcs) == 0 {
			buildFailed(t, p, shellSources, &buildResult{err: errors.New("no sources"), diag: "undefined symbol: main (no " + shellSources + "/*.c)"})
		}
		files["/bin/sh"] = load(shellSources, b.buildFlags(b.occlumGCC, shellCflags, filepath.Join("wasm", "sh.wasm"), srcs...))
	}
	return prog, files
}

// buildFailed ends a test whose wasm build failed: a skip when the program
// needs libocclum and the compiler names what is missing, else a failure.
func buildFailed(t *testing.T, p program, what string, r *buildResult) {
	t.Helper()
	missing := missingOverlay(r.diag)
	if p.needs == "occlum" && len(missing) > 0 && os.Getenv(requireOcclum) == "" {
		t.Skipf("skipping the LibOS half (the native half passed): occlum-gcc cannot build %s yet; missing: %s (set %s=1 to fail instead)",
			what, strings.Join(missing, ", "), requireOcclum)
	}
	t.Fatalf("occlum-gcc %s: %v\n%s", what, r.err, r.diag)
}

// What clang and wasm-ld say when a program uses POSIX calls wasi-libc
// lacks: a missing header, a wasi-libc header's #error, an undeclared
// function or constant, an undefined symbol at link time.
var missingPatterns = []*regexp.Regexp{
	regexp.MustCompile(`'([^']+\.h)' file not found`),
	regexp.MustCompile(`wasm32-wasi/([\w/]+\.h):\d+:\d+: error:`),
	regexp.MustCompile(`implicit declaration of function '(\w+)'`),
	regexp.MustCompile(`use of undeclared identifier '(\w+)'`),
	regexp.MustCompile(`undefined symbol: (\S+)`),
}

// missingOverlay returns the headers and names a failed wasm build lacks,
// sorted; none when the failure is something else.
func missingOverlay(diag string) []string {
	seen := map[string]bool{}
	var names []string
	for _, re := range missingPatterns {
		for _, m := range re.FindAllStringSubmatch(diag, -1) {
			name := m[1]
			if strings.HasSuffix(name, ".h") {
				name = "<" + name + ">"
			}
			if !seen[name] {
				seen[name] = true
				names = append(names, name)
			}
		}
	}
	sort.Strings(names)
	if len(names) > 12 {
		names = append(names[:12], fmt.Sprintf("and %d more", len(names)-12))
	}
	return names
}

// compile runs compiler with flags on srcs and returns its diagnostics on
// failure.
func compile(compiler string, flags []string, out string, srcs ...string) (string, error) {
	args := append(append(append([]string{}, flags...), "-o", out), srcs...)
	cmd := exec.Command(compiler, args...)
	var stderr bytes.Buffer
	cmd.Stdout = &stderr
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Sprintf("%s %s\n%s", filepath.Base(compiler), strings.Join(args, " "), stderr.String()), err
	}
	return "", nil
}

// hostDir prepares the directory a hostfs program shares with the host:
// share/ with from-host.txt, and a sentinel file just outside it. It returns
// share/ and the sentinel's path.
func hostDir(t *testing.T) (share, sentinel string) {
	t.Helper()
	root := t.TempDir()
	share = filepath.Join(root, "share")
	sentinel = filepath.Join(root, "outside-sentinel")
	if err := os.Mkdir(share, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(share, "from-host.txt"), []byte("from the host\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(sentinel, []byte("HOST-SECRET"), 0o644); err != nil {
		t.Fatal(err)
	}
	return share, sentinel
}

// checkHostSide checks, on the host, what the hostfs program wrote.
func checkHostSide(t *testing.T, where, share, sentinel string) {
	t.Helper()
	want := map[string]string{
		"hostfs-out.txt":   "written inside\n",
		"sub/nested.txt":   "nested\n",
		"sub/new-name.txt": "renamed\n",
		"from-host.txt":    "from the host\n",
	}
	for name, content := range want {
		b, err := os.ReadFile(filepath.Join(share, name))
		if err != nil || string(b) != content {
			t.Errorf("%s: host file %s = %q, %v; want %q", where, name, b, err, content)
		}
	}
	for _, gone := range []string{"sub/gone.txt", "sub/old-name.txt"} {
		if _, err := os.Lstat(filepath.Join(share, gone)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: host file %s should not exist (%v)", where, gone, err)
		}
	}
	if fi, err := os.Stat(filepath.Join(share, "big.bin")); err != nil || fi.Size() != 100000 {
		t.Errorf("%s: host file big.bin: %v, want 100000 bytes", where, err)
	}
	if b, err := os.ReadFile(sentinel); err != nil || string(b) != "HOST-SECRET" {
		t.Errorf("%s: the sentinel outside the share changed: %q, %v", where, b, err)
	}
}

// runNative runs the native binary and returns its stdout; it must exit 0.
// helpers is the directory of the program's helpers ("" for none): first
// on PATH and named by TEST_BIN.
func runNative(t *testing.T, p program, native, helpers string) []byte {
	t.Helper()
	dir := t.TempDir()
	env := append([]string{}, p.env...)
	var sentinel string
	if p.hostfs {
		dir, sentinel = hostDir(t)
		env = append(env, "OCCLUM_TEST_SENTINEL="+sentinel)
	}
	if len(p.fixture) > 0 {
		if err := os.CopyFS(dir, p.fixture); err != nil {
			t.Fatalf("writing the fixture: %v", err)
		}
		if err := fs.WalkDir(p.fixture, ".", func(name string, d fs.DirEntry, err error) error {
			f, ok := p.fixture[name]
			if err != nil || !ok || d.Type()&fs.ModeSymlink != 0 {
				return err
			}
			return os.Chmod(filepath.Join(dir, name), f.Mode.Perm())
		}); err != nil {
			t.Fatalf("writing the fixture: %v", err)
		}
	}
	if helpers != "" {
		env = append(env, "PATH="+helpers+":/usr/bin:/bin", "TEST_BIN="+helpers)
	}
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	args := append(append([]string{dir}, p.args...), p.nativeArgs...)
	cmd := exec.CommandContext(ctx, native, args...)
	cmd.Dir = dir
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	// The program and its children get a process group of their own, killed
	// afterwards: a child it failed to reap must not outlive the test. As
	// inside the LibOS, the program then leads its process group.
	ownProcessGroup(cmd)
	cmd.WaitDelay = 10 * time.Second
	err := cmd.Run()
	killProcessGroup(cmd)
	if err != nil {
		if errors.Is(err, exec.ErrWaitDelay) {
			err = fmt.Errorf("%w (a process it started still held its stdout or stderr)", err)
		}
		t.Fatalf("native %s: %v\n--- stdout\n%s--- stderr\n%s", p.name, err, stdout.String(), stderr.String())
	}
	if p.hostfs {
		checkHostSide(t, "native", dir, sentinel)
	}
	return stdout.Bytes()
}

// drainTimeout is how long the LibOS's process table may take to empty
// after the program has exited.
const drainTimeout = 5 * time.Second

// runWasm runs the wasm binary in a fresh LibOS on root r with files (by
// path, the helpers in /bin) installed and returns its stdout; it must exit
// 0 and leave no process behind.
func runWasm(t *testing.T, p program, r root, wasm []byte, files map[string][]byte) []byte {
	t.Helper()
	share := t.TempDir()
	dir := r.dir
	env := append([]string{}, p.env...)
	var sentinel string
	if p.hostfs {
		share, sentinel = hostDir(t)
		dir = "/host"
		env = append(env, "OCCLUM_TEST_SENTINEL="+sentinel, "OCCLUM_TEST_CONFINED=1")
	}
	if len(files) > 0 {
		env = append(env, "PATH=/bin", "TEST_BIN=/bin")
	}
	var base leakBaseline
	if p.leakCheck {
		base = takeLeakBaseline()
	}
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	var stdout, stderr bytes.Buffer
	var fixture fstest.MapFS
	if len(p.fixture) > 0 {
		// The fixture's paths are relative to the working directory.
		fixture = fstest.MapFS{}
		for name, f := range p.fixture {
			fixture[strings.TrimPrefix(dir, "/")+"/"+name] = f
		}
	}
	res, err := runInLibOS(ctx, libosRun{
		Wasm:       wasm,
		Bin:        files,
		Args:       append(append([]string{"/bin/" + p.name, dir}, p.args...), p.libosArgs...),
		Env:        env,
		Stdin:      strings.NewReader(""),
		Stdout:     &stdout,
		Stderr:     &stderr,
		HostDir:    share,
		SecureRoot: r.secure,
		Files:      fixture,
	})
	if err != nil {
		t.Fatalf("LibOS %s: %v\n--- stdout\n%s--- stderr\n%s", p.name, err, stdout.String(), stderr.String())
	}
	if res.Status != 0 {
		t.Fatalf("LibOS %s: exit status %d\n--- stdout\n%s--- stderr\n%s", p.name, res.Status, stdout.String(), stderr.String())
	}
	if res.Left != 0 {
		t.Errorf("LibOS %s: %d processes still in the process table %v after the program exited", p.name, res.Left, drainTimeout)
	}
	if r.secure {
		// What the LibOS itself says on stderr, but for a process's
		// fault: integrity and unmount (commit) errors of the layers.
		for _, line := range strings.Split(stderr.String(), "\n") {
			if strings.HasPrefix(line, "occlum: ") && !strings.HasPrefix(line, "occlum: process ") {
				t.Errorf("LibOS %s on the secure root: %s", p.name, line)
			}
		}
	}
	if p.hostfs {
		checkHostSide(t, "LibOS", share, sentinel)
	}
	if p.leakCheck {
		base.check(t)
	}
	return stdout.Bytes()
}

// leakBaseline is the Go runtime's state before a leak-checked run.
type leakBaseline struct {
	goroutines int
	heap       uint64
}

// Slack allowed over the baseline once the LibOS is gone: the runtime and
// the testing package start a few goroutines of their own, and the heap
// keeps caches (compiled-code metadata, pools) of bounded size. A leak of
// one goroutine or a few KiB per process of a 10,000-process run exceeds
// both.
const (
	goroutineSlack = 4
	heapSlack      = 48 << 20
)

func takeLeakBaseline() leakBaseline {
	return leakBaseline{goroutines: runtime.NumGoroutine(), heap: heapInUse()}
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// check waits up to drainTimeout for the goroutines and the heap to come
// back to the baseline.
func (b leakBaseline) check(t *testing.T) {
	t.Helper()
	var g int
	var heap uint64
	for deadline := time.Now().Add(drainTimeout); ; time.Sleep(50 * time.Millisecond) {
		g, heap = runtime.NumGoroutine(), heapInUse()
		if g <= b.goroutines+goroutineSlack && heap <= b.heap+heapSlack || time.Now().After(deadline) {
			break
		}
	}
	if g > b.goroutines+goroutineSlack {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		t.Errorf("goroutines: %d before the LibOS, %d after it was shut down\n%s", b.goroutines, g, buf)
	}
	if heap > b.heap+heapSlack {
		t.Errorf("Go heap: %d MiB before the LibOS, %d MiB after it was shut down", b.heap>>20, heap>>20)
	}
}

// libosRun is what the harness asks of the LibOS: run one program with these
// arguments, environment and standard streams, the host directory HostDir
// mounted at /host, a ramfs (or, with SecureRoot, the secure root of an
// instance) at /, a ramfs at /tmp and devfs at /dev, and report its status
// as a libosResult.
type libosRun struct {
	Wasm []byte // installed at /bin/<base of Args[0]>
	// Bin holds more programs to install, by absolute path: the helpers
	// in /bin.
	Bin            map[string][]byte
	Args           []string // argv, including argv[0]
	Env            []string
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	HostDir        string
	// SecureRoot mounts / as an instance does: a unionfs of an empty,
	// encrypted sefs container layer over a sefs image layer.
	SecureRoot bool
	// Files are there before the program starts, by path from / (on the
	// secure root, in the image layer).
	Files fs.FS
}

// libosResult is how a LibOS run ended.
type libosResult struct {
	Status int // as a shell reports it: 128+signal when killed
	// Left is the number of processes, live or zombie, still in the
	// process table drainTimeout after the program exited.
	Left int
}
