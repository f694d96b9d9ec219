// Package hashfs is the read-only, integrity-protected file system over an
// Occlum instance's image/ directory (the "read-only hashed FS" of the
// original Occlum).
//
// `occlum build` walks image/ and records a Manifest: every path with its
// type, permission bits, and the size and SHA-256 of each file's content.
// The manifest's RootHash is part of what is measured and signed. At run
// time hashfs serves the tree described by the manifest, never the host's
// listing: directory entries, sizes, modes and link targets all come from
// the manifest, so files added or removed on the host are simply not seen
// (or fail to open). File contents are read from the host, through an
// os.Root on the image directory, and verified against the manifest's SHA-256
// when a file is opened: the whole file is read into memory once, checked,
// and then served only from that verified copy, so later host changes cannot
// reach a reader. A mismatch fails the open with EIO and is reported as an
// *IntegrityError to Options.Report. Verified contents are cached by hash up
// to Options.CacheBytes (least recently used first out); an open file keeps
// its copy alive regardless of the cache.
//
// Every modification fails with EROFS. Timestamps are 0, uid and gid are 0,
// inode numbers are the entry's position in the manifest plus one (stable for
// a given manifest; the root is 1).
//
// Lock order: cache.mu is the only lock; it is never held during host I/O
// or while calling out of the package.
package hashfs

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
)

// Name is the mount type name.
const Name = "hashfs"

// DefaultCacheBytes is the verified-content cache size used by New.
const DefaultCacheBytes = 64 << 20

// Options configure a FileSystem.
type Options struct {
	// CacheBytes bounds the verified file contents kept after their last
	// open file is closed; 0 means DefaultCacheBytes, negative means none.
	CacheBytes int64
	// Report, if not nil, is called with every *IntegrityError (and host
	// read error) behind an EIO, for logging. It must not block.
	Report func(error)
}

// IntegrityError says that a file's content on the host does not match the
// manifest (tampered with, truncated, replaced or removed after build).
type IntegrityError struct {
	// Path is the file's path in the image ("/bin/hello").
	Path string
	// Reason describes the mismatch.
	Reason string
}

func (e *IntegrityError) Error() string {
	return "hashfs: " + e.Path + ": integrity check failed: " + e.Reason
}

// FileSystem serves an image directory as described by a Manifest.
type FileSystem struct {
	root   *os.Root
	nodes  []*node // in manifest order; nodes[0] is the root
	cache  *cache
	report func(error)
}

var _ vfs.FileSystem = (*FileSystem)(nil)

// New serves imageDir as described by m, with default Options.
func New(imageDir string, m *Manifest) (*FileSystem, error) {
	return NewWithOptions(imageDir, m, Options{})
}

// NewWithOptions serves imageDir as described by m. It does not compare the
// directory with m (see Manifest.Check): contents are verified on open.
func NewWithOptions(imageDir string, m *Manifest, opts Options) (*FileSystem, error) {
	if m == nil || len(m.entries) == 0 {
		return nil, errors.New("hashfs: empty manifest")
	}
	r, err := os.OpenRoot(imageDir)
	if err != nil {
		return nil, fmt.Errorf("hashfs: %w", err)
	}
	limit := opts.CacheBytes
	if limit == 0 {
		limit = DefaultCacheBytes
	}
	f := &FileSystem{root: r, cache: newCache(max(limit, 0)), report: opts.Report}
	f.nodes = make([]*node, len(m.entries))
	byPath := make(map[string]*node, len(m.entries))
	for i, e := range m.entries {
		n := &node{fs: f, e: e, ino: uint64(i) + 1, nlink: 1}
		if e.Type == vfs.TypeDirectory {
			n.nlink = 2
			n.children = map[string]*node{}
		}
		f.nodes[i] = n
		byPath[e.Path] = n
		if i == 0 {
			continue
		}
		// A parsed or built manifest is sorted with parents first.
		p := byPath[parentOf(e.Path)]
		name := e.Path[strings.LastIndexByte(e.Path, '/')+1:]
		p.children[name] = n
		p.dirents = append(p.dirents, vfs.Dirent{Name: name, Ino: n.ino, Type: e.Type})
		if e.Type == vfs.TypeDirectory {
			p.nlink++
		}
	}
	return f, nil
}

// Root returns the image's root directory.
func (f *FileSystem) Root() vfs.Inode { return f.nodes[0] }

// Type returns Name.
func (f *FileSystem) Type() string { return Name }

// Close releases the image directory. Open files stay readable.
func (f *FileSystem) Close() error { return f.root.Close() }

// content returns the verified content of the regular file n.
func (f *FileSystem) content(n *node) ([]byte, errno.Errno) {
	if b, ok := f.cache.get(n.e.SHA256); ok {
		return b, 0
	}
	b, err := f.readVerified(n)
	if err != nil {
		if f.report != nil {
			f.report(err)
		}
		return nil, errno.EIO
	}
	f.cache.put(n.e.SHA256, b)
	return b, 0
}

// readVerified reads n's file from the host and checks it against the
// manifest. Every failure is an *IntegrityError: the manifest says the file
// exists with this content, so anything else is a changed image.
func (f *FileSystem) readVerified(n *node) ([]byte, error) {
	bad := func(format string, args ...any) error {
		return &IntegrityError{Path: n.e.Path, Reason: fmt.Sprintf(format, args...)}
	}
	// O_NONBLOCK: a FIFO swapped in by the host must not block the open.
	h, err := f.root.OpenFile(rel(n.e.Path), os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, bad("%v", err)
	}
	defer h.Close()
	if fi, err := h.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil, bad("not a regular file")
	}
	buf := make([]byte, n.e.Size)
	if k, err := io.ReadFull(h, buf); err != nil {
		return nil, bad("read %d of %d bytes: %v", k, n.e.Size, err)
	}
	var one [1]byte
	if k, _ := h.Read(one[:]); k != 0 {
		return nil, bad("longer than %d bytes", n.e.Size)
	}
	if sum := sha256.Sum256(buf); sum != n.e.SHA256 {
		return nil, bad("sha256 %s, manifest has %s", hex.EncodeToString(sum[:]), hex.EncodeToString(n.e.SHA256[:]))
	}
	return buf, nil
}
