package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/occlumgo/occlum/instance"
	"github.com/occlumgo/occlum/internal/toolchaintest"
)

const hello = `package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Println("hello", os.Args[1:], os.Getenv("OCCLUM"), os.Getenv("EXAMPLE"), os.Getenv("NOT_LISTED"))
	os.Exit(3)
}
`

var (
	helloOnce sync.Once
	helloWasm []byte
	helloErr  error
)

// builtInstance builds a Go wasip1 hello program into a new, built
// instance. The LibOS binary measured is a stand-in: the LibOS does not
// hash its own binary (the loader does).
func builtInstance(t *testing.T) string {
	t.Helper()
	t.Setenv("OCCLUM_CACHE_DIR", t.TempDir())
	if testing.Short() {
		t.Skip("builds a wasm program")
	}
	helloOnce.Do(func() {
		src, err := os.MkdirTemp("", "hello")
		if err != nil {
			helloErr = err
			return
		}
		defer os.RemoveAll(src)
		os.WriteFile(filepath.Join(src, "main.go"), []byte(hello), 0o644)
		os.WriteFile(filepath.Join(src, "go.mod"), []byte("module hello\n\ngo 1.21\n"), 0o644)
		cmd := exec.Command("go", "build", "-o", "hello.wasm", ".")
		cmd.Dir = src
		cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "GOFLAGS=")
		if out, err := cmd.CombinedOutput(); err != nil {
			helloErr = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		helloWasm, helloErr = os.ReadFile(filepath.Join(src, "hello.wasm"))
	})
	if helloErr != nil {
		t.Fatal(helloErr)
	}
	dir := filepath.Join(t.TempDir(), "inst")
	if err := instance.New(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "image/bin/hello"), helloWasm, 0o755); err != nil {
		t.Fatal(err)
	}
	libos := filepath.Join(t.TempDir(), "occlum-libos")
	os.WriteFile(libos, []byte("stand-in"), 0o755)
	if _, err := instance.Build(dir, instance.BuildOptions{LibOSBinary: libos}); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestRunProgram(t *testing.T) {
	dir := builtInstance(t)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	w.WriteString("EXAMPLE=from host\x00NOT_LISTED=x\x00")
	w.Close()
	defer r.Close()
	fd, err := syscall.Dup(int(r.Fd())) // readEnv closes the descriptor it is given
	if err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := doMain([]string{"run", "--instance", dir, "--env-fd", strconv.Itoa(fd), "--", "/bin/hello", "a", "-b"},
		strings.NewReader(""), &out, &errb)
	if code != 3 {
		t.Fatalf("exit status %d, want 3; stderr %q", code, errb.String())
	}
	if got, want := out.String(), "hello [a -b] yes from host \n"; got != want {
		t.Errorf("stdout %q, want %q", got, want)
	}
}

func TestRefusals(t *testing.T) {
	dir := builtInstance(t)
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"run", "--instance", dir, "/etc/x"}, 1, "/etc/x is not under any of the entry_points"},
		{[]string{"run", "--instance", dir, "/bin/missing"}, 127, "/bin/missing"},
		{[]string{"run", "--instance", filepath.Join(dir, "nope"), "/bin/hello"}, 1, "does not exist"},
		{[]string{"run", "/bin/hello"}, 2, "needs --instance DIR"},
		{[]string{"exec"}, 2, "usage: occlum-libos run"},
	} {
		var out, errb bytes.Buffer
		code := doMain(tc.args, strings.NewReader(""), &out, &errb)
		if code != tc.code || !strings.Contains(errb.String(), tc.msg) {
			t.Errorf("%v: exit %d, stderr %q; want %d, %q", tc.args, code, errb.String(), tc.code, tc.msg)
		}
	}
}

// The review's escape, end to end: a guest with /host mapped to the
// instance directory (as the old default Occlum.json did) and /up to its
// parent (where the user's Occlum directory and the compile cache are)
// tries every step of the attack; each is refused, and the host's files
// are as they were.
func TestGuestCannotReachWhatTheHostTrusts(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles C programs")
	}
	gcc := toolchaintest.OcclumGCC(t)
	top := t.TempDir()
	t.Setenv(instance.ConfigDirEnv, filepath.Join(top, "user"))
	t.Setenv("OCCLUM_CACHE_DIR", filepath.Join(top, "cache"))
	os.MkdirAll(filepath.Join(top, "cache"), 0o700)
	dir := filepath.Join(top, "inst")
	if err := instance.New(dir); err != nil {
		t.Fatal(err)
	}
	compile := func(src, out string) {
		t.Helper()
		if o, err := exec.Command(gcc, "-O2", "-o", filepath.Join(dir, "image/bin", out), src).CombinedOutput(); err != nil {
			t.Fatalf("occlum-gcc %s: %v\n%s", src, err, o)
		}
	}
	compile("testdata/escape.c", "escape")
	trueC := filepath.Join(top, "true.c")
	os.WriteFile(trueC, []byte("int main(void) { return 0; }\n"), 0o644)
	compile(trueC, "true")
	os.Mkdir(filepath.Join(dir, "image/up"), 0o755)
	cfgPath := filepath.Join(dir, instance.ConfigFile)
	cfg, _ := os.ReadFile(cfgPath)
	cfg = bytes.Replace(cfg, []byte(`"source": "./host"`), []byte(`"source": "."`), 1)
	cfg = bytes.Replace(cfg, []byte(`"target": "/dev",`), []byte(`"target": "/up", "type": "hostfs", "source": ".."}, {"target": "/dev",`), 1)
	os.WriteFile(cfgPath, cfg, 0o644)
	os.MkdirAll(filepath.Join(dir, ".occlum"), 0o700)
	os.WriteFile(filepath.Join(dir, ".occlum/dev_sign_key.pem"), []byte("legacy key"), 0o600)
	libos := filepath.Join(top, "occlum-libos")
	os.WriteFile(libos, []byte("stand-in"), 0o755)
	if _, err := instance.Build(dir, instance.BuildOptions{LibOSBinary: libos}); err != nil {
		t.Fatal(err)
	}
	snapshot := func() map[string]string {
		m := map[string]string{}
		filepath.WalkDir(top, func(p string, d os.DirEntry, err error) error {
			// host/ is the exchange directory, run/ the container layer
			// the LibOS itself keeps (sealed), cache/ the compile cache.
			if err == nil && !d.IsDir() && !strings.HasPrefix(p, filepath.Join(dir, "host")) && !strings.HasPrefix(p, filepath.Join(dir, "run")) && !strings.HasPrefix(p, filepath.Join(top, "cache")) {
				b, _ := os.ReadFile(p)
				m[p] = string(b)
			}
			return nil
		})
		return m
	}
	before := snapshot()
	var out, errb bytes.Buffer
	code := doMain([]string{"run", "--instance", dir, "--", "/bin/escape"}, strings.NewReader(""), &out, &errb)
	t.Log(out.String())
	if code != 0 || strings.Contains(out.String(), "ALLOWED") {
		t.Fatalf("exit status %d\n%s%s", code, out.String(), errb.String())
	}
	after := snapshot()
	for p, c := range before {
		if after[p] != c {
			t.Errorf("%s changed", p)
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok {
			t.Errorf("%s appeared", p)
		}
	}
	if fi, err := os.Stat(filepath.Join(dir, "host/evil")); err != nil || fi.Mode().Perm() != 0o644 || fi.Mode()&(os.ModeSetuid|os.ModeSetgid) != 0 {
		t.Errorf("host/evil: %v %v", fi.Mode(), err)
	}
	if _, err := instance.Verify(dir); err != nil {
		t.Errorf("the build no longer verifies: %v", err)
	}
}
