package socket

import (
	"encoding/binary"
	"net/netip"

	"github.com/occlumgo/occlum/core/errno"
)

// Sizes of the Linux socket address structures.
const (
	SizeofSockaddrIn  = 16
	SizeofSockaddrIn6 = 28
	SizeofSockaddrUn  = 110
	// MaxAddrLen is sizeof(struct sockaddr_storage): a longer addrlen
	// is EINVAL.
	MaxAddrLen = 128
	// MaxPathLen is sun_path's size.
	MaxPathLen = 108
)

// Addr is a socket address. For AF_INET and AF_INET6 it is IP and Port;
// for AF_UNIX it is Path, a file name, or an abstract name that starts
// with a NUL byte; an unnamed UNIX socket has an empty Path.
type Addr struct {
	Family uint16
	IP     netip.Addr
	Port   uint16
	Path   string
	// Abs is a UNIX path name resolved against the caller's working
	// directory (set by the syscall layer; Path stays as given, for
	// getsockname).
	Abs string
}

// AddrPort returns the IP address and port.
func (a Addr) AddrPort() netip.AddrPort { return netip.AddrPortFrom(a.IP, a.Port) }

// InetAddr returns an AF_INET or AF_INET6 address for ap.
func InetAddr(ap netip.AddrPort) Addr {
	fam := uint16(AF_INET6)
	ip := ap.Addr()
	if ip.Is4() {
		fam = AF_INET
	}
	return Addr{Family: fam, IP: ip, Port: ap.Port()}
}

func (a Addr) String() string {
	switch a.Family {
	case AF_INET, AF_INET6:
		return a.AddrPort().String()
	case AF_UNIX:
		if a.Path == "" {
			return "unix:(unnamed)"
		}
		if a.Path[0] == 0 {
			return "unix:@" + a.Path[1:]
		}
		return "unix:" + a.Path
	}
	return "unspec"
}

// ParseAddr decodes a socket address as bind(2) and connect(2) receive
// it: b is the whole addrlen bytes a guest passed. want is the socket's
// family; an address of another family is EAFNOSUPPORT (AF_INET) or
// EINVAL (AF_UNIX), as Linux. Nothing in b is trusted.
//
// # Errors
//   - EINVAL: b is shorter than the family's structure (AF_UNIX: than
//     the family field), longer than MaxAddrLen, or a path is not
//     terminated within sun_path.
//   - EAFNOSUPPORT: another family.
func ParseAddr(b []byte, want int) (Addr, errno.Errno) {
	if len(b) > MaxAddrLen || len(b) < 2 {
		return Addr{}, errno.EINVAL
	}
	fam := binary.LittleEndian.Uint16(b)
	switch want {
	case AF_INET:
		if len(b) < SizeofSockaddrIn {
			return Addr{}, errno.EINVAL
		}
		if fam != AF_INET {
			return Addr{}, errno.EAFNOSUPPORT
		}
		return Addr{Family: AF_INET, Port: binary.BigEndian.Uint16(b[2:]), IP: netip.AddrFrom4([4]byte(b[4:8]))}, 0
	case AF_INET6:
		if len(b) < SizeofSockaddrIn6 {
			return Addr{}, errno.EINVAL
		}
		if fam != AF_INET6 {
			return Addr{}, errno.EAFNOSUPPORT
		}
		ip := netip.AddrFrom16([16]byte(b[8:24]))
		if scope := binary.LittleEndian.Uint32(b[24:]); scope != 0 && ip.IsLinkLocalUnicast() {
			ip = ip.WithZone(itoa(scope))
		}
		return Addr{Family: AF_INET6, Port: binary.BigEndian.Uint16(b[2:]), IP: ip}, 0
	case AF_UNIX:
		if fam != AF_UNIX {
			return Addr{}, errno.EINVAL
		}
		p := b[2:]
		if len(p) > MaxPathLen {
			p = p[:MaxPathLen]
		}
		if len(p) == 0 {
			return Addr{Family: AF_UNIX}, 0 // autobind
		}
		if p[0] == 0 {
			return Addr{Family: AF_UNIX, Path: string(p)}, 0 // abstract: every byte counts
		}
		for i, c := range p {
			if c == 0 {
				p = p[:i]
				break
			}
		}
		return Addr{Family: AF_UNIX, Path: string(p)}, 0
	}
	return Addr{}, errno.EAFNOSUPPORT
}

// Marshal encodes a as the Linux structure; an unspecified address is
// just the family field (AF_UNSPEC).
func (a Addr) Marshal() []byte {
	switch a.Family {
	case AF_INET:
		b := make([]byte, SizeofSockaddrIn)
		binary.LittleEndian.PutUint16(b, AF_INET)
		binary.BigEndian.PutUint16(b[2:], a.Port)
		ip4 := a.IP.Unmap().As4()
		copy(b[4:], ip4[:])
		return b
	case AF_INET6:
		b := make([]byte, SizeofSockaddrIn6)
		binary.LittleEndian.PutUint16(b, AF_INET6)
		binary.BigEndian.PutUint16(b[2:], a.Port)
		ip16 := a.IP.As16()
		copy(b[8:], ip16[:])
		return b
	case AF_UNIX:
		if a.Path == "" {
			return []byte{AF_UNIX, 0}
		}
		b := make([]byte, 2, 2+len(a.Path)+1)
		binary.LittleEndian.PutUint16(b, AF_UNIX)
		b = append(b, a.Path...)
		if a.Path[0] != 0 {
			b = append(b, 0) // a path name's length counts its NUL, as Linux
		}
		return b
	}
	return []byte{0, 0}
}

func itoa(v uint32) string {
	var b [10]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			return string(b[i:])
		}
	}
}
