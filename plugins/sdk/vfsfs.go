package sdk

import (
	"context"
	"strings"
	"sync"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
)

// FromVFS serves a vfs file system as an FS: paths are walked from root
// one component at a time with Lookup (no symbolic link is followed but a
// final one for Stat(follow), within the file system), and open files are
// kept in a handle table. The hostfs plugin serves fs/hostfs this way, so
// every protection of the in-process hostfs holds in the plugin too.
func FromVFS(root vfs.Inode, name string, readOnly bool) FS {
	return &vfsFS{root: root, name: name, ro: readOnly, files: map[uint64]*vfsFile{}}
}

type vfsFS struct {
	root vfs.Inode
	name string
	ro   bool

	mu    sync.Mutex // guards files and next (a leaf)
	files map[uint64]*vfsFile
	next  uint64
}

type vfsFile struct {
	impl vfs.FileImpl
	node vfs.Inode
}

// components splits a clean absolute path; "/" has none.
func components(path string) ([]string, errno.Errno) {
	if !strings.HasPrefix(path, "/") || len(path) > vfs.MaxPathLen {
		return nil, errno.EINVAL
	}
	var out []string
	for _, c := range strings.Split(path[1:], "/") {
		switch c {
		case "":
			continue
		case ".", "..":
			return nil, errno.EINVAL
		}
		if len(c) > vfs.MaxNameLen {
			return nil, errno.ENAMETOOLONG
		}
		out = append(out, c)
	}
	return out, 0
}

// walk returns the inode at path, following a final symbolic link when
// follow (at most vfs.MaxSymlinks, within this file system).
func (f *vfsFS) walk(path string, follow bool) (vfs.Inode, errno.Errno) {
	comps, e := components(path)
	if e != 0 {
		return nil, e
	}
	for hops := 0; ; hops++ {
		n := f.root
		for i, c := range comps {
			if n.Type() != vfs.TypeDirectory {
				return nil, errno.ENOTDIR
			}
			child, e := n.Lookup(c)
			if e != 0 {
				return nil, e
			}
			if child.Type() == vfs.TypeSymlink && i < len(comps)-1 {
				return nil, errno.ENOTDIR // the LibOS resolves links itself
			}
			n = child
		}
		if !follow || n.Type() != vfs.TypeSymlink {
			return n, 0
		}
		if hops >= vfs.MaxSymlinks {
			return nil, errno.ELOOP
		}
		target, e := n.Readlink()
		if e != 0 {
			return nil, e
		}
		if !strings.HasPrefix(target, "/") {
			target = "/" + strings.Join(comps[:len(comps)-1], "/") + "/" + target
		}
		if comps, e = cleanComponents(target); e != 0 {
			return nil, e
		}
	}
}

// cleanComponents resolves "." and ".." lexically (never above the root).
func cleanComponents(p string) ([]string, errno.Errno) {
	var out []string
	for _, c := range strings.Split(p, "/") {
		switch c {
		case "", ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, c)
		}
	}
	return out, 0
}

// parent returns the directory holding path's last component, and it.
func (f *vfsFS) parent(path string) (vfs.Inode, string, errno.Errno) {
	comps, e := components(path)
	if e != 0 {
		return nil, "", e
	}
	if len(comps) == 0 {
		return nil, "", errno.EBUSY // the root itself
	}
	dir, e := f.walk("/"+strings.Join(comps[:len(comps)-1], "/"), false)
	if e != 0 {
		return nil, "", e
	}
	if dir.Type() != vfs.TypeDirectory {
		return nil, "", errno.ENOTDIR
	}
	return dir, comps[len(comps)-1], 0
}

func (f *vfsFS) Info(context.Context) (string, bool) { return f.name, f.ro }

func (f *vfsFS) Stat(_ context.Context, path string, follow bool) (vfs.Stat, errno.Errno) {
	n, e := f.walk(path, follow)
	if e != 0 {
		return vfs.Stat{}, e
	}
	return n.Stat()
}

func (f *vfsFS) ReadDir(_ context.Context, path string, cookie uint64, max int) ([]vfs.Dirent, uint64, bool, errno.Errno) {
	n, e := f.walk(path, false)
	if e != 0 {
		return nil, 0, true, e
	}
	ents, e := n.ReadDir()
	if e != 0 {
		return nil, 0, true, e
	}
	if cookie >= uint64(len(ents)) {
		return nil, cookie, true, 0
	}
	end := min(uint64(len(ents)), cookie+uint64(max))
	return ents[cookie:end], end, end == uint64(len(ents)), 0
}

func (f *vfsFS) Readlink(_ context.Context, path string) (string, errno.Errno) {
	n, e := f.walk(path, false)
	if e != 0 {
		return "", e
	}
	return n.Readlink()
}

func (f *vfsFS) Open(_ context.Context, path string, flags vfs.OpenFlags, perm uint32) (uint64, vfs.Stat, errno.Errno) {
	var n vfs.Inode
	var e errno.Errno
	if flags&vfs.O_CREAT != 0 {
		dir, name, e := f.parent(path)
		if e != 0 {
			return 0, vfs.Stat{}, e
		}
		n, e = dir.Lookup(name)
		switch {
		case e == errno.ENOENT:
			if n, e = dir.Create(name, perm); e != 0 {
				return 0, vfs.Stat{}, e
			}
		case e != 0:
			return 0, vfs.Stat{}, e
		case flags&vfs.O_EXCL != 0:
			return 0, vfs.Stat{}, errno.EEXIST
		}
	} else if n, e = f.walk(path, false); e != 0 {
		return 0, vfs.Stat{}, e
	}
	impl, e := n.Open(flags &^ (vfs.O_CREAT | vfs.O_EXCL | vfs.O_TRUNC))
	if e != 0 {
		return 0, vfs.Stat{}, e
	}
	if flags&vfs.O_TRUNC != 0 && n.Type() == vfs.TypeRegular {
		if e := n.SetAttr(vfs.SetAttr{Mask: vfs.SetSize}); e != 0 {
			impl.Close()
			return 0, vfs.Stat{}, e
		}
	}
	st, e := n.Stat()
	if e != 0 {
		impl.Close()
		return 0, vfs.Stat{}, e
	}
	f.mu.Lock()
	f.next++
	h := f.next
	f.files[h] = &vfsFile{impl: impl, node: n}
	f.mu.Unlock()
	return h, st, 0
}

func (f *vfsFS) file(h uint64) (*vfsFile, errno.Errno) {
	f.mu.Lock()
	defer f.mu.Unlock()
	of, ok := f.files[h]
	if !ok {
		return nil, errno.EBADF
	}
	return of, 0
}

func (f *vfsFS) Read(_ context.Context, h uint64, off int64, p []byte) (int, errno.Errno) {
	of, e := f.file(h)
	if e != 0 {
		return 0, e
	}
	if !of.impl.Seekable() {
		return of.impl.Read(p)
	}
	total := 0
	for total < len(p) {
		n, e := of.impl.ReadAt(p[total:], off+int64(total))
		total += n
		if e != 0 || n == 0 {
			if total > 0 {
				return total, 0
			}
			return 0, e
		}
	}
	return total, 0
}

func (f *vfsFS) Write(_ context.Context, h uint64, off int64, p []byte, appendMode bool) (int, int64, errno.Errno) {
	of, e := f.file(h)
	if e != 0 {
		return 0, 0, e
	}
	if appendMode {
		if a, ok := of.impl.(vfs.Appender); ok {
			return a.Append(p)
		}
		st, e := of.impl.Stat()
		if e != 0 {
			return 0, 0, e
		}
		off = st.Size
	}
	if !of.impl.Seekable() {
		n, e := of.impl.Write(p)
		return n, 0, e
	}
	n, e := of.impl.WriteAt(p, off)
	return n, off + int64(n), e
}

func (f *vfsFS) Fstat(_ context.Context, h uint64) (vfs.Stat, errno.Errno) {
	of, e := f.file(h)
	if e != 0 {
		return vfs.Stat{}, e
	}
	return of.impl.Stat()
}

func (f *vfsFS) Close(_ context.Context, h uint64) errno.Errno {
	f.mu.Lock()
	of, ok := f.files[h]
	delete(f.files, h)
	f.mu.Unlock()
	if !ok {
		return errno.EBADF
	}
	return of.impl.Close()
}

func (f *vfsFS) Sync(_ context.Context, h uint64, dataOnly bool) errno.Errno {
	of, e := f.file(h)
	if e != 0 {
		return e
	}
	return of.impl.Sync(dataOnly)
}

func (f *vfsFS) Mkdir(_ context.Context, path string, perm uint32) errno.Errno {
	dir, name, e := f.parent(path)
	if e != 0 {
		return e
	}
	return dir.Mkdir(name, perm)
}

func (f *vfsFS) Symlink(_ context.Context, path, target string) errno.Errno {
	dir, name, e := f.parent(path)
	if e != 0 {
		return e
	}
	return dir.Symlink(name, target)
}

func (f *vfsFS) Unlink(_ context.Context, path string) errno.Errno {
	dir, name, e := f.parent(path)
	if e != 0 {
		return e
	}
	return dir.Unlink(name)
}

func (f *vfsFS) Rmdir(_ context.Context, path string) errno.Errno {
	dir, name, e := f.parent(path)
	if e != 0 {
		return e
	}
	return dir.Rmdir(name)
}

func (f *vfsFS) Rename(_ context.Context, from, to string) errno.Errno {
	od, on, e := f.parent(from)
	if e != 0 {
		return e
	}
	nd, nn, e := f.parent(to)
	if e != 0 {
		return e
	}
	return od.Rename(on, nd, nn)
}

func (f *vfsFS) Link(_ context.Context, target, path string) errno.Errno {
	t, e := f.walk(target, false)
	if e != 0 {
		return e
	}
	dir, name, e := f.parent(path)
	if e != 0 {
		return e
	}
	return dir.Link(name, t)
}

func (f *vfsFS) SetAttr(_ context.Context, path string, h uint64, byHandle bool, a vfs.SetAttr) errno.Errno {
	if byHandle {
		of, e := f.file(h)
		if e != 0 {
			return e
		}
		return of.impl.SetAttr(a)
	}
	n, e := f.walk(path, false)
	if e != 0 {
		return e
	}
	return n.SetAttr(a)
}
