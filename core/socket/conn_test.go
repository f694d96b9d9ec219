package socket

import (
	"bytes"
	"math/rand"
	"testing"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
)

// TestConnStream moves random-sized chunks through a small ring that has
// to grow and wrap, and checks every byte arrives in order.
func TestConnStream(t *testing.T) {
	a, b := NewConn(10000, nil, nil, nil)
	rng := rand.New(rand.NewSource(1))
	src := make([]byte, 1<<20)
	rng.Read(src)
	var got []byte
	sent := 0
	buf := make([]byte, 7000)
	for len(got) < len(src) {
		if sent < len(src) {
			k := min(len(src)-sent, 1+rng.Intn(9000))
			n, e := a.Send([][]byte{src[sent : sent+k]}, nil)
			if e != 0 && e != errno.EAGAIN {
				t.Fatal(e)
			}
			sent += n
		}
		n, _, e := b.Recv([][]byte{buf[:1+rng.Intn(len(buf)-1)]}, false)
		if e != 0 && e != errno.EAGAIN {
			t.Fatal(e)
		}
		got = append(got, buf[:n]...)
	}
	if !bytes.Equal(got, src) {
		t.Fatal("bytes differ")
	}
	a.Shutdown(SHUT_WR)
	if n, _, e := b.Recv([][]byte{buf}, false); n != 0 || e != 0 {
		t.Fatalf("after shutdown: %d, %v; want end of stream", n, e)
	}
	if _, e := a.Send([][]byte{[]byte("x")}, nil); e != errno.EPIPE {
		t.Fatalf("send after SHUT_WR: %v", e)
	}
	if r := b.Readiness(vfs.EventIn | vfs.EventRdHup | vfs.EventOut); r != vfs.EventIn|vfs.EventRdHup|vfs.EventOut {
		t.Fatalf("readiness %#x", r)
	}
}

// TestConnRights checks control data arrives with its own byte and a
// read never joins two messages that carry control data.
func TestConnRights(t *testing.T) {
	a, b := NewConn(0, nil, nil, nil)
	a.Send([][]byte{[]byte("ab")}, nil)
	cred := &Cred{PID: 7}
	a.Send([][]byte{[]byte("cd")}, &Control{Cred: cred})
	a.Send([][]byte{[]byte("ef")}, nil)
	buf := make([]byte, 10)
	n, ctl, _ := b.Recv([][]byte{buf}, false)
	if string(buf[:n]) != "ab" || ctl.Cred != nil {
		t.Fatalf("first read %q %v", buf[:n], ctl.Cred)
	}
	n, ctl, _ = b.Recv([][]byte{buf}, false)
	if string(buf[:n]) != "cdef" || ctl.Cred != cred {
		t.Fatalf("second read %q %v", buf[:n], ctl.Cred)
	}
	a.Close()
	if n, _, e := b.Recv([][]byte{buf}, false); n != 0 || e != 0 {
		t.Fatalf("after close: %d, %v", n, e)
	}
	if _, e := b.Send([][]byte{[]byte("x")}, nil); e != errno.EPIPE {
		t.Fatalf("send to a closed peer: %v", e)
	}
}

func TestConnReset(t *testing.T) {
	a, b := NewConn(0, nil, nil, nil)
	a.Send([][]byte{[]byte("xy")}, nil)
	a.Reset(errno.ECONNRESET)
	buf := make([]byte, 10)
	if n, _, e := b.Recv([][]byte{buf}, false); n != 2 || e != 0 {
		t.Fatalf("buffered bytes first: %d %v", n, e)
	}
	if _, _, e := b.Recv([][]byte{buf}, false); e != errno.ECONNRESET {
		t.Fatalf("then %v", e)
	}
}

// TestConnBudget: rings grow only within the budget (the first 4 KiB
// always), and give it back when the connection is closed.
func TestConnBudget(t *testing.T) {
	b := NewBudget(64 << 10)
	a, c := NewConn(1<<20, b, nil, nil)
	big := make([]byte, 1<<20)
	n, e := a.Send([][]byte{big}, nil)
	if e != 0 || n > 64<<10+minRing || n < minRing {
		t.Fatalf("sent %d (%v) into a ring limited to the budget", n, e)
	}
	if b.Used() == 0 || b.Used() > 64<<10 {
		t.Fatalf("charged %d", b.Used())
	}
	x, y := NewConn(1<<20, b, nil, nil)
	if n, _ := x.Send([][]byte{big}, nil); n < minRing {
		t.Fatalf("a second connection cannot send its first 4 KiB: %d", n)
	}
	a.Close()
	c.Close()
	x.Close()
	y.Close()
	if b.Used() != 0 {
		t.Fatalf("%d bytes still charged after every end closed", b.Used())
	}
}
