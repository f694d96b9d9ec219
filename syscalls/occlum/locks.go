package occlum

import (
	"context"
	"encoding/binary"

	"github.com/tetratelabs/wazero/api"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/kernel"
	"github.com/occlumgo/occlum/core/locks"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/syscalls/abi"
)

// fcntl lock commands (Linux values).
const (
	fGetlk     = 5
	fSetlk     = 6
	fSetlkw    = 7
	fOFDGetlk  = 36
	fOFDSetlk  = 37
	fOFDSetlkw = 38
)

// struct flock (docs/abi.md): i16 l_type @0, i16 l_whence @2, i64 l_start
// @8, i64 l_len @16, i32 l_pid @24; 32 bytes.
const flockSize = 32

// l_type values (Linux).
const (
	lockRead   = 0
	lockWrite  = 1
	lockUnlock = 2
)

func isLockCmd(cmd uint32) bool {
	switch cmd {
	case fGetlk, fSetlk, fSetlkw, fOFDGetlk, fOFDSetlk, fOFDSetlkw:
		return true
	}
	return false
}

// recordLock runs an F_GETLK/F_SETLK/F_SETLKW (or OFD) command on f with
// the struct flock at ptr: POSIX locks are owned by p, OFD locks by f.
func recordLock(ctx context.Context, p *kernel.Process, mod api.Module, f *vfs.File, cmd, ptr uint32) errno.Errno {
	b, e := abi.Bytes(mod, ptr, flockSize)
	if e != 0 {
		return e
	}
	le := binary.LittleEndian
	typ, whence := int16(le.Uint16(b[0:])), int16(le.Uint16(b[2:]))
	start, length := int64(le.Uint64(b[8:])), int64(le.Uint64(b[16:]))
	ofd := cmd == fOFDGetlk || cmd == fOFDSetlk || cmd == fOFDSetlkw
	if ofd && le.Uint32(b[24:]) != 0 {
		return errno.EINVAL // l_pid must be 0 for OFD locks
	}
	var t locks.Type
	switch typ {
	case lockRead:
		t = locks.Read
	case lockWrite:
		t = locks.Write
	case lockUnlock:
		t = locks.Unlock
	default:
		return errno.EINVAL
	}
	var base int64
	switch whence {
	case 0: // SEEK_SET
	case 1: // SEEK_CUR
		off, e := f.Lseek(0, 1)
		if e != 0 {
			return e
		}
		base = off
	case 2: // SEEK_END
		st, e := f.Stat()
		if e != 0 {
			return e
		}
		base = st.Size
	default:
		return errno.EINVAL
	}
	r, e := lockRange(base, start, length)
	if e != 0 {
		return e
	}
	key, e := kernel.LockKey(f)
	if e != 0 {
		return e
	}
	owner := locks.Owner{Pid: p.PID}
	if ofd {
		owner = locks.Owner{File: f}
	}
	l := locks.Lock{Owner: owner, Type: t, Range: r}
	tbl := p.Kernel().Locks
	if cmd == fGetlk || cmd == fOFDGetlk {
		if t == locks.Unlock {
			return errno.EINVAL
		}
		h, ok := tbl.Test(key, l)
		if !ok {
			le.PutUint16(b[0:], lockUnlock)
			return 0
		}
		if h.Type == locks.Write {
			le.PutUint16(b[0:], lockWrite)
		} else {
			le.PutUint16(b[0:], lockRead)
		}
		le.PutUint16(b[2:], 0)
		le.PutUint64(b[8:], uint64(h.Range.Start))
		n := int64(0) // to the end
		if h.Range.End != locks.End {
			n = h.Range.End - h.Range.Start + 1
		}
		le.PutUint64(b[16:], uint64(n))
		pid := int32(-1) // an OFD lock has no process
		if h.Owner.File == nil {
			pid = h.Owner.Pid
		}
		le.PutUint32(b[24:], uint32(pid))
		return 0
	}
	// A read lock needs the file open for reading, a write lock for
	// writing (EBADF otherwise, as Linux).
	if (t == locks.Read && !f.Flags().Readable()) || (t == locks.Write && !f.Flags().Writable()) {
		return errno.EBADF
	}
	wait := cmd == fSetlkw || cmd == fOFDSetlkw
	if ofd {
		f.OnLastClose(tbl, func() { tbl.ReleaseFile(key, f) })
	} else {
		p.TookPOSIXLock()
	}
	return tbl.Set(key, l, wait, func(ready <-chan struct{}) errno.Errno { return p.Block(ctx, ready) })
}

// lockRange turns l_start and l_len, from base, into an inclusive range:
// l_len 0 runs to the end (and past), a negative l_len ends before
// l_start. A range starting before 0, or past the largest offset, is
// EINVAL.
func lockRange(base, start, length int64) (locks.Range, errno.Errno) {
	s := base + start
	if (start > 0 && s < base) || (start < 0 && s > base) {
		return locks.Range{}, errno.EINVAL
	}
	switch {
	case length == 0:
		if s < 0 {
			return locks.Range{}, errno.EINVAL
		}
		return locks.Range{Start: s, End: locks.End}, 0
	case length > 0:
		if s < 0 {
			return locks.Range{}, errno.EINVAL
		}
		end := s + length - 1
		if end < s {
			return locks.Range{}, errno.EINVAL
		}
		return locks.Range{Start: s, End: end}, 0
	default:
		first := s + length
		if first < 0 || first > s {
			return locks.Range{}, errno.EINVAL
		}
		return locks.Range{Start: first, End: s - 1}, 0
	}
}

// flock operations (Linux).
const (
	lockSh = 1
	lockEx = 2
	lockNb = 4
	lockUn = 8
)

// flockCall is flock(2): a whole-file lock owned by the open file.
var flockCall = abi.Func{
	Name:    "flock",
	Params:  []abi.Param{abi.I32("fd"), abi.I32("operation")},
	Results: abi.Errno,
	Impl: func(ctx context.Context, p *kernel.Process, _ api.Module, s []uint64) errno.Errno {
		op := uint32(s[1])
		var t locks.Type
		switch op &^ lockNb {
		case lockSh:
			t = locks.Read
		case lockEx:
			t = locks.Write
		case lockUn:
			t = locks.Unlock
		default:
			return errno.EINVAL
		}
		f, e := p.FDs.Get(int32(s[0]))
		if e != 0 {
			return e
		}
		defer f.DecRef()
		key, e := kernel.LockKey(f)
		if e != 0 {
			return e
		}
		tbl := p.Kernel().Locks
		if t != locks.Unlock {
			f.OnLastClose(tbl, func() { tbl.ReleaseFile(key, f) })
		}
		e = tbl.Flock(key, locks.Lock{Owner: locks.Owner{File: f}, Type: t}, op&lockNb == 0,
			func(ready <-chan struct{}) errno.Errno { return p.Block(ctx, ready) })
		return e
	},
}
