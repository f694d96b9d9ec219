package vfs

import (
	"strings"
	"sync"
	"sync/atomic"

	"github.com/occlumgo/occlum/core/errno"
)

// File is an open-file description: what open(2) creates and dup(2), fd
// inheritance and fd passing share. It owns the file offset and the status
// flags (O_APPEND, O_NONBLOCK) and is reference counted by the fd tables that
// point to it; the FileImpl is closed when the last reference goes.
type File struct {
	impl  FileImpl
	d     Dentry     // zero for anonymous files (pipes, sockets)
	ns    *Namespace // what d was resolved in; nil if not opened by path
	flags atomic.Uint32
	refs  atomic.Int32

	mu      sync.Mutex // guards off, dirents and onClose
	off     int64
	dirents []Dirent    // snapshot for ReadDir, taken at cookie 0
	onClose []closeHook // run when the last reference goes (OnLastClose)
}

type closeHook struct {
	id any
	fn func()
}

// statusFlags are the flags F_SETFL may change.
const statusFlags = O_APPEND | O_NONBLOCK

// NewFile returns a description with one reference. d may be the zero Dentry
// for files that have no name.
func NewFile(impl FileImpl, d Dentry, flags OpenFlags) *File {
	f := &File{impl: impl, d: d}
	f.flags.Store(uint32(flags &^ (O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC | O_NOFOLLOW)))
	f.refs.Store(1)
	return f
}

// Impl returns the file-system side of the file.
func (f *File) Impl() FileImpl { return f.impl }

// Dentry returns what the file was opened by (zero for anonymous files).
func (f *File) Dentry() Dentry { return f.d }

// Path returns the canonical path the file was opened by, or "".
func (f *File) Path() string { return f.d.Path }

// Flags returns the access mode and status flags.
func (f *File) Flags() OpenFlags { return OpenFlags(f.flags.Load()) }

// SetStatusFlags replaces O_APPEND and O_NONBLOCK, keeping the access mode.
func (f *File) SetStatusFlags(fl OpenFlags) {
	for {
		old := f.flags.Load()
		nw := (old &^ uint32(statusFlags)) | uint32(fl&statusFlags)
		if f.flags.CompareAndSwap(old, nw) {
			return
		}
	}
}

// IncRef adds a reference (dup, fork-style inheritance).
func (f *File) IncRef() { f.refs.Add(1) }

// DecRef drops a reference and closes the file when it was the last one.
func (f *File) DecRef() errno.Errno {
	if f.refs.Add(-1) == 0 {
		f.mu.Lock()
		fns := f.onClose
		f.onClose = nil
		f.mu.Unlock()
		for _, h := range fns {
			h.fn()
		}
		return f.impl.Close()
	}
	return 0
}

// OnLastClose has fn run when the last reference to f goes, before the
// file is closed (the locks an open file owns go with it), once per id:
// a later call with an id already registered does nothing. fn must not
// take locks a caller of DecRef may hold.
func (f *File) OnLastClose(id any, fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, h := range f.onClose {
		if h.id == id {
			return
		}
	}
	f.onClose = append(f.onClose, closeHook{id, fn})
}

// RemoveOnLastClose forgets the hook registered under id, if any.
func (f *File) RemoveOnLastClose(id any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, h := range f.onClose {
		if h.id == id {
			f.onClose = append(f.onClose[:i], f.onClose[i+1:]...)
			return
		}
	}
}

// Read reads at the current offset (seekable files) or from the stream.
func (f *File) Read(p []byte) (int, errno.Errno) {
	if !f.Flags().Readable() {
		return 0, errno.EBADF
	}
	if !f.impl.Seekable() {
		return f.impl.Read(p)
	}
	if f.d.Inode != nil && f.d.Inode.Type() == TypeDirectory {
		return 0, errno.EISDIR
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	n, e := f.impl.ReadAt(p, f.off)
	f.off += int64(n)
	return n, e
}

// Write writes at the current offset (at the end with O_APPEND) or to the
// stream. With O_APPEND, finding the end and writing there is atomic with
// respect to every writer of the inode when the FileImpl is an Appender;
// otherwise only with respect to writers of this description.
func (f *File) Write(p []byte) (int, errno.Errno) {
	fl := f.Flags()
	if !fl.Writable() {
		return 0, errno.EBADF
	}
	if !f.impl.Seekable() {
		return f.impl.Write(p)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if fl&O_APPEND != 0 {
		n, end, e := f.appendLocked(p)
		if n > 0 {
			f.off = end // as Linux, a write of nothing leaves the offset
		}
		return n, e
	}
	n, e := f.impl.WriteAt(p, f.off)
	f.off += int64(n)
	return n, e
}

// appendLocked writes p at the end of the file and returns the offset just
// past what it wrote.
//
// Preconditions: f.mu is held; f.impl is seekable.
func (f *File) appendLocked(p []byte) (int, int64, errno.Errno) {
	if a, ok := f.impl.(Appender); ok {
		return a.Append(p)
	}
	st, e := f.impl.Stat()
	if e != 0 {
		return 0, 0, e
	}
	n, e := f.impl.WriteAt(p, st.Size)
	return n, st.Size + int64(n), e
}

// Pread reads at off without moving the offset.
func (f *File) Pread(p []byte, off int64) (int, errno.Errno) {
	if !f.Flags().Readable() {
		return 0, errno.EBADF
	}
	if !f.impl.Seekable() {
		return 0, errno.ESPIPE
	}
	if off < 0 {
		return 0, errno.EINVAL
	}
	if f.d.Inode != nil && f.d.Inode.Type() == TypeDirectory {
		return 0, errno.EISDIR
	}
	return f.impl.ReadAt(p, off)
}

// Pwrite writes at off without moving the offset. As on Linux, a
// description with O_APPEND writes at the end of the file instead (off is
// only checked for being non-negative).
func (f *File) Pwrite(p []byte, off int64) (int, errno.Errno) {
	fl := f.Flags()
	if !fl.Writable() {
		return 0, errno.EBADF
	}
	if !f.impl.Seekable() {
		return 0, errno.ESPIPE
	}
	if off < 0 {
		return 0, errno.EINVAL
	}
	if fl&O_APPEND != 0 {
		f.mu.Lock()
		defer f.mu.Unlock()
		n, _, e := f.appendLocked(p)
		return n, e
	}
	return f.impl.WriteAt(p, off)
}

// Whence values for Seek (Linux numbering).
const (
	SeekSet = 0
	SeekCur = 1
	SeekEnd = 2
)

// Lseek moves the offset (lseek(2)).
//
// # Errors
//   - ESPIPE: the file is a stream.
//   - EINVAL: bad whence or a negative result.
func (f *File) Lseek(off int64, whence int) (int64, errno.Errno) {
	if !f.impl.Seekable() {
		return 0, errno.ESPIPE
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var base int64
	switch whence {
	case SeekSet:
	case SeekCur:
		base = f.off
	case SeekEnd:
		st, e := f.impl.Stat()
		if e != 0 {
			return 0, e
		}
		base = st.Size
	default:
		return 0, errno.EINVAL
	}
	nw := base + off
	if (off > 0 && nw < base) || nw < 0 {
		return 0, errno.EINVAL
	}
	f.off = nw
	return nw, 0
}

// Stat returns the open file's attributes (fstat).
func (f *File) Stat() (Stat, errno.Errno) {
	st, e := f.impl.Stat()
	if e != 0 {
		return Stat{}, e
	}
	if f.d.Mount != nil {
		st.Dev = f.d.Mount.Dev
	}
	return st, 0
}

// SetAttr changes the open file's attributes (ftruncate needs write access).
func (f *File) SetAttr(a SetAttr) errno.Errno {
	if a.Mask&SetSize != 0 {
		if !f.Flags().Writable() {
			return errno.EINVAL
		}
		if a.Size < 0 {
			return errno.EINVAL
		}
	}
	if f.d.Mount != nil && f.d.Mount.ReadOnly {
		return errno.EROFS
	}
	return f.impl.SetAttr(a)
}

// Sync flushes the file.
func (f *File) Sync(dataOnly bool) errno.Errno { return f.impl.Sync(dataOnly) }

// Readiness returns which of mask's events are ready.
func (f *File) Readiness(mask Events) Events { return f.impl.Readiness(mask) }

// ReadDir returns the entries of an open directory from position cookie on,
// "." and ".." first. The listing is snapshotted when cookie is 0, so a
// reader that rewinds sees changes, and one that pages does not see
// duplicates.
//
// The inode number of ".." is that of the parent directory within the same
// file system, found at snapshot time by resolving the parent of the path
// the directory was opened by. As on Linux, the root of a mounted file
// system is its own "..": getdents does not cross mounts (stat of "dir/.."
// does). When the parent cannot be found (the directory was moved or
// removed since it was opened, or was not opened through a Namespace), ".."
// falls back to the directory's own inode number.
func (f *File) ReadDir(cookie uint64) ([]Dirent, errno.Errno) {
	if f.d.Inode != nil && f.d.Inode.Type() != TypeDirectory {
		return nil, errno.ENOTDIR
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if cookie == 0 || f.dirents == nil {
		list, e := f.impl.ReadDir()
		if e != 0 {
			return nil, e
		}
		var ino uint64
		if st, e := f.impl.Stat(); e == 0 {
			ino = st.Ino
		}
		all := make([]Dirent, 0, len(list)+2)
		all = append(all, Dirent{Name: ".", Ino: ino, Type: TypeDirectory}, Dirent{Name: "..", Ino: f.parentIno(ino), Type: TypeDirectory})
		f.dirents = append(all, list...)
	}
	if cookie >= uint64(len(f.dirents)) {
		return nil, 0
	}
	return f.dirents[cookie:], 0
}

// parentIno returns the inode number for the ".." entry of the directory
// whose own number is self (see ReadDir).
func (f *File) parentIno(self uint64) uint64 {
	if f.ns == nil || f.d.Mount == nil || f.d.Path == f.d.Mount.Path {
		return self
	}
	k := strings.LastIndexByte(f.d.Path, '/')
	dir, name := f.d.Path[:k], f.d.Path[k+1:]
	if dir == "" {
		dir = "/"
	}
	pd, e := f.ns.Resolve(dir, false)
	if e != 0 || pd.Mount != f.d.Mount || pd.Inode.Type() != TypeDirectory {
		return self
	}
	// After a rename the old path may name another directory: the parent
	// counts only if it still holds this one under the same name.
	c, e := pd.Inode.Lookup(name)
	if e != 0 {
		return self
	}
	if cst, e := c.Stat(); e != 0 || cst.Ino != self {
		return self
	}
	st, e := pd.Inode.Stat()
	if e != 0 {
		return self
	}
	return st.Ino
}
