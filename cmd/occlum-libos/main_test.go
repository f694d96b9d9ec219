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
