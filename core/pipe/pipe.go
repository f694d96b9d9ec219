// Package pipe implements anonymous pipes (pipe2(2)): a byte ring buffer
// shared by a read end and a write end, each a vfs.FileImpl and a
// vfs.Waitable.
//
// The ends never block. Read returns EAGAIN when the pipe is empty and a
// writer exists, and (0, ESUCCESS) at end of file, when no writer is left.
// Write returns EPIPE when no reader is left and EAGAIN when the pipe is
// full; otherwise it writes what fits and returns a short count, except
// that a write of at most AtomicIOBytes (PIPE_BUF) bytes is atomic: all of
// it or EAGAIN. Blocking, O_NONBLOCK and SIGPIPE belong to the syscall
// layer, which retries on EAGAIN with vfs.WaitReady and raises SIGPIPE when
// a write returns EPIPE.
//
// # Wake-ups
//
// EventRegister(e) on an end (vfs.Waitable) arranges for e to be notified
// whenever that end may have changed. A waiter must register first, then
// check (Read, Write or Readiness), and only then wait: a change that
// happens after the check always finds e registered. Every change is
// notified, so edge-triggered epoll sees each one:
//   - read end: every write that moves bytes (EventIn); the last write end
//     closing (EventHup).
//   - write end: every read that frees bytes (EventOut); the last read end
//     closing (EventErr).
//
// Wake-ups may be spurious; a woken waiter checks again.
//
// Lock order: pipe.mu, then the ends' waiter.Queue locks (notifications
// are sent with pipe.mu held).
package pipe

import (
	"math/bits"
	"sync"
	"sync/atomic"
	"time"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/core/waiter"
)

// Capacities, in bytes.
const (
	// DefaultCapacity is the capacity of a new pipe, as on Linux.
	DefaultCapacity = 64 << 10
	// MinCapacity is the smallest capacity: one page, so that an atomic
	// write always fits in an empty pipe.
	MinCapacity = 4096
	// MaxCapacity is the largest capacity, Linux's default pipe-max-size.
	MaxCapacity = 1 << 20
)

// AtomicIOBytes is PIPE_BUF: writes of at most this many bytes are never
// interleaved with other writes.
const AtomicIOBytes = 4096

// inoCounter numbers pipes, as the inodes of Linux's pipefs: both ends of
// one pipe share a number that no other pipe has.
var inoCounter atomic.Uint64

// pipe is the state shared by the ends.
type pipe struct {
	ino  uint64
	time int64 // creation time, ns since the epoch

	mu               sync.Mutex   // guards everything below
	buf              []byte       // the ring; len(buf) is a power of two
	rpos, wpos       uint64       // bytes ever read and written; wpos-rpos are buffered
	readers, writers int          // open ends
	rq, wq           waiter.Queue // waiters on the read and the write end
}

// ReadEnd is the read side of a pipe.
type ReadEnd struct {
	vfs.UnimplementedFile
	p      *pipe
	closed bool // guarded by p.mu
}

// WriteEnd is the write side of a pipe.
type WriteEnd struct {
	vfs.UnimplementedFile
	p      *pipe
	closed bool // guarded by p.mu
}

var (
	_ vfs.FileImpl = (*ReadEnd)(nil)
	_ vfs.Waitable = (*ReadEnd)(nil)
	_ vfs.FileImpl = (*WriteEnd)(nil)
	_ vfs.Waitable = (*WriteEnd)(nil)
)

// New returns the two ends of a new pipe holding up to capacity bytes.
// capacity is rounded up to a power of two between MinCapacity and
// MaxCapacity; 0 or less means DefaultCapacity. Each end must be closed
// once, when the last descriptor referring to it goes.
func New(capacity int) (*ReadEnd, *WriteEnd) {
	p := &pipe{
		ino:     inoCounter.Add(1),
		time:    time.Now().UnixNano(),
		buf:     make([]byte, roundCapacity(capacity)),
		readers: 1,
		writers: 1,
	}
	return &ReadEnd{p: p}, &WriteEnd{p: p}
}

func roundCapacity(c int) int {
	switch {
	case c <= 0:
		return DefaultCapacity
	case c <= MinCapacity:
		return MinCapacity
	case c >= MaxCapacity:
		return MaxCapacity
	}
	return 1 << bits.Len(uint(c-1))
}

// Read implements vfs.FileImpl.Read.
//
// # Errors
//   - EAGAIN: the pipe is empty and a write end is open.
//   - EBADF: this end was closed.
func (r *ReadEnd) Read(b []byte) (int, errno.Errno) {
	if len(b) == 0 {
		return 0, 0
	}
	p := r.p
	p.mu.Lock()
	if r.closed {
		p.mu.Unlock()
		return 0, errno.EBADF
	}
	avail := int(p.wpos - p.rpos)
	if avail == 0 {
		w := p.writers
		p.mu.Unlock()
		if w == 0 {
			return 0, 0
		}
		return 0, errno.EAGAIN
	}
	n := min(len(b), avail)
	mask := uint64(len(p.buf) - 1)
	i := int(p.rpos & mask)
	c := copy(b[:n], p.buf[i:])
	copy(b[c:n], p.buf)
	p.rpos += uint64(n)
	p.wq.Notify(vfs.EventOut)
	p.mu.Unlock()
	return n, 0
}

// Write implements vfs.FileImpl.Write for the read end: not open for
// writing.
func (r *ReadEnd) Write([]byte) (int, errno.Errno) { return 0, errno.EBADF }

// Write implements vfs.FileImpl.Write. Writes of at most AtomicIOBytes
// are all or nothing; longer ones write what fits.
//
// # Errors
//   - EPIPE: no read end is open (the caller raises SIGPIPE).
//   - EAGAIN: no room (for an atomic write: not room for all of it).
//   - EBADF: this end was closed.
func (w *WriteEnd) Write(b []byte) (int, errno.Errno) {
	if len(b) == 0 {
		return 0, 0 // as Linux, even without readers
	}
	p := w.p
	p.mu.Lock()
	if w.closed {
		p.mu.Unlock()
		return 0, errno.EBADF
	}
	if p.readers == 0 {
		p.mu.Unlock()
		return 0, errno.EPIPE
	}
	used := int(p.wpos - p.rpos)
	free := len(p.buf) - used
	n := len(b)
	if n > free {
		if n <= AtomicIOBytes || free == 0 {
			p.mu.Unlock()
			return 0, errno.EAGAIN
		}
		n = free
	}
	mask := uint64(len(p.buf) - 1)
	i := int(p.wpos & mask)
	c := copy(p.buf[i:], b[:n])
	copy(p.buf, b[c:n])
	p.wpos += uint64(n)
	p.rq.Notify(vfs.EventIn)
	p.mu.Unlock()
	return n, 0
}

// Read implements vfs.FileImpl.Read for the write end: not open for
// reading.
func (w *WriteEnd) Read([]byte) (int, errno.Errno) { return 0, errno.EBADF }

// Readiness implements vfs.FileImpl.Readiness: EventIn when data is
// buffered, EventHup when no write end is open. As on Linux, end of file
// alone is EventHup without EventIn.
func (r *ReadEnd) Readiness(mask vfs.Events) vfs.Events {
	p := r.p
	p.mu.Lock()
	var ev vfs.Events
	if p.wpos != p.rpos {
		ev |= vfs.EventIn
	}
	if p.writers == 0 {
		ev |= vfs.EventHup
	}
	p.mu.Unlock()
	return ev & mask
}

// Readiness implements vfs.FileImpl.Readiness: EventOut when an atomic
// write would succeed (AtomicIOBytes are free), EventErr when no read end
// is open. As on Linux, EventOut does not depend on readers.
func (w *WriteEnd) Readiness(mask vfs.Events) vfs.Events {
	p := w.p
	p.mu.Lock()
	var ev vfs.Events
	if len(p.buf)-int(p.wpos-p.rpos) >= AtomicIOBytes {
		ev |= vfs.EventOut
	}
	if p.readers == 0 {
		ev |= vfs.EventErr
	}
	p.mu.Unlock()
	return ev & mask
}

// EventRegister implements vfs.Waitable; see the package comment.
func (r *ReadEnd) EventRegister(e *waiter.Entry) { r.p.rq.Register(e) }

// EventUnregister implements vfs.Waitable.
func (r *ReadEnd) EventUnregister(e *waiter.Entry) { r.p.rq.Unregister(e) }

// EventRegister implements vfs.Waitable; see the package comment.
func (w *WriteEnd) EventRegister(e *waiter.Entry) { w.p.wq.Register(e) }

// EventUnregister implements vfs.Waitable.
func (w *WriteEnd) EventUnregister(e *waiter.Entry) { w.p.wq.Unregister(e) }

// Close implements vfs.FileImpl.Close. Closing the last read end makes
// writes fail with EPIPE and wakes the write end's waiters. Closing again
// does nothing.
func (r *ReadEnd) Close() errno.Errno {
	p := r.p
	p.mu.Lock()
	if !r.closed {
		r.closed = true
		p.readers--
		if p.readers == 0 {
			p.wq.Notify(vfs.EventErr)
		}
	}
	p.mu.Unlock()
	return 0
}

// Close implements vfs.FileImpl.Close. Closing the last write end makes
// reads of an empty pipe return end of file and wakes the read end's
// waiters. Closing again does nothing.
func (w *WriteEnd) Close() errno.Errno {
	p := w.p
	p.mu.Lock()
	if !w.closed {
		w.closed = true
		p.writers--
		if p.writers == 0 {
			p.rq.Notify(vfs.EventHup)
		}
	}
	p.mu.Unlock()
	return 0
}

// Stat implements vfs.FileImpl.Stat as Linux does for a pipe: a FIFO with
// mode 0600, one link, size 0, and an inode number shared by both ends.
// Times are the creation time (not updated by I/O); owner and device are
// left to the caller.
func (r *ReadEnd) Stat() (vfs.Stat, errno.Errno) { return r.p.stat(), 0 }

// Stat implements vfs.FileImpl.Stat; see ReadEnd.Stat.
func (w *WriteEnd) Stat() (vfs.Stat, errno.Errno) { return w.p.stat(), 0 }

func (p *pipe) stat() vfs.Stat {
	return vfs.Stat{
		Ino:   p.ino,
		Mode:  vfs.TypeFIFO.ModeBits() | 0o600,
		Nlink: 1,
		Atime: p.time,
		Mtime: p.time,
		Ctime: p.time,
	}
}

// Buffered returns the number of bytes waiting to be read (FIONREAD).
func (r *ReadEnd) Buffered() int { return r.p.buffered() }

// Buffered returns the number of bytes waiting to be read (FIONREAD).
func (w *WriteEnd) Buffered() int { return w.p.buffered() }

func (p *pipe) buffered() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return int(p.wpos - p.rpos)
}

// Capacity returns the size of the pipe's buffer (F_GETPIPE_SZ).
func (r *ReadEnd) Capacity() int { return len(r.p.buf) }

// Capacity returns the size of the pipe's buffer (F_GETPIPE_SZ).
func (w *WriteEnd) Capacity() int { return len(w.p.buf) }
