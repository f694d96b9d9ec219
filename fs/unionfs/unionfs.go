// Package unionfs is the overlay mount type: one writable upper layer over
// read-only lower layers, with the semantics of Linux overlayfs. The LibOS
// root is a unionfs of an encrypted container layer over the image, as in
// the original Occlum. unionfs imports no mount type: the composition root
// builds the layers and hands them to New as vfs.FileSystem values.
//
// # Layers and lookup
//
// A name is looked up in the upper layer first, then in each lower layer in
// order. The first non-directory found hides everything below it. A
// directory found in several layers is merged, down to the first layer
// whose directory is opaque, or that holds a whiteout for the name, or a
// non-directory of that name. With no upper layer (New with upper == nil)
// the union is read-only and every modification fails with EROFS.
//
// # Whiteouts and opaque directories
//
// Whiteouts are stored OCI-style, as ordinary files, so they work on any
// layer type (no xattrs, no device numbers): an entry ".wh.NAME" hides NAME
// of the layers below the one holding it, and an entry ".wh..wh..opq" in a
// directory makes that directory opaque (nothing below shows through). Both
// are honoured in every layer but the last, so OCI image layers can be
// stacked as lowers. Names starting with ".wh." belong to unionfs: they are
// never listed, a lookup of one is ENOENT, and creating one (create, mkdir,
// symlink, link, or rename to it) is EINVAL. unionfs keeps its own
// temporaries under ".wh..wh..work" in the upper root (cleared by New).
//
// # Copy-up
//
// The first change to a file of a lower layer (open for writing, truncate,
// chmod, utimens, hard link, rename) copies it into the upper layer: its
// data in chunks of Options.ChunkSize (never the whole file in memory;
// all-zero chunks are left as holes), then its mode and times, into a
// temporary in the work directory that is renamed into place, so no one
// ever sees a partial copy. Missing parent directories are made in the
// upper layer first with the modes and times of their lower copies; the
// times of the upper directory receiving a copy are restored afterwards,
// so copy-up changes nothing a guest can see. An open with O_TRUNC copies
// no data, a truncate copies only what is kept. A file already open for
// reading from a lower layer switches to the upper copy at its next
// operation once the copy exists.
//
// # Changes that leave whiteouts
//
// Removing a name that a lower layer holds (unlink, rmdir, rename from it)
// leaves a whiteout for it. rmdir of a directory whose lower entries are all
// whited out removes its upper copy and leaves a whiteout; mkdir over a
// whiteout makes an opaque directory. A directory that exists in a lower
// layer cannot be renamed (EXDEV, as overlayfs without redirect_dir); a
// non-directory from a lower layer is copied up and then renamed. A
// directory renamed over a name a lower layer holds is made opaque.
//
// # Inode numbers
//
// A non-directory reports the inode number of the layer holding it, with
// the layer's index in the top bits (the upper layer's numbers are kept
// as they are); a directory reports that of its lowest layer, so a
// directory keeps its number when it is copied up. A file gets a new
// number when it is copied up. The link count of a merged directory is
// computed from the merged listing.
//
// # Differences from Linux overlayfs
//
// Whiteouts and opaque markers are OCI files, not device nodes and xattrs,
// and ".wh." names are reserved. Listings are sorted by name. A merged
// directory's link count is counted (overlayfs says 1). A file's inode
// number changes on copy-up (as overlayfs without xino on separate file
// systems). Copy-up breaks hard links between lower names (as index=off).
// Devices, FIFOs and sockets are not copied up (EOPNOTSUPP). Renaming a
// lower directory is EXDEV (no redirect_dir); there is no metacopy. A lower
// file removed while open for reading cannot be fchmod-ed through that
// descriptor (ENOENT). The work directory lives inside the upper layer.
// All changes of one union are serialized. docs/unionfs.md has the
// details and the on-layer format.
//
// Lock order: node.cu (one file's copy-up) → FileSystem.ns (every change
// to the upper layer's tree, and the decisions they rest on) →
// FileSystem.canonMu (the table of live nodes) → FileSystem.inoMu (spilled
// inode numbers). file.mu (an open file switching to the upper copy) is
// held only across calls into a layer. At most one node.cu is held at a
// time, and none is taken with ns held. Every unionfs lock is above the
// layers' locks, unionfs never calls back into vfs, and lookups, listings
// and data I/O take only the short-held canonMu and inoMu.
package unionfs

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math/bits"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"weak"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
)

// Name is the mount type name.
const Name = "unionfs"

// DefaultChunkSize is the unit of copy-up when Options.ChunkSize is 0.
const DefaultChunkSize = 1 << 20

// On-layer names (OCI image-spec whiteouts).
const (
	// WhiteoutPrefix starts every name unionfs reserves; ".wh.NAME" hides
	// NAME in the layers below.
	WhiteoutPrefix = ".wh."
	// OpaqueMarker in a directory hides the directories of the same name
	// in the layers below.
	OpaqueMarker = ".wh..wh..opq"
	// WorkDir, in the upper root, holds copy-up temporaries and removed
	// directories while they are emptied.
	WorkDir = ".wh..wh..work"

	// internalPrefix starts names that are not whiteouts of anything.
	internalPrefix = ".wh..wh."
)

// Options configure a FileSystem. The zero value is the default.
type Options struct {
	// ChunkSize is how many bytes copy-up reads and writes at a time; 0
	// means DefaultChunkSize.
	ChunkSize int
}

// FileSystem is one union of layers.
type FileSystem struct {
	upperFS   vfs.FileSystem
	upper     vfs.Inode // root of the upper layer; nil for a read-only union
	root      *node
	chunkSize int

	// ns serializes every change to the upper layer's tree made through
	// the union, with the lookups that decide it.
	ns   sync.Mutex
	work vfs.Inode // the work directory; guarded by ns, made on first use

	// canonMu guards canon: the live node of each path that has a lower
	// layer below it, so that a file's copy-up lock and copy-up state are
	// shared by every holder.
	canonMu sync.Mutex
	canon   map[string]weak.Pointer[node]

	tmpTag string
	tmpSeq atomic.Uint64

	// Inode numbers: a layer's number with the layer index in the top
	// bits; numbers too large for that are given one from spill.
	inoShift uint
	inoMu    sync.Mutex
	spill    map[layerIno]uint64
	spillSeq uint64
}

type layerIno struct {
	layer int
	ino   uint64
}

var (
	_ vfs.FileSystem = (*FileSystem)(nil)
	_ vfs.Inode      = (*node)(nil)
	_ vfs.FileImpl   = (*file)(nil)
	_ vfs.Appender   = (*file)(nil)
	_ vfs.FileImpl   = (*dirFile)(nil)
)

// New returns the union of upper (nil for a read-only union) over lowers,
// topmost first. The layers' roots must be directories. unionfs never
// writes to a lower layer; the caller must not change any layer while the
// union is in use, except the upper one through the union.
//
// New removes what a previous use left in the upper layer's work
// directory.
func New(upper vfs.FileSystem, lowers []vfs.FileSystem, opts Options) (*FileSystem, error) {
	if upper == nil && len(lowers) == 0 {
		return nil, fmt.Errorf("unionfs: no layers")
	}
	if opts.ChunkSize < 0 {
		return nil, fmt.Errorf("unionfs: negative chunk size %d", opts.ChunkSize)
	}
	fs := &FileSystem{
		chunkSize: opts.ChunkSize,
		canon:     map[string]weak.Pointer[node]{},
		spill:     map[layerIno]uint64{},
		inoShift:  64 - uint(bits.Len(uint(1+len(lowers)))),
	}
	if fs.chunkSize == 0 {
		fs.chunkSize = DefaultChunkSize
	}
	var tag [6]byte
	rand.Read(tag[:])
	fs.tmpTag = hex.EncodeToString(tag[:])

	root := &node{fs: fs, typ: vfs.TypeDirectory, path: "/"}
	merge := true
	if upper != nil {
		r := upper.Root()
		if r == nil || r.Type() != vfs.TypeDirectory {
			return nil, fmt.Errorf("unionfs: the upper layer's root is not a directory")
		}
		fs.upper = r
		fs.upperFS = upper
		root.upper.Store(&upperRef{r})
		opq, e := isOpaque(r)
		if e != 0 {
			return nil, fmt.Errorf("unionfs: upper layer: %w", e)
		}
		merge = !opq
	}
	for i, l := range lowers {
		if l == nil {
			return nil, fmt.Errorf("unionfs: lower layer %d is nil", i)
		}
		r := l.Root()
		if r == nil || r.Type() != vfs.TypeDirectory {
			return nil, fmt.Errorf("unionfs: lower layer %d's root is not a directory", i)
		}
		if !merge {
			continue
		}
		root.lowers = append(root.lowers, layerInode{layer: i + 1, in: r})
		if i < len(lowers)-1 {
			opq, e := isOpaque(r)
			if e != 0 {
				return nil, fmt.Errorf("unionfs: lower layer %d: %w", i, e)
			}
			merge = !opq
		}
	}
	fs.root = root
	if fs.upper != nil {
		if e := fs.clearWorkDir(); e != 0 {
			return nil, fmt.Errorf("unionfs: clearing the work directory: %w", e)
		}
	}
	return fs, nil
}

// Root implements vfs.FileSystem.
func (fs *FileSystem) Root() vfs.Inode { return fs.root }

// Type implements vfs.FileSystem.
func (fs *FileSystem) Type() string { return Name }

// ReadOnly reports whether the union has no upper layer.
func (fs *FileSystem) ReadOnly() bool { return fs.upper == nil }

// ino returns the union's inode number for number ino of layer layer.
func (fs *FileSystem) ino(layer int, ino uint64) uint64 {
	if ino>>fs.inoShift == 0 {
		return ino | uint64(layer)<<fs.inoShift
	}
	// Too large to carry the layer index: number it in the range of the
	// one index no layer has (the all-ones top bits).
	fs.inoMu.Lock()
	defer fs.inoMu.Unlock()
	k := layerIno{layer, ino}
	if v, ok := fs.spill[k]; ok {
		return v
	}
	fs.spillSeq++
	v := (^uint64(0))<<fs.inoShift | fs.spillSeq
	fs.spill[k] = v
	return v
}

// tempName returns a name for a temporary in the work directory.
func (fs *FileSystem) tempName() string {
	return internalPrefix + ".tmp." + fs.tmpTag + "." + strconv.FormatUint(fs.tmpSeq.Add(1), 10)
}

// workDirLocked returns the work directory, making it if needed.
//
// Preconditions: fs.ns is held; fs.upper != nil.
func (fs *FileSystem) workDirLocked() (vfs.Inode, errno.Errno) {
	if fs.work != nil {
		return fs.work, 0
	}
	w, e := fs.upper.Lookup(WorkDir)
	switch {
	case e == errno.ENOENT:
		pst, e := fs.upper.Stat()
		if e != 0 {
			return nil, e
		}
		if e := fs.upper.Mkdir(WorkDir, 0o700); e != 0 {
			return nil, e
		}
		restoreTimes(fs.upper, pst)
		if w, e = fs.upper.Lookup(WorkDir); e != 0 {
			return nil, e
		}
	case e != 0:
		return nil, e
	}
	if w.Type() != vfs.TypeDirectory {
		return nil, errno.EIO
	}
	fs.work = w
	return w, 0
}

// clearWorkDir removes the contents of an existing work directory.
func (fs *FileSystem) clearWorkDir() errno.Errno {
	w, e := fs.upper.Lookup(WorkDir)
	if e == errno.ENOENT {
		return 0
	}
	if e != 0 {
		return e
	}
	if w.Type() != vfs.TypeDirectory {
		return errno.EIO
	}
	ents, e := w.ReadDir()
	if e != 0 {
		return e
	}
	for _, d := range ents {
		if e := removeAll(w, d.Name); e != 0 {
			return e
		}
	}
	return 0
}

// nodeFor returns the node for name in dir, found as f. Nodes with a lower
// layer below them are canonical: while one is alive, every lookup of its
// path returns it.
func (fs *FileSystem) nodeFor(dir *node, name string, f found) *node {
	top := f.layers[0]
	if top.layer == 0 && len(f.layers) == 1 {
		n := &node{fs: fs, typ: f.typ}
		n.upper.Store(&upperRef{top.in})
		return n
	}
	var upper vfs.Inode
	lowers := f.layers
	if top.layer == 0 {
		upper, lowers = top.in, f.layers[1:]
	}
	key := childPath(dir.path, name)
	fs.canonMu.Lock()
	defer fs.canonMu.Unlock()
	if wp, ok := fs.canon[key]; ok {
		if n := wp.Value(); n != nil && !n.dead.Load() && n.typ == f.typ {
			if upper != nil {
				n.upper.CompareAndSwap(nil, &upperRef{upper})
			}
			return n
		}
	}
	n := &node{fs: fs, typ: f.typ, parent: dir, name: name, path: key, lowers: lowers}
	if upper != nil {
		n.upper.Store(&upperRef{upper})
	}
	fs.canon[key] = weak.Make(n)
	runtime.AddCleanup(n, fs.forget, key)
	return n
}

// forget drops the table entry of a collected node.
func (fs *FileSystem) forget(key string) {
	fs.canonMu.Lock()
	defer fs.canonMu.Unlock()
	if wp, ok := fs.canon[key]; ok && wp.Value() == nil {
		delete(fs.canon, key)
	}
}

// markDead records that the lower-backed name key was removed through the
// union: its node, if alive, can no longer be copied up or looked in.
//
// Preconditions: fs.ns is held.
func (fs *FileSystem) markDead(key string) {
	fs.canonMu.Lock()
	defer fs.canonMu.Unlock()
	if wp, ok := fs.canon[key]; ok {
		if n := wp.Value(); n != nil {
			n.dead.Store(true)
		}
		delete(fs.canon, key)
	}
}

func childPath(dir, name string) string {
	if dir == "/" {
		return "/" + name
	}
	return dir + "/" + name
}

// Sync implements vfs.Syncer: the upper layer's changes become durable
// (the lower layers are read-only).
func (fs *FileSystem) Sync() errno.Errno {
	if s, ok := fs.upperFS.(vfs.Syncer); ok {
		return s.Sync()
	}
	return 0
}
