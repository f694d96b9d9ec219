package libocclum

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/occlumgo/occlum/libos/libostest"
)

// TestSmokeInLibOS runs test/smoke.c inside a LibOS: libocclum over the real
// `occlum` host module (syscalls/occlum), with the same checks Linux passes
// in TestSmoke. The image has no shell, so smoke is also installed as
// /bin/sh (it then understands just what its system/popen checks run).
func TestSmokeInLibOS(t *testing.T) {
	src, err := os.ReadFile("test/smoke.c")
	if err != nil {
		t.Fatal(err)
	}
	bin := compile(t, string(src))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	l, install, cleanup, err := libostest.Boot(ctx, libostest.ProgramOptions{Stdout: &stdout, Stderr: &stderr})
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	for _, p := range []string{"/bin/smoke", "/bin/sh"} {
		if err := install(p, bin); err != nil {
			t.Fatal(err)
		}
	}
	st, err := l.Run(ctx, "/bin/smoke", []string{"/bin/smoke"}, nil)
	if err != nil {
		t.Fatalf("running smoke in the LibOS: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	if strings.Contains(stdout.String(), "skip") {
		t.Errorf("smoke skipped checks:\n%s", stdout.String())
	}
	if st.ShellStatus() != 0 || !strings.HasSuffix(stdout.String(), "smoke: PASS\n") {
		t.Errorf("smoke in the LibOS: status %d\nstdout:\n%s\nstderr:\n%s", st.ShellStatus(), stdout.String(), stderr.String())
	}
}
