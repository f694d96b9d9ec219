package unionfs

import (
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
)

// layerInode is an inode of one layer: layer 0 is the upper layer, layer
// i+1 is lowers[i].
type layerInode struct {
	layer int
	in    vfs.Inode
}

type upperRef struct{ in vfs.Inode }

// node is a union inode: what one name shows. A node with no lower layer
// below it (pure upper) is a thin wrapper made afresh by each lookup; a
// node with lowers is canonical (FileSystem.nodeFor) and records the
// position it was found at, which cannot change: a lower-backed
// directory is never renamed (EXDEV), so neither are its ancestors.
type node struct {
	vfs.UnimplementedInode
	fs  *FileSystem
	typ vfs.FileType

	// Lower-backed nodes only; immutable.
	parent *node
	name   string
	path   string       // the union path: the key in fs.canon
	lowers []layerInode // non-directories: one; directories: every merged one, top first

	upper atomic.Pointer[upperRef] // set once: at lookup, or by copy-up
	dead  atomic.Bool              // removed through the union (lower-backed nodes)
	cu    sync.Mutex               // serializes this file's copy-up

	dirIno atomic.Uint64 // directories: the union inode number, once computed
}

func (n *node) upperInode() vfs.Inode {
	if r := n.upper.Load(); r != nil {
		return r.in
	}
	return nil
}

func (n *node) setUpper(u vfs.Inode) { n.upper.Store(&upperRef{u}) }

// top returns the layer inode that shows through.
func (n *node) top() layerInode {
	if u := n.upperInode(); u != nil {
		return layerInode{0, u}
	}
	return n.lowers[0]
}

// stack returns a directory's layers, top first.
func (n *node) stack() []layerInode {
	u := n.upperInode()
	if u == nil {
		return n.lowers
	}
	s := make([]layerInode, 0, 1+len(n.lowers))
	s = append(s, layerInode{0, u})
	return append(s, n.lowers...)
}

func (n *node) Type() vfs.FileType { return n.typ }

// found is what a name shows in a stack of directories.
type found struct {
	typ    vfs.FileType
	layers []layerInode // non-directories: one; directories: every merged one, top first
}

// resolve looks name up in a stack of directories, top first (see the
// package comment for the rules).
func resolve(stack []layerInode, name string) (found, errno.Errno) {
	var f found
	for i, l := range stack {
		last := i == len(stack)-1
		c, e := l.in.Lookup(name)
		if e == 0 {
			if len(f.layers) == 0 {
				f.typ = c.Type()
			} else if c.Type() != vfs.TypeDirectory {
				// A non-directory below a directory is hidden, and
				// so is everything below it.
				return f, 0
			}
			f.layers = append(f.layers, layerInode{l.layer, c})
			if f.typ != vfs.TypeDirectory || last {
				return f, 0
			}
			opq, e := isOpaque(c)
			if e != 0 {
				return found{}, e
			}
			if opq {
				return f, 0
			}
			continue
		}
		if e != errno.ENOENT {
			return found{}, e
		}
		if last {
			break
		}
		wh, e := hasEntry(l.in, whiteout(name))
		if e != 0 {
			return found{}, e
		}
		if wh {
			break
		}
	}
	if len(f.layers) == 0 {
		return found{}, errno.ENOENT
	}
	return f, 0
}

func (n *node) Lookup(name string) (vfs.Inode, errno.Errno) {
	if n.typ != vfs.TypeDirectory {
		return nil, errno.ENOTDIR
	}
	if reserved(name) || n.dead.Load() {
		return nil, errno.ENOENT
	}
	f, e := resolve(n.stack(), name)
	if e != 0 {
		return nil, e
	}
	return n.fs.nodeFor(n, name, f), 0
}

func (n *node) Stat() (vfs.Stat, errno.Errno) {
	t := n.top()
	st, e := t.in.Stat()
	if e != 0 {
		return vfs.Stat{}, e
	}
	if n.typ != vfs.TypeDirectory {
		st.Ino = n.fs.ino(t.layer, st.Ino)
		n.countLinks(t.layer, &st)
		return st, 0
	}
	// A directory is numbered after its lowest layer, which copy-up
	// does not change.
	if v := n.dirIno.Load(); v != 0 {
		st.Ino = v
	} else {
		bottom, bst := t, st
		if len(n.lowers) > 0 {
			bottom = n.lowers[len(n.lowers)-1]
			if bottom.layer != t.layer {
				if bst, e = bottom.in.Stat(); e != 0 {
					return vfs.Stat{}, e
				}
			}
		}
		st.Ino = n.fs.ino(bottom.layer, bst.Ino)
		n.dirIno.Store(st.Ino)
	}
	// The link count of a merged directory (and of the root, whose layers
	// may hold a work directory) is counted from what it shows.
	if stack := n.stack(); len(stack) > 1 || n == n.fs.root {
		ents, e := n.fs.list(stack)
		if e != 0 {
			return vfs.Stat{}, e
		}
		st.Nlink = 2
		for _, d := range ents {
			if d.Type == vfs.TypeDirectory {
				st.Nlink++
			}
		}
	}
	return st, 0
}

// countLinks corrects the link count a lower layer reports for a file
// whose union name was removed (unlink, or rename over it) while it was
// still open: the lower layer keeps the name, the union does not show it.
// An upper file's count is the upper layer's own, already right.
func (n *node) countLinks(layer int, st *vfs.Stat) {
	if layer != 0 && st.Nlink > 0 && n.dead.Load() {
		st.Nlink--
	}
}

func (n *node) Readlink() (string, errno.Errno) {
	if n.typ != vfs.TypeSymlink {
		return "", errno.EINVAL
	}
	return n.top().in.Readlink()
}

func (n *node) ReadDir() ([]vfs.Dirent, errno.Errno) {
	if n.typ != vfs.TypeDirectory {
		return nil, errno.ENOTDIR
	}
	if n.dead.Load() {
		return nil, 0
	}
	return n.fs.list(n.stack())
}

// list merges the listings of a stack of directories, top first: no
// duplicates, whiteouts applied, no reserved names, sorted by name.
func (fs *FileSystem) list(stack []layerInode) ([]vfs.Dirent, errno.Errno) {
	type entry struct {
		d      vfs.Dirent // as the topmost layer lists it
		layer  int        // the topmost layer's index
		low    layerIno   // directories: the lowest layer merged
		lowDir vfs.Inode  // directories: the layer directory low was found in
		seenAt int        // the last stack position holding the name
		open   bool       // a directory still merging with layers below
		hidden bool       // whited out
	}
	m := map[string]*entry{}
	var names []string
	for i, l := range stack {
		ents, e := l.in.ReadDir()
		if e != 0 {
			return nil, e
		}
		last := i == len(stack)-1
		var whiteouts []string
		for _, d := range ents {
			if reserved(d.Name) {
				if !last && !strings.HasPrefix(d.Name, internalPrefix) {
					whiteouts = append(whiteouts, d.Name[len(WhiteoutPrefix):])
				}
				continue
			}
			en := m[d.Name]
			if en == nil {
				m[d.Name] = &entry{d: d, layer: l.layer, low: layerIno{l.layer, d.Ino}, lowDir: l.in,
					seenAt: i, open: d.Type == vfs.TypeDirectory && !last}
				names = append(names, d.Name)
				continue
			}
			if !en.open {
				continue
			}
			if d.Type != vfs.TypeDirectory {
				en.open = false
				continue
			}
			above, e := en.lowDir.Lookup(d.Name)
			if e != 0 {
				return nil, e
			}
			opq, e := isOpaque(above)
			if e != 0 {
				return nil, e
			}
			if opq {
				en.open = false
				continue
			}
			en.low, en.lowDir, en.seenAt, en.open = layerIno{l.layer, d.Ino}, l.in, i, !last
		}
		for _, w := range whiteouts {
			en := m[w]
			switch {
			case en == nil:
				m[w] = &entry{hidden: true}
			case en.seenAt != i: // an entry in the same layer wins
				en.open = false
			}
		}
	}
	sort.Strings(names)
	out := make([]vfs.Dirent, 0, len(names))
	for _, name := range names {
		en := m[name]
		d := en.d
		if d.Type == vfs.TypeDirectory {
			d.Ino = fs.ino(en.low.layer, en.low.ino)
		} else {
			d.Ino = fs.ino(en.layer, d.Ino)
		}
		out = append(out, d)
	}
	return out, 0
}

func (n *node) Open(flags vfs.OpenFlags) (vfs.FileImpl, errno.Errno) {
	switch n.typ {
	case vfs.TypeDirectory:
		if flags.Writable() {
			return nil, errno.EISDIR
		}
		return &dirFile{n: n}, 0
	case vfs.TypeRegular:
		if flags.Writable() {
			var limit int64 = -1
			if flags&vfs.O_TRUNC != 0 {
				limit = 0 // the caller truncates next: copy no data
			}
			u, e := n.copyUp(limit)
			if e != 0 {
				return nil, e
			}
			impl, e := u.Open(flags)
			if e != 0 {
				return nil, e
			}
			return newFile(n, 0, impl, flags), 0
		}
		fallthrough
	case vfs.TypeSymlink:
		t := n.top()
		impl, e := t.in.Open(flags)
		if e != 0 {
			return nil, e
		}
		return newFile(n, t.layer, impl, flags), 0
	}
	// Devices, FIFOs and sockets are not copied up (opening one for
	// writing changes no layer): the layer's file is handed out as is.
	return n.top().in.Open(flags)
}

func (n *node) SetAttr(a vfs.SetAttr) errno.Errno {
	if a.Mask&vfs.SetSize != 0 {
		switch {
		case n.typ == vfs.TypeDirectory:
			return errno.EISDIR
		case n.typ != vfs.TypeRegular || a.Size < 0:
			return errno.EINVAL
		}
	}
	var u vfs.Inode
	var e errno.Errno
	if n.typ == vfs.TypeDirectory {
		u, e = n.copyUpDir()
	} else {
		var limit int64 = -1
		if a.Mask&vfs.SetSize != 0 {
			limit = a.Size // copy only what the truncate keeps
		}
		u, e = n.copyUp(limit)
	}
	if e != 0 {
		return e
	}
	return u.SetAttr(a)
}
