// Package inet provides AF_INET and AF_INET6 sockets (TCP and UDP). A
// socket reaches the host network through host sockets, and a connection
// from one LibOS process to another on a loopback address is joined
// inside the LibOS (a core/socket Conn), so that its bytes never reach
// the host. A listener accepts both kinds into one queue.
//
// The host is untrusted: the addresses it reports are parsed by Go's net
// package and only passed on, and its data moves through bounded buffers
// by two pump goroutines per connection, so a host that floods or stalls
// can only fill a buffer or stall that connection.
//
// Binding reserves the port on the host (a host socket bound, not yet
// listening), so that ports are shared with the host's other programs
// exactly as a native process shares them, and EADDRINUSE means what it
// means on Linux.
//
// Lock order: Provider.mu, then a socket's mu, then core/socket locks,
// then waiter queues. Host calls that may block are made without locks.
package inet

import (
	"net/netip"
	"sync"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/socket"
)

// Policy says which addresses sockets may use (Occlum.json's network
// policy). A nil Policy allows everything.
type Policy interface {
	// AllowListen reports whether a socket may bind or listen on ap.
	AllowListen(ap netip.AddrPort) bool
	// AllowConnect reports whether a socket may connect or send to ap.
	AllowConnect(ap netip.AddrPort) bool
}

// Provider is the AF_INET and AF_INET6 families of one LibOS.
type Provider struct {
	// Policy restricts addresses (nil: allow all).
	Policy Policy
	// Logf reports refused calls (nil: silent).
	Logf func(format string, args ...any)
	// Budget bounds the memory of connections' buffers (nil: unlimited).
	Budget *socket.Budget

	mu        sync.Mutex
	listeners map[uint16][]*tcpSock // listening TCP sockets by port
	udp       map[uint16][]*udpSock // bound UDP sockets by port
	ephemeral map[uint16]bool       // local ports of loopback-joined clients
	nextPort  uint16
}

var _ socket.Provider = (*Provider)(nil)

// New returns a provider with no policy.
func New() *Provider {
	return &Provider{
		listeners: map[uint16][]*tcpSock{},
		udp:       map[uint16][]*udpSock{},
		ephemeral: map[uint16]bool{},
		nextPort:  49152,
	}
}

// Socket implements socket.Provider.
func (p *Provider) Socket(family, typ, protocol int, cred socket.Cred) (socket.Socket, errno.Errno) {
	if family != socket.AF_INET && family != socket.AF_INET6 {
		return nil, errno.EAFNOSUPPORT
	}
	switch typ {
	case socket.SOCK_STREAM:
		if protocol != 0 && protocol != socket.IPPROTO_TCP {
			return nil, errno.EPROTONOSUPPORT
		}
		return newTCP(p, family, cred), 0
	case socket.SOCK_DGRAM:
		if protocol != 0 && protocol != socket.IPPROTO_UDP {
			return nil, errno.EPROTONOSUPPORT
		}
		return newUDP(p, family, cred), 0
	case socket.SOCK_RAW:
		return nil, errno.EPERM
	case socket.SOCK_SEQPACKET:
		return nil, errno.EPROTONOSUPPORT
	}
	return nil, errno.EINVAL
}

// Pair implements socket.Provider: Linux has no AF_INET pairs.
func (p *Provider) Pair(family, typ, protocol int, cred socket.Cred) (socket.Socket, socket.Socket, errno.Errno) {
	if family != socket.AF_INET && family != socket.AF_INET6 {
		return nil, nil, errno.EAFNOSUPPORT
	}
	return nil, nil, errno.EOPNOTSUPP
}

// local reports whether ip is an address a connection to is joined
// inside the LibOS when a LibOS socket listens there: loopback, or the
// unspecified address (which Linux connects to loopback).
func local(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsLoopback() || ip.IsUnspecified()
}

// matches reports whether a socket bound to bound (of family fam, with
// v6only) receives what is sent to dst.
func matches(bound netip.Addr, fam int, v6only bool, dst netip.Addr) bool {
	dst4 := dst.Unmap().Is4()
	if fam == socket.AF_INET && !dst4 {
		return false
	}
	if fam == socket.AF_INET6 && dst4 && v6only {
		return false
	}
	if bound.IsUnspecified() {
		return true
	}
	if dst.Unmap().IsUnspecified() {
		return bound.Unmap().IsLoopback()
	}
	return bound.Unmap() == dst.Unmap()
}

// listener returns the LibOS listener that a connection to dst would
// reach, or nil.
func (p *Provider) listener(dst netip.AddrPort) *tcpSock {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, l := range p.listeners[dst.Port()] {
		if matches(l.boundIP(), l.family, l.v6only(), dst.Addr()) {
			return l
		}
	}
	return nil
}

func (p *Provider) addListener(l *tcpSock, port uint16) {
	p.mu.Lock()
	p.listeners[port] = append(p.listeners[port], l)
	p.mu.Unlock()
}

func (p *Provider) removeListener(l *tcpSock, port uint16) {
	p.mu.Lock()
	defer p.mu.Unlock()
	ls := p.listeners[port]
	for i := range ls {
		if ls[i] == l {
			ls = append(ls[:i], ls[i+1:]...)
			break
		}
	}
	if len(ls) == 0 {
		delete(p.listeners, port)
	} else {
		p.listeners[port] = ls
	}
}

// udpPeer returns the LibOS UDP socket that a datagram to dst would
// reach, or nil.
func (p *Provider) udpPeer(dst netip.AddrPort) *udpSock {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, u := range p.udp[dst.Port()] {
		if matches(u.boundIP(), u.family, u.v6only(), dst.Addr()) {
			return u
		}
	}
	return nil
}

func (p *Provider) addUDP(u *udpSock, port uint16) {
	p.mu.Lock()
	p.udp[port] = append(p.udp[port], u)
	p.mu.Unlock()
}

func (p *Provider) removeUDP(u *udpSock, port uint16) {
	p.mu.Lock()
	defer p.mu.Unlock()
	us := p.udp[port]
	for i := range us {
		if us[i] == u {
			us = append(us[:i], us[i+1:]...)
			break
		}
	}
	if len(us) == 0 {
		delete(p.udp, port)
	} else {
		p.udp[port] = us
	}
}

// allowListen and allowConnect apply the policy, logging refusals.
func (p *Provider) allowListen(ap netip.AddrPort) errno.Errno {
	if p.Policy == nil || p.Policy.AllowListen(ap) {
		return 0
	}
	if p.Logf != nil {
		p.Logf("network policy: refused to listen on %s", ap)
	}
	return errno.EACCES
}

func (p *Provider) allowConnect(ap netip.AddrPort) errno.Errno {
	if p.Policy == nil || p.Policy.AllowConnect(ap) {
		return 0
	}
	if p.Logf != nil {
		p.Logf("network policy: refused to connect to %s", ap)
	}
	return errno.EACCES
}

// allocEphemeral picks a local port for a client joined inside the
// LibOS, from Linux's ephemeral range, skipping ports LibOS sockets use.
func (p *Provider) allocEphemeral() (uint16, errno.Errno) {
	p.mu.Lock()
	defer p.mu.Unlock()
	const lo, hi = 32768, 60999
	for i := 0; i < hi-lo+1; i++ {
		port := p.nextPort
		p.nextPort++
		if p.nextPort > hi || p.nextPort < lo {
			p.nextPort = lo
		}
		if port < lo || port > hi || p.ephemeral[port] || len(p.listeners[port]) > 0 {
			continue
		}
		p.ephemeral[port] = true
		return port, 0
	}
	return 0, errno.EADDRNOTAVAIL
}

func (p *Provider) freeEphemeral(port uint16) {
	p.mu.Lock()
	delete(p.ephemeral, port)
	p.mu.Unlock()
}
