package hostfs

import (
	"errors"
	"io"
	"os"
	"slices"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
)

// regFile is an open regular file: the host descriptor, used with
// ReadAt/WriteAt (the offset lives in vfs.File). The host descriptor's own
// offset is used only by Append, under mu.
type regFile struct {
	vfs.UnimplementedFile
	fs *FileSystem
	f  *os.File
	mu sync.Mutex // guards the host descriptor's offset
}

var _ vfs.Appender = (*regFile)(nil)

func openRegular(i *inode, flags vfs.OpenFlags) (vfs.FileImpl, errno.Errno) {
	hf := unix.O_RDONLY
	switch flags & vfs.O_ACCMODE {
	case vfs.O_WRONLY:
		hf = unix.O_WRONLY
	case vfs.O_RDWR:
		hf = unix.O_RDWR
	}
	// O_NONBLOCK: if the host swapped in a FIFO, fail below instead of
	// blocking in open. It has no effect on regular files. O_APPEND is
	// never passed on (F_SETFL may change it, and it would make WriteAt
	// append): vfs.File calls Append instead. The name must still be the
	// file looked up.
	fd, e := openat(i.parent, i.name, hf|unix.O_NONBLOCK, 0, i.id)
	if e != 0 {
		return nil, e
	}
	f := os.NewFile(uintptr(fd), i.name)
	if e := checkRegular(f); e != 0 {
		f.Close()
		return nil, e
	}
	return &regFile{fs: i.fs, f: f}, 0
}

// checkRegular fails with ESTALE unless f is a regular file.
func checkRegular(f *os.File) errno.Errno {
	st, e := fstatFile(f)
	if e != 0 {
		return e
	}
	if st.Type() != vfs.TypeRegular {
		return errno.ESTALE
	}
	return 0
}

func (r *regFile) Seekable() bool { return true }

func (r *regFile) ReadAt(p []byte, off int64) (int, errno.Errno) {
	if off < 0 {
		return 0, errno.EINVAL
	}
	n, err := r.f.ReadAt(p, off)
	if err == io.EOF {
		err = nil
	}
	return n, hostErr(err)
}

func (r *regFile) WriteAt(p []byte, off int64) (int, errno.Errno) {
	if off < 0 {
		return 0, errno.EINVAL
	}
	n, err := r.f.WriteAt(p, off)
	return n, hostErr(err)
}

// Append implements vfs.Appender with pwritev2(RWF_APPEND), which has the
// host find the end and write there in one step, atomically against every
// host writer. With offset -1 the write also moves the descriptor's offset
// just past the data, which is how the new end is learnt; mu keeps two
// Appends on this descriptor from mixing up that offset.
func (r *regFile) Append(p []byte) (int, int64, errno.Errno) {
	if len(p) == 0 || r.fs.noRWFAppend.Load() {
		return r.appendFallback(p)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	var n int
	e := withFD(r.f, func(fd int) error {
		for {
			var err error
			n, err = unix.Pwritev2(fd, [][]byte{p}, -1, unix.RWF_APPEND)
			if err != unix.EINTR {
				return err
			}
		}
	})
	if e == errno.EOPNOTSUPP || e == errno.ENOSYS {
		// RWF_APPEND or pwritev2 is unknown to the host kernel.
		r.fs.noRWFAppend.Store(true)
		return r.appendFallback(p)
	}
	if n <= 0 {
		return 0, 0, e
	}
	var end int64
	if e2 := withFD(r.f, func(fd int) error {
		var err error
		end, err = unix.Seek(fd, 0, io.SeekCurrent)
		return err
	}); e2 != 0 {
		// The data is written; the size is the best estimate of its end.
		st, e3 := r.Stat()
		if e3 != 0 {
			return n, 0, e3
		}
		end = st.Size
	}
	return n, end, e
}

// appendFallback is Append without RWF_APPEND: fstat and pwrite under the
// file system's append lock (and for an empty p, just fstat).
func (r *regFile) appendFallback(p []byte) (int, int64, errno.Errno) {
	r.fs.appendMu.Lock()
	defer r.fs.appendMu.Unlock()
	fi, err := r.f.Stat()
	if err != nil {
		return 0, 0, hostErr(err)
	}
	off := fi.Size()
	if off < 0 {
		return 0, 0, errno.EIO
	}
	if len(p) == 0 {
		return 0, off, 0
	}
	n, err := r.f.WriteAt(p, off)
	return n, off + int64(n), hostErr(err)
}

func (r *regFile) Stat() (vfs.Stat, errno.Errno) { return fstatFile(r.f) }

func (r *regFile) SetAttr(a vfs.SetAttr) errno.Errno { return setAttrFD(r.fs, r.f, a, true) }

func (r *regFile) Sync(dataOnly bool) errno.Errno { return syncFD(r.f, dataOnly) }

func (r *regFile) Close() errno.Errno { return hostErr(r.f.Close()) }

// dirFile is an open directory: a readable descriptor, for listing (with
// per-entry fstatat relative to it), fchmod, futimens and fsync. It follows
// the directory across renames.
type dirFile struct {
	vfs.UnimplementedFile
	fs *FileSystem
	f  *os.File
}

func (d *dirFile) Seekable() bool { return true }

func (d *dirFile) ReadAt([]byte, int64) (int, errno.Errno) { return 0, errno.EISDIR }

func (d *dirFile) WriteAt([]byte, int64) (int, errno.Errno) { return 0, errno.EISDIR }

func (d *dirFile) Stat() (vfs.Stat, errno.Errno) { return fstatFile(d.f) }

func (d *dirFile) SetAttr(a vfs.SetAttr) errno.Errno {
	if a.Mask&vfs.SetSize != 0 {
		return errno.EISDIR
	}
	var st unix.Stat_t
	if e := withFD(d.f, func(fd int) error { return unix.Fstat(fd, &st) }); e != 0 {
		return e
	}
	if e := d.fs.checkChange("attribute change", d.f.Name(), statID(&st)); e != 0 {
		return e
	}
	return setAttrFD(d.fs, d.f, a, false)
}

func (d *dirFile) Sync(dataOnly bool) errno.Errno { return syncFD(d.f, dataOnly) }

func (d *dirFile) ReadDir() ([]vfs.Dirent, errno.Errno) { return listDir(d.f) }

func (d *dirFile) Close() errno.Errno { return hostErr(d.f.Close()) }

// pathFile is an O_PATH description: it only answers fstat.
type pathFile struct {
	vfs.UnimplementedFile
	in *inode
}

func (p *pathFile) Seekable() bool                           { return true }
func (p *pathFile) ReadAt([]byte, int64) (int, errno.Errno)  { return 0, errno.EBADF }
func (p *pathFile) WriteAt([]byte, int64) (int, errno.Errno) { return 0, errno.EBADF }
func (p *pathFile) Stat() (vfs.Stat, errno.Errno)            { return p.in.Stat() }
func (p *pathFile) SetAttr(vfs.SetAttr) errno.Errno          { return errno.EBADF }
func (p *pathFile) Sync(bool) errno.Errno                    { return errno.EBADF }
func (p *pathFile) ReadDir() ([]vfs.Dirent, errno.Errno)     { return nil, errno.EBADF }

// listDir lists the directory d (a readable descriptor, read from its
// start), sorted by name, with inode numbers and types from an fstatat of
// each entry relative to d. Entries that vanish between the listing and
// their fstatat are left out. A name the host returns that is not a single
// valid component, or twice, is EIO. It works (and lists nothing) after
// the directory was removed.
func listDir(d *os.File) ([]vfs.Dirent, errno.Errno) {
	if _, err := d.Seek(0, io.SeekStart); err != nil {
		return nil, hostErr(err)
	}
	names, err := d.Readdirnames(-1)
	if errors.Is(err, os.ErrNotExist) {
		// Linux's getdents says ENOENT for a removed directory; the LibOS
		// (and the conformance suite) list it as empty, as it is.
		return nil, 0
	}
	if err != nil {
		return nil, hostErr(err)
	}
	slices.Sort(names)
	out := make([]vfs.Dirent, 0, len(names))
	var fail errno.Errno
	e := withFD(d, func(fd int) error {
		for k, name := range names {
			if !checkName(name) || (k > 0 && names[k-1] == name) {
				fail = errno.EIO
				return nil
			}
			var st unix.Stat_t
			err := unix.Fstatat(fd, name, &st, unix.AT_SYMLINK_NOFOLLOW)
			if err == unix.ENOENT {
				continue
			}
			if err != nil {
				return err
			}
			s, e := statFromSys(&st)
			if e != 0 {
				fail = e
				return nil
			}
			out = append(out, vfs.Dirent{Name: name, Ino: s.Ino, Type: s.Type()})
		}
		return nil
	})
	if e == 0 {
		e = fail
	}
	if e != 0 {
		return nil, e
	}
	return out, 0
}

// setAttrFD applies a to an open host file through its descriptor.
func setAttrFD(fs *FileSystem, f *os.File, a vfs.SetAttr, regular bool) errno.Errno {
	if a.Mask&(vfs.SetUid|vfs.SetGid) != 0 {
		return errno.EPERM // host files keep their host owners
	}
	if a.Mask&vfs.SetSize != 0 {
		if !regular {
			return errno.EINVAL
		}
		if a.Size < 0 {
			return errno.EINVAL
		}
		if e := hostErr(f.Truncate(a.Size)); e != 0 {
			return e
		}
	}
	if a.Mask&vfs.SetMode != 0 {
		if e := hostErr(f.Chmod(fileMode(fs.maskMode(a.Mode, !regular)))); e != 0 {
			return e
		}
	}
	if ts, ok := timespecs(a); ok {
		return futimens(f, &ts)
	}
	return 0
}

func syncFD(f *os.File, dataOnly bool) errno.Errno {
	if !dataOnly {
		return hostErr(f.Sync())
	}
	return withFD(f, unix.Fdatasync)
}

// timespecs converts the time part of a to utimensat(2) arguments; ok is
// false when a changes no time.
func timespecs(a vfs.SetAttr) (ts [2]unix.Timespec, ok bool) {
	set := func(i int, now, set vfs.SetAttrMask, ns int64) {
		switch {
		case a.Mask&now != 0:
			ts[i] = unix.Timespec{Nsec: unix.UTIME_NOW}
			ok = true
		case a.Mask&set != 0:
			ts[i] = unix.NsecToTimespec(ns)
			ok = true
		default:
			ts[i] = unix.Timespec{Nsec: unix.UTIME_OMIT}
		}
	}
	set(0, vfs.SetAtimeNow, vfs.SetAtime, a.Atime)
	set(1, vfs.SetMtimeNow, vfs.SetMtime, a.Mtime)
	return ts, ok
}

// futimens sets the times of an open file: utimensat(fd, NULL, ts, 0).
func futimens(f *os.File, ts *[2]unix.Timespec) errno.Errno {
	return withFD(f, func(fd int) error {
		_, _, e := unix.Syscall6(unix.SYS_UTIMENSAT, uintptr(fd), 0, uintptr(unsafe.Pointer(ts)), 0, 0, 0)
		if e != 0 {
			return e
		}
		return nil
	})
}
