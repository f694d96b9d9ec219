// Package fuseview shows a vfs.FileSystem on the host through FUSE: it
// adapts vfs's Inode and FileImpl to the node API of go-fuse
// (github.com/hanwen/go-fuse/v2/fs). `occlum mount` uses it to show an
// instance's secure root (docs/mount.md); any mount type can be shown the
// same way.
//
// The host kernel resolves paths (".", "..", symbolic links), checks
// names, permissions of the open descriptor and rename loops, so the
// adapter works on inodes, as vfs's file systems do: each FUSE node holds
// the vfs.Inode it was looked up as, its number is the vfs inode number
// (st_ino), its type and permission bits, owners, sizes and times are
// vfs.Stat's. Errors are the file system's own errno values (core/errno
// numbers are Linux's, so they pass as they are). What vfs.Namespace does
// above the file systems and the kernel does not (O_TRUNC through SetAttr,
// refusing writes on a read-only view) is done here.
//
// Owners are shown as stored (root, in sefs). No permission checks are
// made beyond the kernel's: the mount is for the mounting user only (no
// allow_other), and that user may read and change everything, as root in
// the LibOS may.
//
// Lock order: handle.mu (one open file) is held across one FileImpl call,
// as vfs.File holds its mutex: a FileImpl is called one call at a time.
// The file system's locks are below it. A node's inode is an atomic
// pointer.
package fuseview

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
	"syscall"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
)

// Options configure a view.
type Options struct {
	// ReadOnly refuses every change with EROFS (and Mount mounts the
	// view read-only).
	ReadOnly bool
}

// view is what every node of one view shares.
type view struct {
	fsys     vfs.FileSystem
	readOnly bool
}

// node is a FUSE node over a vfs.Inode.
type node struct {
	gofs.Inode
	v  *view
	in atomic.Pointer[inodeRef]
}

type inodeRef struct{ vfs.Inode }

func (n *node) inode() vfs.Inode { return n.in.Load().Inode }

var (
	_ gofs.NodeLookuper       = (*node)(nil)
	_ gofs.NodeGetattrer      = (*node)(nil)
	_ gofs.NodeSetattrer      = (*node)(nil)
	_ gofs.NodeOpendirHandler = (*node)(nil)
	_ gofs.NodeOpener         = (*node)(nil)
	_ gofs.NodeCreater        = (*node)(nil)
	_ gofs.NodeMkdirer        = (*node)(nil)
	_ gofs.NodeMknoder        = (*node)(nil)
	_ gofs.NodeUnlinker       = (*node)(nil)
	_ gofs.NodeRmdirer        = (*node)(nil)
	_ gofs.NodeRenamer        = (*node)(nil)
	_ gofs.NodeSymlinker      = (*node)(nil)
	_ gofs.NodeReadlinker     = (*node)(nil)
	_ gofs.NodeLinker         = (*node)(nil)
	_ gofs.NodeFsyncer        = (*node)(nil)
	_ gofs.NodeStatfser       = (*node)(nil)
	_ gofs.NodeAccesser       = (*node)(nil)
)

// errnoOf is the one place a vfs error becomes a FUSE one: core/errno
// numbers are Linux's.
func errnoOf(e errno.Errno) syscall.Errno { return syscall.Errno(e) }

// newRoot returns the root node of a view of fsys and go-fuse's options
// for it (the root's inode number is the file system's, so no child can
// collide with it).
func newRoot(fsys vfs.FileSystem, o Options) (*node, *gofs.Options, error) {
	root := fsys.Root()
	st, e := root.Stat()
	if e != 0 {
		return nil, nil, e
	}
	n := &node{v: &view{fsys: fsys, readOnly: o.ReadOnly}}
	n.in.Store(&inodeRef{root})
	// The view is the only writer while it is mounted (the LibOS is not
	// running: docs/mount.md), so the kernel may cache for a while.
	sec := cacheTimeout
	return n, &gofs.Options{
		EntryTimeout:    &sec,
		AttrTimeout:     &sec,
		NegativeTimeout: &sec,
		RootStableAttr:  &gofs.StableAttr{Ino: st.Ino, Mode: syscall.S_IFDIR},
		NullPermissions: true,
	}, nil
}

// NewRawFS returns the view of fsys as the FUSE protocol's raw file
// system (go-fuse's bridge over the node API): what a fuse.Server serves,
// and what tests drive without a kernel.
func NewRawFS(fsys vfs.FileSystem, o Options) (fuse.RawFileSystem, error) {
	root, opts, err := newRoot(fsys, o)
	if err != nil {
		return nil, err
	}
	return gofs.NewNodeFS(root, opts), nil
}

// fillAttr converts a vfs.Stat.
func fillAttr(st *vfs.Stat, a *fuse.Attr) {
	a.Ino = st.Ino
	a.Size = uint64(max(st.Size, 0))
	a.Blocks = uint64(max(st.Blocks, 0))
	a.Mode = st.Mode
	a.Nlink = uint32(min(st.Nlink, math.MaxUint32))
	a.Owner = fuse.Owner{Uid: st.Uid, Gid: st.Gid}
	a.Rdev = uint32(st.Rdev)
	a.Blksize = 4096
	a.Atime, a.Atimensec = splitTime(st.Atime)
	a.Mtime, a.Mtimensec = splitTime(st.Mtime)
	a.Ctime, a.Ctimensec = splitTime(st.Ctime)
}

// splitTime splits nanoseconds since the epoch into seconds and
// nanoseconds (times before the epoch show as the epoch).
func splitTime(ns int64) (uint64, uint32) {
	if ns < 0 {
		return 0, 0
	}
	return uint64(ns / 1e9), uint32(ns % 1e9)
}

// child makes (or finds) the node for the vfs inode c, a child of n, and
// fills out.
func (n *node) child(ctx context.Context, c vfs.Inode, out *fuse.EntryOut) (*gofs.Inode, syscall.Errno) {
	st, e := c.Stat()
	if e != 0 {
		return nil, errnoOf(e)
	}
	fillAttr(&st, &out.Attr)
	nn := &node{v: n.v}
	ref := &inodeRef{c}
	nn.in.Store(ref)
	in := n.NewInode(ctx, nn, gofs.StableAttr{Mode: st.Mode & syscall.S_IFMT, Ino: st.Ino})
	if old, ok := in.Operations().(*node); ok && old != nn {
		// go-fuse already has a node for this inode number: it is the
		// same file, and c is its freshest inode.
		old.in.Store(ref)
	}
	return in, 0
}

// lookupChild looks name up after a change made it.
func (n *node) lookupChild(ctx context.Context, name string, out *fuse.EntryOut) (*gofs.Inode, syscall.Errno) {
	c, e := n.inode().Lookup(name)
	if e != 0 {
		return nil, errnoOf(e)
	}
	return n.child(ctx, c, out)
}

// Lookup implements gofs.NodeLookuper.
func (n *node) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*gofs.Inode, syscall.Errno) {
	return n.lookupChild(ctx, name, out)
}

// Getattr implements gofs.NodeGetattrer: fstat through an open file, stat
// otherwise.
func (n *node) Getattr(ctx context.Context, f gofs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	var st vfs.Stat
	var e errno.Errno
	if h, ok := f.(*handle); ok {
		st, e = h.stat()
	} else {
		st, e = n.inode().Stat()
	}
	if e != 0 {
		return errnoOf(e)
	}
	fillAttr(&st, &out.Attr)
	// go-fuse reports the node's number: a unionfs file copied up has a
	// new one, which its next lookup shows.
	out.Attr.Ino = 0
	return 0
}

// Setattr implements gofs.NodeSetattrer: truncate, chmod, chown and
// utimens, through the open file when there is one (as vfs.File.SetAttr).
func (n *node) Setattr(ctx context.Context, f gofs.FileHandle, in *fuse.SetAttrIn, out *fuse.AttrOut) syscall.Errno {
	var a vfs.SetAttr
	if m, ok := in.GetMode(); ok {
		a.Mask |= vfs.SetMode
		a.Mode = m & 0o7777
	}
	if u, ok := in.GetUID(); ok {
		a.Mask |= vfs.SetUid
		a.Uid = u
	}
	if g, ok := in.GetGID(); ok {
		a.Mask |= vfs.SetGid
		a.Gid = g
	}
	if s, ok := in.GetSize(); ok {
		if s > math.MaxInt64 {
			return syscall.EFBIG
		}
		a.Mask |= vfs.SetSize
		a.Size = int64(s)
	}
	if in.Valid&fuse.FATTR_ATIME != 0 {
		if in.Valid&fuse.FATTR_ATIME_NOW != 0 {
			a.Mask |= vfs.SetAtimeNow
		} else {
			a.Mask |= vfs.SetAtime
			a.Atime = int64(in.Atime)*1e9 + int64(in.Atimensec)
		}
	}
	if in.Valid&fuse.FATTR_MTIME != 0 {
		if in.Valid&fuse.FATTR_MTIME_NOW != 0 {
			a.Mask |= vfs.SetMtimeNow
		} else {
			a.Mask |= vfs.SetMtime
			a.Mtime = int64(in.Mtime)*1e9 + int64(in.Mtimensec)
		}
	}
	if a.Mask != 0 {
		if n.v.readOnly {
			return syscall.EROFS
		}
		var e errno.Errno
		if h, ok := f.(*handle); ok {
			e = h.setAttr(a)
		} else {
			e = n.inode().SetAttr(a)
		}
		if e != 0 {
			return errnoOf(e)
		}
	}
	return n.Getattr(ctx, f, out)
}

// Access implements gofs.NodeAccesser: everything may be read, and
// written unless the view is read-only (the kernel checks the mount's
// read-only flag too).
func (n *node) Access(ctx context.Context, mask uint32) syscall.Errno {
	if mask&2 != 0 && n.v.readOnly { // W_OK
		return syscall.EROFS
	}
	return 0
}

// OpendirHandle implements gofs.NodeOpendirHandler: the directory is
// listed at the first read and again at every rewind, so a reader that
// rewinds sees changes and one that pages sees each entry once (as
// vfs.File.ReadDir).
func (n *node) OpendirHandle(ctx context.Context, flags uint32) (gofs.FileHandle, uint32, syscall.Errno) {
	if n.inode().Type() != vfs.TypeDirectory {
		return nil, 0, syscall.ENOTDIR
	}
	return &dirHandle{n: n}, 0, 0
}

// openFlags are the open(2) flags a vfs Inode's Open takes (the kernel has
// handled O_CREAT, O_EXCL and O_NOCTTY; O_TRUNC is applied here).
const openFlags = vfs.O_ACCMODE | vfs.O_APPEND | vfs.O_NONBLOCK | vfs.O_DIRECTORY

// Open implements gofs.NodeOpener, as vfs.Namespace.OpenDentry: write
// access to a directory is EISDIR, O_TRUNC truncates.
func (n *node) Open(ctx context.Context, flags uint32) (gofs.FileHandle, uint32, syscall.Errno) {
	fl := vfs.OpenFlags(flags)
	in := n.inode()
	t := in.Type()
	switch {
	case fl.Writable() && n.v.readOnly:
		return nil, 0, syscall.EROFS
	case t == vfs.TypeDirectory && fl.Writable():
		return nil, 0, syscall.EISDIR
	case t == vfs.TypeSymlink:
		return nil, 0, syscall.ELOOP
	}
	impl, e := in.Open(fl & openFlags)
	if e != 0 {
		return nil, 0, errnoOf(e)
	}
	if fl&vfs.O_TRUNC != 0 && fl.Writable() && t == vfs.TypeRegular {
		if e := in.SetAttr(vfs.SetAttr{Mask: vfs.SetSize}); e != 0 {
			impl.Close()
			return nil, 0, errnoOf(e)
		}
	}
	return &handle{impl: impl, flags: fl}, 0, 0
}

// Create implements gofs.NodeCreater.
func (n *node) Create(ctx context.Context, name string, flags uint32, mode uint32, out *fuse.EntryOut) (*gofs.Inode, gofs.FileHandle, uint32, syscall.Errno) {
	if n.v.readOnly {
		return nil, nil, 0, syscall.EROFS
	}
	c, e := n.inode().Create(name, mode&0o7777)
	if e != 0 {
		return nil, nil, 0, errnoOf(e)
	}
	fl := vfs.OpenFlags(flags)
	impl, e := c.Open(fl & openFlags)
	if e != 0 {
		return nil, nil, 0, errnoOf(e)
	}
	in, se := n.child(ctx, c, out)
	if se != 0 {
		impl.Close()
		return nil, nil, 0, se
	}
	return in, &handle{impl: impl, flags: fl}, 0, 0
}

// Mknod implements gofs.NodeMknoder: regular files only (vfs stores no
// devices, FIFOs or sockets).
func (n *node) Mknod(ctx context.Context, name string, mode uint32, dev uint32, out *fuse.EntryOut) (*gofs.Inode, syscall.Errno) {
	if mode&syscall.S_IFMT != syscall.S_IFREG {
		return nil, syscall.EPERM
	}
	if n.v.readOnly {
		return nil, syscall.EROFS
	}
	c, e := n.inode().Create(name, mode&0o7777)
	if e != 0 {
		return nil, errnoOf(e)
	}
	return n.child(ctx, c, out)
}

// Mkdir implements gofs.NodeMkdirer.
func (n *node) Mkdir(ctx context.Context, name string, mode uint32, out *fuse.EntryOut) (*gofs.Inode, syscall.Errno) {
	if n.v.readOnly {
		return nil, syscall.EROFS
	}
	if e := n.inode().Mkdir(name, mode&0o7777); e != 0 {
		return nil, errnoOf(e)
	}
	return n.lookupChild(ctx, name, out)
}

// Symlink implements gofs.NodeSymlinker.
func (n *node) Symlink(ctx context.Context, target, name string, out *fuse.EntryOut) (*gofs.Inode, syscall.Errno) {
	if n.v.readOnly {
		return nil, syscall.EROFS
	}
	if e := n.inode().Symlink(name, target); e != 0 {
		return nil, errnoOf(e)
	}
	return n.lookupChild(ctx, name, out)
}

// Link implements gofs.NodeLinker.
func (n *node) Link(ctx context.Context, target gofs.InodeEmbedder, name string, out *fuse.EntryOut) (*gofs.Inode, syscall.Errno) {
	if n.v.readOnly {
		return nil, syscall.EROFS
	}
	t, ok := target.(*node)
	if !ok {
		return nil, syscall.EXDEV
	}
	if e := n.inode().Link(name, t.inode()); e != 0 {
		return nil, errnoOf(e)
	}
	return n.lookupChild(ctx, name, out)
}

// Readlink implements gofs.NodeReadlinker.
func (n *node) Readlink(ctx context.Context) ([]byte, syscall.Errno) {
	s, e := n.inode().Readlink()
	if e != 0 {
		return nil, errnoOf(e)
	}
	return []byte(s), 0
}

// Unlink implements gofs.NodeUnlinker.
func (n *node) Unlink(ctx context.Context, name string) syscall.Errno {
	if n.v.readOnly {
		return syscall.EROFS
	}
	return errnoOf(n.inode().Unlink(name))
}

// Rmdir implements gofs.NodeRmdirer.
func (n *node) Rmdir(ctx context.Context, name string) syscall.Errno {
	if n.v.readOnly {
		return syscall.EROFS
	}
	return errnoOf(n.inode().Rmdir(name))
}

// renameNoReplace is renameat2's RENAME_NOREPLACE.
const renameNoReplace = 1

// Rename implements gofs.NodeRenamer: rename(2), and renameat2 with
// RENAME_NOREPLACE; RENAME_EXCHANGE and RENAME_WHITEOUT are EINVAL, as on
// a Linux file system without them.
func (n *node) Rename(ctx context.Context, name string, newParent gofs.InodeEmbedder, newName string, flags uint32) syscall.Errno {
	if n.v.readOnly {
		return syscall.EROFS
	}
	np, ok := newParent.(*node)
	if !ok {
		return syscall.EXDEV
	}
	switch flags {
	case 0:
	case renameNoReplace:
		// Not atomic with the rename: good enough for a debugging view
		// with one user.
		if _, e := np.inode().Lookup(newName); e == 0 {
			return syscall.EEXIST
		}
	default:
		return syscall.EINVAL
	}
	return errnoOf(n.inode().Rename(name, np.inode(), newName))
}

// fsyncDataOnly is FUSE_FSYNC_FDATASYNC of the fsync request's flags.
const fsyncDataOnly = 1

// Fsync implements gofs.NodeFsyncer: fsync and fdatasync of an open file;
// of a directory, the whole file system (a sefs layer commits either way).
func (n *node) Fsync(ctx context.Context, f gofs.FileHandle, flags uint32) syscall.Errno {
	if h, ok := f.(*handle); ok {
		return h.sync(flags&fsyncDataOnly != 0)
	}
	if s, ok := n.v.fsys.(vfs.Syncer); ok {
		return errnoOf(s.Sync())
	}
	return 0
}

// Statfs implements gofs.NodeStatfser. vfs has no statfs: the block size
// and the longest name are right, the counts are zero.
func (n *node) Statfs(ctx context.Context, out *fuse.StatfsOut) syscall.Errno {
	out.Bsize = 4096
	out.Frsize = 4096
	out.NameLen = vfs.MaxNameLen
	return 0
}

// handle is an open file.
type handle struct {
	mu    sync.Mutex
	impl  vfs.FileImpl
	flags vfs.OpenFlags
}

var (
	_ gofs.FileReader   = (*handle)(nil)
	_ gofs.FileWriter   = (*handle)(nil)
	_ gofs.FileReleaser = (*handle)(nil)
	_ gofs.FileFlusher  = (*handle)(nil)
)

func (h *handle) stat() (vfs.Stat, errno.Errno) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.impl.Stat()
}

func (h *handle) setAttr(a vfs.SetAttr) errno.Errno {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.impl.SetAttr(a)
}

func (h *handle) sync(dataOnly bool) syscall.Errno {
	h.mu.Lock()
	defer h.mu.Unlock()
	return errnoOf(h.impl.Sync(dataOnly))
}

// Read implements gofs.FileReader: as many bytes as asked, short only at
// the end of the file.
func (h *handle) Read(ctx context.Context, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.impl.Seekable() {
		k, e := h.impl.Read(dest)
		if e != 0 {
			return nil, errnoOf(e)
		}
		return fuse.ReadResultData(dest[:k]), 0
	}
	n := 0
	for n < len(dest) {
		k, e := h.impl.ReadAt(dest[n:], off+int64(n))
		if e != 0 {
			if n > 0 {
				break
			}
			return nil, errnoOf(e)
		}
		if k == 0 {
			break
		}
		n += k
	}
	return fuse.ReadResultData(dest[:n]), 0
}

// Write implements gofs.FileWriter. With O_APPEND, a file system that can
// append atomically (vfs.Appender) writes at its end, whatever offset the
// kernel computed.
func (h *handle) Write(ctx context.Context, data []byte, off int64) (uint32, syscall.Errno) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.impl.Seekable() {
		k, e := h.impl.Write(data)
		if e != 0 && k == 0 {
			return 0, errnoOf(e)
		}
		return uint32(k), 0
	}
	if a, ok := h.impl.(vfs.Appender); ok && h.flags&vfs.O_APPEND != 0 {
		k, _, e := a.Append(data)
		if e != 0 && k == 0 {
			return 0, errnoOf(e)
		}
		return uint32(k), 0
	}
	n := 0
	for n < len(data) {
		k, e := h.impl.WriteAt(data[n:], off+int64(n))
		n += k
		if e != 0 {
			if n > 0 {
				break // a short write; the next one reports the error
			}
			return 0, errnoOf(e)
		}
		if k == 0 {
			break
		}
	}
	return uint32(n), 0
}

// Flush implements gofs.FileFlusher (close(2) of one descriptor): nothing
// to do, the file system keeps its own cache.
func (h *handle) Flush(ctx context.Context) syscall.Errno { return 0 }

// Release implements gofs.FileReleaser: the last descriptor is closed.
func (h *handle) Release(ctx context.Context) syscall.Errno {
	h.mu.Lock()
	defer h.mu.Unlock()
	return errnoOf(h.impl.Close())
}

// dirHandle is an open directory: a listing and a position in it.
type dirHandle struct {
	n      *node
	mu     sync.Mutex
	ents   []fuse.DirEntry
	next   int
	listed bool
}

var (
	_ gofs.FileReaddirenter = (*dirHandle)(nil)
	_ gofs.FileSeekdirer    = (*dirHandle)(nil)
	_ gofs.FileReleasedirer = (*dirHandle)(nil)
	_ gofs.FileFsyncdirer   = (*dirHandle)(nil)
)

// list snapshots the directory, "." and ".." first.
//
// Preconditions: d.mu is held.
func (d *dirHandle) list() syscall.Errno {
	ents, e := d.n.inode().ReadDir()
	if e != 0 {
		return errnoOf(e)
	}
	self := d.n.StableAttr().Ino
	parent := self
	if _, p := d.n.Parent(); p != nil {
		parent = p.StableAttr().Ino
	}
	list := make([]fuse.DirEntry, 0, len(ents)+2)
	list = append(list, fuse.DirEntry{Name: ".", Ino: self, Mode: syscall.S_IFDIR},
		fuse.DirEntry{Name: "..", Ino: parent, Mode: syscall.S_IFDIR})
	for _, de := range ents {
		list = append(list, fuse.DirEntry{Name: de.Name, Ino: de.Ino, Mode: de.Type.ModeBits()})
	}
	d.ents, d.next, d.listed = list, 0, true
	return 0
}

// Readdirent implements gofs.FileReaddirenter: the next entry, whose
// offset is its position plus one.
func (d *dirHandle) Readdirent(ctx context.Context) (*fuse.DirEntry, syscall.Errno) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.listed {
		if e := d.list(); e != 0 {
			return nil, e
		}
	}
	if d.next >= len(d.ents) {
		return nil, 0
	}
	de := d.ents[d.next]
	d.next++
	de.Off = uint64(d.next)
	return &de, 0
}

// Seekdir implements gofs.FileSeekdirer: offset 0 lists again.
func (d *dirHandle) Seekdir(ctx context.Context, off uint64) syscall.Errno {
	d.mu.Lock()
	defer d.mu.Unlock()
	if off == 0 || !d.listed {
		if e := d.list(); e != 0 {
			return e
		}
	}
	if off > uint64(len(d.ents)) {
		return syscall.EINVAL
	}
	d.next = int(off)
	return 0
}

// Releasedir implements gofs.FileReleasedirer.
func (d *dirHandle) Releasedir(ctx context.Context, releaseFlags uint32) {}

// Fsyncdir implements gofs.FileFsyncdirer: the whole file system.
func (d *dirHandle) Fsyncdir(ctx context.Context, flags uint32) syscall.Errno {
	return d.n.Fsync(ctx, nil, flags)
}
