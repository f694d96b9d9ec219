// Package vfs is the LibOS virtual file system: the interfaces every mount
// type implements (FileSystem, Inode, FileImpl), the mount table, path
// resolution, and the open-file description (File) shared by fd tables.
//
// vfs imports no file system. Mount types live in fs/<name> and are handed to
// a Namespace by the composition root.
//
// Path resolution is done here, one component at a time, never by a file
// system: "." and ".." are handled on a stack of visited directories (so ".."
// at "/" stays at "/" and ".." at a mount root goes to the mount point's
// parent), mount points are crossed by looking up the canonical path in the
// mount table, and symbolic links are expanded here (absolute targets restart
// at the namespace root, never at a host directory) with at most
// MaxSymlinks expansions, after which ELOOP is returned. A file system only
// ever sees single, non-empty names without "/" that are not "." or "..".
//
// Lock order: Namespace.mu (mount table) is taken alone and never held while
// calling into a file system. File.mu (offset) is held across one FileImpl
// call (and, in File.ReadDir, across the resolution of the directory's
// parent). File systems have their own locks, below every vfs lock.
package vfs

import (
	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/waiter"
)

// MaxSymlinks is the number of symbolic links one resolution may follow,
// as Linux's MAXSYMLINKS.
const MaxSymlinks = 40

// MaxPathLen is the longest path accepted, as Linux's PATH_MAX.
const MaxPathLen = 4096

// MaxNameLen is the longest single path component, as Linux's NAME_MAX.
const MaxNameLen = 255

// FileSystem is one mounted instance of a mount type.
type FileSystem interface {
	// Root returns the root directory of this file system.
	Root() Inode
	// Type returns the mount type name, such as "hostfs".
	Type() string
}

// Syncer is implemented by file systems that hold changes not yet durable
// (sefs commits): Sync makes every change durable before it returns.
// sync(2) calls it on every mount; a FileImpl's Sync covers one file.
type Syncer interface {
	Sync() errno.Errno
}

// Inode is a file, directory, symbolic link or device inside one FileSystem.
// Directory methods are called only on inodes whose Type is TypeDirectory;
// a name argument is always a single valid component (see package comment).
//
// Implementations embed UnimplementedInode, so a new method never breaks them.
type Inode interface {
	// Type returns the file type; it never changes for an inode.
	Type() FileType

	// Stat returns the inode's attributes.
	//
	// # Errors
	//   - EIO: the backing store failed.
	Stat() (Stat, errno.Errno)

	// SetAttr changes the attributes named by a.Mask.
	//
	// # Errors
	//   - EROFS: the file system is read-only.
	//   - EISDIR: a size change on a directory.
	//   - EFBIG/EINVAL: a size change out of range.
	SetAttr(a SetAttr) errno.Errno

	// Open opens the inode for I/O. flags carries the access mode and
	// O_APPEND/O_NONBLOCK/O_DIRECTORY; O_CREAT and O_EXCL were handled by
	// the caller, O_TRUNC is applied by the caller through SetAttr.
	//
	// # Errors
	//   - EROFS: write access on a read-only file system.
	//   - EISDIR: write access to a directory.
	Open(flags OpenFlags) (FileImpl, errno.Errno)

	// Readlink returns the target of a symbolic link.
	//
	// # Errors
	//   - EINVAL: the inode is not a symbolic link.
	Readlink() (string, errno.Errno)

	// Lookup returns the child called name.
	//
	// # Errors
	//   - ENOENT: no such child.
	//   - ENOTDIR: the inode is not a directory.
	Lookup(name string) (Inode, errno.Errno)

	// ReadDir lists the directory without "." and "..", in a stable order.
	//
	// # Errors
	//   - ENOTDIR: the inode is not a directory.
	ReadDir() ([]Dirent, errno.Errno)

	// Create makes a new regular file called name and returns it.
	//
	// # Errors
	//   - EEXIST: name exists (of any type).
	//   - EROFS, ENOSPC.
	Create(name string, perm uint32) (Inode, errno.Errno)

	// Mkdir makes a new directory called name.
	//
	// # Errors
	//   - EEXIST, EROFS, ENOSPC.
	Mkdir(name string, perm uint32) errno.Errno

	// Symlink makes a symbolic link called name pointing at target; target is
	// stored as given and interpreted by vfs at resolution time.
	//
	// # Errors
	//   - EEXIST, EROFS, ENOSPC.
	Symlink(name, target string) errno.Errno

	// Link makes name a new hard link to target, an inode of the same file
	// system that is not a directory.
	//
	// # Errors
	//   - EEXIST, EROFS, EPERM (target is a directory), EXDEV (other fs).
	Link(name string, target Inode) errno.Errno

	// Unlink removes the non-directory entry name.
	//
	// # Errors
	//   - ENOENT, EISDIR (name is a directory), EROFS.
	Unlink(name string) errno.Errno

	// Rmdir removes the empty directory name.
	//
	// # Errors
	//   - ENOENT, ENOTDIR, ENOTEMPTY, EROFS.
	Rmdir(name string) errno.Errno

	// Rename moves oldName in this directory to newName in newDir, an inode
	// of the same file system, replacing newName as rename(2) does.
	//
	// # Errors
	//   - ENOENT, EXDEV, EROFS.
	//   - EISDIR: newName is a directory and oldName is not.
	//   - ENOTDIR: oldName is a directory and newName is not.
	//   - ENOTEMPTY: newName is a non-empty directory.
	//   - EINVAL: a directory would be moved into itself (checked by vfs).
	Rename(oldName string, newDir Inode, newName string) errno.Errno
}

// FileImpl is the file-system side of an open file. Seekable files implement
// ReadAt/WriteAt (the offset lives in File); streams implement Read/Write and
// report Seekable() == false.
//
// Implementations embed UnimplementedFile.
type FileImpl interface {
	// Seekable reports whether the file has offsets (regular files, block
	// devices, directories) or is a stream (pipes, character devices).
	Seekable() bool

	// Read and Write are used for streams.
	//
	// # Errors
	//   - EAGAIN: a non-blocking stream has no data / no room.
	//   - EPIPE: the read side of a pipe is gone.
	Read(p []byte) (int, errno.Errno)
	Write(p []byte) (int, errno.Errno)

	// ReadAt and WriteAt are used for seekable files. A short read at end of
	// file returns (n, ESUCCESS).
	ReadAt(p []byte, off int64) (int, errno.Errno)
	WriteAt(p []byte, off int64) (int, errno.Errno)

	// Stat returns the attributes of the open file (fstat).
	Stat() (Stat, errno.Errno)

	// SetAttr changes attributes of the open file (ftruncate, futimens).
	SetAttr(a SetAttr) errno.Errno

	// Sync flushes data (and metadata unless dataOnly) to the backing store.
	Sync(dataOnly bool) errno.Errno

	// ReadDir lists an open directory without "." and "..".
	ReadDir() ([]Dirent, errno.Errno)

	// Readiness returns which of mask's events are ready now. Files that are
	// always ready return mask.
	Readiness(mask Events) Events

	// Close releases the file; it is called once, when the last descriptor
	// referring to the open-file description is closed.
	Close() errno.Errno
}

// Appender is implemented by seekable FileImpls that can write at the end of
// the file atomically: finding the end and writing there is one step with
// respect to every other writer of the inode, through any open-file
// description (O_APPEND, as Linux guarantees for local file systems).
// File.Write and File.Pwrite use it when the description has O_APPEND.
// Without it, File finds the end with Stat and writes with WriteAt, which
// is atomic only against writers of the same description.
type Appender interface {
	// Append writes p at the current end of the file and returns the
	// number of bytes written and the file offset just past them (the size
	// of the file right after the write). A short write reports the error
	// that stopped it, as WriteAt.
	//
	// # Errors
	//   - EFBIG: the file would grow past its maximum size.
	//   - ENOSPC, EIO.
	Append(p []byte) (n int, end int64, e errno.Errno)
}

// Waitable is implemented by FileImpls whose readiness changes over time
// (pipes, sockets, eventfds, epoll instances). EventRegister arranges for
// e to be notified whenever readiness in e's mask may have changed, from
// the moment it returns; EventUnregister undoes it. A waiter registers,
// then checks Readiness, and only then sleeps, so that no change is lost.
type Waitable interface {
	EventRegister(e *waiter.Entry)
	EventUnregister(e *waiter.Entry)
}

// Caller is the process on whose behalf a path is resolved: a Namespace
// view made by As carries one (the kernel's Process implements it).
type Caller interface {
	// CallerPID returns the process's id.
	CallerPID() int32
}

// CallerLink is implemented by symbolic links whose target depends on the
// process following them, as procfs's "self" (a link to the caller's pid).
// Resolution and Readlink call ReadlinkAs with the namespace view's caller
// (nil for a namespace that has none) instead of Readlink.
type CallerLink interface {
	// ReadlinkAs returns the link's target for c.
	//
	// # Errors
	//   - ENOENT: the link means nothing for c (c is nil).
	ReadlinkAs(c Caller) (string, errno.Errno)
}

// Events is a poll(2) event mask (waiter.Events).
type Events = waiter.Events

// Poll events, with Linux values.
const (
	EventIn    = waiter.EventIn
	EventPri   = waiter.EventPri
	EventOut   = waiter.EventOut
	EventErr   = waiter.EventErr
	EventHup   = waiter.EventHup
	EventRdHup = waiter.EventRdHup
)
