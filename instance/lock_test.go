package instance

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLocks: runs share the instance lock, a mount holds it alone; each
// refusal says who holds it; a released lock (or its holder's exit: the
// kernel releases an flock with its file) lets the other side in.
func TestLocks(t *testing.T) {
	dir := t.TempDir()
	r1, err := LockForRun(dir)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := LockForRun(dir)
	if err != nil {
		t.Fatalf("a second run: %v", err)
	}
	_, err = LockForMount(dir, "occlum mount (pid 1) on /mnt")
	if !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), "the instance is running") {
		t.Errorf("mount while running: %v", err)
	}
	r1.Release()
	if _, err := LockForMount(dir, "x"); !errors.Is(err, ErrInUse) {
		t.Errorf("mount while one run is left: %v", err)
	}
	r2.Release()

	m, err := LockForMount(dir, "occlum mount (pid 42) on /mnt")
	if err != nil {
		t.Fatal(err)
	}
	_, err = LockForRun(dir)
	var ie *Error
	if !errors.As(err, &ie) || !errors.Is(err, ErrInUse) || !strings.Contains(ie.Msg, "the instance is mounted (occlum mount (pid 42) on /mnt since ") || !strings.Contains(ie.Hint, "unmount it first") {
		t.Errorf("run while mounted: %#v", err)
	}
	_, err = LockForMount(dir, "another")
	if !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), "already mounted (occlum mount (pid 42)") {
		t.Errorf("second mount: %v", err)
	}
	m.Release()
	if b, _ := os.ReadFile(filepath.Join(dir, LockFile)); len(b) != 0 {
		t.Errorf("lock file after release: %q", b)
	}
	r, err := LockForRun(dir)
	if err != nil {
		t.Fatalf("run after the mount: %v", err)
	}
	r.Release()

	// A mount that died without releasing leaves its record; the next
	// run clears it, so a mount refused by that run says "running".
	os.WriteFile(filepath.Join(dir, LockFile), []byte("occlum mount (pid 7) on /gone\n"), 0o600)
	r, err = LockForRun(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Release()
	if _, err := LockForMount(dir, "x"); err == nil || !strings.Contains(err.Error(), "running") {
		t.Errorf("mount while running, after a stale record: %v", err)
	}
}
