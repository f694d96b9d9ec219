package unix

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/socket"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/core/waiter"
)

// inoCounter numbers sockets for fstat, as Linux's sockfs.
var inoCounter atomic.Uint64

// sock is one AF_UNIX socket.
type sock struct {
	vfs.UnimplementedFile
	p    *Provider
	typ  int
	cred socket.Cred // of the creating process
	ino  uint64
	opts socket.Options
	q    waiter.Queue // every waiter of this socket, in every state

	mu       sync.Mutex
	local    socket.Addr
	bindKey  any
	closed   bool
	shutRd   bool
	shutWr   bool
	peerCred socket.Cred
	hasPeer  bool

	// stream
	listening bool
	backlog   int
	pending   []*sock // accepted-to-be server ends
	end       *socket.End
	peer      socket.Addr

	// datagram
	dq    *socket.DgramQueue
	dpeer *sock // connected default destination
}

var _ socket.Socket = (*sock)(nil)

func newSock(p *Provider, typ int, cred socket.Cred) *sock {
	s := &sock{p: p, typ: typ, cred: cred, ino: inoCounter.Add(1)}
	s.local = socket.Addr{Family: socket.AF_UNIX}
	if typ == socket.SOCK_DGRAM {
		s.dq = socket.NewDgramQueue(0, &s.q, p.Budget)
	}
	return s
}

func (s *sock) Family() int   { return socket.AF_UNIX }
func (s *sock) Type() int     { return s.typ }
func (s *sock) Protocol() int { return 0 }

func (s *sock) EventRegister(e *waiter.Entry)   { s.q.Register(e) }
func (s *sock) EventUnregister(e *waiter.Entry) { s.q.Unregister(e) }

// connect makes s the connected end e of a stream.
func (s *sock) connect(e *socket.End, peer socket.Addr, cred socket.Cred) {
	s.mu.Lock()
	s.end, s.peer, s.peerCred, s.hasPeer = e, peer, cred, true
	s.mu.Unlock()
}

func (s *sock) Bind(a socket.Addr) errno.Errno {
	s.mu.Lock()
	bound := s.bindKey != nil
	s.mu.Unlock()
	if bound {
		return errno.EINVAL
	}
	key, e := s.p.bind(s, &a, 0o777)
	if e != 0 {
		return e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.bindKey != nil || s.closed {
		s.p.unbind(s, key)
		return errno.EINVAL
	}
	s.bindKey, s.local = key, socket.Addr{Family: socket.AF_UNIX, Path: a.Path}
	return 0
}

func (s *sock) Listen(backlog int) errno.Errno {
	if s.typ != socket.SOCK_STREAM {
		return errno.EOPNOTSUPP
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.end != nil {
		return errno.EINVAL
	}
	if s.bindKey == nil {
		return errno.EINVAL // Linux autobinds only with SO_PASSCRED
	}
	s.listening, s.backlog = true, backlog
	s.q.Notify(waiter.AllEvents)
	return 0
}

func (s *sock) Accept() (socket.Socket, errno.Errno) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.listening {
		return nil, errno.EINVAL
	}
	if len(s.pending) == 0 {
		return nil, errno.EAGAIN
	}
	c := s.pending[0]
	s.pending[0] = nil
	s.pending = s.pending[1:]
	return c, 0
}

// enqueue hands a new server end to the listener s.
func (s *sock) enqueue(c *sock) errno.Errno {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.listening || s.closed {
		return errno.ECONNREFUSED
	}
	if len(s.pending) > s.backlog {
		return errno.EAGAIN
	}
	s.pending = append(s.pending, c)
	s.q.Notify(waiter.EventIn)
	return 0
}

func (s *sock) Connect(a socket.Addr) errno.Errno {
	if s.typ == socket.SOCK_DGRAM {
		if a.Family == socket.AF_UNSPEC {
			s.mu.Lock()
			s.dpeer, s.hasPeer = nil, false
			s.mu.Unlock()
			return 0
		}
		t, e := s.p.lookup(a)
		if e != 0 {
			return e
		}
		if t.typ != s.typ {
			return errno.EPROTOTYPE
		}
		s.mu.Lock()
		s.dpeer, s.peerCred, s.hasPeer = t, t.cred, true
		s.mu.Unlock()
		return 0
	}
	s.mu.Lock()
	switch {
	case s.listening:
		s.mu.Unlock()
		return errno.EINVAL
	case s.end != nil:
		s.mu.Unlock()
		return errno.EISCONN
	}
	s.mu.Unlock()
	l, e := s.p.lookup(a)
	if e != 0 {
		return e
	}
	if l.typ != socket.SOCK_STREAM {
		return errno.EPROTOTYPE
	}
	l.mu.Lock()
	listening, lcred, laddr := l.listening, l.cred, l.local
	l.mu.Unlock()
	if !listening {
		return errno.ECONNREFUSED
	}
	srv := newSock(s.p, socket.SOCK_STREAM, lcred)
	srv.local = laddr
	ce, se := socket.NewConn(socket.DefaultBuffer, s.p.Budget, &s.q, &srv.q)
	s.mu.Lock()
	me := s.local
	s.mu.Unlock()
	srv.connect(se, me, s.cred)
	if e := l.enqueue(srv); e != 0 {
		return e // EAGAIN: the backlog is full; the kernel waits or says so
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.end != nil || s.closed {
		ce.Close()
		se.Close()
		return errno.EISCONN
	}
	s.end, s.peer, s.peerCred, s.hasPeer = ce, laddr, lcred, true
	s.q.Notify(waiter.EventOut)
	return 0
}

func (s *sock) Shutdown(how int) errno.Errno {
	if how < socket.SHUT_RD || how > socket.SHUT_RDWR {
		return errno.EINVAL
	}
	s.mu.Lock()
	end := s.end
	if s.typ == socket.SOCK_STREAM && end == nil {
		s.mu.Unlock()
		return errno.ENOTCONN
	}
	if how != socket.SHUT_WR {
		s.shutRd = true
	}
	if how != socket.SHUT_RD {
		s.shutWr = true
	}
	s.mu.Unlock()
	if end != nil {
		end.Shutdown(how)
	} else if how != socket.SHUT_WR {
		s.dq.Close(true)
	}
	s.q.Notify(waiter.AllEvents)
	return 0
}

func (s *sock) Send(bufs [][]byte, to *socket.Addr, ctl *socket.Control, flags int) (int, errno.Errno) {
	if ctl != nil && ctl.Cred == nil {
		if s.opts.Int(socket.SOL_SOCKET, socket.SO_PASSCRED) != 0 {
			c := s.cred
			ctl.Cred = &c
		}
	}
	if s.typ == socket.SOCK_STREAM {
		s.mu.Lock()
		end, shut := s.end, s.shutWr
		s.mu.Unlock()
		if end == nil {
			if to != nil {
				return 0, errno.EOPNOTSUPP
			}
			return 0, errno.ENOTCONN
		}
		if shut {
			return 0, errno.EPIPE
		}
		if to != nil {
			return 0, errno.EISCONN
		}
		return end.Send(bufs, ctl)
	}
	s.mu.Lock()
	dst, shut := s.dpeer, s.shutWr
	from := s.local
	s.mu.Unlock()
	if shut {
		return 0, errno.EPIPE
	}
	if to != nil {
		t, e := s.p.lookup(*to)
		if e != 0 {
			return 0, e
		}
		if t.typ != s.typ {
			return 0, errno.EPROTOTYPE
		}
		dst = t
	}
	if dst == nil {
		return 0, errno.ENOTCONN
	}
	n := 0
	for _, b := range bufs {
		n += len(b)
	}
	if n > socket.MaxBuffer {
		return 0, errno.EMSGSIZE
	}
	data := make([]byte, 0, n)
	for _, b := range bufs {
		data = append(data, b...)
	}
	m := socket.Datagram{Data: data, From: from}
	if ctl != nil {
		m.Ctl = *ctl
	}
	// A UNIX datagram is never dropped: a full receiver is EAGAIN, and a
	// blocking sender waits (sockcall.Send) until it has room.
	if e := dst.dq.Deliver(m); e != 0 {
		return 0, e
	}
	return n, 0
}

func (s *sock) Recv(bufs [][]byte, flags int) (int, int, socket.Addr, socket.Control, int, errno.Errno) {
	peek := flags&socket.MSG_PEEK != 0
	if s.typ == socket.SOCK_STREAM {
		s.mu.Lock()
		end, shut := s.end, s.shutRd
		s.mu.Unlock()
		if end == nil {
			return 0, 0, socket.Addr{}, socket.Control{}, 0, errno.EINVAL
		}
		if shut {
			return 0, 0, socket.Addr{}, socket.Control{}, 0, 0
		}
		n, ctl, e := end.Recv(bufs, peek)
		return n, n, socket.Addr{}, ctl, 0, e
	}
	n, full, from, ctl, e := s.dq.Receive(bufs, peek)
	out := 0
	if full > n {
		out |= socket.MSG_TRUNC
	}
	return n, full, from, ctl, out, e
}

func (s *sock) LocalAddr() socket.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.local
}

func (s *sock) PeerAddr() (socket.Addr, errno.Errno) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.typ == socket.SOCK_STREAM {
		if s.end == nil {
			return socket.Addr{}, errno.ENOTCONN
		}
		return s.peer, 0
	}
	if s.dpeer == nil {
		return socket.Addr{}, errno.ENOTCONN
	}
	return s.dpeer.LocalAddr(), 0
}

func (s *sock) Option(level, name int) ([]byte, errno.Errno) {
	if level == socket.SOL_SOCKET {
		switch name {
		case socket.SO_TYPE:
			return socket.Int32(int32(s.typ)), 0
		case socket.SO_DOMAIN:
			return socket.Int32(socket.AF_UNIX), 0
		case socket.SO_PROTOCOL:
			return socket.Int32(0), 0
		case socket.SO_ERROR:
			return socket.Int32(0), 0
		case socket.SO_ACCEPTCONN:
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.listening {
				return socket.Int32(1), 0
			}
			return socket.Int32(0), 0
		case socket.SO_PEERCRED:
			s.mu.Lock()
			c, ok := s.peerCred, s.hasPeer
			s.mu.Unlock()
			if !ok {
				c = socket.Cred{PID: 0, UID: ^uint32(0), GID: ^uint32(0)}
			}
			b := append(socket.Int32(c.PID), socket.Int32(int32(c.UID))...)
			return append(b, socket.Int32(int32(c.GID))...), 0
		}
	}
	if level != socket.SOL_SOCKET {
		return nil, errno.EOPNOTSUPP
	}
	return s.opts.Get(level, name)
}

func (s *sock) SetOption(level, name int, val []byte) errno.Errno {
	if level != socket.SOL_SOCKET {
		return errno.EOPNOTSUPP
	}
	switch name {
	case socket.SO_TYPE, socket.SO_DOMAIN, socket.SO_PROTOCOL, socket.SO_ERROR, socket.SO_ACCEPTCONN, socket.SO_PEERCRED:
		return errno.ENOPROTOOPT
	}
	if e := s.opts.Set(level, name, val); e != 0 {
		return e
	}
	if name == socket.SO_RCVBUF && s.dq != nil {
		b, _ := s.opts.Get(level, name)
		s.dq.SetLimit(int(int32(b[0]) | int32(b[1])<<8 | int32(b[2])<<16 | int32(b[3])<<24))
	}
	return 0
}

func (s *sock) Timeouts() (time.Duration, time.Duration) { return s.opts.Timeouts() }

// Read and Write are read(2) and write(2) on the socket.
func (s *sock) Read(b []byte) (int, errno.Errno) {
	n, _, _, ctl, _, e := s.Recv([][]byte{b}, 0)
	ctl.Release()
	return n, e
}

func (s *sock) Write(b []byte) (int, errno.Errno) { return s.Send([][]byte{b}, nil, nil, 0) }

func (s *sock) Stat() (vfs.Stat, errno.Errno) {
	return vfs.Stat{Mode: vfs.TypeSocket.ModeBits() | 0o777, Nlink: 1, Ino: s.ino}, 0
}

func (s *sock) Readiness(mask vfs.Events) vfs.Events {
	s.mu.Lock()
	listening, pending, end := s.listening, len(s.pending), s.end
	shutRd, shutWr := s.shutRd, s.shutWr
	dpeer := s.dpeer
	s.mu.Unlock()
	var ev vfs.Events
	switch {
	case s.typ == socket.SOCK_DGRAM:
		ev = s.dq.Readiness()
		if !shutWr && (dpeer == nil || !dpeer.dq.Full(1)) {
			ev |= vfs.EventOut
		}
		if shutRd && shutWr {
			ev |= vfs.EventHup
		}
	case listening:
		if pending > 0 {
			ev |= vfs.EventIn
		}
	case end != nil:
		ev = end.Readiness(waiter.AllEvents)
		if shutRd {
			ev |= vfs.EventIn | vfs.EventRdHup
		}
	default:
		// Unconnected stream: Linux reports EPOLLOUT and EPOLLHUP.
		ev = vfs.EventOut | vfs.EventHup
	}
	return ev & mask
}

func (s *sock) Close() errno.Errno {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return 0
	}
	s.closed = true
	key, end, pending := s.bindKey, s.end, s.pending
	s.pending = nil
	s.mu.Unlock()
	if key != nil {
		s.p.unbind(s, key)
	}
	if end != nil {
		end.Close()
	}
	for _, c := range pending {
		c.Close()
	}
	if s.dq != nil {
		s.dq.Close(false)
	}
	return 0
}

// InQueue implements socket.Queued (FIONREAD).
func (s *sock) InQueue() int {
	s.mu.Lock()
	end := s.end
	s.mu.Unlock()
	if end != nil {
		in, _ := end.Buffered()
		return in
	}
	if s.dq != nil {
		return s.dq.Next()
	}
	return 0
}
