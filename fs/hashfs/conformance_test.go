package hashfs

import (
	"testing"

	"github.com/occlumgo/occlum/fs/fstest"
)

// TestConformance runs the shared read-only suite over an image holding the
// default fixture, served from a manifest that went through its canonical
// encoding.
func TestConformance(t *testing.T) {
	dir := t.TempDir()
	fx := fstest.DefaultFixture()
	if err := fx.Populate(dir); err != nil {
		t.Fatal(err)
	}
	built, err := BuildManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseManifest(built.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	fsys, err := New(dir, m)
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()
	fstest.RunReadOnly(t, fsys, fx, fstest.Caps{Symlinks: true, Nlink: true, Chmod: true})
	if err := m.Verify(dir); err != nil {
		t.Errorf("Verify after the suite: %v", err)
	}
}
