package securefs

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// refused checks that r failed before any program ran, with an error
// that says want, and that nothing of the program reached stdout.
func refused(t *testing.T, r result, want string) {
	t.Helper()
	if r.code == 0 || strings.Contains(r.stdout, "readfile: start") {
		t.Errorf("a program ran: %v", r)
	}
	if !strings.Contains(r.stderr, want) {
		t.Errorf("the error does not say %q: %v", want, r)
	}
}

// TestImageKeys: an encrypted image needs its key, and only its key; an
// integrity-only image takes none; key files of the wrong size or
// contents are named; gen-image-key never overwrites. Each refusal leaves
// the instance as it was: the right command line works afterwards.
func TestImageKeys(t *testing.T) {
	in := newInstance(t, "readfile")
	in.writeFile("image/opt/secret", []byte("the image's secret\n"), 0o644)
	key := filepath.Join(t.TempDir(), "image.key")
	if r := in.occlum("gen-image-key", key); r.code != 0 {
		t.Fatalf("%v", r)
	}
	orig := readFile(t, key)
	if st, _ := os.Stat(key); st.Mode().Perm() != 0o600 {
		t.Errorf("gen-image-key made %s with mode %v, want 0600", key, st.Mode().Perm())
	}
	// Never over an existing file.
	if r := in.occlum("gen-image-key", key); r.code == 0 || !strings.Contains(r.stderr, key) {
		t.Errorf("gen-image-key over an existing key: %v", r)
	}
	if !bytes.Equal(readFile(t, key), orig) {
		t.Fatal("gen-image-key changed an existing key")
	}
	in.build("--image-key", key)
	for _, p := range filesUnder(t, in.path(imageLayer)) {
		if bytes.Contains(readFile(t, p), []byte("the image's secret")) {
			t.Errorf("%s holds the encrypted image's plaintext", p)
		}
	}
	other := filepath.Join(t.TempDir(), "other.key")
	if r := in.occlum("gen-image-key", other); r.code != 0 {
		t.Fatalf("%v", r)
	}
	short := filepath.Join(t.TempDir(), "short.key")
	os.WriteFile(short, orig[:len(orig)/2], 0o600)
	junk := filepath.Join(t.TempDir(), "junk.key")
	os.WriteFile(junk, bytes.Repeat([]byte("z"), len(orig)), 0o600)

	refused(t, in.run("/bin/readfile", "/opt/secret"), "the image is encrypted: give its key with `occlum run --image-key FILE`")
	refused(t, in.run("--image-key", other, "/bin/readfile", "/opt/secret"), "the image key does not open the image")
	refused(t, in.run("--image-key", short, "/bin/readfile", "/opt/secret"), short)
	refused(t, in.run("--image-key", junk, "/bin/readfile", "/opt/secret"), junk)
	refused(t, in.run("--image-key", filepath.Join(t.TempDir(), "missing.key"), "/bin/readfile", "/opt/secret"), "missing.key")
	if r := in.occlum("build", "--image-key", short); r.code == 0 || !strings.Contains(r.stderr, short) {
		t.Errorf("build with a short key: %v", r)
	}
	r := in.mustRun("--image-key", key, "/bin/readfile", "/opt/secret")
	if r.stdout != "readfile: start\nthe image's secret\n" {
		t.Errorf("with its key: %v", r)
	}

	// An integrity-only image takes no key. (A new container layer: the
	// one there was made over the encrypted image, another image.)
	in.build()
	refused(t, in.run("/bin/readfile", "/opt/secret"), "was made over another image")
	os.RemoveAll(in.path(containerLayer))
	refused(t, in.run("--image-key", key, "/bin/readfile", "/opt/secret"), "the image is not encrypted, but an image key was given")
	if r := in.mustRun("/bin/readfile", "/opt/secret"); r.stdout != "readfile: start\nthe image's secret\n" {
		t.Errorf("integrity-only: %v", r)
	}
}

// signKeyFile writes a new RSA-3072 signing key (the kind occlum build
// makes) and returns its path.
func signKeyFile(t *testing.T) string {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 3072)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "sign.pem")
	data := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestContainerLayerBinding: the container layer belongs to the build
// that made it. Another image, or a build by another signer, is refused
// with a clear error and without a change to the layer; the build it was
// made with reads it again.
func TestContainerLayerBinding(t *testing.T) {
	in := newInstance(t, "readfile", "put")
	in.build()
	in.mustRun("/bin/put", "/root/data", "KEEP", "10000")
	want := "readfile: start\n" + string(marked("KEEP", 10000))
	check := func(what string) {
		t.Helper()
		if r := in.mustRun("/bin/readfile", "/root/data"); r.stdout != want {
			t.Fatalf("%s: /root/data: %v", what, r)
		}
	}
	check("first build")
	before := in.objects(containerLayer)
	unchanged := func(what string) {
		t.Helper()
		after := in.objects(containerLayer)
		if c := changed(before, after); len(c) != 0 || len(after) != len(before) {
			t.Errorf("%s: the container layer's objects changed: %v", what, c)
		}
	}

	// Another image: refused, named.
	in.writeFile("image/opt/new", []byte("a change to the image\n"), 0o644)
	in.build()
	refused(t, in.run("/bin/readfile", "/root/data"), "was made over another image")
	unchanged("another image")
	// The image it was made over, built again (builds are reproducible).
	os.Remove(in.path("image/opt/new"))
	in.build()
	check("the same image rebuilt")

	// Another signer: `occlum run` trusts the last build's signer, so the
	// build runs, but the layer's sealing key (from MRSIGNER) differs.
	in.build("--sign-key", signKeyFile(t))
	refused(t, in.run("/bin/readfile", "/root/data"), "was sealed by another signer or product")
	unchanged("another signer")
	in.build() // the developer key again
	check("the first signer again")
}

// TestBadLayers: a container layer that is a file, or whose metadata is
// junk, or that is missing its database while it has objects: each is a
// clear error naming the layer, and nothing there is changed or removed.
func TestBadLayers(t *testing.T) {
	in := newInstance(t, "readfile", "put")
	in.build()
	layer := in.path(containerLayer)

	// A file where the layer's directory should be.
	os.RemoveAll(layer)
	os.MkdirAll(filepath.Dir(layer), 0o755)
	os.WriteFile(layer, []byte("not a layer"), 0o600)
	refused(t, in.run("/bin/readfile"), containerSource)
	if got := readFile(t, layer); string(got) != "not a layer" {
		t.Errorf("the file in the layer's place changed: %q", got)
	}
	os.Remove(layer)

	// A layer with data; then its database replaced by junk.
	in.mustRun("/bin/put", "/root/data", "KEEP", "5000")
	db := filepath.Join(layer, "sefs.db")
	saved := readFile(t, db)
	os.WriteFile(db, bytes.Repeat([]byte("junk"), 4096), 0o600)
	refused(t, in.run("/bin/readfile", "/root/data"), containerSource)
	if got := readFile(t, db); !bytes.Equal(got, bytes.Repeat([]byte("junk"), 4096)) {
		t.Error("the junk database was changed")
	}
	// The database gone, the objects left: not taken for a new layer.
	os.Remove(db)
	refused(t, in.run("/bin/readfile", "/root/data"), containerSource)
	if _, err := os.Stat(db); err == nil {
		t.Error("a new database was made beside the old objects")
	}
	os.WriteFile(db, saved, 0o600)
	if r := in.mustRun("/bin/readfile", "/root/data"); r.stdout != "readfile: start\n"+string(marked("KEEP", 5000)) {
		t.Errorf("restored: %v", r)
	}
}

// TestConcurrentRuns: while one `occlum run` of an instance is running, a
// second is refused, naming the process that holds the container layer;
// the first finishes and its data is there.
func TestConcurrentRuns(t *testing.T) {
	in := newInstance(t, "readfile", "put")
	in.build()
	in.mustRun("/bin/put", "/root/data", "FIRST", "5000")
	first := in.start("run", "/bin/sh", "-c", "echo started; read line; /bin/put /root/data SECOND 6000")
	if line, err := first.readLine(); err != nil || line != "started" {
		r := first.wait()
		t.Fatalf("the first run: %q, %v: %v", line, err, r)
	}
	second := in.run("/bin/readfile", "/root/data")
	refused(t, second, "in use by pid")
	if !strings.Contains(second.stderr, "another `occlum run` of this instance?") {
		t.Errorf("the refusal does not say why: %v", second)
	}
	first.stdin.Write([]byte("go\n"))
	if r := first.wait(); r.code != 0 {
		t.Fatalf("the first run: %v", r)
	}
	if r := in.mustRun("/bin/readfile", "/root/data"); r.stdout != "readfile: start\n"+string(marked("SECOND", 6000)) {
		t.Errorf("after the first run: %v", r)
	}
}

// TestFullDisk: a program fills the host disk under the container layer
// (a small tmpfs mounted there; skipped where mounting is not allowed).
// It gets ENOSPC; what was committed before is intact; once the program
// removes its file, the layer takes writes again, and it mounts again.
func TestFullDisk(t *testing.T) {
	in := newInstance(t, "readfile", "put", "fill")
	in.build()
	layer := in.path(containerLayer)
	os.MkdirAll(layer, 0o755)
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", layer).CombinedOutput(); err != nil {
		t.Skipf("skipping: cannot mount a tmpfs for a full disk: %v: %s", err, bytes.TrimSpace(out))
	}
	t.Cleanup(func() {
		for i := 0; i < 50; i++ {
			if exec.Command("umount", layer).Run() == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Errorf("cannot unmount the tmpfs at %s", layer)
	})
	in.mustRun("/bin/put", "/root/keep", "KEEP", "20000")
	r := in.run("/bin/fill", "/root/big")
	if r.code != 0 || !strings.Contains(r.stdout, "ENOSPC") {
		t.Fatalf("filling the disk: want ENOSPC: %v", r)
	}
	if strings.Contains(r.stderr, "integrity") {
		t.Errorf("an integrity error on a full disk: %v", r)
	}
	if r := in.mustRun("/bin/readfile", "/root/keep"); r.stdout != "readfile: start\n"+string(marked("KEEP", 20000)) {
		t.Errorf("the committed file after the disk filled: %v", r)
	}
	in.mustRun("/bin/sh", "-c", "rm -f /root/big && sync")
	in.mustRun("/bin/put", "/root/after", "AFTER", "100000")
	r = in.mustRun("/bin/readfile", "/root/keep", "/root/after")
	if r.stdout != "readfile: start\n"+string(marked("KEEP", 20000))+string(marked("AFTER", 100000)) {
		t.Errorf("after the space came back: %v", r)
	}
}
