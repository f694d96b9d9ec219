package unionfs

import (
	"sync"
	"sync/atomic"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
)

// layerFile is an open file of one layer.
type layerFile struct {
	layer int
	impl  vfs.FileImpl
}

// file is an open regular file or symbolic link. A file opened for writing
// is always one of the upper layer (opening copies up). One opened for
// reading from a lower layer moves to the upper copy at its first
// operation after the file was copied up, so every reader sees what
// writers wrote; its lower file is closed with it.
type file struct {
	vfs.UnimplementedFile
	n     *node
	flags vfs.OpenFlags
	cur   atomic.Pointer[layerFile]

	mu     sync.Mutex   // serializes the move to the upper copy
	old    vfs.FileImpl // the lower file, after the move; guarded by mu
	closed atomic.Bool
}

func newFile(n *node, layer int, impl vfs.FileImpl, flags vfs.OpenFlags) *file {
	f := &file{n: n, flags: flags &^ (vfs.O_TRUNC | vfs.O_CREAT | vfs.O_EXCL)}
	f.cur.Store(&layerFile{layer, impl})
	return f
}

// current returns the layer file to use, moving to the upper copy if the
// file has been copied up since it was opened.
func (f *file) current() *layerFile {
	lf := f.cur.Load()
	if lf.layer == 0 {
		return lf
	}
	u := f.n.upperInode()
	if u == nil {
		return lf
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if lf = f.cur.Load(); lf.layer == 0 {
		return lf
	}
	impl, e := u.Open(f.flags)
	if e != 0 {
		return lf // removed since: keep reading the lower file
	}
	f.old = lf.impl
	lf = &layerFile{0, impl}
	f.cur.Store(lf)
	return lf
}

func (f *file) Seekable() bool { return f.cur.Load().impl.Seekable() }

func (f *file) Read(p []byte) (int, errno.Errno)  { return f.current().impl.Read(p) }
func (f *file) Write(p []byte) (int, errno.Errno) { return f.current().impl.Write(p) }

func (f *file) ReadAt(p []byte, off int64) (int, errno.Errno) {
	return f.current().impl.ReadAt(p, off)
}

func (f *file) WriteAt(p []byte, off int64) (int, errno.Errno) {
	return f.current().impl.WriteAt(p, off)
}

// Append implements vfs.Appender by forwarding to the upper layer's file;
// without one, it writes at the size Stat reports, as vfs would.
func (f *file) Append(p []byte) (int, int64, errno.Errno) {
	lf := f.current()
	if a, ok := lf.impl.(vfs.Appender); ok {
		return a.Append(p)
	}
	st, e := lf.impl.Stat()
	if e != 0 {
		return 0, 0, e
	}
	n, e := lf.impl.WriteAt(p, st.Size)
	return n, st.Size + int64(n), e
}

func (f *file) Stat() (vfs.Stat, errno.Errno) {
	lf := f.current()
	st, e := lf.impl.Stat()
	if e != 0 {
		return vfs.Stat{}, e
	}
	st.Ino = f.n.fs.ino(lf.layer, st.Ino)
	f.n.countLinks(lf.layer, &st)
	return st, 0
}

// SetAttr changes the upper file; on a file still reading a lower layer it
// copies the file up first (fchmod, futimens).
func (f *file) SetAttr(a vfs.SetAttr) errno.Errno {
	if lf := f.current(); lf.layer == 0 {
		return lf.impl.SetAttr(a)
	}
	return f.n.SetAttr(a)
}

func (f *file) Sync(dataOnly bool) errno.Errno { return f.current().impl.Sync(dataOnly) }

func (f *file) Readiness(mask vfs.Events) vfs.Events { return f.current().impl.Readiness(mask) }

func (f *file) Close() errno.Errno {
	if f.closed.Swap(true) {
		return errno.EBADF
	}
	f.mu.Lock()
	old := f.old
	f.mu.Unlock()
	if old != nil {
		old.Close()
	}
	return f.cur.Load().impl.Close()
}

// dirFile is an open directory: everything is answered by the node.
type dirFile struct {
	vfs.UnimplementedFile
	n *node
}

func (d *dirFile) Seekable() bool                          { return true }
func (d *dirFile) ReadAt([]byte, int64) (int, errno.Errno) { return 0, errno.EISDIR }
func (d *dirFile) Stat() (vfs.Stat, errno.Errno)           { return d.n.Stat() }
func (d *dirFile) SetAttr(a vfs.SetAttr) errno.Errno       { return d.n.SetAttr(a) }
func (d *dirFile) ReadDir() ([]vfs.Dirent, errno.Errno)    { return d.n.ReadDir() }

// Sync flushes the upper directory, if there is one (nothing else can have
// changed).
func (d *dirFile) Sync(dataOnly bool) errno.Errno {
	u := d.n.upperInode()
	if u == nil {
		return 0
	}
	impl, e := u.Open(vfs.O_RDONLY | vfs.O_DIRECTORY)
	if e != 0 {
		return e
	}
	defer impl.Close()
	if e := impl.Sync(dataOnly); e != errno.EINVAL {
		return e
	}
	return 0
}
