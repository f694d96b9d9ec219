package test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestTmpLO(t *testing.T) {
	dirb, _ := os.ReadFile("/tmp/my_lo_dir")
	dir := filepath.Join(strings.TrimSpace(string(dirb)), "wasm")
	cc, _ := exec.LookPath("cc")
	b := &builder{dir: t.TempDir(), cc: cc, done: map[string]*buildResult{}}
	only := os.Getenv("ONLY")
	for _, p := range programs {
		if p.needs != "occlum" || (only != "" && only != p.name) {
			continue
		}
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			want := runNative(t, p, b.native(t, p), b.nativeHelpers(t, p))
			read := func(n string) []byte {
				b, err := os.ReadFile(filepath.Join(dir, n+".wasm"))
				if err != nil {
					t.Fatal(err)
				}
				return b
			}
			files := map[string][]byte{}
			for _, h := range p.helpers {
				files["/bin/"+h] = read(h)
			}
			p.leakCheck = false
			if p.shell {
				files["/bin/sh"] = read("sh")
			}
			got := runWasm(t, p, read(p.name), files)
			if !bytes.Equal(got, want) {
				t.Errorf("differs\n--- native\n%s--- LibOS\n%s", want, got)
			}
		})
	}
}
