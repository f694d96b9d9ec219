package inet

import (
	"net"
	"net/netip"

	"github.com/occlumgo/occlum/core/socket"
)

// addrOut is ap as a socket of family reports it: an IPv6 socket shows
// IPv4 peers as IPv4-mapped addresses.
func addrOut(family int, ap netip.AddrPort) socket.Addr {
	ip := ap.Addr()
	if family == socket.AF_INET6 {
		if ip.Is4() {
			ip = netip.AddrFrom16(ip.As16())
		}
		return socket.Addr{Family: socket.AF_INET6, IP: ip, Port: ap.Port()}
	}
	return socket.Addr{Family: socket.AF_INET, IP: ip.Unmap(), Port: ap.Port()}
}

// netAddrPort converts an address Go's net package reports.
func netAddrPort(a net.Addr) netip.AddrPort {
	switch t := a.(type) {
	case *net.TCPAddr:
		return t.AddrPort()
	case *net.UDPAddr:
		return t.AddrPort()
	}
	return netip.AddrPort{}
}

// unspecified returns the wildcard address of family.
func unspecified(family int) netip.Addr {
	if family == socket.AF_INET6 {
		return netip.IPv6Unspecified()
	}
	return netip.IPv4Unspecified()
}

// loopback returns the loopback address that stands for dst's host
// (connecting to the unspecified address reaches loopback, as Linux).
func loopbackFor(dst netip.Addr) netip.Addr {
	if dst.Unmap().Is4() {
		if dst.Unmap().IsUnspecified() {
			return netip.AddrFrom4([4]byte{127, 0, 0, 1})
		}
		return dst.Unmap()
	}
	if dst.IsUnspecified() {
		return netip.IPv6Loopback()
	}
	return dst
}
