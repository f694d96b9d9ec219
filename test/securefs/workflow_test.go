package securefs

import (
	"bytes"
	"path/filepath"
	"testing"
)

// TestWorkflow is the workflow, with an encrypted image: a shell
// inside writes a file to /root and syncs; the next `occlum run` reads
// it; neither its contents nor its name, nor those of the image, are
// anywhere on the host in clear (run/ and build/).
//
// The words are unusual on purpose: the LibOS binary in build/bin holds
// Go's own strings, "secret" among them (crypto/tls), so `grep -r secret
// build/` finds that binary whatever the programs wrote.
func TestWorkflow(t *testing.T) {
	in := newInstance(t)
	const (
		data     = "occlum-workflow-data-7f3a"
		name     = "occlum-workflow-name-91c2"
		imageTxt = "occlum-workflow-image-5d0e"
	)
	in.writeFile("image/etc/"+imageTxt, []byte(imageTxt+"\n"), 0o644)
	key := filepath.Join(t.TempDir(), "image.key")
	if r := in.occlum("gen-image-key", key); r.code != 0 {
		t.Fatalf("%v", r)
	}
	in.build("--image-key", key)
	in.mustRun("--image-key", key, "/bin/sh", "-c", "echo "+data+" > /root/"+name+"; sync")
	r := in.mustRun("--image-key", key, "/bin/cat", "/root/"+name, "/etc/"+imageTxt)
	if r.stdout != data+"\n"+imageTxt+"\n" {
		t.Errorf("the next run reads %q, want the data and the image's file", r.stdout)
	}
	r = in.mustRun("--image-key", key, "/bin/ls", "/root")
	if r.stdout != name+"\n" {
		t.Errorf("ls /root: %q", r.stdout)
	}
	for _, dir := range []string{"run", "build"} {
		for _, p := range filesUnder(t, in.path(dir)) {
			content := readFile(t, p)
			for _, s := range []string{data, name, imageTxt} {
				if bytes.Contains(content, []byte(s)) || bytes.Contains([]byte(p), []byte(s)) {
					t.Errorf("%s holds %q in clear", p, s)
				}
			}
		}
	}
}
