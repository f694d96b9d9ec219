package inet

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"io"
	"net"
	"net/netip"
	"syscall"
	"testing"
	"time"

	"github.com/occlumgo/occlum/core/epoll"
	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/socket"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/core/waiter"
)

var loop4 = netip.MustParseAddr("127.0.0.1")

// waitFor waits until s reports one of mask.
func waitFor(t *testing.T, s socket.Socket, mask vfs.Events) vfs.Events {
	t.Helper()
	ch := make(chan struct{}, 1)
	e := waiter.NewChannelEntry(mask, ch)
	s.EventRegister(e)
	defer s.EventUnregister(e)
	deadline := time.After(10 * time.Second)
	for {
		if r := s.Readiness(mask); r != 0 {
			return r
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("%#x never ready", mask)
		}
	}
}

func listener(t *testing.T, p *Provider) (socket.Socket, uint16) {
	t.Helper()
	l, e := p.Socket(socket.AF_INET, socket.SOCK_STREAM, 0, socket.Cred{})
	if e != 0 {
		t.Fatal(e)
	}
	if e := l.Bind(socket.Addr{Family: socket.AF_INET, IP: loop4}); e != 0 {
		t.Fatal(e)
	}
	if e := l.Listen(16); e != 0 {
		t.Fatal(e)
	}
	return l, l.LocalAddr().Port
}

func accept(t *testing.T, l socket.Socket) socket.Socket {
	t.Helper()
	for {
		c, e := l.Accept()
		if e == 0 {
			return c
		}
		if e != errno.EAGAIN {
			t.Fatal(e)
		}
		waitFor(t, l, vfs.EventIn)
	}
}

// sendAll and recvAll move bytes through a socket, waiting as a blocking
// call would.
func sendAll(t *testing.T, s socket.Socket, b []byte) {
	t.Helper()
	for len(b) > 0 {
		n, e := s.Send([][]byte{b}, nil, nil, 0)
		b = b[n:]
		if e == errno.EAGAIN {
			waitFor(t, s, vfs.EventOut)
		} else if e != 0 {
			t.Fatal(e)
		}
	}
}

func recvAll(t *testing.T, s socket.Socket) ([]byte, errno.Errno) {
	t.Helper()
	var out []byte
	buf := make([]byte, 32<<10)
	for {
		n, _, _, _, _, e := s.Recv([][]byte{buf}, 0)
		out = append(out, buf[:n]...)
		switch {
		case e == errno.EAGAIN:
			waitFor(t, s, vfs.EventIn)
		case e != 0:
			return out, e
		case n == 0:
			return out, 0
		}
	}
}

func connect(t *testing.T, p *Provider, port uint16) socket.Socket {
	t.Helper()
	c, _ := p.Socket(socket.AF_INET, socket.SOCK_STREAM, 0, socket.Cred{})
	e := c.Connect(socket.Addr{Family: socket.AF_INET, IP: loop4, Port: port})
	if e != errno.EINPROGRESS && e != 0 {
		t.Fatal(e)
	}
	waitFor(t, c, vfs.EventOut|vfs.EventErr)
	if v, _ := c.Option(socket.SOL_SOCKET, socket.SO_ERROR); binary.LittleEndian.Uint32(v) != 0 {
		t.Fatalf("connect: SO_ERROR %d", binary.LittleEndian.Uint32(v))
	}
	return c
}

// TestHostClient: a host program connects to a LibOS listener and both
// directions carry a megabyte; a half-close reaches each side.
func TestHostClient(t *testing.T) {
	p := New()
	l, port := listener(t, p)
	defer l.Close()
	data := make([]byte, 1<<20)
	rand.Read(data)
	done := make(chan error, 1)
	go func() {
		c, err := net.Dial("tcp", netip.AddrPortFrom(loop4, port).String())
		if err != nil {
			done <- err
			return
		}
		defer c.Close()
		go func() { c.Write(data); c.(*net.TCPConn).CloseWrite() }()
		got, err := io.ReadAll(c)
		if err == nil && !bytes.Equal(got, data) {
			err = io.ErrUnexpectedEOF
		}
		done <- err
	}()
	s := accept(t, l)
	defer s.Close()
	if s.(*tcpSock).host == nil {
		t.Fatal("a host client's connection is not a host socket")
	}
	got, e := recvAll(t, s)
	if e != 0 || !bytes.Equal(got, data) {
		t.Fatalf("LibOS side received %d bytes, %v", len(got), e)
	}
	sendAll(t, s, data)
	s.Shutdown(socket.SHUT_WR)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestHostServer: a LibOS socket connects to a host listener; the host
// resets the connection and the LibOS side reads ECONNRESET and lives on.
func TestHostServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		buf := make([]byte, 5)
		io.ReadFull(c, buf)
		c.Write(buf)
		time.Sleep(50 * time.Millisecond)
		c.(*net.TCPConn).SetLinger(0) // a reset
		c.Close()
	}()
	p := New()
	c := connect(t, p, uint16(ln.Addr().(*net.TCPAddr).Port))
	defer c.Close()
	sendAll(t, c, []byte("hello"))
	got, e := recvAll(t, c)
	if string(got) != "hello" || e != errno.ECONNRESET {
		t.Fatalf("got %q, %v; want the echo, then ECONNRESET", got, e)
	}
}

// TestRefused: a connect to a closed port fails through SO_ERROR.
func TestRefused(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	p := New()
	c, _ := p.Socket(socket.AF_INET, socket.SOCK_STREAM, 0, socket.Cred{})
	defer c.Close()
	if e := c.Connect(socket.Addr{Family: socket.AF_INET, IP: loop4, Port: uint16(port)}); e != errno.EINPROGRESS {
		t.Fatal(e)
	}
	if r := waitFor(t, c, vfs.EventOut|vfs.EventErr); r&vfs.EventErr == 0 {
		t.Fatalf("readiness %#x", r)
	}
	v, _ := c.Option(socket.SOL_SOCKET, socket.SO_ERROR)
	if e := errno.Errno(binary.LittleEndian.Uint32(v)); e != errno.ECONNREFUSED {
		t.Fatalf("SO_ERROR %v", e)
	}
}

// TestJoinedInside: a LibOS client of a LibOS listener on loopback is
// joined inside the LibOS (no host socket), and a peer that goes away
// mid-transfer leaves the other side an end of stream or a reset.
func TestJoinedInside(t *testing.T) {
	p := New()
	l, port := listener(t, p)
	defer l.Close()
	c := connect(t, p, port)
	s := accept(t, l)
	if s.(*tcpSock).host != nil || c.(*tcpSock).host != nil {
		t.Fatal("a loopback connection between LibOS sockets went through the host")
	}
	if got, _ := s.PeerAddr(); got != c.LocalAddr() {
		t.Errorf("peer %v, client's own %v", got, c.LocalAddr())
	}
	sendAll(t, c, bytes.Repeat([]byte("x"), 100000))
	c.Close() // with nothing unread: an orderly end
	got, e := recvAll(t, s)
	if len(got) != 100000 || e != 0 {
		t.Fatalf("after the peer closed: %d bytes, %v", len(got), e)
	}
	s.Close()

	c = connect(t, p, port)
	s = accept(t, l)
	sendAll(t, c, []byte("unread"))
	waitFor(t, s, vfs.EventIn)
	s.Close() // with bytes unread: a reset
	if _, e := recvAll(t, c); e != errno.ECONNRESET {
		t.Fatalf("after the peer closed with unread data: %v", e)
	}
	if _, e := c.Send([][]byte{[]byte("x")}, nil, nil, 0); e != errno.EPIPE {
		t.Fatalf("send after a reset: %v", e)
	}
	c.Close()
}

// TestManyConnections: 1,000 connections at once, each echoing its own
// bytes.
func TestManyConnections(t *testing.T) {
	p := New()
	l, port := listener(t, p)
	defer l.Close()
	l.Listen(socket.SOMAXCONN)
	const n = 1000
	clients := make([]socket.Socket, n)
	for i := range clients {
		clients[i] = connect(t, p, port)
	}
	servers := make([]socket.Socket, n)
	for i := range servers {
		servers[i] = accept(t, l)
	}
	for i, c := range clients {
		sendAll(t, c, []byte{byte(i), byte(i >> 8)})
		c.Shutdown(socket.SHUT_WR)
	}
	seen := map[int]bool{}
	for _, s := range servers {
		got, e := recvAll(t, s)
		if e != 0 || len(got) != 2 {
			t.Fatalf("%q, %v", got, e)
		}
		seen[int(got[0])|int(got[1])<<8] = true
		s.Close()
	}
	if len(seen) != n {
		t.Fatalf("%d distinct connections", len(seen))
	}
	for _, c := range clients {
		c.Close()
	}
}

// TestIdleConnectionsCostNothing: 10,000 idle connections in one epoll
// set, with a waiter blocked on it, use no CPU.
func TestIdleConnectionsCostNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 connections")
	}
	p := New()
	l, port := listener(t, p)
	defer l.Close()
	l.Listen(socket.SOMAXCONN)
	ep := epoll.New()
	const n = 10000
	var socks []socket.Socket
	for i := 0; i < n; i++ {
		c := connect(t, p, port)
		s := accept(t, l)
		socks = append(socks, c, s)
		f := vfs.NewFile(s, vfs.Dentry{}, vfs.O_RDWR)
		if e := ep.Ctl(epoll.CtlAdd, f, int32(i), uint32(waiter.EventIn), uint64(i)); e != 0 {
			t.Fatal(e)
		}
	}
	if evs := ep.Collect(10); len(evs) != 0 {
		t.Fatalf("idle connections ready: %v", evs)
	}
	var before, after syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	time.Sleep(time.Second)
	syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	cpu := time.Duration(after.Utime.Nano()+after.Stime.Nano()-before.Utime.Nano()-before.Stime.Nano()) * time.Nanosecond
	if cpu > 100*time.Millisecond {
		t.Errorf("%v of CPU in a second of idleness", cpu)
	}
	// One becomes ready: it alone is reported.
	sendAll(t, socks[2*1234], []byte("!"))
	if evs := ep.Collect(10); len(evs) != 1 || evs[0].Data != 1234 {
		t.Fatalf("after one write: %v", evs)
	}
	for _, s := range socks {
		s.Close()
	}
}

// TestUDPLoopback: datagrams between two LibOS UDP sockets on loopback
// are delivered inside the LibOS, keep their boundaries and name their
// sender.
func TestUDPLoopback(t *testing.T) {
	p := New()
	a, _ := p.Socket(socket.AF_INET, socket.SOCK_DGRAM, 0, socket.Cred{})
	b, _ := p.Socket(socket.AF_INET, socket.SOCK_DGRAM, 0, socket.Cred{})
	defer a.Close()
	defer b.Close()
	a.Bind(socket.Addr{Family: socket.AF_INET, IP: loop4})
	b.Bind(socket.Addr{Family: socket.AF_INET, IP: loop4})
	to := b.LocalAddr()
	for _, m := range []string{"one", "", "three"} {
		if n, e := a.Send([][]byte{[]byte(m)}, &to, nil, 0); n != len(m) || e != 0 {
			t.Fatal(n, e)
		}
	}
	buf := make([]byte, 4)
	for _, want := range []string{"one", "", "thre"} {
		waitFor(t, b, vfs.EventIn)
		n, full, from, _, fl, e := b.Recv([][]byte{buf}, 0)
		if e != 0 || string(buf[:n]) != want || from != a.LocalAddr() {
			t.Fatalf("got %q from %v, %v", buf[:n], from, e)
		}
		if want == "thre" && (full != 5 || fl&socket.MSG_TRUNC == 0) {
			t.Fatalf("truncation: full %d flags %#x", full, fl)
		}
	}
}

type denyPort uint16

func (d denyPort) AllowListen(ap netip.AddrPort) bool  { return ap.Port() != uint16(d) }
func (d denyPort) AllowConnect(ap netip.AddrPort) bool { return ap.Port() != uint16(d) }

// TestPolicy: a refused bind or connect is EACCES with a log line;
// loopback connections inside the LibOS are not subject to it.
func TestPolicy(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	defer ln.Close()
	port := uint16(ln.Addr().(*net.TCPAddr).Port)
	p := New()
	var logged []string
	p.Policy = denyPort(port)
	p.Logf = func(f string, a ...any) { logged = append(logged, f) }
	c, _ := p.Socket(socket.AF_INET, socket.SOCK_STREAM, 0, socket.Cred{})
	defer c.Close()
	if e := c.Connect(socket.Addr{Family: socket.AF_INET, IP: loop4, Port: port}); e != errno.EACCES {
		t.Errorf("connect: %v", e)
	}
	b, _ := p.Socket(socket.AF_INET, socket.SOCK_STREAM, 0, socket.Cred{})
	defer b.Close()
	if e := b.Bind(socket.Addr{Family: socket.AF_INET, IP: loop4, Port: port}); e != errno.EACCES {
		t.Errorf("bind: %v", e)
	}
	u, _ := p.Socket(socket.AF_INET, socket.SOCK_DGRAM, 0, socket.Cred{})
	defer u.Close()
	to := socket.Addr{Family: socket.AF_INET, IP: loop4, Port: port}
	if _, e := u.Send([][]byte{[]byte("x")}, &to, nil, 0); e != errno.EACCES {
		t.Errorf("sendto: %v", e)
	}
	if len(logged) != 3 {
		t.Errorf("%d log lines, want 3", len(logged))
	}
	// A LibOS listener on another port is reachable from inside.
	l, lport := listener(t, p)
	defer l.Close()
	connect(t, p, lport).Close()
}
