package fuseview

import (
	"sync"

	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
)

// rawFS is a FUSE client in Go: a vfs.FileSystem whose every operation is
// a FUSE request to a fuse.RawFileSystem (go-fuse's bridge over the view),
// made the way the Linux kernel makes it (O_TRUNC as a SETATTR before
// OPEN; O_APPEND writes serialized per inode, as the kernel's inode lock
// does). It lets the shared conformance suite (fs/fstest) run through the
// FUSE protocol's data structures without /dev/fuse. Nodes are never
// forgotten: a test's file system is thrown away whole.
type rawFS struct {
	raw  fuse.RawFileSystem
	root *rawInode

	mu     sync.Mutex
	appMus map[uint64]*sync.Mutex // per node: O_APPEND writes
}

func newRawFS(raw fuse.RawFileSystem) *rawFS {
	f := &rawFS{raw: raw, appMus: map[uint64]*sync.Mutex{}}
	f.root = &rawInode{fs: f, id: fuse.FUSE_ROOT_ID, typ: vfs.TypeDirectory}
	return f
}

func (f *rawFS) Root() vfs.Inode { return f.root }
func (f *rawFS) Type() string    { return "fuse" }

func (f *rawFS) appendMu(id uint64) *sync.Mutex {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := f.appMus[id]
	if m == nil {
		m = &sync.Mutex{}
		f.appMus[id] = m
	}
	return m
}

func st(s fuse.Status) errno.Errno { return errno.Errno(s) }

func hdr(id uint64) fuse.InHeader { return fuse.InHeader{NodeId: id} }

func statOf(a *fuse.Attr) vfs.Stat {
	return vfs.Stat{
		Ino: a.Ino, Mode: a.Mode, Nlink: uint64(a.Nlink), Uid: a.Uid, Gid: a.Gid, Rdev: uint64(a.Rdev),
		Size: int64(a.Size), Blocks: int64(a.Blocks),
		Atime: int64(a.Atime)*1e9 + int64(a.Atimensec),
		Mtime: int64(a.Mtime)*1e9 + int64(a.Mtimensec),
		Ctime: int64(a.Ctime)*1e9 + int64(a.Ctimensec),
	}
}

// rawInode is one FUSE node id.
type rawInode struct {
	vfs.UnimplementedInode
	fs  *rawFS
	id  uint64
	typ vfs.FileType
}

func (n *rawInode) entry(out *fuse.EntryOut, s fuse.Status) (*rawInode, errno.Errno) {
	if !s.Ok() {
		return nil, st(s)
	}
	if out.NodeId == 0 { // a negative entry
		return nil, errno.ENOENT
	}
	return &rawInode{fs: n.fs, id: out.NodeId, typ: vfs.FileTypeFromMode(out.Mode)}, 0
}

func (n *rawInode) Type() vfs.FileType { return n.typ }

func (n *rawInode) Stat() (vfs.Stat, errno.Errno) {
	var out fuse.AttrOut
	if s := n.fs.raw.GetAttr(nil, &fuse.GetAttrIn{InHeader: hdr(n.id)}, &out); !s.Ok() {
		return vfs.Stat{}, st(s)
	}
	return statOf(&out.Attr), 0
}

func setAttrIn(id uint64, a vfs.SetAttr) *fuse.SetAttrIn {
	in := &fuse.SetAttrIn{}
	in.InHeader = hdr(id)
	if a.Mask&vfs.SetSize != 0 {
		in.Valid |= fuse.FATTR_SIZE
		in.Size = uint64(a.Size)
	}
	if a.Mask&vfs.SetMode != 0 {
		in.Valid |= fuse.FATTR_MODE
		in.Mode = a.Mode
	}
	if a.Mask&vfs.SetUid != 0 {
		in.Valid |= fuse.FATTR_UID
		in.Uid = a.Uid
	}
	if a.Mask&vfs.SetGid != 0 {
		in.Valid |= fuse.FATTR_GID
		in.Gid = a.Gid
	}
	if a.Mask&vfs.SetAtimeNow != 0 {
		in.Valid |= fuse.FATTR_ATIME | fuse.FATTR_ATIME_NOW
	} else if a.Mask&vfs.SetAtime != 0 {
		in.Valid |= fuse.FATTR_ATIME
		in.Atime, in.Atimensec = splitTime(a.Atime)
	}
	if a.Mask&vfs.SetMtimeNow != 0 {
		in.Valid |= fuse.FATTR_MTIME | fuse.FATTR_MTIME_NOW
	} else if a.Mask&vfs.SetMtime != 0 {
		in.Valid |= fuse.FATTR_MTIME
		in.Mtime, in.Mtimensec = splitTime(a.Mtime)
	}
	return in
}

func (n *rawInode) SetAttr(a vfs.SetAttr) errno.Errno {
	var out fuse.AttrOut
	return st(n.fs.raw.SetAttr(nil, setAttrIn(n.id, a), &out))
}

func (n *rawInode) Lookup(name string) (vfs.Inode, errno.Errno) {
	var out fuse.EntryOut
	c, e := n.entry(&out, n.fs.raw.Lookup(nil, &fuse.InHeader{NodeId: n.id}, name, &out))
	if e != 0 {
		return nil, e
	}
	return c, 0
}

func (n *rawInode) Readlink() (string, errno.Errno) {
	b, s := n.fs.raw.Readlink(nil, &fuse.InHeader{NodeId: n.id})
	return string(b), st(s)
}

func (n *rawInode) Open(flags vfs.OpenFlags) (vfs.FileImpl, errno.Errno) {
	in := &fuse.OpenIn{InHeader: hdr(n.id), Flags: uint32(flags &^ (vfs.O_CREAT | vfs.O_EXCL | vfs.O_TRUNC | vfs.O_NOCTTY))}
	var out fuse.OpenOut
	var s fuse.Status
	if n.typ == vfs.TypeDirectory {
		s = n.fs.raw.OpenDir(nil, in, &out)
	} else {
		s = n.fs.raw.Open(nil, in, &out)
	}
	if !s.Ok() {
		return nil, st(s)
	}
	return &rawFile{n: n, fh: out.Fh, flags: flags}, 0
}

func (n *rawInode) ReadDir() ([]vfs.Dirent, errno.Errno) {
	f, e := n.Open(vfs.O_RDONLY | vfs.O_DIRECTORY)
	if e != 0 {
		return nil, e
	}
	defer f.Close()
	return f.ReadDir()
}

func (n *rawInode) Create(name string, perm uint32) (vfs.Inode, errno.Errno) {
	var out fuse.CreateOut
	in := &fuse.CreateIn{InHeader: hdr(n.id), Flags: uint32(vfs.O_RDONLY), Mode: perm | 0o100000}
	c, e := n.entry(&out.EntryOut, n.fs.raw.Create(nil, in, name, &out))
	if e != 0 {
		return nil, e
	}
	n.fs.raw.Release(nil, &fuse.ReleaseIn{InHeader: hdr(c.id), Fh: out.Fh})
	return c, 0
}

func (n *rawInode) Mkdir(name string, perm uint32) errno.Errno {
	var out fuse.EntryOut
	_, e := n.entry(&out, n.fs.raw.Mkdir(nil, &fuse.MkdirIn{InHeader: hdr(n.id), Mode: perm}, name, &out))
	return e
}

func (n *rawInode) Symlink(name, target string) errno.Errno {
	var out fuse.EntryOut
	_, e := n.entry(&out, n.fs.raw.Symlink(nil, &fuse.InHeader{NodeId: n.id}, target, name, &out))
	return e
}

func (n *rawInode) Link(name string, target vfs.Inode) errno.Errno {
	t, ok := target.(*rawInode)
	if !ok {
		return errno.EXDEV
	}
	var out fuse.EntryOut
	_, e := n.entry(&out, n.fs.raw.Link(nil, &fuse.LinkIn{InHeader: hdr(n.id), Oldnodeid: t.id}, name, &out))
	return e
}

func (n *rawInode) Unlink(name string) errno.Errno {
	return st(n.fs.raw.Unlink(nil, &fuse.InHeader{NodeId: n.id}, name))
}

func (n *rawInode) Rmdir(name string) errno.Errno {
	return st(n.fs.raw.Rmdir(nil, &fuse.InHeader{NodeId: n.id}, name))
}

func (n *rawInode) Rename(oldName string, newDir vfs.Inode, newName string) errno.Errno {
	d, ok := newDir.(*rawInode)
	if !ok {
		return errno.EXDEV
	}
	return st(n.fs.raw.Rename(nil, &fuse.RenameIn{InHeader: hdr(n.id), Newdir: d.id}, oldName, newName))
}

// rawFile is an open FUSE file handle.
type rawFile struct {
	vfs.UnimplementedFile
	n     *rawInode
	fh    uint64
	flags vfs.OpenFlags
}

var _ vfs.Appender = (*rawFile)(nil)

func (f *rawFile) Seekable() bool { return true }

func (f *rawFile) ReadAt(p []byte, off int64) (int, errno.Errno) {
	if f.n.typ == vfs.TypeDirectory {
		return 0, errno.EISDIR
	}
	in := &fuse.ReadIn{InHeader: hdr(f.n.id), Fh: f.fh, Offset: uint64(off), Size: uint32(len(p))}
	res, s := f.n.fs.raw.Read(nil, in, p)
	if !s.Ok() {
		return 0, st(s)
	}
	b, s := res.Bytes(p)
	res.Done()
	if !s.Ok() {
		return 0, st(s)
	}
	return copy(p, b), 0
}

func (f *rawFile) WriteAt(p []byte, off int64) (int, errno.Errno) {
	in := &fuse.WriteIn{InHeader: hdr(f.n.id), Fh: f.fh, Offset: uint64(off), Size: uint32(len(p))}
	n, s := f.n.fs.raw.Write(nil, in, p)
	return int(n), st(s)
}

// Append writes at the end, as the kernel does for O_APPEND: under the
// inode's lock, at the size it knows.
func (f *rawFile) Append(p []byte) (int, int64, errno.Errno) {
	mu := f.n.fs.appendMu(f.n.id)
	mu.Lock()
	defer mu.Unlock()
	st, e := f.n.Stat()
	if e != 0 {
		return 0, 0, e
	}
	n, e := f.WriteAt(p, st.Size)
	return n, st.Size + int64(n), e
}

func (f *rawFile) Stat() (vfs.Stat, errno.Errno) {
	var out fuse.AttrOut
	in := &fuse.GetAttrIn{InHeader: hdr(f.n.id), Flags_: fuse.FUSE_GETATTR_FH, Fh_: f.fh}
	if s := f.n.fs.raw.GetAttr(nil, in, &out); !s.Ok() {
		return vfs.Stat{}, st(s)
	}
	return statOf(&out.Attr), 0
}

func (f *rawFile) SetAttr(a vfs.SetAttr) errno.Errno {
	in := setAttrIn(f.n.id, a)
	in.Valid |= fuse.FATTR_FH
	in.Fh = f.fh
	var out fuse.AttrOut
	return st(f.n.fs.raw.SetAttr(nil, in, &out))
}

func (f *rawFile) Sync(dataOnly bool) errno.Errno {
	in := &fuse.FsyncIn{InHeader: hdr(f.n.id), Fh: f.fh}
	if dataOnly {
		in.FsyncFlags = fsyncDataOnly
	}
	if f.n.typ == vfs.TypeDirectory {
		return st(f.n.fs.raw.FsyncDir(nil, in))
	}
	return st(f.n.fs.raw.Fsync(nil, in))
}

func (f *rawFile) ReadDir() ([]vfs.Dirent, errno.Errno) {
	if f.n.typ != vfs.TypeDirectory {
		return nil, errno.ENOTDIR
	}
	var out []vfs.Dirent
	off := uint64(0)
	buf := make([]byte, 4096)
	for {
		list := fuse.NewDirEntryList(buf, off)
		in := &fuse.ReadIn{InHeader: hdr(f.n.id), Fh: f.fh, Offset: off, Size: uint32(len(buf))}
		if s := f.n.fs.raw.ReadDir(nil, in, list); !s.Ok() {
			return nil, st(s)
		}
		ents, err := fuse.ParseDirEntries(list.Bytes())
		if err != nil {
			return nil, errno.EIO
		}
		if len(ents) == 0 {
			return out, 0
		}
		for _, d := range ents {
			off = d.Off
			if d.Name == "." || d.Name == ".." {
				continue
			}
			out = append(out, vfs.Dirent{Name: d.Name, Ino: d.Ino, Type: vfs.FileTypeFromMode(d.Mode)})
		}
	}
}

func (f *rawFile) Close() errno.Errno {
	in := &fuse.ReleaseIn{InHeader: hdr(f.n.id), Fh: f.fh}
	if f.n.typ == vfs.TypeDirectory {
		f.n.fs.raw.ReleaseDir(in)
	} else {
		f.n.fs.raw.Release(nil, in)
	}
	return 0
}
