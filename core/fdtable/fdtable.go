// Package fdtable is a process's file descriptor table: small integers
// mapping to shared open-file descriptions (vfs.File) plus per-descriptor
// flags (FD_CLOEXEC) and, for WASI, the preopened-directory name.
//
// Lock order: Table.mu is a leaf lock; no vfs or file-system call is made
// while it is held (descriptions are released after unlocking).
package fdtable

import (
	"sync"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
)

// DefaultLimit is the default RLIMIT_NOFILE.
const DefaultLimit = 1024

type entry struct {
	file    *vfs.File
	cloexec bool
	preopen string // WASI preopen name, "" if not a preopen
}

// Table is a file descriptor table. The zero value is not usable; use New.
type Table struct {
	// onClose, if set, sees every description a descriptor of the table
	// stops referring to (close, dup2 over it, close-on-exec, exit),
	// before its reference is dropped: POSIX record locks go at any close
	// (see SetOnClose).
	onClose func(*vfs.File)

	mu    sync.Mutex
	fds   []entry // index = fd; file == nil means free
	limit int32   // RLIMIT_NOFILE soft limit: new fds are below it
	hard  int32   // RLIMIT_NOFILE hard limit: the most limit may be raised to
}

// New returns an empty table that allows fds below limit.
func New(limit int32) *Table {
	if limit <= 0 {
		limit = DefaultLimit
	}
	return &Table{limit: limit, hard: limit}
}

// SetOnClose sets the function that sees each description the table
// stops referring to; call it before the table is shared.
func (t *Table) SetOnClose(fn func(*vfs.File)) { t.onClose = fn }

// drop ends the table's reference to f.
func (t *Table) drop(f *vfs.File) errno.Errno {
	if t.onClose != nil {
		t.onClose(f)
	}
	return f.DecRef()
}

// Get returns the description behind fd with a new reference the caller
// must drop with DecRef.
//
// # Errors
//   - EBADF: fd is not open.
func (t *Table) Get(fd int32) (*vfs.File, errno.Errno) {
	t.mu.Lock()
	if fd < 0 || int(fd) >= len(t.fds) || t.fds[fd].file == nil {
		t.mu.Unlock()
		return nil, errno.EBADF
	}
	f := t.fds[fd].file
	f.IncRef()
	t.mu.Unlock()
	return f, 0
}

// File implements vfs.FDTable (for /dev/fd/N).
func (t *Table) File(fd int32) (*vfs.File, errno.Errno) { return t.Get(fd) }

// Preopen returns the WASI preopen name of fd.
//
// # Errors
//   - EBADF: fd is not open or not a preopen.
func (t *Table) Preopen(fd int32) (string, errno.Errno) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if fd < 0 || int(fd) >= len(t.fds) || t.fds[fd].file == nil || t.fds[fd].preopen == "" {
		return "", errno.EBADF
	}
	return t.fds[fd].preopen, 0
}

// Insert puts f (whose reference the table takes over) at the lowest free
// fd >= min, as Linux's descriptor allocation for dup, open, pipe and
// F_DUPFD. A min at or above the limit leaves no fd to choose: EMFILE
// (also with a limit of 0). F_DUPFD's own rule that its minimum must be
// below the limit (EINVAL) is the caller's to check.
//
// # Errors
//   - EMFILE: no free fd in [min, limit).
//   - EINVAL: min is negative.
func (t *Table) Insert(f *vfs.File, min int32, cloexec bool) (int32, errno.Errno) {
	return t.insert(entry{file: f, cloexec: cloexec}, min)
}

// CheckFree returns the error Insert(·, min, ·) would return now, without
// inserting anything: calls that must find a descriptor before they act
// (open, which may create a file) check it first, as Linux allocates the
// descriptor before it opens. A process is single-threaded, so the answer
// holds until the process itself changes its table.
//
// # Errors
//   - EMFILE: no free fd in [min, limit).
//   - EINVAL: min is negative.
func (t *Table) CheckFree(min int32) errno.Errno {
	t.mu.Lock()
	defer t.mu.Unlock()
	_, e := t.freeLocked(min)
	return e
}

// InsertPreopen is Insert for a WASI preopened directory called name.
func (t *Table) InsertPreopen(f *vfs.File, name string) (int32, errno.Errno) {
	return t.insert(entry{file: f, preopen: name}, 0)
}

func (t *Table) insert(e entry, min int32) (int32, errno.Errno) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fd, err := t.freeLocked(min)
	if err != 0 {
		return -1, err
	}
	for int32(len(t.fds)) <= fd {
		t.fds = append(t.fds, entry{})
	}
	t.fds[fd] = e
	return fd, 0
}

// freeLocked returns the lowest free fd in [min, limit), which may lie past
// the end of t.fds.
//
// Preconditions: t.mu is held.
func (t *Table) freeLocked(min int32) (int32, errno.Errno) {
	if min < 0 {
		return -1, errno.EINVAL
	}
	// Below the limit only: it may have been lowered under open fds.
	fd := min
	for ; int(fd) < len(t.fds) && fd < t.limit; fd++ {
		if t.fds[fd].file == nil {
			return fd, 0
		}
	}
	if fd >= t.limit {
		return -1, errno.EMFILE
	}
	return fd, 0
}

// Set puts f at fd (dup2), closing what was there. The table takes over the
// caller's reference to f.
//
// # Errors
//   - EBADF: fd is negative or not below the limit.
func (t *Table) Set(fd int32, f *vfs.File, cloexec bool) errno.Errno {
	t.mu.Lock()
	if fd < 0 || fd >= t.limit {
		t.mu.Unlock()
		return errno.EBADF
	}
	for int32(len(t.fds)) <= fd {
		t.fds = append(t.fds, entry{})
	}
	old := t.fds[fd].file
	t.fds[fd] = entry{file: f, cloexec: cloexec}
	t.mu.Unlock()
	if old != nil {
		t.drop(old)
	}
	return 0
}

// Dup2 makes newfd refer to the description behind fd (dup2, dup3), with
// FD_CLOEXEC set to cloexec, closing what newfd held. When fd == newfd it
// only checks that fd is open, as dup2 does.
//
// # Errors
//   - EBADF: fd is not open, or newfd is negative or not below the limit.
func (t *Table) Dup2(fd, newfd int32, cloexec bool) errno.Errno {
	t.mu.Lock()
	if fd < 0 || int(fd) >= len(t.fds) || t.fds[fd].file == nil {
		t.mu.Unlock()
		return errno.EBADF
	}
	if fd == newfd {
		t.mu.Unlock()
		return 0
	}
	if newfd < 0 || newfd >= t.limit {
		t.mu.Unlock()
		return errno.EBADF
	}
	for int32(len(t.fds)) <= newfd {
		t.fds = append(t.fds, entry{})
	}
	f := t.fds[fd].file
	f.IncRef()
	old := t.fds[newfd].file
	t.fds[newfd] = entry{file: f, cloexec: cloexec}
	t.mu.Unlock()
	if old != nil {
		t.drop(old)
	}
	return 0
}

// Remove closes fd and returns the error of the final close, if it was one.
//
// # Errors
//   - EBADF: fd is not open.
func (t *Table) Remove(fd int32) errno.Errno {
	t.mu.Lock()
	if fd < 0 || int(fd) >= len(t.fds) || t.fds[fd].file == nil {
		t.mu.Unlock()
		return errno.EBADF
	}
	f := t.fds[fd].file
	t.fds[fd] = entry{}
	t.mu.Unlock()
	return t.drop(f)
}

// Renumber moves from to to (WASI fd_renumber), closing what was at to.
//
// # Errors
//   - EBADF: from or to is not open.
func (t *Table) Renumber(from, to int32) errno.Errno {
	t.mu.Lock()
	n := int32(len(t.fds))
	if from < 0 || from >= n || t.fds[from].file == nil || to < 0 || to >= n || t.fds[to].file == nil {
		t.mu.Unlock()
		return errno.EBADF
	}
	if from == to {
		t.mu.Unlock()
		return 0
	}
	old := t.fds[to].file
	t.fds[to] = t.fds[from]
	t.fds[from] = entry{}
	t.mu.Unlock()
	t.drop(old)
	return 0
}

// CloseOnExec reports FD_CLOEXEC of fd.
func (t *Table) CloseOnExec(fd int32) (bool, errno.Errno) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if fd < 0 || int(fd) >= len(t.fds) || t.fds[fd].file == nil {
		return false, errno.EBADF
	}
	return t.fds[fd].cloexec, 0
}

// SetCloseOnExec sets FD_CLOEXEC of fd.
func (t *Table) SetCloseOnExec(fd int32, on bool) errno.Errno {
	t.mu.Lock()
	defer t.mu.Unlock()
	if fd < 0 || int(fd) >= len(t.fds) || t.fds[fd].file == nil {
		return errno.EBADF
	}
	t.fds[fd].cloexec = on
	return 0
}

// Fork returns a copy of the table sharing every description (as fork(2)
// or posix_spawn before file actions).
func (t *Table) Fork() *Table {
	t.mu.Lock()
	defer t.mu.Unlock()
	c := &Table{limit: t.limit, hard: t.hard, fds: make([]entry, len(t.fds))}
	copy(c.fds, t.fds)
	for _, e := range c.fds {
		if e.file != nil {
			e.file.IncRef()
		}
	}
	return c
}

// CloseCloexec closes every descriptor marked FD_CLOEXEC (execve).
func (t *Table) CloseCloexec() {
	t.mu.Lock()
	var closing []*vfs.File
	for i := range t.fds {
		if t.fds[i].file != nil && t.fds[i].cloexec {
			closing = append(closing, t.fds[i].file)
			t.fds[i] = entry{}
		}
	}
	t.mu.Unlock()
	for _, f := range closing {
		t.drop(f)
	}
}

// CloseAll closes every descriptor (process exit).
func (t *Table) CloseAll() {
	t.mu.Lock()
	fds := t.fds
	t.fds = nil
	t.mu.Unlock()
	for _, e := range fds {
		if e.file != nil {
			t.drop(e.file)
		}
	}
}

// Count returns the number of open descriptors.
func (t *Table) Count() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for _, e := range t.fds {
		if e.file != nil {
			n++
		}
	}
	return n
}

// FDs returns the open descriptors, ascending (for /proc/<pid>/fd).
func (t *Table) FDs() []int32 {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []int32
	for i, e := range t.fds {
		if e.file != nil {
			out = append(out, int32(i))
		}
	}
	return out
}

// Limit returns the RLIMIT_NOFILE (soft limit) of the table.
func (t *Table) Limit() int32 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.limit
}

// Limits returns the soft and hard RLIMIT_NOFILE of the table.
func (t *Table) Limits() (cur, max int32) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.limit, t.hard
}

// SetLimits sets the soft and hard RLIMIT_NOFILE, as setrlimit(2). As on
// Linux, descriptors at or above a lowered limit stay open and usable;
// only new ones (Insert, Set) must be below it.
//
// # Errors
//   - EINVAL: cur > max, or cur < 0.
//   - EPERM: max is above the current hard limit.
func (t *Table) SetLimits(cur, max int32) errno.Errno {
	if cur < 0 || cur > max {
		return errno.EINVAL
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if max > t.hard {
		return errno.EPERM
	}
	t.limit, t.hard = cur, max
	return 0
}
