// Package locks is the LibOS's table of advisory file locks between
// processes: POSIX record locks (fcntl F_SETLK, owned by a process),
// open-file-description record locks (F_OFD_SETLK, owned by an open file)
// and flock(2) locks (whole-file, owned by an open file), with Linux's
// semantics:
//
//   - record locks (POSIX and OFD) share one range space per file and
//     conflict with each other: a read lock conflicts with a write lock of
//     another owner over an overlapping range, a write lock with any lock
//     of another owner; an owner's new lock replaces its own locks over the
//     range (splitting, converting and merging them);
//   - flock locks are a space of their own (they never conflict with
//     record locks);
//   - a POSIX lock goes when its process closes any descriptor of the file
//     or exits; an OFD or flock lock when its open file is last closed.
//
// Blocking requests wait on a channel per waiter, woken by every release
// on the file; a POSIX request that would wait on a chain of POSIX owners
// that waits on the requester is EDEADLK.
//
// Lock order: Table.mu only (no callbacks run under it).
package locks

import (
	"math"
	"sync"

	"github.com/occlumgo/occlum/core/errno"
)

// Type is a lock's kind.
type Type uint8

// Lock types.
const (
	Unlock Type = iota
	Read
	Write
)

// Key identifies a file: its mount's device number and inode number.
type Key struct{ Dev, Ino uint64 }

// Owner is who holds a lock: a process (Pid > 0, POSIX locks) or an open
// file (File != nil, OFD and flock locks).
type Owner struct {
	Pid  int32
	File any
}

func (o Owner) posix() bool { return o.File == nil }

// MaxPerFile bounds the record locks on one file: a guest splitting a
// range into pieces cannot grow the LibOS's memory without end (ENOLCK,
// as Linux's lock accounting gives).
const MaxPerFile = 16384

// End is the end of a range that runs to the end of the file (and past).
const End = math.MaxInt64

// Range is [Start, End] inclusive.
type Range struct{ Start, End int64 }

func (r Range) overlaps(o Range) bool { return r.Start <= o.End && o.Start <= r.End }

// Lock is one held lock.
type Lock struct {
	Owner Owner
	Type  Type
	Range Range
}

type file struct {
	record  []Lock // record locks, any order
	flocks  []Lock // flock locks (Range unused)
	waiters map[chan struct{}]struct{}
}

// Table is every lock of one LibOS.
type Table struct {
	mu      sync.Mutex
	files   map[Key]*file
	waiting map[int32]Owner // POSIX waiter pid -> the POSIX owner it waits for
	max     int             // MaxPerFile (smaller in tests)
}

// New returns an empty table.
func New() *Table {
	return &Table{files: map[Key]*file{}, waiting: map[int32]Owner{}, max: MaxPerFile}
}

func conflicts(a, b Lock) bool {
	if a.Owner == b.Owner || !a.Range.overlaps(b.Range) {
		return false
	}
	return a.Type == Write || b.Type == Write
}

// Test returns the first record lock that would conflict with l (F_GETLK),
// and whether there is one.
func (t *Table) Test(k Key, l Lock) (Lock, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if f := t.files[k]; f != nil {
		for _, h := range f.record {
			if conflicts(l, h) {
				return h, true
			}
		}
	}
	return Lock{}, false
}

// Set applies the record lock l (Unlock removes the owner's locks over
// l.Range). With wait, it blocks until no lock conflicts, calling block to
// wait (block returns non-zero to give up, EINTR for a signal); without,
// a conflict is EAGAIN.
//
// # Errors
//   - EAGAIN: a conflict, and not wait.
//   - ENOLCK: the file would hold more than MaxPerFile record locks.
//   - EDEADLK: a POSIX request that would wait for itself.
//   - whatever block returns.
func (t *Table) Set(k Key, l Lock, wait bool, block func(ready <-chan struct{}) errno.Errno) errno.Errno {
	return t.set(k, l, wait, block, false)
}

// Flock applies a flock(2) lock (Type Read: LOCK_SH, Write: LOCK_EX,
// Unlock: LOCK_UN) of the open file l.Owner.File, as Set. Converting a
// lock drops the old one first, as Linux does: a conversion that fails
// leaves the file unlocked by this owner.
func (t *Table) Flock(k Key, l Lock, wait bool, block func(ready <-chan struct{}) errno.Errno) errno.Errno {
	l.Range = Range{0, End}
	if l.Type != Unlock {
		t.mu.Lock()
		if f := t.files[k]; f != nil {
			n := len(f.flocks)
			f.flocks = replaceFlock(f.flocks, Lock{Owner: l.Owner, Type: Unlock})
			if len(f.flocks) != n {
				t.wake(f)
			}
		}
		t.mu.Unlock()
	}
	return t.set(k, l, wait, block, true)
}

func (t *Table) set(k Key, l Lock, wait bool, block func(ready <-chan struct{}) errno.Errno, isFlock bool) errno.Errno {
	var ch chan struct{}
	t.mu.Lock()
	defer func() {
		if ch != nil {
			if f := t.files[k]; f != nil {
				delete(f.waiters, ch)
				t.gc(k, f)
			}
			if l.Owner.posix() {
				delete(t.waiting, l.Owner.Pid)
			}
		}
		t.mu.Unlock()
	}()
	for {
		f := t.files[k]
		if f == nil {
			if l.Type == Unlock {
				return 0
			}
			f = &file{}
			t.files[k] = f
		}
		list := &f.record
		if isFlock {
			list = &f.flocks
		}
		var blocker *Lock
		if l.Type != Unlock {
			for i := range *list {
				h := (*list)[i]
				if isFlock {
					if h.Owner != l.Owner && (h.Type == Write || l.Type == Write) {
						blocker = &h
						break
					}
				} else if conflicts(l, h) {
					blocker = &h
					break
				}
			}
		}
		if blocker == nil {
			if isFlock {
				*list = replaceFlock(*list, l)
			} else {
				next := replace(*list, l)
				if len(next) > t.max && len(next) > len(*list) {
					return errno.ENOLCK
				}
				*list = next
			}
			t.wake(f)
			t.gc(k, f)
			return 0
		}
		if !wait {
			return errno.EAGAIN
		}
		if l.Owner.posix() && blocker.Owner.posix() && t.deadlock(l.Owner.Pid, blocker.Owner) {
			return errno.EDEADLK
		}
		if ch == nil {
			ch = make(chan struct{}, 1)
			if f.waiters == nil {
				f.waiters = map[chan struct{}]struct{}{}
			}
			f.waiters[ch] = struct{}{}
		}
		if l.Owner.posix() && blocker.Owner.posix() {
			t.waiting[l.Owner.Pid] = blocker.Owner
		}
		t.mu.Unlock()
		e := block(ch)
		t.mu.Lock()
		if e != 0 {
			return e
		}
	}
}

// deadlock reports whether pid waiting for owner closes a cycle of POSIX
// owners waiting for each other.
func (t *Table) deadlock(pid int32, owner Owner) bool {
	seen := map[int32]bool{}
	for o := owner; o.posix(); {
		if o.Pid == pid {
			return true
		}
		if seen[o.Pid] {
			return false
		}
		seen[o.Pid] = true
		next, ok := t.waiting[o.Pid]
		if !ok {
			return false
		}
		o = next
	}
	return false
}

// replace puts l (or its absence, for Unlock) over l.Range in the owner's
// record locks, splitting, converting and merging the owner's others.
func replace(list []Lock, l Lock) []Lock {
	out := list[:0:0]
	var mine []Lock
	for _, h := range list {
		if h.Owner != l.Owner {
			out = append(out, h)
			continue
		}
		if !h.Range.overlaps(l.Range) {
			mine = append(mine, h)
			continue
		}
		if h.Range.Start < l.Range.Start {
			mine = append(mine, Lock{h.Owner, h.Type, Range{h.Range.Start, l.Range.Start - 1}})
		}
		if h.Range.End > l.Range.End {
			mine = append(mine, Lock{h.Owner, h.Type, Range{l.Range.End + 1, h.Range.End}})
		}
	}
	if l.Type != Unlock {
		// Merge with the owner's adjacent or overlapping locks of the
		// same type.
		n := l
		rest := mine[:0:0]
		for _, h := range mine {
			if h.Type == n.Type && h.Range.End >= n.Range.Start-1 && n.Range.End >= h.Range.Start-1 {
				n.Range.Start = min(n.Range.Start, h.Range.Start)
				n.Range.End = max(n.Range.End, h.Range.End)
				continue
			}
			rest = append(rest, h)
		}
		mine = append(rest, n)
	}
	return append(out, mine...)
}

func replaceFlock(list []Lock, l Lock) []Lock {
	out := list[:0:0]
	for _, h := range list {
		if h.Owner != l.Owner {
			out = append(out, h)
		}
	}
	if l.Type != Unlock {
		out = append(out, l)
	}
	return out
}

// wake tells every waiter on f that locks changed.
func (t *Table) wake(f *file) {
	for ch := range f.waiters {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

func (t *Table) gc(k Key, f *file) {
	if len(f.record) == 0 && len(f.flocks) == 0 && len(f.waiters) == 0 {
		delete(t.files, k)
	}
}

// ReleasePOSIX drops pid's POSIX record locks on k (the process closed a
// descriptor of the file).
func (t *Table) ReleasePOSIX(k Key, pid int32) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if f := t.files[k]; f != nil {
		t.releaseIn(k, f, func(h Lock) bool { return h.Owner.posix() && h.Owner.Pid == pid })
	}
}

// ReleaseProcess drops every POSIX record lock of pid (it exited).
func (t *Table) ReleaseProcess(pid int32) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for k, f := range t.files {
		t.releaseIn(k, f, func(h Lock) bool { return h.Owner.posix() && h.Owner.Pid == pid })
	}
}

// ReleaseFile drops every OFD record lock and flock lock of the open
// file on k, its file (its last reference was closed).
func (t *Table) ReleaseFile(k Key, file any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if f := t.files[k]; f != nil {
		t.releaseIn(k, f, func(h Lock) bool { return h.Owner.File == file })
	}
}

// releaseIn drops f's locks that match, waking its waiters if any went.
//
// Preconditions: t.mu is held.
func (t *Table) releaseIn(k Key, f *file, match func(Lock) bool) {
	changed := false
	for _, list := range []*[]Lock{&f.record, &f.flocks} {
		out := (*list)[:0]
		for _, h := range *list {
			if match(h) {
				changed = true
				continue
			}
			out = append(out, h)
		}
		*list = out
	}
	if changed {
		t.wake(f)
		t.gc(k, f)
	}
}

// Held returns the record locks on k (for tests and /proc/locks).
func (t *Table) Held(k Key) []Lock {
	t.mu.Lock()
	defer t.mu.Unlock()
	if f := t.files[k]; f != nil {
		return append([]Lock(nil), f.record...)
	}
	return nil
}
