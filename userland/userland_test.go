package userland

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

// built compiles everything natively once per test binary.
func built(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("cc"); err != nil {
		t.Skip("no C compiler (cc)")
	}
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "userland-bin-")
		if buildErr == nil {
			buildErr = Build("cc", nil, buildDir)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildDir
}

// reference is the oracle: dash as sh, GNU tools from /usr/bin:/bin.
func reference(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/dash", "/bin/dash"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Skip("dash not installed")
	return ""
}

type result struct {
	stdout, stderr string
	status         int
}

// run executes `sh -c script` (argv[0] "sh") in dir with PATH set to path.
func run(t *testing.T, shell, path, dir, script, stdin string) result {
	t.Helper()
	cmd := &exec.Cmd{
		Path: shell,
		Args: []string{"sh", "-c", script},
		Dir:  dir,
		Env: []string{
			"PATH=" + path, "LC_ALL=C", "TZ=UTC", "HOME=" + dir, "TMPDIR=" + os.TempDir(),
		},
		Stdin: strings.NewReader(stdin),
	}
	var out, errb bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &errb
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("timeout running %q", script)
	}
	status := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		status = ee.ExitCode()
		if status < 0 {
			status = 128 + 9
		}
	} else if err != nil {
		t.Fatal(err)
	}
	return result{out.String(), errb.String(), status}
}

// fresh empties dir and creates the case's files.
func fresh(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	if err := SetupFiles(dir, files); err != nil {
		t.Fatal(err)
	}
}

func TestCases(t *testing.T) {
	bin := built(t)
	dash := reference(t)
	names := map[string]bool{}
	for _, c := range Cases {
		if names[c.Name] {
			t.Fatalf("duplicate case name %q", c.Name)
		}
		names[c.Name] = true
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			fresh(t, dir, c.Files)
			want := run(t, dash, "/usr/bin:/bin", dir, c.Script, c.Stdin)
			fresh(t, dir, c.Files)
			got := run(t, filepath.Join(bin, "sh"), bin, dir, c.Script, c.Stdin)
			if got != want {
				t.Errorf("script: %s\n--- ours:   status %d\nstdout:\n%s\nstderr:\n%s\n--- dash+GNU: status %d\nstdout:\n%s\nstderr:\n%s",
					c.Script, got.status, got.stdout, got.stderr, want.status, want.stdout, want.stderr)
			}
		})
	}
}

// TestBench runs bench.sh with bash and GNU tools, and with our shell and
// tools: the output must be identical. The timings are logged.
func TestBench(t *testing.T) {
	bin := built(t)
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not installed")
	}
	script := filepath.Join(SourceDir(), "bench.sh")
	runScript := func(shell, path string) (result, time.Duration) {
		dir := t.TempDir()
		start := time.Now()
		cmd := &exec.Cmd{
			Path: shell,
			Args: []string{"sh", script},
			Dir:  dir,
			Env:  []string{"PATH=" + path, "LC_ALL=C", "TZ=UTC", "HOME=" + dir},
		}
		var out, errb bytes.Buffer
		cmd.Stdout = &out
		cmd.Stderr = &errb
		err := cmd.Run()
		status := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			status = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return result{out.String(), errb.String(), status}, time.Since(start)
	}
	want, tRef := runScript(bash, "/usr/bin:/bin")
	got, tOurs := runScript(filepath.Join(bin, "sh"), bin)
	if want.status != 0 || want.stderr != "" {
		t.Fatalf("bash run failed: status %d\n%s", want.status, want.stderr)
	}
	if got != want {
		t.Errorf("bench.sh differs: ours status %d stderr %q", got.status, got.stderr)
		wl, gl := strings.Split(want.stdout, "\n"), strings.Split(got.stdout, "\n")
		for i := 0; i < len(wl) || i < len(gl); i++ {
			var w, g string
			if i < len(wl) {
				w = wl[i]
			}
			if i < len(gl) {
				g = gl[i]
			}
			if w != g {
				t.Errorf("first difference at line %d:\nbash: %q\nours: %q", i+1, w, g)
				break
			}
		}
	}
	if n := strings.Count(want.stdout, "\n"); n < 1000 {
		t.Errorf("bench.sh printed %d lines, want at least 1000", n)
	}
	t.Logf("bench.sh natively: bash+GNU %v, our sh+tools %v", tRef, tOurs)
}

// TestMakefile checks that the Makefile builds the same set of programs.
func TestMakefile(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make")
	}
	if _, err := exec.LookPath("cc"); err != nil {
		t.Skip("no cc")
	}
	out := t.TempDir()
	cmd := exec.Command("make", "-s", "-C", SourceDir(), "OUT="+out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make: %v\n%s", err, b)
	}
	for _, p := range Programs {
		if _, err := os.Stat(filepath.Join(out, p)); err != nil {
			t.Errorf("make did not build %s", p)
		}
	}
}
