package hostfs

import (
	"testing"

	"github.com/occlumgo/occlum/core/errno"
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

// hostCaps: a host directory (ext4, tmpfs, ...) has every capability but
// Chown: hostfs passes modes, times, link counts and unlinked-but-open
// files through from the host, and refuses owner changes (EPERM: host
// files keep their host owners; TestChownRefused).
var hostCaps = func() fstest.Caps { c := fstest.AllCaps; c.Chown = false; return c }()

// TestConformance runs the shared suite.
func TestConformance(t *testing.T) {
	fstest.Run(t, newTestFS, hostCaps)
}

// TestChownRefused: a guest cannot change the owner of a host file, by
// path or through an open file; nothing changes.
func TestChownRefused(t *testing.T) {
	fsys := newTestFS(t)
	ns := vfs.NewNamespace(fsys, false, "host")
	f, e := ns.Open("/f", vfs.O_CREAT|vfs.O_RDWR, 0o644, nil)
	if e != 0 {
		t.Fatal(e)
	}
	defer f.DecRef()
	before, _ := ns.Stat("/f", false)
	if e := ns.SetAttr("/f", true, vfs.SetAttr{Mask: vfs.SetUid | vfs.SetGid, Uid: 1234, Gid: 1234}); e != errno.EPERM {
		t.Errorf("chown: %v, want EPERM", e)
	}
	if e := f.SetAttr(vfs.SetAttr{Mask: vfs.SetGid, Gid: 1234}); e != errno.EPERM {
		t.Errorf("fchown: %v, want EPERM", e)
	}
	if after, _ := ns.Stat("/f", false); after.Uid != before.Uid || after.Gid != before.Gid || after.Mode != before.Mode {
		t.Errorf("stat %+v after refused chowns, was %+v", after, before)
	}
}

// TestConformanceNoRWFAppend runs the suite as on a host kernel without
// pwritev2(RWF_APPEND), where appends take the serialized fallback.
func TestConformanceNoRWFAppend(t *testing.T) {
	fstest.Run(t, func(t *testing.T) vfs.FileSystem {
		fsys := newTestFS(t).(*FileSystem)
		fsys.noRWFAppend.Store(true)
		return fsys
	}, hostCaps)
}
