package inet

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/socket"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/core/waiter"
)

var inoCounter atomic.Uint64

// TCP socket states.
const (
	stIdle = iota
	stBound
	stListening
	stConnecting
	stConnected
)

// tcpSock is one TCP socket.
type tcpSock struct {
	vfs.UnimplementedFile
	p      *Provider
	family int
	cred   socket.Cred
	ino    uint64
	opts   socket.Options
	q      waiter.Queue

	mu     sync.Mutex
	room   sync.Cond // a pending connection was taken, or the socket closed
	state  int
	closed bool
	local  netip.AddrPort
	hostFD int    // the host socket holding a bound port; -1
	eport  uint16 // an ephemeral port to give back to the provider
	soErr  errno.Errno

	// listening
	ln      *net.TCPListener
	backlog int
	pending []*tcpSock

	// connecting and connected
	cancel context.CancelFunc
	// inProgress: a connect reported EINPROGRESS and no later connect
	// has reported its completion (Linux answers that one 0).
	inProgress bool
	end        *socket.End
	peer       netip.AddrPort
	host       *net.TCPConn
	shutRd     bool
	shutWr     bool
}

var _ socket.Socket = (*tcpSock)(nil)

func newTCP(p *Provider, family int, cred socket.Cred) *tcpSock {
	s := &tcpSock{p: p, family: family, cred: cred, ino: inoCounter.Add(1), hostFD: -1}
	s.room.L = &s.mu
	return s
}

func (s *tcpSock) Family() int   { return s.family }
func (s *tcpSock) Type() int     { return socket.SOCK_STREAM }
func (s *tcpSock) Protocol() int { return socket.IPPROTO_TCP }

func (s *tcpSock) EventRegister(e *waiter.Entry)   { s.q.Register(e) }
func (s *tcpSock) EventUnregister(e *waiter.Entry) { s.q.Unregister(e) }

func (s *tcpSock) boundIP() netip.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.local.Addr()
}

func (s *tcpSock) v6only() bool { return s.opts.Int(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY) != 0 }

func (s *tcpSock) hostOpts() hostOpts {
	return hostOpts{
		reuseAddr: s.opts.Int(socket.SOL_SOCKET, socket.SO_REUSEADDR) != 0,
		reusePort: s.opts.Int(socket.SOL_SOCKET, socket.SO_REUSEPORT) != 0,
		v6only:    s.v6only(),
	}
}

func (s *tcpSock) Bind(a socket.Addr) errno.Errno {
	ap := a.AddrPort()
	if s.family == socket.AF_INET6 && s.v6only() && ap.Addr().Is4In6() {
		return errno.EINVAL
	}
	if ap.Port() != 0 { // a port the host picks is checked at listen
		if e := s.p.allowListen(ap); e != 0 {
			return e
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != stIdle || s.closed {
		return errno.EINVAL
	}
	fd, got, e := hostBind(s.family, syscall.SOCK_STREAM, ap, s.hostOpts())
	if e != 0 {
		return e
	}
	s.hostFD, s.local, s.state = fd, netip.AddrPortFrom(ap.Addr(), got.Port()), stBound
	return 0
}

func (s *tcpSock) Listen(backlog int) errno.Errno {
	s.mu.Lock()
	switch s.state {
	case stListening:
		s.backlog = backlog
		s.mu.Unlock()
		return 0
	case stConnecting, stConnected:
		s.mu.Unlock()
		return errno.EINVAL
	case stIdle:
		s.mu.Unlock()
		if e := s.Bind(socket.Addr{Family: uint16(s.family), IP: unspecified(s.family)}); e != 0 {
			return e
		}
		s.mu.Lock()
	}
	if s.closed || s.state != stBound {
		s.mu.Unlock()
		return errno.EINVAL
	}
	if e := s.p.allowListen(s.local); e != 0 {
		s.mu.Unlock()
		return e
	}
	ln, e := hostListen(s.hostFD, backlog)
	s.hostFD = -1
	if e != 0 {
		s.state = stIdle
		s.mu.Unlock()
		return e
	}
	s.ln, s.backlog, s.state = ln, backlog, stListening
	port := s.local.Port()
	s.mu.Unlock()
	s.p.addListener(s, port)
	go s.acceptLoop(ln)
	return 0
}

// acceptLoop moves host connections into the pending queue, waiting
// while it is full (the host's backlog holds the rest).
func (s *tcpSock) acceptLoop(ln *net.TCPListener) {
	for {
		c, err := ln.AcceptTCP()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// EMFILE and the like on the host: back off, as servers do.
			time.Sleep(10 * time.Millisecond)
			continue
		}
		srv := newTCP(s.p, s.family, s.cred)
		srv.attachHost(c)
		if !s.enqueue(srv, true) {
			srv.Close()
			return
		}
	}
}

// enqueue adds a new connection to the pending queue. With wait, it
// waits while the queue holds more than the backlog; without, a full
// queue (past SOMAXCONN) refuses it. It reports false when the listener
// is gone.
func (s *tcpSock) enqueue(c *tcpSock, wait bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for wait && !s.closed && s.state == stListening && len(s.pending) > s.backlog {
		s.room.Wait()
	}
	if s.closed || s.state != stListening || len(s.pending) >= socket.SOMAXCONN {
		return false
	}
	s.pending = append(s.pending, c)
	s.q.Notify(waiter.EventIn)
	return true
}

// enqueueJoin adds a connection joined inside the LibOS. A listener
// whose queue holds more than its backlog refuses it for now (EAGAIN: a
// blocking connect retries, as the original's SYN would be resent), so
// that guests cannot pile up buffered connections nobody accepts.
func (s *tcpSock) enqueueJoin(c *tcpSock) errno.Errno {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed || s.state != stListening:
		return errno.ECONNREFUSED
	case len(s.pending) > s.backlog:
		return errno.EAGAIN
	}
	s.pending = append(s.pending, c)
	s.q.Notify(waiter.EventIn)
	return 0
}

func (s *tcpSock) Accept() (socket.Socket, errno.Errno) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != stListening {
		return nil, errno.EINVAL
	}
	if len(s.pending) == 0 {
		return nil, errno.EAGAIN
	}
	c := s.pending[0]
	s.pending[0] = nil
	s.pending = s.pending[1:]
	s.room.Signal()
	return c, 0
}

func (s *tcpSock) Connect(a socket.Addr) errno.Errno {
	dst := a.AddrPort()
	s.mu.Lock()
	switch {
	case s.closed:
		s.mu.Unlock()
		return errno.EBADF
	case s.state == stConnecting:
		s.mu.Unlock()
		return errno.EALREADY
	case s.state == stConnected && s.inProgress:
		s.inProgress = false
		s.mu.Unlock()
		return 0
	case s.state == stConnected || s.state == stListening:
		s.mu.Unlock()
		return errno.EISCONN
	}
	s.soErr = 0
	s.mu.Unlock()
	if s.family == socket.AF_INET6 && s.v6only() && dst.Addr().Is4In6() {
		return errno.ENETUNREACH
	}
	if local(dst.Addr()) {
		ldst := netip.AddrPortFrom(loopbackFor(dst.Addr()), dst.Port())
		if l := s.p.listener(ldst); l != nil {
			return s.join(l, ldst)
		}
	}
	if e := s.p.allowConnect(dst); e != 0 {
		return e
	}
	return s.dial(dst)
}

// join connects s to the LibOS listener l inside the LibOS. Like a
// loopback connection on Linux it completes at once, but reports
// EINPROGRESS, which a non-blocking caller sees exactly as on Linux.
func (s *tcpSock) join(l *tcpSock, dst netip.AddrPort) errno.Errno {
	s.mu.Lock()
	me := s.local
	prevState, prevLocal := s.state, s.local
	if s.state == stIdle {
		port, e := s.p.allocEphemeral()
		if e != 0 {
			s.mu.Unlock()
			return e
		}
		s.eport = port
		ip := dst.Addr()
		if s.family == socket.AF_INET6 && ip.Is4() {
			ip = netip.AddrFrom16(ip.As16())
		}
		me = netip.AddrPortFrom(ip, port)
	} else if me.Addr().IsUnspecified() {
		me = netip.AddrPortFrom(dst.Addr(), me.Port())
	}
	s.mu.Unlock()
	srv := newTCP(s.p, l.family, l.cred)
	srv.local = dst
	ce, se := socket.NewConn(socket.DefaultBuffer, s.p.Budget, &s.q, &srv.q)
	ce.SetTCP()
	srv.end, srv.peer, srv.state = se, me, stConnected
	s.mu.Lock()
	if s.closed || s.state == stConnected || s.state == stConnecting {
		s.mu.Unlock()
		ce.Close()
		se.Close()
		return errno.EISCONN
	}
	s.end, s.peer, s.local, s.state, s.inProgress = ce, dst, me, stConnected, true
	s.mu.Unlock()
	if e := l.enqueueJoin(srv); e != 0 {
		s.mu.Lock()
		s.end, s.state, s.inProgress, s.local = nil, prevState, false, prevLocal
		if s.eport != 0 {
			s.p.freeEphemeral(s.eport)
			s.eport = 0
		}
		s.mu.Unlock()
		ce.Close()
		se.Close()
		return e
	}
	s.q.Notify(waiter.EventOut)
	return errno.EINPROGRESS
}

// dial connects s through the host, in the background.
func (s *tcpSock) dial(dst netip.AddrPort) errno.Errno {
	ctx, cancel := context.WithCancel(context.Background())
	s.mu.Lock()
	if s.state == stConnecting || s.state == stConnected || s.closed {
		s.mu.Unlock()
		cancel()
		return errno.EALREADY
	}
	d := &net.Dialer{}
	if s.state == stBound {
		// The reservation gives way to the connection from the same port.
		syscall.Close(s.hostFD)
		s.hostFD = -1
		d.LocalAddr = net.TCPAddrFromAddrPort(s.local)
		d.Control = func(_, _ string, c syscall.RawConn) error {
			return c.Control(func(fd uintptr) {
				syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1)
			})
		}
	}
	s.state, s.cancel, s.inProgress = stConnecting, cancel, true
	s.mu.Unlock()
	network := "tcp4"
	if s.family == socket.AF_INET6 {
		network = "tcp6"
		if dst.Addr().Is4In6() {
			network = "tcp"
		}
	}
	go func() {
		c, err := d.DialContext(ctx, network, dst.String())
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			if c != nil {
				c.Close()
			}
			return
		}
		if err != nil {
			s.state, s.soErr, s.inProgress = stIdle, hostErrno(err), false
			if s.soErr == 0 || s.soErr == errno.EIO {
				s.soErr = errno.ECONNREFUSED
			}
			s.mu.Unlock()
			s.q.Notify(waiter.AllEvents)
			return
		}
		s.mu.Unlock()
		s.attachHost(c.(*net.TCPConn))
		s.q.Notify(waiter.EventOut)
	}()
	return errno.EINPROGRESS
}

// attachHost makes s a connected socket over the host connection c.
func (s *tcpSock) attachHost(c *net.TCPConn) {
	hq := new(waiter.Queue)
	ge, he := socket.NewConn(socket.DefaultBuffer, s.p.Budget, &s.q, hq)
	s.mu.Lock()
	s.host, s.end, s.state = c, ge, stConnected
	s.local, s.peer = netAddrPort(c.LocalAddr()), netAddrPort(c.RemoteAddr())
	s.mu.Unlock()
	startPumps(c, he, hq)
}

func (s *tcpSock) Shutdown(how int) errno.Errno {
	if how < socket.SHUT_RD || how > socket.SHUT_RDWR {
		return errno.EINVAL
	}
	s.mu.Lock()
	end := s.end
	// Linux records the shutdown even when it answers ENOTCONN.
	if how != socket.SHUT_WR {
		s.shutRd = true
	}
	if how != socket.SHUT_RD {
		s.shutWr = true
	}
	s.mu.Unlock()
	if end == nil {
		return errno.ENOTCONN
	}
	end.Shutdown(how)
	return 0
}

func (s *tcpSock) Send(bufs [][]byte, to *socket.Addr, ctl *socket.Control, flags int) (int, errno.Errno) {
	s.mu.Lock()
	end, state, shut := s.end, s.state, s.shutWr
	s.mu.Unlock()
	if state != stConnected || end == nil {
		return 0, errno.EPIPE // Linux: EPIPE on a never-connected socket
	}
	if shut {
		return 0, errno.EPIPE
	}
	if ctl != nil && (len(ctl.Rights) > 0 || ctl.Cred != nil) {
		return 0, errno.EINVAL
	}
	return end.Send(bufs, nil)
}

func (s *tcpSock) Recv(bufs [][]byte, flags int) (int, int, socket.Addr, socket.Control, int, errno.Errno) {
	s.mu.Lock()
	end, shut := s.end, s.shutRd
	s.mu.Unlock()
	if end == nil {
		if shut {
			return 0, 0, socket.Addr{}, socket.Control{}, 0, 0
		}
		return 0, 0, socket.Addr{}, socket.Control{}, 0, errno.ENOTCONN
	}
	n, ctl, e := end.Recv(bufs, flags&socket.MSG_PEEK != 0)
	ctl.Release()
	if e == errno.EAGAIN && shut {
		return 0, 0, socket.Addr{}, socket.Control{}, 0, 0
	}
	return n, n, socket.Addr{}, socket.Control{}, 0, e
}

func (s *tcpSock) LocalAddr() socket.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.local.IsValid() {
		return addrOut(s.family, netip.AddrPortFrom(unspecified(s.family), 0))
	}
	return addrOut(s.family, s.local)
}

func (s *tcpSock) PeerAddr() (socket.Addr, errno.Errno) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != stConnected {
		return socket.Addr{}, errno.ENOTCONN
	}
	return addrOut(s.family, s.peer), 0
}

func (s *tcpSock) Option(level, name int) ([]byte, errno.Errno) {
	if level == socket.SOL_SOCKET {
		switch name {
		case socket.SO_TYPE:
			return socket.Int32(socket.SOCK_STREAM), 0
		case socket.SO_DOMAIN:
			return socket.Int32(int32(s.family)), 0
		case socket.SO_PROTOCOL:
			return socket.Int32(socket.IPPROTO_TCP), 0
		case socket.SO_ERROR:
			s.mu.Lock()
			e := s.soErr
			s.soErr = 0
			s.mu.Unlock()
			return socket.Int32(int32(e)), 0
		case socket.SO_ACCEPTCONN:
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.state == stListening {
				return socket.Int32(1), 0
			}
			return socket.Int32(0), 0
		case socket.SO_PEERCRED:
			return nil, errno.ENOPROTOOPT
		}
	}
	if level == socket.IPPROTO_IPV6 && s.family != socket.AF_INET6 {
		return nil, errno.EOPNOTSUPP
	}
	return s.opts.Get(level, name)
}

func (s *tcpSock) SetOption(level, name int, val []byte) errno.Errno {
	switch {
	case level == socket.SOL_SOCKET && (name == socket.SO_TYPE || name == socket.SO_DOMAIN || name == socket.SO_PROTOCOL ||
		name == socket.SO_ERROR || name == socket.SO_ACCEPTCONN || name == socket.SO_PEERCRED):
		return errno.ENOPROTOOPT
	case level == socket.IPPROTO_IPV6 && s.family != socket.AF_INET6:
		return errno.ENOPROTOOPT
	case level == socket.IPPROTO_IPV6 && name == socket.IPV6_V6ONLY:
		s.mu.Lock()
		st := s.state
		s.mu.Unlock()
		if st != stIdle {
			return errno.EINVAL
		}
	}
	if e := s.opts.Set(level, name, val); e != 0 {
		return e
	}
	s.mu.Lock()
	host := s.host
	s.mu.Unlock()
	if host != nil && level == socket.IPPROTO_TCP && name == socket.TCP_NODELAY {
		host.SetNoDelay(s.opts.Int(level, name) != 0)
	}
	return 0
}

func (s *tcpSock) Timeouts() (time.Duration, time.Duration) { return s.opts.Timeouts() }

func (s *tcpSock) Read(b []byte) (int, errno.Errno) {
	n, _, _, _, _, e := s.Recv([][]byte{b}, 0)
	return n, e
}

func (s *tcpSock) Write(b []byte) (int, errno.Errno) {
	return s.Send([][]byte{b}, nil, nil, 0)
}

func (s *tcpSock) Stat() (vfs.Stat, errno.Errno) {
	return vfs.Stat{Mode: vfs.TypeSocket.ModeBits() | 0o777, Nlink: 1, Ino: s.ino}, 0
}

func (s *tcpSock) Readiness(mask vfs.Events) vfs.Events {
	s.mu.Lock()
	state, pending, end, soErr, shutRd := s.state, len(s.pending), s.end, s.soErr, s.shutRd
	s.mu.Unlock()
	var ev vfs.Events
	switch state {
	case stListening:
		if pending > 0 {
			ev |= vfs.EventIn
		}
	case stConnected:
		ev = end.Readiness(waiter.AllEvents)
		if shutRd {
			ev |= vfs.EventIn | vfs.EventRdHup
		}
	case stConnecting:
	default:
		// Never connected (or a connect failed): Linux reports
		// EPOLLOUT|EPOLLHUP, and EPOLLERR while an error is pending.
		ev = vfs.EventOut | vfs.EventHup
	}
	if soErr != 0 {
		ev |= vfs.EventErr
	}
	return ev & mask
}

func (s *tcpSock) Close() errno.Errno {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return 0
	}
	s.closed = true
	state, ln, end, pending, cancel, fd, eport := s.state, s.ln, s.end, s.pending, s.cancel, s.hostFD, s.eport
	port := s.local.Port()
	s.pending, s.hostFD = nil, -1
	s.room.Broadcast()
	s.mu.Unlock()
	if state == stListening {
		s.p.removeListener(s, port)
		ln.Close()
	}
	if fd >= 0 {
		syscall.Close(fd)
	}
	if cancel != nil {
		cancel()
	}
	if end != nil {
		end.Close()
	}
	for _, c := range pending {
		c.Close()
	}
	if eport != 0 {
		s.p.freeEphemeral(eport)
	}
	return 0
}

// InQueue implements socket.Queued (FIONREAD).
func (s *tcpSock) InQueue() int {
	s.mu.Lock()
	end := s.end
	s.mu.Unlock()
	if end == nil {
		return 0
	}
	in, _ := end.Buffered()
	return in
}
