package socket

import (
	"encoding/binary"
	"sync"
	"time"

	"github.com/occlumgo/occlum/core/errno"
)

// SizeofTimeval is the guest's struct timeval: two 64-bit fields on
// wasm32 (wasi-libc's time_t and suseconds_t are long long).
const SizeofTimeval = 16

// Options holds the socket options every socket type stores the same way
// (SOL_SOCKET flags, buffer sizes, timeouts, linger and the TCP and IPv6
// flags a LibOS socket only records). A socket answers its own options
// (SO_TYPE, SO_ERROR, SO_PEERCRED, ...) and passes the rest here.
type Options struct {
	mu       sync.Mutex
	flags    map[[2]int]int32 // boolean and integer options by (level, name)
	rcvtimeo time.Duration
	sndtimeo time.Duration
	linger   [2]int32
}

// Int returns an integer option's value (false/0 when never set).
func (o *Options) Int(level, name int) int32 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.flags[[2]int{level, name}]
}

// Timeouts returns SO_RCVTIMEO and SO_SNDTIMEO.
func (o *Options) Timeouts() (time.Duration, time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.rcvtimeo, o.sndtimeo
}

// intOption lists the integer and boolean options stored as they are;
// the bool ones read back as 0 or 1.
var intOption = map[[2]int]bool{ // value: boolean
	{SOL_SOCKET, SO_DEBUG}: true, {SOL_SOCKET, SO_REUSEADDR}: true, {SOL_SOCKET, SO_DONTROUTE}: true,
	{SOL_SOCKET, SO_BROADCAST}: true, {SOL_SOCKET, SO_KEEPALIVE}: true, {SOL_SOCKET, SO_OOBINLINE}: true,
	{SOL_SOCKET, SO_REUSEPORT}: true, {SOL_SOCKET, SO_PASSCRED}: true,
	{SOL_SOCKET, SO_RCVLOWAT}: false, {SOL_SOCKET, SO_SNDLOWAT}: false,
	{IPPROTO_TCP, TCP_NODELAY}: true, {IPPROTO_TCP, TCP_CORK}: true, {IPPROTO_TCP, TCP_QUICKACK}: true,
	{IPPROTO_TCP, TCP_KEEPIDLE}: false, {IPPROTO_TCP, TCP_KEEPINTVL}: false, {IPPROTO_TCP, TCP_KEEPCNT}: false,
	{IPPROTO_TCP, TCP_MAXSEG}: false,
	{IPPROTO_IP, IP_TOS}:      false, {IPPROTO_IP, IP_TTL}: false,
	{IPPROTO_IPV6, IPV6_V6ONLY}: true,
}

// defaults are the values of options never set, as Linux reports them.
var defaults = map[[2]int]int32{
	{SOL_SOCKET, SO_SNDBUF}: DefaultBuffer, {SOL_SOCKET, SO_RCVBUF}: DefaultBuffer,
	{SOL_SOCKET, SO_RCVLOWAT}: 1, {SOL_SOCKET, SO_SNDLOWAT}: 1,
	{IPPROTO_TCP, TCP_KEEPIDLE}: 7200, {IPPROTO_TCP, TCP_KEEPINTVL}: 75, {IPPROTO_TCP, TCP_KEEPCNT}: 9,
	{IPPROTO_TCP, TCP_MAXSEG}: 536, {IPPROTO_IP, IP_TTL}: 64,
}

// Get returns the option's value as Linux encodes it.
//
// # Errors
//   - ENOPROTOOPT: not an option this LibOS knows.
func (o *Options) Get(level, name int) ([]byte, errno.Errno) {
	o.mu.Lock()
	defer o.mu.Unlock()
	k := [2]int{level, name}
	switch {
	case k == [2]int{SOL_SOCKET, SO_RCVTIMEO} || k == [2]int{SOL_SOCKET, SO_SNDTIMEO}:
		d := o.rcvtimeo
		if name == SO_SNDTIMEO {
			d = o.sndtimeo
		}
		b := make([]byte, SizeofTimeval)
		binary.LittleEndian.PutUint64(b, uint64(d/time.Second))
		binary.LittleEndian.PutUint64(b[8:], uint64(d%time.Second/time.Microsecond))
		return b, 0
	case k == [2]int{SOL_SOCKET, SO_LINGER}:
		b := make([]byte, 8)
		binary.LittleEndian.PutUint32(b, uint32(o.linger[0]))
		binary.LittleEndian.PutUint32(b[4:], uint32(o.linger[1]))
		return b, 0
	case k == [2]int{SOL_SOCKET, SO_SNDBUF} || k == [2]int{SOL_SOCKET, SO_RCVBUF}:
		return i32(o.value(k)), 0
	}
	if _, ok := intOption[k]; ok {
		return i32(o.value(k)), 0
	}
	return nil, errno.ENOPROTOOPT
}

func (o *Options) value(k [2]int) int32 {
	if v, ok := o.flags[k]; ok {
		return v
	}
	return defaults[k]
}

// Set changes an option. Integer options need at least 4 bytes (Linux
// reads an int); SO_RCVTIMEO and SO_SNDTIMEO a struct timeval; SO_LINGER
// a struct linger.
//
// # Errors
//   - EINVAL: the value is too short, or a timeval out of range.
//   - EDOM: a timeval's microseconds are out of range.
//   - ENOPROTOOPT: not an option this LibOS knows.
func (o *Options) Set(level, name int, val []byte) errno.Errno {
	o.mu.Lock()
	defer o.mu.Unlock()
	k := [2]int{level, name}
	switch {
	case k == [2]int{SOL_SOCKET, SO_RCVTIMEO} || k == [2]int{SOL_SOCKET, SO_SNDTIMEO}:
		if len(val) < SizeofTimeval {
			return errno.EINVAL
		}
		sec, usec := int64(binary.LittleEndian.Uint64(val)), int64(binary.LittleEndian.Uint64(val[8:]))
		if usec < 0 || usec >= 1000000 {
			return errno.EDOM
		}
		var d time.Duration
		if sec > 0 {
			if sec > int64(1<<62/time.Second) {
				sec = int64(1 << 62 / time.Second)
			}
			d = time.Duration(sec)*time.Second + time.Duration(usec)*time.Microsecond
		}
		if name == SO_RCVTIMEO {
			o.rcvtimeo = d
		} else {
			o.sndtimeo = d
		}
		return 0
	case k == [2]int{SOL_SOCKET, SO_LINGER}:
		if len(val) < 8 {
			return errno.EINVAL
		}
		o.linger = [2]int32{int32(binary.LittleEndian.Uint32(val)), int32(binary.LittleEndian.Uint32(val[4:]))}
		if o.linger[0] != 0 {
			o.linger[0] = 1
		}
		return 0
	case k == [2]int{SOL_SOCKET, SO_SNDBUF} || k == [2]int{SOL_SOCKET, SO_RCVBUF}:
		if len(val) < 4 {
			return errno.EINVAL
		}
		// Linux doubles the value for bookkeeping and reports the double.
		v := int64(int32(binary.LittleEndian.Uint32(val))) * 2
		v = max(MinBuffer, min(v, MaxBuffer))
		o.set(k, int32(v))
		return 0
	}
	boolean, ok := intOption[k]
	if !ok {
		return errno.ENOPROTOOPT
	}
	if len(val) < 4 {
		return errno.EINVAL
	}
	v := int32(binary.LittleEndian.Uint32(val))
	if boolean && v != 0 {
		v = 1
	}
	if !boolean && v < 0 {
		return errno.EINVAL
	}
	o.set(k, v)
	return 0
}

func (o *Options) set(k [2]int, v int32) {
	if o.flags == nil {
		o.flags = map[[2]int]int32{}
	}
	o.flags[k] = v
}

// i32 encodes an int option.
func i32(v int32) []byte {
	b := make([]byte, 4)
	binary.LittleEndian.PutUint32(b, uint32(v))
	return b
}

// Int32 encodes an int option value, for sockets' own options.
func Int32(v int32) []byte { return i32(v) }
