package test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTmpProbe3(t *testing.T) {
	dirb, _ := os.ReadFile("/tmp/my_lo_dir")
	d := filepath.Join(strings.TrimSpace(string(dirb)), "wasm")
	rd := func(n string) []byte { b, _ := os.ReadFile(filepath.Join(d, n+".wasm")); return b }
	var out, errb bytes.Buffer
	res, err := runInLibOS(context.Background(), libosRun{Wasm: rd("probe3"), Bin: map[string][]byte{"/bin/orphan_parent": rd("orphan_parent"), "/bin/orphan_child": rd("orphan_child")}, Args: []string{"/bin/probe3"}, Env: []string{"PATH=/bin"}, Stdout: &out, Stderr: &errb, Stdin: strings.NewReader("")})
	t.Logf("%+v %v\n%s\n%s", res, err, out.String(), errb.String())
}
