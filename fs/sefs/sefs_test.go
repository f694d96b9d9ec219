package sefs_test

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/fs/sefs"
)

// layer is a test layer in a directory, remountable.
type layer struct {
	t    testing.TB
	dir  string
	opts sefs.Options
	fs   *sefs.FileSystem
}

func makeLayer(t testing.TB, opts sefs.Options) *layer {
	t.Helper()
	if opts.Mode == 0 {
		opts.Mode = sefs.Encrypted
	}
	if opts.Mode == sefs.Encrypted && opts.Key == nil {
		opts.Key = testKey(t)
	}
	if opts.CommitInterval == 0 {
		opts.CommitInterval = -1
	}
	l := &layer{t: t, dir: filepath.Join(t.TempDir(), "layer"), opts: opts}
	st, err := sefs.NewDirStorage(l.dir, true)
	if err != nil {
		t.Fatal(err)
	}
	if l.fs, err = sefs.Create(st, opts); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if l.fs != nil {
			l.fs.Close()
		}
	})
	return l
}

// mount mounts the layer again with opts.
func (l *layer) mount(opts sefs.Options) (*sefs.FileSystem, error) {
	st, err := sefs.NewDirStorage(l.dir, false)
	if err != nil {
		return nil, err
	}
	return sefs.Mount(st, opts)
}

// remount closes (or, crash, abandons) the layer and mounts it again.
func (l *layer) remount(crash bool) {
	l.t.Helper()
	if crash {
		l.fs.Abandon()
	} else if err := l.fs.Close(); err != nil {
		l.t.Fatal(err)
	}
	fs, err := l.mount(l.opts)
	if err != nil {
		l.fs = nil
		l.t.Fatal(err)
	}
	l.fs = fs
}

func (l *layer) root() vfs.Inode { return l.fs.Root() }

// walk resolves a relative path of plain names.
func walk(t testing.TB, dir vfs.Inode, path string) (vfs.Inode, errno.Errno) {
	t.Helper()
	in := dir
	for _, c := range strings.Split(path, "/") {
		if c == "" {
			continue
		}
		var e errno.Errno
		if in, e = in.Lookup(c); e != 0 {
			return nil, e
		}
	}
	return in, 0
}

func must(t testing.TB, e errno.Errno, what string) {
	t.Helper()
	if e != 0 {
		t.Fatalf("%s: %v", what, e)
	}
}

func writeFile(t testing.TB, dir vfs.Inode, name string, data []byte) {
	t.Helper()
	in, e := dir.Lookup(name)
	if e == errno.ENOENT {
		in, e = dir.Create(name, 0o644)
	}
	must(t, e, "create "+name)
	must(t, in.SetAttr(vfs.SetAttr{Mask: vfs.SetSize}), "truncate")
	f, e := in.Open(vfs.O_RDWR)
	must(t, e, "open")
	defer f.Close()
	if n, e := f.WriteAt(data, 0); e != 0 || n != len(data) {
		t.Fatalf("write %s: %d %v", name, n, e)
	}
}

func readFile(t testing.TB, dir vfs.Inode, path string) ([]byte, errno.Errno) {
	t.Helper()
	in, e := walk(t, dir, path)
	if e != 0 {
		return nil, e
	}
	st, _ := in.Stat()
	f, e := in.Open(vfs.O_RDONLY)
	if e != 0 {
		return nil, e
	}
	defer f.Close()
	buf := make([]byte, st.Size)
	n, e := f.ReadAt(buf, 0)
	return buf[:n], e
}

func TestPersists(t *testing.T) {
	for _, crash := range []bool{false, true} {
		t.Run(fmt.Sprintf("crash=%v", crash), func(t *testing.T) {
			l := makeLayer(t, sefs.Options{})
			r := l.root()
			must(t, r.Mkdir("etc", 0o755), "mkdir")
			etc, _ := r.Lookup("etc")
			writeFile(t, etc, "passwd", []byte("root:x:0:0\n"))
			big := make([]byte, 3<<20+123)
			rand.New(rand.NewSource(1)).Read(big)
			writeFile(t, r, "big", big)
			must(t, r.Symlink("lnk", "etc/passwd"), "symlink")
			p, _ := etc.Lookup("passwd")
			must(t, r.Link("hard", p), "link")
			must(t, r.Mkdir("gone", 0o700), "mkdir")
			must(t, r.Rmdir("gone"), "rmdir")
			if e := l.fs.Sync(); e != 0 {
				t.Fatal(e)
			}
			// Not synced: lost in a crash, kept by a close.
			writeFile(t, r, "late", []byte("late"))
			l.remount(crash)
			r = l.root()
			if got, e := readFile(t, r, "etc/passwd"); e != 0 || string(got) != "root:x:0:0\n" {
				t.Errorf("passwd: %q %v", got, e)
			}
			if got, e := readFile(t, r, "big"); e != 0 || !bytes.Equal(got, big) {
				t.Errorf("big: %d bytes %v", len(got), e)
			}
			lnk, _ := r.Lookup("lnk")
			if tg, _ := lnk.Readlink(); tg != "etc/passwd" {
				t.Errorf("symlink %q", tg)
			}
			h, _ := r.Lookup("hard")
			if st, _ := h.Stat(); st.Nlink != 2 || st.Mode&0o777 != 0o644 {
				t.Errorf("hard link: nlink %d mode %o", st.Nlink, st.Mode)
			}
			if _, e := r.Lookup("gone"); e != errno.ENOENT {
				t.Errorf("removed dir: %v", e)
			}
			_, e := r.Lookup("late")
			if crash && e != errno.ENOENT {
				t.Errorf("an unsynced file survived a crash: %v", e)
			}
			if !crash && e != 0 {
				t.Errorf("a file written before close is gone: %v", e)
			}
			if st, _ := r.Stat(); st.Nlink != 3 {
				t.Errorf("root nlink %d", st.Nlink)
			}
		})
	}
}

// TestModel runs random operations on files against an in-memory model,
// with commits, crashes (the layer abandoned) and remounts: after a crash
// every file is as at the last commit; block versions written out between
// commits never overwrite the committed ones.
func TestModel(t *testing.T) {
	seeds := 6
	if testing.Short() {
		seeds = 2
	}
	if n, err := strconv.Atoi(os.Getenv("SEFS_MODEL_SEEDS")); err == nil {
		seeds = n // a longer search
	}
	for seed := int64(1); seed <= int64(seeds); seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { runModel(t, seed) })
	}
}

func runModel(t *testing.T, seed int64) {
	rng := rand.New(rand.NewSource(seed))
	l := makeLayer(t, sefs.Options{CacheSize: 8 * sefs.Block})
	names := []string{"a", "b", "c"}
	model := map[string][]byte{}
	committed := map[string][]byte{}
	clone := func(m map[string][]byte) map[string][]byte {
		out := map[string][]byte{}
		for k, v := range m {
			out[k] = bytes.Clone(v)
		}
		return out
	}
	open := func(name string) vfs.FileImpl {
		in, e := l.root().Lookup(name)
		if e == errno.ENOENT {
			in, e = l.root().Create(name, 0o600)
			model[name] = []byte{}
		}
		must(t, e, "open "+name)
		f, e := in.Open(vfs.O_RDWR)
		must(t, e, "open")
		return f
	}
	const span = 1 << 20
	for step := 0; step < 600; step++ {
		name := names[rng.Intn(len(names))]
		switch op := rng.Intn(100); {
		case op < 45: // write
			f := open(name)
			off := rng.Int63n(span)
			n := 1 + rng.Intn(3*sefs.Block)
			if rng.Intn(4) == 0 {
				n = 1 + rng.Intn(40*sefs.Block)
			}
			data := make([]byte, n)
			rng.Read(data)
			if rng.Intn(5) == 0 {
				clear(data) // zeros: holes
			}
			if got, e := f.WriteAt(data, off); e != 0 || got != n {
				t.Fatalf("step %d: write: %d %v", step, got, e)
			}
			m := model[name]
			if end := off + int64(n); end > int64(len(m)) {
				m = append(m, make([]byte, end-int64(len(m)))...)
			}
			copy(m[off:], data)
			model[name] = m
			f.Close()
		case op < 55: // truncate
			f := open(name)
			size := rng.Int63n(span)
			if rng.Intn(3) == 0 {
				size = 0
			}
			must(t, f.SetAttr(vfs.SetAttr{Mask: vfs.SetSize, Size: size}), "truncate")
			m := model[name]
			if size < int64(len(m)) {
				m = m[:size]
			} else {
				m = append(m, make([]byte, size-int64(len(m)))...)
			}
			model[name] = m
			f.Close()
		case op < 75: // read
			if _, ok := model[name]; !ok {
				continue
			}
			f := open(name)
			m := model[name]
			off := rng.Int63n(int64(len(m)) + 1)
			buf := make([]byte, rng.Intn(20*sefs.Block))
			n, e := f.ReadAt(buf, off)
			want := m[off:min(int64(len(m)), off+int64(len(buf)))]
			if e != 0 || !bytes.Equal(buf[:n], want) {
				t.Fatalf("step %d: read %s at %d: %v, content differs", step, name, off, e)
			}
			f.Close()
		case op < 80: // unlink
			if _, ok := model[name]; ok {
				must(t, l.root().Unlink(name), "unlink")
				delete(model, name)
			}
		case op < 90: // commit
			if e := l.fs.Sync(); e != 0 {
				t.Fatal(e)
			}
			committed = clone(model)
		case op < 95: // crash
			l.remount(true)
			model = clone(committed)
			check(t, l, model, step)
		default: // clean remount
			l.remount(false)
			committed = clone(model)
			check(t, l, model, step)
		}
	}
	l.remount(false)
	check(t, l, model, -1)
}

func check(t *testing.T, l *layer, model map[string][]byte, step int) {
	t.Helper()
	ents, _ := l.root().ReadDir()
	if len(ents) != len(model) {
		t.Fatalf("step %d: %d files, want %d", step, len(ents), len(model))
	}
	for name, want := range model {
		got, e := readFile(t, l.root(), name)
		if e != 0 || !bytes.Equal(got, want) {
			first := -1
			for i := range min(len(got), len(want)) {
				if got[i] != want[i] {
					first = i
					break
				}
			}
			t.Fatalf("step %d: %s: %v, %d bytes, want %d; first difference at %d (block %d)", step, name, e, len(got), len(want), first, first/sefs.Block)
		}
	}
}

func TestBadInput(t *testing.T) {
	l := makeLayer(t, sefs.Options{})
	writeFile(t, l.root(), "f", []byte("data"))
	l.fs.Close()
	l.fs = nil

	cases := []struct {
		name string
		opts sefs.Options
		want string
	}{
		{"wrong key", sefs.Options{Mode: sefs.Encrypted, Key: testKey(t)}, "wrong key"},
		{"short key", sefs.Options{Mode: sefs.Encrypted, Key: make([]byte, 16)}, "16 bytes, want 32"},
		{"no key", sefs.Options{Mode: sefs.Integrity, ReadOnly: true, Root: new([32]byte)}, "encrypted, and no key"},
		{"other image", sefs.Options{Mode: sefs.Encrypted, Key: l.opts.Key, BoundTo: [32]byte{1}}, "another image"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := l.mount(c.opts)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("mount: %v, want an error saying %q", err, c.want)
			}
		})
	}
	t.Run("layer is a file", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "f")
		os.WriteFile(p, nil, 0o600)
		if _, err := sefs.NewDirStorage(p, false); err == nil || !strings.Contains(err.Error(), "not a directory") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("create over a layer", func(t *testing.T) {
		st, _ := sefs.NewDirStorage(l.dir, false)
		if _, err := sefs.Create(st, l.opts); err == nil || !strings.Contains(err.Error(), "already") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("locked", func(t *testing.T) {
		fs, err := l.mount(l.opts)
		if err != nil {
			t.Fatal(err)
		}
		defer fs.Close()
		_, err = l.mount(l.opts)
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("in use by pid %d", os.Getpid())) {
			t.Fatalf("second mount: %v", err)
		}
	})
	t.Run("corrupt superblock", func(t *testing.T) {
		db := filepath.Join(l.dir, sefs.MetaFile)
		orig, _ := os.ReadFile(db)
		defer os.WriteFile(db, orig, 0o600)
		corruptRecord(t, db, "super", func(v []byte) []byte { v[20] ^= 1; return v })
		if _, err := l.mount(l.opts); err == nil || !strings.Contains(err.Error(), "superblock") {
			t.Fatalf("got %v", err)
		}
		corruptRecord(t, db, "super", func(v []byte) []byte { return v[:10] })
		if _, err := l.mount(l.opts); err == nil || !strings.Contains(err.Error(), "superblock is malformed") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("not a database", func(t *testing.T) {
		d := t.TempDir()
		os.WriteFile(filepath.Join(d, sefs.MetaFile), bytes.Repeat([]byte("junk"), 4096), 0o600)
		st, _ := sefs.NewDirStorage(d, false)
		if _, err := sefs.Mount(st, l.opts); err == nil {
			t.Fatal("mounted junk")
		}
	})
}
