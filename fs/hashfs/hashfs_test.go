package hashfs

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
)

// makeImage writes a small image tree into dir/image and returns its path.
func makeImage(t *testing.T, dir string) string {
	t.Helper()
	img := filepath.Join(dir, "image")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(img, "bin"), 0o755))
	must(os.MkdirAll(filepath.Join(img, "lib"), 0o755))
	must(os.MkdirAll(filepath.Join(img, "etc", "empty"), 0o755))
	must(os.WriteFile(filepath.Join(img, "bin", "hello"), []byte("\x00asm hello binary"), 0o755))
	must(os.WriteFile(filepath.Join(img, "lib", "libc.so.6"), bytes.Repeat([]byte("libc"), 3000), 0o644))
	must(os.WriteFile(filepath.Join(img, "etc", "hostname"), []byte("occlum\n"), 0o644))
	must(os.WriteFile(filepath.Join(img, "etc", "copy"), []byte("occlum\n"), 0o600))
	must(os.WriteFile(filepath.Join(img, "etc", "we ird\nname\"x"), nil, 0o644))
	must(os.Symlink("libc.so.6", filepath.Join(img, "lib", "libc.so")))
	must(os.Symlink("/bin/hello", filepath.Join(img, "hello")))
	must(os.Chmod(filepath.Join(img, "bin"), 0o711))
	return img
}

func build(t *testing.T, img string) *Manifest {
	t.Helper()
	m, err := BuildManifest(img)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func mount(t *testing.T, img string, m *Manifest, opts Options) (*vfs.Namespace, *FileSystem) {
	t.Helper()
	fsys, err := NewWithOptions(img, m, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fsys.Close() })
	return vfs.NewNamespace(fsys, false, img), fsys
}

func readFile(ns *vfs.Namespace, p string) (string, errno.Errno) {
	f, e := ns.Open(p, vfs.O_RDONLY, 0, nil)
	if e != 0 {
		return "", e
	}
	defer f.DecRef()
	var out []byte
	buf := make([]byte, 1000)
	for {
		n, e := f.Read(buf)
		if e != 0 {
			return "", e
		}
		if n == 0 {
			return string(out), 0
		}
		out = append(out, buf[:n]...)
	}
}

func TestManifestEncoding(t *testing.T) {
	img := makeImage(t, t.TempDir())
	m := build(t, img)
	hello := sha256.Sum256([]byte("\x00asm hello binary"))
	host := sha256.Sum256([]byte("occlum\n"))
	libc := sha256.Sum256(bytes.Repeat([]byte("libc"), 3000))
	empty := sha256.Sum256(nil)
	want := fmt.Sprintf(`occlum-hashfs-manifest v1
dir 0755 "/"
dir 0711 "/bin"
file 0755 17 %x "/bin/hello"
dir 0755 "/etc"
file 0600 7 %x "/etc/copy"
dir 0755 "/etc/empty"
file 0644 7 %x "/etc/hostname"
file 0644 0 %x "/etc/we ird\nname\"x"
symlink 0777 "/hello" "/bin/hello"
dir 0755 "/lib"
symlink 0777 "/lib/libc.so" "libc.so.6"
file 0644 12000 %x "/lib/libc.so.6"
end 12
`, hello, host, host, empty, libc)
	if got := string(m.Marshal()); got != want {
		t.Fatalf("manifest:\n%s\nwant:\n%s", got, want)
	}
	if m.RootHash() != sha256.Sum256([]byte(want)) {
		t.Fatal("RootHash is not the SHA-256 of the encoding")
	}
}

func TestManifestDeterminism(t *testing.T) {
	img := makeImage(t, t.TempDir())
	m1 := build(t, img)
	// Another copy of the same tree: made in another order, elsewhere, with
	// other times. Same manifest, byte for byte.
	img2 := makeImage(t, t.TempDir())
	old := time.Unix(12345, 0)
	filepath.Walk(img2, func(p string, _ os.FileInfo, _ error) error {
		os.Chtimes(p, old, old)
		return nil
	})
	m2 := build(t, img2)
	if !bytes.Equal(m1.Marshal(), m2.Marshal()) || m1.RootHash() != m2.RootHash() {
		t.Fatalf("not deterministic:\n%s\n%s", m1.Marshal(), m2.Marshal())
	}
	// Round trip.
	p, err := ParseManifest(m1.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(p.Marshal(), m1.Marshal()) || !slices.Equal(p.Entries(), m1.Entries()) {
		t.Fatal("round trip changed the manifest")
	}
	// Any change in the tree changes the root hash.
	os.WriteFile(filepath.Join(img2, "etc", "hostname"), []byte("occlun\n"), 0o644)
	if build(t, img2).RootHash() == m1.RootHash() {
		t.Fatal("content change kept the root hash")
	}
}

func TestParseManifestRejects(t *testing.T) {
	h := strings.Repeat("ab", 32)
	good := "occlum-hashfs-manifest v1\ndir 0755 \"/\"\nfile 0644 3 " + h + " \"/a\"\nend 2\n"
	if _, err := ParseManifest([]byte(good)); err != nil {
		t.Fatalf("good manifest: %v", err)
	}
	line := func(s string) string { return "occlum-hashfs-manifest v1\ndir 0755 \"/\"\n" + s + "\nend 2\n" }
	cases := map[string]struct{ in, want string }{
		"empty":          {"", "empty"},
		"no newline":     {strings.TrimSuffix(good, "\n"), "newline"},
		"version":        {strings.Replace(good, "v1", "v2", 1), "line 1"},
		"truncated":      {strings.TrimSuffix(good, "end 2\n"), "truncated"},
		"count":          {strings.Replace(good, "end 2", "end 3", 1), "end count"},
		"count zero pad": {strings.Replace(good, "end 2", "end 02", 1), "end count"},
		"trailing":       {good + "dir 0755 \"/b\"\n", "after end"},
		"no root":        {"occlum-hashfs-manifest v1\nend 0\n", "no root"},
		"root not dir":   {"occlum-hashfs-manifest v1\nfile 0644 0 " + h + " \"/\"\nend 1\n", `"/"`},
		"first not root": {"occlum-hashfs-manifest v1\ndir 0755 \"/a\"\nend 1\n", "first entry"},
		"kind":           {line(`fifo 0644 "/a"`), "unknown entry kind"},
		"perm digits":    {line(`dir 755 "/a"`), "permission"},
		"perm octal":     {line(`dir 0789 "/a"`), "permission"},
		"perm too big":   {line(`dir 17777 "/a"`), "permission"},
		"size":           {line(`file 0644 -1 ` + h + ` "/a"`), "size"},
		"size zero pad":  {line(`file 0644 03 ` + h + ` "/a"`), "size"},
		"size too big":   {line(`file 0644 99999999999 ` + h + ` "/a"`), "size"},
		"hash short":     {line(`file 0644 3 abcd "/a"`), "sha256"},
		"hash upper":     {line(`file 0644 3 ` + strings.ToUpper(h) + ` "/a"`), "sha256"},
		"hash not hex":   {line(`file 0644 3 ` + strings.Repeat("zz", 32) + ` "/a"`), "sha256"},
		"unquoted":       {line(`dir 0755 /a`), "quoted"},
		"backquoted":     {line("dir 0755 `/a`"), "quoted"},
		"non-canonical":  {line(`dir 0755 "/\x61"`), "non-canonical"},
		"dotdot":         {line(`dir 0755 "/.."`), "bad path"},
		"dot":            {line(`dir 0755 "/a/./b"`), "bad path"},
		"relative":       {line(`dir 0755 "a"`), "bad path"},
		"trailing slash": {line(`dir 0755 "/a/"`), "bad path"},
		"double slash":   {line(`dir 0755 "//a"`), "bad path"},
		"nul":            {line(`dir 0755 "/a\x00b"`), "bad path"},
		"no target":      {line(`symlink 0777 "/a"`), "target"},
		"empty target":   {line(`symlink 0777 "/a" ""`), "target"},
		"long target":    {line(`symlink 0777 "/a" "` + strings.Repeat("x", 4096) + `"`), "target"},
		"extra field":    {line(`dir 0755 "/a" x`), "trailing"},
		"double space":   {line(`dir  0755 "/a"`), "missing"},
		"crlf":           {strings.ReplaceAll(good, "\n", "\r\n"), ""},
		"duplicate":      {"occlum-hashfs-manifest v1\ndir 0755 \"/\"\ndir 0755 \"/a\"\ndir 0755 \"/a\"\nend 3\n", "not after"},
		"unsorted":       {"occlum-hashfs-manifest v1\ndir 0755 \"/\"\ndir 0755 \"/b\"\ndir 0755 \"/a\"\nend 3\n", "not after"},
		"orphan":         {line(`dir 0755 "/a/b"`), "parent"},
		"parent is file": {"occlum-hashfs-manifest v1\ndir 0755 \"/\"\nfile 0644 0 " + h + " \"/a\"\ndir 0755 \"/a/b\"\nend 3\n", "parent"},
	}
	for name, c := range cases {
		_, err := ParseManifest([]byte(c.in))
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "hashfs manifest") {
			t.Errorf("%s: error %q, want it to mention %q", name, err, c.want)
		}
	}
}

func TestBuildRejects(t *testing.T) {
	img := makeImage(t, t.TempDir())
	fifo := filepath.Join(img, "etc", "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := BuildManifest(img)
	if err == nil || !strings.Contains(err.Error(), fifo) || !strings.Contains(err.Error(), "unsupported file type fifo") {
		t.Fatalf("fifo: %v", err)
	}
	if _, err := BuildManifest(filepath.Join(img, "bin", "hello")); err == nil {
		t.Fatal("file as image dir accepted")
	}
	if _, err := BuildManifest(filepath.Join(img, "nonexistent")); err == nil {
		t.Fatal("missing image dir accepted")
	}
}

func TestServe(t *testing.T) {
	img := makeImage(t, t.TempDir())
	m := build(t, img)
	ns, _ := mount(t, img, m, Options{})
	for p, want := range map[string]string{
		"/bin/hello":             "\x00asm hello binary",
		"/hello":                 "\x00asm hello binary",
		"/lib/libc.so":           strings.Repeat("libc", 3000),
		"/etc/hostname":          "occlum\n",
		"/etc/../etc/copy":       "occlum\n",
		"/etc/we ird\nname\"x":   "",
		"/lib/../../bin/./hello": "\x00asm hello binary",
	} {
		if got, e := readFile(ns, p); e != 0 || got != want {
			t.Errorf("%q: %q %v", p, got, e)
		}
	}
	st, e := ns.Stat("/bin", false)
	if e != 0 || st.Mode != syscall.S_IFDIR|0o711 || st.Nlink != 2 || st.Mtime != 0 || st.Uid != 0 {
		t.Errorf("stat /bin: %+v %v", st, e)
	}
	st, _ = ns.Stat("/", false)
	if st.Ino != 1 || st.Nlink != 5 {
		t.Errorf("stat /: %+v", st)
	}
	st, _ = ns.Stat("/lib/libc.so", false)
	if st.Type() != vfs.TypeSymlink || st.Size != int64(len("libc.so.6")) {
		t.Errorf("lstat link: %+v", st)
	}
	st, _ = ns.Stat("/lib/libc.so", true)
	if st.Type() != vfs.TypeRegular || st.Size != 12000 || st.Perm() != 0o644 {
		t.Errorf("stat link target: %+v", st)
	}
	if s, e := ns.Readlink("/hello"); e != 0 || s != "/bin/hello" {
		t.Errorf("readlink: %q %v", s, e)
	}
	f, e := ns.Open("/etc", vfs.O_RDONLY|vfs.O_DIRECTORY, 0, nil)
	if e != 0 {
		t.Fatal(e)
	}
	ents, _ := f.ReadDir(0)
	f.DecRef()
	var names []string
	inos := map[uint64]bool{}
	for _, d := range ents {
		names = append(names, d.Name)
		if d.Name != "." && d.Name != ".." {
			if inos[d.Ino] {
				t.Errorf("duplicate ino %d", d.Ino)
			}
			inos[d.Ino] = true
			st, _ := ns.Stat("/etc/"+d.Name, false)
			if st.Ino != d.Ino || st.Type() != d.Type {
				t.Errorf("%s: dirent %+v, stat %+v", d.Name, d, st)
			}
		}
	}
	if !slices.Equal(names, []string{".", "..", "copy", "empty", "hostname", "we ird\nname\"x"}) {
		t.Errorf("readdir: %q", names)
	}
	// Inode numbers are stable for a manifest: a second mount agrees.
	ns2, _ := mount(t, img, m, Options{})
	for _, p := range []string{"/", "/bin/hello", "/etc/empty", "/lib/libc.so"} {
		a, _ := ns.Stat(p, false)
		b, _ := ns2.Stat(p, false)
		if a.Ino != b.Ino || a.Ino == 0 {
			t.Errorf("%s: ino %d vs %d", p, a.Ino, b.Ino)
		}
	}
	// Read-only.
	for name, e := range map[string]errno.Errno{
		"open w": func() errno.Errno { _, e := ns.Open("/etc/hostname", vfs.O_RDWR, 0, nil); return e }(),
		"create": func() errno.Errno { _, e := ns.Open("/etc/new", vfs.O_CREAT|vfs.O_WRONLY, 0o644, nil); return e }(),
		"mkdir":  ns.Mkdir("/new", 0o755),
		"rmdir":  ns.Rmdir("/etc/empty"),
		"unlink": ns.Unlink("/bin/hello"),
		"rename": ns.Rename("/bin/hello", "/bin/x"),
		"link":   ns.Link("/bin/hello", "/bin/x", false),
		"sym":    ns.Symlink("x", "/bin/x"),
		"chmod":  ns.SetAttr("/bin/hello", true, vfs.SetAttr{Mask: vfs.SetMode, Mode: 0o777}),
		"trunc":  ns.SetAttr("/bin/hello", true, vfs.SetAttr{Mask: vfs.SetSize}),
		"utimes": ns.SetAttr("/bin", true, vfs.SetAttr{Mask: vfs.SetMtimeNow}),
	} {
		if e != errno.EROFS {
			t.Errorf("%s: %v, want EROFS", name, e)
		}
	}
	if err := m.Check(img); err != nil {
		t.Errorf("Check of untouched image: %v", err)
	}
	if err := m.Verify(img); err != nil {
		t.Errorf("Verify of untouched image: %v", err)
	}
}

func TestTamper(t *testing.T) {
	type result struct {
		check, verify string // substrings expected in the errors ("" = nil)
	}
	cases := []struct {
		name   string
		tamper func(img string) error
		open   string      // path to open afterwards
		want   errno.Errno // its result
		res    result
	}{
		{"same-size byte", func(img string) error {
			return os.WriteFile(filepath.Join(img, "bin", "hello"), []byte("\x00asm HELLO binary"), 0o755)
		}, "/bin/hello", errno.EIO, result{"", "image/bin/hello: modified after build (content hash differs)"}},
		{"grown", func(img string) error {
			return os.WriteFile(filepath.Join(img, "etc", "hostname"), []byte("occlum!\n"), 0o644)
		}, "/etc/hostname", errno.EIO, result{"image/etc/hostname: modified after build (size 8, built with 7)", "image/etc/hostname: modified"}},
		{"truncated", func(img string) error {
			return os.Truncate(filepath.Join(img, "lib", "libc.so.6"), 10)
		}, "/lib/libc.so", errno.EIO, result{"image/lib/libc.so.6: modified after build", "image/lib/libc.so.6: modified"}},
		{"added", func(img string) error {
			return os.WriteFile(filepath.Join(img, "bin", "evil"), []byte("x"), 0o755)
		}, "/bin/evil", errno.ENOENT, result{"image/bin/evil: added after build", "image/bin/evil: added after build"}},
		{"removed", func(img string) error {
			return os.Remove(filepath.Join(img, "etc", "copy"))
		}, "/etc/copy", errno.EIO, result{"image/etc/copy: removed after build", "image/etc/copy: removed after build"}},
		{"chmod", func(img string) error {
			return syscall.Chmod(filepath.Join(img, "bin", "hello"), 0o4755)
		}, "/bin/hello", 0, result{"image/bin/hello: modified after build (mode 4755, built with 0755)", "image/bin/hello: modified"}},
		{"replaced by link", func(img string) error {
			p := filepath.Join(img, "etc", "hostname")
			os.Remove(p)
			return os.Symlink("copy", p) // same content, still not the image
		}, "/etc/hostname", 0, result{"image/etc/hostname: modified after build (symlink, built as regular)", "modified"}},
		{"link retargeted", func(img string) error {
			p := filepath.Join(img, "hello")
			os.Remove(p)
			return os.Symlink("/etc/hostname", p)
		}, "/hello", 0, result{`image/hello: modified after build (link to "/etc/hostname", built as "/bin/hello")`, "modified"}},
		{"fifo swapped in", func(img string) error {
			p := filepath.Join(img, "etc", "copy")
			os.Remove(p)
			return syscall.Mkfifo(p, 0o600)
		}, "/etc/copy", errno.EIO, result{"image/etc/copy: modified after build (fifo, built as regular)", "modified"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			img := makeImage(t, t.TempDir())
			m := build(t, img)
			var mu sync.Mutex
			var reports []error
			ns, _ := mount(t, img, m, Options{Report: func(err error) {
				mu.Lock()
				reports = append(reports, err)
				mu.Unlock()
			}})
			if err := c.tamper(img); err != nil {
				t.Fatal(err)
			}
			f, e := ns.Open(c.open, vfs.O_RDONLY, 0, nil)
			if e == 0 {
				f.DecRef()
			}
			if e != c.want {
				t.Errorf("open %s: %v, want %v", c.open, e, c.want)
			}
			if c.want == errno.EIO {
				var ie *IntegrityError
				if len(reports) != 1 || !errors.As(reports[0], &ie) || "/"+strings.TrimPrefix(ie.Path, "/") != ie.Path {
					t.Errorf("reports %v", reports)
				} else {
					t.Logf("reported: %v", reports[0])
				}
			}
			check := func(what string, err error, want string) {
				t.Helper()
				if want == "" {
					if err != nil {
						t.Errorf("%s: %v, want nil", what, err)
					}
					return
				}
				var ce *ChangeError
				if !errors.As(err, &ce) || !strings.Contains(err.Error(), want) {
					t.Errorf("%s: %v, want %q", what, err, want)
				}
			}
			check("Check", m.Check(img), c.res.check)
			check("Verify", m.Verify(img), c.res.verify)
		})
	}
}

// TestVerifiedCopy: what an open file serves is the copy verified at open;
// changes on the host after that are not seen.
func TestVerifiedCopy(t *testing.T) {
	img := makeImage(t, t.TempDir())
	m := build(t, img)
	ns, _ := mount(t, img, m, Options{CacheBytes: -1})
	f, e := ns.Open("/etc/hostname", vfs.O_RDONLY, 0, nil)
	if e != 0 {
		t.Fatal(e)
	}
	defer f.DecRef()
	os.WriteFile(filepath.Join(img, "etc", "hostname"), []byte("hacked\n"), 0o644)
	buf := make([]byte, 100)
	if n, e := f.Pread(buf, 0); e != 0 || string(buf[:n]) != "occlum\n" {
		t.Fatalf("read %q %v", buf[:n], e)
	}
	// Without a cache the next open reads the host again and fails.
	if _, e := ns.Open("/etc/hostname", vfs.O_RDONLY, 0, nil); e != errno.EIO {
		t.Fatalf("reopen: %v", e)
	}
}

func TestCache(t *testing.T) {
	img := makeImage(t, t.TempDir())
	m := build(t, img)
	// Room for the small files, not for libc (12000 bytes).
	_, fsys := mount(t, img, m, Options{CacheBytes: 100})
	ns := vfs.NewNamespace(fsys, false, "")
	for _, p := range []string{"/etc/hostname", "/etc/copy", "/bin/hello", "/lib/libc.so.6"} {
		if _, e := readFile(ns, p); e != 0 {
			t.Fatal(p, e)
		}
	}
	c := fsys.cache
	if c.used != 7+17 || c.lru.Len() != 2 {
		t.Fatalf("cache used %d, %d entries", c.used, c.lru.Len())
	}
	// Cached content is served without touching the host again: hostname
	// and copy share one entry.
	os.Remove(filepath.Join(img, "etc", "hostname"))
	os.Remove(filepath.Join(img, "etc", "copy"))
	if s, e := readFile(ns, "/etc/copy"); e != 0 || s != "occlum\n" {
		t.Fatalf("cached copy: %q %v", s, e)
	}
	// Eviction: least recently used first.
	c2 := newCache(10)
	k := func(b byte) [32]byte { return [32]byte{b} }
	c2.put(k(1), make([]byte, 4))
	c2.put(k(2), make([]byte, 4))
	c2.get(k(1))
	c2.put(k(3), make([]byte, 4))
	if _, ok := c2.get(k(2)); ok {
		t.Error("LRU entry not evicted")
	}
	if _, ok := c2.get(k(1)); !ok {
		t.Error("recent entry evicted")
	}
	c2.put(k(4), make([]byte, 11))
	if _, ok := c2.get(k(4)); ok || c2.used != 8 {
		t.Errorf("oversized entry cached, used %d", c2.used)
	}
}

func TestConcurrentOpen(t *testing.T) {
	img := makeImage(t, t.TempDir())
	m := build(t, img)
	ns, _ := mount(t, img, m, Options{CacheBytes: 13000})
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 50 {
				p := []string{"/bin/hello", "/lib/libc.so", "/etc/hostname"}[(i+j)%3]
				if _, e := readFile(ns, p); e != 0 {
					t.Error(p, e)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestNewRejects(t *testing.T) {
	if _, err := New(t.TempDir(), nil); err == nil {
		t.Error("nil manifest accepted")
	}
	img := makeImage(t, t.TempDir())
	if _, err := New(filepath.Join(img, "missing"), build(t, img)); err == nil {
		t.Error("missing directory accepted")
	}
}
