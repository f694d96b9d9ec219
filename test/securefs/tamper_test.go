package securefs

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The files tampered with: two of tamperSize bytes (3 blocks), whose
// blocks hold recognisable text (marked).
const tamperSize = 10000

// target is one file a tamper test reads, and its object on the host.
type target struct {
	path   string // inside the LibOS
	object string // host path of its (one) object
	marker string // what its blocks hold now (marked)
}

// tamperCase is one instance set up for tampering: two files and their
// objects, and an older version of the first one's object.
type tamperCase struct {
	in *inst
	// runArgs go before the program in `occlum run` (--image-key).
	runArgs []string
	layer   string // the layer's source in Occlum.json, named in errors
	t1, t2  target
	// old is the first file's object as it was before the file changed
	// twice (oldMarker is what it held then).
	old       []byte
	oldMarker string
}

// imageCase packs /opt/t1 and /opt/t2 into the image layer. The objects
// are found by building three times (builds are reproducible): t1 changed
// between the first two, t2 between the last two. The first build's
// object of t1 is the older copy.
func imageCase(t *testing.T, encrypted bool) *tamperCase {
	in := newInstance(t, "readfile")
	var buildArgs, runArgs []string
	if encrypted {
		key := filepath.Join(t.TempDir(), "image.key")
		if r := in.occlum("gen-image-key", key); r.code != 0 {
			t.Fatalf("%v", r)
		}
		buildArgs = []string{"--image-key", key}
		runArgs = buildArgs
	}
	objDir := in.path(imageLayer + "/objects")
	in.writeFile("image/opt/t1", marked("T1OLD", tamperSize), 0o644)
	in.writeFile("image/opt/t2", marked("T2OLD", tamperSize), 0o644)
	in.build(buildArgs...)
	b1 := in.objects(imageLayer)
	in.writeFile("image/opt/t1", marked("T1NEW", tamperSize), 0o644)
	in.build(buildArgs...)
	b2 := in.objects(imageLayer)
	in.writeFile("image/opt/t2", marked("T2NEW", tamperSize), 0o644)
	in.build(buildArgs...)
	b3 := in.objects(imageLayer)
	c1, c2 := changed(b1, b2), changed(b2, b3)
	if len(c1) != 1 || len(c2) != 1 || c1[0] == c2[0] {
		t.Fatalf("rebuilding after changing one file changed objects %v, then %v: want one each (are builds reproducible?)", c1, c2)
	}
	tc := &tamperCase{in: in, runArgs: runArgs, layer: "./" + imageLayer,
		t1: target{"/opt/t1", filepath.Join(objDir, c1[0]), "T1NEW"},
		t2: target{"/opt/t2", filepath.Join(objDir, c2[0]), "T2NEW"}}
	// The first build's object of t1: rebuild it, keep the object, and
	// build the final image again (the same root as before).
	in.writeFile("image/opt/t1", marked("T1OLD", tamperSize), 0o644)
	in.build(buildArgs...)
	tc.old, tc.oldMarker = readFile(t, tc.t1.object), "T1OLD"
	in.writeFile("image/opt/t1", marked("T1NEW", tamperSize), 0o644)
	in.build(buildArgs...)
	if got := in.objects(imageLayer); len(changed(b3, got)) != 0 || len(changed(got, b3)) != 0 {
		t.Fatalf("the same image/ built again gave other objects: %v", changed(b3, got))
	}
	return tc
}

// containerCase writes /root/t1 and /root/t2 into the container layer,
// one `occlum run` each; the object each run adds is the file's. The
// older copy of t1's object is saved before t1 is changed twice, each
// change fsynced (put), so that the last change is in the object saved.
func containerCase(t *testing.T) *tamperCase {
	in := newInstance(t, "readfile", "put")
	in.build()
	in.mustRun("/bin/readfile") // makes the (empty) container layer
	put := func(path, marker string) []string {
		before := in.objects(containerLayer)
		in.mustRun("/bin/put", path, marker, fmt.Sprint(tamperSize))
		return changed(before, in.objects(containerLayer))
	}
	objDir := in.path(containerLayer + "/objects")
	tc := &tamperCase{in: in, layer: containerSource}
	for i, f := range []*target{&tc.t1, &tc.t2} {
		f.path, f.marker = fmt.Sprintf("/root/t%d", i+1), fmt.Sprintf("T%dOLD", i+1)
		objs := put(f.path, f.marker)
		if len(objs) != 1 {
			t.Fatalf("writing %s changed objects %v: want one", f.path, objs)
		}
		f.object = filepath.Join(objDir, objs[0])
	}
	tc.old, tc.oldMarker = readFile(t, tc.t1.object), tc.t1.marker
	// Two changes, each committed: the second lands in the object saved
	// (a block's new version never goes over the committed one, so the
	// versions alternate between the file's two objects).
	put(tc.t1.path, "T1MID")
	put(tc.t1.path, "T1NEW")
	tc.t1.marker = "T1NEW"
	if now := readFile(t, tc.t1.object); bytes.Equal(now, tc.old) {
		t.Fatalf("%s: the object saved did not change", tc.t1.object)
	}
	return tc
}

func readFile(t *testing.T, p string) []byte {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestTamperObjects: the host changes the objects of the image layer
// (integrity-only and encrypted) and of the container layer. Every change
// is detected when the file is read: the read fails with EIO, the LibOS
// names the file on stderr, and no tampered plaintext reaches the program.
// The other file, untouched, still reads.
func TestTamperObjects(t *testing.T) {
	layers := []struct {
		name  string
		setup func(t *testing.T) *tamperCase
	}{
		{"image", func(t *testing.T) *tamperCase { return imageCase(t, false) }},
		{"image-encrypted", func(t *testing.T) *tamperCase { return imageCase(t, true) }},
		{"container", containerCase},
	}
	for _, l := range layers {
		t.Run(l.name, func(t *testing.T) {
			for _, tm := range tampers {
				t.Run(tm.name, func(t *testing.T) {
					tc := l.setup(t)
					// Before: both files read as written.
					for _, f := range []target{tc.t1, tc.t2} {
						res := tc.in.mustRun(append(tc.runArgs, "/bin/readfile", f.path)...)
						if want := "readfile: start\n" + string(marked(f.marker, tamperSize)); res.stdout != want {
							t.Fatalf("before tampering, %s reads %q", f.path, res.stdout)
						}
					}
					tm.do(t, tc)
					res := tc.in.run(append(tc.runArgs, "/bin/readfile", tc.t1.path)...)
					checkDetected(t, tc, res, tc.t1.path, tm.block)
					for _, m := range tm.forbidden(tc) {
						if strings.Contains(res.stdout, m) {
							t.Errorf("tampered plaintext %q reached the program: %v", m, res)
						}
					}
					res = tc.in.run(append(tc.runArgs, "/bin/readfile", tc.t2.path)...)
					if tm.both {
						checkDetected(t, tc, res, tc.t2.path, tm.block)
						return
					}
					if want := "readfile: start\n" + string(marked(tc.t2.marker, tamperSize)); res.code != 0 || res.stdout != want {
						t.Errorf("the untouched %s does not read as written: %v", tc.t2.path, res)
					}
				})
			}
		})
	}
}

// checkDetected checks that a run of readfile of path failed on an
// integrity error: the program started, its open or read of path failed
// with EIO, and the LibOS named path (and block, if >= 0) on stderr.
func checkDetected(t *testing.T, tc *tamperCase, res result, path string, block int) {
	t.Helper()
	if res.code == 0 {
		t.Errorf("reading the tampered %s succeeded: %v", path, res)
		return
	}
	if !strings.HasPrefix(res.stdout, "readfile: start\n") {
		t.Errorf("the program did not start: %v", res)
	}
	if !strings.Contains(res.stdout, "readfile: "+path+": read: EIO") && !strings.Contains(res.stdout, "readfile: "+path+": open: EIO") {
		t.Errorf("no EIO from reading %s: %v", path, res)
	}
	want := "occlum: sefs: " + path + ": block "
	if block >= 0 {
		want += fmt.Sprintf("%d: ", block)
	}
	if !strings.Contains(res.stderr, want) || !strings.Contains(res.stderr, "(the host changed, lost or rolled back the file's data)") {
		t.Errorf("stderr does not name the file (%q): %v", want, res)
	}
}

// A tamper and what it must not let through.
var tampers = []struct {
	name string
	do   func(t *testing.T, tc *tamperCase)
	// block is the block the LibOS reports (-1: not checked).
	block int
	// forbidden returns what must not appear in the program's output.
	forbidden func(tc *tamperCase) []string
	// both: the second file is tampered with too.
	both bool
}{
	{
		name: "flip a byte",
		do: func(t *testing.T, tc *tamperCase) {
			data := readFile(t, tc.t1.object)
			data[4096+100] ^= 0x20
			writeBack(t, tc.t1.object, data)
		},
		block: 1,
		forbidden: func(tc *tamperCase) []string {
			return []string{tc.t1.marker + "-blk1.", tc.t1.marker + "-blk2."}
		},
	},
	{
		name: "truncate",
		do: func(t *testing.T, tc *tamperCase) {
			if err := os.Truncate(tc.t1.object, 4096+100); err != nil {
				t.Fatal(err)
			}
		},
		block: 1,
		forbidden: func(tc *tamperCase) []string {
			return []string{tc.t1.marker + "-blk1.", tc.t1.marker + "-blk2."}
		},
	},
	{
		name: "delete",
		do: func(t *testing.T, tc *tamperCase) {
			if err := os.Remove(tc.t1.object); err != nil {
				t.Fatal(err)
			}
		},
		block:     0,
		forbidden: func(tc *tamperCase) []string { return []string{tc.t1.marker} },
	},
	{
		name: "swap two",
		do: func(t *testing.T, tc *tamperCase) {
			a, b := readFile(t, tc.t1.object), readFile(t, tc.t2.object)
			writeBack(t, tc.t1.object, b)
			writeBack(t, tc.t2.object, a)
		},
		block:     0,
		forbidden: func(tc *tamperCase) []string { return []string{tc.t1.marker, tc.t2.marker} },
		both:      true,
	},
	{
		name: "restore an older copy",
		do: func(t *testing.T, tc *tamperCase) {
			writeBack(t, tc.t1.object, tc.old)
		},
		block:     0,
		forbidden: func(tc *tamperCase) []string { return []string{tc.oldMarker, tc.t1.marker} },
	},
}

// writeBack overwrites the host file p with data, keeping its mode.
func writeBack(t *testing.T, p string, data []byte) {
	t.Helper()
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(p, int64(len(data))); err != nil {
		t.Fatal(err)
	}
}

// metaKeys are the metadata database's bucket and key prefixes (fs/sefs:
// meta.go).
var (
	metaBucket = []byte("sefs")
	superKey   = []byte("super")
)

func inodeKey(ino uint64) []byte { return binary.BigEndian.AppendUint64([]byte{'i'}, ino) }

// flipMeta flips bit 0x01 of byte at of the value of key in the layer's
// metadata database (through bbolt, as a host with the file would).
// Flipping again restores it.
func flipMeta(t *testing.T, db string, key []byte, at int) {
	t.Helper()
	d, err := bolt.Open(db, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	err = d.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(metaBucket)
		if b == nil {
			return fmt.Errorf("no bucket %q", metaBucket)
		}
		v := b.Get(key)
		if v == nil {
			return fmt.Errorf("no key %q", key)
		}
		if at >= len(v) {
			return fmt.Errorf("key %q: byte %d of %d", key, at, len(v))
		}
		nv := bytes.Clone(v)
		nv[at] ^= 0x01
		return b.Put(key, nv)
	})
	if err != nil {
		t.Fatalf("%s: %v", db, err)
	}
}

// inodeKeys returns the inode numbers that have records, sorted.
func inodeKeys(t *testing.T, db string) []uint64 {
	t.Helper()
	d, err := bolt.Open(db, 0o600, &bolt.Options{Timeout: time.Second, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var out []uint64
	d.View(func(tx *bolt.Tx) error {
		return tx.Bucket(metaBucket).ForEach(func(k, v []byte) error {
			if len(k) == 9 && k[0] == 'i' {
				out = append(out, binary.BigEndian.Uint64(k[1:]))
			}
			return nil
		})
	})
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// The fields of the superblock (fs/sefs: meta.go), and a byte of each.
var superFields = []struct {
	name string
	at   int
}{
	{"magic", 0}, {"mode", 8}, {"layer id", 9 + 7}, {"version", 25 + 7}, {"next inode", 33 + 7},
	{"inode root", 41 + 3}, {"bound to", 73 + 3}, {"mac", 105 + 3},
}

// TestTamperMetadata: the host flips a byte in a value of a layer's
// metadata database: the superblock, or a record of an inode (the root
// directory, a file). `occlum run` fails with an error naming the layer
// before any program runs; flipped back, the layer reads as before
// (nothing committed was lost).
func TestTamperMetadata(t *testing.T) {
	for _, l := range []struct {
		name  string
		setup func(t *testing.T) *tamperCase
		dir   string
	}{
		{"image", func(t *testing.T) *tamperCase { return imageCase(t, false) }, imageLayer},
		{"image-encrypted", func(t *testing.T) *tamperCase { return imageCase(t, true) }, imageLayer},
		{"container", containerCase, containerLayer},
	} {
		t.Run(l.name, func(t *testing.T) {
			tc := l.setup(t)
			db := tc.in.path(l.dir + "/sefs.db")
			inos := inodeKeys(t, db)
			if len(inos) < 3 || inos[0] != 1 {
				t.Fatalf("inode records %v: want the root (1) and more", inos)
			}
			type flip struct {
				name string
				key  []byte
				at   int
			}
			var flips []flip
			for _, f := range superFields {
				flips = append(flips, flip{"superblock " + f.name, superKey, f.at})
			}
			flips = append(flips,
				flip{"root directory record", inodeKey(1), 20},
				flip{"last file's record", inodeKey(inos[len(inos)-1]), 20})
			for _, f := range flips {
				t.Run(f.name, func(t *testing.T) {
					flipMeta(t, db, f.key, f.at)
					res := tc.in.run(append(tc.runArgs, "/bin/readfile", tc.t1.path)...)
					flipMeta(t, db, f.key, f.at) // restored, whatever happened
					if res.code == 0 || strings.Contains(res.stdout, "readfile: start") {
						t.Errorf("a program ran on the tampered layer: %v", res)
					}
					if !strings.Contains(res.stderr, "layer "+tc.layer+" (sefs): ") {
						t.Errorf("the error does not name the layer %s: %v", tc.layer, res)
					}
					res = tc.in.run(append(tc.runArgs, "/bin/readfile", tc.t1.path, tc.t2.path)...)
					want := "readfile: start\n" + string(marked(tc.t1.marker, tamperSize)) + string(marked(tc.t2.marker, tamperSize))
					if res.code != 0 || res.stdout != want {
						t.Errorf("flipped back, the layer does not read as before: %v", res)
					}
				})
			}
		})
	}
}
