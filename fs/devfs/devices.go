package devfs

import (
	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
)

// devKind says which device a devInode is.
type devKind uint8

const (
	devNull devKind = iota
	devZero
	devFull
	devRandom
	devURandom
)

// memMajor is the major number of Linux's memory devices (drivers/char/mem.c).
const memMajor = 1

// minor returns the Linux minor number of the device.
func (k devKind) minor() uint32 {
	switch k {
	case devNull:
		return 3
	case devZero:
		return 5
	case devFull:
		return 7
	case devRandom:
		return 8
	}
	return 9 // devURandom
}

// makedev encodes a device number as Linux's st_rdev (glibc's makedev).
func makedev(major, minor uint32) uint64 {
	ma, mi := uint64(major), uint64(minor)
	return mi&0xff | (ma&0xfff)<<8 | (mi&^0xff)<<12 | (ma&^0xfff)<<32
}

// devInode is one of the memory character devices.
type devInode struct {
	roInode
	fs   *FileSystem
	ino  uint64
	kind devKind
}

var _ vfs.Inode = (*devInode)(nil)

func (d *devInode) Type() vfs.FileType { return vfs.TypeCharDev }

func (d *devInode) Stat() (vfs.Stat, errno.Errno) {
	st := d.fs.stat(d.ino, vfs.TypeCharDev, 0o666)
	st.Rdev = makedev(memMajor, d.kind.minor())
	return st, 0
}

func (d *devInode) Open(vfs.OpenFlags) (vfs.FileImpl, errno.Errno) {
	return &devFile{in: d}, 0
}

// devFile is an open memory device. It is seekable so that lseek, pread and
// pwrite succeed; every offset reads and writes the same way.
type devFile struct {
	vfs.UnimplementedFile
	in *devInode
}

var _ vfs.FileImpl = (*devFile)(nil)

func (f *devFile) Seekable() bool { return true }

func (f *devFile) Read(p []byte) (int, errno.Errno) {
	switch f.in.kind {
	case devNull:
		return 0, 0
	case devZero, devFull:
		clear(p)
		return len(p), 0
	}
	return f.in.fs.readRandom(p)
}

func (f *devFile) Write(p []byte) (int, errno.Errno) {
	if f.in.kind == devFull {
		return 0, errno.ENOSPC
	}
	return len(p), 0
}

func (f *devFile) ReadAt(p []byte, _ int64) (int, errno.Errno)  { return f.Read(p) }
func (f *devFile) WriteAt(p []byte, _ int64) (int, errno.Errno) { return f.Write(p) }
func (f *devFile) Stat() (vfs.Stat, errno.Errno)                { return f.in.Stat() }

// SetAttr refuses truncation with EINVAL as Linux does for a character
// device, and every other change with EROFS.
func (f *devFile) SetAttr(a vfs.SetAttr) errno.Errno {
	if a.Mask&vfs.SetSize != 0 {
		return errno.EINVAL
	}
	return errno.EROFS
}

// ttyMajor is the major number of Linux's /dev/tty (5:0).
const ttyMajor = 5

// ttyInode is tty: the LibOS's terminal, if it has one.
type ttyInode struct {
	roInode
	fs   *FileSystem
	open func() (vfs.FileImpl, errno.Errno) // nil: no terminal
}

var _ vfs.Inode = (*ttyInode)(nil)

func (d *ttyInode) Type() vfs.FileType { return vfs.TypeCharDev }

func (d *ttyInode) Stat() (vfs.Stat, errno.Errno) {
	st := d.fs.stat(inoTTY, vfs.TypeCharDev, 0o666)
	st.Rdev = makedev(ttyMajor, 0)
	return st, 0
}

// Open opens the terminal.
//
// # Errors
//   - ENXIO: the LibOS has no terminal (its standard input is not one).
func (d *ttyInode) Open(vfs.OpenFlags) (vfs.FileImpl, errno.Errno) {
	if d.open == nil {
		return nil, errno.ENXIO
	}
	impl, e := d.open()
	if e != 0 {
		return nil, e
	}
	return &ttyFile{FileImpl: impl, in: d}, 0
}

// ttyFile is an open tty: the terminal's stream, with the attributes of
// the tty device (fstat shows 5:0, as on Linux).
type ttyFile struct {
	vfs.FileImpl
	in *ttyInode
}

func (f *ttyFile) Stat() (vfs.Stat, errno.Errno) { return f.in.Stat() }

// IsTerminal reports true: isatty on an open tty is 1.
func (f *ttyFile) IsTerminal() bool { return true }
