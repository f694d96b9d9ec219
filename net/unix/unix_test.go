package unix

import (
	"testing"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/socket"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/fs/ramfs"
)

// TestBudgetBoundsBuffers: a guest that sends without reading, over
// streams and datagrams, cannot make the LibOS hold more than the budget
// (plus the first 4 KiB of each buffer).
func TestBudgetBoundsBuffers(t *testing.T) {
	p := New(vfs.NewNamespace(ramfs.New(ramfs.Options{}), false, "ramfs"))
	p.Budget = socket.NewBudget(1 << 20)
	chunk := make([]byte, 64<<10)
	var socks []socket.Socket
	for _, typ := range []int{socket.SOCK_STREAM, socket.SOCK_DGRAM} {
		for i := 0; i < 20; i++ {
			a, b, e := p.Pair(socket.AF_UNIX, typ, 0, socket.Cred{})
			if e != 0 {
				t.Fatal(e)
			}
			socks = append(socks, a, b)
			for j := 0; j < 100; j++ {
				if _, e := a.Send([][]byte{chunk}, nil, nil, socket.MSG_DONTWAIT); e == errno.EAGAIN {
					break
				} else if e != 0 {
					t.Fatal(e)
				}
			}
		}
	}
	if used := p.Budget.Used(); used > 1<<20 {
		t.Fatalf("%d bytes charged past a 1 MiB budget", used)
	}
	for _, s := range socks {
		s.Close()
	}
	if used := p.Budget.Used(); used != 0 {
		t.Fatalf("%d bytes still charged after every socket closed", used)
	}
}
