package wasi

import (
	"github.com/occlumgo/occlum/core/vfs"
)

// WASI filetype values.
const (
	ftUnknown      = 0
	ftBlockDevice  = 1
	ftCharDevice   = 2
	ftDirectory    = 3
	ftRegularFile  = 4
	ftSocketDgram  = 5
	ftSocketStream = 6
	ftSymlink      = 7
)

func wasiFiletype(t vfs.FileType) uint8 {
	switch t {
	case vfs.TypeBlockDev:
		return ftBlockDevice
	case vfs.TypeCharDev:
		return ftCharDevice
	case vfs.TypeDirectory:
		return ftDirectory
	case vfs.TypeRegular:
		return ftRegularFile
	case vfs.TypeSymlink:
		return ftSymlink
	case vfs.TypeSocket:
		return ftSocketStream
	}
	return ftUnknown
}

// WASI rights bits.
const (
	rightFdDatasync               = 1 << 0
	rightFdRead                   = 1 << 1
	rightFdSeek                   = 1 << 2
	rightFdFdstatSetFlags         = 1 << 3
	rightFdSync                   = 1 << 4
	rightFdTell                   = 1 << 5
	rightFdWrite                  = 1 << 6
	rightFdAdvise                 = 1 << 7
	rightFdAllocate               = 1 << 8
	rightFdReaddir                = 1 << 14
	rightFdFilestatSetSize        = 1 << 22
	rightPollFdReadwrite          = 1 << 27
	rightsAll              uint64 = 1<<30 - 1

	// rightsRead and rightsWrite are the rights that follow from the access
	// mode; wasi-libc derives O_RDONLY/O_WRONLY (F_GETFL) from them.
	rightsRead  uint64 = rightFdRead | rightFdReaddir
	rightsWrite uint64 = rightFdDatasync | rightFdWrite | rightFdAllocate | rightFdFilestatSetSize
)

// rightsOf returns the rights a description has: everything except the
// access it was not opened for, and, for terminals, seek and tell (which is
// how wasi-libc's isatty recognises a terminal).
func rightsOf(f *vfs.File, tty bool) uint64 {
	r := rightsAll
	fl := f.Flags()
	if !fl.Readable() {
		r &^= rightsRead
	}
	if !fl.Writable() {
		r &^= rightsWrite
	}
	if tty {
		r &^= rightFdSeek | rightFdTell
	}
	return r
}

// WASI fdflags.
const (
	fdflagAppend   = 1 << 0
	fdflagDsync    = 1 << 1
	fdflagNonblock = 1 << 2
	fdflagRsync    = 1 << 3
	fdflagSync     = 1 << 4
)

// Terminal is implemented by files connected to a terminal.
type Terminal interface {
	IsTerminal() bool
}

func isTTY(f *vfs.File) bool {
	t, ok := f.Impl().(Terminal)
	return ok && t.IsTerminal()
}
