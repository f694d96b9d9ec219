package hostfs

import (
	"testing"

	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/fs/fstest"
)

func newTestFS(t *testing.T) vfs.FileSystem {
	// Exec and SetID: the suite checks that every permission bit is kept.
	// The default masking is tested in hostfs_test.go.
	fsys, err := New(t.TempDir(), Options{Exec: true, SetID: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fsys.Close() })
	return fsys
}

// TestConformance runs the shared suite. A host directory (ext4, tmpfs, ...)
// has every capability: hostfs passes modes, times, link counts and
// unlinked-but-open files through from the host.
func TestConformance(t *testing.T) {
	fstest.Run(t, newTestFS, fstest.AllCaps)
}

// TestConformanceNoRWFAppend runs the suite as on a host kernel without
// pwritev2(RWF_APPEND), where appends take the serialized fallback.
func TestConformanceNoRWFAppend(t *testing.T) {
	fstest.Run(t, func(t *testing.T) vfs.FileSystem {
		fsys := newTestFS(t).(*FileSystem)
		fsys.noRWFAppend.Store(true)
		return fsys
	}, fstest.AllCaps)
}
