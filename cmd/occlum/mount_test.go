package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/fs/fuseview"
	"github.com/occlumgo/occlum/instance"
	"github.com/occlumgo/occlum/libos"
	"github.com/occlumgo/occlum/platform/sim"
)

// occlumWith runs the command line with a host for `occlum mount`.
func occlumWith(t *testing.T, host fuseview.Host, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	a := newApp(strings.NewReader(""), &out, &errb)
	a.fuse = host
	code := a.main(args)
	return result{code, out.String(), errb.String()}
}

// fakeFuse is a host where FUSE looks usable (a stand-in LibOS does not
// use it).
func fakeFuse(t *testing.T) fuseview.Host {
	dev := filepath.Join(t.TempDir(), "fuse")
	writeFile(t, dev, "", 0o600)
	return fuseview.Host{DevFuse: dev, Root: true, LookPath: exec.LookPath}
}

func TestMountRefusals(t *testing.T) {
	dir := built(t, "echo LIBOS RAN; exit 0")
	empty := t.TempDir()
	full := t.TempDir()
	writeFile(t, filepath.Join(full, "x"), "", 0o644)
	ok := fakeFuse(t)
	noLook := func(string) (string, error) { return "", exec.ErrNotFound }
	for _, tc := range []struct {
		name      string
		host      fuseview.Host
		args      []string
		code      int
		msg, hint string
	}{
		{"no argument", ok, nil, 2, "mount needs exactly one argument", "occlum --help"},
		{"not empty", ok, []string{full}, 1, "mount point " + full + " is not empty", "would hide"},
		{"not a directory", ok, []string{filepath.Join(full, "x")}, 1, "is not a directory", "empty directory"},
		{"missing", ok, []string{filepath.Join(full, "nope")}, 1, "does not exist", "mkdir"},
		{"no /dev/fuse", fuseview.Host{DevFuse: filepath.Join(full, "nofuse"), Root: true, LookPath: exec.LookPath}, []string{empty}, 1,
			"FUSE is not available: " + filepath.Join(full, "nofuse") + " does not exist", "modprobe fuse"},
		{"no fusermount3", fuseview.Host{DevFuse: ok.DevFuse, Root: false, LookPath: noLook}, []string{empty}, 1,
			"fusermount3 is not installed", "Debian package fuse3"},
		{"bad image key", ok, []string{"--image-key", filepath.Join(full, "x"), empty}, 1, "holds 0 bytes; an image key is 32 bytes", ""},
		{"not an instance", ok, []string{"--instance-dir", full, empty}, 1, "is not an Occlum instance", "occlum new"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"mount", "--instance-dir", dir}, tc.args...)
			r := occlumWith(t, tc.host, args...)
			r.wantError(t, tc.code, tc.msg, tc.hint)
			if strings.Contains(r.stdout, "LIBOS RAN") {
				t.Error("the LibOS was started")
			}
		})
	}
}

// TestMountStartsTheLibOS: mount verifies the instance as run does, then
// passes absolute paths and the flags to `occlum-libos mount`, and exits
// as it does.
func TestMountStartsTheLibOS(t *testing.T) {
	dir := built(t, `echo "args: $*"; exit 0`)
	at := t.TempDir()
	key := filepath.Join(t.TempDir(), "k")
	occlum(t, "gen-image-key", key).wantOK(t)
	absDir, _ := filepath.Abs(dir)
	r := occlumWith(t, fakeFuse(t), "mount", "--instance-dir", dir, "--rw", "--image-key", key, at)
	r.wantOK(t)
	if want := "args: mount --instance " + absDir + " --image-key " + key + " --rw " + at + "\n"; r.stdout != want {
		t.Errorf("stdout %q, want %q", r.stdout, want)
	}
	// The LibOS's status is mount's; a LibOS without mount (status 2) is
	// an older build.
	writeFile(t, filepath.Join(dir, instance.LibOSFile), "#!/bin/sh\nexit 5\n", 0o755)
	occlumWith(t, fakeFuse(t), "mount", "--instance-dir", dir, at).wantError(t, 1, "changed after build", "occlum build")
	for _, c := range []struct {
		script string
		code   int
		msg    string
	}{{"exit 1", 1, ""}, {"exit 2", 1, "cannot mount"}} {
		d := built(t, c.script)
		r := occlumWith(t, fakeFuse(t), "mount", "--instance-dir", d, at)
		if r.code != c.code || !strings.Contains(r.stderr, c.msg) {
			t.Errorf("LibOS %q: exit %d, stderr %q", c.script, r.code, r.stderr)
		}
	}
	// --background returns once the LibOS says "ok" on fd 3.
	d := built(t, `echo ok >&3; exit 0`)
	r = occlumWith(t, fakeFuse(t), "mount", "--instance-dir", d, "--background", at)
	if r.code != 0 || !strings.Contains(r.stdout, "Mounted in the background (pid ") {
		t.Errorf("--background: exit %d, %q, %q", r.code, r.stdout, r.stderr)
	}
	d = built(t, `echo refused >&2; exit 1`)
	if r := occlumWith(t, fakeFuse(t), "mount", "--instance-dir", d, "--background", at); r.code != 1 {
		t.Errorf("--background of a refusing LibOS: exit %d", r.code)
	}
}

var (
	libosOnce sync.Once
	libosBin  string
	libosErr  error
)

// realLibOS builds cmd/occlum-libos (once per test run).
func realLibOS(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the LibOS")
	}
	libosOnce.Do(func() {
		d, err := os.MkdirTemp("", "occlum-libos")
		if err != nil {
			libosErr = err
			return
		}
		libosBin = filepath.Join(d, instance.LibOSBinaryName)
		if out, err := exec.Command("go", "build", "-o", libosBin, "../occlum-libos").CombinedOutput(); err != nil {
			libosErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if libosErr != nil {
		t.Fatal(libosErr)
	}
	return libosBin
}

// writeContainerLayer writes path in the container layer of the built
// instance dir through the LibOS's own composition of the root (what a
// program writing it in the LibOS does), with the simulated platform
// `occlum run` uses (no machine key).
func writeContainerLayer(t *testing.T, dir, path, data string) {
	t.Helper()
	built, err := instance.Verify(dir)
	if err != nil {
		t.Fatal(err)
	}
	plat, err := sim.New(sim.Options{Measurement: built.Measurement()})
	if err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(dir)
	root, cleanup, err := libos.MountRoot(libos.Options{Config: built.Config, InstanceDir: abs,
		ImageRoot: built.ImageRoot(), Platform: plat}, false)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	ns := vfs.NewNamespace(root, false, "/")
	f, e := ns.Open(path, vfs.O_CREAT|vfs.O_WRONLY|vfs.O_TRUNC, 0o644, nil)
	if e != 0 {
		t.Fatalf("open %s: %v", path, e)
	}
	defer f.DecRef()
	if _, e := f.Write([]byte(data)); e != 0 {
		t.Fatal(e)
	}
}

// mountHolder returns the pid of the `occlum mount` holding dir's lock.
func mountHolder(t *testing.T, dir string) int {
	t.Helper()
	b, _ := os.ReadFile(filepath.Join(dir, instance.LockFile))
	m := regexp.MustCompile(`occlum mount \(pid (\d+)`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("lock file: %q", b)
	}
	pid, _ := strconv.Atoi(string(m[1]))
	return pid
}

// waitFor polls cond for up to 30 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestMountEndToEnd: with the real LibOS binary and FUSE, `occlum mount`
// shows a file of the image and one a program wrote to /root, refuses to
// mount with a key for an unencrypted image or while the instance runs,
// keeps the instance from running while mounted, and unmounts and exits 0
// at Ctrl-C.
func TestMountEndToEnd(t *testing.T) {
	if err := fuseview.ThisHost().Check(); err != nil {
		t.Skipf("FUSE is not usable here: %v", err)
	}
	libosPath := realLibOS(t)
	t.Setenv("OCCLUM_SIM_SECRET", "")
	t.Setenv("OCCLUM_CACHE_DIR", t.TempDir())
	dir := filepath.Join(t.TempDir(), "inst")
	occlum(t, "new", dir).wantOK(t)
	writeFile(t, filepath.Join(dir, "image/etc/motd"), "from the image\n", 0o644)
	occlum(t, "build", "--instance-dir", dir, "--sign-key", signKey(t), "--libos", libosPath).wantOK(t)
	writeContainerLayer(t, dir, "/root/data", "written in the LibOS\n")
	at := t.TempDir()

	// Refused: a key for an unencrypted image; a running instance.
	key := filepath.Join(t.TempDir(), "k")
	occlum(t, "gen-image-key", key).wantOK(t)
	r := occlum(t, "mount", "--instance-dir", dir, "--image-key", key, at)
	if r.code != 1 || !strings.Contains(r.stderr, "the image is not encrypted, but an image key was given: mount without --image-key") {
		t.Errorf("mount with a key: exit %d, %q", r.code, r.stderr)
	}
	lock, err := instance.LockForRun(dir)
	if err != nil {
		t.Fatal(err)
	}
	r = occlum(t, "mount", "--instance-dir", dir, at)
	lock.Release()
	if r.code != 1 || !strings.Contains(r.stderr, "the instance is running") {
		t.Errorf("mount while running: exit %d, %q", r.code, r.stderr)
	}

	done := make(chan result, 1)
	go func() {
		var out, errb bytes.Buffer
		code := doMain([]string{"mount", "--instance-dir", dir, at}, strings.NewReader(""), &out, &errb)
		done <- result{code, out.String(), errb.String()}
	}()
	waitFor(t, "the mount", func() bool {
		select {
		case r := <-done:
			t.Fatalf("mount exited %d: %q", r.code, r.stderr)
		default:
		}
		_, err := os.Stat(filepath.Join(at, "etc/motd"))
		return err == nil
	})
	for p, want := range map[string]string{"etc/motd": "from the image\n", "root/data": "written in the LibOS\n"} {
		if b, err := os.ReadFile(filepath.Join(at, p)); err != nil || string(b) != want {
			t.Errorf("%s through the mount: %q, %v", p, b, err)
		}
	}
	if err := os.WriteFile(filepath.Join(at, "root/x"), nil, 0o644); !errors.Is(err, syscall.EROFS) {
		t.Errorf("write to the read-only mount: %v", err)
	}
	r = occlum(t, "run", "--instance-dir", dir, "/bin/sh")
	if r.code != 1 || !strings.Contains(r.stderr, "the instance is mounted (occlum mount (pid") {
		t.Errorf("run while mounted: exit %d, %q", r.code, r.stderr)
	}
	// Ctrl-C: SIGINT to the LibOS that serves the mount.
	syscall.Kill(mountHolder(t, dir), syscall.SIGINT)
	select {
	case r := <-done:
		if r.code != 0 || !strings.Contains(r.stdout, "Mounted the root file system of") {
			t.Errorf("mount: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the mount did not end at SIGINT")
	}
	if _, err := os.Stat(filepath.Join(at, "etc")); err == nil {
		t.Error("still mounted")
	}

	// --background --rw: a change made on the host is committed at the
	// unmount, and the LibOS sees it.
	r = occlum(t, "mount", "--instance-dir", dir, "--background", "--rw", at)
	r.wantOK(t)
	writeFile(t, filepath.Join(at, "root/from-host"), "written on the host\n", 0o600)
	syscall.Kill(mountHolder(t, dir), syscall.SIGTERM)
	// It has committed and exited once the instance can run again (it
	// is our child, a zombie until we exit: its pid says nothing).
	waitFor(t, "the background mount to end", func() bool {
		l, err := instance.LockForRun(dir)
		if err == nil {
			l.Release()
		}
		return err == nil
	})
	built, _ := instance.Verify(dir)
	plat, _ := sim.New(sim.Options{Measurement: built.Measurement()})
	abs, _ := filepath.Abs(dir)
	root, cleanup, err := libos.MountRoot(libos.Options{Config: built.Config, InstanceDir: abs, ImageRoot: built.ImageRoot(), Platform: plat}, true)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	f, e := vfs.NewNamespace(root, true, "/").Open("/root/from-host", vfs.O_RDONLY, 0, nil)
	if e != 0 {
		t.Fatalf("/root/from-host after the --rw mount: %v", e)
	}
	defer f.DecRef()
	buf := make([]byte, 64)
	if n, _ := f.Read(buf); string(buf[:n]) != "written on the host\n" {
		t.Errorf("/root/from-host: %q", buf[:n])
	}
}
