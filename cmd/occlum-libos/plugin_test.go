package main

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/occlumgo/occlum/instance"
)

const copier = `package main

import "os"

func main() {
	b, err := os.ReadFile(os.Args[1])
	if err != nil {
		println(err.Error())
		os.Exit(1)
	}
	if err := os.WriteFile(os.Args[2], b, 0o644); err != nil {
		println(err.Error())
		os.Exit(2)
	}
}
`

// goBuild builds a Go program for dir (native or, with env, wasip1).
func goBuild(t *testing.T, out, pkgOrSrc string, env ...string) {
	t.Helper()
	args := []string{"build", "-o", out}
	cmd := exec.Command("go", append(args, pkgOrSrc)...)
	if strings.HasSuffix(pkgOrSrc, ".go") {
		cmd.Dir = filepath.Dir(pkgOrSrc)
		cmd.Args[len(cmd.Args)-1] = "."
	}
	cmd.Env = append(os.Environ(), env...)
	if o, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkgOrSrc, err, o)
	}
}

// TestPluginMounts: a tar archive served by the example plugin and the
// hostfs mount run out of process, in a built instance: a program copies
// a file from the archive to /host; a swapped plugin is refused.
func TestPluginMounts(t *testing.T) {
	if testing.Short() {
		t.Skip("builds plugins and a wasm program")
	}
	t.Setenv("OCCLUM_CACHE_DIR", t.TempDir())
	tmp := t.TempDir()
	src := filepath.Join(tmp, "copier")
	os.MkdirAll(src, 0o755)
	os.WriteFile(filepath.Join(src, "main.go"), []byte(copier), 0o644)
	os.WriteFile(filepath.Join(src, "go.mod"), []byte("module copier\n\ngo 1.21\n"), 0o644)
	goBuild(t, filepath.Join(tmp, "copier.wasm"), filepath.Join(src, "main.go"), "GOOS=wasip1", "GOARCH=wasm", "GOFLAGS=")
	goBuild(t, filepath.Join(tmp, "occlum-tarfs-plugin"), "github.com/occlumgo/occlum/plugins/tarfs")
	goBuild(t, filepath.Join(tmp, "occlum-hostfs-plugin"), "github.com/occlumgo/occlum/plugins/hostfs")

	dir := filepath.Join(tmp, "inst")
	if err := instance.New(dir); err != nil {
		t.Fatal(err)
	}
	wasm, _ := os.ReadFile(filepath.Join(tmp, "copier.wasm"))
	os.WriteFile(filepath.Join(dir, "image/bin/copier"), wasm, 0o755)
	os.MkdirAll(filepath.Join(dir, "image/data"), 0o755)
	// The archive.
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "docs/readme", Mode: 0o644, Size: 11, Typeflag: tar.TypeReg})
	tw.Write([]byte("from a tar\n"))
	tw.Close()
	os.WriteFile(filepath.Join(dir, "data.tar"), buf.Bytes(), 0o644)
	// Occlum.json: /data from the archive, /host out of process.
	cfgPath := filepath.Join(dir, "Occlum.json")
	var cfg map[string]any
	raw, _ := os.ReadFile(cfgPath)
	json.Unmarshal(raw, &cfg)
	mounts := cfg["mount"].([]any)
	for _, m := range mounts {
		if mm := m.(map[string]any); mm["target"] == "/host" {
			mm["options"] = map[string]any{"plugin": filepath.Join(tmp, "occlum-hostfs-plugin")}
		}
	}
	cfg["mount"] = append(mounts, map[string]any{"target": "/data", "type": "plugin", "source": "./data.tar",
		"options": map[string]any{"plugin": filepath.Join(tmp, "occlum-tarfs-plugin")}})
	raw, _ = json.MarshalIndent(cfg, "", "  ")
	os.WriteFile(cfgPath, raw, 0o644)
	libos := filepath.Join(tmp, "occlum-libos")
	os.WriteFile(libos, []byte("stand-in"), 0o755)
	if _, err := instance.Build(dir, instance.BuildOptions{LibOSBinary: libos}); err != nil {
		t.Fatal(err)
	}

	run := func() (int, string) {
		var out, errb bytes.Buffer
		code := doMain([]string{"run", "--instance", dir, "--", "/bin/copier", "/data/docs/readme", "/host/copied"},
			strings.NewReader(""), &out, &errb)
		return code, errb.String()
	}
	if code, stderr := run(); code != 0 {
		t.Fatalf("exit status %d; stderr %q", code, stderr)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "host/copied")); string(got) != "from a tar\n" {
		t.Errorf("host/copied: %q", got)
	}
	// A plugin swapped after the build is refused, naming both sums.
	os.WriteFile(filepath.Join(dir, instance.PluginDir, "occlum-tarfs-plugin"), []byte("#!/bin/sh\n"), 0o755)
	if code, stderr := run(); code == 0 || !strings.Contains(stderr, "the measured one is") {
		t.Errorf("a swapped plugin: exit %d, stderr %q", code, stderr)
	}
}
