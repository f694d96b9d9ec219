package hostfs

import (
	"errors"
	"io"
	"os"
	"slices"
	"sync"
	"syscall"
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
	hf := os.O_RDONLY
	switch flags & vfs.O_ACCMODE {
	case vfs.O_WRONLY:
		hf = os.O_WRONLY
	case vfs.O_RDWR:
		hf = os.O_RDWR
	}
	// O_NONBLOCK: if the host swapped in a FIFO, fail below instead of
	// blocking in open. It has no effect on regular files. O_APPEND is
	// never passed on (F_SETFL may change it, and it would make WriteAt
	// append): vfs.File calls Append instead.
	f, err := i.fs.root.OpenFile(i.rel, hf|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, hostErr(err)
	}
	if e := checkRegular(f); e != 0 {
		f.Close()
		return nil, e
	}
	return &regFile{fs: i.fs, f: f}, 0
}

// checkRegular fails with ESTALE unless f is a regular file.
func checkRegular(f *os.File) errno.Errno {
	fi, err := f.Stat()
	if err != nil {
		return hostErr(err)
	}
	t, e := typeOf(fi)
	if e != 0 {
		return e
	}
	if t != vfs.TypeRegular {
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

func (r *regFile) Stat() (vfs.Stat, errno.Errno) {
	fi, err := r.f.Stat()
	if err != nil {
		return vfs.Stat{}, hostErr(err)
	}
	return statFromInfo(fi)
}

func (r *regFile) SetAttr(a vfs.SetAttr) errno.Errno { return setAttrFD(r.f, a, true) }

func (r *regFile) Sync(dataOnly bool) errno.Errno { return syncFD(r.f, dataOnly) }

func (r *regFile) Close() errno.Errno { return hostErr(r.f.Close()) }

// dirFile is an open directory: a root on it (for listing with per-entry
// Lstat relative to it) and a descriptor (for fchmod, futimens, fsync). Both
// follow the directory across renames.
type dirFile struct {
	vfs.UnimplementedFile
	r *os.Root
	f *os.File
}

func openDir(i *inode) (vfs.FileImpl, errno.Errno) {
	r, err := i.fs.root.OpenRoot(i.rel)
	if err != nil {
		return nil, hostErr(err)
	}
	f, err := r.OpenFile(".", os.O_RDONLY|syscall.O_DIRECTORY, 0)
	if err != nil {
		r.Close()
		return nil, hostErr(err)
	}
	return &dirFile{r: r, f: f}, 0
}

func (d *dirFile) Seekable() bool { return true }

func (d *dirFile) ReadAt([]byte, int64) (int, errno.Errno) { return 0, errno.EISDIR }

func (d *dirFile) WriteAt([]byte, int64) (int, errno.Errno) { return 0, errno.EISDIR }

func (d *dirFile) Stat() (vfs.Stat, errno.Errno) {
	fi, err := d.f.Stat()
	if err != nil {
		return vfs.Stat{}, hostErr(err)
	}
	return statFromInfo(fi)
}

func (d *dirFile) SetAttr(a vfs.SetAttr) errno.Errno {
	if a.Mask&vfs.SetSize != 0 {
		return errno.EISDIR
	}
	return setAttrFD(d.f, a, false)
}

func (d *dirFile) Sync(dataOnly bool) errno.Errno { return syncFD(d.f, dataOnly) }

func (d *dirFile) ReadDir() ([]vfs.Dirent, errno.Errno) { return listDir(d.r, d.f) }

func (d *dirFile) Close() errno.Errno {
	e := hostErr(d.f.Close())
	if e2 := hostErr(d.r.Close()); e == 0 {
		e = e2
	}
	return e
}

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

// listDir lists the directory r is opened on, sorted by name, with inode
// numbers and types from an Lstat of each entry. Entries that vanish between
// the listing and their Lstat are left out. A name the host returns that is
// not a single valid component, or twice, is EIO.
//
// d is a descriptor of the same directory, read from its start; it works
// (and lists nothing) after the directory was removed.
func listDir(r *os.Root, d *os.File) ([]vfs.Dirent, errno.Errno) {
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
	for k, name := range names {
		if !checkName(name) || (k > 0 && names[k-1] == name) {
			return nil, errno.EIO
		}
		fi, err := r.Lstat(name)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, hostErr(err)
		}
		st, e := statFromInfo(fi)
		if e != 0 {
			return nil, e
		}
		out = append(out, vfs.Dirent{Name: name, Ino: st.Ino, Type: st.Type()})
	}
	return out, 0
}

// setAttrFD applies a to an open host file through its descriptor.
func setAttrFD(f *os.File, a vfs.SetAttr, regular bool) errno.Errno {
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
		if e := hostErr(f.Chmod(fileMode(a.Mode))); e != 0 {
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
