package libocclum

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/occlumgo/occlum/core/kernel"
	"github.com/occlumgo/occlum/libos/libostest"
)

// TestSmokeInLibOS runs test/smoke.c inside a LibOS: libocclum over the real
// `occlum` host module (syscalls/occlum), with the same checks Linux passes
// in TestSmoke. The image has no shell, so smoke is also installed as
// /bin/sh (it then understands just what its system/popen checks run).
func TestSmokeInLibOS(t *testing.T) {
	st, stdout, stderr := runCInLibOS(t, "test/smoke.c", "/bin/smoke", "/bin/sh")
	if strings.Contains(stdout, "skip") {
		t.Errorf("smoke skipped checks:\n%s", stdout)
	}
	if st.ShellStatus() != 0 || !strings.HasSuffix(stdout, "smoke: PASS\n") {
		t.Errorf("smoke in the LibOS: status %d\nstdout:\n%s\nstderr:\n%s", st.ShellStatus(), stdout, stderr)
	}
}

// runCInLibOS compiles the C source file src, installs it at each of the
// paths (the first is run) in a fresh LibOS with a ramfs root, runs it
// and returns its status and output.
func runCInLibOS(t *testing.T, src string, paths ...string) (kernel.WaitStatus, string, string) {
	t.Helper()
	code, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	bin := compile(t, string(code))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	l, install, cleanup, err := libostest.Boot(ctx, libostest.ProgramOptions{Stdout: &stdout, Stderr: &stderr})
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	for _, p := range paths {
		if err := install(p, bin); err != nil {
			t.Fatal(err)
		}
	}
	st, err := l.Run(ctx, paths[0], []string{paths[0]}, nil)
	if err != nil {
		t.Fatalf("running %s in the LibOS: %v\nstdout:\n%s\nstderr:\n%s", src, err, stdout.String(), stderr.String())
	}
	return st, stdout.String(), stderr.String()
}
