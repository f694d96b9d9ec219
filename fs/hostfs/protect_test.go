package hostfs

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
)

// A hostfs mounted on an Occlum instance directory (as the default
// Occlum.json did): the guest must not reach what the host later executes
// or trusts, whatever name, link or rename it tries. The review's escape
// read the developer key, wrote the signature and the config, and renamed
// its own file over the LibOS binary.
func TestProtectedPaths(t *testing.T) {
	inst := t.TempDir()
	for _, d := range []string{"build/bin", ".occlum", "image/bin", "keys"} {
		if err := os.MkdirAll(filepath.Join(inst, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string]string{
		"build/bin/occlum-libos": "ELF", "build/sigstruct.json": "{}", "Occlum.json": "{}",
		".occlum/dev_sign_key.pem": "KEY", "keys/release.pem": "RELEASE", "notes.txt": "free",
	}
	for n, c := range files {
		if err := os.WriteFile(filepath.Join(inst, n), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A hard link made on the host to a protected file is the same file.
	if err := os.Link(filepath.Join(inst, "Occlum.json"), filepath.Join(inst, "alias.json")); err != nil {
		t.Fatal(err)
	}
	var reports []string
	v := newEnvOn(t, inst, Options{
		Protected: []string{
			filepath.Join(inst, "build"), filepath.Join(inst, "Occlum.json"), filepath.Join(inst, ".occlum"),
			filepath.Join(inst, "keys/release.pem"), filepath.Join(inst, "does-not-exist"),
		},
		Report: func(err error) { reports = append(reports, err.Error()) },
	})
	denied := func(what string, e errno.Errno) {
		t.Helper()
		if e != errno.EACCES {
			t.Errorf("%s: %v, want EACCES", what, e)
		}
	}
	for _, p := range []string{"/host/build", "/host/build/bin/occlum-libos", "/host/build/sigstruct.json",
		"/host/Occlum.json", "/host/alias.json", "/host/.occlum/dev_sign_key.pem", "/host/keys/release.pem"} {
		_, e := v.ns.Open(p, vfs.O_RDONLY, 0, nil)
		denied("open "+p, e)
		_, e = v.ns.Open(p, vfs.O_WRONLY|vfs.O_CREAT|vfs.O_TRUNC, 0o755, nil)
		denied("create "+p, e)
		_, e = v.ns.Stat(p, false)
		denied("stat "+p, e)
	}
	denied("unlink", v.ns.Unlink("/host/Occlum.json"))
	denied("rmdir", v.ns.Rmdir("/host/.occlum"))
	denied("rename from", v.ns.Rename("/host/build", "/host/mine"))
	v.write(t, "/host/evil", "guest code")
	denied("rename over the config", v.ns.Rename("/host/evil", "/host/Occlum.json"))
	denied("rename over a protected directory", v.ns.Rename("/host/evil", "/host/.occlum"))
	denied("link", v.ns.Link("/host/alias.json", "/host/copy.json", false))
	// keys/ holds a protected file: it can be listed and used, not removed
	// or renamed (which would let a guest plant a replacement).
	denied("rename a directory holding a protected file", v.ns.Rename("/host/keys", "/host/oldkeys"))
	v.write(t, "/host/keys/other", "fine")
	if e := v.ns.Mkdir("/host/empty", 0o755); e != 0 {
		t.Fatal(e)
	}
	denied("replace a guarded directory", v.ns.Rename("/host/empty", "/host/keys"))
	// What is not protected works as before.
	if s, e := v.read("/host/notes.txt"); e != 0 || s != "free" {
		t.Errorf("notes.txt: %q %v", s, e)
	}
	for n, c := range files {
		if b, err := os.ReadFile(filepath.Join(inst, n)); err != nil || string(b) != c {
			t.Errorf("%s changed: %q %v", n, b, err)
		}
	}
	if len(reports) == 0 || !strings.Contains(reports[0], "which the host trusts") {
		t.Errorf("refusals not reported: %q", reports)
	}
}

// A mount whose source is, or lies inside, a protected directory is
// refused.
func TestMountOfProtectedDirectoryRefused(t *testing.T) {
	inst := t.TempDir()
	build := filepath.Join(inst, "build")
	if err := os.MkdirAll(filepath.Join(build, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, src := range []string{build, filepath.Join(build, "bin")} {
		_, err := New(src, Options{Protected: []string{build}})
		if err == nil || !strings.Contains(err.Error(), "which the host trusts") {
			t.Errorf("New(%s): %v", src, err)
		}
	}
	// Through a symlink too.
	link := filepath.Join(t.TempDir(), "b")
	if err := os.Symlink(build, link); err != nil {
		t.Fatal(err)
	}
	if _, err := New(link, Options{Protected: []string{build}}); err == nil {
		t.Error("a protected directory mounted through a symlink")
	}
}

// Guests cannot create set-user-ID, set-group-ID or executable files on
// the host (a posix_spawn open action with mode 0755 made executables), nor
// chmod files to be, unless the mount allows it; directories keep their
// search bits.
func TestModesMasked(t *testing.T) {
	v := newEnvWith(t, Options{})
	perm := func(name string) os.FileMode {
		t.Helper()
		fi, err := os.Lstat(filepath.Join(v.hostDir, name))
		if err != nil {
			t.Fatal(err)
		}
		return fi.Mode() & (os.ModePerm | os.ModeSetuid | os.ModeSetgid | os.ModeSticky)
	}
	f, e := v.ns.Open("/host/prog", vfs.O_WRONLY|vfs.O_CREAT, 0o6755, nil)
	if e != 0 {
		t.Fatal(e)
	}
	if p := perm("prog"); p != 0o644 {
		t.Errorf("created 06755: host mode %v", p)
	}
	if e := f.SetAttr(vfs.SetAttr{Mask: vfs.SetMode, Mode: 0o4777}); e != 0 {
		t.Fatal(e)
	}
	f.DecRef()
	if p := perm("prog"); p != 0o666 {
		t.Errorf("fchmod 04777: host mode %v", p)
	}
	if e := v.ns.SetAttr("/host/prog", true, vfs.SetAttr{Mask: vfs.SetMode, Mode: 0o2755}); e != 0 {
		t.Fatal(e)
	}
	if p := perm("prog"); p != 0o644 {
		t.Errorf("chmod 02755: host mode %v", p)
	}
	if e := v.ns.Mkdir("/host/d", 0o3775); e != 0 {
		t.Fatal(e)
	}
	if p := perm("d"); p != os.ModeSticky|0o775 {
		t.Errorf("mkdir 03775: host mode %v", p)
	}
	// The guest sees what the host has.
	if st, e := v.ns.Stat("/host/prog", true); e != 0 || st.Perm() != 0o644 {
		t.Errorf("stat: %o %v", st.Perm(), e)
	}
	// With the options, the bits are kept.
	w := newEnvWith(t, Options{Exec: true, SetID: true})
	if f, e := w.ns.Open("/host/prog", vfs.O_WRONLY|vfs.O_CREAT, 0o4755, nil); e != 0 {
		t.Fatal(e)
	} else {
		f.DecRef()
	}
	if fi, err := os.Lstat(filepath.Join(w.hostDir, "prog")); err != nil || fi.Mode()&(os.ModePerm|os.ModeSetuid) != os.ModeSetuid|0o755 {
		t.Errorf("with exec and setid: %v %v", fi.Mode(), err)
	}
}

// Looking up a name costs the same few host calls at any depth: an inode
// holds its directory's handle, instead of each call walking from the
// mount's root (the review measured mkdir+chdir at depth 175-200 120 times
// slower than at depth 0-25).
func TestLookupCostIndependentOfDepth(t *testing.T) {
	v := newEnv(t)
	d, e := v.ns.Resolve("/host", true)
	if e != 0 {
		t.Fatal(e)
	}
	in := d.Inode
	cost := map[int]int64{}
	for depth := 1; depth <= 200; depth++ {
		if e := in.Mkdir("d", 0o755); e != 0 {
			t.Fatalf("depth %d: %v", depth, e)
		}
		before := hostCalls.Load()
		c, e := in.Lookup("d")
		if e != 0 {
			t.Fatal(e)
		}
		if _, e := c.Stat(); e != 0 {
			t.Fatal(e)
		}
		cost[depth] = hostCalls.Load() - before
		in = c
	}
	if cost[200] > cost[1] || cost[200] > 2 {
		t.Fatalf("lookup+stat: %d host calls at depth 1, %d at depth 200", cost[1], cost[200])
	}
	// And through the namespace, a path of depth 200 resolves with one
	// host call per component.
	p := "/host" + strings.Repeat("/d", 200)
	before := hostCalls.Load()
	if _, e := v.ns.Stat(p, true); e != 0 {
		t.Fatal(e)
	}
	if n := hostCalls.Load() - before; n > 201 {
		t.Fatalf("resolving 200 components took %d host calls", n)
	}
	// Resolved again at once, from the lookup cache: no host call at all.
	before = hostCalls.Load()
	if _, e := v.ns.Stat(p, true); e != 0 {
		t.Fatal(e)
	}
	if n := hostCalls.Load() - before; n > 1 {
		t.Fatalf("resolving 200 cached components took %d host calls", n)
	}
	if _, err := os.Stat(filepath.Join(v.hostDir, strings.Repeat("d/", 200))); errors.Is(err, os.ErrNotExist) {
		t.Fatal("the tree is not on the host")
	}
}

// Protected paths are refused by name too: one that does not exist yet
// cannot be created by a guest (a planted ~/.config/occlum would take the
// next developer key), and one the host replaces with a new file (an
// editor saving Occlum.json by rename) stays protected. The directories
// holding them cannot be chmod-ed or touched.
func TestProtectedByName(t *testing.T) {
	top := t.TempDir()
	cfg := filepath.Join(top, "Occlum.json")
	if err := os.WriteFile(cfg, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(top, "occlum-user")
	v := newEnvOn(t, top, Options{Protected: []string{cfg, missing}})
	for _, op := range []struct {
		what string
		e    errno.Errno
	}{
		{"mkdir", v.ns.Mkdir("/host/occlum-user", 0o700)},
		{"symlink", v.ns.Symlink("/host/x", "/host/occlum-user")},
	} {
		if op.e != errno.EACCES {
			t.Errorf("%s of a protected name that does not exist: %v", op.what, op.e)
		}
	}
	if _, e := v.ns.Open("/host/occlum-user", vfs.O_WRONLY|vfs.O_CREAT, 0o600, nil); e != errno.EACCES {
		t.Errorf("create of a protected name: %v", e)
	}
	v.write(t, "/host/mine", "x")
	if e := v.ns.Rename("/host/mine", "/host/occlum-user"); e != errno.EACCES {
		t.Errorf("rename onto a protected name: %v", e)
	}
	// The host replaces the config by rename: a new inode, same name.
	tmp := filepath.Join(top, ".Occlum.json.swp")
	if err := os.WriteFile(tmp, []byte(`{"new": 1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, cfg); err != nil {
		t.Fatal(err)
	}
	if _, e := v.ns.Open("/host/Occlum.json", vfs.O_WRONLY|vfs.O_TRUNC, 0, nil); e != errno.EACCES {
		t.Errorf("open of the replaced config: %v", e)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("the protected name was created")
	}
	// The mount's root holds protected paths: its mode and times stay.
	if e := v.ns.SetAttr("/host", true, vfs.SetAttr{Mask: vfs.SetMode, Mode: 0o777}); e != errno.EACCES {
		t.Errorf("chmod of a guarded directory: %v", e)
	}
	if e := v.ns.SetAttr("/host", true, vfs.SetAttr{Mask: vfs.SetMtimeNow}); e != errno.EACCES {
		t.Errorf("touch of a guarded directory: %v", e)
	}
	d, e := v.ns.Open("/host", vfs.O_RDONLY|vfs.O_DIRECTORY, 0, nil)
	if e != 0 {
		t.Fatal(e)
	}
	defer d.DecRef()
	if e := d.SetAttr(vfs.SetAttr{Mask: vfs.SetMode, Mode: 0o777}); e != errno.EACCES {
		t.Errorf("fchmod of a guarded directory: %v", e)
	}
	if fi, _ := os.Stat(top); fi.Mode().Perm() == 0o777 {
		t.Error("the guarded directory's mode changed")
	}
}
