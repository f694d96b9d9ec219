package libos

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/occlumgo/occlum/config"
	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
)

// A ramfs without a configured size (the default /tmp and /dev/shm) is
// bounded by user_space_size: a guest writing to /tmp grew the LibOS's
// heap without bound, to a fatal out-of-memory.
func TestRamfsBoundedByUserSpace(t *testing.T) {
	fs, err := MountTypes()["ramfs"](config.Mount{Target: "/tmp", Type: "ramfs"}, MountEnv{MemorySize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	ns := vfs.NewNamespace(fs, false, "ramfs")
	f, e := ns.Open("/big", vfs.O_WRONLY|vfs.O_CREAT, 0o644, nil)
	if e != 0 {
		t.Fatal(e)
	}
	defer f.DecRef()
	chunk := make([]byte, 64<<10)
	total := 0
	for i := 0; i < 64; i++ {
		n, e := f.Write(chunk)
		total += n
		if e != 0 {
			if e != errno.ENOSPC {
				t.Fatalf("write: %v", e)
			}
			break
		}
	}
	if total > 1<<20 {
		t.Fatalf("wrote %d bytes to a ramfs bounded at 1 MiB", total)
	}
}

// sealKey is a fixed platform key for the tests below.
func sealKey(label string) ([]byte, error) {
	k := make([]byte, 32)
	copy(k, label)
	return k, nil
}

// A sefs mount of its own (a data volume) outlives an upgrade of the
// image; the container layer of a unionfs root over the image does not.
// Both were once bound to the image, and an upgraded image refused the
// user's data volume.
func TestDataVolumeOutlivesImage(t *testing.T) {
	dir := t.TempDir()
	data := config.Mount{Target: "/data", Type: "sefs", Source: "./data"}
	layer := config.Mount{Target: "/", Type: "sefs", Source: "./layer"}
	union := config.Mount{Target: "/", Type: "unionfs", Options: config.MountOptions{Layers: []config.Mount{layer}}}
	mount := func(m config.Mount, root byte) error {
		env := MountEnv{InstanceDir: dir, ImageRoot: &[32]byte{root}, SealKey: sealKey}
		ns, cleanup, err := buildNamespace([]config.Mount{m}, MountTypes(), env)
		if err == nil {
			ns.Mkdir("/x", 0o755)
			cleanup()
		}
		return err
	}
	for _, m := range []config.Mount{data, union} {
		m.Target = "/"
		if err := mount(m, 1); err != nil {
			t.Fatalf("%s: first mount: %v", m.Type, err)
		}
	}
	d := data
	d.Target = "/"
	if err := mount(d, 2); err != nil {
		t.Errorf("a data volume under another image: %v", err)
	}
	if err := mount(union, 2); err == nil {
		t.Error("a unionfs container layer mounted over another image")
	}
}

// A mount whose mount point is missing makes nothing on the host: a new
// sefs layer was once created before the mount failed.
func TestMissingMountPointMakesNothing(t *testing.T) {
	dir := t.TempDir()
	env := MountEnv{InstanceDir: dir, SealKey: sealKey}
	_, _, err := buildNamespace([]config.Mount{
		{Target: "/", Type: "ramfs"},
		{Target: "/data", Type: "sefs", Source: "./data"},
	}, MountTypes(), env)
	if err == nil {
		t.Fatal("mounted on a missing mount point")
	}
	if _, e := os.Stat(filepath.Join(dir, "data")); e == nil {
		t.Errorf("a failed mount made its sefs layer: %v", err)
	}
}
