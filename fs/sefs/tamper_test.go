package sefs_test

import (
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/fs/sefs"
	bolt "go.etcd.io/bbolt"
)

// corruptRecord rewrites one value of a layer's database with fn (nil: delete).
func corruptRecord(t testing.TB, db, key string, fn func([]byte) []byte) {
	t.Helper()
	d, err := bolt.Open(db, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	err = d.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("sefs"))
		v := b.Get([]byte(key))
		if v == nil {
			t.Fatalf("no key %q", key)
		}
		if fn == nil {
			return b.Delete([]byte(key))
		}
		return b.Put([]byte(key), fn(bytes.Clone(v)))
	})
	if err != nil {
		t.Fatal(err)
	}
}

// dbKeys lists the keys of a layer's database starting with prefix.
func dbKeys(t testing.TB, db, prefix string) map[string][]byte {
	t.Helper()
	d, err := bolt.Open(db, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	out := map[string][]byte{}
	d.View(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("sefs")).ForEach(func(k, v []byte) error {
			if strings.HasPrefix(string(k), prefix) {
				out[string(k)] = bytes.Clone(v)
			}
			return nil
		})
	})
	return out
}

func inoKey(ino uint64) string { return string(binary.BigEndian.AppendUint64([]byte{'i'}, ino)) }

// objects lists a layer's object files, oldest first by name.
func objects(t testing.TB, dir string) []string {
	ents, err := os.ReadDir(filepath.Join(dir, "objects"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, filepath.Join(dir, "objects", e.Name()))
	}
	sort.Strings(out)
	return out
}

// objectsOf returns the object files of the file ino (by generation 0).
func objectsOf(t testing.TB, l *layer, path string) []string {
	t.Helper()
	in, e := walk(t, l.root(), path)
	must(t, e, "lookup "+path)
	st, _ := in.Stat()
	var out []string
	for _, o := range objects(t, l.dir) {
		if strings.HasPrefix(filepath.Base(o), sefs.ObjectName(l.fs, st.Ino)) {
			out = append(out, o)
		}
	}
	return out
}

type reports struct {
	mu  sync.Mutex
	msg []string
}

func (r *reports) report(err error) {
	r.mu.Lock()
	r.msg = append(r.msg, err.Error())
	r.mu.Unlock()
}

func (r *reports) has(s string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, m := range r.msg {
		if strings.Contains(m, s) {
			return true
		}
	}
	return false
}

// tamperLayer makes an encrypted layer with /srv/data/a and /srv/data/b
// (64 KiB each), committed and closed, and mounts it again with rep.
func tamperLayer(t *testing.T, rep *reports) *layer {
	l := makeLayer(t, sefs.Options{})
	r := l.root()
	must(t, r.Mkdir("srv", 0o755), "mkdir")
	srv, _ := r.Lookup("srv")
	must(t, srv.Mkdir("data", 0o755), "mkdir")
	d, _ := srv.Lookup("data")
	writeFile(t, d, "a", bytes.Repeat([]byte("secret-a "), 7282))
	writeFile(t, d, "b", bytes.Repeat([]byte("secret-b "), 7282))
	l.opts.Report = rep.report
	l.opts.MountPoint = "/"
	l.remount(false)
	return l
}

// readEIO checks that reading path fails with EIO, gives no plaintext, and
// is reported naming the path.
func readEIO(t *testing.T, l *layer, rep *reports, path string) {
	t.Helper()
	got, e := readFile(t, l.root(), path)
	if e != errno.EIO {
		t.Fatalf("read %s: %v, want EIO", path, e)
	}
	if len(got) > sefs.Block {
		// Every case changes the first or second block.
		t.Fatalf("read %d bytes: the data of a tampered block reached the reader", len(got))
	}
	if !rep.has("/" + path + ": block") {
		t.Fatalf("no report naming /%s: %q", path, rep.msg)
	}
}

func TestTamperObjects(t *testing.T) {
	cases := []struct {
		name string
		do   func(t *testing.T, a, b []string)
	}{
		{"flip a byte", func(t *testing.T, a, b []string) {
			data, _ := os.ReadFile(a[0])
			data[5000] ^= 0x40
			os.WriteFile(a[0], data, 0o600)
		}},
		{"truncate", func(t *testing.T, a, b []string) { os.Truncate(a[0], 4096) }},
		{"delete", func(t *testing.T, a, b []string) { os.Remove(a[0]) }},
		{"swap two files", func(t *testing.T, a, b []string) {
			os.Rename(a[0], a[0]+".tmp")
			os.Rename(b[0], a[0])
			os.Rename(a[0]+".tmp", b[0])
		}},
		{"swap two blocks", func(t *testing.T, a, b []string) {
			data, _ := os.ReadFile(a[0])
			blk := append([]byte(nil), data[:4096]...)
			copy(data[:4096], data[4096:8192])
			copy(data[4096:8192], blk)
			os.WriteFile(a[0], data, 0o600)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep := &reports{}
			l := tamperLayer(t, rep)
			a, b := objectsOf(t, l, "srv/data/a"), objectsOf(t, l, "srv/data/b")
			if len(a) != 1 || len(b) != 1 {
				t.Fatalf("objects: %v %v", a, b)
			}
			l.fs.Close()
			c.do(t, a, b)
			fs, err := l.mount(l.opts)
			if err != nil {
				t.Fatal(err) // data is checked per block, at read
			}
			l.fs = fs
			readEIO(t, l, rep, "srv/data/a")
		})
	}
}

// An older copy of a file's objects, restored: the tree's tags no longer
// match (freshness, not only authenticity).
func TestTamperRollbackFile(t *testing.T) {
	rep := &reports{}
	l := tamperLayer(t, rep)
	a := objectsOf(t, l, "srv/data/a")
	saved := map[string][]byte{}
	for _, o := range a {
		saved[o], _ = os.ReadFile(o)
	}
	d, _ := walk(t, l.root(), "srv/data")
	for i := 0; i < 2; i++ { // both slots hold newer versions
		writeFile(t, d, "a", bytes.Repeat([]byte("newer-a!!"), 7282))
		l.fs.Sync()
	}
	l.fs.Close()
	for o, data := range saved {
		os.WriteFile(o, data, 0o600)
	}
	fs, err := l.mount(l.opts)
	if err != nil {
		t.Fatal(err)
	}
	l.fs = fs
	readEIO(t, l, rep, "srv/data/a")
	if got, e := readFile(t, l.root(), "srv/data/b"); e != 0 || !bytes.HasPrefix(got, []byte("secret-b")) {
		t.Fatalf("the untouched file: %v", e)
	}
}

func TestTamperMetadata(t *testing.T) {
	cases := []struct {
		name, want string
		do         func(t *testing.T, l *layer, db string, old map[string][]byte)
	}{
		{"flip a record byte", "/srv/data/a", func(t *testing.T, l *layer, db string, old map[string][]byte) {
			corruptRecord(t, db, inoKey(4), func(v []byte) []byte { v[len(v)/2] ^= 1; return v })
		}},
		{"swap two records", "/srv/data/a", func(t *testing.T, l *layer, db string, old map[string][]byte) {
			cur := dbKeys(t, db, "i")
			corruptRecord(t, db, inoKey(4), func([]byte) []byte { return cur[inoKey(5)] })
			corruptRecord(t, db, inoKey(5), func([]byte) []byte { return cur[inoKey(4)] })
		}},
		{"roll one record back", "do not match the superblock", func(t *testing.T, l *layer, db string, old map[string][]byte) {
			corruptRecord(t, db, inoKey(4), func([]byte) []byte { return old[inoKey(4)] })
		}},
		{"delete a record", "do not match the superblock", func(t *testing.T, l *layer, db string, old map[string][]byte) {
			corruptRecord(t, db, inoKey(5), nil)
		}},
		{"roll the superblock back", "do not match the superblock", func(t *testing.T, l *layer, db string, old map[string][]byte) {
			corruptRecord(t, db, "super", func([]byte) []byte { return old["super"] })
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep := &reports{}
			l := tamperLayer(t, rep)
			db := filepath.Join(l.dir, sefs.MetaFile)
			l.fs.Close()
			old := dbKeys(t, db, "")
			fs, _ := l.mount(l.opts)
			d, _ := walk(t, fs.Root(), "srv/data")
			writeFile(t, d, "a", []byte("changed"))
			fs.Close()
			c.do(t, l, db, old)
			_, err := l.mount(l.opts)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("mount: %v, want an error with %q", err, c.want)
			}
		})
	}
}

// A node of a file's tree changed in the database: found at the read.
func TestTamperTreeNode(t *testing.T) {
	rep := &reports{}
	l := tamperLayer(t, rep)
	db := filepath.Join(l.dir, sefs.MetaFile)
	st, _ := mustWalk(t, l, "srv/data/a").Stat()
	l.fs.Close()
	prefix := string(binary.BigEndian.AppendUint64([]byte{'n'}, st.Ino))
	nodes := dbKeys(t, db, prefix)
	if len(nodes) == 0 {
		t.Fatal("no tree nodes")
	}
	for k := range nodes {
		corruptRecord(t, db, k, func(v []byte) []byte { v[40] ^= 1; return v })
	}
	fs, err := l.mount(l.opts)
	if err != nil {
		t.Fatal(err)
	}
	l.fs = fs
	readEIO(t, l, rep, "srv/data/a")
}

func mustWalk(t testing.TB, l *layer, p string) vfs.Inode {
	in, e := walk(t, l.root(), p)
	must(t, e, p)
	return in
}

// Nothing of the plaintext, names included, is in the host's files.
func TestNoPlaintextOnHost(t *testing.T) {
	l := makeLayer(t, sefs.Options{})
	must(t, l.root().Mkdir("very-secret-dir", 0o755), "mkdir")
	d, _ := l.root().Lookup("very-secret-dir")
	writeFile(t, d, "very-secret-name", bytes.Repeat([]byte("very-secret-data "), 10000))
	must(t, d.Symlink("lnk", "very-secret-target"), "symlink")
	l.fs.Close()
	l.fs = nil
	filepath.Walk(l.dir, func(p string, info os.FileInfo, err error) error {
		if strings.Contains(p, "very-secret") {
			t.Errorf("a name in clear: %s", p)
		}
		if info.Mode().IsRegular() {
			f, _ := os.Open(p)
			data, _ := io.ReadAll(f)
			f.Close()
			if bytes.Contains(data, []byte("very-secret")) {
				t.Errorf("plaintext in %s", p)
			}
		}
		return nil
	})
}
