// Package unix provides AF_UNIX sockets inside the LibOS: stream and
// datagram, socketpair, path names in the LibOS namespace and abstract
// names, SCM_RIGHTS and SO_PEERCRED. Nothing reaches the host.
//
// A path name is bound by creating the file (O_CREAT|O_EXCL, so an
// existing name is EADDRINUSE) on whatever mount holds it; the listener
// table is keyed by the file's device and inode, so a rename keeps the
// binding and an unlink ends it for new connections, as on Linux. The
// file reads back as a regular file, not S_IFSOCK (the mount types have
// no special files yet).
//
// Lock order: Provider.mu, then a socket's mu, then its Conn's or
// DgramQueue's lock (core/socket), then waiter queues.
package unix

import (
	"sync"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/socket"
	"github.com/occlumgo/occlum/core/vfs"
)

// Provider is the AF_UNIX family of one LibOS.
type Provider struct {
	ns *vfs.Namespace
	// Budget bounds the memory of connections' buffers (nil: unlimited).
	Budget *socket.Budget

	mu       sync.Mutex
	paths    map[[2]uint64]*sock // bound path names, by (dev, ino)
	abstract map[string]*sock    // bound abstract names
	autobind uint32
}

var _ socket.Provider = (*Provider)(nil)

// New returns the provider; path names live in ns.
func New(ns *vfs.Namespace) *Provider {
	return &Provider{ns: ns, paths: map[[2]uint64]*sock{}, abstract: map[string]*sock{}}
}

// Socket implements socket.Provider.
func (p *Provider) Socket(family, typ, protocol int, cred socket.Cred) (socket.Socket, errno.Errno) {
	if family != socket.AF_UNIX {
		return nil, errno.EAFNOSUPPORT
	}
	if protocol != 0 && protocol != socket.AF_UNIX { // PF_UNIX, as Linux accepts
		return nil, errno.EPROTONOSUPPORT
	}
	switch typ {
	case socket.SOCK_STREAM, socket.SOCK_DGRAM:
	case socket.SOCK_SEQPACKET:
		return nil, errno.EPROTONOSUPPORT
	default:
		return nil, errno.EINVAL
	}
	return newSock(p, typ, cred), 0
}

// Pair implements socket.Provider.
func (p *Provider) Pair(family, typ, protocol int, cred socket.Cred) (socket.Socket, socket.Socket, errno.Errno) {
	s1, e := p.Socket(family, typ, protocol, cred)
	if e != 0 {
		return nil, nil, e
	}
	a, b := s1.(*sock), newSock(p, typ, cred)
	if typ == socket.SOCK_STREAM {
		ea, eb := socket.NewConn(socket.DefaultBuffer, p.Budget, &a.q, &b.q)
		a.connect(ea, socket.Addr{Family: socket.AF_UNIX}, cred)
		b.connect(eb, socket.Addr{Family: socket.AF_UNIX}, cred)
	} else {
		a.dpeer, b.dpeer = b, a
		a.peerCred, b.peerCred = cred, cred
		a.hasPeer, b.hasPeer = true, true
	}
	return a, b, 0
}

// lookup finds the socket bound to a.
//
// # Errors
//   - ENOENT: no such path; ECONNREFUSED: nobody is bound to it.
func (p *Provider) lookup(a socket.Addr) (*sock, errno.Errno) {
	if a.Path == "" {
		return nil, errno.EINVAL
	}
	if a.Path[0] == 0 {
		p.mu.Lock()
		s := p.abstract[a.Path]
		p.mu.Unlock()
		if s == nil {
			return nil, errno.ECONNREFUSED
		}
		return s, 0
	}
	st, e := p.ns.Stat(a.Abs, true)
	if e != 0 {
		return nil, e
	}
	p.mu.Lock()
	s := p.paths[[2]uint64{st.Dev, st.Ino}]
	p.mu.Unlock()
	if s == nil {
		return nil, errno.ECONNREFUSED
	}
	return s, 0
}

// bind records s under a (an autobind when a has no name). It returns
// the key to unbind with.
func (p *Provider) bind(s *sock, a *socket.Addr, perm uint32) (any, errno.Errno) {
	if a.Path == "" {
		p.mu.Lock()
		defer p.mu.Unlock()
		for {
			p.autobind++
			name := "\x00" + hex5(p.autobind&0xfffff)
			if p.abstract[name] == nil {
				p.abstract[name] = s
				a.Path = name
				return name, 0
			}
		}
	}
	if a.Path[0] == 0 {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.abstract[a.Path] != nil {
			return nil, errno.EADDRINUSE
		}
		p.abstract[a.Path] = s
		return a.Path, 0
	}
	f, e := p.ns.Open(a.Abs, vfs.O_CREAT|vfs.O_EXCL|vfs.O_WRONLY|vfs.O_CLOEXEC, perm, nil)
	if e == errno.EEXIST {
		return nil, errno.EADDRINUSE
	}
	if e != 0 {
		return nil, e
	}
	st, e := f.Stat()
	f.DecRef()
	if e != 0 {
		return nil, e
	}
	p.ns.MarkSocket(a.Abs)
	k := [2]uint64{st.Dev, st.Ino}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.paths[k] = s
	return k, 0
}

// unbind forgets key if it still names s.
func (p *Provider) unbind(s *sock, key any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch k := key.(type) {
	case string:
		if p.abstract[k] == s {
			delete(p.abstract, k)
		}
	case [2]uint64:
		if p.paths[k] == s {
			delete(p.paths, k)
		}
	}
}

func hex5(v uint32) string {
	const digits = "0123456789abcdef"
	b := make([]byte, 5)
	for i := 4; i >= 0; i-- {
		b[i] = digits[v&0xf]
		v >>= 4
	}
	return string(b)
}
