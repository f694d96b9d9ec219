package pluginfs_test

import (
	"archive/tar"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/fs/fstest"
	"github.com/occlumgo/occlum/fs/pluginfs"
	"github.com/occlumgo/occlum/fs/ramfs"
	"github.com/occlumgo/occlum/plugins/sdk"
)

// TestConformanceInProcess: the adapter over an in-process FS (ramfs
// served by sdk.FromVFS), no process boundary.
func TestConformanceInProcess(t *testing.T) {
	fstest.Run(t, func(t *testing.T) vfs.FileSystem {
		return pluginfs.New(sdk.FromVFS(ramfs.New(ramfs.Options{}).Root(), "ramfs", false), nil)
	}, fstest.AllCaps)
}

var (
	buildOnce sync.Once
	built     map[string]string
	buildErr  error
)

// plugin builds the plugin programs once and returns the path of one.
func plugin(t *testing.T, name string) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "plugins")
		if err != nil {
			buildErr = err
			return
		}
		built = map[string]string{}
		for n, pkg := range map[string]string{
			"hostfs": "github.com/occlumgo/occlum/plugins/hostfs",
			"tarfs":  "github.com/occlumgo/occlum/plugins/tarfs",
			"liar":   "./testdata/liar",
		} {
			out := filepath.Join(dir, n)
			if o, err := exec.Command("go", "build", "-o", out, pkg).CombinedOutput(); err != nil {
				buildErr = err
				os.Stderr.Write(o)
				return
			}
			built[n] = out
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return built[name]
}

func start(t *testing.T, o sdk.Options) *sdk.Client {
	t.Helper()
	c, err := sdk.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Stop() })
	return c
}

// TestConformanceHostfsPlugin: hostfs through the plugin boundary.
func TestConformanceHostfsPlugin(t *testing.T) {
	bin := plugin(t, "hostfs")
	caps := fstest.AllCaps
	caps.Chown = false // host files keep their host owners
	fstest.Run(t, func(t *testing.T) vfs.FileSystem {
		c := start(t, sdk.Options{Path: bin, Args: []string{"-exec", "-suid", t.TempDir()}})
		return pluginfs.New(c, nil)
	}, caps)
}

// TestTarfsPlugin: the example plugin serves a tar archive of the
// suite's fixture, read-only.
func TestTarfsPlugin(t *testing.T) {
	bin := plugin(t, "tarfs")
	fx := fstest.DefaultFixture()
	src := t.TempDir()
	if err := fx.Populate(src); err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(t.TempDir(), "fx.tar")
	writeTar(t, src, archive)
	c := start(t, sdk.Options{Path: bin, Args: []string{archive}})
	caps := fstest.AllCaps
	caps.Chown, caps.Times = false, false
	fstest.RunReadOnly(t, pluginfs.New(c, nil), fx, caps)
}

// writeTar archives dir (as tar -C dir -cf out .).
func writeTar(t *testing.T, dir, out string) {
	t.Helper()
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	defer tw.Close()
	err = filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		link := ""
		if info.Mode()&os.ModeSymlink != 0 {
			link, _ = os.Readlink(p)
		}
		h, err := tar.FileInfoHeader(info, link)
		if err != nil {
			return err
		}
		h.Name = rel
		if info.IsDir() {
			h.Name += "/"
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if info.Mode().IsRegular() {
			r, err := os.Open(p)
			if err != nil {
				return err
			}
			defer r.Close()
			_, err = io.Copy(tw, r)
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
