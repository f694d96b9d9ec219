package abi

import (
	"encoding/binary"

	"github.com/tetratelabs/wazero/api"

	"github.com/occlumgo/occlum/core/errno"
)

// Every guest pointer is an offset into the caller's own linear memory; the
// helpers below bounds-check it (and the length, in 64-bit arithmetic so
// nothing wraps) and return EFAULT instead of touching anything outside.

// Bytes returns the guest memory [ptr, ptr+n) as a slice aliasing it.
func Bytes(mod api.Module, ptr, n uint32) ([]byte, errno.Errno) {
	b, ok := mod.Memory().Read(ptr, n)
	if !ok {
		return nil, errno.EFAULT
	}
	return b, 0
}

// String copies the guest string [ptr, ptr+n).
func String(mod api.Module, ptr, n uint32) (string, errno.Errno) {
	b, e := Bytes(mod, ptr, n)
	if e != 0 {
		return "", e
	}
	return string(b), 0
}

// Path copies a guest path, rejecting overlong paths and NUL bytes.
func Path(mod api.Module, ptr, n uint32) (string, errno.Errno) {
	if n >= 4096 {
		if _, e := Bytes(mod, ptr, n); e != 0 {
			return "", e
		}
		return "", errno.ENAMETOOLONG
	}
	s, e := String(mod, ptr, n)
	if e != 0 {
		return "", e
	}
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return "", errno.EINVAL
		}
	}
	return s, 0
}

// PutU8 writes v at ptr.
func PutU8(mod api.Module, ptr uint32, v uint8) errno.Errno {
	if !mod.Memory().WriteByte(ptr, v) {
		return errno.EFAULT
	}
	return 0
}

// PutU16 writes little-endian v at ptr.
func PutU16(mod api.Module, ptr uint32, v uint16) errno.Errno {
	if !mod.Memory().WriteUint16Le(ptr, v) {
		return errno.EFAULT
	}
	return 0
}

// PutU32 writes little-endian v at ptr.
func PutU32(mod api.Module, ptr uint32, v uint32) errno.Errno {
	if !mod.Memory().WriteUint32Le(ptr, v) {
		return errno.EFAULT
	}
	return 0
}

// PutU64 writes little-endian v at ptr.
func PutU64(mod api.Module, ptr uint32, v uint64) errno.Errno {
	if !mod.Memory().WriteUint64Le(ptr, v) {
		return errno.EFAULT
	}
	return 0
}

// U32 reads a little-endian uint32 at ptr.
func U32(mod api.Module, ptr uint32) (uint32, errno.Errno) {
	v, ok := mod.Memory().ReadUint32Le(ptr)
	if !ok {
		return 0, errno.EFAULT
	}
	return v, 0
}

// MaxIovecs is the most iovec entries one call may pass (Linux's IOV_MAX).
const MaxIovecs = 1024

// Iovecs decodes an array of n WASI iovecs ({buf u32, len u32}) at ptr into
// slices aliasing guest memory. Every buffer is bounds-checked.
//
// # Errors
//   - EFAULT: the array or a buffer is outside memory.
//   - EINVAL: n exceeds MaxIovecs.
func Iovecs(mod api.Module, ptr, n uint32) ([][]byte, errno.Errno) {
	if n > MaxIovecs {
		return nil, errno.EINVAL
	}
	raw, e := Bytes(mod, ptr, n*8)
	if e != 0 {
		return nil, e
	}
	out := make([][]byte, 0, n)
	for i := uint32(0); i < n; i++ {
		p := binary.LittleEndian.Uint32(raw[i*8:])
		l := binary.LittleEndian.Uint32(raw[i*8+4:])
		b, e := Bytes(mod, p, l)
		if e != 0 {
			return nil, e
		}
		out = append(out, b)
	}
	return out, 0
}
