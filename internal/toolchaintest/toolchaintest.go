// Package toolchaintest builds occlum-gcc (cmd/occlum-cc) with libocclum
// beside it, once per test binary, for tests that compile C programs for
// the LibOS.
package toolchaintest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/occlumgo/occlum/sfi/libocclum"
)

var (
	once     sync.Once
	gccPath  string
	skipWhy  string
	buildErr error
	repoRoot = func() string {
		_, file, _, _ := runtime.Caller(0)
		return filepath.Join(filepath.Dir(file), "..", "..")
	}()
)

// Build builds occlum-gcc with libocclum once per test binary and returns
// its path. skip is set, with the path empty, when the machine has no clang
// or wasm sysroot (make deps installs them): tests that can do without the
// wasm build skip only that part.
func Build() (path, skip string, err error) {
	once.Do(func() {
		dir, err := os.MkdirTemp("", "occlum-gcc-")
		if err != nil {
			buildErr = err
			return
		}
		p := filepath.Join(dir, "occlum-gcc")
		if out, err := exec.Command("go", "build", "-o", p, filepath.Join(repoRoot, "cmd", "occlum-cc")).CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build cmd/occlum-cc: %v\n%s", err, out)
			return
		}
		probe := filepath.Join(dir, "probe.c")
		if err := os.WriteFile(probe, []byte("int main(void) { return 0; }\n"), 0o644); err != nil {
			buildErr = err
			return
		}
		if out, err := exec.Command(p, "-o", probe+".wasm", probe).CombinedOutput(); err != nil {
			if msg := strings.TrimSpace(string(out)); strings.Contains(msg, "(make deps)") {
				skipWhy = "skipping the wasm build: " + msg
				return
			}
			buildErr = fmt.Errorf("occlum-gcc cannot build an empty program: %v\n%s", err, out)
			return
		}
		if _, err := libocclum.Build(libocclum.Options{CC: p, Out: filepath.Join(dir, "libocclum")}); err != nil {
			buildErr = fmt.Errorf("building libocclum: %w", err)
			return
		}
		gccPath = p
	})
	return gccPath, skipWhy, buildErr
}

// OcclumGCC is Build for tests that need the wasm build: it skips the test
// without a toolchain and fails it when the build fails.
func OcclumGCC(t testing.TB) string {
	t.Helper()
	p, skip, err := Build()
	if err != nil {
		t.Fatal(err)
	}
	if skip != "" {
		t.Skip(skip)
	}
	return p
}
