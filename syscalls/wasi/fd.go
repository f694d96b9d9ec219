package wasi

import (
	"context"
	"encoding/binary"
	"math"

	"github.com/tetratelabs/wazero/api"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/kernel"
	"github.com/occlumgo/occlum/core/socket"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/syscalls/abi"
)

// withFile runs fn on the description behind fd.
func withFile(p *kernel.Process, fd uint64, fn func(f *vfs.File) errno.Errno) errno.Errno {
	f, e := p.FDs.Get(int32(fd))
	if e != 0 {
		return e
	}
	// Deferred: a blocking read or write runs signal handlers in place
	// (SA_RESTART), and one that longjmps or exits unwinds through here.
	defer f.DecRef()
	return fn(f)
}

// WASI advice values.
const adviceNoReuse = 5

var fdAdvise = abi.Func{
	Support: abi.Partial,
	Note:    "advice is validated and accepted but has no effect: the LibOS keeps no page cache to tune",
	Name:    "fd_advise",
	Params:  []abi.Param{abi.I32("fd"), abi.I64("offset"), abi.I64("len"), abi.I32("advice")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, _ api.Module, s []uint64) errno.Errno {
		return withFile(p, s[0], func(f *vfs.File) errno.Errno {
			if uint32(s[3]) > adviceNoReuse || int64(s[1]) < 0 || int64(s[2]) < 0 {
				return errno.EINVAL
			}
			if !f.Impl().Seekable() {
				return errno.ESPIPE
			}
			return 0 // advice is a hint; the LibOS has no page cache to tune
		})
	},
}

var fdAllocate = abi.Func{
	Name:    "fd_allocate",
	Params:  []abi.Param{abi.I32("fd"), abi.I64("offset"), abi.I64("len")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, _ api.Module, s []uint64) errno.Errno {
		return withFile(p, s[0], func(f *vfs.File) errno.Errno {
			off, n := int64(s[1]), int64(s[2])
			if off < 0 || n <= 0 || off > math.MaxInt64-n {
				return errno.EINVAL
			}
			if !f.Flags().Writable() {
				return errno.EBADF
			}
			st, e := f.Stat()
			if e != 0 {
				return e
			}
			if st.Type() != vfs.TypeRegular {
				return errno.ENODEV
			}
			if off+n <= st.Size {
				return 0
			}
			return f.SetAttr(vfs.SetAttr{Mask: vfs.SetSize, Size: off + n})
		})
	},
}

var fdClose = abi.Func{
	Name:    "fd_close",
	Params:  []abi.Param{abi.I32("fd")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, _ api.Module, s []uint64) errno.Errno {
		return p.FDs.Remove(int32(s[0]))
	},
}

var fdDatasync = abi.Func{
	Name:    "fd_datasync",
	Params:  []abi.Param{abi.I32("fd")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, _ api.Module, s []uint64) errno.Errno {
		return withFile(p, s[0], func(f *vfs.File) errno.Errno { return f.Sync(true) })
	},
}

var fdFdstatGet = abi.Func{
	Name:    "fd_fdstat_get",
	Params:  []abi.Param{abi.I32("fd"), abi.I32("result.stat")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		if int32(s[0]) == DirfdCwd {
			// wasi-libc's faccessat asks for the rights of the directory it
			// resolved against: the working directory grants everything.
			return putFdstat(mod, uint32(s[1]), ftDirectory, 0, rightsAll)
		}
		return withFile(p, s[0], func(f *vfs.File) errno.Errno {
			ft := uint8(ftUnknown)
			if d := f.Dentry(); d.Inode != nil {
				ft = wasiFiletype(d.Inode.Type())
			} else if st, e := f.Stat(); e == 0 {
				ft = wasiFiletype(st.Type())
			}
			if so, ok := f.Impl().(socket.Socket); ok && so.Type() == socket.SOCK_DGRAM {
				ft = ftSocketDgram
			}
			fl := f.Flags()
			var flags uint16
			if fl&vfs.O_APPEND != 0 {
				flags |= fdflagAppend
			}
			if fl&vfs.O_NONBLOCK != 0 {
				flags |= fdflagNonblock
			}
			if fl&vfs.O_SYNC == vfs.O_SYNC {
				flags |= fdflagSync
			} else if fl&vfs.O_DSYNC != 0 {
				flags |= fdflagDsync
			}
			return putFdstat(mod, uint32(s[1]), ft, flags, rightsOf(f, isTTY(f)))
		})
	},
}

// putFdstat writes a WASI fdstat (24 bytes); inheriting rights are all.
func putFdstat(mod api.Module, ptr uint32, ft uint8, flags uint16, rights uint64) errno.Errno {
	buf, e := abi.Bytes(mod, ptr, 24)
	if e != 0 {
		return e
	}
	clear(buf)
	buf[0] = ft
	binary.LittleEndian.PutUint16(buf[2:], flags)
	binary.LittleEndian.PutUint64(buf[8:], rights)
	binary.LittleEndian.PutUint64(buf[16:], rightsAll)
	return 0
}

var fdFdstatSetFlags = abi.Func{
	Name:    "fd_fdstat_set_flags",
	Params:  []abi.Param{abi.I32("fd"), abi.I32("flags")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, _ api.Module, s []uint64) errno.Errno {
		return withFile(p, s[0], func(f *vfs.File) errno.Errno {
			wf := uint32(s[1])
			if wf&^uint32(fdflagAppend|fdflagDsync|fdflagNonblock|fdflagRsync|fdflagSync) != 0 {
				return errno.EINVAL
			}
			var fl vfs.OpenFlags
			if wf&fdflagAppend != 0 {
				fl |= vfs.O_APPEND
			}
			if wf&fdflagNonblock != 0 {
				fl |= vfs.O_NONBLOCK
			}
			f.SetStatusFlags(fl)
			return 0
		})
	},
}

var fdFdstatSetRights = abi.Func{
	Support: abi.Partial,
	Note:    "rights may only shrink and are not enforced beyond the access mode (which is what wasi-libc and Go use); growing them is ENOTCAPABLE",
	Name:    "fd_fdstat_set_rights",
	Params:  []abi.Param{abi.I32("fd"), abi.I64("fs_rights_base"), abi.I64("fs_rights_inheriting")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, _ api.Module, s []uint64) errno.Errno {
		// Rights may only shrink. The LibOS enforces access modes, not
		// rights, so a shrink is accepted and a grow is refused.
		return withFile(p, s[0], func(f *vfs.File) errno.Errno {
			if s[1]&^rightsOf(f, isTTY(f)) != 0 {
				return errno.ENOTCAPABLE
			}
			return 0
		})
	},
}

var fdFilestatGet = abi.Func{
	Name:    "fd_filestat_get",
	Params:  []abi.Param{abi.I32("fd"), abi.I32("result.filestat")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		return withFile(p, s[0], func(f *vfs.File) errno.Errno {
			st, e := f.Stat()
			if e != 0 {
				return e
			}
			if err := putFilestat(mod, uint32(s[1]), &st); err != 0 {
				return err
			}
			if so, ok := f.Impl().(socket.Socket); ok && so.Type() == socket.SOCK_DGRAM {
				return abi.PutU8(mod, uint32(s[1])+16, ftSocketDgram)
			}
			return 0
		})
	},
}

// putFilestat writes a WASI filestat (64 bytes).
func putFilestat(mod api.Module, ptr uint32, st *vfs.Stat) errno.Errno {
	buf, e := abi.Bytes(mod, ptr, 64)
	if e != 0 {
		return e
	}
	clear(buf)
	binary.LittleEndian.PutUint64(buf[0:], st.Dev)
	binary.LittleEndian.PutUint64(buf[8:], st.Ino)
	buf[16] = wasiFiletype(st.Type())
	binary.LittleEndian.PutUint64(buf[24:], st.Nlink)
	binary.LittleEndian.PutUint64(buf[32:], uint64(st.Size))
	binary.LittleEndian.PutUint64(buf[40:], uint64(st.Atime))
	binary.LittleEndian.PutUint64(buf[48:], uint64(st.Mtime))
	binary.LittleEndian.PutUint64(buf[56:], uint64(st.Ctime))
	return 0
}

var fdFilestatSetSize = abi.Func{
	Name:    "fd_filestat_set_size",
	Params:  []abi.Param{abi.I32("fd"), abi.I64("size")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, _ api.Module, s []uint64) errno.Errno {
		return withFile(p, s[0], func(f *vfs.File) errno.Errno {
			if int64(s[1]) < 0 {
				return errno.EINVAL
			}
			if d := f.Dentry(); d.Inode != nil && d.Inode.Type() == vfs.TypeDirectory {
				return errno.EISDIR
			}
			return f.SetAttr(vfs.SetAttr{Mask: vfs.SetSize, Size: int64(s[1])})
		})
	},
}

// WASI fstflags.
const (
	fstAtim    = 1 << 0
	fstAtimNow = 1 << 1
	fstMtim    = 1 << 2
	fstMtimNow = 1 << 3
)

// timesAttr decodes fd_filestat_set_times / path_filestat_set_times.
func timesAttr(atim, mtim uint64, fst uint32) (vfs.SetAttr, errno.Errno) {
	if fst&^uint32(fstAtim|fstAtimNow|fstMtim|fstMtimNow) != 0 ||
		fst&(fstAtim|fstAtimNow) == fstAtim|fstAtimNow ||
		fst&(fstMtim|fstMtimNow) == fstMtim|fstMtimNow {
		return vfs.SetAttr{}, errno.EINVAL
	}
	var a vfs.SetAttr
	if fst&fstAtim != 0 {
		a.Mask |= vfs.SetAtime
		a.Atime = int64(atim)
	}
	if fst&fstAtimNow != 0 {
		a.Mask |= vfs.SetAtimeNow
	}
	if fst&fstMtim != 0 {
		a.Mask |= vfs.SetMtime
		a.Mtime = int64(mtim)
	}
	if fst&fstMtimNow != 0 {
		a.Mask |= vfs.SetMtimeNow
	}
	return a, 0
}

var fdFilestatSetTimes = abi.Func{
	Name:    "fd_filestat_set_times",
	Params:  []abi.Param{abi.I32("fd"), abi.I64("atim"), abi.I64("mtim"), abi.I32("fst_flags")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, _ api.Module, s []uint64) errno.Errno {
		return withFile(p, s[0], func(f *vfs.File) errno.Errno {
			a, e := timesAttr(s[1], s[2], uint32(s[3]))
			if e != 0 || a.Mask == 0 {
				return e
			}
			return f.SetAttr(a)
		})
	},
}

// ioFunc moves bytes between a buffer and a file.
type ioFunc func(b []byte) (int, errno.Errno)

// at turns a positioned transfer into an ioFunc that advances its own
// offset, for pread/pwrite over several iovecs.
func at(op func([]byte, int64) (int, errno.Errno), off int64) ioFunc {
	return func(b []byte) (int, errno.Errno) {
		k, e := op(b, off)
		off += int64(k)
		return k, e
	}
}

// transfer runs one vectored read or write on fd and stores the byte count
// at result. The result pointer is checked first, so a bad one moves no
// data.
func transfer(p *kernel.Process, mod api.Module, fd, iovs, n, result uint64, op func(f *vfs.File) ioFunc) errno.Errno {
	return withFile(p, fd, func(f *vfs.File) errno.Errno {
		if _, e := abi.Bytes(mod, uint32(result), 4); e != 0 {
			return e
		}
		k, e := rw(mod, uint32(iovs), uint32(n), op(f))
		if e != 0 {
			return e
		}
		return abi.PutU32(mod, uint32(result), k)
	})
}

// rw runs io over the iovecs, stopping at the first short transfer, as
// readv/writev do. It reports the bytes moved; an error after some bytes
// moved is dropped, as Linux does. Callers check their result pointer
// first: bytes moved cannot be taken back.
func rw(mod api.Module, iovs, n uint32, io ioFunc) (uint32, errno.Errno) {
	bufs, e := abi.Iovecs(mod, iovs, n)
	if e != 0 {
		return 0, e
	}
	total, moved := uint32(0), false
	for _, b := range bufs {
		if len(b) == 0 {
			continue
		}
		moved = true
		k, e := io(b)
		total += uint32(k)
		if e != 0 {
			if total > 0 {
				return total, 0
			}
			return 0, e
		}
		if k < len(b) {
			break
		}
	}
	if !moved {
		// A zero-length transfer still checks the descriptor, as Linux
		// does: EBADF for the wrong access mode, EISDIR, EINVAL.
		_, e := io(nil)
		return 0, e
	}
	return total, 0
}

var fdPread = abi.Func{
	Name:    "fd_pread",
	Params:  []abi.Param{abi.I32("fd"), abi.I32("iovs"), abi.I32("iovs_len"), abi.I64("offset"), abi.I32("result.nread")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		return transfer(p, mod, s[0], s[1], s[2], s[4], func(f *vfs.File) ioFunc { return at(f.Pread, int64(s[3])) })
	},
}

var fdPwrite = abi.Func{
	Name:    "fd_pwrite",
	Params:  []abi.Param{abi.I32("fd"), abi.I32("iovs"), abi.I32("iovs_len"), abi.I64("offset"), abi.I32("result.nwritten")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		return transfer(p, mod, s[0], s[1], s[2], s[4], func(f *vfs.File) ioFunc { return at(f.Pwrite, int64(s[3])) })
	},
}

var fdRead = abi.Func{
	Name:    "fd_read",
	Params:  []abi.Param{abi.I32("fd"), abi.I32("iovs"), abi.I32("iovs_len"), abi.I32("result.nread")},
	Results: abi.Errno,
	Impl: func(ctx context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		return transfer(p, mod, s[0], s[1], s[2], s[3], func(f *vfs.File) ioFunc { return reader(ctx, p, mod, f) })
	},
}

var fdWrite = abi.Func{
	Name:    "fd_write",
	Params:  []abi.Param{abi.I32("fd"), abi.I32("iovs"), abi.I32("iovs_len"), abi.I32("result.nwritten")},
	Results: abi.Errno,
	Impl: func(ctx context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		return transfer(p, mod, s[0], s[1], s[2], s[3], func(f *vfs.File) ioFunc { return writer(ctx, p, mod, f) })
	},
}

// blocking returns f's Waitable if I/O on f blocks: f's readiness changes
// over time (a pipe) and the description lacks O_NONBLOCK. The FileImpls
// never block themselves; the syscall layer waits for them.
func blocking(f *vfs.File) vfs.Waitable {
	if f.Flags()&vfs.O_NONBLOCK != 0 {
		return nil
	}
	w, _ := f.Impl().(vfs.Waitable)
	return w
}

// wait calls try until it reports something other than EAGAIN, waiting on
// w between calls. It gives up with EINTR (and try's last count) when p
// must act on a signal not caught with SA_RESTART, is killed, or ctx ends:
// the signal is acted on as the syscall returns.
func wait(ctx context.Context, p *kernel.Process, mod api.Module, w vfs.Waitable, try func() (int, errno.Errno)) (int, errno.Errno) {
	return vfs.WaitReadyWith(w, try, func(ready <-chan struct{}) errno.Errno { return p.BlockRestarting(ctx, mod, ready) })
}

// reader is fd_read's transfer: on a blocking file the first buffer waits
// for data (or end of file); once bytes have arrived, the rest of a
// scatter read takes only what is there, as readv(2) does.
func reader(ctx context.Context, p *kernel.Process, mod api.Module, f *vfs.File) ioFunc {
	w := blocking(f)
	if w == nil {
		return f.Read
	}
	moved := false
	return func(b []byte) (int, errno.Errno) {
		if moved || len(b) == 0 {
			return f.Read(b)
		}
		n, e := wait(ctx, p, mod, w, func() (int, errno.Errno) { return f.Read(b) })
		moved = n > 0
		return n, e
	}
}

// writer is fd_write's transfer: on a blocking file it writes all of each
// buffer, waiting for room, and reports the bytes written before an
// interruption. EPIPE (no reader left) sends SIGPIPE to the caller, as
// Linux does.
func writer(ctx context.Context, p *kernel.Process, mod api.Module, f *vfs.File) ioFunc {
	w := blocking(f)
	return func(b []byte) (int, errno.Errno) {
		var n int
		var e errno.Errno
		if w == nil || len(b) == 0 {
			n, e = f.Write(b)
		} else {
			n, e = wait(ctx, p, mod, w, func() (int, errno.Errno) {
				for n < len(b) {
					k, e := f.Write(b[n:])
					n += k
					if e != 0 || k == 0 {
						return n, e
					}
				}
				return n, 0
			})
		}
		if e == errno.EPIPE {
			p.Signal(kernel.SIGPIPE)
		}
		return n, e
	}
}

var fdPrestatGet = abi.Func{
	Name:    "fd_prestat_get",
	Params:  []abi.Param{abi.I32("fd"), abi.I32("result.prestat")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		name, e := p.FDs.Preopen(int32(s[0]))
		if e != 0 {
			return e
		}
		buf, e := abi.Bytes(mod, uint32(s[1]), 8)
		if e != 0 {
			return e
		}
		clear(buf)
		binary.LittleEndian.PutUint32(buf[4:], uint32(len(name)))
		return 0
	},
}

var fdPrestatDirName = abi.Func{
	Name:    "fd_prestat_dir_name",
	Params:  []abi.Param{abi.I32("fd"), abi.I32("result.path"), abi.I32("result.path_len")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		name, e := p.FDs.Preopen(int32(s[0]))
		if e != 0 {
			return e
		}
		buf, e := abi.Bytes(mod, uint32(s[1]), uint32(s[2]))
		if e != 0 {
			return e
		}
		if len(buf) < len(name) {
			return errno.ENAMETOOLONG
		}
		copy(buf, name)
		return 0
	},
}

// direntHeader is the size of a WASI dirent before its name.
const direntHeader = 24

var fdReaddir = abi.Func{
	Name:    "fd_readdir",
	Params:  []abi.Param{abi.I32("fd"), abi.I32("buf"), abi.I32("buf_len"), abi.I64("cookie"), abi.I32("result.bufused")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		return withFile(p, s[0], func(f *vfs.File) errno.Errno {
			buf, e := abi.Bytes(mod, uint32(s[1]), uint32(s[2]))
			if e != 0 {
				return e
			}
			if _, e := abi.Bytes(mod, uint32(s[4]), 4); e != 0 {
				return e
			}
			cookie := s[3]
			ents, e := f.ReadDir(cookie)
			if e != 0 {
				return e
			}
			used := 0
			var hdr [direntHeader]byte
			for i, d := range ents {
				if used >= len(buf) {
					break
				}
				binary.LittleEndian.PutUint64(hdr[0:], cookie+uint64(i)+1)
				binary.LittleEndian.PutUint64(hdr[8:], d.Ino)
				binary.LittleEndian.PutUint32(hdr[16:], uint32(len(d.Name)))
				hdr[20] = wasiFiletype(d.Type)
				hdr[21], hdr[22], hdr[23] = 0, 0, 0
				// A record that does not fit is written partly: the guest
				// sees a full buffer and retries with a larger one.
				used += copy(buf[used:], hdr[:])
				used += copy(buf[used:], d.Name)
			}
			return abi.PutU32(mod, uint32(s[4]), uint32(used))
		})
	},
}

var fdRenumber = abi.Func{
	Name:    "fd_renumber",
	Params:  []abi.Param{abi.I32("fd"), abi.I32("to")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, _ api.Module, s []uint64) errno.Errno {
		return p.FDs.Renumber(int32(s[0]), int32(s[1]))
	},
}

var fdSeek = abi.Func{
	Name:    "fd_seek",
	Params:  []abi.Param{abi.I32("fd"), abi.I64("offset"), abi.I32("whence"), abi.I32("result.newoffset")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		return withFile(p, s[0], func(f *vfs.File) errno.Errno {
			// WASI whence SET=0, CUR=1, END=2 match Linux's.
			w := uint32(s[2])
			if w > 2 {
				return errno.EINVAL
			}
			if _, e := abi.Bytes(mod, uint32(s[3]), 8); e != 0 {
				return e
			}
			off, e := f.Lseek(int64(s[1]), int(w))
			if e != 0 {
				return e
			}
			return abi.PutU64(mod, uint32(s[3]), uint64(off))
		})
	},
}

var fdSync = abi.Func{
	Name:    "fd_sync",
	Params:  []abi.Param{abi.I32("fd")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, _ api.Module, s []uint64) errno.Errno {
		return withFile(p, s[0], func(f *vfs.File) errno.Errno { return f.Sync(false) })
	},
}

var fdTell = abi.Func{
	Name:    "fd_tell",
	Params:  []abi.Param{abi.I32("fd"), abi.I32("result.offset")},
	Results: abi.Errno,
	Impl: func(_ context.Context, p *kernel.Process, mod api.Module, s []uint64) errno.Errno {
		return withFile(p, s[0], func(f *vfs.File) errno.Errno {
			if _, e := abi.Bytes(mod, uint32(s[1]), 8); e != 0 {
				return e
			}
			off, e := f.Lseek(0, vfs.SeekCur)
			if e != 0 {
				return e
			}
			return abi.PutU64(mod, uint32(s[1]), uint64(off))
		})
	},
}
