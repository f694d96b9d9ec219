package sefs

import (
	"crypto/cipher"
	"errors"
	"io/fs"
	"math"
	"strings"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
)

// inode is every kind of sefs inode. Every field is guarded by fs.mu.
type inode struct {
	vfs.UnimplementedInode
	fs  *FileSystem
	ino uint64
	typ vfs.FileType

	perm, uid, gid      uint32
	nlink               uint64
	size                int64
	atime, mtime, ctime int64
	gen                 uint64
	target              string            // symbolic links
	children            map[string]uint64 // directories
	// parent is, for a directory, its parent; for another inode, a
	// directory holding one of its names (to name it in error messages).
	parent uint64

	// depth and root are the file's tree as of the last commit (what a
	// crash goes back to); tree is the loaded, current one.
	depth uint8
	root  [32]byte
	tree  *mht

	opens   int
	recHash [32]byte // hash of the committed, sealed record
	dirty   bool     // the record changed since the last commit

	// Data of regular files (see data.go).
	cache     map[uint64]*[Block]byte // write-back: blocks changed since they were written out
	safe      map[uint64]uint8        // blocks written out since the last commit, and the slot they use
	truncFrom uint64                  // from this block on, entries may differ from the last commit without being in safe
	oldNodes  map[nodeID][]byte       // verified nodes of the committed tree read past truncFrom (committedEntry)
	objs      [2]Object
	unsynced  [2]bool // objects written since their last fdatasync
	shrunk    bool    // the size went down since the last commit
	aead      cipher.AEAD
	aeadSet   bool
}

var _ vfs.Inode = (*inode)(nil)

// newInode makes an inode, not yet linked anywhere.
//
// Preconditions: fs.mu is held.
func (fs *FileSystem) newInode(ino uint64, t vfs.FileType, perm uint32) *inode {
	ts := fs.now()
	in := &inode{fs: fs, ino: ino, typ: t, perm: perm & 0o7777, atime: ts, mtime: ts, ctime: ts,
		truncFrom: math.MaxUint64}
	if t == vfs.TypeDirectory {
		in.children = map[string]uint64{}
	}
	fs.inodes[ino] = in
	in.markDirty()
	return in
}

// markDirty notes that the inode's record must be committed.
func (in *inode) markDirty() {
	in.dirty = true
	in.fs.touched[in.ino] = in
}

// live reports whether the inode is still part of the file system (it may
// have been removed after the caller looked it up).
func (in *inode) live() bool { return in.fs.inodes[in.ino] == in }

// path names the inode inside the layer, for error messages.
func (in *inode) path() string {
	fs := in.fs
	var parts []string
	cur := in
	for steps := 0; cur.ino != rootIno && steps < 4096; steps++ {
		p := fs.inodes[cur.parent]
		if p == nil {
			p = fs.inodes[fs.holder(cur.ino)]
		}
		if p == nil {
			parts = append(parts, "(removed)")
			break
		}
		name := "?"
		for n, c := range p.children {
			if c == cur.ino {
				name = n
				break
			}
		}
		parts = append(parts, name)
		cur = p
	}
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	return strings.TrimSuffix(fs.opts.MountPoint, "/") + "/" + strings.Join(parts, "/")
}

func (in *inode) Type() vfs.FileType { return in.typ }

func (in *inode) Stat() (vfs.Stat, errno.Errno) {
	in.fs.mu.Lock()
	defer in.fs.mu.Unlock()
	return in.statLocked(), 0
}

func (in *inode) statLocked() vfs.Stat {
	st := vfs.Stat{Ino: in.ino, Mode: in.typ.ModeBits() | in.perm, Nlink: in.nlink,
		Uid: in.uid, Gid: in.gid, Atime: in.atime, Mtime: in.mtime, Ctime: in.ctime}
	switch in.typ {
	case vfs.TypeRegular:
		st.Size = in.size
		st.Blocks = (in.size + Block - 1) / Block * (Block / 512)
	case vfs.TypeSymlink:
		st.Size = int64(len(in.target))
	}
	return st
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
	fs := in.fs
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if e := fs.writable(); e != 0 {
		return e
	}
	ts := fs.now()
	if a.Mask&vfs.SetSize != 0 {
		if e := in.truncateLocked(a.Size); e != 0 {
			return e
		}
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
	in.markDirty()
	return 0
}

func (in *inode) Open(flags vfs.OpenFlags) (vfs.FileImpl, errno.Errno) {
	fs := in.fs
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if flags.Writable() {
		if in.typ == vfs.TypeDirectory {
			return nil, errno.EISDIR
		}
		if e := fs.writable(); e != 0 {
			return nil, e
		}
	}
	if !in.live() {
		return nil, errno.ENOENT
	}
	in.opens++
	return &file{in: in}, 0
}

func (in *inode) Readlink() (string, errno.Errno) {
	if in.typ != vfs.TypeSymlink {
		return "", errno.EINVAL
	}
	in.fs.mu.Lock()
	defer in.fs.mu.Unlock()
	return in.target, 0
}

func (in *inode) Lookup(name string) (vfs.Inode, errno.Errno) {
	if in.typ != vfs.TypeDirectory {
		return nil, errno.ENOTDIR
	}
	in.fs.mu.Lock()
	defer in.fs.mu.Unlock()
	c, ok := in.children[name]
	if !ok {
		return nil, errno.ENOENT
	}
	return in.fs.inodes[c], 0
}

func (in *inode) ReadDir() ([]vfs.Dirent, errno.Errno) {
	if in.typ != vfs.TypeDirectory {
		return nil, errno.ENOTDIR
	}
	fs := in.fs
	fs.mu.Lock()
	defer fs.mu.Unlock()
	out := make([]vfs.Dirent, 0, len(in.children))
	for name, c := range in.children {
		out = append(out, vfs.Dirent{Name: name, Ino: c, Type: fs.inodes[c].typ})
	}
	sortDirents(out)
	return out, 0
}

// changed updates a directory's times after a change of its entries.
func (in *inode) changed() {
	ts := in.fs.now()
	in.mtime, in.ctime = ts, ts
	in.markDirty()
}

// lockChange takes fs.mu for a change of directory in's entries, if in is
// a directory and the layer can be changed; the caller unlocks fs.mu.
func (in *inode) lockChange() errno.Errno {
	if in.typ != vfs.TypeDirectory {
		return errno.ENOTDIR
	}
	in.fs.mu.Lock()
	if e := in.fs.writable(); e != 0 {
		in.fs.mu.Unlock()
		return e
	}
	return 0
}

// insert makes a new inode of type t called name in directory in.
func (in *inode) insert(name string, t vfs.FileType, perm uint32, init func(*inode)) (*inode, errno.Errno) {
	if e := in.lockChange(); e != 0 {
		return nil, e
	}
	fs := in.fs
	defer fs.mu.Unlock()
	if _, ok := in.children[name]; ok {
		return nil, errno.EEXIST
	}
	if in.nlink == 0 || !in.live() {
		return nil, errno.ENOENT
	}
	ino := fs.sb.nextIno
	fs.sb.nextIno++
	c := fs.newInode(ino, t, perm)
	c.nlink = 1
	c.parent = in.ino
	if init != nil {
		init(c)
	}
	in.children[name] = ino
	in.changed()
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
		in.nlink++
	})
	return e
}

func (in *inode) Symlink(name, target string) errno.Errno {
	switch {
	case target == "":
		return errno.ENOENT
	case len(target) >= vfs.MaxPathLen:
		return errno.ENAMETOOLONG
	}
	_, e := in.insert(name, vfs.TypeSymlink, 0o777, func(c *inode) { c.target = target })
	return e
}

func (in *inode) Link(name string, target vfs.Inode) errno.Errno {
	t, ok := target.(*inode)
	switch {
	case in.typ != vfs.TypeDirectory:
		return errno.ENOTDIR
	case !ok || t.fs != in.fs:
		return errno.EXDEV
	case t.typ == vfs.TypeDirectory:
		return errno.EPERM
	}
	if e := in.lockChange(); e != 0 {
		return e
	}
	fs := in.fs
	defer fs.mu.Unlock()
	if _, ok := in.children[name]; ok {
		return errno.EEXIST
	}
	if in.nlink == 0 || !in.live() || t.nlink == 0 || !t.live() {
		return errno.ENOENT
	}
	in.children[name] = t.ino
	t.nlink++
	t.ctime = fs.now()
	t.markDirty()
	in.changed()
	return 0
}

func (in *inode) Unlink(name string) errno.Errno {
	if e := in.lockChange(); e != 0 {
		return e
	}
	fs := in.fs
	defer fs.mu.Unlock()
	c := fs.inodes[in.children[name]]
	if c == nil {
		return errno.ENOENT
	}
	if c.typ == vfs.TypeDirectory {
		return errno.EISDIR
	}
	delete(in.children, name)
	in.changed()
	c.dropLink(in)
	return 0
}

// dropLink removes one name of a non-directory that was in directory dir.
//
// Preconditions: fs.mu is held.
func (in *inode) dropLink(dir *inode) {
	in.nlink--
	in.ctime = in.fs.now()
	in.markDirty()
	if in.parent == dir.ino {
		in.parent = in.fs.holder(in.ino)
	}
	in.maybeRemove()
}

// holder finds a directory holding ino (for error messages only).
func (fs *FileSystem) holder(ino uint64) uint64 {
	for _, d := range fs.inodes {
		for _, c := range d.children {
			if c == ino {
				return d.ino
			}
		}
	}
	return 0
}

func (in *inode) Rmdir(name string) errno.Errno {
	if e := in.lockChange(); e != 0 {
		return e
	}
	fs := in.fs
	defer fs.mu.Unlock()
	c := fs.inodes[in.children[name]]
	switch {
	case c == nil:
		return errno.ENOENT
	case c.typ != vfs.TypeDirectory:
		return errno.ENOTDIR
	case len(c.children) > 0:
		return errno.ENOTEMPTY
	}
	delete(in.children, name)
	in.nlink--
	in.changed()
	in.removeDir(c)
	return 0
}

// removeDir accounts for the removal of the empty directory c.
func (in *inode) removeDir(c *inode) {
	c.nlink = 0
	c.ctime = in.fs.now()
	c.markDirty()
	c.maybeRemove()
}

// maybeRemove drops an inode that has neither names nor open files.
func (in *inode) maybeRemove() {
	if in.nlink == 0 && in.opens == 0 && in.live() {
		in.fs.removeLocked(in)
	}
}

// removeLocked takes an inode out of the file system: its record goes at
// the next commit, its objects after it.
//
// Preconditions: fs.mu is held.
func (fs *FileSystem) removeLocked(in *inode) {
	delete(fs.inodes, in.ino)
	delete(fs.touched, in.ino)
	in.dropCache()
	fs.removed[in.ino] = in
	fs.dirtyG[in.ino/groupSize] = true
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
	if e := in.lockChange(); e != 0 {
		return e
	}
	fs := in.fs
	defer fs.mu.Unlock()
	src := fs.inodes[in.children[oldName]]
	if src == nil {
		return errno.ENOENT
	}
	if nd.nlink == 0 || !nd.live() {
		return errno.ENOENT
	}
	dst := fs.inodes[nd.children[newName]]
	if dst == src {
		return 0
	}
	if src.typ == vfs.TypeDirectory {
		for p, steps := nd, 0; p != nil && steps <= len(fs.inodes); p, steps = fs.inodes[p.parent], steps+1 {
			if p == src {
				return errno.EINVAL
			}
			if p.ino == rootIno {
				break
			}
		}
	}
	if dst != nil {
		if e := vfs.CheckReplace(src.typ == vfs.TypeDirectory, dst.typ == vfs.TypeDirectory, len(dst.children) == 0); e != 0 {
			return e
		}
		delete(nd.children, newName)
		if dst.typ == vfs.TypeDirectory {
			nd.nlink--
			nd.removeDir(dst)
		} else {
			dst.dropLink(nd)
		}
	}
	delete(in.children, oldName)
	nd.children[newName] = src.ino
	if src.typ == vfs.TypeDirectory && in != nd {
		in.nlink--
		nd.nlink++
	}
	if src.typ == vfs.TypeDirectory || src.parent == in.ino {
		src.parent = nd.ino
	}
	src.ctime = fs.now()
	src.markDirty()
	in.changed()
	if nd != in {
		nd.changed()
	}
	return 0
}

// objectNames are the names of the inode's two objects.
func (in *inode) objectName(slot int) string {
	return in.fs.keys.objectName(in.ino, in.gen) + [2]string{".a", ".b"}[slot]
}

// object returns the inode's object for slot, opening (or creating) it.
// A missing object read as a layer that lost it.
func (in *inode) object(slot int, create bool) (Object, error) {
	if o := in.objs[slot]; o != nil {
		return o, nil
	}
	o, err := in.fs.storage.Open(in.objectName(slot), create)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errMissing
	}
	if err != nil {
		return nil, err
	}
	if create {
		in.fs.created = true
	}
	in.objs[slot] = o
	return o, nil
}

var errMissing = errors.New("an object of the file is missing")

// closeObjects closes the inode's open objects.
func (in *inode) closeObjects() {
	for s, o := range in.objs {
		if o != nil {
			o.Close()
			in.objs[s] = nil
		}
	}
}

// removeObjects deletes the inode's objects (after the commit that
// removed it).
func (in *inode) removeObjects() {
	in.closeObjects()
	if in.typ == vfs.TypeRegular {
		in.fs.storage.Remove(in.objectName(0))
		in.fs.storage.Remove(in.objectName(1))
	}
}

// syncObjects makes what was written to the objects durable.
func (in *inode) syncObjects() error {
	for s, o := range in.objs {
		if in.unsynced[s] && o != nil {
			if err := o.Sync(); err != nil {
				return err
			}
			in.unsynced[s] = false
		}
	}
	return nil
}

// committed records that the inode's state was committed.
func (in *inode) committed() {
	in.dirty = false
	if in.tree != nil {
		in.tree.committed()
		in.depth, in.root = in.tree.depth, in.tree.root
	}
	clear(in.safe)
	in.truncFrom = math.MaxUint64
	in.oldNodes = nil
	if in.shrunk {
		// The committed state no longer needs the blocks past the end.
		in.shrunk = false
		end := (in.size + Block - 1) / Block * Block
		for s := range in.objs {
			if o, err := in.object(s, false); err == nil {
				o.Truncate(end)
			}
		}
	}
	if in.opens == 0 && in.tree != nil && !in.tree.changed() {
		in.tree = nil // loaded again when opened
		in.closeObjects()
	}
}

// file is an open sefs inode.
type file struct {
	vfs.UnimplementedFile
	in     *inode
	closed bool // guarded by fs.mu
}

var (
	_ vfs.FileImpl = (*file)(nil)
	_ vfs.Appender = (*file)(nil)
)

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
	in.fs.mu.Lock()
	defer in.fs.mu.Unlock()
	if in.fs.closed {
		return 0, errno.EIO
	}
	return in.readLocked(p, off)
}

func (f *file) WriteAt(p []byte, off int64) (int, errno.Errno) {
	in := f.in
	if e := in.checkWrite(); e != 0 {
		return 0, e
	}
	if off < 0 {
		return 0, errno.EINVAL
	}
	in.fs.mu.Lock()
	defer in.fs.mu.Unlock()
	if e := in.fs.writable(); e != 0 {
		return 0, e
	}
	return in.writeLocked(p, off)
}

// Append implements vfs.Appender: finding the end and writing there happen
// under one hold of fs.mu.
func (f *file) Append(p []byte) (int, int64, errno.Errno) {
	in := f.in
	if e := in.checkWrite(); e != 0 {
		return 0, 0, e
	}
	in.fs.mu.Lock()
	defer in.fs.mu.Unlock()
	if e := in.fs.writable(); e != 0 {
		return 0, 0, e
	}
	off := in.size
	n, e := in.writeLocked(p, off)
	return n, off + int64(n), e
}

func (in *inode) checkWrite() errno.Errno {
	switch {
	case in.typ == vfs.TypeDirectory:
		return errno.EISDIR
	case in.typ != vfs.TypeRegular:
		return errno.EINVAL
	}
	return 0
}

func (f *file) Stat() (vfs.Stat, errno.Errno) { return f.in.Stat() }

func (f *file) SetAttr(a vfs.SetAttr) errno.Errno { return f.in.SetAttr(a) }

// Sync commits the layer: what the file (and every other) holds now is
// durable when it returns.
func (f *file) Sync(bool) errno.Errno { return f.in.fs.Sync() }

func (f *file) ReadDir() ([]vfs.Dirent, errno.Errno) { return f.in.ReadDir() }

func (f *file) Close() errno.Errno {
	in := f.in
	in.fs.mu.Lock()
	defer in.fs.mu.Unlock()
	if f.closed {
		return errno.EBADF
	}
	f.closed = true
	in.opens--
	in.maybeRemove()
	return 0
}
