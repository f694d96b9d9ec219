// Package ramfs is an in-memory file system, the mount type behind /tmp and
// /dev/shm. It supports regular files (sparse, paged), directories, symbolic
// links, hard links, rename, chmod and nanosecond times, with optional limits
// on the bytes of file data and on the number of inodes (ENOSPC when
// exceeded). An unlinked file stays usable through descriptors that are
// still open; its memory is released when the last one is closed.
//
// Access times are not updated by reads (as with noatime); they change only
// through SetAttr. O_APPEND writes are atomic per inode: file.Append finds
// the end and writes there under one hold of inode.mu.
//
// Lock order: FileSystem.tree (the shape of the tree: every directory's
// children, parent pointers, link counts) is taken before inode.mu (data and
// attributes of one inode). At most one inode.mu is held at a time. Usage
// counters are atomic and need no lock. ramfs never calls back into vfs.
package ramfs

import (
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
)

// Name is the mount type name.
const Name = "ramfs"

// PageSize is the unit in which file data is allocated and counted against
// Options.MaxBytes.
const PageSize = 4096

// maxFileSize is the largest file size, as Linux's MAX_LFS_FILESIZE.
const maxFileSize = 1<<63 - 1

// Options configure a FileSystem. The zero value means no limits.
type Options struct {
	// MaxBytes limits the file data held, counted in whole pages; 0 means
	// no limit.
	MaxBytes int64
	// MaxInodes limits the number of live inodes (the root included); 0
	// means no limit.
	MaxInodes int64
	// RootMode is the permission bits of the root directory; 0 means 0o1777.
	RootMode uint32
}

// FileSystem is one ramfs instance.
type FileSystem struct {
	opts Options
	root *inode

	tree sync.RWMutex // guards the tree shape; see package comment

	nextIno atomic.Uint64
	bytes   atomic.Int64 // allocated page bytes
	inodes  atomic.Int64 // live inodes
}

var (
	_ vfs.FileSystem = (*FileSystem)(nil)
	_ vfs.Inode      = (*inode)(nil)
	_ vfs.FileImpl   = (*file)(nil)
	_ vfs.Appender   = (*file)(nil)
)

// New returns an empty file system.
func New(opts Options) *FileSystem {
	fs := &FileSystem{opts: opts}
	mode := opts.RootMode
	if mode == 0 {
		mode = 0o1777
	}
	fs.root = fs.newInode(vfs.TypeDirectory, mode)
	fs.root.nlink = 2
	fs.inodes.Store(1)
	return fs
}

// Root implements vfs.FileSystem.
func (fs *FileSystem) Root() vfs.Inode { return fs.root }

// Type implements vfs.FileSystem.
func (fs *FileSystem) Type() string { return Name }

// Usage is how much of a FileSystem's limits is in use.
type Usage struct {
	Bytes, MaxBytes   int64
	Inodes, MaxInodes int64
}

// Usage returns the current usage (for statfs).
func (fs *FileSystem) Usage() Usage {
	return Usage{Bytes: fs.bytes.Load(), MaxBytes: fs.opts.MaxBytes,
		Inodes: fs.inodes.Load(), MaxInodes: fs.opts.MaxInodes}
}

func now() int64 { return time.Now().UnixNano() }

func (fs *FileSystem) newInode(t vfs.FileType, perm uint32) *inode {
	ts := now()
	in := &inode{fs: fs, ino: fs.nextIno.Add(1), typ: t, perm: perm & 0o7777,
		atime: ts, mtime: ts, ctime: ts}
	switch t {
	case vfs.TypeDirectory:
		in.children = map[string]*inode{}
	case vfs.TypeRegular:
		in.pages = map[int64]*page{}
	}
	return in
}

// reserveInode counts one more inode against the limit.
func (fs *FileSystem) reserveInode() errno.Errno {
	if n := fs.inodes.Add(1); fs.opts.MaxInodes > 0 && n > fs.opts.MaxInodes {
		fs.inodes.Add(-1)
		return errno.ENOSPC
	}
	return 0
}

// reservePage counts one more page against the limit.
func (fs *FileSystem) reservePage() bool {
	if n := fs.bytes.Add(PageSize); fs.opts.MaxBytes > 0 && n > fs.opts.MaxBytes {
		fs.bytes.Add(-PageSize)
		return false
	}
	return true
}

type page [PageSize]byte

// inode is every kind of ramfs inode.
type inode struct {
	vfs.UnimplementedInode
	fs  *FileSystem
	ino uint64
	typ vfs.FileType

	// Guarded by fs.tree (directories only).
	children map[string]*inode
	parent   *inode

	mu       sync.RWMutex // guards the fields below
	perm     uint32
	uid, gid uint32 // root's (0) until a chown
	nlink    uint64 // written with fs.tree held too
	opens    int
	released bool
	atime    int64
	mtime    int64
	ctime    int64
	size     int64           // regular files
	pages    map[int64]*page // regular files; absent pages read as zeros
	target   string          // symlinks
}

func (in *inode) Type() vfs.FileType { return in.typ }

func (in *inode) Stat() (vfs.Stat, errno.Errno) {
	in.mu.RLock()
	defer in.mu.RUnlock()
	st := vfs.Stat{
		Ino:   in.ino,
		Mode:  in.typ.ModeBits() | in.perm,
		Nlink: in.nlink,
		Uid:   in.uid,
		Gid:   in.gid,
		Atime: in.atime,
		Mtime: in.mtime,
		Ctime: in.ctime,
	}
	switch in.typ {
	case vfs.TypeRegular:
		st.Size = in.size
		st.Blocks = int64(len(in.pages)) * (PageSize / 512)
	case vfs.TypeSymlink:
		st.Size = int64(len(in.target))
	}
	return st, 0
}

func (in *inode) SetAttr(a vfs.SetAttr) errno.Errno {
	if a.Mask&vfs.SetSize != 0 {
		switch {
		case in.typ == vfs.TypeDirectory:
			return errno.EISDIR
		case in.typ != vfs.TypeRegular || a.Size < 0:
			return errno.EINVAL
		}
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	ts := now()
	if a.Mask&vfs.SetSize != 0 {
		in.truncateLocked(a.Size)
		in.mtime = ts
	}
	if a.Mask&vfs.SetMode != 0 {
		in.perm = a.Mode & 0o7777
	}
	if a.Mask&vfs.SetUid != 0 {
		in.uid = a.Uid
	}
	if a.Mask&vfs.SetGid != 0 {
		in.gid = a.Gid
	}
	in.perm = vfs.ChownMode(in.typ, in.perm, a.Mask)
	switch {
	case a.Mask&vfs.SetAtimeNow != 0:
		in.atime = ts
	case a.Mask&vfs.SetAtime != 0:
		in.atime = a.Atime
	}
	switch {
	case a.Mask&vfs.SetMtimeNow != 0:
		in.mtime = ts
	case a.Mask&vfs.SetMtime != 0:
		in.mtime = a.Mtime
	}
	in.ctime = ts
	return 0
}

// truncateLocked sets the size, freeing pages past it and zeroing the tail
// of the last partial page so that growing again reads zeros.
//
// Preconditions: in.mu is held for writing.
func (in *inode) truncateLocked(size int64) {
	if size < in.size {
		last := size / PageSize
		for idx := range in.pages {
			if idx > last || (idx == last && size%PageSize == 0) {
				delete(in.pages, idx)
				in.fs.bytes.Add(-PageSize)
			}
		}
		if p := in.pages[last]; p != nil {
			clear(p[size%PageSize:])
		}
	}
	in.size = size
}

func (in *inode) Open(flags vfs.OpenFlags) (vfs.FileImpl, errno.Errno) {
	if in.typ == vfs.TypeDirectory && flags.Writable() {
		return nil, errno.EISDIR
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.released {
		// Removed after the caller looked it up.
		return nil, errno.ENOENT
	}
	in.opens++
	return &file{in: in}, 0
}

func (in *inode) Readlink() (string, errno.Errno) {
	if in.typ != vfs.TypeSymlink {
		return "", errno.EINVAL
	}
	in.mu.RLock()
	defer in.mu.RUnlock()
	return in.target, 0
}

func (in *inode) Lookup(name string) (vfs.Inode, errno.Errno) {
	if in.typ != vfs.TypeDirectory {
		return nil, errno.ENOTDIR
	}
	in.fs.tree.RLock()
	defer in.fs.tree.RUnlock()
	c, ok := in.children[name]
	if !ok {
		return nil, errno.ENOENT
	}
	return c, 0
}

func (in *inode) ReadDir() ([]vfs.Dirent, errno.Errno) {
	if in.typ != vfs.TypeDirectory {
		return nil, errno.ENOTDIR
	}
	in.fs.tree.RLock()
	defer in.fs.tree.RUnlock()
	out := make([]vfs.Dirent, 0, len(in.children))
	for name, c := range in.children {
		out = append(out, vfs.Dirent{Name: name, Ino: c.ino, Type: c.typ})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, 0
}

// touch updates a directory's mtime and ctime after a change.
func (in *inode) touch() {
	ts := now()
	in.mu.Lock()
	in.mtime, in.ctime = ts, ts
	in.mu.Unlock()
}

// addNlink changes the link count.
//
// Preconditions: fs.tree is held for writing.
func (in *inode) addNlink(d int64, ctime bool) {
	in.mu.Lock()
	in.nlink = uint64(int64(in.nlink) + d)
	if ctime {
		in.ctime = now()
	}
	in.mu.Unlock()
}

// dead reports whether a directory has been removed.
//
// Preconditions: fs.tree is held.
func (in *inode) dead() bool {
	in.mu.RLock()
	defer in.mu.RUnlock()
	return in.nlink == 0
}

// insert makes a new inode of type t called name in directory in.
func (in *inode) insert(name string, t vfs.FileType, perm uint32, init func(*inode)) (*inode, errno.Errno) {
	if in.typ != vfs.TypeDirectory {
		return nil, errno.ENOTDIR
	}
	fs := in.fs
	fs.tree.Lock()
	defer fs.tree.Unlock()
	if _, ok := in.children[name]; ok {
		return nil, errno.EEXIST
	}
	if in.dead() {
		return nil, errno.ENOENT
	}
	if e := fs.reserveInode(); e != 0 {
		return nil, e
	}
	c := fs.newInode(t, perm)
	c.nlink = 1
	if init != nil {
		init(c)
	}
	in.children[name] = c
	in.touch()
	return c, 0
}

func (in *inode) Create(name string, perm uint32) (vfs.Inode, errno.Errno) {
	c, e := in.insert(name, vfs.TypeRegular, perm, nil)
	if e != 0 {
		return nil, e
	}
	return c, 0
}

func (in *inode) Mkdir(name string, perm uint32) errno.Errno {
	_, e := in.insert(name, vfs.TypeDirectory, perm, func(c *inode) {
		c.nlink = 2
		c.parent = in
		in.addNlink(1, false)
	})
	return e
}

func (in *inode) Symlink(name, target string) errno.Errno {
	_, e := in.insert(name, vfs.TypeSymlink, 0o777, func(c *inode) { c.target = target })
	return e
}

func (in *inode) Link(name string, target vfs.Inode) errno.Errno {
	if in.typ != vfs.TypeDirectory {
		return errno.ENOTDIR
	}
	t, ok := target.(*inode)
	if !ok || t.fs != in.fs {
		return errno.EXDEV
	}
	if t.typ == vfs.TypeDirectory {
		return errno.EPERM
	}
	fs := in.fs
	fs.tree.Lock()
	defer fs.tree.Unlock()
	if _, ok := in.children[name]; ok {
		return errno.EEXIST
	}
	if in.dead() || t.dead() {
		return errno.ENOENT
	}
	in.children[name] = t
	t.addNlink(1, true)
	in.touch()
	return 0
}

func (in *inode) Unlink(name string) errno.Errno {
	if in.typ != vfs.TypeDirectory {
		return errno.ENOTDIR
	}
	fs := in.fs
	fs.tree.Lock()
	defer fs.tree.Unlock()
	c, ok := in.children[name]
	if !ok {
		return errno.ENOENT
	}
	if c.typ == vfs.TypeDirectory {
		return errno.EISDIR
	}
	delete(in.children, name)
	c.dropLink()
	in.touch()
	return 0
}

func (in *inode) Rmdir(name string) errno.Errno {
	if in.typ != vfs.TypeDirectory {
		return errno.ENOTDIR
	}
	fs := in.fs
	fs.tree.Lock()
	defer fs.tree.Unlock()
	c, ok := in.children[name]
	if !ok {
		return errno.ENOENT
	}
	if c.typ != vfs.TypeDirectory {
		return errno.ENOTDIR
	}
	if len(c.children) > 0 {
		return errno.ENOTEMPTY
	}
	delete(in.children, name)
	in.removeDir(c)
	in.touch()
	return 0
}

// removeDir accounts for the removal of the empty directory c from in.
//
// Preconditions: fs.tree is held for writing; c is no longer in in.children.
func (in *inode) removeDir(c *inode) {
	in.addNlink(-1, false)
	c.mu.Lock()
	c.nlink = 0
	c.ctime = now()
	c.mu.Unlock()
	c.parent = nil
	c.maybeRelease()
}

// dropLink removes one link to a non-directory.
//
// Preconditions: fs.tree is held for writing.
func (in *inode) dropLink() {
	in.addNlink(-1, true)
	in.maybeRelease()
}

// maybeRelease frees the inode's memory and accounting once it has neither
// names nor open files.
func (in *inode) maybeRelease() {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.nlink != 0 || in.opens != 0 || in.released {
		return
	}
	in.released = true
	if in.pages != nil {
		in.fs.bytes.Add(-int64(len(in.pages)) * PageSize)
		in.pages = map[int64]*page{}
	}
	in.fs.inodes.Add(-1)
}

func (in *inode) Rename(oldName string, newDir vfs.Inode, newName string) errno.Errno {
	if in.typ != vfs.TypeDirectory {
		return errno.ENOTDIR
	}
	nd, ok := newDir.(*inode)
	if !ok || nd.fs != in.fs {
		return errno.EXDEV
	}
	if nd.typ != vfs.TypeDirectory {
		return errno.ENOTDIR
	}
	fs := in.fs
	fs.tree.Lock()
	defer fs.tree.Unlock()
	src, ok := in.children[oldName]
	if !ok {
		return errno.ENOENT
	}
	if nd.dead() {
		return errno.ENOENT
	}
	dst := nd.children[newName]
	if dst == src {
		return 0
	}
	if src.typ == vfs.TypeDirectory {
		for p := nd; p != nil; p = p.parent {
			if p == src {
				return errno.EINVAL
			}
		}
	}
	if dst != nil {
		if e := vfs.CheckReplace(src.typ == vfs.TypeDirectory, dst.typ == vfs.TypeDirectory, len(dst.children) == 0); e != 0 {
			return e
		}
		delete(nd.children, newName)
		if dst.typ == vfs.TypeDirectory {
			nd.removeDir(dst)
		} else {
			dst.dropLink()
		}
	}
	delete(in.children, oldName)
	nd.children[newName] = src
	if src.typ == vfs.TypeDirectory && in != nd {
		in.addNlink(-1, false)
		nd.addNlink(1, false)
		src.parent = nd
	}
	src.mu.Lock()
	src.ctime = now()
	src.mu.Unlock()
	in.touch()
	if nd != in {
		nd.touch()
	}
	return 0
}

// file is an open ramfs inode.
type file struct {
	vfs.UnimplementedFile
	in     *inode
	closed atomic.Bool
}

func (f *file) Seekable() bool { return true }

func (f *file) ReadAt(p []byte, off int64) (int, errno.Errno) {
	in := f.in
	switch {
	case in.typ == vfs.TypeDirectory:
		return 0, errno.EISDIR
	case in.typ != vfs.TypeRegular:
		return 0, errno.EINVAL
	case off < 0:
		return 0, errno.EINVAL
	}
	in.mu.RLock()
	defer in.mu.RUnlock()
	if off >= in.size {
		return 0, 0
	}
	if rem := in.size - off; int64(len(p)) > rem {
		p = p[:rem]
	}
	n := 0
	for n < len(p) {
		pos := off + int64(n)
		idx, po := pos/PageSize, int(pos%PageSize)
		chunk := p[n:min(len(p), n+PageSize-po)]
		if pg := in.pages[idx]; pg != nil {
			copy(chunk, pg[po:])
		} else {
			clear(chunk)
		}
		n += len(chunk)
	}
	return n, 0
}

func (f *file) WriteAt(p []byte, off int64) (int, errno.Errno) {
	in := f.in
	if e := in.checkWrite(); e != 0 {
		return 0, e
	}
	if off < 0 {
		return 0, errno.EINVAL
	}
	if len(p) == 0 {
		return 0, 0
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.writeLocked(p, off)
}

// Append implements vfs.Appender: the end is read and written under one
// hold of in.mu.
func (f *file) Append(p []byte) (int, int64, errno.Errno) {
	in := f.in
	if e := in.checkWrite(); e != 0 {
		return 0, 0, e
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	off := in.size
	if len(p) == 0 {
		return 0, off, 0
	}
	n, e := in.writeLocked(p, off)
	return n, off + int64(n), e
}

// checkWrite reports why the inode cannot be written as a regular file.
func (in *inode) checkWrite() errno.Errno {
	switch {
	case in.typ == vfs.TypeDirectory:
		return errno.EISDIR
	case in.typ != vfs.TypeRegular:
		return errno.EINVAL
	}
	return 0
}

// writeLocked writes the non-empty p at off, allocating pages as needed; a
// write cut short by the MaxBytes limit returns what fit, or ENOSPC if
// nothing did.
//
// Preconditions: in.mu is held for writing; in is a regular file; off >= 0.
func (in *inode) writeLocked(p []byte, off int64) (int, errno.Errno) {
	if off > maxFileSize-int64(len(p)) {
		return 0, errno.EFBIG
	}
	n := 0
	for n < len(p) {
		pos := off + int64(n)
		idx, po := pos/PageSize, int(pos%PageSize)
		pg := in.pages[idx]
		if pg == nil {
			if !in.fs.reservePage() {
				break
			}
			pg = new(page)
			in.pages[idx] = pg
		}
		n += copy(pg[po:], p[n:])
	}
	if end := off + int64(n); end > in.size {
		in.size = end
	}
	if n == 0 {
		return 0, errno.ENOSPC
	}
	ts := now()
	in.mtime, in.ctime = ts, ts
	return n, 0
}

func (f *file) Stat() (vfs.Stat, errno.Errno) { return f.in.Stat() }

func (f *file) SetAttr(a vfs.SetAttr) errno.Errno { return f.in.SetAttr(a) }

func (f *file) Sync(bool) errno.Errno { return 0 }

func (f *file) ReadDir() ([]vfs.Dirent, errno.Errno) { return f.in.ReadDir() }

func (f *file) Close() errno.Errno {
	if f.closed.Swap(true) {
		return errno.EBADF
	}
	in := f.in
	in.mu.Lock()
	in.opens--
	in.mu.Unlock()
	// maybeRelease reads nlink, which changes only under fs.tree.
	in.fs.tree.RLock()
	in.maybeRelease()
	in.fs.tree.RUnlock()
	return 0
}
