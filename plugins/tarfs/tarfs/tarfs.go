// Package tarfs is a read-only sdk.FS over a tar archive: the index is
// built once from the archive's headers; contents are read with ReadAt
// from the archive file. It holds one lock, a leaf, over its handle table.
package tarfs

import (
	"archive/tar"
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/plugins/sdk"
)

// node is one entry of the archive.
type node struct {
	st       vfs.Stat
	offset   int64 // of the contents in the archive (regular files)
	target   string
	children map[string]*node
}

// FS is an archive mounted read-only.
type FS struct {
	sdk.Unimplemented
	f    *os.File
	name string
	root *node

	autoIno uint64 // inode numbers of directories the archive implies

	mu    sync.Mutex
	open  map[uint64]*node
	nextH uint64
}

// offsetReader counts the bytes read through it, to know where each
// file's contents start in the archive.
type offsetReader struct {
	r   io.Reader
	off int64
}

func (o *offsetReader) Read(p []byte) (int, error) {
	n, err := o.r.Read(p)
	o.off += int64(n)
	return n, err
}

// Open indexes the archive at name.
func Open(name string) (*FS, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	fs := &FS{f: f, name: "tar " + name, open: map[uint64]*node{}}
	fs.root = &node{st: vfs.Stat{Ino: 1, Mode: vfs.TypeDirectory.ModeBits() | 0o755, Nlink: 2}, children: map[string]*node{}}
	or := &offsetReader{r: f}
	tr := tar.NewReader(or)
	ino := uint64(1)
	links := map[string]string{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		p := path.Clean("/" + h.Name)
		if p == "/" {
			continue
		}
		ino++
		st := vfs.Stat{Ino: ino, Nlink: 1, Uid: uint32(h.Uid), Gid: uint32(h.Gid), Size: 0,
			Atime: h.ModTime.UnixNano(), Mtime: h.ModTime.UnixNano(), Ctime: h.ModTime.UnixNano()}
		perm := uint32(h.Mode) & 0o7777
		n := &node{}
		switch h.Typeflag {
		case tar.TypeReg:
			st.Mode = vfs.TypeRegular.ModeBits() | perm
			st.Size = h.Size
			st.Blocks = (h.Size + 511) / 512
			n.offset = or.off
		case tar.TypeDir:
			st.Mode = vfs.TypeDirectory.ModeBits() | perm
			st.Nlink = 2
			n.children = map[string]*node{}
		case tar.TypeSymlink:
			st.Mode = vfs.TypeSymlink.ModeBits() | 0o777
			st.Size = int64(len(h.Linkname))
			n.target = h.Linkname
		case tar.TypeLink:
			links[p] = path.Clean("/" + h.Linkname)
			continue
		default:
			continue // devices, FIFOs: not served
		}
		n.st = st
		if err := fs.insert(p, n); err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: %s: %w", name, h.Name, err)
		}
	}
	for p, target := range links {
		t := fs.find(target)
		if t == nil || t.children != nil {
			continue
		}
		t.st.Nlink++
		fs.insert(p, t)
	}
	return fs, nil
}

// insert places n at p, making missing parent directories.
func (fs *FS) insert(p string, n *node) error {
	dir := fs.root
	parts := strings.Split(p[1:], "/")
	for _, c := range parts[:len(parts)-1] {
		next := dir.children[c]
		if next == nil {
			fs.autoIno++
			next = &node{st: vfs.Stat{Ino: 1<<40 + fs.autoIno, Mode: vfs.TypeDirectory.ModeBits() | 0o755, Nlink: 2}, children: map[string]*node{}}
			dir.children[c] = next
			dir.st.Nlink++
		}
		if next.children == nil {
			return fmt.Errorf("%s is not a directory", c)
		}
		dir = next
	}
	last := parts[len(parts)-1]
	if old := dir.children[last]; old != nil && old.children != nil && n.children != nil {
		old.st = n.st // a directory listed after its contents
		old.st.Nlink = 2 + countDirs(old)
		return nil
	}
	dir.children[last] = n
	if n.children != nil {
		dir.st.Nlink++
	}
	return nil
}

func countDirs(n *node) uint64 {
	c := uint64(0)
	for _, ch := range n.children {
		if ch.children != nil {
			c++
		}
	}
	return c
}

// find returns the node at a clean absolute path, without following links.
func (fs *FS) find(p string) *node {
	n := fs.root
	for _, c := range strings.Split(p, "/") {
		if c == "" {
			continue
		}
		if n.children == nil {
			return nil
		}
		if n = n.children[c]; n == nil {
			return nil
		}
	}
	return n
}

// walk is find with errnos and an optional final link followed.
func (fs *FS) walk(p string, follow bool) (*node, errno.Errno) {
	for hops := 0; hops <= vfs.MaxSymlinks; hops++ {
		n := fs.find(path.Clean(p))
		if n == nil {
			return nil, errno.ENOENT
		}
		if !follow || n.target == "" {
			return n, 0
		}
		t := n.target
		if !strings.HasPrefix(t, "/") {
			t = path.Join(path.Dir(p), t)
		}
		p = t
	}
	return nil, errno.ELOOP
}

func (fs *FS) Info(context.Context) (string, bool) { return fs.name, true }

func (fs *FS) Stat(_ context.Context, p string, follow bool) (vfs.Stat, errno.Errno) {
	n, e := fs.walk(p, follow)
	if e != 0 {
		return vfs.Stat{}, e
	}
	return n.st, 0
}

func (fs *FS) ReadDir(_ context.Context, p string, cookie uint64, max int) ([]vfs.Dirent, uint64, bool, errno.Errno) {
	n, e := fs.walk(p, false)
	if e != 0 {
		return nil, 0, true, e
	}
	if n.children == nil {
		return nil, 0, true, errno.ENOTDIR
	}
	names := make([]string, 0, len(n.children))
	for name := range n.children {
		names = append(names, name)
	}
	sort.Strings(names)
	if cookie >= uint64(len(names)) {
		return nil, cookie, true, 0
	}
	end := min(uint64(len(names)), cookie+uint64(max))
	var out []vfs.Dirent
	for _, name := range names[cookie:end] {
		c := n.children[name]
		out = append(out, vfs.Dirent{Name: name, Ino: c.st.Ino, Type: c.st.Type()})
	}
	return out, end, end == uint64(len(names)), 0
}

func (fs *FS) Readlink(_ context.Context, p string) (string, errno.Errno) {
	n, e := fs.walk(p, false)
	if e != 0 {
		return "", e
	}
	if n.target == "" {
		return "", errno.EINVAL
	}
	return n.target, 0
}

func (fs *FS) Open(_ context.Context, p string, flags vfs.OpenFlags, _ uint32) (uint64, vfs.Stat, errno.Errno) {
	if flags.Writable() || flags&(vfs.O_CREAT|vfs.O_TRUNC) != 0 {
		if fs.find(path.Clean(p)) == nil && flags&vfs.O_CREAT == 0 {
			return 0, vfs.Stat{}, errno.ENOENT
		}
		return 0, vfs.Stat{}, errno.EROFS
	}
	n, e := fs.walk(p, false)
	if e != 0 {
		return 0, vfs.Stat{}, e
	}
	fs.mu.Lock()
	fs.nextH++
	h := fs.nextH
	fs.open[h] = n
	fs.mu.Unlock()
	return h, n.st, 0
}

func (fs *FS) handle(h uint64) (*node, errno.Errno) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	n, ok := fs.open[h]
	if !ok {
		return nil, errno.EBADF
	}
	return n, 0
}

func (fs *FS) Read(_ context.Context, h uint64, off int64, p []byte) (int, errno.Errno) {
	n, e := fs.handle(h)
	if e != 0 {
		return 0, e
	}
	if n.children != nil {
		return 0, errno.EISDIR
	}
	if off >= n.st.Size {
		return 0, 0
	}
	p = p[:min(int64(len(p)), n.st.Size-off)]
	k, err := fs.f.ReadAt(p, n.offset+off)
	if err != nil && err != io.EOF {
		return k, errno.EIO
	}
	return k, 0
}

func (fs *FS) Fstat(_ context.Context, h uint64) (vfs.Stat, errno.Errno) {
	n, e := fs.handle(h)
	if e != 0 {
		return vfs.Stat{}, e
	}
	return n.st, 0
}

func (fs *FS) Close(_ context.Context, h uint64) errno.Errno {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if _, ok := fs.open[h]; !ok {
		return errno.EBADF
	}
	delete(fs.open, h)
	return 0
}
