package sfi

import (
	"math/bits"
	"sync"

	"github.com/tetratelabs/wazero/experimental"
)

// memoryPool recycles the linear memories of exited processes, so that a
// spawn does not allocate (and the garbage collector then scan and the
// scavenger return) a fresh megabyte or more: measured as the largest cost
// of spawn+exit+wait. A buffer is zeroed when its process frees it, so
// every buffer in the pool is all zero and a new process never sees an old
// one's data. Buffers are kept by power-of-two capacity class, with a bound
// on the bytes held.
//
// Lock order: memoryPool.mu is a leaf lock.
type memoryPool struct {
	mu    sync.Mutex
	free  map[int][][]byte // capacity class (log2) -> zeroed buffers
	bytes int              // held in free
	limit int
}

// minClass is the smallest capacity class: one WebAssembly page.
const minClass = 16

func newMemoryPool(limit int) *memoryPool {
	return &memoryPool{free: map[int][][]byte{}, limit: limit}
}

func class(n uint64) int {
	if n <= 1<<minClass {
		return minClass
	}
	return bits.Len64(n - 1)
}

// get returns a zeroed buffer of length n.
func (p *memoryPool) get(n uint64) []byte {
	c := class(n)
	p.mu.Lock()
	if l := p.free[c]; len(l) > 0 {
		b := l[len(l)-1]
		p.free[c] = l[:len(l)-1]
		p.bytes -= cap(b)
		p.mu.Unlock()
		return b[:n]
	}
	p.mu.Unlock()
	return make([]byte, n, 1<<c)
}

// put zeroes what a process could have written (b's length) and keeps b.
func (p *memoryPool) put(b []byte) {
	if b == nil {
		return
	}
	c := class(uint64(cap(b)))
	if cap(b) != 1<<c {
		return // not one of ours
	}
	clear(b)
	p.mu.Lock()
	if p.bytes+cap(b) <= p.limit {
		p.free[c] = append(p.free[c], b[:0])
		p.bytes += cap(b)
	}
	p.mu.Unlock()
}

// Allocate implements experimental.MemoryAllocator.
func (p *memoryPool) Allocate(_, max uint64) experimental.LinearMemory {
	return &pooledMemory{pool: p, max: max}
}

// pooledMemory is one process's linear memory. Bytes beyond its length
// are zero (the pool's invariant, kept because a guest can only write below
// its length), so growing within the capacity is a reslice.
type pooledMemory struct {
	pool *memoryPool
	buf  []byte
	max  uint64
}

func (m *pooledMemory) Reallocate(size uint64) []byte {
	if size > m.max {
		return nil
	}
	if m.buf != nil && size <= uint64(cap(m.buf)) {
		m.buf = m.buf[:size]
		return m.buf
	}
	nb := m.pool.get(size)
	copy(nb, m.buf)
	m.pool.put(m.buf)
	m.buf = nb
	return m.buf
}

func (m *pooledMemory) Free() {
	m.pool.put(m.buf)
	m.buf = nil
}
