package hostfs

import (
	"runtime"
	"strconv"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"github.com/occlumgo/occlum/core/errno"
)

// identity is a host file's device and inode number.
type identity struct{ dev, ino uint64 }

func statID(st *unix.Stat_t) identity { return identity{st.Dev, st.Ino} }

// dirHandle is an open host directory: an O_PATH descriptor, usable as the
// directory of *at calls, and the directory's identity. It is closed when
// it becomes unreachable (no inode and no cache entry holds it): inodes are
// dropped by vfs without notice, so a cleanup is the only place that knows.
// Whoever uses fd keeps the handle (or the inode holding it) alive until
// the call has returned (runtime.KeepAlive): otherwise the cleanup could
// close fd, and a concurrent open reuse its number, in the middle.
type dirHandle struct {
	fd int
	id identity
}

// liveHandles counts open handles of every hostfs mount; past
// gcHandles, garbage handles are collected early (see newHandle).
var liveHandles atomic.Int64

// hostCalls counts host calls that resolve a name (fstatat, openat), so
// tests can check that their number does not grow with depth.
var hostCalls atomic.Int64

// maxCached is how many directory handles a mount keeps for reuse.
const maxCached = 1024

// With gcHandles handles open, a garbage collection is started every
// gcEvery new handles, so that handles nobody holds any more are closed
// before descriptors run out: at a quarter of the process's descriptor
// limit, at most 8192.
var gcHandles, gcEvery = func() (int64, int64) {
	n := int64(8192)
	var rl unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_NOFILE, &rl) == nil && rl.Cur/4 < uint64(n) {
		n = int64(rl.Cur / 4)
	}
	if n < 64 {
		n = 64
	}
	return n, n/8 + 1
}()

// newHandle takes ownership of fd, a directory opened with O_PATH.
func newHandle(fd int) (*dirHandle, error) {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, err
	}
	h := &dirHandle{fd: fd, id: statID(&st)}
	runtime.AddCleanup(h, func(fd int) {
		unix.Close(fd)
		liveHandles.Add(-1)
	}, fd)
	if n := liveHandles.Add(1); n > gcHandles && n%gcEvery == 0 {
		go runtime.GC()
	}
	return h, nil
}

// childDir returns a handle of the directory name in d, whose identity an
// fstatat just gave as id: the cached one, or a new one checked to be that
// directory.
func (f *FileSystem) childDir(d *dirHandle, name string, id identity) (*dirHandle, errno.Errno) {
	defer runtime.KeepAlive(d)
	f.cacheMu.Lock()
	h := f.cache[id]
	f.cacheMu.Unlock()
	if h != nil {
		// The cached handle holds the directory, so its inode number
		// cannot have been reused: it is the same directory.
		return h, 0
	}
	hostCalls.Add(1)
	fd, err := unix.Openat(d.fd, name, unix.O_PATH|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, hostErr(err)
	}
	h, err = newHandle(fd)
	if err != nil {
		return nil, hostErr(err)
	}
	if h.id != id {
		return nil, errno.ESTALE // replaced between the stat and the open
	}
	f.cacheMu.Lock()
	if old := f.cache[id]; old != nil {
		h = old
	} else {
		if len(f.cache) >= maxCached {
			for k := range f.cache {
				delete(f.cache, k)
				break
			}
		}
		f.cache[id] = h
	}
	f.cacheMu.Unlock()
	return h, 0
}

// fstatat stats name in d without following a symbolic link.
func fstatat(d *dirHandle, name string) (unix.Stat_t, errno.Errno) {
	defer runtime.KeepAlive(d)
	var st unix.Stat_t
	hostCalls.Add(1)
	for {
		err := unix.Fstatat(d.fd, name, &st, unix.AT_SYMLINK_NOFOLLOW)
		if err == unix.EINTR {
			continue
		}
		return st, hostErr(err)
	}
}

// openat opens name in d with O_NOFOLLOW and O_CLOEXEC added and checks
// that what it opened is the file with identity want.
func openat(d *dirHandle, name string, flags int, perm uint32, want identity) (int, errno.Errno) {
	defer runtime.KeepAlive(d)
	hostCalls.Add(1)
	fd, err := unix.Openat(d.fd, name, flags|unix.O_NOFOLLOW|unix.O_CLOEXEC, perm)
	if err != nil {
		return -1, hostErr(err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return -1, hostErr(err)
	}
	if statID(&st) != want {
		unix.Close(fd)
		return -1, errno.ESTALE
	}
	return fd, 0
}

// chmodEntry changes the permission bits of name in d, which must still be
// the file with identity want, without following a symbolic link: through
// an O_PATH descriptor of the entry and its /proc/self/fd link (fchmod does
// not take O_PATH descriptors, fchmodat cannot refuse to follow links).
func chmodEntry(d *dirHandle, name string, want identity, perm uint32) errno.Errno {
	fd, e := openat(d, name, unix.O_PATH, 0, want)
	if e != 0 {
		return e
	}
	defer unix.Close(fd)
	return hostErr(unix.Chmod(procFD(fd), perm))
}

// procFD names the file descriptor fd refers to, for the calls that take a
// path but not an O_PATH descriptor.
func procFD(fd int) string { return "/proc/self/fd/" + strconv.Itoa(fd) }
