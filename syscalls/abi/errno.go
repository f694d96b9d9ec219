package abi

import "github.com/occlumgo/occlum/core/errno"

// WASI preview 1 errno values that differ in name from Linux's.
const (
	wasiNOTCAPABLE = 76
)

// toWASI maps Linux errno numbers to WASI preview 1 errno numbers.
var toWASI = func() (t [256]uint16) {
	for i := range t {
		t[i] = 29 // EIO for anything unmapped
	}
	m := map[errno.Errno]uint16{
		errno.ESUCCESS: 0, errno.E2BIG: 1, errno.EACCES: 2, errno.EADDRINUSE: 3,
		errno.EADDRNOTAVAIL: 4, errno.EAFNOSUPPORT: 5, errno.EAGAIN: 6, errno.EALREADY: 7,
		errno.EBADF: 8, errno.EBUSY: 10, errno.ECANCELED: 11, errno.ECHILD: 12,
		errno.ECONNABORTED: 13, errno.ECONNREFUSED: 14, errno.ECONNRESET: 15, errno.EDEADLK: 16,
		errno.EDESTADDRREQ: 17, errno.EDOM: 18, errno.EDQUOT: 19, errno.EEXIST: 20,
		errno.EFAULT: 21, errno.EFBIG: 22, errno.EHOSTUNREACH: 23, errno.EILSEQ: 25,
		errno.EINPROGRESS: 26, errno.EINTR: 27, errno.EINVAL: 28, errno.EIO: 29,
		errno.EISCONN: 30, errno.EISDIR: 31, errno.ELOOP: 32, errno.EMFILE: 33,
		errno.EMLINK: 34, errno.EMSGSIZE: 35, errno.ENAMETOOLONG: 37, errno.ENETDOWN: 38,
		errno.ENETUNREACH: 40, errno.ENFILE: 41, errno.ENOBUFS: 42, errno.ENODEV: 43,
		errno.ENOENT: 44, errno.ENOEXEC: 45, errno.ENOLCK: 46, errno.ENOMEM: 48,
		errno.ENOMSG: 49, errno.ENOPROTOOPT: 50, errno.ENOSPC: 51, errno.ENOSYS: 52,
		errno.ENOTCONN: 53, errno.ENOTDIR: 54, errno.ENOTEMPTY: 55, errno.ENOTSOCK: 57,
		errno.EOPNOTSUPP: 58, errno.ENOTTY: 59, errno.ENXIO: 60, errno.EOWNERDEAD: 62,
		errno.EPERM: 63, errno.EPIPE: 64, errno.EPROTONOSUPPORT: 66, errno.EPROTOTYPE: 67,
		errno.ERANGE: 68, errno.EROFS: 69, errno.ESPIPE: 70, errno.ESRCH: 71,
		errno.ESTALE: 72, errno.ETIMEDOUT: 73, errno.ETXTBSY: 74, errno.EXDEV: 75,
		errno.ENOTCAPABLE: wasiNOTCAPABLE,
	}
	for k, v := range m {
		t[k] = v
	}
	return t
}()

// ToWASI returns the WASI preview 1 number of e. This is the only place the
// LibOS errno becomes an ABI number.
func ToWASI(e errno.Errno) uint16 {
	if int(e) < len(toWASI) {
		return toWASI[e]
	}
	return 29
}
