package pipe

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/core/waiter"
)

// blockingWrite writes all of b as a blocking write(2) on a pipe does: it
// waits for room until everything is written, the readers are gone or ctx
// ends. A partial count wins over EINTR, as on Linux.
func blockingWrite(ctx context.Context, w *WriteEnd, b []byte) (int, errno.Errno) {
	done := 0
	_, e := vfs.WaitReady(ctx, w, func() (int, errno.Errno) {
		n, e := w.Write(b[done:])
		done += n
		if e == 0 && done < len(b) {
			return done, errno.EAGAIN
		}
		return done, e
	})
	if e == errno.EINTR && done > 0 {
		e = 0
	}
	return done, e
}

// blockingRead reads as a blocking read(2) on a pipe does.
func blockingRead(ctx context.Context, r *ReadEnd, b []byte) (int, errno.Errno) {
	return vfs.WaitReady(ctx, r, func() (int, errno.Errno) { return r.Read(b) })
}

func mustWrite(t *testing.T, w *WriteEnd, b []byte, want int, wantErr errno.Errno) {
	t.Helper()
	if n, e := w.Write(b); n != want || e != wantErr {
		t.Fatalf("Write(%d bytes) = %d, %v; want %d, %v", len(b), n, e, want, wantErr)
	}
}

func mustRead(t *testing.T, r *ReadEnd, size int, want []byte, wantErr errno.Errno) {
	t.Helper()
	b := make([]byte, size)
	n, e := r.Read(b)
	if e != wantErr || !bytes.Equal(b[:n], want) {
		t.Fatalf("Read(%d) = %s, %v; want %s, %v", size, show(b[:n]), e, show(want), wantErr)
	}
}

// show prints short data whole and long data by length.
func show(b []byte) string {
	if len(b) <= 16 {
		return fmt.Sprintf("%q", b)
	}
	return fmt.Sprintf("%d bytes %q...%q", len(b), b[:4], b[len(b)-4:])
}

// waiters returns how many channels are registered on each side.
func waiters(r *ReadEnd) (readers, writers int) {
	p := r.p
	return p.rq.Count(), p.wq.Count()
}

// waitRegistered waits until n waiters are registered on the read side
// (side 0) or the write side (side 1): a goroutine in WaitReady is then
// about to wait, or waiting.
func waitRegistered(t *testing.T, r *ReadEnd, side, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		rw, ww := waiters(r)
		if (side == 0 && rw == n) || (side == 1 && ww == n) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiters = %d, %d; want %d on side %d", rw, ww, n, side)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestCapacity(t *testing.T) {
	for _, c := range []struct{ in, want int }{
		{0, DefaultCapacity}, {-1, DefaultCapacity}, {1, MinCapacity}, {4096, 4096},
		{4097, 8192}, {65536, 65536}, {100000, 131072}, {1 << 20, 1 << 20}, {1 << 30, MaxCapacity},
	} {
		r, w := New(c.in)
		if r.Capacity() != c.want || w.Capacity() != c.want {
			t.Errorf("New(%d): capacity %d, %d; want %d", c.in, r.Capacity(), w.Capacity(), c.want)
		}
	}
	if DefaultCapacity != 64<<10 {
		t.Errorf("DefaultCapacity = %d; want 64 KiB as Linux", DefaultCapacity)
	}
}

func TestEOFAfterWriterClose(t *testing.T) {
	r, w := New(0)
	mustRead(t, r, 10, nil, errno.EAGAIN)
	mustWrite(t, w, []byte("abc"), 3, 0)
	if e := w.Close(); e != 0 {
		t.Fatalf("Close = %v", e)
	}
	// Buffered data is still read after the writer is gone, then EOF.
	mustRead(t, r, 2, []byte("ab"), 0)
	mustRead(t, r, 10, []byte("c"), 0)
	mustRead(t, r, 10, nil, 0)
	mustRead(t, r, 10, nil, 0)
}

func TestEPIPEAfterReaderClose(t *testing.T) {
	r, w := New(0)
	mustWrite(t, w, []byte("abc"), 3, 0)
	r.Close()
	mustWrite(t, w, []byte("x"), 0, errno.EPIPE)
	mustWrite(t, w, make([]byte, 100000), 0, errno.EPIPE)
	// As Linux: a write of nothing succeeds even without readers.
	mustWrite(t, w, nil, 0, 0)
}

func TestZeroLength(t *testing.T) {
	r, w := New(0)
	mustRead(t, r, 0, nil, 0) // empty, writers exist: still 0, as Linux
	mustWrite(t, w, make([]byte, DefaultCapacity), DefaultCapacity, 0)
	mustWrite(t, w, nil, 0, 0) // full: still 0
}

func TestWrongEndAndClosed(t *testing.T) {
	r, w := New(0)
	mustWrite(t, w, []byte("abc"), 3, 0)
	if n, e := r.Write([]byte("x")); n != 0 || e != errno.EBADF {
		t.Errorf("ReadEnd.Write = %d, %v; want EBADF", n, e)
	}
	if n, e := w.Read(make([]byte, 1)); n != 0 || e != errno.EBADF {
		t.Errorf("WriteEnd.Read = %d, %v; want EBADF", n, e)
	}
	if r.Seekable() || w.Seekable() {
		t.Error("a pipe end is seekable")
	}
	if _, e := r.ReadAt(make([]byte, 1), 0); e != errno.ESPIPE {
		t.Errorf("ReadAt = %v; want ESPIPE", e)
	}
	r.Close()
	w.Close()
	if e := r.Close(); e != 0 {
		t.Errorf("second Close = %v", e)
	}
	w.Close()
	mustRead(t, r, 1, nil, errno.EBADF)
	mustWrite(t, w, []byte("x"), 0, errno.EBADF)
}

func TestAtomicWrites(t *testing.T) {
	r, w := New(MinCapacity * 4) // 16 KiB
	c := r.Capacity()
	mustWrite(t, w, make([]byte, c-100), c-100, 0)
	// 100 bytes free: atomic writes that do not fit are refused whole.
	mustWrite(t, w, make([]byte, 101), 0, errno.EAGAIN)
	mustWrite(t, w, make([]byte, AtomicIOBytes), 0, errno.EAGAIN)
	if got := r.Buffered(); got != c-100 {
		t.Fatalf("Buffered = %d after refused writes; want %d", got, c-100)
	}
	mustWrite(t, w, make([]byte, 100), 100, 0)
	mustWrite(t, w, []byte("x"), 0, errno.EAGAIN)
	mustRead(t, r, AtomicIOBytes-1, make([]byte, AtomicIOBytes-1), 0)
	mustWrite(t, w, make([]byte, AtomicIOBytes), 0, errno.EAGAIN)
	mustRead(t, r, 1, []byte{0}, 0)
	mustWrite(t, w, bytes.Repeat([]byte{7}, AtomicIOBytes), AtomicIOBytes, 0)
}

func TestShortWrites(t *testing.T) {
	r, w := New(MinCapacity * 4)
	c := r.Capacity()
	mustWrite(t, w, make([]byte, c-100), c-100, 0)
	// Longer than PIPE_BUF: what fits is written.
	mustWrite(t, w, bytes.Repeat([]byte{1}, AtomicIOBytes+1), 100, 0)
	mustWrite(t, w, make([]byte, AtomicIOBytes+1), 0, errno.EAGAIN)
	mustRead(t, r, c-100, make([]byte, c-100), 0)
	mustRead(t, r, 1000, bytes.Repeat([]byte{1}, 100), 0)
	// A write longer than the capacity fills it.
	mustWrite(t, w, make([]byte, 3*c), c, 0)
}

func TestWraparound(t *testing.T) {
	r, w := New(MinCapacity)
	rng := rand.New(rand.NewPCG(1, 2))
	var in, out bytes.Buffer
	next := byte(0)
	buf := make([]byte, 3*MinCapacity)
	for i := 0; i < 5000; i++ {
		if rng.IntN(2) == 0 {
			n := 1 + rng.IntN(2*MinCapacity)
			b := buf[:n]
			for j := range b {
				b[j] = next + byte(j)
			}
			m, e := w.Write(b)
			if e != 0 && e != errno.EAGAIN {
				t.Fatalf("Write: %v", e)
			}
			if e == errno.EAGAIN && n > AtomicIOBytes && r.Buffered() < MinCapacity {
				t.Fatalf("EAGAIN for a long write with %d bytes free", MinCapacity-r.Buffered())
			}
			next += byte(m)
			in.Write(b[:m])
		} else {
			n, e := r.Read(buf[:1+rng.IntN(2*MinCapacity)])
			if e != 0 && e != errno.EAGAIN {
				t.Fatalf("Read: %v", e)
			}
			out.Write(buf[:n])
		}
	}
	w.Close()
	for {
		n, e := r.Read(buf)
		if e != 0 {
			t.Fatalf("Read: %v", e)
		}
		if n == 0 {
			break
		}
		out.Write(buf[:n])
	}
	if !bytes.Equal(in.Bytes(), out.Bytes()) {
		t.Fatalf("read %d bytes differing from the %d written", out.Len(), in.Len())
	}
	if r.p.wpos < 100*MinCapacity {
		t.Fatalf("only %d bytes went through: not enough wraparounds", r.p.wpos)
	}
}

func TestReadiness(t *testing.T) {
	all := vfs.EventIn | vfs.EventOut | vfs.EventErr | vfs.EventHup
	r, w := New(MinCapacity * 2)
	check := func(step string, wantR, wantW vfs.Events) {
		t.Helper()
		if got := r.Readiness(all); got != wantR {
			t.Errorf("%s: read end %#x; want %#x", step, got, wantR)
		}
		if got := w.Readiness(all); got != wantW {
			t.Errorf("%s: write end %#x; want %#x", step, got, wantW)
		}
	}
	check("empty", 0, vfs.EventOut)
	if got := r.Readiness(vfs.EventOut); got != 0 {
		t.Errorf("read end answers outside the mask: %#x", got)
	}
	mustWrite(t, w, make([]byte, MinCapacity), MinCapacity, 0)
	check("half full", vfs.EventIn, vfs.EventOut)
	mustWrite(t, w, []byte("x"), 1, 0)
	check("less than PIPE_BUF free", vfs.EventIn, 0) // as Linux: not "full" is a free page
	mustRead(t, r, 1, []byte{0}, 0)
	check("PIPE_BUF free", vfs.EventIn, vfs.EventOut)
	w.Close()
	check("writer closed, data", vfs.EventIn|vfs.EventHup, vfs.EventOut)
	mustRead(t, r, 2*MinCapacity, append(make([]byte, MinCapacity-1), 'x'), 0)
	check("EOF", vfs.EventHup, vfs.EventOut) // Linux: POLLHUP without POLLIN

	r, w = New(0)
	r.Close()
	check("reader closed", 0, vfs.EventOut|vfs.EventErr)
}

func TestStat(t *testing.T) {
	r, w := New(0)
	r2, _ := New(0)
	mustWrite(t, w, []byte("abc"), 3, 0)
	rs, e1 := r.Stat()
	ws, e2 := w.Stat()
	r2s, _ := r2.Stat()
	if e1 != 0 || e2 != 0 {
		t.Fatalf("Stat: %v, %v", e1, e2)
	}
	if rs.Type() != vfs.TypeFIFO || rs.Perm() != 0o600 || rs.Nlink != 1 || rs.Size != 0 {
		t.Errorf("Stat = %+v; want a FIFO, 0600, 1 link, size 0", rs)
	}
	if rs != ws {
		t.Errorf("ends differ: %+v, %+v", rs, ws)
	}
	if rs.Ino == 0 || rs.Ino == r2s.Ino {
		t.Errorf("inode numbers %d, %d: want distinct and non-zero", rs.Ino, r2s.Ino)
	}
	if rs.Mtime == 0 {
		t.Error("no times")
	}
}

// TestNoAllocation: the Read/Write hot path allocates nothing.
func TestNoAllocation(t *testing.T) {
	r, w := New(0)
	b := make([]byte, 1000)
	ctx := context.Background()
	allocs := testing.AllocsPerRun(100, func() {
		w.Write(b)
		r.Read(b)
		blockingWrite(ctx, w, b)
		blockingRead(ctx, r, b)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per Write+Read", allocs)
	}
}

func TestRegisterUnregister(t *testing.T) {
	r, w := New(0)
	a, b, c := make(chan struct{}, 1), make(chan struct{}, 1), make(chan struct{}, 1)
	ea, eb, ec := waiter.NewChannelEntry(vfs.EventIn, a), waiter.NewChannelEntry(vfs.EventIn, b), waiter.NewChannelEntry(vfs.EventOut, c)
	r.EventRegister(ea)
	r.EventRegister(eb)
	w.EventRegister(ec)
	if rw, ww := waiters(r); rw != 2 || ww != 1 {
		t.Fatalf("waiters %d, %d", rw, ww)
	}
	mustWrite(t, w, []byte("x"), 1, 0)
	if len(a) != 1 || len(b) != 1 || len(c) != 0 {
		t.Fatalf("a write woke %d, %d, %d; want both readers only", len(a), len(b), len(c))
	}
	<-a
	<-b
	// Every write is notified, so edge-triggered waiters see each one.
	mustWrite(t, w, []byte("y"), 1, 0)
	if len(a) != 1 || len(b) != 1 {
		t.Error("a write into a non-empty pipe did not wake the readers")
	}
	mustRead(t, r, 1, []byte("x"), 0)
	if len(c) != 1 {
		t.Error("a read did not wake the writer")
	}
	r.EventUnregister(ea)
	r.EventUnregister(eb)
	w.EventUnregister(ec)
	w.EventUnregister(waiter.NewChannelEntry(vfs.EventOut, c)) // not registered: no effect
	if rw, ww := waiters(r); rw != 0 || ww != 0 {
		t.Fatalf("waiters %d, %d after unregistering", rw, ww)
	}
	r.Close()
	if len(c) != 1 {
		<-c
	}
	<-c
	w.EventRegister(ec)
	r.Close() // closing again notifies nothing
	if len(c) != 0 {
		t.Error("a second close woke the writer")
	}
}

// TestWakeups blocks one goroutine in vfs.WaitReady, waits until it is
// registered, wakes it and checks what it got.
func TestWakeups(t *testing.T) {
	type result struct {
		n int
		e errno.Errno
	}
	cases := []struct {
		name   string
		side   int  // 0: block reading an empty pipe; 1: block writing a full one
		cancel bool // end the context instead of act
		act    func(r *ReadEnd, w *WriteEnd)
		want   result
	}{
		{"read woken by write", 0, false, func(r *ReadEnd, w *WriteEnd) { w.Write([]byte("hello")) }, result{5, 0}},
		{"read woken by writer close", 0, false, func(r *ReadEnd, w *WriteEnd) { w.Close() }, result{0, 0}},
		{"read woken by cancel", 0, true, nil, result{0, errno.EINTR}},
		{"write woken by read", 1, false, func(r *ReadEnd, w *WriteEnd) { r.Read(make([]byte, 1)) }, result{10, 0}},
		{"write woken by reader close", 1, false, func(r *ReadEnd, w *WriteEnd) { r.Close() }, result{0, errno.EPIPE}},
		{"write woken by cancel", 1, true, nil, result{0, errno.EINTR}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, w := New(MinCapacity)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if c.side == 1 {
				mustWrite(t, w, make([]byte, MinCapacity), MinCapacity, 0)
			}
			got := make(chan result, 1)
			go func() {
				var n int
				var e errno.Errno
				if c.side == 0 {
					n, e = blockingRead(ctx, r, make([]byte, 100))
				} else {
					// Room for one more byte is not enough for an atomic write:
					// the goroutine must then wait until the pipe drains.
					n, e = vfs.WaitReady(ctx, w, func() (int, errno.Errno) { return w.Write(make([]byte, 10)) })
				}
				got <- result{n, e}
			}()
			waitRegistered(t, r, c.side, 1)
			select {
			case res := <-got:
				t.Fatalf("returned %v before being woken", res)
			case <-time.After(10 * time.Millisecond):
			}
			if c.cancel {
				cancel()
			} else {
				c.act(r, w)
				if c.side == 1 && c.want.e == 0 {
					// One byte read is not room for 10: still blocked.
					select {
					case res := <-got:
						t.Fatalf("returned %v with 1 byte free", res)
					case <-time.After(10 * time.Millisecond):
					}
					r.Read(make([]byte, MinCapacity))
				}
			}
			select {
			case res := <-got:
				if res != c.want {
					t.Fatalf("got %v; want %v", res, c.want)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("not woken")
			}
			if rw, ww := waiters(r); rw+ww != 0 {
				t.Errorf("%d, %d waiters left registered", rw, ww)
			}
		})
	}
}

// TestPartialWriteInterrupted: a blocking write longer than the pipe that
// is interrupted after writing some returns the count, as Linux.
func TestPartialWriteInterrupted(t *testing.T) {
	r, w := New(MinCapacity)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() {
		n, e := blockingWrite(ctx, w, make([]byte, 3*MinCapacity))
		if e != 0 {
			t.Errorf("blockingWrite: %v", e)
		}
		done <- n
	}()
	waitRegistered(t, r, 1, 1)
	mustRead(t, r, MinCapacity, make([]byte, MinCapacity), 0)
	for r.Buffered() != MinCapacity {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if n := <-done; n != 2*MinCapacity {
		t.Fatalf("wrote %d; want %d", n, 2*MinCapacity)
	}
}

// TestPollStyleWait waits as poll(2) does: register, check readiness, wait.
func TestPollStyleWait(t *testing.T) {
	r, w := New(0)
	ch := make(chan struct{}, 1)
	e := waiter.NewChannelEntry(vfs.EventIn, ch)
	r.EventRegister(e)
	defer r.EventUnregister(e)
	go func() {
		time.Sleep(5 * time.Millisecond)
		w.Write([]byte("x"))
		time.Sleep(5 * time.Millisecond)
		w.Close()
	}()
	for _, want := range []vfs.Events{vfs.EventIn, vfs.EventHup} {
		for r.Readiness(want) == 0 {
			select {
			case <-ch:
			case <-time.After(10 * time.Second):
				t.Fatalf("no wake-up for %#x", want)
			}
		}
		if want == vfs.EventIn {
			mustRead(t, r, 1, []byte("x"), 0)
		}
	}
}

// TestPingPong passes a token back and forth through two tiny pipes many
// times: a lost wake-up would hang it.
func TestPingPong(t *testing.T) {
	r1, w1 := New(MinCapacity)
	r2, w2 := New(MinCapacity)
	ctx := context.Background()
	const rounds = 20000
	go func() {
		b := make([]byte, 1)
		for {
			if n, e := blockingRead(ctx, r1, b); n == 0 || e != 0 {
				w2.Close()
				return
			}
			blockingWrite(ctx, w2, b)
		}
	}()
	b := make([]byte, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < rounds; i++ {
			b[0] = byte(i)
			blockingWrite(ctx, w1, b)
			if n, e := blockingRead(ctx, r2, b); n != 1 || e != 0 || b[0] != byte(i) {
				t.Errorf("round %d: %d, %v, %d", i, n, e, b[0])
				return
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("hung: lost wake-up")
	}
	w1.Close()
	if n, e := blockingRead(ctx, r2, b); n != 0 || e != 0 {
		t.Fatalf("after close: %d, %v", n, e)
	}
}

// TestConcurrentWritersAtomic: records of at most PIPE_BUF bytes written
// by many goroutines arrive whole, each writer's in order.
func TestConcurrentWritersAtomic(t *testing.T) {
	const writers, records = 8, 300
	r, w := New(MinCapacity * 2)
	ctx := context.Background()
	var wg sync.WaitGroup
	for id := 0; id < writers; id++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(id), 0))
			rec := make([]byte, AtomicIOBytes)
			for seq := 0; seq < records; seq++ {
				// header: length, writer, sequence; then the writer's byte.
				n := 8 + rng.IntN(AtomicIOBytes-7)
				if seq%10 == 0 {
					n = AtomicIOBytes
				}
				binary.LittleEndian.PutUint32(rec[0:], uint32(n))
				rec[4], rec[5] = byte(id), byte(seq)
				binary.LittleEndian.PutUint16(rec[6:], uint16(seq))
				for i := 8; i < n; i++ {
					rec[i] = byte(id)
				}
				if m, e := blockingWrite(ctx, w, rec[:n]); m != n || e != 0 {
					t.Errorf("writer %d: %d, %v", id, m, e)
					return
				}
			}
		}()
	}
	go func() {
		wg.Wait()
		w.Close()
	}()
	// The reader reads in odd sizes so records straddle reads.
	var stream []byte
	buf := make([]byte, 3001)
	for {
		n, e := blockingRead(ctx, r, buf)
		if e != 0 {
			t.Fatalf("Read: %v", e)
		}
		if n == 0 {
			break
		}
		stream = append(stream, buf[:n]...)
	}
	next := make([]int, writers)
	count := 0
	for len(stream) > 0 {
		if len(stream) < 8 {
			t.Fatalf("truncated record header")
		}
		n := int(binary.LittleEndian.Uint32(stream))
		id, seq := int(stream[4]), int(binary.LittleEndian.Uint16(stream[6:]))
		if n < 8 || n > AtomicIOBytes || n > len(stream) || id >= writers {
			t.Fatalf("record %d: bad header %x", count, stream[:8])
		}
		if seq != next[id] {
			t.Fatalf("writer %d: record %d after %d", id, seq, next[id]-1)
		}
		for i := 8; i < n; i++ {
			if stream[i] != byte(id) {
				t.Fatalf("writer %d record %d: interleaved at byte %d", id, seq, i)
			}
		}
		next[id]++
		count++
		stream = stream[n:]
	}
	if count != writers*records {
		t.Fatalf("%d records; want %d", count, writers*records)
	}
}

// throughput sends total bytes in chunk-sized blocking writes from one
// goroutine to a blocking reader reading chunk-sized buffers.
func throughput(tb testing.TB, capacity, chunk int, total int64) {
	r, w := New(capacity)
	ctx := context.Background()
	go func() {
		b := make([]byte, chunk)
		for sent := int64(0); sent < total; {
			n, e := blockingWrite(ctx, w, b[:min(int64(chunk), total-sent)])
			if e != 0 {
				panic(fmt.Sprint("write: ", e))
			}
			sent += int64(n)
		}
		w.Close()
	}()
	b := make([]byte, chunk)
	var got int64
	for {
		n, e := blockingRead(ctx, r, b)
		if e != 0 {
			tb.Fatalf("read: %v", e)
		}
		if n == 0 {
			break
		}
		got += int64(n)
	}
	if got != total {
		tb.Fatalf("read %d of %d bytes", got, total)
	}
	r.Close()
}

func TestThroughputSmoke(t *testing.T) {
	for _, chunk := range []int{1, 4 << 10, 128 << 10, 1 << 20} {
		throughput(t, MinCapacity, chunk, 8<<20/int64(max(1, 4096/chunk)))
	}
}

var benchSizes = []struct {
	name string
	n    int
}{{"4KiB", 4 << 10}, {"128KiB", 128 << 10}, {"1MiB", 1 << 20}}

// BenchmarkPipeThroughput moves b.N chunks from a writer goroutine to a
// reader goroutine, both blocking through vfs.WaitReady, for pipes of 64
// KiB (the default) and 1 MiB.
func BenchmarkPipeThroughput(b *testing.B) {
	for _, capacity := range []struct {
		name string
		n    int
	}{{"cap=64KiB", DefaultCapacity}, {"cap=1MiB", 1 << 20}} {
		for _, chunk := range benchSizes {
			b.Run(capacity.name+"/chunk="+chunk.name, func(b *testing.B) {
				b.SetBytes(int64(chunk.n))
				b.ReportAllocs()
				throughput(b, capacity.n, chunk.n, int64(b.N)*int64(chunk.n))
			})
		}
	}
}

// BenchmarkWriteRead is one uncontended 4 KiB write and read.
func BenchmarkWriteRead(b *testing.B) {
	r, w := New(0)
	buf := make([]byte, 4096)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		w.Write(buf)
		r.Read(buf)
	}
}
