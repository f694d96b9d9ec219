//go:build !wasip1

package occlum_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/occlumgo/occlum/libos/libostest"
)

// wasip1 builds (or vets) Go packages for GOOS=wasip1 GOARCH=wasm.
func wasip1(t *testing.T, args ...string) {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("GOOS=wasip1 GOARCH=wasm go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// TestBuildsForWasip1: the package, the example and the check program build
// and vet for GOOS=wasip1 (natively this package is empty).
func TestBuildsForWasip1(t *testing.T) {
	wasip1(t, "vet", "../...", "./testdata/check")
	wasip1(t, "build", "-o", filepath.Join(t.TempDir(), "spawn.wasm"), "../examples/spawn")
}

// TestInLibOS runs testdata/check (every call of the package) and the
// spawn example inside a LibOS.
func TestInLibOS(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs Go wasm programs")
	}
	dir := t.TempDir()
	check, example := filepath.Join(dir, "check.wasm"), filepath.Join(dir, "spawn.wasm")
	wasip1(t, "build", "-o", check, "./testdata/check")
	wasip1(t, "build", "-o", example, "../examples/spawn")
	checkBin, err := os.ReadFile(check)
	if err != nil {
		t.Fatal(err)
	}
	exampleBin, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	l, install, cleanup, err := libostest.Boot(ctx, libostest.ProgramOptions{Stdout: &stdout, Stderr: &stderr})
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	for p, b := range map[string][]byte{"/bin/check": checkBin, "/bin/echo": checkBin, "/bin/spawn": exampleBin} {
		if err := install(p, b); err != nil {
			t.Fatal(err)
		}
	}

	st, err := l.Run(ctx, "/bin/check", []string{"/bin/check"}, nil)
	if err != nil || st.ShellStatus() != 0 || !strings.HasSuffix(stdout.String(), "check: PASS\n") {
		t.Errorf("check: status %d, %v\nstdout:\n%s\nstderr:\n%s", st.ShellStatus(), err, stdout.String(), stderr.String())
	}

	stdout.Reset()
	stderr.Reset()
	st, err = l.Run(ctx, "/bin/spawn", []string{"/bin/spawn"}, nil)
	if err != nil || st.ShellStatus() != 0 {
		t.Fatalf("spawn example: status %d, %v\nstdout:\n%s\nstderr:\n%s", st.ShellStatus(), err, stdout.String(), stderr.String())
	}
	lines := strings.Split(stdout.String(), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "hello from a child of ") || !strings.HasSuffix(lines[1], ": exit status 0") {
		t.Errorf("spawn example printed:\n%s", stdout.String())
	}
}

// TestHTTPExample: the net/http example serves itself inside the LibOS
// (the connection joined inside), and serves a client on the host.
func TestHTTPExample(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a Go wasm program")
	}
	wasm := filepath.Join(t.TempDir(), "httpd.wasm")
	wasip1(t, "build", "-o", wasm, "../examples/httpd")
	bin, err := os.ReadFile(wasm)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var stdout, stderr syncBuffer
	l, install, cleanup, err := libostest.Boot(ctx, libostest.ProgramOptions{Stdout: &stdout, Stderr: &stderr})
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	if err := install("/bin/httpd", bin); err != nil {
		t.Fatal(err)
	}
	st, err := l.Run(ctx, "/bin/httpd", []string{"/bin/httpd", "selftest"}, nil)
	if err != nil || st.ShellStatus() != 0 || strings.Count(stdout.String(), "hello from the LibOS: GET /x\n") != 3 {
		t.Fatalf("selftest: status %d, %v\nstdout:\n%s\nstderr:\n%s", st.ShellStatus(), err, stdout.String(), stderr.String())
	}

	// A host client: pick a free port, serve on it, fetch from the host.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	stdout.Reset()
	done := make(chan struct{})
	go func() {
		defer close(done)
		l.Run(ctx, "/bin/httpd", []string{"/bin/httpd", "serve", addr}, nil)
	}()
	var body []byte
	for i := 0; i < 200; i++ {
		resp, err := http.Get("http://" + addr + "/from-host")
		if err == nil {
			body, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if string(body) != "hello from the LibOS: GET /from-host\n" {
		t.Errorf("host client got %q\nstderr:\n%s", body, stderr.String())
	}
	cancel() // ends the server with the LibOS's context
	<-done
}

// syncBuffer is a bytes.Buffer safe for a program's output and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *syncBuffer) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b.Reset()
}
