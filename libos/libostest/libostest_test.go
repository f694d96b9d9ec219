package libostest_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/fs/sefs"
	"github.com/occlumgo/occlum/fs/unionfs"
	"github.com/occlumgo/occlum/libos/libostest"
)

// fixture is a small tree under /root, with a file, a directory and a
// symbolic link.
var fixture = fstest.MapFS{
	"root/data":           {Mode: os.ModeDir | 0o755},
	"root/data/hello.txt": {Data: []byte("hello from the image\n"), Mode: 0o644},
	"root/data/link":      {Data: []byte("hello.txt"), Mode: os.ModeSymlink | 0o777},
}

func read(t *testing.T, ns *vfs.Namespace, p string) string {
	t.Helper()
	f, e := ns.Open(p, vfs.O_RDONLY, 0, nil)
	if e != 0 {
		t.Fatalf("open %s: %v", p, e)
	}
	defer f.DecRef()
	var out []byte
	buf := make([]byte, 4096)
	for {
		n, e := f.Read(buf)
		if e != 0 {
			t.Fatalf("read %s: %v", p, e)
		}
		if n == 0 {
			return string(out)
		}
		out = append(out, buf[:n]...)
	}
}

func boot(t *testing.T, o libostest.ProgramOptions) (*vfs.Namespace, func(string, []byte) error, func()) {
	t.Helper()
	o.Stdout, o.Stderr = io.Discard, io.Discard
	l, install, cleanup, err := libostest.Boot(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	return l.Kernel().VFS, install, cleanup
}

// The secure root is the production stack (unionfs over two sefs layers),
// with the files in the image, install writing into the container layer;
// the cleanup closes the layers (a second Boot over the same RootDir
// opens them again and sees what the first one wrote).
func TestSecureRoot(t *testing.T) {
	dir := t.TempDir()
	o := libostest.ProgramOptions{Root: libostest.SecureRoot, RootDir: dir, Files: fixture}
	ns, install, cleanup := boot(t, o)
	if fs := ns.Mounts()[0].FS; fs.Type() != unionfs.Name {
		t.Errorf("the root is %s, want %s", fs.Type(), unionfs.Name)
	}
	if got := read(t, ns, "/root/data/link"); got != "hello from the image\n" {
		t.Errorf("/root/data/link = %q", got)
	}
	for _, d := range []string{"/bin", "/etc", "/root", "/dev", "/tmp"} {
		if st, e := ns.Stat(d, true); e != 0 || st.Type() != vfs.TypeDirectory {
			t.Errorf("%s: %+v, %v", d, st, e)
		}
	}
	if err := install("/bin/prog", []byte("program")); err != nil {
		t.Fatal(err)
	}
	if err := install("/root/data/hello.txt", []byte("replaced")); err != nil {
		t.Fatal(err)
	}
	cleanup()

	// The image layer is what Pack made, untouched; the container layer
	// holds the changes.
	for _, l := range []string{"image", "container"} {
		if _, err := os.Stat(filepath.Join(dir, l, sefs.MetaFile)); err != nil {
			t.Errorf("layer %s: %v", l, err)
		}
	}
	ns, _, cleanup = boot(t, o)
	defer cleanup()
	if got := read(t, ns, "/bin/prog"); got != "program" {
		t.Errorf("/bin/prog after a second boot = %q, want what the first installed", got)
	}
	if got := read(t, ns, "/root/data/link"); got != "replaced" {
		t.Errorf("/root/data/link after a second boot = %q, want the copied-up file", got)
	}
}

// A temporary secure root is removed by the cleanup.
func TestSecureRootTemporary(t *testing.T) {
	before, _ := filepath.Glob(filepath.Join(os.TempDir(), "libostest-root-*"))
	_, install, cleanup := boot(t, libostest.ProgramOptions{Root: libostest.SecureRoot})
	if err := install("/bin/prog", []byte("program")); err != nil {
		t.Fatal(err)
	}
	cleanup()
	after, _ := filepath.Glob(filepath.Join(os.TempDir(), "libostest-root-*"))
	known := map[string]bool{}
	for _, d := range before {
		known[d] = true
	}
	for _, d := range after {
		if !known[d] {
			t.Errorf("%s is left after the cleanup", d)
		}
	}
}

// On a ramfs root the files are written through the namespace.
func TestRamRootFiles(t *testing.T) {
	files := fstest.MapFS{
		"tmp/d":   {Mode: os.ModeDir | 0o700},
		"tmp/d/f": {Data: []byte("in tmp"), Mode: 0o600},
		"tmp/d/l": {Data: []byte("f"), Mode: os.ModeSymlink | 0o777},
	}
	ns, _, cleanup := boot(t, libostest.ProgramOptions{Files: files})
	defer cleanup()
	if got := read(t, ns, "/tmp/d/l"); got != "in tmp" {
		t.Errorf("/tmp/d/l = %q", got)
	}
	if st, e := ns.Stat("/tmp/d/f", false); e != 0 || st.Mode&0o777 != 0o600 {
		t.Errorf("/tmp/d/f: mode %o, %v", st.Mode, e)
	}
	if ns.Mounts()[0].FS.Type() == unionfs.Name {
		t.Errorf("the default root is a unionfs")
	}
}
