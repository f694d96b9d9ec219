// Package wattest assembles WebAssembly text for tests with wabt's wat2wasm
// (Debian package wabt, installed by `make deps`), so that hostile or
// unusual modules can be written readably. Invalid modules (an index out of
// range, say) are assembled with the NoCheck flag.
package wattest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// NoCheck makes wat2wasm write a module without validating it.
const NoCheck = "--no-check"

// Compile assembles wat and returns the binary module.
func Compile(t testing.TB, wat string, flags ...string) []byte {
	t.Helper()
	tool, err := exec.LookPath("wat2wasm")
	if err != nil {
		t.Fatalf("wat2wasm not found (Debian package wabt; `make deps` installs it): %v", err)
	}
	dir := t.TempDir()
	in, out := filepath.Join(dir, "m.wat"), filepath.Join(dir, "m.wasm")
	if err := os.WriteFile(in, []byte(wat), 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd := exec.Command(tool, append(append([]string{}, flags...), in, "-o", out)...)
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("wat2wasm: %v\n%s", err, stderr.String())
	}
	bin, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return bin
}
