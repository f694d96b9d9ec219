// Package pluginfs is the LibOS side of a file-system plugin: a vfs file
// system over an sdk.FS — in production a plugin process (sdk.Start),
// whose every reply the sdk client has already checked — with inodes that
// are paths, resolved by vfs one component at a time. It checks what the
// vfs layer relies on beyond single replies: that a file keeps its type
// (ESTALE otherwise), and that directory listings end.
//
// Every call carries a context with the plugin's deadline (sdk.Options
// .Timeout), so a hung plugin cannot wedge a process, even a killed one.
//
// A round trip to a plugin costs far more than a copy (~0.2 ms here), so
// data moves in large chunks: sequential reads are read ahead (up to
// sdk.MaxChunk at a time) and sequential writes are gathered (up to
// sdk.MaxChunk per file, 16 MiB in all) and sent when a call could see
// them — any read, stat, truncate, sync or close, and any open with
// O_TRUNC, flushes every gathered write first — so the LibOS's processes
// always see their own writes. Read-ahead data is dropped whenever
// anything is written through the mount. A write error found at a flush
// is reported by the next call on that description (at the latest its
// fsync or close), as with a page cache.
//
// Lock order: file.mu, then FS.mu (a leaf). No lock is held across a
// call to the plugin except file.mu (one description's own I/O).
package pluginfs

import (
	"context"
	"io"
	"path"
	"sync"
	"sync/atomic"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/plugins/sdk"
)

// Name is the mount type name.
const Name = "plugin"

// maxDirEntries bounds one directory listing (a plugin that never ends a
// listing gets EIO).
const maxDirEntries = 1 << 20

// FS is a plugin's file system mounted in the LibOS.
type FS struct {
	c  sdk.FS
	ro bool
	// stop ends the plugin (nil: nothing to stop).
	stop func() error

	// gen counts writes through the mount: read-ahead data of an older
	// generation is stale.
	gen atomic.Uint64
	// ndirty is len(dirty), read without mu on every call.
	ndirty atomic.Int32

	mu      sync.Mutex // guards dirty and pending
	dirty   map[*file]struct{}
	pending int // bytes gathered in all files
}

// maxPending bounds the bytes gathered for writing in all files.
const maxPending = 16 << 20

// flushAll sends every gathered write.
func (f *FS) flushAll() {
	if f.ndirty.Load() == 0 {
		return
	}
	f.mu.Lock()
	files := make([]*file, 0, len(f.dirty))
	for fl := range f.dirty {
		files = append(files, fl)
	}
	f.mu.Unlock()
	for _, fl := range files {
		fl.mu.Lock()
		fl.flushLocked()
		fl.mu.Unlock()
	}
}

var _ vfs.FileSystem = (*FS)(nil)

// New mounts c. stop, if set, is called by Close.
func New(c sdk.FS, stop func() error) *FS {
	_, ro := c.Info(context.Background())
	return &FS{c: c, ro: ro, stop: stop, dirty: map[*file]struct{}{}}
}

// Root implements vfs.FileSystem.
func (f *FS) Root() vfs.Inode { return &inode{fs: f, path: "/", typ: vfs.TypeDirectory} }

// Type implements vfs.FileSystem.
func (f *FS) Type() string { return Name }

// Close sends what is gathered and stops the plugin.
func (f *FS) Close() error {
	f.flushAll()
	if f.stop != nil {
		return f.stop()
	}
	return nil
}

var _ io.Closer = (*FS)(nil)

func ctx() context.Context { return context.Background() }

// inode is one path of the plugin's file system.
type inode struct {
	vfs.UnimplementedInode
	fs   *FS
	path string
	typ  vfs.FileType
}

func (n *inode) child(name string) string { return path.Join(n.path, name) }

func (n *inode) Type() vfs.FileType { return n.typ }

func (n *inode) Stat() (vfs.Stat, errno.Errno) {
	n.fs.flushAll()
	st, e := n.fs.c.Stat(ctx(), n.path, false)
	if e != 0 {
		return vfs.Stat{}, e
	}
	if st.Type() != n.typ {
		return vfs.Stat{}, errno.ESTALE // replaced by a file of another type
	}
	return st, 0
}

func (n *inode) SetAttr(a vfs.SetAttr) errno.Errno {
	if n.fs.ro {
		return errno.EROFS
	}
	n.fs.flushAll()
	n.fs.gen.Add(1)
	return n.fs.c.SetAttr(ctx(), n.path, 0, false, a)
}

func (n *inode) Open(flags vfs.OpenFlags) (vfs.FileImpl, errno.Errno) {
	if n.fs.ro && flags.Writable() {
		return nil, errno.EROFS
	}
	if n.typ == vfs.TypeDirectory {
		return &dir{n: n}, 0
	}
	h, st, e := n.fs.c.Open(ctx(), n.path, flags&(vfs.O_ACCMODE|vfs.O_APPEND|vfs.O_NONBLOCK), 0)
	if e != 0 {
		return nil, e
	}
	if st.Type() != n.typ {
		n.fs.c.Close(ctx(), h)
		return nil, errno.ESTALE
	}
	return &file{n: n, h: h}, 0
}

func (n *inode) Readlink() (string, errno.Errno) {
	if n.typ != vfs.TypeSymlink {
		return "", errno.EINVAL
	}
	return n.fs.c.Readlink(ctx(), n.path)
}

func (n *inode) Lookup(name string) (vfs.Inode, errno.Errno) {
	if n.typ != vfs.TypeDirectory {
		return nil, errno.ENOTDIR
	}
	st, e := n.fs.c.Stat(ctx(), n.child(name), false)
	if e != 0 {
		return nil, e
	}
	return &inode{fs: n.fs, path: n.child(name), typ: st.Type()}, 0
}

func (n *inode) ReadDir() ([]vfs.Dirent, errno.Errno) {
	if n.typ != vfs.TypeDirectory {
		return nil, errno.ENOTDIR
	}
	var out []vfs.Dirent
	var cookie uint64
	for {
		ents, next, eof, e := n.fs.c.ReadDir(ctx(), n.path, cookie, sdk.MaxDirPage)
		if e != 0 {
			return nil, e
		}
		out = append(out, ents...)
		if eof {
			return out, 0
		}
		if len(out) > maxDirEntries {
			return nil, errno.EIO
		}
		cookie = next
	}
}

func (n *inode) Create(name string, perm uint32) (vfs.Inode, errno.Errno) {
	if n.fs.ro {
		return nil, errno.EROFS
	}
	h, st, e := n.fs.c.Open(ctx(), n.child(name), vfs.O_CREAT|vfs.O_EXCL|vfs.O_WRONLY, perm)
	if e != 0 {
		return nil, e
	}
	n.fs.c.Close(ctx(), h)
	if st.Type() != vfs.TypeRegular {
		return nil, errno.EIO
	}
	return &inode{fs: n.fs, path: n.child(name), typ: vfs.TypeRegular}, 0
}

func (n *inode) Mkdir(name string, perm uint32) errno.Errno {
	if n.fs.ro {
		return errno.EROFS
	}
	return n.fs.c.Mkdir(ctx(), n.child(name), perm)
}

func (n *inode) Symlink(name, target string) errno.Errno {
	if n.fs.ro {
		return errno.EROFS
	}
	return n.fs.c.Symlink(ctx(), n.child(name), target)
}

func (n *inode) Link(name string, target vfs.Inode) errno.Errno {
	t, ok := target.(*inode)
	if !ok || t.fs != n.fs {
		return errno.EXDEV
	}
	if n.fs.ro {
		return errno.EROFS
	}
	return n.fs.c.Link(ctx(), t.path, n.child(name))
}

func (n *inode) Unlink(name string) errno.Errno {
	if n.fs.ro {
		return errno.EROFS
	}
	return n.fs.c.Unlink(ctx(), n.child(name))
}

func (n *inode) Rmdir(name string) errno.Errno {
	if n.fs.ro {
		return errno.EROFS
	}
	return n.fs.c.Rmdir(ctx(), n.child(name))
}

func (n *inode) Rename(oldName string, newDir vfs.Inode, newName string) errno.Errno {
	d, ok := newDir.(*inode)
	if !ok || d.fs != n.fs {
		return errno.EXDEV
	}
	if n.fs.ro {
		return errno.EROFS
	}
	return n.fs.c.Rename(ctx(), n.child(oldName), d.child(newName))
}

// file is an open non-directory.
type file struct {
	vfs.UnimplementedFile
	n *inode
	h uint64

	mu   sync.Mutex
	rbuf []byte // read-ahead: the bytes at roff, of generation rgen
	roff int64
	rgen uint64
	next int64  // where a sequential read goes on
	ra   int    // the read-ahead size now
	wbuf []byte // gathered writes, for woff onwards
	woff int64
	werr errno.Errno // a gathered write that failed, for the next call
}

var _ vfs.Appender = (*file)(nil)

func (f *file) Seekable() bool { return f.n.typ == vfs.TypeRegular || f.n.typ == vfs.TypeBlockDev }

// flushLocked sends the gathered writes.
//
// Preconditions: f.mu is held.
func (f *file) flushLocked() {
	if len(f.wbuf) == 0 {
		return
	}
	fs := f.n.fs
	data, off := f.wbuf, f.woff
	for len(data) > 0 {
		k, _, e := fs.c.Write(ctx(), f.h, off, data, false)
		if e != 0 || k == 0 {
			if e == 0 {
				e = errno.EIO
			}
			if f.werr == 0 {
				f.werr = e
			}
			break
		}
		data, off = data[k:], off+int64(k)
	}
	fs.gen.Add(1)
	fs.mu.Lock()
	fs.pending -= len(f.wbuf)
	delete(fs.dirty, f)
	fs.ndirty.Store(int32(len(fs.dirty)))
	fs.mu.Unlock()
	f.wbuf = f.wbuf[:0]
}

// takeErr returns and clears a gathered write's failure.
//
// Preconditions: f.mu is held.
func (f *file) takeErr() errno.Errno {
	e := f.werr
	f.werr = 0
	return e
}

func (f *file) ReadAt(p []byte, off int64) (int, errno.Errno) {
	if off < 0 {
		return 0, errno.EINVAL
	}
	fs := f.n.fs
	fs.flushAll()
	f.mu.Lock()
	defer f.mu.Unlock()
	if e := f.takeErr(); e != 0 {
		return 0, e
	}
	gen := fs.gen.Load()
	// From the read-ahead buffer.
	if f.rgen == gen && off >= f.roff && off < f.roff+int64(len(f.rbuf)) {
		n := copy(p, f.rbuf[off-f.roff:])
		f.next = off + int64(n)
		if n == len(p) {
			return n, 0
		}
		k, e := f.readLocked(p[n:], off+int64(n), gen)
		if e != 0 {
			return n, 0
		}
		return n + k, 0
	}
	return f.readLocked(p, off, gen)
}

// readLocked reads p at off from the plugin, reading ahead when the
// reads are sequential.
//
// Preconditions: f.mu is held.
func (f *file) readLocked(p []byte, off int64, gen uint64) (int, errno.Errno) {
	fs := f.n.fs
	if off == f.next && len(p) < sdk.MaxChunk {
		f.ra = min(max(2*f.ra, 128<<10), sdk.MaxChunk)
	} else {
		f.ra = 0
	}
	if f.ra <= len(p) {
		n, e := fs.c.Read(ctx(), f.h, off, p)
		f.next = off + int64(n)
		return n, e
	}
	buf := f.rbuf[:0]
	if cap(buf) < f.ra {
		buf = make([]byte, f.ra)
	}
	buf = buf[:f.ra]
	n, e := fs.c.Read(ctx(), f.h, off, buf)
	if e != 0 {
		f.rbuf = f.rbuf[:0]
		return 0, e
	}
	f.rbuf, f.roff, f.rgen = buf[:n], off, gen
	k := copy(p, f.rbuf)
	f.next = off + int64(k)
	return k, 0
}

func (f *file) WriteAt(p []byte, off int64) (int, errno.Errno) {
	if off < 0 {
		return 0, errno.EINVAL
	}
	fs := f.n.fs
	f.mu.Lock()
	defer f.mu.Unlock()
	if e := f.takeErr(); e != 0 {
		return 0, e
	}
	fs.gen.Add(1)
	// Gather a write that continues the gathered ones, while it fits.
	if len(p) < sdk.MaxChunk && (len(f.wbuf) == 0 || off == f.woff+int64(len(f.wbuf))) && len(f.wbuf)+len(p) <= sdk.MaxChunk {
		fs.mu.Lock()
		fits := fs.pending+len(p) <= maxPending
		if fits {
			fs.pending += len(p)
			fs.dirty[f] = struct{}{}
			fs.ndirty.Store(int32(len(fs.dirty)))
		}
		fs.mu.Unlock()
		if fits {
			if len(f.wbuf) == 0 {
				f.woff = off
			}
			f.wbuf = append(f.wbuf, p...)
			if len(f.wbuf) >= sdk.MaxChunk {
				f.flushLocked()
				if e := f.takeErr(); e != 0 {
					return 0, e
				}
			}
			return len(p), 0
		}
	}
	f.flushLocked()
	if e := f.takeErr(); e != 0 {
		return 0, e
	}
	n, _, e := fs.c.Write(ctx(), f.h, off, p, false)
	return n, e
}

// Append implements vfs.Appender: the plugin appends atomically.
func (f *file) Append(p []byte) (int, int64, errno.Errno) {
	f.n.fs.flushAll()
	f.n.fs.gen.Add(1)
	f.mu.Lock()
	e := f.takeErr()
	f.mu.Unlock()
	if e != 0 {
		return 0, 0, e
	}
	return f.n.fs.c.Write(ctx(), f.h, 0, p, true)
}

func (f *file) Read(p []byte) (int, errno.Errno) {
	f.n.fs.flushAll()
	return f.n.fs.c.Read(ctx(), f.h, 0, p)
}

func (f *file) Write(p []byte) (int, errno.Errno) {
	f.n.fs.flushAll()
	f.n.fs.gen.Add(1)
	n, _, e := f.n.fs.c.Write(ctx(), f.h, 0, p, false)
	return n, e
}

func (f *file) Stat() (vfs.Stat, errno.Errno) {
	f.n.fs.flushAll()
	return f.n.fs.c.Fstat(ctx(), f.h)
}

func (f *file) SetAttr(a vfs.SetAttr) errno.Errno {
	f.n.fs.flushAll()
	f.n.fs.gen.Add(1)
	return f.n.fs.c.SetAttr(ctx(), f.n.path, f.h, true, a)
}

func (f *file) Sync(dataOnly bool) errno.Errno {
	f.mu.Lock()
	f.flushLocked()
	e := f.takeErr()
	f.mu.Unlock()
	if e != 0 {
		return e
	}
	return f.n.fs.c.Sync(ctx(), f.h, dataOnly)
}

func (f *file) Close() errno.Errno {
	f.mu.Lock()
	f.flushLocked()
	e := f.takeErr()
	f.mu.Unlock()
	if ce := f.n.fs.c.Close(ctx(), f.h); e == 0 {
		e = ce
	}
	return e
}

// dir is an open directory: listings go by path.
type dir struct {
	vfs.UnimplementedFile
	n *inode
}

func (d *dir) Seekable() bool                          { return true }
func (d *dir) ReadAt([]byte, int64) (int, errno.Errno) { return 0, errno.EISDIR }
func (d *dir) Stat() (vfs.Stat, errno.Errno)           { return d.n.Stat() }

// ReadDir lists the directory by its path; one removed while open lists
// empty, as on Linux (one renamed while open does too: listings go by
// path in this protocol).
func (d *dir) ReadDir() ([]vfs.Dirent, errno.Errno) {
	ents, e := d.n.ReadDir()
	if e == errno.ENOENT {
		return nil, 0
	}
	return ents, e
}
func (d *dir) SetAttr(a vfs.SetAttr) errno.Errno { return d.n.SetAttr(a) }
func (d *dir) Sync(bool) errno.Errno             { return 0 }
