package wasi_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tetratelabs/wazero/sys"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/kernel"
	"github.com/occlumgo/occlum/core/pipe"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/core/waiter"
	"github.com/occlumgo/occlum/syscalls/internal/wasitest"
	"github.com/occlumgo/occlum/syscalls/wasi"
)

const (
	eAGAIN = 6
	ePIPE  = 64
)

// watched wraps a pipe end so the test knows when a syscall starts waiting
// on it: every Register is reported on waiting.
type watched struct {
	vfs.FileImpl
	w       vfs.Waitable
	waiting chan struct{}
}

func (w *watched) EventRegister(e *waiter.Entry) {
	w.w.EventRegister(e)
	select {
	case w.waiting <- struct{}{}:
	default:
	}
}

func (w *watched) EventUnregister(e *waiter.Entry) { w.w.EventUnregister(e) }

// pipeEnds is a pipe installed in env's process.
type pipeEnds struct {
	r, w         int32
	rf, wf       *vfs.File // extra references, for the test's own end of the pipe
	rWait, wWait chan struct{}
}

// newPipe installs a pipe whose ends report when a call waits on them. The
// test holds its own reference to each end (rf, wf) to read or write from
// another goroutine; drop (DecRef) it to close that end for good.
func newPipe(t *testing.T, env *wasitest.Env, flags vfs.OpenFlags) *pipeEnds {
	t.Helper()
	re, we := pipe.New(0)
	pe := &pipeEnds{rWait: make(chan struct{}, 1), wWait: make(chan struct{}, 1)}
	pe.rf = vfs.NewFile(&watched{re, re, pe.rWait}, vfs.Dentry{}, vfs.O_RDONLY|flags)
	pe.wf = vfs.NewFile(&watched{we, we, pe.wWait}, vfs.Dentry{}, vfs.O_WRONLY|flags)
	pe.rf.IncRef()
	pe.wf.IncRef()
	pe.r = env.Install(t, pe.rf)
	pe.w = env.Install(t, pe.wf)
	return pe
}

// call runs a syscall's implementation directly, without the wrapper that
// acts on signals as the call returns, so the test sees EINTR itself.
func call(env *wasitest.Env, ctx context.Context, name string, args ...uint64) errno.Errno {
	for _, f := range wasi.Funcs() {
		if f.Name == name {
			return f.Impl(ctx, env.Proc, env.Mod, args)
		}
	}
	panic("no function " + name)
}

// async runs fn on a new goroutine and returns what it returns.
func async[T any](fn func() T) <-chan T {
	ch := make(chan T, 1)
	go func() { ch <- fn() }()
	return ch
}

func TestFdReadBlocks(t *testing.T) {
	env := newEnv(t, wasitest.Options{})
	pe := newPipe(t, env, 0)
	iov(t, env, "", 5, 100) // a scatter read stops after what arrived
	go func() {
		<-pe.rWait
		pe.wf.Write([]byte("hi"))
	}()
	expect(t, "fd_read", env.Call(t, "fd_read", uint64(pe.r), iovs, 2, result), eSUCCESS)
	readBack("hi")(t, env)

	// Data filling the first buffer: the second takes what is left, without
	// waiting.
	pe.wf.Write([]byte("hello"))
	expect(t, "fd_read", env.Call(t, "fd_read", uint64(pe.r), iovs, 2, result), eSUCCESS)
	readBack("hello")(t, env)

	// The last writer going away is end of file.
	env.Proc.FDs.Remove(pe.w)
	go func() {
		<-pe.rWait
		pe.wf.DecRef()
	}()
	expect(t, "fd_read at EOF", env.Call(t, "fd_read", uint64(pe.r), iovs, 1, result), eSUCCESS)
	u32At(result, 0)(t, env)
}

func TestFdWriteBlocks(t *testing.T) {
	env := newEnv(t, wasitest.Options{})
	pe := newPipe(t, env, 0)
	// Four iovecs over the same 30000 bytes: 120000 bytes, more than the
	// pipe holds.
	data := bytes.Repeat([]byte("0123456789"), 3000)
	env.Put(t, buf, data)
	env.PutIovecs(t, iovs, [2]uint32{buf, 30000}, [2]uint32{buf, 30000}, [2]uint32{buf, 30000}, [2]uint32{buf, 30000})
	got := async(func() []byte {
		<-pe.wWait // the writer filled the pipe and waits
		var out []byte
		b := make([]byte, 8192)
		ch := make(chan struct{}, 1)
		rw := pe.rf.Impl().(vfs.Waitable)
		ent := waiter.NewChannelEntry(vfs.EventIn, ch)
		rw.EventRegister(ent)
		defer rw.EventUnregister(ent)
		for len(out) < 4*len(data) {
			n, e := pe.rf.Read(b)
			if e == errno.EAGAIN {
				<-ch
				continue
			}
			out = append(out, b[:n]...)
		}
		return out
	})
	expect(t, "fd_write", env.Call(t, "fd_write", uint64(pe.w), iovs, 4, result), eSUCCESS)
	u32At(result, 4*30000)(t, env)
	if out := <-got; !bytes.Equal(out, bytes.Repeat(data, 4)) {
		t.Errorf("reader got %d bytes, want %d", len(out), 4*len(data))
	}
}

func TestFdNonblockingPipe(t *testing.T) {
	env := newEnv(t, wasitest.Options{})
	pe := newPipe(t, env, vfs.O_NONBLOCK)
	iov(t, env, "", 10)
	expect(t, "fd_read of empty pipe", env.Call(t, "fd_read", uint64(pe.r), iovs, 1, result), eAGAIN)
	// Writes take what fits, then EAGAIN.
	env.Put(t, buf, make([]byte, 40000))
	env.PutIovecs(t, iovs, [2]uint32{buf, 40000}, [2]uint32{buf, 40000})
	expect(t, "fd_write", env.Call(t, "fd_write", uint64(pe.w), iovs, 2, result), eSUCCESS)
	u32At(result, pipe.DefaultCapacity)(t, env)
	expect(t, "fd_write to a full pipe", env.Call(t, "fd_write", uint64(pe.w), iovs, 1, result), eAGAIN)
	// fd_fdstat_set_flags turns blocking off and on for the description.
	pe2 := newPipe(t, env, 0)
	expect(t, "set nonblock", env.Call(t, "fd_fdstat_set_flags", uint64(pe2.r), 4), eSUCCESS)
	expect(t, "fd_read", env.Call(t, "fd_read", uint64(pe2.r), iovs, 1, result), eAGAIN)
}

func TestFdWriteEPIPE(t *testing.T) {
	t.Run("blocked SIGPIPE stays pending", func(t *testing.T) {
		env := newEnv(t, wasitest.Options{})
		pe := newPipe(t, env, 0)
		set := kernel.SigSet(1 << (kernel.SIGPIPE - 1))
		env.Proc.Sigprocmask(kernel.SigBlock, &set)
		env.Proc.FDs.Remove(pe.r)
		pe.rf.DecRef()
		iov(t, env, "x", 1)
		expect(t, "fd_write", env.Call(t, "fd_write", uint64(pe.w), iovs, 1, result), ePIPE)
		if env.Proc.Sigpending() != set {
			t.Errorf("pending = %#x, want SIGPIPE", env.Proc.Sigpending())
		}
		// A write of nothing succeeds without readers, as Linux.
		expect(t, "empty fd_write", env.Call(t, "fd_write", uint64(pe.w), iovs, 0, result), eSUCCESS)
	})
	t.Run("default SIGPIPE ends the process", func(t *testing.T) {
		env := newEnv(t, wasitest.Options{})
		pe := newPipe(t, env, 0)
		env.Proc.FDs.Remove(pe.r)
		pe.rf.DecRef()
		iov(t, env, "x", 1)
		_, err := env.CallErr("fd_write", uint64(pe.w), iovs, 1, result)
		var exit *sys.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 128+uint32(kernel.SIGPIPE) {
			t.Errorf("fd_write = %v, want exit %d", err, 128+kernel.SIGPIPE)
		}
		if sig := env.Proc.TermSignal(); sig != kernel.SIGPIPE {
			t.Errorf("TermSignal = %v", sig)
		}
	})
}

func TestFdBlockedInterrupted(t *testing.T) {
	handle := func(t *testing.T, env *wasitest.Env) {
		t.Helper()
		if _, e := env.Proc.Sigaction(kernel.SIGUSR1, &kernel.SigAction{Handler: 7}); e != 0 {
			t.Fatal(e)
		}
	}
	t.Run("read, handled signal", func(t *testing.T) {
		env := newEnv(t, wasitest.Options{})
		pe := newPipe(t, env, 0)
		handle(t, env)
		iov(t, env, "", 10)
		go func() {
			<-pe.rWait
			env.Proc.Signal(kernel.SIGUSR1)
		}()
		if e := call(env, env.Ctx, "fd_read", uint64(pe.r), iovs, 1, result); e != errno.EINTR {
			t.Errorf("fd_read = %v, want EINTR", e)
		}
	})
	t.Run("read, signal already pending", func(t *testing.T) {
		env := newEnv(t, wasitest.Options{})
		pe := newPipe(t, env, 0)
		handle(t, env)
		env.Proc.Signal(kernel.SIGUSR1)
		if e := call(env, env.Ctx, "fd_read", uint64(pe.r), iovs, 0, result); e != 0 {
			t.Errorf("empty fd_read = %v, want success", e) // nothing to wait for
		}
		iov(t, env, "", 10)
		if e := call(env, env.Ctx, "fd_read", uint64(pe.r), iovs, 1, result); e != errno.EINTR {
			t.Errorf("fd_read = %v, want EINTR", e)
		}
	})
	t.Run("read, blocked signal does not interrupt", func(t *testing.T) {
		env := newEnv(t, wasitest.Options{})
		pe := newPipe(t, env, 0)
		handle(t, env)
		set := kernel.SigSet(1 << (kernel.SIGUSR1 - 1))
		env.Proc.Sigprocmask(kernel.SigBlock, &set)
		iov(t, env, "", 10)
		go func() {
			<-pe.rWait
			env.Proc.Signal(kernel.SIGUSR1)
			time.Sleep(10 * time.Millisecond) // woken for nothing: it waits again
			pe.wf.Write([]byte("ok"))
		}()
		expect(t, "fd_read", env.Call(t, "fd_read", uint64(pe.r), iovs, 1, result), eSUCCESS)
		readBack("ok")(t, env)
	})
	t.Run("write, partial count", func(t *testing.T) {
		env := newEnv(t, wasitest.Options{})
		pe := newPipe(t, env, 0)
		handle(t, env)
		env.PutIovecs(t, iovs, [2]uint32{buf, 40000}, [2]uint32{buf, 40000})
		go func() {
			<-pe.wWait
			env.Proc.Signal(kernel.SIGUSR1)
		}()
		if e := call(env, env.Ctx, "fd_write", uint64(pe.w), iovs, 2, result); e != 0 {
			t.Errorf("fd_write = %v, want success", e)
		}
		u32At(result, pipe.DefaultCapacity)(t, env)
	})
	t.Run("write, nothing written", func(t *testing.T) {
		env := newEnv(t, wasitest.Options{})
		pe := newPipe(t, env, 0)
		handle(t, env)
		pe.wf.Write(make([]byte, pipe.DefaultCapacity))
		iov(t, env, "x", 1)
		go func() {
			<-pe.wWait
			env.Proc.Signal(kernel.SIGUSR1)
		}()
		if e := call(env, env.Ctx, "fd_write", uint64(pe.w), iovs, 1, result); e != errno.EINTR {
			t.Errorf("fd_write = %v, want EINTR", e)
		}
	})
	t.Run("context ends", func(t *testing.T) {
		env := newEnv(t, wasitest.Options{})
		pe := newPipe(t, env, 0)
		ctx, cancel := context.WithCancel(env.Ctx)
		iov(t, env, "", 10)
		go func() {
			<-pe.rWait
			cancel()
		}()
		if e := call(env, ctx, "fd_read", uint64(pe.r), iovs, 1, result); e != errno.EINTR {
			t.Errorf("fd_read = %v, want EINTR", e)
		}
	})
	t.Run("kill", func(t *testing.T) {
		env := newEnv(t, wasitest.Options{})
		pe := newPipe(t, env, 0)
		iov(t, env, "", 10)
		go func() {
			<-pe.rWait
			env.Proc.Kill(kernel.SIGKILL)
		}()
		_, err := env.CallErr("fd_read", uint64(pe.r), iovs, 1, result)
		var exit *sys.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 128+uint32(kernel.SIGKILL) {
			t.Errorf("fd_read = %v, want exit %d", err, 128+kernel.SIGKILL)
		}
	})
}

func TestPollOneoffPipe(t *testing.T) {
	env := newEnv(t, wasitest.Options{})
	pe := newPipe(t, env, 0)
	go func() {
		<-pe.rWait
		pe.wf.Write([]byte("x"))
	}()
	evs, _ := poll(t, env, fdSub(1, evFdRead, uint32(pe.r)))
	if len(evs) != 1 || evs[0].userdata != 1 || evs[0].errno != 0 || evs[0].flags != 0 {
		t.Errorf("readable: events %+v", evs)
	}
	evs, _ = poll(t, env, fdSub(2, evFdWrite, uint32(pe.w)))
	if len(evs) != 1 || evs[0].flags != 0 {
		t.Errorf("writable: events %+v", evs)
	}
	// Every writer gone: the read end hangs up.
	env.Proc.FDs.Remove(pe.w)
	pe.wf.DecRef()
	evs, _ = poll(t, env, fdSub(3, evFdRead, uint32(pe.r)))
	if len(evs) != 1 || evs[0].flags != 1 {
		t.Errorf("hung up: events %+v", evs)
	}
}

// The write end of a pipe without readers polls with an error event, which
// wasi-libc's poll() reports as POLLERR, as Linux does (EPIPE would become
// POLLHUP).
func TestPollOneoffPipeNoReaders(t *testing.T) {
	env := newEnv(t, wasitest.Options{})
	pe := newPipe(t, env, 0)
	env.Proc.FDs.Remove(pe.r)
	pe.rf.DecRef()
	evs, _ := poll(t, env, fdSub(4, evFdWrite, uint32(pe.w)))
	if len(evs) != 1 || evs[0].errno != eIO {
		t.Fatalf("events %+v, want one with EIO", evs)
	}
}
