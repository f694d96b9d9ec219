package sefs_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/fs/sefs"
)

// imageTree writes a small image into dir.
func imageTree(t *testing.T, dir string) {
	t.Helper()
	files := map[string]string{
		"bin/hello":       "#!/bin/sh\necho hello\n",
		"etc/hosts":       "127.0.0.1 localhost\n",
		"lib/big":         strings.Repeat("0123456789abcdef", 40000),
		"srv/www/index":   "<html></html>",
		"srv/empty/.keep": "",
	}
	for p, c := range files {
		full := filepath.Join(dir, p)
		os.MkdirAll(filepath.Dir(full), 0o755)
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.Chmod(filepath.Join(dir, "bin/hello"), 0o755)
	os.Symlink("../etc/hosts", filepath.Join(dir, "bin/hosts"))
	os.Link(filepath.Join(dir, "etc/hosts"), filepath.Join(dir, "etc/hosts.hard"))
}

func pack(t *testing.T, src string, opts sefs.PackOptions) ([32]byte, string) {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "__ROOT")
	st, err := sefs.NewDirStorage(dst, true)
	if err != nil {
		t.Fatal(err)
	}
	root, _, err := sefs.Pack(src, st, opts)
	if err != nil {
		t.Fatal(err)
	}
	return root, dst
}

func TestPackDeterministic(t *testing.T) {
	for _, mode := range []sefs.Mode{sefs.Integrity, sefs.Encrypted} {
		t.Run(mode.String(), func(t *testing.T) {
			var key []byte
			if mode == sefs.Encrypted {
				key = testKey(t)
			}
			opts := sefs.PackOptions{Mode: mode, Key: key}
			a, b := t.TempDir(), t.TempDir()
			imageTree(t, a)
			time.Sleep(10 * time.Millisecond)
			imageTree(t, b) // other times, other inode numbers
			ra, _ := pack(t, a, opts)
			rb, _ := pack(t, b, opts)
			if ra != rb {
				t.Fatalf("the same tree gave two roots: %x %x", ra, rb)
			}
			os.WriteFile(filepath.Join(b, "lib/big"), []byte(strings.Repeat("0123456789abcdeF", 40000)), 0o644)
			if rc, _ := pack(t, b, opts); rc == ra {
				t.Fatal("a changed file kept the root")
			}
			os.Chmod(filepath.Join(a, "etc/hosts"), 0o600)
			if rc, _ := pack(t, a, opts); rc == ra {
				t.Fatal("a changed mode kept the root")
			}
		})
	}
}

func TestPackMount(t *testing.T) {
	src := t.TempDir()
	imageTree(t, src)
	root, dst := pack(t, src, sefs.PackOptions{Mode: sefs.Integrity})
	st, _ := sefs.NewDirStorage(dst, false)
	rep := &reports{}
	fs, err := sefs.Mount(st, sefs.Options{Mode: sefs.Integrity, ReadOnly: true, Root: &root, Report: rep.report})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(filepath.Join(src, "lib/big"))
	if got, e := readFile(t, fs.Root(), "lib/big"); e != 0 || !bytes.Equal(got, want) {
		t.Fatalf("lib/big: %v", e)
	}
	hello, _ := walk(t, fs.Root(), "bin/hello")
	if s, _ := hello.Stat(); s.Mode&0o777 != 0o755 || s.Uid != 0 {
		t.Errorf("bin/hello: mode %o uid %d", s.Mode, s.Uid)
	}
	lnk, _ := walk(t, fs.Root(), "bin/hosts")
	if tg, _ := lnk.Readlink(); tg != "../etc/hosts" {
		t.Errorf("symlink %q", tg)
	}
	hard, _ := walk(t, fs.Root(), "etc/hosts.hard")
	if s, _ := hard.Stat(); s.Nlink != 2 {
		t.Errorf("hard link nlink %d", s.Nlink)
	}
	if e := fs.Root().Mkdir("x", 0o755); e != errno.EROFS {
		t.Errorf("mkdir on the image: %v", e)
	}
	fs.Close()

	// Another root: refused at mount.
	other := root
	other[0] ^= 1
	if _, err := sefs.Mount(st, sefs.Options{Mode: sefs.Integrity, ReadOnly: true, Root: &other}); err == nil ||
		!strings.Contains(err.Error(), "signed measurement") {
		t.Fatalf("mount with another root: %v", err)
	}
	// A changed block: refused at its read, naming the file.
	objs := objects(t, dst)
	for _, o := range objs {
		data, _ := os.ReadFile(o)
		if bytes.HasPrefix(data, []byte("0123456789abcdef")) {
			data[4096*3+7] ^= 1
			os.WriteFile(o, data, 0o600)
		}
	}
	fs, err = sefs.Mount(st, sefs.Options{Mode: sefs.Integrity, ReadOnly: true, Root: &root, Report: rep.report})
	if err != nil {
		t.Fatal(err)
	}
	defer fs.Close()
	if _, e := readFile(t, fs.Root(), "lib/big"); e != errno.EIO {
		t.Fatalf("a changed image block: %v", e)
	}
	if !rep.has("/lib/big: block 3") {
		t.Fatalf("report: %q", rep.msg)
	}
	// An image is mounted read-only against its root.
	if _, err := sefs.Mount(st, sefs.Options{Mode: sefs.Integrity, Root: &root}); err == nil {
		t.Fatal("an image mounted writable")
	}
}
