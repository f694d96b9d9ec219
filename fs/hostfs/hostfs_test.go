package hostfs

import (
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/sys/unix"
	"testing"
	"time"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/fs/ramfs"
)

// env is a LibOS namespace with a ramfs root and a hostfs at /host over
// top/host; top/secret is a host file outside the mounted directory.
type env struct {
	ns      *vfs.Namespace
	fs      *FileSystem
	top     string // host parent of the mounted directory
	hostDir string
	secret  string
}

const secretData = "host secret outside the mount"

func newEnv(t *testing.T) *env { return newEnvWith(t, Options{Exec: true, SetID: true}) }

// newEnvWith is newEnv with the mount's options.
func newEnvWith(t *testing.T, opts Options) *env {
	t.Helper()
	top := t.TempDir()
	hostDir := filepath.Join(top, "host")
	if err := os.Mkdir(hostDir, 0o755); err != nil {
		t.Fatal(err)
	}
	return newEnvOnIn(t, top, hostDir, opts)
}

// newEnvOn mounts hostDir (with a secret file beside it) at /host.
func newEnvOn(t *testing.T, hostDir string, opts Options) *env {
	return newEnvOnIn(t, t.TempDir(), hostDir, opts)
}

func newEnvOnIn(t *testing.T, top, hostDir string, opts Options) *env {
	t.Helper()
	secret := filepath.Join(top, "secret")
	if err := os.WriteFile(secret, []byte(secretData), 0o644); err != nil {
		t.Fatal(err)
	}
	fsys, err := New(hostDir, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fsys.Close() })
	ns := vfs.NewNamespace(ramfs.New(ramfs.Options{}), false, "ramfs")
	if e := ns.Mkdir("/host", 0o755); e != 0 {
		t.Fatal(e)
	}
	if e := ns.Mount("/host", fsys, false, hostDir); e != 0 {
		t.Fatal(e)
	}
	return &env{ns: ns, fs: fsys, top: top, hostDir: hostDir, secret: secret}
}

func (v *env) write(t *testing.T, p, data string) {
	t.Helper()
	f, e := v.ns.Open(p, vfs.O_WRONLY|vfs.O_CREAT|vfs.O_TRUNC, 0o644, nil)
	if e != 0 {
		t.Fatalf("open %s: %v", p, e)
	}
	defer f.DecRef()
	if _, e := f.Write([]byte(data)); e != 0 {
		t.Fatalf("write %s: %v", p, e)
	}
}

func (v *env) read(p string) (string, errno.Errno) {
	f, e := v.ns.Open(p, vfs.O_RDONLY, 0, nil)
	if e != 0 {
		return "", e
	}
	defer f.DecRef()
	var out []byte
	buf := make([]byte, 7)
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

// checkOutside fails unless top holds exactly host/ and the untouched secret.
func (v *env) checkOutside(t *testing.T) {
	t.Helper()
	ents, err := os.ReadDir(v.top)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"host", "secret"}) {
		t.Errorf("host files outside the mount: %v", names)
	}
	if b, err := os.ReadFile(v.secret); err != nil || string(b) != secretData {
		t.Errorf("secret changed: %q %v", b, err)
	}
}

func TestBasicOps(t *testing.T) {
	v := newEnv(t)
	v.write(t, "/host/a.txt", "hello")
	if b, err := os.ReadFile(filepath.Join(v.hostDir, "a.txt")); err != nil || string(b) != "hello" {
		t.Fatalf("host sees %q %v", b, err)
	}
	if s, e := v.read("/host/a.txt"); e != 0 || s != "hello" {
		t.Fatalf("read %q %v", s, e)
	}
	if e := v.ns.Mkdir("/host/d", 0o2750); e != 0 {
		t.Fatal(e)
	}
	st, e := v.ns.Stat("/host/d", false)
	if e != 0 || st.Type() != vfs.TypeDirectory || st.Perm() != 0o2750 {
		t.Fatalf("stat dir %+v %v", st, e)
	}
	if e := v.ns.Rename("/host/a.txt", "/host/d/b.txt"); e != 0 {
		t.Fatal(e)
	}
	if e := v.ns.Link("/host/d/b.txt", "/host/c.txt", false); e != 0 {
		t.Fatal(e)
	}
	st, e = v.ns.Stat("/host/c.txt", false)
	var hst unix.Stat_t
	if err := unix.Lstat(filepath.Join(v.hostDir, "c.txt"), &hst); err != nil {
		t.Fatal(err)
	}
	if e != 0 || st.Nlink != 2 || st.Size != 5 || st.Ino != hst.Ino || st.Uid != hst.Uid ||
		st.Mtime != hst.Mtim.Nano() || st.Ctime != hst.Ctim.Nano() || st.Mode != hst.Mode {
		t.Fatalf("stat %+v %v, host %+v", st, e, hst)
	}
	if e := v.ns.Symlink("d/b.txt", "/host/l"); e != 0 {
		t.Fatal(e)
	}
	if s, e := v.read("/host/l"); e != 0 || s != "hello" {
		t.Fatalf("via link %q %v", s, e)
	}
	f, e := v.ns.Open("/host", vfs.O_RDONLY|vfs.O_DIRECTORY, 0, nil)
	if e != 0 {
		t.Fatal(e)
	}
	ents, e := f.ReadDir(0)
	f.DecRef()
	if e != 0 {
		t.Fatal(e)
	}
	var got []string
	for _, d := range ents {
		got = append(got, d.Name+":"+d.Type.String())
		if d.Ino == 0 {
			t.Errorf("%s: ino 0", d.Name)
		}
	}
	want := []string{".:directory", "..:directory", "c.txt:regular", "d:directory", "l:symlink"}
	if !slices.Equal(got, want) {
		t.Fatalf("readdir %v, want %v", got, want)
	}
	if e := v.ns.Unlink("/host/d"); e != errno.EISDIR {
		t.Fatalf("unlink dir: %v", e)
	}
	if e := v.ns.Rmdir("/host/d"); e != errno.ENOTEMPTY {
		t.Fatalf("rmdir non-empty: %v", e)
	}
	if e := v.ns.Rmdir("/host/c.txt"); e != errno.ENOTDIR {
		t.Fatalf("rmdir file: %v", e)
	}
	if e := v.ns.Unlink("/host/d/b.txt"); e != 0 {
		t.Fatal(e)
	}
	if e := v.ns.Rmdir("/host/d"); e != 0 {
		t.Fatal(e)
	}
	if _, e := v.ns.Stat("/host/l", true); e != errno.ENOENT {
		t.Fatalf("dangling: %v", e)
	}
	v.checkOutside(t)
}

func TestSetAttr(t *testing.T) {
	v := newEnv(t)
	v.write(t, "/host/f", "0123456789")
	if e := v.ns.SetAttr("/host/f", true, vfs.SetAttr{Mask: vfs.SetSize, Size: 3}); e != 0 {
		t.Fatal(e)
	}
	if e := v.ns.SetAttr("/host/f", true, vfs.SetAttr{Mask: vfs.SetMode, Mode: 0o4711}); e != 0 {
		t.Fatal(e)
	}
	const at, mt = 1_000_000_123, 2_000_000_456
	if e := v.ns.SetAttr("/host/f", true, vfs.SetAttr{Mask: vfs.SetAtime | vfs.SetMtime, Atime: at, Mtime: mt}); e != 0 {
		t.Fatal(e)
	}
	st, _ := v.ns.Stat("/host/f", true)
	if st.Size != 3 || st.Perm() != 0o4711 || st.Atime != at || st.Mtime != mt {
		t.Fatalf("%+v", st)
	}
	// "now" for mtime only: atime is left alone.
	if e := v.ns.SetAttr("/host/f", true, vfs.SetAttr{Mask: vfs.SetMtimeNow}); e != 0 {
		t.Fatal(e)
	}
	st, _ = v.ns.Stat("/host/f", true)
	if st.Atime != at || st.Mtime <= mt {
		t.Fatalf("after now: %+v", st)
	}
	// A symlink's own times (lutimes); chmod of a link is EOPNOTSUPP.
	if e := v.ns.Symlink("f", "/host/l"); e != 0 {
		t.Fatal(e)
	}
	if e := v.ns.SetAttr("/host/l", false, vfs.SetAttr{Mask: vfs.SetMtime, Mtime: mt}); e != 0 {
		t.Fatal(e)
	}
	if st, _ := v.ns.Stat("/host/l", false); st.Mtime != mt {
		t.Fatalf("link mtime %d", st.Mtime)
	}
	if e := v.ns.SetAttr("/host/l", false, vfs.SetAttr{Mask: vfs.SetMode, Mode: 0o600}); e != errno.EOPNOTSUPP {
		t.Fatalf("chmod link: %v", e)
	}
	// Root of the mount, and open-file variants.
	if e := v.ns.SetAttr("/host", true, vfs.SetAttr{Mask: vfs.SetMtime | vfs.SetMode, Mtime: mt, Mode: 0o700}); e != 0 {
		t.Fatal(e)
	}
	if st, _ := v.ns.Stat("/host", true); st.Mtime != mt || st.Perm() != 0o700 {
		t.Fatalf("root %+v", st)
	}
	f, e := v.ns.Open("/host/f", vfs.O_RDWR, 0, nil)
	if e != 0 {
		t.Fatal(e)
	}
	defer f.DecRef()
	if e := f.SetAttr(vfs.SetAttr{Mask: vfs.SetSize | vfs.SetMode | vfs.SetAtime, Size: 8, Mode: 0o640, Atime: at}); e != 0 {
		t.Fatal(e)
	}
	if st, _ := f.Stat(); st.Size != 8 || st.Perm() != 0o640 || st.Atime != at {
		t.Fatalf("fstat %+v", st)
	}
	if e := f.Sync(true); e != 0 {
		t.Fatal(e)
	}
	if e := f.Sync(false); e != 0 {
		t.Fatal(e)
	}
}

// TestOpenFileFollowsRename: open files keep their host descriptor.
func TestOpenFileFollowsRename(t *testing.T) {
	v := newEnv(t)
	v.write(t, "/host/f", "abc")
	f, e := v.ns.Open("/host/f", vfs.O_RDWR|vfs.O_APPEND, 0, nil)
	if e != 0 {
		t.Fatal(e)
	}
	defer f.DecRef()
	if err := os.Rename(filepath.Join(v.hostDir, "f"), filepath.Join(v.hostDir, "g")); err != nil {
		t.Fatal(err)
	}
	if _, e := f.Write([]byte("def")); e != 0 {
		t.Fatal(e)
	}
	if b, _ := os.ReadFile(filepath.Join(v.hostDir, "g")); string(b) != "abcdef" {
		t.Fatalf("got %q", b)
	}
}

// TestEscapeThroughSymlinks: host symlinks inside the mounted directory are
// LibOS paths; none of them reaches a host file outside it.
func TestEscapeThroughSymlinks(t *testing.T) {
	v := newEnv(t)
	links := map[string]string{
		"evil":     "/etc",
		"up":       "../../..",
		"abs":      v.secret,
		"absdir":   v.top,
		"rel":      "../secret",
		"relnew":   "../created-by-guest",
		"deep":     "../../../../../../../../" + strings.TrimPrefix(v.secret, "/"),
		"selfloop": "selfloop",
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(v.hostDir, name)); err != nil {
			t.Fatal(err)
		}
	}
	// The LibOS root has its own /etc with its own passwd.
	if e := v.ns.Mkdir("/etc", 0o755); e != 0 {
		t.Fatal(e)
	}
	v.write(t, "/etc/passwd", "libos passwd")
	v.write(t, "/secret", "libos secret")

	// /host/evil/passwd is the LibOS /etc/passwd.
	if s, e := v.read("/host/evil/passwd"); e != 0 || s != "libos passwd" {
		t.Errorf("evil/passwd: %q %v", s, e)
	}
	// "up" climbs to the LibOS root, not the host's.
	if s, e := v.read("/host/up/secret"); e != 0 || s != "libos secret" {
		t.Errorf("up/secret: %q %v", s, e)
	}
	if s, e := v.read("/host/up/etc/passwd"); e != 0 || s != "libos passwd" {
		t.Errorf("up/etc/passwd: %q %v", s, e)
	}
	// "../secret" from /host is /secret of the LibOS.
	if s, e := v.read("/host/rel"); e != 0 || s != "libos secret" {
		t.Errorf("rel: %q %v", s, e)
	}
	// An absolute host path is a LibOS path, which does not exist.
	for _, p := range []string{"/host/abs", "/host/absdir/secret", "/host/deep"} {
		if s, e := v.read(p); e != errno.ENOENT {
			t.Errorf("%s: %q %v, want ENOENT", p, s, e)
		}
	}
	if _, e := v.read("/host/selfloop"); e != errno.ELOOP {
		t.Errorf("selfloop: %v", e)
	}
	// ".." chains above the mount stay in the LibOS.
	for _, p := range []string{"/host/../secret", "/host/../../../../secret", "/host/up/../../secret", "/host/evil/../secret"} {
		if s, e := v.read(p); e != 0 || s != "libos secret" {
			t.Errorf("%s: %q %v", p, s, e)
		}
	}
	d, e := v.ns.Resolve("/host/../..", true)
	if e != 0 || d.Path != "/" || d.Mount.FS == v.fs {
		t.Errorf("/host/../.. = %+v %v", d, e)
	}
	// Creating through links creates LibOS files (or fails), never host files.
	// (vfs does not create the target of a dangling link yet: ENOENT. Linux
	// would create /created-by-guest in the LibOS root. Either way no host
	// file appears: checked by checkOutside below.)
	if f, e := v.ns.Open("/host/relnew", vfs.O_WRONLY|vfs.O_CREAT, 0o644, nil); e == 0 {
		f.DecRef()
		if _, e := v.ns.Stat("/created-by-guest", true); e != 0 {
			t.Errorf("created-by-guest: %v", e)
		}
	} else if e != errno.ENOENT {
		t.Errorf("create via relnew: %v", e)
	}
	if _, e := v.ns.Open("/host/abs", vfs.O_WRONLY|vfs.O_CREAT|vfs.O_TRUNC, 0o644, nil); e != errno.ENOENT {
		t.Errorf("create via abs: %v", e)
	}
	if e := v.ns.Mkdir("/host/up/newdir", 0o755); e != 0 {
		t.Errorf("mkdir via up: %v", e)
	}
	if _, e := v.ns.Stat("/newdir", true); e != 0 {
		t.Errorf("newdir not in LibOS root: %v", e)
	}
	if e := v.ns.Unlink("/host/evil/passwd"); e != 0 {
		t.Errorf("unlink via evil: %v", e)
	}
	// Readlink shows the stored target verbatim.
	if s, e := v.ns.Readlink("/host/abs"); e != 0 || s != v.secret {
		t.Errorf("readlink abs: %q %v", s, e)
	}
	v.checkOutside(t)
	if _, err := os.Stat("/etc/passwd"); err != nil {
		t.Errorf("host /etc/passwd: %v", err)
	}
}

// TestEscapeByHostRace: the host moves a directory the LibOS already looked
// up and puts a symlink leading out in its place. The LibOS's inodes hold
// the directory itself, so every later operation on them acts on the moved
// directory, inside the mount; no operation follows the symlink, and a new
// lookup of the name reads the symlink as a LibOS path.
func TestEscapeByHostRace(t *testing.T) {
	for _, target := range []string{"..", "../..", "/", "/etc"} {
		t.Run(target, func(t *testing.T) {
			v := newEnv(t)
			if e := v.ns.Mkdir("/host/d", 0o755); e != 0 {
				t.Fatal(e)
			}
			v.write(t, "/host/d/f", "inside")
			dd, e := v.ns.Resolve("/host/d", true)
			if e != 0 {
				t.Fatal(e)
			}
			fd, e := v.ns.Resolve("/host/d/f", true)
			if e != 0 {
				t.Fatal(e)
			}
			hd := filepath.Join(v.hostDir, "d")
			moved := filepath.Join(v.hostDir, "moved")
			if err := os.Rename(hd, moved); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(target, hd); err != nil {
				t.Fatal(err)
			}
			in := dd.Inode
			for _, name := range []string{"secret", "passwd", "host"} {
				if c, e := in.Lookup(name); e != errno.ENOENT {
					t.Errorf("Lookup(%s) = %v, %v; want ENOENT (the moved directory has no %s)", name, c, e, name)
				}
			}
			if ents, e := in.ReadDir(); e != 0 || len(ents) != 1 || ents[0].Name != "f" {
				t.Errorf("ReadDir = %v, %v; want the moved directory's f", ents, e)
			}
			if _, e := in.Create("created", 0o644); e != 0 {
				t.Errorf("Create: %v", e)
			}
			if e := in.Mkdir("createdDir", 0o755); e != 0 {
				t.Errorf("Mkdir: %v", e)
			}
			if e := in.Symlink("link", "x"); e != 0 {
				t.Errorf("Symlink: %v", e)
			}
			if e := in.Unlink("secret"); e != errno.ENOENT {
				t.Errorf("Unlink: %v", e)
			}
			if e := in.SetAttr(vfs.SetAttr{Mask: vfs.SetMode, Mode: 0o700}); e != 0 {
				t.Errorf("chmod: %v", e)
			}
			for _, name := range []string{"created", "createdDir", "link"} {
				if _, err := os.Lstat(filepath.Join(moved, name)); err != nil {
					t.Errorf("%s not in the moved directory: %v", name, err)
				}
			}
			if fi, err := os.Stat(moved); err != nil || fi.Mode().Perm() != 0o700 {
				t.Errorf("chmod did not reach the moved directory: %v %v", fi.Mode(), err)
			}
			fi := fd.Inode
			if f, e := fi.Open(vfs.O_RDONLY); e != 0 {
				t.Errorf("Open of the file in the moved directory: %v", e)
			} else {
				f.Close()
			}
			if _, e := fi.Stat(); e != 0 {
				t.Errorf("Stat: %v", e)
			}
			// Within dentryTTL a lookup of d may still give the held
			// directory (now moved, inside the mount); after it, a fresh
			// lookup reads the host's symlink as a LibOS path.
			time.Sleep(dentryTTL + 10*time.Millisecond)
			if st, e := v.ns.Stat("/host/d", false); e != 0 || st.Type() != vfs.TypeSymlink {
				t.Errorf("lstat /host/d: %v %v", st, e)
			}
			if _, e := v.ns.Open("/host/d/secret", vfs.O_RDONLY, 0, nil); e == 0 {
				t.Error("/host/d/secret opened")
			}
			v.checkOutside(t)
			if b, _ := os.ReadFile(filepath.Join(moved, "f")); string(b) != "inside" {
				t.Errorf("moved/f = %q", b)
			}
		})
	}
}

func TestUntrustedHostData(t *testing.T) {
	for _, n := range []string{"", ".", "..", "a/b", "a\x00", strings.Repeat("x", 256)} {
		if checkName(n) {
			t.Errorf("checkName(%q) accepted", n)
		}
	}
	for _, s := range []string{"", "a\x00b", strings.Repeat("x", vfs.MaxPathLen)} {
		if checkTarget(s) {
			t.Errorf("checkTarget(len %d) accepted", len(s))
		}
	}
	if _, e := statFromSys(&unix.Stat_t{Mode: unix.S_IFREG, Size: -1}); e != errno.EIO {
		t.Errorf("negative size: %v", e)
	}
	if _, e := statFromSys(&unix.Stat_t{Mode: 0o170000}); e != errno.EIO {
		t.Errorf("bad type: %v", e)
	}
	// A symlink target longer than PATH_MAX cannot be made on Linux; an
	// inode whose Readlink would return one is covered by checkTarget.
	v := newEnv(t)
	if err := os.WriteFile(filepath.Join(v.hostDir, "f"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	in, e := v.fs.Root().Lookup("f")
	if e != 0 {
		t.Fatal(e)
	}
	// Host swaps the file for a directory: the inode is stale.
	os.Remove(filepath.Join(v.hostDir, "f"))
	os.Mkdir(filepath.Join(v.hostDir, "f"), 0o755)
	if _, e := in.Stat(); e != errno.ESTALE {
		t.Errorf("swapped type: %v", e)
	}
	if _, e := in.Open(vfs.O_RDONLY); e != errno.EISDIR && e != errno.ESTALE {
		t.Errorf("open swapped: %v", e)
	}
	// Host FIFO: opened neither blocking nor at all.
	if err := unix.Mkfifo(filepath.Join(v.hostDir, "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, e := v.ns.Open("/host/fifo", vfs.O_RDONLY, 0, nil); e != errno.ENXIO {
		t.Errorf("fifo open: %v", e)
	}
	if st, e := v.ns.Stat("/host/fifo", false); e != 0 || st.Type() != vfs.TypeFIFO {
		t.Errorf("fifo stat %+v %v", st, e)
	}
}

func TestLookupRejectsBadNames(t *testing.T) {
	v := newEnv(t)
	for _, n := range []string{"..", ".", "a/b", ""} {
		if _, e := v.fs.Root().Lookup(n); e != errno.EINVAL {
			t.Errorf("Lookup(%q) = %v", n, e)
		}
	}
	if _, err := New(v.secret, Options{}); err == nil {
		t.Error("New on a file succeeded")
	}
}
