package libos

import (
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
