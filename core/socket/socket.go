// Package socket is what every socket is to the rest of the LibOS: the
// Socket interface (a vfs.FileImpl with bind, listen, accept, connect,
// send and receive), the Provider of each address family and the Stack
// that maps families to providers, socket addresses as Linux encodes
// them, and the in-LibOS building blocks providers share: a connected
// byte-stream pair with descriptor passing (Conn) and a datagram queue.
//
// Socket implementations never block, as every FileImpl: they return
// EAGAIN (or EINPROGRESS from Connect) and the syscall layer waits on the
// socket's waiter queue, honouring O_NONBLOCK, MSG_DONTWAIT, SO_RCVTIMEO
// and signals.
//
// Lock order: a Conn's mu, then the waiter queues of its ends. A socket's
// own mu comes before its Conn's. No lock is held while a *vfs.File is
// released (a last reference may close another socket).
package socket

import (
	"time"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
)

// Cred is the credentials of a process (SO_PEERCRED, SCM_CREDENTIALS).
type Cred struct {
	PID      int32
	UID, GID uint32
}

// Control is the ancillary data of a message: descriptions passed with
// SCM_RIGHTS (each holding a reference owned by the Control) and
// credentials.
type Control struct {
	Rights []*vfs.File
	Cred   *Cred
}

// Release drops the references c holds.
func (c *Control) Release() {
	for _, f := range c.Rights {
		f.DecRef()
	}
	c.Rights = nil
}

// Socket is one socket. Every method is safe for concurrent use.
type Socket interface {
	vfs.FileImpl
	vfs.Waitable

	// Family, Type and Protocol are socket(2)'s arguments (Type without
	// flags; Protocol resolved from 0).
	Family() int
	Type() int
	Protocol() int

	// Bind gives the socket a local address.
	//
	// # Errors
	//   - EINVAL: already bound; EADDRINUSE; EADDRNOTAVAIL; EACCES.
	Bind(a Addr) errno.Errno

	// Listen makes a stream socket accept connections (backlog already
	// clamped to [0, SOMAXCONN]).
	//
	// # Errors
	//   - EOPNOTSUPP: not a stream socket; EINVAL: connected.
	Listen(backlog int) errno.Errno

	// Accept takes the next pending connection.
	//
	// # Errors
	//   - EAGAIN: none is pending; EINVAL: not listening.
	Accept() (Socket, errno.Errno)

	// Connect starts connecting to a (a datagram socket only sets its
	// default peer; AF_UNSPEC dissolves it).
	//
	// # Errors
	//   - EINPROGRESS: the connection completes later: readiness reports
	//     EventOut (or EventErr), and SO_ERROR gives the result.
	//   - EALREADY: a connect is in progress; EISCONN; ECONNREFUSED;
	//     ENOENT (UNIX path); EACCES (network policy).
	Connect(a Addr) errno.Errno

	// Shutdown shuts down reception, transmission or both (SHUT_*).
	//
	// # Errors
	//   - ENOTCONN: not connected; EINVAL: how is out of range.
	Shutdown(how int) errno.Errno

	// Send sends from bufs to to (nil: the peer) with ctl. It takes the
	// references in ctl only when it returns a count > 0 or no error.
	//
	// # Errors
	//   - EAGAIN: no room; EPIPE: cannot send any more (the caller raises
	//     SIGPIPE unless MSG_NOSIGNAL); ENOTCONN; EDESTADDRREQ; EMSGSIZE;
	//     EISCONN (a destination on a connected stream).
	Send(bufs [][]byte, to *Addr, ctl *Control, flags int) (int, errno.Errno)

	// Recv receives into bufs. It returns the bytes stored, the message's
	// real length (larger than n for a truncated datagram), the sender,
	// control data (whose references now belong to the caller) and the
	// MSG_TRUNC/MSG_CTRUNC flags. End of stream is (0, 0, …, 0).
	//
	// # Errors
	//   - EAGAIN: nothing to receive; ENOTCONN; ECONNRESET.
	Recv(bufs [][]byte, flags int) (n, full int, from Addr, ctl Control, outFlags int, e errno.Errno)

	// LocalAddr and PeerAddr are getsockname and getpeername.
	//
	// # Errors
	//   - ENOTCONN (PeerAddr): not connected.
	LocalAddr() Addr
	PeerAddr() (Addr, errno.Errno)

	// Option returns the value of an option, encoded as Linux does (an
	// int as 4 bytes); SetOption changes one.
	//
	// # Errors
	//   - ENOPROTOOPT: unknown option; EINVAL: a value too short.
	Option(level, name int) ([]byte, errno.Errno)
	SetOption(level, name int, val []byte) errno.Errno

	// Timeouts returns SO_RCVTIMEO and SO_SNDTIMEO (0: none).
	Timeouts() (recv, send time.Duration)
}

// Queued is implemented by sockets that can say how many bytes a read
// would return now (FIONREAD: a stream's buffered bytes, a datagram
// socket's next message).
type Queued interface {
	InQueue() int
}

// Provider makes the sockets of one or more address families.
type Provider interface {
	// Socket returns a new socket. typ has no flags; protocol may be 0.
	//
	// # Errors
	//   - EPROTONOSUPPORT: protocol does not fit typ, or the family has
	//     no such type; EINVAL: an unknown type.
	Socket(family, typ, protocol int, cred Cred) (Socket, errno.Errno)
	// Pair returns two connected sockets (socketpair).
	//
	// # Errors
	//   - EOPNOTSUPP: the family has no pairs.
	Pair(family, typ, protocol int, cred Cred) (Socket, Socket, errno.Errno)
}

// Stack maps address families to their providers. The composition root
// builds it; it is read-only afterwards.
type Stack struct {
	providers map[int]Provider
}

// NewStack returns an empty stack.
func NewStack() *Stack { return &Stack{providers: map[int]Provider{}} }

// Register makes p the provider of families.
func (s *Stack) Register(p Provider, families ...int) {
	for _, f := range families {
		s.providers[f] = p
	}
}

// Provider returns the provider of family.
//
// # Errors
//   - EAFNOSUPPORT: no provider.
func (s *Stack) Provider(family int) (Provider, errno.Errno) {
	if s == nil {
		return nil, errno.EAFNOSUPPORT
	}
	p, ok := s.providers[family]
	if !ok {
		return nil, errno.EAFNOSUPPORT
	}
	return p, 0
}

// Of returns f's socket.
//
// # Errors
//   - ENOTSOCK: f is not a socket.
func Of(f *vfs.File) (Socket, errno.Errno) {
	if s, ok := f.Impl().(Socket); ok {
		return s, 0
	}
	return nil, errno.ENOTSOCK
}
