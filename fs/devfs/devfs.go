// Package devfs is the LibOS's /dev: a fixed, read-only tree of character
// devices and descriptor aliases, built by New and mounted by the
// composition root (usually at /dev).
//
// Contents, as on Linux:
//
//	null     1:3  reads EOF, writes are swallowed
//	zero     1:5  reads zeros, writes are swallowed
//	full     1:7  reads zeros, writes fail with ENOSPC
//	random   1:8  reads fill the whole buffer from Options.Rand, writes are
//	              accepted and ignored (as Linux does for an unprivileged writer)
//	urandom  1:9  the same as random
//	tty      5:0  the LibOS's terminal (Options.Terminal), when its standard
//	              input is one; opening it otherwise fails with ENXIO, as
//	              Linux's /dev/tty does for a process without a
//	              controlling terminal
//	stdin    symbolic link to "fd/0"
//	stdout   symbolic link to "fd/1"
//	stderr   symbolic link to "fd/2"
//	fd/      N (decimal, 0 <= N <= MaxInt32) is an alias of the opener's fd N
//	shm/     an empty directory, the mount point of /dev/shm
//
// Devices report Seekable() == true and ignore offsets, so lseek, pread and
// pwrite on them succeed as on Linux. Linux's null_lseek pins the offset at 0;
// here the offset moves as asked (and as reads advance it) but never changes
// what a read returns.
//
// Descriptor aliases. fd/N implements vfs.FDAlias: vfs.Namespace.Open hands
// out the opener's own description for fd N (the same *vfs.File, not a new
// one). stdin, stdout and stderr are relative symbolic links to fd/0..2, as
// Linux's are links to /proc/self/fd/N: open follows them to the alias,
// lstat, readlink and `ls -l /dev` show links, and O_NOFOLLOW gives ELOOP.
// Inode methods cannot see the caller's descriptors, so stat of fd/N (and
// of stdin/stdout/stderr, which follows to it) reports a placeholder
// character device (rdev 0:0, mode 0666) rather than the file behind the
// descriptor; fstat on the opened descriptor is exact. Every N in range
// exists for Lookup and stat; opening one that is not open fails as the
// opener's FDTable says (vfs maps EBADF to ENOENT, as Linux reports).
// ReadDir of fd/ lists 0, 1 and 2 only.
//
// Modifications. devfs is immutable: create, mkdir, symlink, link, rename,
// unlink, rmdir and every attribute change (chmod, utimens, truncate) fail
// with EROFS once the name is known to exist (ENOENT otherwise), whether or
// not the mount is read-only. Linux's devtmpfs answers an unprivileged caller
// with EACCES or EPERM; EROFS says the same thing more plainly and is what
// the tree would answer when mounted read-only. ftruncate on an open device
// fails with EINVAL, as on Linux. A file system mounted on shm/ (ramfs) is
// writable as usual.
//
// Inode numbers are fixed: 1 for the root, small constants for the named
// entries, 1<<32 + N for fd/N. Times are taken from Options.Clock once, in
// New, and never change.
//
// Lock order: the tree is immutable and needs no lock. The one lock,
// FileSystem.randMu, serializes calls to a caller-supplied Options.Rand (the
// default crypto/rand reader is safe for concurrent use and is called without
// it); it is a leaf, held only across one Read of that reader.
package devfs

import (
	"crypto/rand"
	"io"
	"sort"
	"sync"
	"time"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
)

// Name is the mount type name.
const Name = "devfs"

// Options configures New. The zero value is ready to use.
type Options struct {
	// Rand is the entropy source of random and urandom; nil means
	// crypto/rand.Reader. It need not be safe for concurrent use.
	Rand io.Reader
	// Clock gives the time stamped on every inode, read once by New; nil
	// means time.Now.
	Clock func() time.Time
	// Terminal opens the terminal behind tty: a new stream on it per
	// open, which isatty recognises (an IsTerminal method). nil: there is
	// no terminal (tty is ENXIO).
	Terminal func() (vfs.FileImpl, errno.Errno)
}

// FileSystem is one devfs instance. It is safe for concurrent use.
type FileSystem struct {
	rand   io.Reader
	randMu *sync.Mutex // nil when rand is crypto/rand.Reader
	time   int64       // ns since the epoch, for every timestamp

	root  *dirInode
	fdDir *fdDirInode
}

var _ vfs.FileSystem = (*FileSystem)(nil)

// Fixed inode numbers.
const (
	inoRoot = iota + 1
	inoNull
	inoZero
	inoFull
	inoRandom
	inoURandom
	inoStdin
	inoStdout
	inoStderr
	inoFD
	inoShm
	inoTTY

	// inoFDBase + N is the inode number of fd/N.
	inoFDBase = 1 << 32
)

// New returns a devfs with the contents listed in the package comment.
func New(opts Options) *FileSystem {
	fs := &FileSystem{rand: opts.Rand}
	if fs.rand == nil {
		fs.rand = rand.Reader
	} else {
		fs.randMu = new(sync.Mutex)
	}
	clock := opts.Clock
	if clock == nil {
		clock = time.Now
	}
	fs.time = clock().UnixNano()

	fs.fdDir = &fdDirInode{fs: fs}
	shm := &dirInode{fs: fs, ino: inoShm, perm: 0o1777, children: map[string]vfs.Inode{}}
	children := map[string]vfs.Inode{
		"null":    &devInode{fs: fs, ino: inoNull, kind: devNull},
		"zero":    &devInode{fs: fs, ino: inoZero, kind: devZero},
		"full":    &devInode{fs: fs, ino: inoFull, kind: devFull},
		"random":  &devInode{fs: fs, ino: inoRandom, kind: devRandom},
		"urandom": &devInode{fs: fs, ino: inoURandom, kind: devURandom},
		"tty":     &ttyInode{fs: fs, open: opts.Terminal},
		"stdin":   &linkInode{fs: fs, ino: inoStdin, target: "fd/0"},
		"stdout":  &linkInode{fs: fs, ino: inoStdout, target: "fd/1"},
		"stderr":  &linkInode{fs: fs, ino: inoStderr, target: "fd/2"},
		"fd":      fs.fdDir,
		"shm":     shm,
	}
	fs.root = &dirInode{fs: fs, ino: inoRoot, perm: 0o755, children: children}
	shm.finish()
	fs.root.finish()
	return fs
}

// Root returns the /dev directory.
func (fs *FileSystem) Root() vfs.Inode { return fs.root }

// Type returns Name.
func (fs *FileSystem) Type() string { return Name }

// stat returns the attributes shared by every inode of fs.
func (fs *FileSystem) stat(ino uint64, t vfs.FileType, perm uint32) vfs.Stat {
	return vfs.Stat{
		Ino:   ino,
		Mode:  t.ModeBits() | perm,
		Nlink: 1,
		Atime: fs.time,
		Mtime: fs.time,
		Ctime: fs.time,
	}
}

// readRandom fills p from the entropy source.
func (fs *FileSystem) readRandom(p []byte) (int, errno.Errno) {
	if fs.randMu != nil {
		fs.randMu.Lock()
		defer fs.randMu.Unlock()
	}
	n, err := io.ReadFull(fs.rand, p)
	if n > 0 || err == nil {
		return n, 0
	}
	return 0, errno.EIO
}

// roInode is the base of every devfs inode: what an immutable inode does
// not support is answered as vfs.UnimplementedInode does, and attribute
// changes fail with EROFS.
type roInode struct{ vfs.UnimplementedInode }

func (roInode) SetAttr(vfs.SetAttr) errno.Errno { return errno.EROFS }

// dirInode is an immutable directory (the root and shm/).
type dirInode struct {
	roInode
	fs       *FileSystem
	ino      uint64
	perm     uint32
	children map[string]vfs.Inode
	dirents  []vfs.Dirent // sorted by name, built by finish
	nlink    uint64
}

var _ vfs.Inode = (*dirInode)(nil)

// finish builds the sorted listing; called once by New.
func (d *dirInode) finish() {
	d.nlink = 2
	for name, in := range d.children {
		st, _ := in.Stat()
		d.dirents = append(d.dirents, vfs.Dirent{Name: name, Ino: st.Ino, Type: in.Type()})
		if in.Type() == vfs.TypeDirectory {
			d.nlink++
		}
	}
	sort.Slice(d.dirents, func(i, j int) bool { return d.dirents[i].Name < d.dirents[j].Name })
}

func (d *dirInode) Type() vfs.FileType { return vfs.TypeDirectory }

func (d *dirInode) Stat() (vfs.Stat, errno.Errno) {
	st := d.fs.stat(d.ino, vfs.TypeDirectory, d.perm)
	st.Nlink = d.nlink
	return st, 0
}

func (d *dirInode) Open(flags vfs.OpenFlags) (vfs.FileImpl, errno.Errno) {
	if flags.Writable() {
		return nil, errno.EISDIR
	}
	return &dirFile{in: d}, 0
}

func (d *dirInode) Lookup(name string) (vfs.Inode, errno.Errno) {
	if in, ok := d.children[name]; ok {
		return in, 0
	}
	return nil, errno.ENOENT
}

func (d *dirInode) ReadDir() ([]vfs.Dirent, errno.Errno) {
	return append([]vfs.Dirent(nil), d.dirents...), 0
}

func (d *dirInode) Create(name string, perm uint32) (vfs.Inode, errno.Errno) {
	if _, ok := d.children[name]; ok {
		return nil, errno.EEXIST
	}
	return nil, errno.EROFS
}

func (d *dirInode) Mkdir(name string, perm uint32) errno.Errno {
	if _, ok := d.children[name]; ok {
		return errno.EEXIST
	}
	return errno.EROFS
}

func (d *dirInode) Symlink(name, target string) errno.Errno { return d.Mkdir(name, 0) }

func (d *dirInode) Link(name string, target vfs.Inode) errno.Errno { return d.Mkdir(name, 0) }

func (d *dirInode) Unlink(name string) errno.Errno {
	in, ok := d.children[name]
	switch {
	case !ok:
		return errno.ENOENT
	case in.Type() == vfs.TypeDirectory:
		return errno.EISDIR
	}
	return errno.EROFS
}

func (d *dirInode) Rmdir(name string) errno.Errno {
	in, ok := d.children[name]
	switch {
	case !ok:
		return errno.ENOENT
	case in.Type() != vfs.TypeDirectory:
		return errno.ENOTDIR
	}
	return errno.EROFS
}

func (d *dirInode) Rename(oldName string, newDir vfs.Inode, newName string) errno.Errno {
	if _, ok := d.children[oldName]; !ok {
		return errno.ENOENT
	}
	return errno.EROFS
}

// dirFile is an open directory of devfs (the root, fd/ or shm/).
type dirFile struct {
	vfs.UnimplementedFile
	in vfs.Inode
}

func (f *dirFile) Seekable() bool                           { return true }
func (f *dirFile) ReadAt([]byte, int64) (int, errno.Errno)  { return 0, errno.EISDIR }
func (f *dirFile) WriteAt([]byte, int64) (int, errno.Errno) { return 0, errno.EISDIR }
func (f *dirFile) Stat() (vfs.Stat, errno.Errno)            { return f.in.Stat() }
func (f *dirFile) SetAttr(vfs.SetAttr) errno.Errno          { return errno.EROFS }
func (f *dirFile) Sync(bool) errno.Errno                    { return 0 }
func (f *dirFile) ReadDir() ([]vfs.Dirent, errno.Errno)     { return f.in.ReadDir() }
