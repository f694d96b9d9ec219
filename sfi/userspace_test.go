package sfi_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/occlumgo/occlum/internal/wasmbuild"
	"github.com/occlumgo/occlum/sfi"
)

// The loader enforces UserSpaceSize over all instances: a program's
// initial memory is reserved before it starts (refused with a MemoryError
// naming user_space_size when it does not fit), memory.grow fails past the
// total, and closing an instance, a failed instantiation or a released
// reservation gives the memory back.
func TestUserSpaceSize(t *testing.T) {
	ctx := context.Background()
	const page = sfi.PageSize
	l := newLoader(t, sfi.Options{MemoryLimit: 64 * page, UserSpaceSize: 10 * page})
	prog, err := l.Load(ctx, "/bin/four", wasmbuild.Module{MemoryPages: 4}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	a, err := l.Instantiate(ctx, "/bin/four", prog)
	if err != nil {
		t.Fatal(err)
	}
	r, err := l.Reserve("/bin/four", prog)
	if err != nil {
		t.Fatal(err)
	}
	if got := l.MemoryUsed(); got != 8*page {
		t.Fatalf("MemoryUsed = %d pages, want 8", got/page)
	}
	// A third does not fit: refused before anything starts.
	_, err = l.Reserve("/bin/four", prog)
	var me *sfi.MemoryError
	if !errors.As(err, &me) || !errors.Is(err, sfi.ErrNoMemory) || me.Need != 4*page || me.Limit != 10*page {
		t.Fatalf("third Reserve: %v", err)
	}
	for _, s := range []string{"/bin/four", "resource_limits.user_space_size", "Occlum.json"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not name %s", err, s)
		}
	}
	if _, err := l.Instantiate(ctx, "/bin/four", prog); !errors.Is(err, sfi.ErrNoMemory) {
		t.Fatalf("Instantiate with no room: %v", err)
	}
	b, err := r.Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := l.MemoryUsed(); got != 8*page {
		t.Fatalf("instantiating a reservation charged again: %d pages", got/page)
	}
	if _, err := r.Instantiate(ctx); err == nil {
		t.Fatal("a reservation was used twice")
	}
	// memory.grow (wazero's Grow is what the instruction runs).
	if _, ok := a.Memory().Grow(3); ok {
		t.Fatal("grew past the user space limit")
	}
	if _, ok := a.Memory().Grow(2); !ok {
		t.Fatal("grow to the limit failed")
	}
	if got := l.MemoryUsed(); got != 10*page {
		t.Fatalf("MemoryUsed = %d pages, want 10", got/page)
	}
	if _, ok := b.Memory().Grow(1); ok {
		t.Fatal("grew past the user space limit")
	}
	if err := a.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if got := l.MemoryUsed(); got != 4*page {
		t.Fatalf("after Close: MemoryUsed = %d pages, want 4", got/page)
	}
	if _, ok := b.Memory().Grow(6); !ok {
		t.Fatal("memory freed by Close not available")
	}
	b.Close(ctx)

	// An instantiation that fails after its memory was made (a data
	// segment beyond it) keeps nothing; neither does a released reservation.
	bad, err := l.Load(ctx, "/bin/bad", wasmbuild.Module{MemoryPages: 2, Data: map[uint32][]byte{3 * page: {1}}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Instantiate(ctx, "/bin/bad", bad); err == nil {
		t.Fatal("a data segment beyond memory instantiated")
	}
	r, err = l.Reserve("/bin/four", prog)
	if err != nil {
		t.Fatal(err)
	}
	r.Release()
	r.Release()
	if got := l.MemoryUsed(); got != 0 {
		t.Fatalf("MemoryUsed = %d after everything was closed, want 0", got)
	}
}
