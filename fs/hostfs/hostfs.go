// Package hostfs mounts a host directory into the LibOS.
//
// Every host access goes through one os.Root opened on the host directory,
// so no operation can reach a host file outside it, whatever the host does
// concurrently (os.Root resolves each path one component at a time with
// openat and refuses symbolic links that lead out of the root). Where os.Root
// lacks the exact Linux call (unlinkat with or without AT_REMOVEDIR,
// renameat replacing an empty directory, utimensat with UTIME_NOW/UTIME_OMIT
// and AT_SYMLINK_NOFOLLOW), the call is made on a descriptor of the parent
// directory opened through the root, with a single-component name, which
// cannot leave the root either. An inode is
// (root, path relative to the root, file type cached from Lstat); Lookup uses
// Lstat and never follows host symbolic links: vfs expands links itself, so
// the target of a host link (even an absolute one) is read as a LibOS path.
//
// Everything that comes back from the host is untrusted: names that are not
// single valid components, link targets longer than vfs.MaxPathLen, negative
// sizes and a file type that differs from the cached one are reported as EIO
// (or ESTALE for a changed type), never passed on. Host errors are translated
// once, by errno.FromError, where they enter.
//
// Inodes are path based, as Occlum's hostfs: an inode still names its old
// path after a host-side or LibOS rename of one of its ancestors. Open files
// keep the host descriptor and follow the file.
//
// O_APPEND is atomic against every writer of the host file: an append is
// one pwritev2(RWF_APPEND) on the host (see regFile.Append). On a host
// kernel without RWF_APPEND (before Linux 4.16) appends fall back to finding
// the end with fstat and writing there, serialized by FileSystem.appendMu:
// atomic against LibOS writers of this mount only.
//
// Lock order: regFile.mu (one descriptor's append offset) before
// FileSystem.appendMu (the fallback). Neither is held across a call out of
// hostfs. Inodes are immutable; open files otherwise rely on *os.File and
// *os.Root being safe for concurrent use.
package hostfs

import (
	"os"
	"sync"
	"sync/atomic"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
)

// Name is the mount type name.
const Name = "hostfs"

// FileSystem is a host directory mounted into the LibOS.
type FileSystem struct {
	root *os.Root
	dir  string
	top  *inode

	noRWFAppend atomic.Bool // the host rejected pwritev2(RWF_APPEND)
	appendMu    sync.Mutex  // serializes appends when noRWFAppend
}

var _ vfs.FileSystem = (*FileSystem)(nil)

// New opens hostDir, which must be an existing directory, as a file system.
// The directory is held open: renaming it on the host does not change what
// the file system serves.
func New(hostDir string) (*FileSystem, error) {
	r, err := os.OpenRoot(hostDir)
	if err != nil {
		return nil, err
	}
	fsys := &FileSystem{root: r, dir: hostDir}
	fsys.top = &inode{fs: fsys, rel: ".", typ: vfs.TypeDirectory}
	return fsys, nil
}

// Root returns the inode of the host directory.
func (f *FileSystem) Root() vfs.Inode { return f.top }

// Type returns Name.
func (f *FileSystem) Type() string { return Name }

// HostDir returns the host directory as given to New.
func (f *FileSystem) HostDir() string { return f.dir }

// Close releases the host directory. Open files stay usable; every other
// operation fails with EBADF afterwards.
func (f *FileSystem) Close() error { return f.root.Close() }

// hostErr translates a host error; it exists so that every translation in
// this package is one greppable call.
func hostErr(err error) errno.Errno { return errno.FromError(err) }
