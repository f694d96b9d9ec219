package hashfs

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/occlumgo/occlum/core/vfs"
)

// The seeds are what they say they are: those named bad-* are refused, the
// others (small.manifest is makeImage's manifest) are accepted.
func TestFuzzSeeds(t *testing.T) {
	seeds, _ := filepath.Glob("testdata/*.manifest")
	if len(seeds) == 0 {
		t.Fatal("no seeds in testdata/")
	}
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		_, err = ParseManifest(b)
		if bad := strings.HasPrefix(filepath.Base(s), "bad-"); bad != (err != nil) {
			t.Errorf("%s: ParseManifest = %v", s, err)
		}
	}
	small, _ := os.ReadFile("testdata/small.manifest")
	if m := build(t, makeImage(t, t.TempDir())); !bytes.Equal(m.Marshal(), small) {
		t.Errorf("testdata/small.manifest is not the manifest of makeImage:\n%s", m.Marshal())
	}
}

// Found by FuzzParseManifest: the raw bytes of a quoted string (a carriage
// return, or a terminal escape sequence) went into the error message.
func TestManifestErrorsQuoteInput(t *testing.T) {
	for _, in := range []string{
		"occlum-hashfs-manifest v1\ndir 0000 \"\r\"\n",
		"occlum-hashfs-manifest v1\ndir 0755 \"/\"\nsymlink 0777 \"/\\r\\x1b[2J\" \"\"\nend 2\n",
	} {
		_, err := ParseManifest([]byte(in))
		if err == nil || strings.ContainsAny(err.Error(), "\r\x1b") {
			t.Errorf("ParseManifest(%q) = %q", in, err)
		}
	}
}

// FuzzParseManifest checks, for any bytes (the manifest comes from the
// host, untrusted), that ParseManifest does not panic; that it refuses with
// a "hashfs manifest" error; and that what it accepts is the canonical
// encoding exactly: Marshal, the writer `occlum build` uses, gives back the
// same bytes, so the same root hash, and those parse again to the same
// entries. An accepted manifest can also be served: NewWithOptions builds
// its tree (parents before children, as it relies on), and every entry is
// found where its path says, with its type.
func FuzzParseManifest(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.manifest")
	if len(seeds) == 0 {
		f.Fatal("no seeds in testdata/")
	}
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	img := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseManifest(data)
		if err != nil {
			if m != nil {
				t.Fatal("a manifest and an error")
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "hashfs manifest: ") || strings.ContainsAny(msg, "\n\r") {
				t.Fatalf("error %q does not say what it is about, or is not one line", msg)
			}
			return
		}
		out := m.Marshal()
		if !bytes.Equal(out, data) {
			t.Fatalf("accepted a non-canonical manifest:\n%q\nMarshal:\n%q", data, out)
		}
		m2, err := ParseManifest(out)
		if err != nil {
			t.Fatalf("Marshal of an accepted manifest is refused: %v", err)
		}
		if m2.RootHash() != m.RootHash() || !slices.Equal(m2.Entries(), m.Entries()) {
			t.Fatal("re-parsing the encoding changed the manifest")
		}

		fsys, err := NewWithOptions(img, m, Options{CacheBytes: -1})
		if err != nil {
			t.Fatal(err)
		}
		defer fsys.Close()
		for i, e := range m.Entries() {
			n := fsys.nodes[0]
			if e.Path != "/" {
				for _, c := range strings.Split(e.Path[1:], "/") {
					n = n.children[c]
					if n == nil {
						t.Fatalf("%q is not in the tree", e.Path)
					}
				}
			}
			st, errno := n.Stat()
			if errno != 0 || st.Ino != uint64(i)+1 || vfs.FileTypeFromMode(st.Mode) != e.Type || st.Mode&0o7777 != e.Perm {
				t.Fatalf("%q: stat %+v %v, entry %d %+v", e.Path, st, errno, i, e)
			}
		}
	})
}
