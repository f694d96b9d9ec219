package fuseview

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/fs/fstest"
	"github.com/occlumgo/occlum/fs/hostfs"
	"github.com/occlumgo/occlum/fs/ramfs"
	"github.com/occlumgo/occlum/fs/unionfs"
)

// The tests below mount views through the kernel. They need /dev/fuse and
// the right to mount: root (mount(2)), or fusermount3 (Debian package
// fuse3). Without them they are skipped, saying why.

// needFUSE skips t when this machine cannot mount FUSE file systems.
func needFUSE(t *testing.T) {
	t.Helper()
	if err := ThisHost().Check(); err != nil {
		var fe *Error
		if errors.As(err, &fe) {
			t.Skipf("FUSE is not usable here (%s; %s)", fe.Msg, fe.Hint)
		}
		t.Skipf("FUSE is not usable here: %v", err)
	}
}

// mountView mounts a view of fsys on a new directory until the test ends.
func mountView(t *testing.T, fsys vfs.FileSystem, o Options) (string, *Server) {
	return mountViewBusy(t, fsys, o, false)
}

// mountViewBusy is mountView; with busyOK, a mount still in use when the
// test ends is detached (umount -l) instead of failing the test.
func mountViewBusy(t *testing.T, fsys vfs.FileSystem, o Options, busyOK bool) (string, *Server) {
	t.Helper()
	needFUSE(t)
	dir := filepath.Join(t.TempDir(), "mnt")
	os.Mkdir(dir, 0o755)
	srv, err := Mount(dir, fsys, MountOptions{Options: o, Name: "fuseviewtest", FsName: "test"})
	if err != nil {
		if errors.Is(err, syscall.EPERM) {
			t.Skipf("mounting is not permitted here: %v", err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() {
		err := srv.Unmount()
		if err != nil {
			if !busyOK || !errors.Is(err, ErrBusy) {
				t.Errorf("unmount: %v", err)
			}
			// The server ends when the last user closes the mount.
			syscall.Unmount(dir, syscall.MNT_DETACH)
		}
	})
	return dir, srv
}

// TestKernelConformance runs the shared suite through the host kernel:
// hostfs over a FUSE mount of a view of ramfs, so every operation goes
// guest-facing vfs → host system call → kernel FUSE → go-fuse → view →
// ramfs. hostfs refuses owner changes (as over any host directory).
func TestKernelConformance(t *testing.T) {
	needFUSE(t)
	caps := fstest.AllCaps
	caps.Chown = false
	fstest.Run(t, func(t *testing.T) vfs.FileSystem {
		// The suite leaves files open for the garbage collector.
		dir, _ := mountViewBusy(t, ramfs.New(ramfs.Options{}), Options{}, true)
		h, err := hostfs.New(dir, hostfs.Options{Exec: true, SetID: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { h.Close() })
		return h
	}, caps)
}

// TestKernelSecureRoot: files written with the host's tools into a
// mounted union over a sefs layer are in the layer, and what the layer
// holds is listed and read back.
func TestKernelSecureRoot(t *testing.T) {
	layer := sefsLayer(t)
	lower := ramfs.New(ramfs.Options{})
	lns := vfs.NewNamespace(lower, false, "lower")
	mustNS(t, lns.Mkdir("/etc", 0o755), "mkdir")
	writeNS(t, lns, "/etc/motd", "from the image\n")
	u, err := unionfs.New(layer, []vfs.FileSystem{lower}, unionfs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir, srv := mountView(t, u, Options{})
	if b, err := os.ReadFile(filepath.Join(dir, "etc/motd")); err != nil || string(b) != "from the image\n" {
		t.Fatalf("read of a lower file: %q, %v", b, err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "root/deep"), 0o700); err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("0123456789abcdef", 100000) // 1.6 MB: many FUSE writes
	if err := os.WriteFile(filepath.Join(dir, "root/deep/big"), []byte(big), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "etc/motd"), []byte("changed\n"), 0o644); err != nil {
		t.Fatal(err) // a copy-up
	}
	if err := os.Rename(filepath.Join(dir, "root/deep/big"), filepath.Join(dir, "root/big")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("big", filepath.Join(dir, "root/link")); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "root/link")); err != nil || string(b) != big {
		t.Errorf("read through the symlink: %d bytes, %v", len(b), err)
	}
	ents, err := os.ReadDir(filepath.Join(dir, "root"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if got := strings.Join(names, " "); got != "big deep link" {
		t.Errorf("ls root: %q", got)
	}
	if fi, err := os.Stat(filepath.Join(dir, "root")); err != nil || fi.Mode().Perm() != 0o700 || !fi.IsDir() {
		t.Errorf("stat root: %v, %v", fi, err)
	}
	if err := srv.Unmount(); err != nil {
		t.Fatal(err)
	}
	// The layer holds it all (the union hides the whiteout machinery).
	ns := vfs.NewNamespace(layer, false, "layer")
	for p, want := range map[string]string{"/root/big": big, "/etc/motd": "changed\n"} {
		f, e := ns.Open(p, vfs.O_RDONLY, 0, nil)
		mustNS(t, e, "open "+p+" in the layer")
		buf := make([]byte, len(want)+1)
		n := 0
		for n < len(buf) {
			k, e := f.Read(buf[n:])
			if e != 0 || k == 0 {
				break
			}
			n += k
		}
		f.DecRef()
		if string(buf[:n]) != want {
			t.Errorf("%s in the layer: %d bytes, want %d", p, n, len(want))
		}
	}
	if b, _ := readNS(lns, "/etc/motd"); b != "from the image\n" {
		t.Errorf("the lower layer changed: %q", b)
	}
}

func readNS(ns *vfs.Namespace, p string) (string, error) {
	f, e := ns.Open(p, vfs.O_RDONLY, 0, nil)
	if e != 0 {
		return "", e
	}
	defer f.DecRef()
	buf := make([]byte, 1<<16)
	n, _ := f.Read(buf)
	return string(buf[:n]), nil
}

// TestKernelReadOnly: a read-only view is mounted "ro": the kernel
// refuses changes (EROFS) and reads work.
func TestKernelReadOnly(t *testing.T) {
	src := ramfs.New(ramfs.Options{})
	writeNS(t, vfs.NewNamespace(src, false, "src"), "/f", "data")
	dir, _ := mountView(t, src, Options{ReadOnly: true})
	if b, err := os.ReadFile(filepath.Join(dir, "f")); err != nil || string(b) != "data" {
		t.Errorf("read: %q, %v", b, err)
	}
	for name, err := range map[string]error{
		"write":  os.WriteFile(filepath.Join(dir, "f"), []byte("x"), 0o644),
		"create": os.WriteFile(filepath.Join(dir, "g"), []byte("x"), 0o644),
		"mkdir":  os.Mkdir(filepath.Join(dir, "d"), 0o755),
		"remove": os.Remove(filepath.Join(dir, "f")),
		"chmod":  os.Chmod(filepath.Join(dir, "f"), 0o600),
	} {
		if !errors.Is(err, syscall.EROFS) {
			t.Errorf("%s: %v, want EROFS", name, err)
		}
	}
	mi, _ := os.ReadFile("/proc/self/mountinfo")
	for _, line := range strings.Split(string(mi), "\n") {
		if f := strings.Fields(line); len(f) > 5 && f[4] == dir && !strings.HasPrefix(f[5], "ro") {
			t.Errorf("mounted %s", f[5])
		}
	}
}

// TestKernelUnmountBusy: a mount in use is not unmounted (ErrBusy) and
// keeps working; once nothing uses it, it is.
func TestKernelUnmountBusy(t *testing.T) {
	src := ramfs.New(ramfs.Options{})
	writeNS(t, vfs.NewNamespace(src, false, "src"), "/f", "data")
	dir, srv := mountView(t, src, Options{})
	f, err := os.Open(filepath.Join(dir, "f"))
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Unmount(); !errors.Is(err, ErrBusy) {
		t.Errorf("unmount while a file is open: %v, want ErrBusy", err)
	}
	buf := make([]byte, 8)
	if n, err := f.Read(buf); err != nil || string(buf[:n]) != "data" {
		t.Errorf("read after a refused unmount: %q, %v", buf[:n], err)
	}
	f.Close()
	if err := srv.Unmount(); err != nil {
		t.Errorf("unmount once closed: %v", err)
	}
}

// TestKernelRefusals: a non-empty or missing mount point is refused
// before anything is mounted.
func TestKernelRefusals(t *testing.T) {
	needFUSE(t)
	full := t.TempDir()
	os.WriteFile(filepath.Join(full, "x"), nil, 0o644)
	for _, dir := range []string{full, filepath.Join(full, "missing"), filepath.Join(full, "x")} {
		_, err := Mount(dir, ramfs.New(ramfs.Options{}), MountOptions{})
		var fe *Error
		if !errors.As(err, &fe) {
			t.Errorf("mount on %s: %v", dir, err)
		}
	}
}
