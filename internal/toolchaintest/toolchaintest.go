// Package toolchaintest builds occlum-gcc (cmd/occlum-cc) with libocclum
// beside it, once per test binary, for tests that compile C programs for
// the LibOS.
package toolchaintest

import (
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

// OcclumGCC returns the path of an occlum-gcc with libocclum, building them
// on first use. Without clang and the wasm sysroot the test is skipped
// (make deps installs them).
func OcclumGCC(t testing.TB) string {
	t.Helper()
	once.Do(func() {
		dir, err := os.MkdirTemp("", "occlum-gcc-")
		if err != nil {
			buildErr = err
			return
		}
		gccPath = filepath.Join(dir, "occlum-gcc")
		out, err := exec.Command("go", "build", "-o", gccPath, filepath.Join(repoRoot, "cmd", "occlum-cc")).CombinedOutput()
		if err != nil {
			buildErr = err
			skipWhy = string(out)
			return
		}
		probe := filepath.Join(dir, "probe.c")
		os.WriteFile(probe, []byte("int main(void) { return 0; }\n"), 0o644)
		if out, err := exec.Command(gccPath, "-o", probe+".wasm", probe).CombinedOutput(); err != nil {
			if msg := strings.TrimSpace(string(out)); strings.Contains(msg, "(make deps)") {
				skipWhy = "skipping the wasm build: " + msg
				return
			}
			buildErr = err
			return
		}
		_, buildErr = libocclum.Build(libocclum.Options{CC: gccPath, Out: filepath.Join(dir, "libocclum")})
	})
	if skipWhy != "" && buildErr == nil {
		t.Skip(skipWhy)
	}
	if buildErr != nil {
		t.Fatalf("building occlum-gcc with libocclum: %v %s", buildErr, skipWhy)
	}
	return gccPath
}
