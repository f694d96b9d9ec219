// Package test runs the C programs in this directory natively and inside the
// LibOS, with Linux as the oracle.
//
// Each program lives in <name>/main.c and includes include/test.h. The
// harness builds it twice, with the host's cc and with occlum-gcc
// (cmd/occlum-cc), runs the native binary in a fresh temporary directory and
// requires exit status 0, then runs the wasm binary inside a fresh LibOS and
// requires exit status 0 and the same stdout, byte for byte.
//
// The LibOS half goes through runInLibOS (libos_test.go).
package test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
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
}

var programs = []program{
	{name: "hello_world"},
	{name: "file"},
	{name: "readdir"},
	{name: "mkdir"},
	{name: "rename"},
	{name: "stat"},
	{name: "truncate"},
	{name: "symlink"},
	{name: "link"},
	{
		name: "env",
		args: []string{"alpha", "two words", "", "-x=1"},
		env:  []string{"TEST_ENV_A=hello", "TEST_ENV_B=with spaces = and equals", "TEST_ENV_EMPTY="},
	},
	{name: "time"},
	{name: "random"},
	{name: "device"},
	{name: "hostfs", hostfs: true},
}

// Flags for both compilers.
var cflags = []string{"-std=gnu11", "-O2", "-Wall", "-Iinclude"}

const runTimeout = 2 * time.Minute

func TestEveryProgramIsInTheTable(t *testing.T) {
	inTable := map[string]bool{}
	for _, p := range programs {
		inTable[p.name] = true
	}
	dirs, err := filepath.Glob("*/main.c")
	if err != nil {
		t.Fatal(err)
	}
	onDisk := map[string]bool{}
	for _, d := range dirs {
		name := filepath.Dir(d)
		onDisk[name] = true
		if !inTable[name] {
			t.Errorf("test/%s has no entry in the programs table of oracle_test.go", d)
		}
	}
	for _, p := range programs {
		if !onDisk[p.name] {
			t.Errorf("programs table lists %q but test/%s/main.c does not exist", p.name, p.name)
		}
	}
}

func TestOracle(t *testing.T) {
	cc, err := exec.LookPath("cc")
	if err != nil {
		t.Skip("skipping: no native C compiler (cc) to build the oracle with")
	}
	bin := t.TempDir()
	occlumGCC, wasmSkip := buildOcclumGCC(t, bin)

	for _, p := range programs {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			src := filepath.Join(p.name, "main.c")
			native := filepath.Join(bin, p.name)
			compile(t, cc, native, src)
			want := runNative(t, p, native)

			if wasmSkip != "" {
				t.Skip(wasmSkip)
			}
			wasm := filepath.Join(bin, p.name+".wasm")
			compile(t, occlumGCC, wasm, src)
			got := runWasm(t, p, wasm)
			if !bytes.Equal(got, want) {
				t.Errorf("stdout inside the LibOS differs from the native stdout\n--- native\n%s--- LibOS\n%s", want, got)
			}
		})
	}
}

// buildOcclumGCC builds cmd/occlum-cc as bin/occlum-gcc. When the machine
// has no wasm toolchain it returns a skip message for the wasm half.
func buildOcclumGCC(t *testing.T, bin string) (path, skip string) {
	t.Helper()
	gocmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go not on PATH: %v", err)
	}
	path = filepath.Join(bin, "occlum-gcc")
	out, err := exec.Command(gocmd, "build", "-o", path, "../cmd/occlum-cc").CombinedOutput()
	if err != nil {
		t.Fatalf("go build ../cmd/occlum-cc: %v\n%s", err, out)
	}
	// Probe: is clang with the wasm32-wasi sysroot there?
	probe := filepath.Join(bin, "probe.c")
	if err := os.WriteFile(probe, []byte("int main(void) { return 0; }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = exec.Command(path, "-o", probe+".wasm", probe).CombinedOutput()
	if err != nil {
		msg := strings.TrimSpace(string(out))
		if strings.Contains(msg, "(make deps)") {
			return path, "skipping the wasm build: " + msg
		}
		t.Fatalf("occlum-gcc cannot build an empty program: %v\n%s", err, msg)
	}
	return path, ""
}

func compile(t *testing.T, compiler, out, src string) {
	t.Helper()
	args := append(append([]string{}, cflags...), "-o", out, src)
	cmd := exec.Command(compiler, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(compiler), strings.Join(args, " "), err, stderr.String())
	}
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
func runNative(t *testing.T, p program, native string) []byte {
	t.Helper()
	dir := t.TempDir()
	env := append([]string{}, p.env...)
	var sentinel string
	if p.hostfs {
		dir, sentinel = hostDir(t)
		env = append(env, "OCCLUM_TEST_SENTINEL="+sentinel)
	}
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, native, append([]string{dir}, p.args...)...)
	cmd.Dir = dir
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("native %s: %v\n--- stdout\n%s--- stderr\n%s", p.name, err, stdout.String(), stderr.String())
	}
	if p.hostfs {
		checkHostSide(t, "native", dir, sentinel)
	}
	return stdout.Bytes()
}

// runWasm runs the wasm binary in a fresh LibOS and returns its stdout; it
// must exit 0.
func runWasm(t *testing.T, p program, wasm string) []byte {
	t.Helper()
	bin, err := os.ReadFile(wasm)
	if err != nil {
		t.Fatal(err)
	}
	share := t.TempDir()
	dir := "/tmp"
	env := append([]string{}, p.env...)
	var sentinel string
	if p.hostfs {
		share, sentinel = hostDir(t)
		dir = "/host"
		env = append(env, "OCCLUM_TEST_SENTINEL="+sentinel, "OCCLUM_TEST_CONFINED=1")
	}
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	var stdout, stderr bytes.Buffer
	status, err := runInLibOS(ctx, libosRun{
		Wasm:    bin,
		Args:    append([]string{"/bin/" + p.name, dir}, p.args...),
		Env:     env,
		Stdin:   strings.NewReader(""),
		Stdout:  &stdout,
		Stderr:  &stderr,
		HostDir: share,
	})
	if err != nil {
		t.Fatalf("LibOS %s: %v\n--- stdout\n%s--- stderr\n%s", p.name, err, stdout.String(), stderr.String())
	}
	if status != 0 {
		t.Fatalf("LibOS %s: exit status %d\n--- stdout\n%s--- stderr\n%s", p.name, status, stdout.String(), stderr.String())
	}
	if p.hostfs {
		checkHostSide(t, "LibOS", share, sentinel)
	}
	return stdout.Bytes()
}

// libosRun is what the harness asks of the LibOS: run one program with these
// arguments, environment and standard streams, the host directory HostDir
// mounted at /host, a ramfs at / and /tmp and devfs at /dev.
type libosRun struct {
	Wasm           []byte
	Args           []string // argv, including argv[0]
	Env            []string
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	HostDir        string
}
