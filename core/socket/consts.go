package socket

// Address families, socket types and flags (Linux values).
const (
	AF_UNSPEC = 0
	AF_UNIX   = 1
	AF_INET   = 2
	AF_INET6  = 10

	SOCK_STREAM    = 1
	SOCK_DGRAM     = 2
	SOCK_RAW       = 3
	SOCK_SEQPACKET = 5
	SOCK_NONBLOCK  = 0x800
	SOCK_CLOEXEC   = 0x80000
	// TypeMask selects the type from socket(2)'s type argument.
	TypeMask = 0xf

	IPPROTO_IP   = 0
	IPPROTO_TCP  = 6
	IPPROTO_UDP  = 17
	IPPROTO_IPV6 = 41

	SHUT_RD   = 0
	SHUT_WR   = 1
	SHUT_RDWR = 2
)

// Message flags (Linux values).
const (
	MSG_OOB          = 0x1
	MSG_PEEK         = 0x2
	MSG_CTRUNC       = 0x8
	MSG_TRUNC        = 0x20
	MSG_DONTWAIT     = 0x40
	MSG_EOR          = 0x80
	MSG_WAITALL      = 0x100
	MSG_NOSIGNAL     = 0x4000
	MSG_CMSG_CLOEXEC = 0x40000000
)

// Option levels and names (Linux values).
const (
	SOL_SOCKET = 1

	SO_DEBUG      = 1
	SO_REUSEADDR  = 2
	SO_TYPE       = 3
	SO_ERROR      = 4
	SO_DONTROUTE  = 5
	SO_BROADCAST  = 6
	SO_SNDBUF     = 7
	SO_RCVBUF     = 8
	SO_KEEPALIVE  = 9
	SO_OOBINLINE  = 10
	SO_LINGER     = 13
	SO_REUSEPORT  = 15
	SO_PASSCRED   = 16
	SO_PEERCRED   = 17
	SO_RCVLOWAT   = 18
	SO_SNDLOWAT   = 19
	SO_RCVTIMEO   = 20
	SO_SNDTIMEO   = 21
	SO_ACCEPTCONN = 30
	SO_PROTOCOL   = 38
	SO_DOMAIN     = 39

	TCP_NODELAY   = 1
	TCP_MAXSEG    = 2
	TCP_CORK      = 3
	TCP_KEEPIDLE  = 4
	TCP_KEEPINTVL = 5
	TCP_KEEPCNT   = 6
	TCP_QUICKACK  = 12

	IP_TOS      = 1
	IP_TTL      = 2
	IPV6_V6ONLY = 26

	SCM_RIGHTS      = 1
	SCM_CREDENTIALS = 2
)

// Limits.
const (
	// SOMAXCONN caps a listen backlog, as Linux's net.core.somaxconn.
	SOMAXCONN = 4096
	// MaxRightsPerMessage is Linux's SCM_MAX_FD.
	MaxRightsPerMessage = 253
	// DefaultBuffer is the default send and receive buffer, in bytes.
	DefaultBuffer = 212992
	// MinBuffer and MaxBuffer bound SO_SNDBUF and SO_RCVBUF.
	MinBuffer = 4608
	MaxBuffer = 4 << 20
)
