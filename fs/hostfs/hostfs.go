// Package hostfs mounts a host directory into the LibOS.
//
// Every host access is relative to a descriptor of a directory inside the
// mount, with a single-component name and O_NOFOLLOW (or
// AT_SYMLINK_NOFOLLOW), so no operation can reach a host file outside the
// mounted directory by a path, whatever the host does concurrently: a
// directory swapped for a symbolic link is never followed. A directory
// inode holds its own descriptor (a dirHandle, O_PATH), so looking up a
// name costs one host call however deep the directory is; the file
// system keeps recently used handles by identity (device and inode) so
// walking a path opens nothing new. A non-directory inode is its parent's
// handle, its name and its identity: opening it checks that the name still
// names that file (ESTALE if the host replaced it). Lookup never follows
// host symbolic links: vfs expands links itself, so the target of a host
// link (even an absolute one) is read as a LibOS path.
//
// A directory the host moves while the LibOS holds it stays reachable
// through the handles already held, as an open directory does on Linux;
// lookups from the mount's root never leave the mounted directory.
//
// # What the host trusts
//
// Options.Protected names host paths no guest may reach through this mount,
// whatever its source: the files the host later executes or trusts (the
// LibOS binary, the signed build, the measured configuration, signing keys,
// trust anchors, the compile cache). They are known by identity, so no
// name, hard link or rename of a parent reaches them: looking one up is
// EACCES, and directories that contain one can be looked into but not
// removed, renamed or replaced (they are "guarded"). A mount whose source is
// or lies inside a protected directory is refused. Files guests create or
// chmod lose their set-user-ID and set-group-ID bits, and regular files
// their execute bits, unless Options.SetID or Options.Exec allow them.
//
// Everything that comes back from the host is untrusted: names that are not
// single valid components, link targets longer than vfs.MaxPathLen, negative
// sizes and a file type that differs from the cached one are reported as EIO
// (or ESTALE for a replaced file), never passed on. Host errors are
// translated once, by errno.FromError, where they enter.
//
// O_APPEND is atomic against every writer of the host file: an append is
// one pwritev2(RWF_APPEND) on the host (see regFile.Append). On a host
// kernel without RWF_APPEND (before Linux 4.16) appends fall back to finding
// the end with fstat and writing there, serialized by FileSystem.appendMu:
// atomic against LibOS writers of this mount only.
//
// Lock order: regFile.mu (one descriptor's append offset) before
// FileSystem.appendMu (the fallback); FileSystem.cacheMu is a leaf. None is
// held across a call out of hostfs. Inodes are immutable.
package hostfs

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
)

// Name is the mount type name.
const Name = "hostfs"

// Options configure a hostfs mount.
type Options struct {
	// Protected are host paths that guests must never reach through this
	// mount (see the package comment). Paths that do not exist are
	// ignored.
	Protected []string
	// Exec keeps execute bits on regular files that guests create or
	// chmod; SetID keeps set-user-ID and set-group-ID bits.
	Exec, SetID bool
	// Report, if set, receives every refused access to a protected path.
	Report func(error)
}

// FileSystem is a host directory mounted into the LibOS.
type FileSystem struct {
	dir  string
	opts Options
	root *dirHandle
	top  *inode

	protected map[identity]string // no access at all
	guarded   map[identity]string // directories holding a protected path
	// names are protected paths by their parent directory and name: a
	// path that does not exist (yet), or that the host replaces with a new
	// file (an editor saving Occlum.json by rename), is refused by name.
	names map[nameKey]string

	dentries dentryCache

	cacheMu sync.Mutex
	cache   map[identity]*dirHandle

	noRWFAppend atomic.Bool // the host rejected pwritev2(RWF_APPEND)
	appendMu    sync.Mutex  // serializes appends when noRWFAppend
}

var _ vfs.FileSystem = (*FileSystem)(nil)

// New opens hostDir, which must be an existing directory, as a file system.
// The directory is held open: renaming it on the host does not change what
// the file system serves.
func New(hostDir string, opts Options) (*FileSystem, error) {
	fd, err := unix.Open(hostDir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: hostDir, Err: err}
	}
	root, err := newHandle(fd)
	if err != nil {
		return nil, &os.PathError{Op: "stat", Path: hostDir, Err: err}
	}
	f := &FileSystem{dir: hostDir, opts: opts, root: root, cache: map[identity]*dirHandle{},
		protected: map[identity]string{}, guarded: map[identity]string{}, names: map[nameKey]string{}}
	for _, p := range opts.Protected {
		f.protect(p)
	}
	// The source itself must not be, or be inside, a protected directory.
	abs, err := filepath.Abs(hostDir)
	if err != nil {
		return nil, err
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	for p := abs; ; p = filepath.Dir(p) {
		if id, ok := lstatID(p); ok {
			if what, bad := f.protected[id]; bad {
				return nil, fmt.Errorf("host directory %s is %s, which the host trusts; mount a directory meant for exchange", hostDir, describe(what, p))
			}
		}
		if p == filepath.Dir(p) {
			break
		}
	}
	f.top = &inode{fs: f, dir: root, typ: vfs.TypeDirectory, id: root.id}
	return f, nil
}

func describe(protected, p string) string {
	if protected == p {
		return protected
	}
	return "inside " + protected
}

// protect adds the identity of p (and of what it links to) to the
// protected set, and the identities of its parent directories (symbolic
// links on the way included: replacing one would redirect the host) to the
// guarded set.
func (f *FileSystem) protect(p string) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return
	}
	paths := []string{abs}
	if real, err := filepath.EvalSymlinks(abs); err == nil && real != abs {
		paths = append(paths, real)
	}
	for _, q := range paths {
		if id, ok := lstatID(q); ok {
			f.protected[id] = abs
		}
		if dir, ok := lstatID(filepath.Dir(q)); ok {
			f.names[nameKey{dir, filepath.Base(q)}] = abs
		}
		for d := filepath.Dir(q); ; d = filepath.Dir(d) {
			if id, ok := lstatID(d); ok {
				if _, prot := f.protected[id]; !prot {
					f.guarded[id] = abs
				}
			}
			if d == filepath.Dir(d) {
				break
			}
		}
	}
}

func lstatID(p string) (identity, bool) {
	var st unix.Stat_t
	if err := unix.Lstat(p, &st); err != nil {
		return identity{}, false
	}
	return identity{st.Dev, st.Ino}, true
}

// refuse reports an access to a protected or guarded path and returns
// EACCES.
func (f *FileSystem) refuse(op, name, what string) errno.Errno {
	if f.opts.Report != nil {
		f.opts.Report(fmt.Errorf("hostfs %s: %s of %q refused: it is %s, which the host trusts", f.dir, op, name, what))
	}
	return errno.EACCES
}

// checkAccess refuses protected identities.
func (f *FileSystem) checkAccess(op, name string, id identity) errno.Errno {
	if what, ok := f.protected[id]; ok {
		return f.refuse(op, name, what)
	}
	return 0
}

// nameKey is a name in a directory.
type nameKey struct {
	dir  identity
	name string
}

// checkName refuses a protected name in the directory dir, whatever is
// there (or nothing).
func (f *FileSystem) checkName(op string, dir identity, name string) errno.Errno {
	if what, ok := f.names[nameKey{dir, name}]; ok {
		return f.refuse(op, name, what)
	}
	return 0
}

// checkChange refuses protected and guarded identities (remove, rename,
// replace).
func (f *FileSystem) checkChange(op, name string, id identity) errno.Errno {
	if what, ok := f.protected[id]; ok {
		return f.refuse(op, name, what)
	}
	if what, ok := f.guarded[id]; ok {
		return f.refuse(op, name, "a directory holding "+what)
	}
	return 0
}

// Root returns the inode of the host directory.
func (f *FileSystem) Root() vfs.Inode { return f.top }

// Type returns Name.
func (f *FileSystem) Type() string { return Name }

// HostDir returns the host directory as given to New.
func (f *FileSystem) HostDir() string { return f.dir }

// Close drops the file system's cached handles. Open files stay usable;
// handles still held by inodes close when the inodes are dropped.
func (f *FileSystem) Close() error {
	f.cacheMu.Lock()
	clear(f.cache)
	f.cacheMu.Unlock()
	return nil
}

// hostErr translates a host error; it exists so that every translation in
// this package is one greppable call.
func hostErr(err error) errno.Errno { return errno.FromError(err) }

// maskMode applies the mount's policy to permission bits a guest asks for.
func (f *FileSystem) maskMode(perm uint32, dir bool) uint32 {
	perm &= 0o7777
	if !f.opts.SetID {
		perm &^= 0o6000
	}
	if !f.opts.Exec && !dir {
		perm &^= 0o111
	}
	return perm
}
