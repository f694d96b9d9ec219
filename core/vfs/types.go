package vfs

// FileType is the type of an inode.
type FileType uint8

// File types. The numbers are the d_type values of Linux (DT_*).
const (
	TypeUnknown   FileType = 0
	TypeFIFO      FileType = 1
	TypeCharDev   FileType = 2
	TypeDirectory FileType = 4
	TypeBlockDev  FileType = 6
	TypeRegular   FileType = 8
	TypeSymlink   FileType = 10
	TypeSocket    FileType = 12
)

// ModeBits returns the S_IF* bits of the type, as in st_mode.
func (t FileType) ModeBits() uint32 { return uint32(t) << 12 }

// FileTypeFromMode returns the type encoded in st_mode's S_IFMT bits.
func FileTypeFromMode(mode uint32) FileType { return FileType((mode >> 12) & 0xf) }

func (t FileType) String() string {
	switch t {
	case TypeFIFO:
		return "fifo"
	case TypeCharDev:
		return "chardev"
	case TypeDirectory:
		return "directory"
	case TypeBlockDev:
		return "blockdev"
	case TypeRegular:
		return "regular"
	case TypeSymlink:
		return "symlink"
	case TypeSocket:
		return "socket"
	}
	return "unknown"
}

// Stat is the attributes of an inode, as Linux's struct stat. Times are
// nanoseconds since the Unix epoch.
type Stat struct {
	Dev   uint64
	Ino   uint64
	Mode  uint32 // S_IFMT type bits | permission bits
	Nlink uint64
	Uid   uint32
	Gid   uint32
	Rdev  uint64
	Size  int64
	// Blocks is the storage used, in 512-byte units (st_blocks).
	Blocks int64
	Atime  int64
	Mtime  int64
	Ctime  int64
}

// Type returns the file type encoded in Mode.
func (s *Stat) Type() FileType { return FileTypeFromMode(s.Mode) }

// Perm returns the permission bits of Mode (including setuid/setgid/sticky).
func (s *Stat) Perm() uint32 { return s.Mode & 0o7777 }

// SetAttrMask says which fields of SetAttr to apply.
type SetAttrMask uint8

// SetAttr mask bits.
const (
	SetSize SetAttrMask = 1 << iota
	SetMode
	SetAtime
	SetMtime
	SetAtimeNow
	SetMtimeNow
	SetUid // chown: the owner
	SetGid // chown: the group
)

// SetAttr is a request to change attributes (truncate, chmod, chown,
// utimens).
type SetAttr struct {
	Mask  SetAttrMask
	Size  int64
	Mode  uint32 // permission bits only
	Atime int64
	Mtime int64
	Uid   uint32
	Gid   uint32
}

// ChownMode is the permission bits of a file of type t after its owner or
// group changed (a SetUid or SetGid in mask): as Linux does for every
// caller, root included, a non-directory loses set-uid, and set-gid when
// it is group-executable (without group execute, set-gid marks mandatory
// locking and stays).
func ChownMode(t FileType, perm uint32, mask SetAttrMask) uint32 {
	if mask&(SetUid|SetGid) == 0 || t == TypeDirectory {
		return perm
	}
	perm &^= 0o4000
	if perm&0o010 != 0 {
		perm &^= 0o2000
	}
	return perm
}

// Dirent is one directory entry.
type Dirent struct {
	Name string
	Ino  uint64
	Type FileType
}

// OpenFlags are open(2) flags with Linux values.
type OpenFlags uint32

// Open flags (Linux x86-64 values).
const (
	O_RDONLY    OpenFlags = 0x0
	O_WRONLY    OpenFlags = 0x1
	O_RDWR      OpenFlags = 0x2
	O_ACCMODE   OpenFlags = 0x3
	O_CREAT     OpenFlags = 0x40
	O_EXCL      OpenFlags = 0x80
	O_NOCTTY    OpenFlags = 0x100
	O_TRUNC     OpenFlags = 0x200
	O_APPEND    OpenFlags = 0x400
	O_NONBLOCK  OpenFlags = 0x800
	O_DSYNC     OpenFlags = 0x1000
	O_DIRECTORY OpenFlags = 0x10000
	O_NOFOLLOW  OpenFlags = 0x20000
	O_CLOEXEC   OpenFlags = 0x80000
	O_SYNC      OpenFlags = 0x101000
	O_PATH      OpenFlags = 0x200000
)

// Readable reports whether the access mode allows reading.
func (f OpenFlags) Readable() bool {
	a := f & O_ACCMODE
	return a == O_RDONLY || a == O_RDWR
}

// Writable reports whether the access mode allows writing.
func (f OpenFlags) Writable() bool {
	a := f & O_ACCMODE
	return a == O_WRONLY || a == O_RDWR
}
