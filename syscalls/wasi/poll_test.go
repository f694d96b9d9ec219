package wasi_test

import (
	"encoding/binary"
	"errors"
	"testing"
	"time"

	"github.com/tetratelabs/wazero/sys"

	"github.com/occlumgo/occlum/core/kernel"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/syscalls/internal/wasitest"
)

// WASI eventtypes and subclockflags.
const (
	evClock   = 0
	evFdRead  = 1
	evFdWrite = 2
	abstime   = 1
)

func clockSub(userdata uint64, id uint32, timeout uint64, flags uint16) []byte {
	b := make([]byte, 48)
	binary.LittleEndian.PutUint64(b, userdata)
	b[8] = evClock
	binary.LittleEndian.PutUint32(b[16:], id)
	binary.LittleEndian.PutUint64(b[24:], timeout)
	binary.LittleEndian.PutUint64(b[32:], 1000) // precision
	binary.LittleEndian.PutUint16(b[40:], flags)
	return b
}

func fdSub(userdata uint64, kind uint8, fd uint32) []byte {
	b := make([]byte, 48)
	binary.LittleEndian.PutUint64(b, userdata)
	b[8] = kind
	binary.LittleEndian.PutUint32(b[16:], fd)
	return b
}

type event struct {
	userdata uint64
	errno    uint16
	kind     uint8
	nbytes   uint64
	flags    uint16
}

// poll writes subs at buf, calls poll_oneoff and returns the events and
// how long the call took.
func poll(t *testing.T, env *wasitest.Env, subs ...[]byte) ([]event, time.Duration) {
	t.Helper()
	var in []byte
	for _, s := range subs {
		in = append(in, s...)
	}
	env.Put(t, buf, in)
	start := time.Now()
	expect(t, "poll_oneoff", env.Call(t, "poll_oneoff", buf, buf2, uint64(len(subs)), result), eSUCCESS)
	took := time.Since(start)
	n := env.U32(t, result)
	if n == 0 || n > uint32(len(subs)) {
		t.Fatalf("nevents = %d for %d subscriptions", n, len(subs))
	}
	var out []event
	le := binary.LittleEndian
	for i := uint32(0); i < n; i++ {
		b := env.Get(t, buf2+32*i, 32)
		out = append(out, event{le.Uint64(b), le.Uint16(b[8:]), b[10], le.Uint64(b[16:]), le.Uint16(b[24:])})
	}
	return out, took
}

func oneEvent(t *testing.T, got []event, want event) {
	t.Helper()
	if len(got) != 1 || got[0] != want {
		t.Fatalf("events = %+v, want [%+v]", got, want)
	}
}

const (
	clockRealtime  = 0
	clockMonotonic = 1
	clockProcess   = 2
	clockThread    = 3
)

func TestPollOneoffClock(t *testing.T) {
	env := newEnv(t, wasitest.Options{})
	const d = 30 * time.Millisecond

	for _, id := range []uint32{clockRealtime, clockMonotonic, clockProcess, clockThread} {
		evs, took := poll(t, env, clockSub(42, id, uint64(d), 0))
		oneEvent(t, evs, event{userdata: 42, kind: evClock})
		if took < d {
			t.Errorf("relative clock %d: returned after %v, want >= %v", id, took, d)
		}
	}

	// Absolute deadlines in the past fire at once.
	now := uint64(env.Kernel.Clock.Now().UnixNano())
	mono := uint64(env.Kernel.Clock.Monotonic())
	for _, sub := range [][]byte{
		clockSub(1, clockRealtime, now-uint64(time.Hour), abstime),
		clockSub(1, clockMonotonic, 0, abstime),
		clockSub(1, clockMonotonic, mono, abstime),
	} {
		evs, took := poll(t, env, sub)
		oneEvent(t, evs, event{userdata: 1, kind: evClock})
		if took > time.Second {
			t.Errorf("absolute clock in the past took %v", took)
		}
	}

	// An absolute deadline in the future is waited for.
	now = uint64(env.Kernel.Clock.Now().UnixNano())
	evs, took := poll(t, env, clockSub(2, clockRealtime, now+uint64(d), abstime))
	oneEvent(t, evs, event{userdata: 2, kind: evClock})
	if took < d-5*time.Millisecond {
		t.Errorf("absolute realtime clock returned after %v, want about %v", took, d)
	}

	// Zero timeout: immediate.
	evs, _ = poll(t, env, clockSub(3, clockMonotonic, 0, 0))
	oneEvent(t, evs, event{userdata: 3, kind: evClock})

	// The earliest of several clocks fires; later ones are not reported.
	evs, took = poll(t, env, clockSub(4, clockMonotonic, uint64(time.Hour), 0), clockSub(5, clockMonotonic, uint64(d), 0))
	oneEvent(t, evs, event{userdata: 5, kind: evClock})
	if took < d || took > 10*time.Second {
		t.Errorf("two clocks took %v", took)
	}

	// Bad clocks report EINVAL in their event, at once.
	for _, sub := range [][]byte{
		clockSub(6, 4, uint64(time.Hour), 0),
		clockSub(6, 0xffffffff, 0, 0),
		clockSub(6, clockProcess, 0, abstime),
	} {
		evs, took := poll(t, env, sub)
		oneEvent(t, evs, event{userdata: 6, kind: evClock, errno: eINVAL})
		if took > time.Second {
			t.Errorf("bad clock took %v", took)
		}
	}
}

func TestPollOneoffFd(t *testing.T) {
	env := newEnv(t, wasitest.Options{})
	long := clockSub(99, clockMonotonic, uint64(time.Hour), 0)

	// A regular file is always ready; nbytes is what is left to read.
	evs, _ := poll(t, env, fdSub(7, evFdRead, fdFile), long)
	oneEvent(t, evs, event{userdata: 7, kind: evFdRead, nbytes: fileSize})
	env.PutIovecs(t, iovs, [2]uint32{0x3000, 5})
	expect(t, "fd_read", env.Call(t, "fd_read", fdFile, iovs, 1, result2), eSUCCESS)
	evs, _ = poll(t, env, fdSub(7, evFdRead, fdFile))
	oneEvent(t, evs, event{userdata: 7, kind: evFdRead, nbytes: fileSize - 5})
	expect(t, "fd_seek", env.Call(t, "fd_seek", fdFile, 100, 0, result2), eSUCCESS)
	evs, _ = poll(t, env, fdSub(7, evFdRead, fdFile))
	oneEvent(t, evs, event{userdata: 7, kind: evFdRead, nbytes: 0})

	evs, _ = poll(t, env, fdSub(8, evFdWrite, fdFileWO))
	oneEvent(t, evs, event{userdata: 8, kind: evFdWrite})
	evs, _ = poll(t, env, fdSub(8, evFdWrite, fdStdout))
	oneEvent(t, evs, event{userdata: 8, kind: evFdWrite})

	// A stream at its end is readable and hung up.
	evs, _ = poll(t, env, fdSub(6, evFdRead, fdStdin))
	oneEvent(t, evs, event{userdata: 6, kind: evFdRead, flags: 1})

	// A bad descriptor is an event carrying EBADF, not a failed call.
	evs, took := poll(t, env, fdSub(9, evFdRead, fdClosed), long)
	oneEvent(t, evs, event{userdata: 9, kind: evFdRead, errno: eBADF})
	if took > time.Second {
		t.Errorf("bad fd took %v", took)
	}
	evs, _ = poll(t, env, fdSub(9, evFdWrite, 0xffffffff))
	oneEvent(t, evs, event{userdata: 9, kind: evFdWrite, errno: eBADF})

	// Several ready subscriptions are all reported, in order.
	evs, _ = poll(t, env, fdSub(1, evFdRead, fdFileRO), long, fdSub(2, evFdRead, fdClosed), fdSub(3, evFdWrite, fdNull))
	want := []event{{1, 0, evFdRead, fileSize, 0}, {2, eBADF, evFdRead, 0, 0}, {3, 0, evFdWrite, 0, 0}}
	if len(evs) != 3 || evs[0] != want[0] || evs[1] != want[1] || evs[2] != want[2] {
		t.Errorf("events = %+v, want %+v", evs, want)
	}
}

func TestPollOneoffWaits(t *testing.T) {
	env := newEnv(t, wasitest.Options{})
	s := &wasitest.Stream{}
	fd := uint32(env.Install(t, vfs.NewFile(s, vfs.Dentry{}, vfs.O_RDONLY)))

	// Not ready: the clock fires.
	const d = 20 * time.Millisecond
	evs, took := poll(t, env, fdSub(1, evFdRead, fd), clockSub(2, clockMonotonic, uint64(d), 0))
	oneEvent(t, evs, event{userdata: 2, kind: evClock})
	if took < d {
		t.Errorf("returned after %v", took)
	}

	// Data arriving while the poll waits wakes it.
	go func() {
		time.Sleep(d)
		s.Write([]byte("x"))
	}()
	evs, took = poll(t, env, fdSub(1, evFdRead, fd), clockSub(2, clockMonotonic, uint64(time.Hour), 0))
	oneEvent(t, evs, event{userdata: 1, kind: evFdRead})
	if took > 10*time.Second {
		t.Errorf("wake-up took %v", took)
	}
}

func TestPollOneoffErrors(t *testing.T) {
	env := newEnv(t, wasitest.Options{})
	env.Put(t, buf, clockSub(1, clockMonotonic, 0, 0))
	expect(t, "nsubscriptions 0", env.Call(t, "poll_oneoff", buf, buf2, 0, result), eINVAL)
	expect(t, "nsubscriptions 4097", env.Call(t, "poll_oneoff", 0, 0, 4097, result), eINVAL)
	expect(t, "nsubscriptions huge", env.Call(t, "poll_oneoff", 0, 0, 0xffffffff, result), eINVAL)

	bad := fdSub(1, 3, fdFile)
	env.Put(t, buf, bad)
	expect(t, "unknown eventtype", env.Call(t, "poll_oneoff", buf, buf2, 1, result), eINVAL)
}

// TestPollOneoffReleasesFiles checks a call that fails after taking
// references to descriptors drops them.
func TestPollOneoffReleasesFiles(t *testing.T) {
	env := newEnv(t, wasitest.Options{})
	s := &wasitest.Stream{}
	fd := uint32(env.Install(t, vfs.NewFile(s, vfs.Dentry{}, vfs.O_RDONLY)))
	env.Put(t, buf, append(fdSub(1, evFdRead, fd), fdSub(2, 0xff, fd)...))
	expect(t, "poll_oneoff", env.Call(t, "poll_oneoff", buf, buf2, 2, result), eINVAL)
	expect(t, "fd_close", env.Call(t, "fd_close", uint64(fd)), eSUCCESS)
	if n := s.Closes(); n != 1 {
		t.Errorf("file closed %d times after its last descriptor was closed, want 1", n)
	}

	// And after a successful poll.
	s2 := &wasitest.Stream{}
	fd2 := uint32(env.Install(t, vfs.NewFile(s2, vfs.Dentry{}, vfs.O_WRONLY)))
	poll(t, env, fdSub(1, evFdWrite, fd2))
	expect(t, "fd_close", env.Call(t, "fd_close", uint64(fd2)), eSUCCESS)
	if n := s2.Closes(); n != 1 {
		t.Errorf("file closed %d times after a poll, want 1", n)
	}
}

// A signal interrupts a sleeping poll_oneoff (nanosleep): here SIGUSR1,
// whose default action ends the process on the way out of the call.
func TestPollOneoffInterruptedBySignal(t *testing.T) {
	env := newEnv(t, wasitest.Options{})
	env.Put(t, buf, clockSub(1, clockMonotonic, uint64(10*time.Second), 0))
	go func() {
		time.Sleep(50 * time.Millisecond)
		env.Proc.Signal(kernel.SIGUSR1)
	}()
	start := time.Now()
	_, err := env.CallErr("poll_oneoff", buf, buf2, 1, result)
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("poll_oneoff slept %v through a signal", took)
	}
	var ee *sys.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 128+uint32(kernel.SIGUSR1) {
		t.Fatalf("err %v, want the process ended by SIGUSR1", err)
	}
}
