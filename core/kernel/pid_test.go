package kernel

import (
	"math"
	"testing"
	"time"

	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/fs/ramfs"
)

type zeroClock struct{}

func (zeroClock) Now() time.Time   { return time.Unix(0, 0) }
func (zeroClock) Monotonic() int64 { return 1 }

// TestPIDWrap checks that pids wrap from MaxInt32 to the lowest free pid
// above 0, skipping live ones.
func TestPIDWrap(t *testing.T) {
	k := New(vfs.NewNamespace(ramfs.New(ramfs.Options{}), false, ""), zeroClock{}, nil, Limits{})
	one, _ := k.NewProcess(nil, nil, nil, "/", nil)
	two, _ := k.NewProcess(nil, nil, nil, "/", nil)
	if one.PID != 1 || two.PID != 2 {
		t.Fatalf("pids %d %d", one.PID, two.PID)
	}
	k.nextPID = math.MaxInt32
	last, _ := k.NewProcess(nil, nil, nil, "/", nil)
	if last.PID != math.MaxInt32 {
		t.Fatalf("pid %d, want MaxInt32", last.PID)
	}
	k.Reap(one)
	next, _ := k.NewProcess(nil, nil, nil, "/", nil)
	if next.PID != 1 {
		t.Errorf("pid after wrap %d, want 1", next.PID)
	}
	after, _ := k.NewProcess(nil, nil, nil, "/", nil)
	if after.PID != 3 {
		t.Errorf("pid after wrap %d, want 3 (2 is live)", after.PID)
	}
}
