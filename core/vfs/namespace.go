package vfs

import (
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/occlumgo/occlum/core/errno"
)

// Mount is one file system attached at a canonical absolute path.
type Mount struct {
	// Path is the canonical absolute mount point ("/" for the root).
	Path string
	// FS is the mounted file system.
	FS FileSystem
	// ReadOnly makes every modification through this mount fail with EROFS.
	ReadOnly bool
	// Dev is the device number reported in st_dev for files of this mount.
	Dev uint64
	// Source is the mount source as configured (for /proc/mounts-like output).
	Source string

	// sockets holds the inode numbers of files bound as UNIX socket names
	// (MarkSocket): stat reports them as S_IFSOCK, since mount types store
	// no special files.
	sockets sync.Map
	nsocket atomic.Int32
}

// Dentry is a resolved path: the inode, the mount it belongs to, and the
// canonical absolute path it was reached by (symlinks expanded).
type Dentry struct {
	Mount *Mount
	Inode Inode
	Path  string
}

// Namespace is a mount table and the path operations on it. It is safe for
// concurrent use; lookups of the mount table take no lock.
//
// A Namespace may be a view of another one for a caller (As): the same
// mount table, seen by one process, so that links whose target depends on
// who follows them (procfs's self, CallerLink) resolve for that process.
type Namespace struct {
	t      *mountTable
	caller Caller // nil: no process (the LibOS itself)
}

// mountTable is what every view of a namespace shares.
type mountTable struct {
	mu      sync.Mutex               // serializes Mount/Unmount
	mounts  atomic.Pointer[mountMap] // copy-on-write
	nextDev uint64
}

type mountMap map[string]*Mount

// NewNamespace returns a namespace whose "/" is root.
func NewNamespace(root FileSystem, readOnly bool, source string) *Namespace {
	n := &Namespace{t: &mountTable{nextDev: 1}}
	m := mountMap{"/": {Path: "/", FS: root, ReadOnly: readOnly, Dev: n.t.nextDev, Source: source}}
	n.t.nextDev++
	n.t.mounts.Store(&m)
	return n
}

// As returns a view of n for the process c: the same mount table (a mount
// made through either is seen by both), with c as the caller of every path
// operation, for links that stand for the caller (CallerLink). The kernel
// gives each process such a view.
func (n *Namespace) As(c Caller) *Namespace { return &Namespace{t: n.t, caller: c} }

// Caller returns the process the view is for, or nil.
func (n *Namespace) Caller() Caller { return n.caller }

// readlink returns the target of the symbolic link in, as seen by n's
// caller.
func (n *Namespace) readlink(in Inode) (string, errno.Errno) {
	if cl, ok := in.(CallerLink); ok {
		return cl.ReadlinkAs(n.caller)
	}
	return in.Readlink()
}

// Mount attaches fs at path, which must be an existing directory.
//
// # Errors
//   - ENOENT/ENOTDIR: path is not an existing directory.
//   - EBUSY: something is already mounted at path.
func (n *Namespace) Mount(path string, fs FileSystem, readOnly bool, source string) errno.Errno {
	d, e := n.Resolve(path, true)
	if e != 0 {
		return e
	}
	if d.Inode.Type() != TypeDirectory {
		return errno.ENOTDIR
	}
	n.t.mu.Lock()
	defer n.t.mu.Unlock()
	old := *n.t.mounts.Load()
	if _, ok := old[d.Path]; ok {
		return errno.EBUSY
	}
	m := make(mountMap, len(old)+1)
	for k, v := range old {
		m[k] = v
	}
	m[d.Path] = &Mount{Path: d.Path, FS: fs, ReadOnly: readOnly, Dev: n.t.nextDev, Source: source}
	n.t.nextDev++
	n.t.mounts.Store(&m)
	return 0
}

// Mounts returns the mount table sorted by path.
func (n *Namespace) Mounts() []*Mount {
	m := *n.t.mounts.Load()
	out := make([]*Mount, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// Sync makes every mounted file system's changes durable (sync(2)): all
// are synced, the first error is returned.
func (n *Namespace) Sync() errno.Errno {
	var first errno.Errno
	for _, m := range n.Mounts() {
		if s, ok := m.FS.(Syncer); ok {
			if e := s.Sync(); e != 0 && first == 0 {
				first = e
			}
		}
	}
	return first
}

func (n *Namespace) root() Dentry {
	m := (*n.t.mounts.Load())["/"]
	return Dentry{Mount: m, Inode: m.FS.Root(), Path: "/"}
}

// Join makes p absolute against base (an absolute directory path). It does
// not clean the result: resolution handles "." and "..".
func Join(base, p string) string {
	if strings.HasPrefix(p, "/") {
		return p
	}
	if base == "/" {
		return "/" + p
	}
	return base + "/" + p
}

func childPath(dir, name string) string {
	if dir == "/" {
		return "/" + name
	}
	return dir + "/" + name
}

// splitPath splits p into its non-empty components.
func splitPath(p string) []string {
	parts := strings.Split(p, "/")
	out := parts[:0]
	for _, s := range parts {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func checkPath(p string) errno.Errno {
	if p == "" {
		return errno.ENOENT
	}
	if len(p) >= MaxPathLen {
		return errno.ENAMETOOLONG
	}
	if strings.IndexByte(p, 0) >= 0 {
		return errno.EINVAL
	}
	return 0
}

// Resolve walks the absolute path p. The final component is followed if it is
// a symbolic link and follow is true (or p ends in "/").
//
// # Errors
//   - ENOENT: a component does not exist, or p is empty.
//   - ENOTDIR: a non-final component is not a directory, or p ends in "/"
//     and names a non-directory.
//   - ELOOP: more than MaxSymlinks links were followed.
//   - ENAMETOOLONG: p or a component is too long.
func (n *Namespace) Resolve(p string, follow bool) (Dentry, errno.Errno) {
	if e := checkPath(p); e != 0 {
		return Dentry{}, e
	}
	trailingSlash := strings.HasSuffix(p, "/")
	d, e := n.walk(n.root(), splitPath(p), follow || trailingSlash)
	if e != 0 {
		return Dentry{}, e
	}
	if trailingSlash && d.Inode.Type() != TypeDirectory {
		return Dentry{}, errno.ENOTDIR
	}
	return d, 0
}

// walk resolves comps starting at start.
func (n *Namespace) walk(start Dentry, comps []string, followFinal bool) (Dentry, errno.Errno) {
	w := walker{n: n}
	return w.walk(start, comps, followFinal)
}

// walker is one path resolution that may be done in steps (the parent
// directory, then the final name). It carries the number of symbolic links
// followed so far, so that all steps share one MaxSymlinks budget as Linux's
// total_link_count does, and it reports where a missing final component
// would be created (open with O_CREAT through a dangling symlink).
type walker struct {
	n     *Namespace
	links int

	// Set by walk when it fails with ENOENT because the final component,
	// after every symlink expansion, does not exist: the directory that
	// lacks it and its name. missingSlash says the name came from a link
	// target ending in "/" (Linux refuses to create it: EISDIR).
	missingDir   Dentry
	missingName  string
	missingSlash bool
}

// walk resolves comps starting at start.
func (w *walker) walk(start Dentry, comps []string, followFinal bool) (Dentry, errno.Errno) {
	n := w.n
	w.missingDir, w.missingName, w.missingSlash = Dentry{}, "", false
	mounts := *n.t.mounts.Load()
	stack := make([]Dentry, 1, 8)
	stack[0] = start
	if start.Path != "/" {
		// ".." above start must be able to climb: rebuild the stack from "/".
		var e errno.Errno
		stack, e = n.stackFor(start.Path)
		if e != 0 {
			return Dentry{}, e
		}
	}
	slashMarker := false // comps ends in the "." standing for a link target's trailing "/"
	for len(comps) > 0 {
		c := comps[0]
		comps = comps[1:]
		switch c {
		case ".":
			if stack[len(stack)-1].Inode.Type() != TypeDirectory {
				return Dentry{}, errno.ENOTDIR
			}
			continue
		case "..":
			if stack[len(stack)-1].Inode.Type() != TypeDirectory {
				return Dentry{}, errno.ENOTDIR
			}
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
			continue
		}
		if len(c) > MaxNameLen {
			return Dentry{}, errno.ENAMETOOLONG
		}
		cur := stack[len(stack)-1]
		if cur.Inode.Type() != TypeDirectory {
			return Dentry{}, errno.ENOTDIR
		}
		cp := childPath(cur.Path, c)
		var child Dentry
		if m, ok := mounts[cp]; ok {
			child = Dentry{Mount: m, Inode: m.FS.Root(), Path: cp}
		} else {
			in, e := cur.Inode.Lookup(c)
			if e == errno.ENOENT {
				if len(comps) == 0 {
					w.missingDir, w.missingName = cur, c
				} else if slashMarker && len(comps) == 1 {
					w.missingDir, w.missingName, w.missingSlash = cur, c, true
				}
			}
			if e != 0 {
				return Dentry{}, e
			}
			child = Dentry{Mount: cur.Mount, Inode: in, Path: cp}
		}
		if child.Inode.Type() == TypeSymlink && (len(comps) > 0 || followFinal) {
			w.links++
			if w.links > MaxSymlinks {
				return Dentry{}, errno.ELOOP
			}
			target, e := n.readlink(child.Inode)
			if e != 0 {
				return Dentry{}, e
			}
			if target == "" {
				return Dentry{}, errno.ENOENT
			}
			if strings.HasPrefix(target, "/") {
				stack = stack[:1]
			}
			tc := splitPath(target)
			if strings.HasSuffix(target, "/") && len(comps) == 0 {
				tc = append(tc, ".")
				slashMarker = true
			}
			comps = append(tc, comps...)
			continue
		}
		stack = append(stack, child)
	}
	return stack[len(stack)-1], 0
}

// stackFor rebuilds the directory stack of a canonical path, so that ".."
// from a dentry reached by an earlier resolution climbs correctly.
func (n *Namespace) stackFor(canon string) ([]Dentry, errno.Errno) {
	root := n.root()
	stack := []Dentry{root}
	mounts := *n.t.mounts.Load()
	for _, c := range splitPath(canon) {
		cur := stack[len(stack)-1]
		cp := childPath(cur.Path, c)
		if m, ok := mounts[cp]; ok {
			stack = append(stack, Dentry{Mount: m, Inode: m.FS.Root(), Path: cp})
			continue
		}
		in, e := cur.Inode.Lookup(c)
		if e != 0 {
			return nil, e
		}
		stack = append(stack, Dentry{Mount: cur.Mount, Inode: in, Path: cp})
	}
	return stack, 0
}

// resolveParent resolves all but the last component of p (following links)
// and returns the parent directory and the last name. The name may be "." or
// ".." (callers reject those as their syscall does), and is "" for "/".
func (n *Namespace) resolveParent(p string) (Dentry, string, errno.Errno) {
	w := walker{n: n}
	return w.resolveParent(p)
}

// resolveParent is Namespace.resolveParent counting links in w.
func (w *walker) resolveParent(p string) (Dentry, string, errno.Errno) {
	n := w.n
	if e := checkPath(p); e != 0 {
		return Dentry{}, "", e
	}
	comps := splitPath(p)
	if len(comps) == 0 {
		return n.root(), "", 0
	}
	name := comps[len(comps)-1]
	if len(name) > MaxNameLen {
		return Dentry{}, "", errno.ENAMETOOLONG
	}
	parent, e := w.walk(n.root(), comps[:len(comps)-1], true)
	if e != 0 {
		return Dentry{}, "", e
	}
	if parent.Inode.Type() != TypeDirectory {
		return Dentry{}, "", errno.ENOTDIR
	}
	return parent, name, 0
}

func (n *Namespace) isMountPoint(p string) bool {
	_, ok := (*n.t.mounts.Load())[p]
	return ok
}
