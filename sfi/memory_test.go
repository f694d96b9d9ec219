package sfi

import (
	"bytes"
	"testing"
)

// A recycled memory is all zero: no process sees another's data.
func TestMemoryPoolZeroes(t *testing.T) {
	p := newMemoryPool(1 << 30)
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
	p := newMemoryPool(1 << 20)
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
