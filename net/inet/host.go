package inet

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"syscall"
	"unsafe"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/socket"
)

// hostErrno turns an error of a host call into the errno a guest sees.
// Only errnos a socket call can give pass through; anything else is EIO.
func hostErrno(err error) errno.Errno {
	if err == nil {
		return 0
	}
	if errors.Is(err, io.EOF) {
		return 0
	}
	var se syscall.Errno
	if errors.As(err, &se) {
		switch e := errno.Errno(se); e {
		case errno.EADDRINUSE, errno.EADDRNOTAVAIL, errno.EACCES, errno.EPERM,
			errno.ECONNREFUSED, errno.ECONNRESET, errno.ECONNABORTED, errno.ENETUNREACH,
			errno.EHOSTUNREACH, errno.ETIMEDOUT, errno.EPIPE, errno.EAFNOSUPPORT,
			errno.EINVAL, errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM,
			errno.EMSGSIZE, errno.ENETDOWN, errno.EPROTONOSUPPORT:
			return e
		}
	}
	var te interface{ Timeout() bool }
	if errors.As(err, &te) && te.Timeout() {
		return errno.ETIMEDOUT
	}
	return errno.EIO
}

// sockaddr converts ap for a host socket of family.
func sockaddr(family int, ap netip.AddrPort) syscall.Sockaddr {
	if family == socket.AF_INET {
		return &syscall.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().Unmap().As4()}
	}
	sa := &syscall.SockaddrInet6{Port: int(ap.Port()), Addr: ap.Addr().As16()}
	return sa
}

// fromSockaddr converts a host socket address.
func fromSockaddr(sa syscall.Sockaddr) netip.AddrPort {
	switch a := sa.(type) {
	case *syscall.SockaddrInet4:
		return netip.AddrPortFrom(netip.AddrFrom4(a.Addr), uint16(a.Port))
	case *syscall.SockaddrInet6:
		return netip.AddrPortFrom(netip.AddrFrom16(a.Addr), uint16(a.Port))
	}
	return netip.AddrPort{}
}

// hostOpts are the options that must reach a host socket before bind.
type hostOpts struct {
	reuseAddr, reusePort, v6only bool
}

// hostBind creates a host socket of family and typ bound to ap and
// returns it (not listening) with the address the host gave it.
func hostBind(family, typ int, ap netip.AddrPort, o hostOpts) (int, netip.AddrPort, errno.Errno) {
	domain := syscall.AF_INET
	if family == socket.AF_INET6 {
		domain = syscall.AF_INET6
	}
	fd, err := syscall.Socket(domain, typ|syscall.SOCK_CLOEXEC|syscall.SOCK_NONBLOCK, 0)
	if err != nil {
		return -1, netip.AddrPort{}, hostErrno(err)
	}
	set := func(level, name int, on bool) {
		if on {
			syscall.SetsockoptInt(fd, level, name, 1)
		}
	}
	set(syscall.SOL_SOCKET, syscall.SO_REUSEADDR, o.reuseAddr || typ == syscall.SOCK_STREAM)
	set(syscall.SOL_SOCKET, 15 /* SO_REUSEPORT */, o.reusePort)
	if family == socket.AF_INET6 {
		v := 0
		if o.v6only {
			v = 1
		}
		syscall.SetsockoptInt(fd, syscall.IPPROTO_IPV6, syscall.IPV6_V6ONLY, v)
	}
	if err := syscall.Bind(fd, sockaddr(family, ap)); err != nil {
		syscall.Close(fd)
		return -1, netip.AddrPort{}, hostErrno(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		syscall.Close(fd)
		return -1, netip.AddrPort{}, hostErrno(err)
	}
	return fd, fromSockaddr(sa), 0
}

// hostListen starts listening on a bound host socket and hands it to Go's
// network poller.
func hostListen(fd, backlog int) (*net.TCPListener, errno.Errno) {
	if err := syscall.Listen(fd, max(backlog, 1)); err != nil {
		syscall.Close(fd)
		return nil, hostErrno(err)
	}
	f := os.NewFile(uintptr(fd), "listener")
	ln, err := net.FileListener(f)
	f.Close()
	if err != nil {
		return nil, hostErrno(err)
	}
	return ln.(*net.TCPListener), 0
}

// hostPacket hands a bound host UDP socket to Go's network poller.
func hostPacket(fd int) (*net.UDPConn, errno.Errno) {
	f := os.NewFile(uintptr(fd), "udp")
	c, err := net.FilePacketConn(f)
	f.Close()
	if err != nil {
		return nil, hostErrno(err)
	}
	return c.(*net.UDPConn), 0
}

// hostConnect connects a host UDP socket to dst.
func hostConnect(c *net.UDPConn, family int, dst netip.AddrPort) error {
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var cerr error
	err = rc.Control(func(fd uintptr) { cerr = syscall.Connect(int(fd), sockaddr(family, dst)) })
	if err != nil {
		return err
	}
	return cerr
}

// hostDisconnect dissolves a host UDP socket's association
// (connect(AF_UNSPEC)).
func hostDisconnect(c *net.UDPConn) {
	rc, err := c.SyscallConn()
	if err != nil {
		return
	}
	rc.Control(func(fd uintptr) {
		var sa [16]byte // sa_family AF_UNSPEC
		syscall.Syscall(syscall.SYS_CONNECT, fd, uintptr(unsafe.Pointer(&sa[0])), uintptr(len(sa)))
	})
}
