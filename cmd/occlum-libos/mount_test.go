package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/occlumgo/occlum/fs/fuseview"
	"github.com/occlumgo/occlum/instance"
)

// fileutil writes and reads files inside the LibOS: `fileutil write PATH
// TEXT`, `fileutil cat PATH`.
const fileutil = `package main

import "os"

func main() {
	switch os.Args[1] {
	case "write":
		if err := os.WriteFile(os.Args[2], []byte(os.Args[3]), 0o644); err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			os.Exit(1)
		}
	case "cat":
		b, err := os.ReadFile(os.Args[2])
		if err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			os.Exit(1)
		}
		os.Stdout.Write(b)
	}
}
`

var (
	fileutilOnce sync.Once
	fileutilWasm []byte
	fileutilErr  error
)

// mountInstance makes a built instance with /bin/fileutil and
// /etc/motd in its image; imageKey, if set, encrypts the image.
func mountInstance(t *testing.T, imageKey []byte) string {
	t.Helper()
	t.Setenv("OCCLUM_CACHE_DIR", t.TempDir())
	if testing.Short() {
		t.Skip("builds a wasm program")
	}
	fileutilOnce.Do(func() {
		src, err := os.MkdirTemp("", "fileutil")
		if err != nil {
			fileutilErr = err
			return
		}
		defer os.RemoveAll(src)
		os.WriteFile(filepath.Join(src, "main.go"), []byte(fileutil), 0o644)
		os.WriteFile(filepath.Join(src, "go.mod"), []byte("module fileutil\n\ngo 1.21\n"), 0o644)
		cmd := exec.Command("go", "build", "-o", "fileutil.wasm", ".")
		cmd.Dir = src
		cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "GOFLAGS=")
		if out, err := cmd.CombinedOutput(); err != nil {
			fileutilErr = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		fileutilWasm, fileutilErr = os.ReadFile(filepath.Join(src, "fileutil.wasm"))
	})
	if fileutilErr != nil {
		t.Fatal(fileutilErr)
	}
	dir := filepath.Join(t.TempDir(), "inst")
	if err := instance.New(dir); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "image/bin/fileutil"), fileutilWasm, 0o755)
	os.WriteFile(filepath.Join(dir, "image/etc/motd"), []byte("from the image\n"), 0o644)
	libos := filepath.Join(t.TempDir(), "occlum-libos")
	os.WriteFile(libos, []byte("stand-in"), 0o755)
	if _, err := instance.Build(dir, instance.BuildOptions{LibOSBinary: libos, ImageKey: imageKey}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// runIn runs a program in the LibOS of dir and returns its exit status,
// stdout and stderr.
func runIn(dir string, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := doMain(append([]string{"run", "--instance", dir, "--"}, args...), strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// mounted is an `occlum-libos mount` running in this process.
type mounted struct {
	at     string
	stop   chan struct{}
	done   chan int
	stdout bytes.Buffer
	stderr bytes.Buffer
}

// startMount mounts the root of dir on a new directory and waits until it
// is up (t fails if the mount fails).
func startMount(t *testing.T, dir string, args ...string) *mounted {
	t.Helper()
	if err := fuseview.ThisHost().Check(); err != nil {
		t.Skipf("FUSE is not usable here: %v", err)
	}
	m := &mounted{at: filepath.Join(t.TempDir(), "mnt"), stop: make(chan struct{}), done: make(chan int, 1)}
	os.Mkdir(m.at, 0o755)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	fd, err := syscall.Dup(int(w.Fd())) // mount closes the descriptor it is given
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	args = append(append([]string{"--instance", dir, "--ready-fd", fmt.Sprint(fd)}, args...), m.at)
	go func() { m.done <- doMount(args, &m.stdout, &m.stderr, m.stop) }()
	buf := make([]byte, 8)
	n, _ := r.Read(buf)
	if string(buf[:n]) != "ok\n" {
		code := <-m.done
		t.Fatalf("mount %v: exit %d, stderr %q", args, code, m.stderr.String())
	}
	t.Cleanup(func() { m.unmount(t) })
	return m
}

// unmount stops the mount as Ctrl-C does and checks that it exits 0.
func (m *mounted) unmount(t *testing.T) {
	t.Helper()
	if m.stop == nil {
		return
	}
	close(m.stop)
	m.stop = nil
	select {
	case code := <-m.done:
		if code != 0 {
			t.Errorf("mount exited %d, stderr %q", code, m.stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("mount did not exit after the stop; stderr %q", m.stderr.String())
	}
}

func readHost(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestMount, end to end: the root of an instance that never ran shows the
// image and changes nothing; a file a LibOS program wrote to /root is
// read back through the host's file system beside the image's files;
// while mounted the instance does not run; --rw writes reach the LibOS.
func TestMount(t *testing.T) {
	dir := mountInstance(t, nil)

	m := startMount(t, dir)
	if got := readHost(t, filepath.Join(m.at, "etc/motd")); got != "from the image\n" {
		t.Errorf("etc/motd before any run: %q", got)
	}
	if err := os.WriteFile(filepath.Join(m.at, "root/x"), nil, 0o644); !errors.Is(err, syscall.EROFS) {
		t.Errorf("write to a read-only mount: %v, want EROFS", err)
	}
	m.unmount(t)
	if !strings.Contains(m.stdout.String(), "Mounted the root file system of") || !strings.Contains(m.stdout.String(), "(read-only)") {
		t.Errorf("mount said %q", m.stdout.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "run/mount/__ROOT")); err == nil {
		t.Error("a read-only mount made the container layer")
	}

	if code, _, errs := runIn(dir, "/bin/fileutil", "write", "/root/data", "written in the LibOS\n"); code != 0 {
		t.Fatalf("fileutil write: exit %d, %s", code, errs)
	}

	m = startMount(t, dir)
	if got := readHost(t, filepath.Join(m.at, "root/data")); got != "written in the LibOS\n" {
		t.Errorf("root/data: %q", got)
	}
	if got := readHost(t, filepath.Join(m.at, "etc/motd")); got != "from the image\n" {
		t.Errorf("etc/motd: %q", got)
	}
	ents, _ := os.ReadDir(filepath.Join(m.at, "root"))
	if len(ents) != 1 || ents[0].Name() != "data" {
		t.Errorf("ls root: %v", ents)
	}
	// While mounted, the instance does not run, and is not mounted twice.
	if code, _, errs := runIn(dir, "/bin/fileutil", "cat", "/etc/motd"); code != 1 || !strings.Contains(errs, "the instance is mounted (occlum mount (pid") || !strings.Contains(errs, "hint: unmount it first") {
		t.Errorf("run while mounted: exit %d, %q", code, errs)
	}
	var out, errb bytes.Buffer
	if code := doMount([]string{"--instance", dir, t.TempDir()}, &out, &errb, nil); code != 1 || !strings.Contains(errb.String(), "already mounted") {
		t.Errorf("second mount: exit %d, %q", code, errb.String())
	}
	m.unmount(t)

	m = startMount(t, dir, "--rw")
	if err := os.WriteFile(filepath.Join(m.at, "root/from-host"), []byte("written on the host\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(m.at, "etc/motd"), []byte("changed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m.unmount(t)
	for p, want := range map[string]string{"/root/from-host": "written on the host\n", "/etc/motd": "changed\n", "/root/data": "written in the LibOS\n"} {
		if code, got, errs := runIn(dir, "/bin/fileutil", "cat", p); code != 0 || got != want {
			t.Errorf("cat %s after the --rw mount: exit %d, %q, %s", p, code, got, errs)
		}
	}
	// The host never sees plaintext.
	filepath.WalkDir(filepath.Join(dir, "run"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if b, _ := os.ReadFile(p); bytes.Contains(b, []byte("written on the host")) {
				t.Errorf("%s holds plaintext", p)
			}
		}
		return nil
	})
}

// TestMountRefusals: each is refused before anything is mounted, with a
// message that says what is wrong.
func TestMountRefusals(t *testing.T) {
	dir := mountInstance(t, nil)
	key := filepath.Join(t.TempDir(), "image.key")
	if err := instance.GenImageKey(key); err != nil {
		t.Fatal(err)
	}
	empty := t.TempDir()
	full := t.TempDir()
	os.WriteFile(filepath.Join(full, "x"), nil, 0o644)
	lock, err := instance.LockForRun(dir)
	if err != nil {
		t.Fatal(err)
	}
	running := func() { lock.Release() }
	for _, c := range []struct {
		args      []string
		code      int
		msg, hint string
		after     func()
	}{
		{[]string{"--instance", dir, empty}, 1, "the instance is running", "mount it once the program has exited", running},
		{[]string{"--instance", dir, "--image-key", key, empty}, 1, "the image is not encrypted, but an image key was given: mount without --image-key", "", nil},
		{[]string{"--instance", dir, full}, 1, "is not empty", "hint: mount on an empty directory", nil},
		{[]string{"--instance", dir, filepath.Join(full, "x")}, 1, "is not a directory", "", nil},
		{[]string{"--instance", dir, filepath.Join(full, "nope")}, 1, "does not exist", "hint: make an empty directory", nil},
		{[]string{"--instance", filepath.Join(dir, "nope"), empty}, 1, "does not exist", "", nil},
		{[]string{"--instance", dir}, 2, "needs --instance DIR and the MOUNTPOINT", "", nil},
	} {
		var out, errb bytes.Buffer
		code := doMount(c.args, &out, &errb, nil)
		if code != c.code || !strings.Contains(errb.String(), c.msg) || !strings.Contains(errb.String(), c.hint) {
			t.Errorf("mount %v: exit %d, stderr %q; want %d, %q, %q", c.args, code, errb.String(), c.code, c.msg, c.hint)
		}
		if c.after != nil {
			c.after()
		}
	}
}

// TestMountEncryptedImage: an encrypted image is mounted with its key
// only; without it, or with another, the refusal says which.
func TestMountEncryptedImage(t *testing.T) {
	keys := t.TempDir()
	key, other := filepath.Join(keys, "image.key"), filepath.Join(keys, "other.key")
	instance.GenImageKey(key)
	instance.GenImageKey(other)
	k, err := instance.ReadImageKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := mountInstance(t, k)
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{nil, "the image is encrypted: give its key with `occlum mount --image-key FILE`"},
		{[]string{"--image-key", other}, "the image key does not open the image"},
	} {
		var out, errb bytes.Buffer
		args := append(append([]string{"--instance", dir}, c.args...), t.TempDir())
		if code := doMount(args, &out, &errb, nil); code != 1 || !strings.Contains(errb.String(), c.msg) {
			t.Errorf("mount %v: exit %d, stderr %q; want %q", c.args, code, errb.String(), c.msg)
		}
	}
	m := startMount(t, dir, "--image-key", key)
	if got := readHost(t, filepath.Join(m.at, "etc/motd")); got != "from the image\n" {
		t.Errorf("etc/motd of the encrypted image: %q", got)
	}
}
