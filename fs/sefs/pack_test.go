package sefs_test

import (
	"bytes"
	"crypto/sha256"
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

// Every byte of a packed image's superblock is pinned: a flip of any one
// (the version, the inode counter, the bound-to field and the empty MAC
// too, which the root once left out) is refused at mount, and flipped
// back the image mounts again.
func TestPackSuperblockPinned(t *testing.T) {
	src := t.TempDir()
	imageTree(t, src)
	for _, mode := range []sefs.Mode{sefs.Integrity, sefs.Encrypted} {
		t.Run(mode.String(), func(t *testing.T) {
			var key []byte
			if mode == sefs.Encrypted {
				key = bytes.Repeat([]byte{7}, 32)
			}
			root, dst := pack(t, src, sefs.PackOptions{Mode: mode, Key: key})
			db := filepath.Join(dst, sefs.MetaFile)
			opts := sefs.Options{Mode: mode, Key: key, ReadOnly: true, Root: &root}
			mount := func() error {
				st, err := sefs.NewDirStorage(dst, true)
				if err != nil {
					return err
				}
				fs, err := sefs.Mount(st, opts)
				if err == nil {
					fs.Close()
				}
				return err
			}
			n := len(dbKeys(t, db, "super")["super"])
			if n == 0 {
				t.Fatal("no superblock")
			}
			for at := 0; at < n; at++ {
				flip := func(v []byte) []byte { v[at] ^= 0x10; return v }
				corruptRecord(t, db, "super", flip)
				if err := mount(); err == nil {
					t.Errorf("superblock byte %d flipped: the image mounted", at)
				}
				corruptRecord(t, db, "super", flip)
			}
			if err := mount(); err != nil {
				t.Fatalf("flipped back: %v", err)
			}
		})
	}
}

// The nonces of a packed encrypted image are derived from its blocks
// under a key: the host, which sees them in the metadata, cannot confirm a
// guess of a block by hashing it (the nonces were once an unkeyed SHA-256
// of the block's place and content).
func TestPackNoncesKeyed(t *testing.T) {
	src := t.TempDir()
	block := bytes.Repeat([]byte("a guessable block of the image. "), sefs.Block/32)
	if err := os.WriteFile(filepath.Join(src, "guess"), block, 0o644); err != nil {
		t.Fatal(err)
	}
	key := bytes.Repeat([]byte{9}, 32)
	_, dst := pack(t, src, sefs.PackOptions{Mode: sefs.Encrypted, Key: key})
	var aad [12]byte
	copy(aad[:], "blk\x00") // block 0
	h := sha256.New()
	h.Write(aad[:])
	h.Write(block)
	unkeyed := h.Sum(nil)[:12]
	db, err := os.ReadFile(filepath.Join(dst, sefs.MetaFile))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(db, unkeyed) {
		t.Fatal("the metadata holds an unkeyed hash of a block as its nonce")
	}
	// Still reproducible: the same tree and key, the same root.
	r1, _ := pack(t, src, sefs.PackOptions{Mode: sefs.Encrypted, Key: key})
	r2, _ := pack(t, src, sefs.PackOptions{Mode: sefs.Encrypted, Key: key})
	if r1 != r2 {
		t.Fatal("packing twice gave two roots")
	}
}
