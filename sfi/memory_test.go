package sfi

import (
	"bytes"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

// A recycled memory is all zero: no process sees another's data.
func TestMemoryPoolZeroes(t *testing.T) {
	p := newMemoryPool(1<<30, 0)
	m := p.Allocate(0, 1<<24)
	b := m.Reallocate(3 << 16)
	for i := range b {
		b[i] = 0xAA
	}
	b = m.Reallocate(5 << 16) // grows into a new, larger buffer
	if !bytes.Equal(b[3<<16:], make([]byte, 2<<16)) {
		t.Fatal("grown part not zero")
	}
	for i := range b {
		b[i] = 0xBB
	}
	m.Free()
	for i := 0; i < 4; i++ {
		m2 := p.Allocate(0, 1<<24)
		b2 := m2.Reallocate(uint64(i+1) << 17)
		if !bytes.Equal(b2[:cap(b2)], make([]byte, cap(b2))) {
			t.Fatalf("round %d: a recycled memory holds old data", i)
		}
		for j := range b2 {
			b2[j] = 0xCC
		}
		m2.Free()
	}
	if m.Reallocate(1<<24+1) != nil {
		t.Fatal("grew beyond max")
	}
}

// The pool keeps no more than its limit.
func TestMemoryPoolLimit(t *testing.T) {
	p := newMemoryPool(1<<20, 0)
	var ms []*pooledMemory
	for i := 0; i < 8; i++ {
		m := p.Allocate(0, 1<<24).(*pooledMemory)
		m.Reallocate(1 << 18)
		ms = append(ms, m)
	}
	for _, m := range ms {
		m.Free()
	}
	if p.bytes > p.limit {
		t.Fatalf("pool holds %d bytes, limit %d", p.bytes, p.limit)
	}
}

const page = 1 << 16

// Linear memory counts against the user space limit by its length, over
// every memory of the pool: growing past the total fails (and leaves the
// memory as it was), freeing gives the bytes back, once.
func TestUserSpaceLimit(t *testing.T) {
	p := newMemoryPool(1<<30, 16*page)
	a := p.Allocate(0, 1<<30)
	b := p.Allocate(0, 1<<30)
	if a.Reallocate(6*page) == nil || b.Reallocate(8*page) == nil {
		t.Fatal("allocations within the limit failed")
	}
	if got := p.used(); got != 14*page {
		t.Fatalf("used = %d pages, want 14", got/page)
	}
	buf := b.Reallocate(8 * page)
	buf[0] = 7
	if b.Reallocate(11*page) != nil {
		t.Fatal("grew past the user space limit")
	}
	if got := p.used(); got != 14*page {
		t.Fatalf("a refused grow changed used to %d pages", got/page)
	}
	if got := b.Reallocate(8 * page); len(got) != 8*page || got[0] != 7 {
		t.Fatal("a refused grow changed the memory")
	}
	if b.Reallocate(10*page) == nil {
		t.Fatal("grow up to exactly the limit failed")
	}
	if p.used() != 16*page {
		t.Fatalf("used = %d pages, want 16", p.used()/page)
	}
	// A new memory cannot even get its first page.
	c := p.Allocate(0, 1<<30)
	if c.Reallocate(page) != nil {
		t.Fatal("a third memory got memory beyond the limit")
	}
	c.Free()
	a.Free()
	if p.used() != 10*page {
		t.Fatalf("after Free: used = %d pages, want 10", p.used()/page)
	}
	a.Free() // a second Free gives nothing back twice
	if p.used() != 10*page {
		t.Fatalf("after a second Free: used = %d pages, want 10", p.used()/page)
	}
	if got := c.Reallocate(6 * page); got == nil || !bytes.Equal(got, make([]byte, 6*page)) {
		t.Fatal("freed memory was not available again, or not zero")
	}
	b.Free()
	c.Free()
	if p.used() != 0 {
		t.Fatalf("everything freed: used = %d", p.used())
	}
	// Cached buffers are not charged: the pool keeps some, and all of the
	// limit is still there for processes.
	if p.bytes == 0 {
		t.Fatal("nothing cached (the test assumes a cache)")
	}
	d := p.Allocate(0, 1<<30)
	if d.Reallocate(16*page) == nil {
		t.Fatal("cached buffers were charged to the user space")
	}
	d.Free()
}

// Without a user space limit only the per-memory maximum applies.
func TestUserSpaceUnlimited(t *testing.T) {
	p := newMemoryPool(0, 0)
	m := p.Allocate(0, 64*page)
	if m.Reallocate(64*page) == nil || m.Reallocate(65*page) != nil {
		t.Fatal("per-memory maximum not applied")
	}
	if p.used() != 64*page {
		t.Fatalf("used = %d pages", p.used()/page)
	}
	m.Free()
	if p.used() != 0 {
		t.Fatal("not released")
	}
}

// The pool caches at most a quarter of the user space limit.
func TestCacheLimit(t *testing.T) {
	for _, tc := range []struct {
		space uint64
		want  int
	}{{0, memoryPoolBytes}, {256 << 20, 64 << 20}, {4 << 30, memoryPoolBytes}, {1 << 20, 256 << 10}} {
		if got := cacheLimit(tc.space); got != tc.want {
			t.Errorf("cacheLimit(%d) = %d, want %d", tc.space, got, tc.want)
		}
	}
}

// Many memories growing, shrinking to nothing and growing again at once
// (run with -race): the total never passes the limit, every page of it is
// handed out when all grow until refused, and it all comes back.
func TestUserSpaceConcurrent(t *testing.T) {
	const (
		limit   = 32 * page
		workers = 8
		rounds  = 20
	)
	p := newMemoryPool(1<<30, limit)
	var (
		wg       sync.WaitGroup
		over     atomic.Bool
		stop     = make(chan struct{})
		held     [workers]uint64
		watching sync.WaitGroup
	)
	watching.Add(1)
	go func() { // watches the total while the workers run
		defer watching.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if p.used() > limit {
				over.Store(true)
			}
			runtime.Gosched()
		}
	}()
	start := make(chan struct{})
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for r := range rounds {
				m := p.Allocate(0, 2*limit).(*pooledMemory) // a per-memory maximum beyond the total
				n := uint64(0)
				for m.Reallocate((n+1)*page) != nil {
					n++
					m.buf[len(m.buf)-1] = byte(r) // touch the new page
				}
				if r == rounds-1 {
					held[w] = n * page // the last round keeps its memory
					continue
				}
				m.Free()
			}
		}()
	}
	close(start)
	wg.Wait()
	close(stop)
	watching.Wait()
	if over.Load() {
		t.Error("the total passed the limit")
	}
	var sum uint64
	for _, h := range held {
		sum += h
	}
	if sum != limit || p.used() != limit {
		t.Errorf("memories hold %d pages, the account %d; want the whole limit, %d", sum/page, p.used()/page, limit/page)
	}
}
