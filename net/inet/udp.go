package inet

import (
	"errors"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"time"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/socket"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/core/waiter"
)

// maxUDP is the largest UDP payload over IPv4.
const maxUDP = 65507

// udpSock is one UDP socket. Datagrams between LibOS sockets on loopback
// addresses are delivered inside the LibOS; all others go through a host
// socket bound to the same port.
type udpSock struct {
	vfs.UnimplementedFile
	p      *Provider
	family int
	cred   socket.Cred
	ino    uint64
	opts   socket.Options
	q      waiter.Queue
	dq     *socket.DgramQueue

	mu      sync.Mutex
	closed  bool
	bound   bool
	locked  bool // bound to a port the program chose: a disconnect keeps it
	local   netip.AddrPort
	host    *net.UDPConn
	peer    netip.AddrPort
	hasPeer bool
	// hostPeer: the host socket is connected to peer, so the host reports
	// ICMP errors (ECONNREFUSED) for it.
	hostPeer bool
	shutRd   bool
	shutWr   bool
}

var _ socket.Socket = (*udpSock)(nil)

func newUDP(p *Provider, family int, cred socket.Cred) *udpSock {
	u := &udpSock{p: p, family: family, cred: cred, ino: inoCounter.Add(1)}
	u.dq = socket.NewDgramQueue(0, &u.q, p.Budget)
	return u
}

func (u *udpSock) Family() int   { return u.family }
func (u *udpSock) Type() int     { return socket.SOCK_DGRAM }
func (u *udpSock) Protocol() int { return socket.IPPROTO_UDP }

func (u *udpSock) EventRegister(e *waiter.Entry)   { u.q.Register(e) }
func (u *udpSock) EventUnregister(e *waiter.Entry) { u.q.Unregister(e) }

func (u *udpSock) boundIP() netip.Addr {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.local.Addr()
}

func (u *udpSock) v6only() bool { return u.opts.Int(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY) != 0 }

func (u *udpSock) Bind(a socket.Addr) errno.Errno {
	ap := a.AddrPort()
	if ap.Port() != 0 {
		if e := u.p.allowListen(ap); e != 0 {
			return e
		}
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if e := u.bindLocked(ap); e != 0 {
		return e
	}
	u.locked = ap.Port() != 0
	return 0
}

// bindLocked binds the host socket and joins the port table.
func (u *udpSock) bindLocked(ap netip.AddrPort) errno.Errno {
	if u.bound || u.closed {
		return errno.EINVAL
	}
	o := hostOpts{
		reuseAddr: u.opts.Int(socket.SOL_SOCKET, socket.SO_REUSEADDR) != 0,
		reusePort: u.opts.Int(socket.SOL_SOCKET, socket.SO_REUSEPORT) != 0,
		v6only:    u.v6only(),
	}
	fd, got, e := hostBind(u.family, syscall.SOCK_DGRAM, ap, o)
	if e != 0 {
		return e
	}
	c, e := hostPacket(fd)
	if e != 0 {
		return e
	}
	u.host, u.bound, u.local = c, true, netip.AddrPortFrom(ap.Addr(), got.Port())
	u.p.addUDP(u, got.Port())
	go u.readLoop(c)
	return 0
}

// readLoop queues what the host delivers; a full queue drops, as UDP.
func (u *udpSock) readLoop(c *net.UDPConn) {
	buf := make([]byte, maxUDP+1)
	for {
		n, from, err := c.ReadFromUDPAddrPort(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			if e := hostErrno(err); e == errno.ECONNREFUSED {
				u.mu.Lock()
				connected := u.hostPeer && u.host == c
				u.mu.Unlock()
				if connected {
					u.dq.SetError(e) // an ICMP port unreachable for our peer
				}
			}
			continue
		}
		u.deliver(from, buf[:n])
	}
}

// deliver queues a datagram from from, unless a connected socket's peer
// is someone else.
func (u *udpSock) deliver(from netip.AddrPort, data []byte) {
	u.mu.Lock()
	peer, has, shut := u.peer, u.hasPeer, u.shutRd
	u.mu.Unlock()
	if shut || has && (peer.Addr().Unmap() != from.Addr().Unmap() || peer.Port() != from.Port()) {
		return
	}
	u.dq.Deliver(socket.Datagram{Data: append([]byte(nil), data...), From: addrOut(u.family, from)})
}

func (u *udpSock) Listen(int) errno.Errno { return errno.EOPNOTSUPP }

func (u *udpSock) Accept() (socket.Socket, errno.Errno) { return nil, errno.EOPNOTSUPP }

func (u *udpSock) Connect(a socket.Addr) errno.Errno {
	u.mu.Lock()
	defer u.mu.Unlock()
	if a.Family == socket.AF_UNSPEC {
		u.hasPeer = false
		if u.hostPeer {
			u.hostPeer = false
			hostDisconnect(u.host)
		}
		if u.bound && !u.locked {
			// Linux gives back a port it chose when the socket
			// disconnects; an address the program bound stays.
			u.p.removeUDP(u, u.local.Port())
			u.host.Close()
			u.host, u.bound = nil, false
			u.local = netip.AddrPortFrom(u.local.Addr(), 0)
		}
		return 0
	}
	dst := a.AddrPort()
	if dst.Addr().Unmap().IsUnspecified() {
		dst = netip.AddrPortFrom(loopbackFor(dst.Addr()), dst.Port())
	}
	if !local(dst.Addr()) {
		if e := u.p.allowConnect(dst); e != 0 {
			return e
		}
	}
	if !u.bound {
		if e := u.bindLocked(u.autobindAddr()); e != 0 {
			return e
		}
	}
	u.peer, u.hasPeer = dst, true
	// The host socket connects too (unless the peer is a LibOS socket), so
	// that the host's ICMP errors reach the program, as on Linux.
	u.hostPeer = !(local(dst.Addr()) && u.p.udpPeer(dst) != nil) && hostConnect(u.host, u.family, dst) == nil
	return 0
}

func (u *udpSock) Shutdown(how int) errno.Errno {
	if how < socket.SHUT_RD || how > socket.SHUT_RDWR {
		return errno.EINVAL
	}
	u.mu.Lock()
	if !u.hasPeer {
		u.mu.Unlock()
		return errno.ENOTCONN
	}
	if how != socket.SHUT_WR {
		u.shutRd = true
	}
	if how != socket.SHUT_RD {
		u.shutWr = true
	}
	u.mu.Unlock()
	if how != socket.SHUT_WR {
		u.dq.Close(true)
	}
	u.q.Notify(waiter.AllEvents)
	return 0
}

func (u *udpSock) Send(bufs [][]byte, to *socket.Addr, ctl *socket.Control, flags int) (int, errno.Errno) {
	if ctl != nil && (len(ctl.Rights) > 0 || ctl.Cred != nil) {
		return 0, errno.EINVAL
	}
	n := 0
	for _, b := range bufs {
		n += len(b)
	}
	u.mu.Lock()
	if u.shutWr {
		u.mu.Unlock()
		return 0, errno.EPIPE
	}
	if !u.bound {
		// Linux binds first, even for a send that then fails.
		if e := u.bindLocked(u.autobindAddr()); e != 0 {
			u.mu.Unlock()
			return 0, e
		}
	}
	var dst netip.AddrPort
	switch {
	case to != nil:
		dst = to.AddrPort()
		if dst.Addr().Unmap().IsUnspecified() {
			dst = netip.AddrPortFrom(loopbackFor(dst.Addr()), dst.Port())
		}
	case u.hasPeer:
		dst = u.peer
	default:
		u.mu.Unlock()
		return 0, errno.EDESTADDRREQ
	}
	if n > maxUDP {
		u.mu.Unlock()
		return 0, errno.EMSGSIZE
	}
	if u.family == socket.AF_INET6 && u.v6only() && dst.Addr().Is4In6() {
		u.mu.Unlock()
		return 0, errno.ENETUNREACH
	}
	me, host, viaPeer := u.local, u.host, u.hostPeer && to == nil
	u.mu.Unlock()
	if dst.Port() == 0 {
		return 0, errno.EINVAL
	}
	data := make([]byte, 0, n)
	for _, b := range bufs {
		data = append(data, b...)
	}
	if local(dst.Addr()) {
		if peer := u.p.udpPeer(dst); peer != nil {
			src := me
			if src.Addr().IsUnspecified() {
				src = netip.AddrPortFrom(dst.Addr(), me.Port())
			}
			peer.deliver(src, data)
			return n, 0
		}
	}
	if e := u.p.allowConnect(dst); e != 0 {
		return 0, e
	}
	if u.family == socket.AF_INET {
		dst = netip.AddrPortFrom(dst.Addr().Unmap(), dst.Port())
	}
	var err error
	if viaPeer {
		_, err = host.Write(data)
	} else {
		_, err = host.WriteToUDPAddrPort(data, dst)
	}
	if err != nil {
		return 0, hostErrno(err)
	}
	return n, 0
}

func (u *udpSock) Recv(bufs [][]byte, flags int) (int, int, socket.Addr, socket.Control, int, errno.Errno) {
	n, full, from, ctl, e := u.dq.Receive(bufs, flags&socket.MSG_PEEK != 0)
	out := 0
	if full > n {
		out |= socket.MSG_TRUNC
	}
	return n, full, from, ctl, out, e
}

func (u *udpSock) LocalAddr() socket.Addr {
	u.mu.Lock()
	defer u.mu.Unlock()
	if !u.local.IsValid() {
		return addrOut(u.family, netip.AddrPortFrom(unspecified(u.family), 0))
	}
	return addrOut(u.family, u.local)
}

func (u *udpSock) PeerAddr() (socket.Addr, errno.Errno) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if !u.hasPeer {
		return socket.Addr{}, errno.ENOTCONN
	}
	return addrOut(u.family, u.peer), 0
}

func (u *udpSock) Option(level, name int) ([]byte, errno.Errno) {
	if level == socket.SOL_SOCKET {
		switch name {
		case socket.SO_TYPE:
			return socket.Int32(socket.SOCK_DGRAM), 0
		case socket.SO_DOMAIN:
			return socket.Int32(int32(u.family)), 0
		case socket.SO_PROTOCOL:
			return socket.Int32(socket.IPPROTO_UDP), 0
		case socket.SO_ERROR, socket.SO_ACCEPTCONN:
			return socket.Int32(0), 0
		case socket.SO_PEERCRED:
			return nil, errno.ENOPROTOOPT
		}
	}
	if level == socket.IPPROTO_TCP {
		return nil, errno.EOPNOTSUPP
	}
	if level == socket.IPPROTO_IPV6 && u.family != socket.AF_INET6 {
		return nil, errno.EOPNOTSUPP
	}
	return u.opts.Get(level, name)
}

func (u *udpSock) SetOption(level, name int, val []byte) errno.Errno {
	switch {
	case level == socket.IPPROTO_TCP:
		return errno.EOPNOTSUPP
	case level == socket.IPPROTO_IPV6 && u.family != socket.AF_INET6:
		return errno.ENOPROTOOPT
	case level == socket.SOL_SOCKET && (name == socket.SO_TYPE || name == socket.SO_DOMAIN || name == socket.SO_PROTOCOL ||
		name == socket.SO_ERROR || name == socket.SO_ACCEPTCONN || name == socket.SO_PEERCRED):
		return errno.ENOPROTOOPT
	}
	if e := u.opts.Set(level, name, val); e != 0 {
		return e
	}
	if level == socket.SOL_SOCKET && name == socket.SO_RCVBUF {
		u.dq.SetLimit(int(u.opts.Int(level, name)))
	}
	return 0
}

func (u *udpSock) Timeouts() (time.Duration, time.Duration) { return u.opts.Timeouts() }

func (u *udpSock) Read(b []byte) (int, errno.Errno) {
	n, _, _, _, _, e := u.Recv([][]byte{b}, 0)
	return n, e
}

func (u *udpSock) Write(b []byte) (int, errno.Errno) { return u.Send([][]byte{b}, nil, nil, 0) }

func (u *udpSock) Stat() (vfs.Stat, errno.Errno) {
	return vfs.Stat{Mode: vfs.TypeSocket.ModeBits() | 0o777, Nlink: 1, Ino: u.ino}, 0
}

func (u *udpSock) Readiness(mask vfs.Events) vfs.Events {
	ev := u.dq.Readiness()
	u.mu.Lock()
	if !u.shutWr {
		ev |= vfs.EventOut
	}
	if u.shutRd && u.shutWr {
		ev |= vfs.EventHup
	}
	u.mu.Unlock()
	return ev & mask
}

func (u *udpSock) Close() errno.Errno {
	u.mu.Lock()
	if u.closed {
		u.mu.Unlock()
		return 0
	}
	u.closed = true
	host, bound, port := u.host, u.bound, u.local.Port()
	u.mu.Unlock()
	if bound {
		u.p.removeUDP(u, port)
		host.Close()
	}
	u.dq.Close(false)
	return 0
}

// autobindAddr is where an implicit bind goes: the address a program
// bound before a disconnect gave its port back, or the wildcard.
//
// Preconditions: u.mu is held.
func (u *udpSock) autobindAddr() netip.AddrPort {
	if u.local.IsValid() {
		return netip.AddrPortFrom(u.local.Addr(), 0)
	}
	return netip.AddrPortFrom(unspecified(u.family), 0)
}

// InQueue implements socket.Queued (FIONREAD).
func (u *udpSock) InQueue() int {
	return u.dq.Next()
}
