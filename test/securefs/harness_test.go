// Package securefs tests the secure file systems end to end, the way a
// user meets them: `occlum new`, `occlum build`, `occlum run` with the real
// binaries of bin/ (`make build` first), and C programs from testdata/
// compiled with bin/occlum-gcc when the tests run.
//
//   - crash_test.go: a write storm inside the LibOS killed with SIGKILL at
//     random moments, again and again; after each kill the container layer
//     must mount and hold every file at or after its last logged fsync.
//   - tamper_test.go: the host flips, cuts, deletes, swaps and rolls back
//     objects of the image and the container layer, and changes their
//     metadata database: each is detected and named, and no tampered
//     plaintext reaches a program.
//   - keys_test.go: image keys, the container layer's binding to its
//     build (image and signer), layers that are a file or junk, two runs
//     at once (locking), a full host disk, and refusals that lose nothing
//     committed.
//   - workflow_test.go: the user's workflow (new, gen-image-key, build,
//     run, run again), with no plaintext left on the host.
//
// Every instance lives in a temporary directory; the user's Occlum
// directory (signing key, trusted signers) and the compile cache are
// temporary too, shared by the package's tests.
package securefs

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/occlumgo/occlum/instance"
)

// Paths of the two layers inside an instance, as the default Occlum.json
// names them.
const (
	imageLayer     = instance.ImageLayerDir // build/mount/__ROOT
	containerLayer = "run/mount/__ROOT"
	// containerSource is the container layer's source in Occlum.json: the
	// label of its sealing key is "sefs " + containerSource.
	containerSource = "./" + containerLayer
)

// cmdTimeout bounds every command a test runs (a hang fails, not stalls).
const cmdTimeout = 2 * time.Minute

var (
	binDir = func() string {
		_, file, _, _ := runtime.Caller(0)
		return filepath.Join(filepath.Dir(file), "..", "..", "bin")
	}()
	occlumBin = filepath.Join(binDir, "occlum")
	gccBin    = filepath.Join(binDir, "occlum-gcc")
	// scratch holds what is shared by the package's tests: the compiled
	// programs, the user's Occlum directory and the compile cache.
	scratch string
)

// TestMain gives the tests a throw-away user directory and compile cache,
// and a host environment that changes nothing the tests look at.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "occlum-securefs-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	scratch = dir
	os.Setenv(instance.ConfigDirEnv, filepath.Join(dir, "user"))
	os.Setenv("OCCLUM_CACHE_DIR", filepath.Join(dir, "cache"))
	for _, v := range []string{"OCCLUM_SIM_SECRET", "OCCLUM_LOG_LEVEL", "SGX_MODE", "OCCLUM_INSTANCE_DIR",
		"OCCLUM_LIBOS", "OCCLUM_MRSIGNER", "OCCLUM_PROTECT", "SOURCE_DATE_EPOCH"} {
		os.Unsetenv(v)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// needTools skips the test when the binaries of `make build` are missing.
func needTools(t testing.TB) {
	t.Helper()
	for _, p := range []string{gccBin, occlumBin, filepath.Join(binDir, instance.LibOSBinaryName)} {
		if _, err := os.Stat(p); err != nil {
			t.Skipf("skipping: %s is missing: run `make build` first (these tests run the real binaries of bin/)", p)
		}
	}
}

var (
	compileMu sync.Mutex
	compiled  = map[string]string{}
)

// program compiles testdata/NAME.c with bin/occlum-gcc (once per test
// binary) and returns the wasm binary's path.
func program(t testing.TB, name string) string {
	t.Helper()
	needTools(t)
	compileMu.Lock()
	defer compileMu.Unlock()
	if p, ok := compiled[name]; ok {
		return p
	}
	out := filepath.Join(scratch, "programs", name)
	os.MkdirAll(filepath.Dir(out), 0o755)
	src := filepath.Join("testdata", name+".c")
	msg, err := exec.Command(gccBin, "-std=gnu11", "-O2", "-Wall", "-Werror", "-o", out, src).CombinedOutput()
	if err != nil {
		if strings.Contains(string(msg), "(make deps)") {
			t.Skipf("skipping: occlum-gcc cannot build wasm here: %s", strings.TrimSpace(string(msg)))
		}
		t.Fatalf("occlum-gcc %s: %v\n%s", src, err, msg)
	}
	compiled[name] = out
	return out
}

// result is what one command did.
type result struct {
	args           []string
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("`%s`: exit %d\nstdout: %q\nstderr: %q", strings.Join(r.args, " "), r.code, r.stdout, r.stderr)
}

// inst is an instance directory.
type inst struct {
	t   testing.TB
	dir string
}

// newInstance makes an instance with `occlum new` (which installs the
// userland) and puts the programs named into image/bin; it is not built.
func newInstance(t testing.TB, programs ...string) *inst {
	t.Helper()
	needTools(t)
	dir := filepath.Join(t.TempDir(), "inst")
	in := &inst{t: t, dir: dir}
	if r := in.occlumIn(filepath.Dir(dir), "new", dir); r.code != 0 {
		t.Fatalf("%v", r)
	}
	for _, name := range programs {
		in.install(program(t, name), name)
	}
	return in
}

// install copies the file src into image/bin/NAME.
func (in *inst) install(src, name string) {
	in.t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		in.t.Fatal(err)
	}
	in.writeFile(filepath.Join("image/bin", name), data, 0o755)
}

// writeFile writes a file under the instance directory.
func (in *inst) writeFile(rel string, data []byte, perm os.FileMode) {
	in.t.Helper()
	p := filepath.Join(in.dir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		in.t.Fatal(err)
	}
	if err := os.WriteFile(p, data, perm); err != nil {
		in.t.Fatal(err)
	}
}

func (in *inst) path(rel string) string { return filepath.Join(in.dir, rel) }

// occlum runs bin/occlum ARGS in the instance directory.
func (in *inst) occlum(args ...string) result {
	in.t.Helper()
	return in.occlumIn(in.dir, args...)
}

func (in *inst) occlumIn(wd string, args ...string) result {
	in.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, occlumBin, args...)
	cmd.Dir = wd
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{args: append([]string{"occlum"}, args...), stdout: out.String(), stderr: errb.String()}
	if ctx.Err() != nil {
		in.t.Fatalf("timed out after %v: %v", cmdTimeout, r)
	}
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			in.t.Fatalf("occlum %v: %v", args, err)
		}
		r.code = ee.ExitCode()
	}
	return r
}

// build runs `occlum build ARGS` and fails the test if it fails.
func (in *inst) build(args ...string) {
	in.t.Helper()
	if r := in.occlum(append([]string{"build"}, args...)...); r.code != 0 {
		in.t.Fatalf("%v", r)
	}
}

// run runs `occlum run ARGS`.
func (in *inst) run(args ...string) result {
	in.t.Helper()
	return in.occlum(append([]string{"run"}, args...)...)
}

// mustRun runs `occlum run ARGS` and fails the test unless it exits 0.
func (in *inst) mustRun(args ...string) result {
	in.t.Helper()
	r := in.run(args...)
	if r.code != 0 {
		in.t.Fatalf("%v", r)
	}
	return r
}

// started is a command running in the background.
type started struct {
	cmd      *exec.Cmd
	args     []string
	stdin    io.WriteCloser
	stdout   *bufio.Reader // read by the test (readLine) or by wait
	stderr   bytes.Buffer
	waitOnce sync.Once
	waitErr  error
	rest     bytes.Buffer // stdout after the lines the test read
}

// start starts `occlum ARGS` in its own process group. Its stdout is a pipe
// the test reads (or drains) itself; stdin is a pipe too.
func (in *inst) start(args ...string) *started {
	in.t.Helper()
	cmd := exec.Command(occlumBin, args...)
	cmd.Dir = in.dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	s := &started{cmd: cmd, args: append([]string{"occlum"}, args...)}
	var err error
	if s.stdin, err = cmd.StdinPipe(); err != nil {
		in.t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		in.t.Fatal(err)
	}
	s.stdout = bufio.NewReader(out)
	cmd.Stderr = &s.stderr
	if err := cmd.Start(); err != nil {
		in.t.Fatal(err)
	}
	in.t.Cleanup(func() {
		s.killGroup()
		s.wait()
	})
	return s
}

// killGroup sends SIGKILL to the command's process group: occlum and the
// occlum-libos it started.
func (s *started) killGroup() { syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL) }

// readLine returns the next line the command prints (without the
// newline), or an error at end of file.
func (s *started) readLine() (string, error) {
	line, err := s.stdout.ReadString('\n')
	return strings.TrimSuffix(line, "\n"), err
}

// wait drains stdout and waits for the command; it returns the result
// (stdout is what the test did not read with readLine).
func (s *started) wait() result {
	s.waitOnce.Do(func() {
		io.Copy(&s.rest, s.stdout)
		s.stdin.Close()
		s.waitErr = s.cmd.Wait()
	})
	r := result{args: s.args, stdout: s.rest.String(), stderr: s.stderr.String()}
	if ee, ok := s.waitErr.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			r.code = 128 + int(ws.Signal())
		}
	} else if s.waitErr != nil {
		r.code = -1
		r.stderr += s.waitErr.Error()
	}
	return r
}

// objects returns the SHA-256 of every object of the layer in dir (relative
// to the instance), by name.
func (in *inst) objects(layer string) map[string][32]byte {
	in.t.Helper()
	dir := filepath.Join(in.dir, layer, "objects")
	ents, err := os.ReadDir(dir)
	if err != nil {
		in.t.Fatal(err)
	}
	out := map[string][32]byte{}
	for _, e := range ents {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			in.t.Fatal(err)
		}
		out[e.Name()] = sha256.Sum256(data)
	}
	return out
}

// changed returns the objects new or different in after, sorted.
func changed(before, after map[string][32]byte) []string {
	var out []string
	for n, h := range after {
		if b, ok := before[n]; !ok || b != h {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// marked is the content testdata/common.h's fill_marked gives a file of
// size bytes: 4 KiB block i holds "MARKER-blk<i>." repeated.
func marked(marker string, size int) []byte {
	out := make([]byte, size)
	for b := 0; b*4096 < size; b++ {
		unit := fmt.Sprintf("%s-blk%d.", marker, b)
		for i := b * 4096; i < size && i < (b+1)*4096; i++ {
			out[i] = unit[(i-b*4096)%len(unit)]
		}
	}
	return out
}

// filesUnder returns every regular file under dir (host paths).
func filesUnder(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		if d.Type().IsRegular() {
			out = append(out, p)
		}
		return nil
	})
	return out
}
