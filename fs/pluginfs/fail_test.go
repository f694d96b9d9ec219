package pluginfs_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/fs/pluginfs"
	"github.com/occlumgo/occlum/plugins/sdk"
)

// TestCrashAndHang: a plugin that dies or stops answering gives EIO to
// the call in flight, is restarted, and the mount lives on.
func TestCrashAndHang(t *testing.T) {
	var logged []string
	c := start(t, sdk.Options{Path: plugin(t, "liar"), Timeout: 500 * time.Millisecond,
		Logf: func(f string, a ...any) { logged = append(logged, f) }})
	ns := vfs.NewNamespace(pluginfs.New(c, nil), true, "liar")
	if _, e := ns.Stat("/crash", false); e != errno.EIO {
		t.Errorf("a crash: %v", e)
	}
	if _, e := ns.Stat("/ok", false); e != 0 {
		t.Errorf("after the crash: %v", e)
	}
	began := time.Now()
	if _, e := ns.Stat("/hang", false); e != errno.EIO {
		t.Errorf("a hang: %v", e)
	}
	if d := time.Since(began); d > 5*time.Second {
		t.Errorf("a hang took %v to fail", d)
	}
	if _, e := ns.Stat("/ok", false); e != 0 {
		t.Errorf("after the hang: %v", e)
	}
	if g := c.Generation(); g != 3 {
		t.Errorf("generation %d after two restarts", g)
	}
	if len(logged) < 2 {
		t.Errorf("restarts not logged: %v", logged)
	}
}

// TestLies: replies that break the protocol are EIO, never passed on.
func TestLies(t *testing.T) {
	var logged []string
	c := start(t, sdk.Options{Path: plugin(t, "liar"), Logf: func(f string, a ...any) { logged = append(logged, f) }})
	ns := vfs.NewNamespace(pluginfs.New(c, nil), true, "liar")
	if _, e := ns.Stat("/neg", false); e != errno.EIO {
		t.Errorf("a negative size: %v", e)
	}
	if _, e := ns.Stat("/badtype", false); e != errno.EIO {
		t.Errorf("an unknown file type: %v", e)
	}
	f, e := ns.Open("/slash", vfs.O_RDONLY|vfs.O_DIRECTORY, 0, nil)
	if e != 0 {
		t.Fatal(e)
	}
	defer f.DecRef()
	if ents, e := f.ReadDir(0); e != errno.EIO {
		t.Errorf("a name with '/': %v, %v", ents, e)
	}
	if len(logged) != 3 {
		t.Errorf("%d log lines: %v", len(logged), logged)
	}
}

// TestKilledMidRead: a hostfs plugin killed with SIGKILL while a file is
// open: the next read is EIO, the mount works again at once.
func TestKilledMidRead(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "f"), []byte(strings.Repeat("x", 3<<20)), 0o644)
	c := start(t, sdk.Options{Path: plugin(t, "hostfs"), Args: []string{dir}})
	ns := vfs.NewNamespace(pluginfs.New(c, nil), false, "host")
	f, e := ns.Open("/f", vfs.O_RDONLY, 0, nil)
	if e != 0 {
		t.Fatal(e)
	}
	defer f.DecRef()
	buf := make([]byte, 1<<20)
	if n, e := f.Read(buf); n != len(buf) || e != 0 {
		t.Fatalf("first read: %d, %v", n, e)
	}
	syscall.Kill(c.Pid(), syscall.SIGKILL)
	time.Sleep(100 * time.Millisecond)
	if _, e := f.Read(buf); e != errno.EIO {
		t.Errorf("read after the kill: %v", e)
	}
	if _, e := f.Read(buf); e != errno.EIO {
		t.Errorf("a description from before the restart: %v", e)
	}
	g, e := ns.Open("/f", vfs.O_RDONLY, 0, nil)
	if e != 0 {
		t.Fatalf("open after the restart: %v", e)
	}
	defer g.DecRef()
	if n, e := g.Read(buf); n != len(buf) || e != 0 {
		t.Errorf("read after the restart: %d, %v", n, e)
	}
}

// TestBadPlugins: each is a clear error naming the plugin.
func TestBadPlugins(t *testing.T) {
	liar := plugin(t, "liar")
	notExec := filepath.Join(t.TempDir(), "plain")
	os.WriteFile(notExec, []byte("#!/bin/sh\n"), 0o644)
	cases := []struct {
		name, path, env, sum, want string
	}{
		{"missing", "/no/such/plugin", "", "", "no such file"},
		{"not executable", notExec, "", "", "permission denied"},
		{"exits at once", liar, "exit", "", "did not start"},
		{"another version", liar, "version", "", "version"},
		{"swapped", liar, "", strings.Repeat("ab", 32), "the measured one is abab"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("LIAR", tc.env)
			c, err := sdk.Start(sdk.Options{Path: tc.path, SHA256: tc.sum, Timeout: 5 * time.Second})
			if err == nil {
				c.Stop()
				t.Fatal("started")
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.path) {
				t.Errorf("error %q: want it to name %s and say %q", err, tc.path, tc.want)
			}
		})
	}
}
