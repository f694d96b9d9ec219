package vfs

import "github.com/occlumgo/occlum/core/errno"

// UnimplementedInode answers every Inode method with the error Linux gives
// for an object that does not support the operation. Embed it in inode types.
type UnimplementedInode struct{}

func (UnimplementedInode) SetAttr(SetAttr) errno.Errno                { return errno.EPERM }
func (UnimplementedInode) Open(OpenFlags) (FileImpl, errno.Errno)     { return nil, errno.ENXIO }
func (UnimplementedInode) Readlink() (string, errno.Errno)            { return "", errno.EINVAL }
func (UnimplementedInode) Lookup(string) (Inode, errno.Errno)         { return nil, errno.ENOTDIR }
func (UnimplementedInode) ReadDir() ([]Dirent, errno.Errno)           { return nil, errno.ENOTDIR }
func (UnimplementedInode) Create(string, uint32) (Inode, errno.Errno) { return nil, errno.ENOTDIR }
func (UnimplementedInode) Mkdir(string, uint32) errno.Errno           { return errno.ENOTDIR }
func (UnimplementedInode) Symlink(string, string) errno.Errno         { return errno.ENOTDIR }
func (UnimplementedInode) Link(string, Inode) errno.Errno             { return errno.ENOTDIR }
func (UnimplementedInode) Unlink(string) errno.Errno                  { return errno.ENOTDIR }
func (UnimplementedInode) Rmdir(string) errno.Errno                   { return errno.ENOTDIR }
func (UnimplementedInode) Rename(string, Inode, string) errno.Errno   { return errno.ENOTDIR }

// UnimplementedFile answers every FileImpl method as a file that supports
// nothing. Embed it in file types and override what the file supports.
type UnimplementedFile struct{}

func (UnimplementedFile) Seekable() bool                           { return false }
func (UnimplementedFile) Read([]byte) (int, errno.Errno)           { return 0, errno.EINVAL }
func (UnimplementedFile) Write([]byte) (int, errno.Errno)          { return 0, errno.EINVAL }
func (UnimplementedFile) ReadAt([]byte, int64) (int, errno.Errno)  { return 0, errno.ESPIPE }
func (UnimplementedFile) WriteAt([]byte, int64) (int, errno.Errno) { return 0, errno.ESPIPE }
func (UnimplementedFile) Stat() (Stat, errno.Errno)                { return Stat{}, errno.ENOSYS }
func (UnimplementedFile) SetAttr(SetAttr) errno.Errno              { return errno.EINVAL }
func (UnimplementedFile) Sync(bool) errno.Errno                    { return errno.EINVAL }
func (UnimplementedFile) ReadDir() ([]Dirent, errno.Errno)         { return nil, errno.ENOTDIR }
func (UnimplementedFile) Readiness(mask Events) Events             { return mask & (EventIn | EventOut) }
func (UnimplementedFile) Close() errno.Errno                       { return errno.ESUCCESS }
