package socket

import "sync/atomic"

// Budget bounds the memory the LibOS's in-LibOS socket buffers hold
// together (Occlum.json's kernel_space_heap_size), so that guests cannot
// make the LibOS allocate without limit by filling buffers nobody reads.
// A Conn's ring may always grow to minRing bytes; growth beyond that is
// charged here and refused (the sender waits for the reader) when the
// budget is spent. The zero value and nil are unlimited.
type Budget struct {
	limit int64
	used  atomic.Int64
}

// NewBudget returns a budget of limit bytes (0: unlimited).
func NewBudget(limit int64) *Budget { return &Budget{limit: limit} }

// take charges n bytes; it reports false (and charges nothing) when they
// would pass the limit.
func (b *Budget) take(n int64) bool {
	if b == nil || b.limit <= 0 {
		return true
	}
	for {
		u := b.used.Load()
		if u+n > b.limit {
			return false
		}
		if b.used.CompareAndSwap(u, u+n) {
			return true
		}
	}
}

// give returns n bytes.
func (b *Budget) give(n int64) {
	if b != nil && b.limit > 0 {
		b.used.Add(-n)
	}
}

// Used returns the bytes charged now.
func (b *Budget) Used() int64 {
	if b == nil {
		return 0
	}
	return b.used.Load()
}
