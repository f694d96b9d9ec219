package test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTmpProbe2(t *testing.T) {
	dirb, _ := os.ReadFile("/tmp/my_lo_dir")
	w, _ := os.ReadFile(filepath.Join(strings.TrimSpace(string(dirb)), "wasm", "probe.wasm"))
	var out, errb bytes.Buffer
	res, err := runInLibOS(context.Background(), libosRun{Wasm: w, Args: []string{"/bin/probe"}, Stdout: &out, Stderr: &errb, Stdin: strings.NewReader("")})
	t.Logf("%+v %v\n%s\n%s", res, err, out.String(), errb.String())
}
