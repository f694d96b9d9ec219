// Package eventfd implements eventfd(2): a 64-bit counter that write adds
// to and read takes (all of it, or one with EFD_SEMAPHORE), as a
// vfs.FileImpl that never blocks.
//
// Lock order: File.mu, then its waiter queue.
package eventfd

import (
	"encoding/binary"
	"sync"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/core/waiter"
)

// Flags (Linux values).
const (
	Semaphore = 1
	NonBlock  = 0x800
	Cloexec   = 0x80000
)

// max is the largest count.
const max = ^uint64(0) - 1

// File is one eventfd.
type File struct {
	vfs.UnimplementedFile
	sem bool
	q   waiter.Queue

	mu    sync.Mutex
	count uint64
}

var (
	_ vfs.FileImpl = (*File)(nil)
	_ vfs.Waitable = (*File)(nil)
)

// New returns an eventfd holding initval.
func New(initval uint32, semaphore bool) *File {
	return &File{count: uint64(initval), sem: semaphore}
}

func (f *File) EventRegister(e *waiter.Entry)   { f.q.Register(e) }
func (f *File) EventUnregister(e *waiter.Entry) { f.q.Unregister(e) }

// Read takes the count (or 1) as 8 little-endian bytes.
//
// # Errors
//   - EINVAL: b is shorter than 8 bytes.
//   - EAGAIN: the count is zero.
func (f *File) Read(b []byte) (int, errno.Errno) {
	if len(b) < 8 {
		return 0, errno.EINVAL
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.count == 0 {
		return 0, errno.EAGAIN
	}
	v := f.count
	if f.sem {
		v = 1
	}
	f.count -= v
	binary.LittleEndian.PutUint64(b, v)
	f.q.Notify(waiter.EventOut)
	return 8, 0
}

// Write adds an 8-byte little-endian value.
//
// # Errors
//   - EINVAL: b is shorter than 8 bytes, or the value is 2^64-1.
//   - EAGAIN: the count would pass 2^64-2.
func (f *File) Write(b []byte) (int, errno.Errno) {
	if len(b) < 8 {
		return 0, errno.EINVAL
	}
	v := binary.LittleEndian.Uint64(b)
	if v == ^uint64(0) {
		return 0, errno.EINVAL
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if max-f.count < v {
		return 0, errno.EAGAIN
	}
	f.count += v
	if v > 0 {
		f.q.Notify(waiter.EventIn)
	}
	return 8, 0
}

// Readiness: readable with a count, writable while 1 more fits.
func (f *File) Readiness(mask vfs.Events) vfs.Events {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ev vfs.Events
	if f.count > 0 {
		ev |= vfs.EventIn
	}
	if f.count < max {
		ev |= vfs.EventOut
	}
	return ev & mask
}

func (f *File) Stat() (vfs.Stat, errno.Errno) { return vfs.Stat{Mode: 0o600, Nlink: 1}, 0 }
