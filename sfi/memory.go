package sfi

import (
	"sync"
	"sync/atomic"

	"github.com/tetratelabs/wazero/experimental"
	"golang.org/x/sys/unix"
)

// userSpace is the account of resource_limits.user_space_size: the linear
// memory every process holds, together. A process holds the length of its
// linear memory (what it can address, not the capacity of the buffer behind
// it). Growing charges the difference before the memory grows and fails if
// the total would pass the limit; freeing a memory releases all it held.
//
// It is a single atomic counter (compare-and-swap for a charge), so any
// number of processes may grow and exit concurrently without a lock.
type userSpace struct {
	limit uint64 // bytes; 0: no limit
	used  atomic.Uint64
}

// charge takes n bytes from the account and reports whether it could.
func (u *userSpace) charge(n uint64) bool {
	for {
		old := u.used.Load()
		nw := old + n
		if nw < old || (u.limit != 0 && nw > u.limit) {
			return false
		}
		if u.used.CompareAndSwap(old, nw) {
			return true
		}
	}
}

// release gives back n bytes charged before.
func (u *userSpace) release(n uint64) {
	if n != 0 {
		u.used.Add(-n)
	}
}

// memoryPool makes and recycles the processes' linear memories.
//
// A linear memory is a private anonymous mapping of its process's maximum
// size, reserved up front (MAP_NORESERVE: the kernel gives pages as they
// are touched), so memory.grow is a reslice: it never copies and never
// moves the memory. Growing into a new, larger buffer and copying the old
// one over stalled the whole LibOS for seconds at a 512 MiB grow (a copy is
// not preemptible by Go: the collector's stop-the-world waited for it), and
// kept linear memories in the Go heap, where they drove the collector's
// pacing. Mappings are outside the Go heap.
//
// The mappings of exited processes are recycled, so that a spawn does not
// fault in fresh pages (measured as the largest cost of spawn+exit+wait
// before the pool existed). A mapping is made all zero again when its
// process frees it, so a new process never sees an old one's data: the
// part its process used is cleared in place when it is small (its pages
// stay resident for the next process), and dropped with
// madvise(MADV_DONTNEED) when it is large, on a background goroutine, so
// that a process with a large memory exits at once. Mappings are kept by
// size, with a bound on the resident bytes they hold.
//
// The pool also keeps the user space account (userSpace). Memory cached in
// the pool is not charged to it: it belongs to no process, and a process
// must never fail to grow because of a cache. It is bounded instead, by
// memoryPoolBytes and by a quarter of user_space_size (cacheLimit), so
// that the linear memory of the LibOS stays within about 1.25 times
// user_space_size (plus the pages of at most 64 large mappings waiting for
// the background cleaner). A process taking a cached mapping is charged
// its length, as for a new one.
//
// Lock order: memoryPool.mu is a leaf lock. The account is atomic and
// taken without it: Reallocate charges before it takes a mapping, and Free
// releases after it has returned one.
type memoryPool struct {
	space userSpace

	mu    sync.Mutex
	free  map[uint64][]cached // mapping size -> zeroed mappings
	n     int                 // mappings in free
	bytes int                 // resident bytes of the mappings in free (at most)
	limit int

	cleaner chan []byte // large mappings to zero in the background
	once    sync.Once
	closed  atomic.Bool // the runtime is closing: memories stay mapped
}

// close makes the pool leave every memory freed from now on as it is,
// mapped: the runtime is closing, and a process may still run on one.
func (p *memoryPool) close() { p.closed.Store(true) }

// cached is a zeroed mapping in the pool and how much of it may be
// resident.
type cached struct {
	mem      []byte
	resident int
}

const (
	// maxCachedMappings bounds the mappings the pool keeps.
	maxCachedMappings = 256
	// clearInPlace is the largest used part of a mapping cleared with a
	// memory clear when it is freed; larger ones are dropped with
	// MADV_DONTNEED in the background.
	clearInPlace = 4 << 20
)

// newMemoryPool returns a pool that caches at most cache bytes and lets all
// processes together hold at most userSpace bytes (0: no limit).
func newMemoryPool(cache int, userSpace uint64) *memoryPool {
	p := &memoryPool{free: map[uint64][]cached{}, limit: cache}
	p.space.limit = userSpace
	return p
}

// cacheLimit is the most a pool caches under a user space limit (0: none).
func cacheLimit(userSpace uint64) int {
	if userSpace != 0 && userSpace/4 < memoryPoolBytes {
		return int(userSpace / 4)
	}
	return memoryPoolBytes
}

// used returns the bytes all processes' linear memories hold.
func (p *memoryPool) used() uint64 { return p.space.used.Load() }

// reservation rounds a memory's maximum to whole pages.
func reservation(max uint64) uint64 {
	if max == 0 {
		max = 1
	}
	return (max + PageSize - 1) / PageSize * PageSize
}

// get returns a zeroed mapping of size bytes, or nil if none can be made.
func (p *memoryPool) get(size uint64) []byte {
	p.mu.Lock()
	if l := p.free[size]; len(l) > 0 {
		c := l[len(l)-1]
		p.free[size] = l[:len(l)-1]
		p.n--
		p.bytes -= c.resident
		p.mu.Unlock()
		return c.mem
	}
	p.mu.Unlock()
	mem, err := unix.Mmap(-1, 0, int(size), unix.PROT_READ|unix.PROT_WRITE,
		unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_NORESERVE)
	if err != nil {
		return nil
	}
	return mem
}

// put takes back a mapping whose first used bytes its process may have
// written.
func (p *memoryPool) put(mem []byte, used uint64) {
	if mem == nil || p.closed.Load() {
		return
	}
	if used <= clearInPlace {
		clear(mem[:used])
		p.keep(mem, int(used))
		return
	}
	p.once.Do(func() {
		p.cleaner = make(chan []byte, 64)
		go p.clean()
	})
	select {
	case p.cleaner <- mem[:used]:
	default:
		// The cleaner is behind: unmapping drops the pages too.
		unix.Munmap(mem)
	}
}

// clean zeroes large mappings by dropping their used pages.
func (p *memoryPool) clean() {
	for used := range p.cleaner {
		mem := used[:cap(used)]
		if unix.Madvise(used, unix.MADV_DONTNEED) != nil {
			unix.Munmap(mem)
			continue
		}
		p.keep(mem, 0)
	}
}

// keep caches a zeroed mapping, or unmaps it if the pool is full.
func (p *memoryPool) keep(mem []byte, resident int) {
	size := uint64(len(mem))
	p.mu.Lock()
	if p.n < maxCachedMappings && p.bytes+resident <= p.limit {
		p.free[size] = append(p.free[size], cached{mem, resident})
		p.n++
		p.bytes += resident
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	if resident > 0 && resident < len(mem) {
		// Too many resident bytes but a free slot would do: drop the
		// pages, keep the mapping.
		if unix.Madvise(mem[:resident], unix.MADV_DONTNEED) == nil {
			p.keep(mem, 0)
			return
		}
	}
	unix.Munmap(mem)
}

// Allocate implements experimental.MemoryAllocator.
func (p *memoryPool) Allocate(_, max uint64) experimental.LinearMemory {
	return &pooledMemory{pool: p, max: max}
}

// pooledMemory is one process's linear memory: a mapping of its maximum
// size, of which the first len(buf) bytes are the memory. Bytes beyond its
// length are zero (a guest can only write below its length).
//
// A pooledMemory is used by one goroutine at a time (its process's: wazero
// grows and frees a memory on the goroutine running the instance).
type pooledMemory struct {
	pool *memoryPool
	mem  []byte // the whole mapping; nil until the first Reallocate
	buf  []byte // mem[:length]
	max  uint64
	// held is what the memory is charged in the user space account: its
	// length, or, before the first Reallocate, the reservation made for it
	// (Loader.Reserve).
	held uint64
	// refused records the last growth refused (Reservation.GrowRefused).
	refused refusal
	// size is len(buf), readable from any goroutine (Reservation.MemorySize).
	size atomic.Uint64
}

// refusal is why a memory could not grow.
type refusal uint8

const (
	notRefused    refusal = iota
	processLimit          // past the per-process maximum
	userSpaceFull         // past user_space_size, all processes together
)

// Reallocate implements experimental.LinearMemory. It returns nil — and
// wazero's memory.grow returns -1, so malloc returns NULL — when size is
// beyond the per-process maximum or would take all processes together past
// the user space limit.
func (m *pooledMemory) Reallocate(size uint64) []byte {
	if size > m.max {
		m.refused = processLimit
		return nil
	}
	if m.mem == nil {
		if m.mem = m.pool.get(reservation(m.max)); m.mem == nil {
			m.refused = userSpaceFull // the host would not map it
			return nil
		}
	}
	if size > uint64(len(m.mem)) {
		m.refused = processLimit
		return nil
	}
	if size > m.held {
		if !m.pool.space.charge(size - m.held) {
			m.refused = userSpaceFull
			return nil
		}
	} else {
		m.pool.space.release(m.held - size)
	}
	m.held = size
	m.buf = m.mem[:size]
	m.size.Store(size)
	return m.buf
}

// Free implements experimental.LinearMemory: the mapping goes back to the
// pool and the account gets back what the memory held. A second Free does
// nothing.
func (m *pooledMemory) Free() {
	m.pool.put(m.mem, uint64(len(m.buf)))
	m.mem, m.buf = nil, nil
	m.size.Store(0)
	m.pool.space.release(m.held)
	m.held = 0
}
