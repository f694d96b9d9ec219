package userland

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/occlumgo/occlum/internal/toolchaintest"
	"github.com/occlumgo/occlum/libos/libostest"
)

var (
	wasmOnce sync.Once
	wasmDir  string
	wasmErr  error
)

// TestCasesInLibOS runs every case with our sh and utilities built with
// occlum-gcc, inside the LibOS (the case's directory is a host directory
// mounted at /host), against dash and the GNU tools natively.
func TestCasesInLibOS(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the userland for the LibOS")
	}
	dash := reference(t)
	gcc := toolchaintest.OcclumGCC(t)
	wasmOnce.Do(func() {
		wasmDir, wasmErr = os.MkdirTemp("", "userland-wasm-")
		if wasmErr == nil {
			wasmErr = Build(gcc, []string{"-O2"}, wasmDir)
		}
	})
	if wasmErr != nil {
		t.Fatal(wasmErr)
	}
	bins := map[string][]byte{}
	for _, p := range Programs {
		b, err := os.ReadFile(filepath.Join(wasmDir, p))
		if err != nil {
			t.Fatal(err)
		}
		bins["/bin/"+p] = b
	}
	for _, c := range Cases {
		t.Run(c.Name, func(t *testing.T) {
			if why, ok := libosGaps[c.Name]; ok {
				t.Skip(why)
			}
			dir := t.TempDir()
			fresh(t, dir, c.Files)
			want := run(t, dash, "/usr/bin:/bin", dir, c.Script, c.Stdin)
			fresh(t, dir, c.Files)
			got := runInLibOS(t, bins, dir, c.Script, c.Stdin)
			// Paths of the host directory appear as /host inside.
			want.stdout = strings.ReplaceAll(want.stdout, dir, "/host")
			want.stderr = strings.ReplaceAll(want.stderr, dir, "/host")
			if got != want {
				t.Errorf("script: %s\n--- LibOS: status %d\nstdout:\n%s\nstderr:\n%s\n--- dash+GNU: status %d\nstdout:\n%s\nstderr:\n%s",
					c.Script, got.status, got.stdout, got.stderr, want.status, want.stdout, want.stderr)
			}
		})
	}
}

// libosGaps are the cases whose LibOS behaviour is known to differ, and why.
var libosGaps = map[string]string{
	"not-executable": "the LibOS does not check execute bits (guests have no chmod yet), so a non-program is ENOEXEC (Exec format error), not EACCES",

	"ls-long": "WASI preview 1's filestat has no permission bits, owner or block count, so ls -l shows ---------- and total 0 (needs an occlum stat call)",
}

// runInLibOS runs `sh -c script` in /host (= dir) inside a fresh LibOS.
func runInLibOS(t *testing.T, bins map[string][]byte, dir, script, stdin string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out, errb bytes.Buffer
	l, install, cleanup, err := libostest.Boot(ctx, libostest.ProgramOptions{
		Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, HostDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	for p, b := range bins {
		if err := install(p, b); err != nil {
			t.Fatal(err)
		}
	}
	// The user database a new instance's image has (instance.create).
	for p, b := range map[string]string{"/etc/passwd": "root:x:0:0:root:/root:/bin/sh\n", "/etc/group": "root:x:0:\n"} {
		if err := install(p, []byte(b)); err != nil {
			t.Fatal(err)
		}
	}
	// The root process starts in /: an outer shell moves to /host and
	// replaces itself with the shell running the case.
	st, err := l.Run(ctx, "/bin/sh", []string{"sh", "-c", `cd /host && exec sh -c "$1"`, "sh", script},
		[]string{"PATH=/bin", "LC_ALL=C", "TZ=UTC", "HOME=/host", "TMPDIR=/tmp"})
	if err != nil {
		t.Fatal(err)
	}
	return result{out.String(), errb.String(), st.ShellStatus()}
}
