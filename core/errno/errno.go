// Package errno defines the one error type used inside the LibOS.
//
// Every layer below the syscall boundary (core, fs/*, sfi) reports failures as
// an Errno. The numbering is Linux's, because the LibOS implements Linux
// semantics; the WASI numbers seen by guests are produced in exactly one place
// (syscalls/abi). Foreign errors (*os.PathError, syscall.Errno) are translated
// once, where they enter, by FromError.
package errno

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// Errno is a Linux error number. Zero means success.
type Errno uint16

// Linux error numbers used by the LibOS.
const (
	ESUCCESS        Errno = 0
	EPERM           Errno = 1
	ENOENT          Errno = 2
	ESRCH           Errno = 3
	EINTR           Errno = 4
	EIO             Errno = 5
	ENXIO           Errno = 6
	E2BIG           Errno = 7
	ENOEXEC         Errno = 8
	EBADF           Errno = 9
	ECHILD          Errno = 10
	EAGAIN          Errno = 11
	ENOMEM          Errno = 12
	EACCES          Errno = 13
	EFAULT          Errno = 14
	EBUSY           Errno = 16
	EEXIST          Errno = 17
	EXDEV           Errno = 18
	ENODEV          Errno = 19
	ENOTDIR         Errno = 20
	EISDIR          Errno = 21
	EINVAL          Errno = 22
	ENFILE          Errno = 23
	EMFILE          Errno = 24
	ENOTTY          Errno = 25
	ETXTBSY         Errno = 26
	EFBIG           Errno = 27
	ENOSPC          Errno = 28
	ESPIPE          Errno = 29
	EROFS           Errno = 30
	EMLINK          Errno = 31
	EPIPE           Errno = 32
	EDOM            Errno = 33
	ERANGE          Errno = 34
	EDEADLK         Errno = 35
	ENAMETOOLONG    Errno = 36
	ENOLCK          Errno = 37
	ENOSYS          Errno = 38
	ENOTEMPTY       Errno = 39
	ELOOP           Errno = 40
	ENOMSG          Errno = 42
	EILSEQ          Errno = 84
	ENOTSOCK        Errno = 88
	EDESTADDRREQ    Errno = 89
	EMSGSIZE        Errno = 90
	EPROTOTYPE      Errno = 91
	ENOPROTOOPT     Errno = 92
	EPROTONOSUPPORT Errno = 93
	EOPNOTSUPP      Errno = 95
	EAFNOSUPPORT    Errno = 97
	EADDRINUSE      Errno = 98
	EADDRNOTAVAIL   Errno = 99
	ENETDOWN        Errno = 100
	ENETUNREACH     Errno = 101
	ECONNABORTED    Errno = 103
	ECONNRESET      Errno = 104
	ENOBUFS         Errno = 105
	EISCONN         Errno = 106
	ENOTCONN        Errno = 107
	ETIMEDOUT       Errno = 110
	ECONNREFUSED    Errno = 111
	EHOSTUNREACH    Errno = 113
	EALREADY        Errno = 114
	EINPROGRESS     Errno = 115
	ESTALE          Errno = 116
	EDQUOT          Errno = 122
	ECANCELED       Errno = 125
	EOWNERDEAD      Errno = 130

	// ENOTCAPABLE has no Linux number: WASI's "capabilities insufficient".
	ENOTCAPABLE Errno = 250

	// ENOTSUP is EOPNOTSUPP on Linux.
	ENOTSUP = EOPNOTSUPP
	// EWOULDBLOCK is EAGAIN on Linux.
	EWOULDBLOCK = EAGAIN
)

var names = map[Errno]string{
	ESUCCESS: "ESUCCESS", EPERM: "EPERM", ENOENT: "ENOENT", ESRCH: "ESRCH", EINTR: "EINTR",
	EIO: "EIO", ENXIO: "ENXIO", E2BIG: "E2BIG", ENOEXEC: "ENOEXEC", EBADF: "EBADF",
	ECHILD: "ECHILD", EAGAIN: "EAGAIN", ENOMEM: "ENOMEM", EACCES: "EACCES", EFAULT: "EFAULT",
	EBUSY: "EBUSY", EEXIST: "EEXIST", EXDEV: "EXDEV", ENODEV: "ENODEV", ENOTDIR: "ENOTDIR",
	EISDIR: "EISDIR", EINVAL: "EINVAL", ENFILE: "ENFILE", EMFILE: "EMFILE", ENOTTY: "ENOTTY",
	ETXTBSY: "ETXTBSY", EFBIG: "EFBIG", ENOSPC: "ENOSPC", ESPIPE: "ESPIPE", EROFS: "EROFS",
	EMLINK: "EMLINK", EPIPE: "EPIPE", EDOM: "EDOM", ERANGE: "ERANGE", EDEADLK: "EDEADLK",
	ENAMETOOLONG: "ENAMETOOLONG", ENOLCK: "ENOLCK", ENOSYS: "ENOSYS", ENOTEMPTY: "ENOTEMPTY",
	ELOOP: "ELOOP", ENOMSG: "ENOMSG", EILSEQ: "EILSEQ", ENOTSOCK: "ENOTSOCK",
	EDESTADDRREQ: "EDESTADDRREQ", EMSGSIZE: "EMSGSIZE", EPROTOTYPE: "EPROTOTYPE",
	ENOPROTOOPT: "ENOPROTOOPT", EPROTONOSUPPORT: "EPROTONOSUPPORT", EOPNOTSUPP: "EOPNOTSUPP",
	EAFNOSUPPORT: "EAFNOSUPPORT", EADDRINUSE: "EADDRINUSE", EADDRNOTAVAIL: "EADDRNOTAVAIL",
	ENETDOWN: "ENETDOWN", ENETUNREACH: "ENETUNREACH", ECONNABORTED: "ECONNABORTED",
	ECONNRESET: "ECONNRESET", ENOBUFS: "ENOBUFS", EISCONN: "EISCONN", ENOTCONN: "ENOTCONN",
	ETIMEDOUT: "ETIMEDOUT", ECONNREFUSED: "ECONNREFUSED", EHOSTUNREACH: "EHOSTUNREACH",
	EALREADY: "EALREADY", EINPROGRESS: "EINPROGRESS", ESTALE: "ESTALE", EDQUOT: "EDQUOT",
	ECANCELED: "ECANCELED", EOWNERDEAD: "EOWNERDEAD", ENOTCAPABLE: "ENOTCAPABLE",
}

// Name returns the symbolic name, such as "ENOENT".
func (e Errno) Name() string {
	if n, ok := names[e]; ok {
		return n
	}
	return "E" + itoa(uint16(e))
}

// Error implements error with the same text as Linux's strerror for common
// values, prefixed by the symbolic name.
func (e Errno) Error() string {
	if e == ENOTCAPABLE {
		return "ENOTCAPABLE (capabilities insufficient)"
	}
	return e.Name() + " (" + syscall.Errno(e).Error() + ")"
}

func itoa(v uint16) string {
	if v == 0 {
		return "0"
	}
	var b [5]byte
	i := len(b)
	for v > 0 {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return string(b[i:])
}

// FromError translates a host error into an Errno. nil becomes ESUCCESS;
// errors that carry a syscall.Errno keep its number (EIO if it does not fit
// an Errno); io/fs sentinel errors map to their obvious numbers; anything
// else becomes EIO.
func FromError(err error) Errno {
	if err == nil {
		return ESUCCESS
	}
	var e Errno
	if errors.As(err, &e) {
		return e
	}
	var se syscall.Errno
	if errors.As(err, &se) {
		if se > syscall.Errno(^Errno(0)) {
			return EIO
		}
		return Errno(se)
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return ENOENT
	case errors.Is(err, fs.ErrExist):
		return EEXIST
	case errors.Is(err, fs.ErrPermission):
		return EACCES
	case errors.Is(err, fs.ErrInvalid):
		return EINVAL
	case errors.Is(err, fs.ErrClosed), errors.Is(err, os.ErrClosed):
		return EBADF
	}
	// os.Root reports an escape attempt with a plain error, wrapped in a
	// *PathError or *LinkError.
	for e := err; e != nil; e = errors.Unwrap(e) {
		if e.Error() == "path escapes from parent" {
			return EACCES
		}
	}
	return EIO
}
