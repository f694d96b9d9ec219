package libocclum

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/occlumgo/occlum/sfi/nonlocal"
	"github.com/occlumgo/occlum/syscalls/occlum"
)

// tools is an occlum-cc built from this tree and a libocclum built with it,
// shared by the tests (building takes a few seconds).
var tools struct {
	once sync.Once
	cc   string // occlum-cc
	lib  string // built libocclum directory
	skip string // why the wasm half cannot run here
	err  error
}

func setup(t *testing.T) (cc, lib string) {
	t.Helper()
	tools.once.Do(func() {
		dir, err := os.MkdirTemp("", "libocclum-test")
		if err != nil {
			tools.err = err
			return
		}
		// Not removed in a t.Cleanup: the tools outlive the first test.
		// TestMain removes the directory.
		testDirs = append(testDirs, dir)
		tools.cc = filepath.Join(dir, "bin", "occlum-cc")
		out, err := exec.Command("go", "build", "-o", tools.cc, "../../cmd/occlum-cc").CombinedOutput()
		if err != nil {
			tools.err = fmt.Errorf("go build ../../cmd/occlum-cc: %v\n%s", err, out)
			return
		}
		tools.lib = filepath.Join(dir, "bin", "libocclum")
		if _, err := Build(Options{CC: tools.cc, Out: tools.lib}); err != nil {
			if strings.Contains(err.Error(), ErrNoToolchain.Error()) {
				tools.skip = "skipping: " + err.Error()
				return
			}
			tools.err = err
		}
	})
	if tools.err != nil {
		t.Fatal(tools.err)
	}
	if tools.skip != "" {
		t.Skip(tools.skip)
	}
	return tools.cc, tools.lib
}

var testDirs []string

func TestMain(m *testing.M) {
	code := m.Run()
	for _, d := range testDirs {
		os.RemoveAll(d)
	}
	os.Exit(code)
}

// occlumGCC runs the occlum-cc of setup (which finds libocclum next to
// itself, as bin/occlum-gcc does after `make build`).
func occlumGCC(t *testing.T, args ...string) {
	t.Helper()
	cc, _ := setup(t)
	cmd := exec.Command(cc, args...)
	cmd.Env = append(os.Environ(), "OCCLUM_LIBOCCLUM=") // the default lookup
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("occlum-cc %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// compile builds a program from C source with occlum-cc and returns the
// wasm binary.
func compile(t *testing.T, src string, flags ...string) []byte {
	t.Helper()
	dir := t.TempDir()
	c := filepath.Join(dir, "p.c")
	writeFile(t, c, src)
	out := filepath.Join(dir, "p.wasm")
	occlumGCC(t, append(append([]string{"-std=gnu11", "-O2", "-Wall", "-Wextra", "-Werror"}, flags...), "-o", out, c)...)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type importSig struct {
	params, results []api.ValueType
}

// moduleImports lists a module's `occlum` imports with their signatures,
// and checks that nothing but WASI and `occlum` is imported.
func moduleImports(t *testing.T, bin []byte) map[string]importSig {
	t.Helper()
	ctx := context.Background()
	r := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter())
	defer r.Close(ctx)
	m, err := r.CompileModule(ctx, bin)
	if err != nil {
		t.Fatalf("not a valid module: %v", err)
	}
	got := map[string]importSig{}
	for _, f := range m.ImportedFunctions() {
		mod, name, _ := f.Import()
		switch mod {
		case "wasi_snapshot_preview1":
		case "occlum":
			got[name] = importSig{f.ParamTypes(), f.ResultTypes()}
		case nonlocal.ImportModule: // setjmp and C++ exceptions
			if _, _, ok := nonlocal.ParseInvoke(name); !ok {
				t.Errorf("imports %s.%s", mod, name)
			}
		default:
			t.Errorf("imports %s.%s", mod, name)
		}
	}
	return got
}

func names(m map[string]importSig) []string {
	var out []string
	for n := range m {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func TestSourcesAndHeadersAreEmbedded(t *testing.T) {
	if len(Sources()) < 40 {
		t.Errorf("only %d sources embedded: %v", len(Sources()), Sources())
	}
	hs := strings.Join(Headers(), " ")
	for _, h := range []string{"spawn.h", "signal.h", "sys/wait.h", "unistd.h", "fcntl.h", "__typedef_sigset_t.h"} {
		if !strings.Contains(" "+hs+" ", " "+h+" ") {
			t.Errorf("header %s is not embedded (have %s)", h, hs)
		}
	}
}

// TestImportsFollowUse: a program imports the `occlum` functions it uses,
// and nothing else; one that never resolves a path imports none at all.
func TestImportsFollowUse(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"hello world", `#include <stdio.h>
int main(void) { printf("hello\n"); return 0; }`, nil},
		{"paths resolve against the LibOS cwd", `#include <stdio.h>
#include <sys/stat.h>
int main(void) { struct stat st; FILE *f = fopen("x", "r"); return f != 0 || stat("/y", &st) == 0; }`, []string{"getcwd", "stat"}},
		// open may create with a mode (chmod, umask: see open.c).
		{"O_CLOEXEC without spawn needs no fcntl", `#include <fcntl.h>
int main(void) { return open("/x", O_RDONLY | O_CLOEXEC); }`, []string{"chmod", "getcwd", "umask"}},
		{"O_CLOEXEC with spawn marks the descriptor", `#include <fcntl.h>
#include <spawn.h>
int main(int c, char **v) { pid_t p; open("/x", O_RDONLY | O_CLOEXEC); return c + posix_spawn(&p, "/x", 0, 0, v, 0); }`,
			[]string{"chmod", "fcntl", "getcwd", "spawn", "umask"}},
		{"fopen needs no chmod", `#include <stdio.h>
int main(void) { return fopen("/x", "w") != 0; }`, []string{"getcwd"}},
		{"fchmod", `#include <sys/stat.h>
int main(void) { return fchmod(1, 0644); }`, []string{"chmod"}},
		{"getpid", `#include <unistd.h>
int main(void) { return getpid(); }`, []string{"getpid"}},
		{"waitpid", `#include <sys/wait.h>
int main(void) { int s; return waitpid(-1, &s, WNOHANG); }`, []string{"wait4"}},
		{"signal", `#include <signal.h>
static void h(int s) { (void)s; }
int main(void) { return signal(SIGINT, h) == SIG_ERR; }`, []string{"sigaction"}},
		{"signal sets alone", `#include <signal.h>
int main(void) { sigset_t s; sigemptyset(&s); sigaddset(&s, SIGINT); return sigismember(&s, SIGINT); }`, nil},
		{"pipe and dup2", `#include <unistd.h>
int main(void) { int p[2]; pipe(p); return dup2(p[0], 5); }`, []string{"dup2", "pipe2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := names(moduleImports(t, compile(t, tt.src)))
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("occlum imports %v, want %v", got, tt.want)
			}
		})
	}
}

// abiFunctions reads the `occlum` function tables of docs/abi.md: name ->
// number of (i32) parameters.
func abiFunctions(t *testing.T) map[string]int {
	t.Helper()
	b, err := os.ReadFile("../../docs/abi.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	i := strings.Index(text, "\n## occlum")
	if i < 0 {
		t.Fatal("docs/abi.md has no occlum section")
	}
	row := regexp.MustCompile("^\\| ((?:`[a-z0-9_]+`(?:, )?)+) \\| ([^|]*) \\|")
	name := regexp.MustCompile("`([a-z0-9_]+)`")
	fns := map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(text[i:]))
	for sc.Scan() {
		m := row.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		params := strings.TrimSpace(m[2])
		n := 0
		if params != "" {
			n = len(strings.Split(params, ","))
		}
		for _, nm := range name.FindAllStringSubmatch(m[1], -1) {
			fns[nm[1]] = n
		}
	}
	if len(fns) < 30 {
		t.Fatalf("found only %d functions in docs/abi.md's occlum tables: %v", len(fns), fns)
	}
	return fns
}

// TestImportsMatchTheABIDoc: every `occlum` function libocclum imports is in
// docs/abi.md with the same number of parameters, of the types the LibOS
// declares (i32, and i64 for timeouts), and one i32 result, and every
// function of the document is used by libocclum.
func TestImportsMatchTheABIDoc(t *testing.T) {
	doc := abiFunctions(t)
	decl := map[string][]api.ValueType{}
	for _, f := range occlum.Funcs() {
		for _, p := range f.Params {
			decl[f.Name] = append(decl[f.Name], p.Type)
		}
	}
	used := map[string]bool{}
	for _, prog := range []string{"test/abi.c", "test/smoke.c", "test/net_compile.c"} {
		src, err := os.ReadFile(prog)
		if err != nil {
			t.Fatal(err)
		}
		for name, sig := range moduleImports(t, compile(t, string(src))) {
			used[name] = true
			n, ok := doc[name]
			if !ok {
				t.Errorf("%s imports occlum.%s, which docs/abi.md does not define", prog, name)
				continue
			}
			if len(sig.params) != n {
				t.Errorf("occlum.%s has %d parameters, docs/abi.md says %d", name, len(sig.params), n)
			}
			for i, p := range sig.params {
				if i < len(decl[name]) && p != decl[name][i] {
					t.Errorf("occlum.%s parameter %d is %s; the LibOS declares %s", name, i, api.ValueTypeName(p), api.ValueTypeName(decl[name][i]))
				}
			}
			if len(sig.results) != 1 || sig.results[0] != api.ValueTypeI32 {
				t.Errorf("occlum.%s returns %v, want one i32 (the errno)", name, sig.results)
			}
		}
	}
	for name := range doc {
		if !used[name] {
			t.Errorf("docs/abi.md defines occlum.%s but libocclum never calls it", name)
		}
	}
}

func TestSigtrampExport(t *testing.T) {
	bin := compile(t, `#include <signal.h>
static void h(int s) { (void)s; }
int main(void) { return signal(SIGINT, h) == SIG_ERR; }`)
	ctx := context.Background()
	r := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter())
	defer r.Close(ctx)
	m, err := r.CompileModule(ctx, bin)
	if err != nil {
		t.Fatal(err)
	}
	f, ok := m.ExportedFunctions()["__occlum_sigtramp"]
	if !ok {
		t.Fatal("a program using signal() does not export __occlum_sigtramp")
	}
	if p, res := f.ParamTypes(), f.ResultTypes(); len(p) != 2 || p[0] != api.ValueTypeI32 || p[1] != api.ValueTypeI32 || len(res) != 0 {
		t.Errorf("__occlum_sigtramp is %v -> %v, want (i32 handler, i32 sig) -> ()", p, res)
	}
	hello := compile(t, "int main(void) { return 0; }")
	if m, err := r.CompileModule(ctx, hello); err != nil {
		t.Fatal(err)
	} else if _, ok := m.ExportedFunctions()["__occlum_sigtramp"]; ok {
		t.Error("a program without signals exports __occlum_sigtramp")
	}
}

// TestHeaders: the overlay headers compile cleanly (-Wall -Wextra -Werror
// -pedantic) in the usual language modes, in C++, and whatever the order of
// inclusion.
func TestHeaders(t *testing.T) {
	all := []string{"fcntl.h", "paths.h", "signal.h", "spawn.h", "stdio.h", "stdlib.h", "string.h",
		"sys/resource.h", "sys/signal.h", "sys/stat.h", "sys/sysinfo.h", "sys/types.h", "sys/utsname.h",
		"sys/wait.h", "unistd.h", "poll.h", "sys/select.h", "dirent.h", "time.h", "wait.h", "pthread.h",
		"grp.h", "syslog.h", "sys/queue.h"}
	body := `int main(void) {
	sigset_t s; sigemptyset(&s);
	struct sigaction sa; sa.sa_handler = SIG_IGN; sa.sa_mask = s; sa.sa_flags = SA_RESTART;
	posix_spawn_file_actions_t fa; posix_spawnattr_t at; (void)fa; (void)at;
	int st = 0; (void)WEXITSTATUS(st); (void)WNOHANG;
	struct rlimit rl; rl.rlim_cur = RLIM_INFINITY; (void)rl;
	struct rusage ru; ru.ru_maxrss = 0; (void)ru;
	(void)O_CLOEXEC; (void)F_DUPFD_CLOEXEC; (void)_PATH_BSHELL;
	return sigaction(SIGINT, &sa, 0);
}
`
	var fwd, rev strings.Builder
	for i := range all {
		fmt.Fprintf(&fwd, "#include <%s>\n", all[i])
		fmt.Fprintf(&rev, "#include <%s>\n", all[len(all)-1-i])
	}
	for _, tt := range []struct {
		name  string
		src   string
		flags []string
	}{
		{"gnu11", fwd.String() + body, nil},
		{"reverse order", rev.String() + body, nil},
		{"c99 posix", "#define _POSIX_C_SOURCE 200809L\n" + fwd.String() + body, []string{"-std=c99", "-pedantic"}},
		{"c11 xopen", "#define _XOPEN_SOURCE 700\n" + fwd.String() + body, []string{"-std=c11", "-pedantic"}},
	} {
		t.Run(tt.name, func(t *testing.T) { compile(t, tt.src, tt.flags...) })
	}

	t.Run("C++", func(t *testing.T) {
		cc, _ := setup(t)
		dir := t.TempDir()
		src := filepath.Join(dir, "p.cpp")
		writeFile(t, src, fwd.String()+"#include <csignal>\n#include <cstdio>\n#include <cstdlib>\n#include <string>\n#include <wait.h>\n"+
			"int main() { pid_t p; char *argv[] = {nullptr}; std::string s = \"x\";\n"+
			"return posix_spawn(&p, s.c_str(), nullptr, nullptr, argv, nullptr) + open(\"x\", O_RDONLY | O_CLOEXEC) + fcntl(0, F_GETFD); }\n")
		cxx := filepath.Join(filepath.Dir(cc), "occlum-c++")
		if err := os.Symlink(cc, cxx); err != nil && !os.IsExist(err) {
			t.Fatal(err)
		}
		cmd := exec.Command(cxx, "-std=c++17", "-Wall", "-Wextra", "-Werror", "-o", filepath.Join(dir, "p.wasm"), src)
		if out, err := cmd.CombinedOutput(); err != nil {
			if strings.Contains(string(out), "make deps") {
				t.Skip(strings.TrimSpace(string(out)))
			}
			t.Fatalf("occlum-c++: %v\n%s", err, out)
		}
	})
}

// TestOracleProgramsBuild: the C programs of test/ build with the overlay,
// with the harness's flags, and import only functions of the ABI.
func TestOracleProgramsBuild(t *testing.T) {
	progs, _ := filepath.Glob("../../test/*/main.c")
	if len(progs) == 0 {
		t.Skip("no test/*/main.c")
	}
	doc := abiFunctions(t)
	for _, p := range progs {
		name := filepath.Base(filepath.Dir(p))
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			bin := compileWith(t, string(src), "-std=gnu11", "-O2", "-Wall", "-I", "../../test/include")
			for n := range moduleImports(t, bin) {
				if _, ok := doc[n]; !ok {
					t.Errorf("test/%s imports occlum.%s, which docs/abi.md does not define", name, n)
				}
			}
		})
	}
}

func compileWith(t *testing.T, src string, flags ...string) []byte {
	t.Helper()
	dir := t.TempDir()
	c := filepath.Join(dir, "p.c")
	writeFile(t, c, src)
	out := filepath.Join(dir, "p.wasm")
	occlumGCC(t, append(flags, "-o", out, c)...)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSmoke: test/smoke.c passes natively (Linux is its oracle) and builds
// with occlum-gcc. Running it inside the LibOS needs the host side of the
// `occlum` module (syscalls/occlum).
func TestSmoke(t *testing.T) {
	src, err := os.ReadFile("test/smoke.c")
	if err != nil {
		t.Fatal(err)
	}
	if cc, err := exec.LookPath("cc"); err == nil {
		dir := t.TempDir()
		native := filepath.Join(dir, "smoke")
		if out, err := exec.Command(cc, "-std=gnu11", "-O2", "-Wall", "-Wextra", "-Werror", "-o", native, "test/smoke.c").CombinedOutput(); err != nil {
			t.Fatalf("cc: %v\n%s", err, out)
		}
		cmd := exec.Command(native, dir)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil || !bytes.HasSuffix(out, []byte("smoke: PASS\n")) {
			t.Errorf("native smoke: %v\n%s", err, out)
		}
	} else {
		t.Log("no native cc: skipping the native run")
	}
	bin := compile(t, string(src))
	imports := names(moduleImports(t, bin))
	for _, want := range []string{"spawn", "wait4", "pipe2", "dup2", "kill", "sigaction", "getcwd", "chdir", "execve"} {
		if !strings.Contains(" "+strings.Join(imports, " ")+" ", " "+want+" ") {
			t.Errorf("smoke.wasm does not import occlum.%s (imports %v)", want, imports)
		}
	}
}

func TestArchiveFormat(t *testing.T) {
	_, lib := setup(t)
	ar, err := os.ReadFile(filepath.Join(lib, ArchiveName))
	if err != nil {
		t.Fatal(err)
	}
	members, index := readArchive(t, ar)
	if len(members) != len(Sources()) {
		t.Errorf("%d members, want one per source (%d)", len(members), len(Sources()))
	}
	for sym, off := range index {
		if _, ok := members[off]; !ok {
			t.Errorf("index: %s at offset %d, which is no member", sym, off)
		}
	}
	check := map[string]string{
		"posix_spawn": "spawn.o", "__wasilibc_find_relpath_alloc": "cwd.o", "__wasilibc_cwd": "cwd.o",
		"__occlum_sigtramp": "sigaction.o", "getpid": "getpid.o", "__occlum_open": "open.o",
	}
	for sym, member := range check {
		off, ok := index[sym]
		if !ok {
			t.Errorf("the index lacks %s", sym)
		} else if members[off].name != member {
			t.Errorf("index: %s in %s, want %s", sym, members[off].name, member)
		}
	}
	if nm, err := exec.LookPath("llvm-nm-14"); err == nil {
		out, err := exec.Command(nm, "--print-armap", filepath.Join(lib, ArchiveName)).CombinedOutput()
		if err != nil || !bytes.Contains(out, []byte("posix_spawn in spawn.o")) {
			t.Errorf("llvm-nm --print-armap: %v\n%.2000s", err, out)
		}
	}

	// The same members give the same bytes (no dates, no owners), including
	// a name too long for the header.
	var offs []int
	for off := range members {
		offs = append(offs, off)
	}
	sort.Ints(offs)
	var ms []Member
	for _, off := range offs {
		ms = append(ms, Member{Name: members[off].name, Data: members[off].data})
	}
	again, err := WriteArchive(ms)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, ar) {
		t.Error("WriteArchive of the same members gave different bytes")
	}
	ms[0].Name = "a-member-name-longer-than-sixteen.o"
	long, err := WriteArchive(ms)
	if err != nil {
		t.Fatal(err)
	}
	lm, li := readArchive(t, long)
	if lm[li["chdir"]].name != ms[0].Name && lm[li["chdir"]].name != "chdir.o" {
		t.Errorf("long member names: %v", lm)
	}
	found := false
	for _, m := range lm {
		found = found || m.name == ms[0].Name
	}
	if !found {
		t.Errorf("the long member name did not survive: %v", lm)
	}

	if _, err := WriteArchive([]Member{{Name: "x.o", Data: []byte("not wasm")}}); err == nil {
		t.Error("WriteArchive accepted a member that is not a wasm object")
	}
	if _, err := WriteArchive([]Member{ms[1], ms[1]}); err == nil || !strings.Contains(err.Error(), "defined by both") {
		t.Errorf("WriteArchive of a duplicate definition: %v", err)
	}
}

type arMember struct {
	name string
	data []byte
}

// readArchive parses a GNU archive: member header offset -> member, and the
// symbol index, symbol -> member header offset.
func readArchive(t *testing.T, ar []byte) (map[int]arMember, map[string]int) {
	t.Helper()
	if !bytes.HasPrefix(ar, []byte("!<arch>\n")) {
		t.Fatal("no archive magic")
	}
	members := map[int]arMember{}
	index := map[string]int{}
	var long []byte
	for off := 8; off < len(ar); {
		if off+60 > len(ar) || string(ar[off+58:off+60]) != "`\n" {
			t.Fatalf("bad member header at %d", off)
		}
		name := strings.TrimRight(string(ar[off:off+16]), " ")
		var size int
		fmt.Sscan(strings.TrimSpace(string(ar[off+48:off+58])), &size)
		data := ar[off+60 : off+60+size]
		switch {
		case name == "/":
			n := int(binary.BigEndian.Uint32(data))
			strs := bytes.Split(data[4+4*n:], []byte{0})
			for i := 0; i < n; i++ {
				index[string(strs[i])] = int(binary.BigEndian.Uint32(data[4+4*i:]))
			}
		case name == "//":
			long = data
		case strings.HasPrefix(name, "/"):
			var at int
			fmt.Sscan(name[1:], &at)
			end := bytes.Index(long[at:], []byte("/\n"))
			members[off] = arMember{string(long[at : at+end]), data}
		default:
			members[off] = arMember{strings.TrimSuffix(name, "/"), data}
		}
		off += 60 + size + size%2
	}
	return members, index
}
