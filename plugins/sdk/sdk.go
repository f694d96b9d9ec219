// Package sdk is what a file-system plugin is made of: the FS interface a
// plugin implements (path-based, in the shape of wazero's
// experimental/sys), Serve to run it as a hashicorp/go-plugin process
// speaking the gRPC protocol of gen/fsplugin, and the LibOS's side of the
// same: Start launches a plugin and returns an FS whose every answer
// fs/pluginfs then checks. FromVFS serves any vfs file system (the hostfs
// plugin serves fs/hostfs this way). docs/plugins.md.
//
// The handshake and the plugin map are here, in one place, for both sides.
//
// This package holds no locks of its own beyond the handle table of
// FromVFS (a leaf).
package sdk

import (
	"context"

	"github.com/hashicorp/go-plugin"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
)

// Version is the protocol version. A plugin that speaks another one is
// refused at start, naming both.
const Version = 1

// MaxChunk is the most data one Read or Write carries (well below gRPC's
// 4 MiB message limit); larger I/O is split into chunks of this size.
const MaxChunk = 1 << 20

// MaxDirPage is the most entries one ReadDir page carries.
const MaxDirPage = 1024

// Handshake is the go-plugin handshake of every file-system plugin: a
// program started without it in its environment says so and exits.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  Version,
	MagicCookieKey:   "OCCLUM_FS_PLUGIN",
	MagicCookieValue: "a file-system plugin of Occlum in Go; start it from the LibOS",
}

// PluginName is the name of the one plugin a plugin process serves.
const PluginName = "fs"

// FS is a file system as a plugin implements it. Paths are absolute
// within the file system, clean, and resolved by the LibOS one component
// at a time (no symbolic link is followed except a final one by
// Stat(follow)). Errors use Linux numbering. Every method may be called
// concurrently. Embed Unimplemented to implement only some.
type FS interface {
	// Info names the file system and says whether it is read-only.
	Info(ctx context.Context) (name string, readOnly bool)
	Stat(ctx context.Context, path string, follow bool) (vfs.Stat, errno.Errno)
	// ReadDir returns up to max entries (without "." and "..") from
	// cookie (0: the start) and the cookie of the next page.
	ReadDir(ctx context.Context, path string, cookie uint64, max int) (ents []vfs.Dirent, next uint64, eof bool, e errno.Errno)
	Readlink(ctx context.Context, path string) (string, errno.Errno)
	// Open opens (O_CREAT: creates) a file and returns a handle.
	Open(ctx context.Context, path string, flags vfs.OpenFlags, perm uint32) (handle uint64, st vfs.Stat, e errno.Errno)
	Read(ctx context.Context, handle uint64, off int64, p []byte) (int, errno.Errno)
	// Write writes p at off, or at the end when append (atomically), and
	// returns the offset after it.
	Write(ctx context.Context, handle uint64, off int64, p []byte, append bool) (n int, end int64, e errno.Errno)
	// Fstat returns the attributes of an open file (which may have been
	// renamed or unlinked since it was opened).
	Fstat(ctx context.Context, handle uint64) (vfs.Stat, errno.Errno)
	Close(ctx context.Context, handle uint64) errno.Errno
	Sync(ctx context.Context, handle uint64, dataOnly bool) errno.Errno
	Mkdir(ctx context.Context, path string, perm uint32) errno.Errno
	Symlink(ctx context.Context, path, target string) errno.Errno
	Unlink(ctx context.Context, path string) errno.Errno
	Rmdir(ctx context.Context, path string) errno.Errno
	Rename(ctx context.Context, from, to string) errno.Errno
	Link(ctx context.Context, target, path string) errno.Errno
	// SetAttr changes attributes of path, or of an open handle when
	// byHandle (ftruncate, futimens).
	SetAttr(ctx context.Context, path string, handle uint64, byHandle bool, a vfs.SetAttr) errno.Errno
}

// Unimplemented answers every FS method as a read-only file system with
// nothing in it. Embed it and override what the file system supports.
type Unimplemented struct{}

func (Unimplemented) Info(context.Context) (string, bool) { return "unimplemented", true }
func (Unimplemented) Stat(context.Context, string, bool) (vfs.Stat, errno.Errno) {
	return vfs.Stat{}, errno.ENOENT
}
func (Unimplemented) ReadDir(context.Context, string, uint64, int) ([]vfs.Dirent, uint64, bool, errno.Errno) {
	return nil, 0, true, errno.ENOTDIR
}
func (Unimplemented) Readlink(context.Context, string) (string, errno.Errno) { return "", errno.EINVAL }
func (Unimplemented) Open(context.Context, string, vfs.OpenFlags, uint32) (uint64, vfs.Stat, errno.Errno) {
	return 0, vfs.Stat{}, errno.ENOENT
}
func (Unimplemented) Read(context.Context, uint64, int64, []byte) (int, errno.Errno) {
	return 0, errno.EBADF
}
func (Unimplemented) Write(context.Context, uint64, int64, []byte, bool) (int, int64, errno.Errno) {
	return 0, 0, errno.EROFS
}
func (Unimplemented) Fstat(context.Context, uint64) (vfs.Stat, errno.Errno) {
	return vfs.Stat{}, errno.EBADF
}
func (Unimplemented) Close(context.Context, uint64) errno.Errno           { return errno.EBADF }
func (Unimplemented) Sync(context.Context, uint64, bool) errno.Errno      { return 0 }
func (Unimplemented) Mkdir(context.Context, string, uint32) errno.Errno   { return errno.EROFS }
func (Unimplemented) Symlink(context.Context, string, string) errno.Errno { return errno.EROFS }
func (Unimplemented) Unlink(context.Context, string) errno.Errno          { return errno.EROFS }
func (Unimplemented) Rmdir(context.Context, string) errno.Errno           { return errno.EROFS }
func (Unimplemented) Rename(context.Context, string, string) errno.Errno  { return errno.EROFS }
func (Unimplemented) Link(context.Context, string, string) errno.Errno    { return errno.EROFS }
func (Unimplemented) SetAttr(context.Context, string, uint64, bool, vfs.SetAttr) errno.Errno {
	return errno.EROFS
}
