//go:build wasip1

package occlum

import (
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"os"
	"strconv"
	"syscall"
	"unsafe"
)

//go:wasmimport occlum socket
func occlumSocket(domain, typ, protocol int32, resultFd unsafe.Pointer) uint32

//go:wasmimport occlum bind
func occlumBind(fd int32, addr unsafe.Pointer, addrlen uint32) uint32

//go:wasmimport occlum listen
func occlumListen(fd int32, backlog int32) uint32

//go:wasmimport occlum connect
func occlumConnect(fd int32, addr unsafe.Pointer, addrlen uint32) uint32

//go:wasmimport occlum setsockopt
func occlumSetsockopt(fd, level, name int32, val unsafe.Pointer, vallen uint32) uint32

//go:wasmimport occlum resolve
func occlumResolve(name unsafe.Pointer, nameLen uint32, family int32, out unsafe.Pointer, outCap uint32, resultN unsafe.Pointer) uint32

// Socket constants (Linux values, as the occlum ABI uses).
const (
	afInet       = 2
	afInet6      = 10
	sockStream   = 1
	sockDgram    = 2
	sockCloexec  = 0x80000
	solSocket    = 1
	soReuseaddr  = 2
	ipprotoIPv6  = 41
	ipv6V6only   = 26
	listenQueue  = 4096
	resolvedSize = 20
)

// Listen announces on the local network address, as net.Listen: network
// is "tcp", "tcp4" or "tcp6" and address is "host:port" (an empty host is
// every address; port 0 picks one). The listener is an ordinary
// *net.TCPListener over a LibOS socket, so net/http's Serve works on it;
// connections from other LibOS processes to a loopback address are
// joined inside the LibOS.
func Listen(network, address string) (net.Listener, error) {
	fd, err := boundSocket(network, address, sockStream, true)
	if err != nil {
		return nil, &net.OpError{Op: "listen", Net: network, Err: err}
	}
	if e := occlumListen(fd, listenQueue); e != 0 {
		closeFD(fd)
		return nil, &net.OpError{Op: "listen", Net: network, Err: errnoErr(e)}
	}
	// Go's poller needs a non-blocking descriptor: accept then waits in
	// poll_oneoff, and the program's other goroutines run meanwhile.
	if err := syscall.SetNonblock(int(fd), true); err != nil {
		closeFD(fd)
		return nil, &net.OpError{Op: "listen", Net: network, Err: err}
	}
	f := os.NewFile(uintptr(fd), "listener")
	defer f.Close()
	return net.FileListener(f)
}

// Dial connects to address on network ("tcp", "tcp4", "tcp6", "udp",
// "udp4", "udp6"), as net.Dial; host names are resolved by the LibOS
// (/etc/hosts, then DNS). The connect itself blocks the calling program
// (a WebAssembly instance runs one host call at a time); reads and
// writes afterwards go through Go's poller as usual.
func Dial(network, address string) (net.Conn, error) {
	typ := int32(sockStream)
	switch network {
	case "tcp", "tcp4", "tcp6":
	case "udp", "udp4", "udp6":
		typ = sockDgram
	default:
		return nil, &net.OpError{Op: "dial", Net: network, Err: net.UnknownNetworkError(network)}
	}
	addrs, err := resolveAddr(network, address)
	if err != nil {
		return nil, &net.OpError{Op: "dial", Net: network, Err: err}
	}
	var last error
	for _, ap := range addrs {
		fd, err := newSocket(ap.Addr(), typ)
		if err != nil {
			last = err
			continue
		}
		sa := sockaddr(ap)
		if e := occlumConnect(fd, unsafe.Pointer(&sa[0]), uint32(len(sa))); e != 0 {
			closeFD(fd)
			last = errnoErr(e)
			continue
		}
		// Go's poller needs a non-blocking descriptor.
		if err := syscall.SetNonblock(int(fd), true); err != nil {
			closeFD(fd)
			last = err
			continue
		}
		f := os.NewFile(uintptr(fd), "conn")
		c, err := net.FileConn(f)
		f.Close()
		return c, err
	}
	return nil, &net.OpError{Op: "dial", Net: network, Err: last}
}

// LookupHost returns the addresses of host, resolved by the LibOS
// (the image's /etc/hosts, then DNS per its /etc/resolv.conf).
func LookupHost(host string) ([]string, error) {
	addrs, err := lookup(host, 0)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(addrs))
	for i, a := range addrs {
		out[i] = a.String()
	}
	return out, nil
}

func lookup(host string, family int32) ([]netip.Addr, error) {
	if ip, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{ip}, nil
	}
	if host == "" {
		return nil, &net.DNSError{Err: "empty host name", IsNotFound: true}
	}
	b := []byte(host)
	out := make([]byte, 16*resolvedSize)
	var n uint32
	e := occlumResolve(unsafe.Pointer(&b[0]), uint32(len(b)), family, unsafe.Pointer(&out[0]), 16, unsafe.Pointer(&n))
	if e != 0 {
		err := errnoErr(e)
		return nil, &net.DNSError{Err: err.Error(), Name: host, IsNotFound: errors.Is(err, syscall.ENOENT), IsTemporary: errors.Is(err, syscall.EAGAIN)}
	}
	var addrs []netip.Addr
	for i := uint32(0); i < n && i < 16; i++ {
		r := out[i*resolvedSize:]
		if binary.LittleEndian.Uint16(r) == afInet {
			addrs = append(addrs, netip.AddrFrom4([4]byte(r[4:8])))
		} else {
			addrs = append(addrs, netip.AddrFrom16([16]byte(r[4:20])))
		}
	}
	return addrs, nil
}

// resolveAddr turns "host:port" into addresses of network's family.
func resolveAddr(network, address string) ([]netip.AddrPort, error) {
	host, portStr, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil {
		return nil, &net.AddrError{Err: "invalid port", Addr: address}
	}
	var fam int32
	switch network[len(network)-1] {
	case '4':
		fam = afInet
	case '6':
		fam = afInet6
	}
	if host == "" {
		if fam == afInet6 {
			return []netip.AddrPort{netip.AddrPortFrom(netip.IPv6Unspecified(), uint16(port))}, nil
		}
		return []netip.AddrPort{netip.AddrPortFrom(netip.IPv4Unspecified(), uint16(port))}, nil
	}
	ips, err := lookup(host, fam)
	if err != nil {
		return nil, err
	}
	out := make([]netip.AddrPort, 0, len(ips))
	for _, ip := range ips {
		out = append(out, netip.AddrPortFrom(ip, uint16(port)))
	}
	return out, nil
}

func newSocket(ip netip.Addr, typ int32) (int32, error) {
	dom := int32(afInet6)
	if ip.Is4() {
		dom = afInet
	}
	var fd int32
	if e := occlumSocket(dom, typ|sockCloexec, 0, unsafe.Pointer(&fd)); e != 0 {
		return -1, errnoErr(e)
	}
	return fd, nil
}

// boundSocket makes a socket bound to the first address of address.
func boundSocket(network, address string, typ int32, reuse bool) (int32, error) {
	switch network {
	case "tcp", "tcp4", "tcp6", "udp", "udp4", "udp6":
	default:
		return -1, net.UnknownNetworkError(network)
	}
	addrs, err := resolveAddr(network, address)
	if err != nil {
		return -1, err
	}
	ap := addrs[0]
	fd, err := newSocket(ap.Addr(), typ)
	if err != nil {
		return -1, err
	}
	one := int32(1)
	if reuse {
		occlumSetsockopt(fd, solSocket, soReuseaddr, unsafe.Pointer(&one), 4)
	}
	sa := sockaddr(ap)
	if e := occlumBind(fd, unsafe.Pointer(&sa[0]), uint32(len(sa))); e != 0 {
		closeFD(fd)
		return -1, errnoErr(e)
	}
	return fd, nil
}

// sockaddr encodes ap as Linux's sockaddr_in or sockaddr_in6.
func sockaddr(ap netip.AddrPort) []byte {
	if ap.Addr().Is4() {
		b := make([]byte, 16)
		binary.LittleEndian.PutUint16(b, afInet)
		binary.BigEndian.PutUint16(b[2:], ap.Port())
		ip := ap.Addr().As4()
		copy(b[4:], ip[:])
		return b
	}
	b := make([]byte, 28)
	binary.LittleEndian.PutUint16(b, afInet6)
	binary.BigEndian.PutUint16(b[2:], ap.Port())
	ip := ap.Addr().As16()
	copy(b[8:], ip[:])
	return b
}

func closeFD(fd int32) { syscall.Close(int(fd)) }

//go:wasmimport occlum getsockname
func occlumGetsockname(fd int32, addr unsafe.Pointer, addrlen unsafe.Pointer) uint32

// LocalPort returns the port a listener from Listen is bound to (Go's
// wasip1 net package cannot ask the socket itself: its Addr is empty).
func LocalPort(ln net.Listener) (int, error) {
	tl, ok := ln.(*net.TCPListener)
	if !ok {
		return 0, errors.New("occlum: not a TCP listener")
	}
	rc, err := tl.SyscallConn()
	if err != nil {
		return 0, err
	}
	var port int
	var serr error
	err = rc.Control(func(fd uintptr) {
		var sa [28]byte
		l := uint32(len(sa))
		if e := occlumGetsockname(int32(fd), unsafe.Pointer(&sa[0]), unsafe.Pointer(&l)); e != 0 {
			serr = errnoErr(e)
			return
		}
		port = int(binary.BigEndian.Uint16(sa[2:]))
	})
	if err != nil {
		return 0, err
	}
	return port, serr
}
