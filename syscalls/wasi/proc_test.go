package wasi_test

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/tetratelabs/wazero/sys"

	"github.com/occlumgo/occlum/core/kernel"
	"github.com/occlumgo/occlum/syscalls/internal/wasitest"
)

// exitCode returns the code of the *sys.ExitError err carries.
func exitCode(t *testing.T, err error) uint32 {
	t.Helper()
	var ee *sys.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("error %v (%T) is not a *sys.ExitError", err, err)
	}
	return ee.ExitCode()
}

func TestProcExit(t *testing.T) {
	for _, code := range []uint32{0, 1, 3, 255, 0xffffffff} {
		env := newEnv(t, wasitest.Options{})
		res, err := env.CallErr("proc_exit", uint64(code))
		if got := exitCode(t, err); got != code || res != nil {
			t.Errorf("proc_exit(%d): exit code %d, results %v", code, got, res)
		}
		if !env.Mod.IsClosed() {
			t.Errorf("proc_exit(%d) left the module open", code)
		}
		if sig := env.Proc.TermSignal(); sig != 0 {
			t.Errorf("proc_exit recorded signal %d", sig)
		}
		// The guest is gone: further calls fail.
		if _, err := env.CallErr("sched_yield"); err == nil {
			t.Error("call after proc_exit succeeded")
		}
	}
}

func TestProcRaise(t *testing.T) {
	for _, tc := range []struct {
		name string
		wasi uint64
		want kernel.Signal // 0: returns, no termination
		e    uint32
	}{
		{"none", 0, 0, eSUCCESS},
		{"SIGHUP", 1, 1, 0},
		{"SIGINT", 2, 2, 0},
		{"SIGABRT", 6, kernel.SIGABRT, 0},
		{"SIGKILL", 9, kernel.SIGKILL, 0},
		{"SIGSEGV", 11, kernel.SIGSEGV, 0},
		{"SIGTERM", 15, kernel.SIGTERM, 0},
		{"SIGCHLD ignored", 16, 0, eSUCCESS},
		{"SIGCONT ignored", 17, 0, eSUCCESS},
		{"SIGSTOP ignored", 18, 0, eSUCCESS},
		{"SIGTSTP ignored", 19, 0, eSUCCESS},
		{"SIGTTIN ignored", 20, 0, eSUCCESS},
		{"SIGTTOU ignored", 21, 0, eSUCCESS},
		{"SIGURG ignored", 22, 0, eSUCCESS},
		{"SIGXCPU", 23, kernel.SIGXCPU, 0},
		{"SIGXFSZ", 24, 25, 0},
		{"SIGWINCH ignored", 27, 0, eSUCCESS},
		{"SIGPOLL", 28, 29, 0},
		{"SIGSYS", 30, 31, 0},
		{"31", 31, 0, eINVAL},
		{"64", 64, 0, eINVAL},
		{"-1", 0xffffffff, 0, eINVAL},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newEnv(t, wasitest.Options{})
			res, err := env.CallErr("proc_raise", tc.wasi)
			if tc.want == 0 {
				if err != nil || len(res) != 1 || uint32(res[0]) != tc.e {
					t.Fatalf("proc_raise(%d) = %v, %v, want errno %d", tc.wasi, res, err, tc.e)
				}
				if env.Mod.IsClosed() || env.Proc.TermSignal() != 0 {
					t.Error("proc_raise of an ignored signal terminated the process")
				}
				return
			}
			if code := exitCode(t, err); code != 128+uint32(tc.want) {
				t.Errorf("exit code %d, want %d", code, 128+uint32(tc.want))
			}
			if sig := env.Proc.TermSignal(); sig != tc.want {
				t.Errorf("TermSignal = %d, want %d", sig, tc.want)
			}
			if !env.Mod.IsClosed() {
				t.Error("module still open")
			}
		})
	}
}

func TestSchedYield(t *testing.T) {
	env := newEnv(t, wasitest.Options{})
	for i := 0; i < 3; i++ {
		expect(t, "sched_yield", env.Call(t, "sched_yield"), eSUCCESS)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("no entropy") }

func TestRandomGet(t *testing.T) {
	pattern := bytes.Repeat([]byte{1, 2, 3, 4, 5, 6, 7}, 100)
	env := newEnv(t, wasitest.Options{Random: iotestOneByte(bytes.NewReader(pattern))})
	env.Put(t, buf-1, []byte{0xaa})
	env.Put(t, buf+64, []byte{0xbb})
	expect(t, "random_get", env.Call(t, "random_get", buf, 64), eSUCCESS)
	if got := env.Get(t, buf, 64); !bytes.Equal(got, pattern[:64]) {
		t.Errorf("buffer = %v, want the source's first 64 bytes (filled completely)", got)
	}
	if env.Get(t, buf-1, 1)[0] != 0xaa || env.Get(t, buf+64, 1)[0] != 0xbb {
		t.Error("random_get wrote outside its buffer")
	}
	expect(t, "random_get empty", env.Call(t, "random_get", buf, 0), eSUCCESS)

	// The real source: two draws differ.
	env = newEnv(t, wasitest.Options{})
	expect(t, "random_get", env.Call(t, "random_get", buf, 32), eSUCCESS)
	expect(t, "random_get", env.Call(t, "random_get", buf2, 32), eSUCCESS)
	if bytes.Equal(env.Get(t, buf, 32), env.Get(t, buf2, 32)) || bytes.Equal(env.Get(t, buf, 32), make([]byte, 32)) {
		t.Error("random_get did not fill the buffer with random bytes")
	}
	expect(t, "random_get whole memory", env.Call(t, "random_get", 0, memSize), eSUCCESS)

	env = newEnv(t, wasitest.Options{Random: failingReader{}})
	expect(t, "random_get failing source", env.Call(t, "random_get", buf, 8), 29 /* EIO */)
}

// iotestOneByte returns a reader that reads one byte at a time, so
// random_get must loop to fill its buffer.
func iotestOneByte(r io.Reader) io.Reader { return oneByteReader{r} }

type oneByteReader struct{ r io.Reader }

func (o oneByteReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return o.r.Read(p[:1])
}

func TestSock(t *testing.T) {
	env := newEnv(t, wasitest.Options{})
	for _, fn := range []struct {
		name string
		args func(fd uint64, ptr uint64) []uint64
	}{
		{"sock_accept", func(fd, ptr uint64) []uint64 { return []uint64{fd, 0, ptr} }},
		{"sock_recv", func(fd, ptr uint64) []uint64 { return []uint64{fd, ptr, 1, 0, ptr, ptr} }},
		{"sock_send", func(fd, ptr uint64) []uint64 { return []uint64{fd, ptr, 1, 0, ptr} }},
		{"sock_shutdown", func(fd, _ uint64) []uint64 { return []uint64{fd, 2} }},
	} {
		// The descriptor is checked before any pointer, as Linux does.
		for _, ptr := range []uint64{result, wild} {
			for _, fd := range []uint64{fdFile, fdDir, fdStdout, fdRoot} {
				expect(t, fn.name, env.Call(t, fn.name, fn.args(fd, ptr)...), eNOTSOCK)
			}
			expect(t, fn.name+" closed", env.Call(t, fn.name, fn.args(fdClosed, ptr)...), eBADF)
			expect(t, fn.name+" negative", env.Call(t, fn.name, fn.args(0xffffffff, ptr)...), eBADF)
		}
	}
}

func TestArgsEnviron(t *testing.T) {
	args := []string{"/bin/prog", "-x", "", "héllo wörld"}
	envv := []string{"A=1", "EMPTY=", "PATH=/bin:/usr/bin"}
	env := newEnv(t, wasitest.Options{Args: args, Env: envv})
	for _, tc := range []struct {
		get, sizes string
		list       []string
	}{
		{"args_get", "args_sizes_get", args},
		{"environ_get", "environ_sizes_get", envv},
	} {
		t.Run(tc.get, func(t *testing.T) {
			size := 0
			for _, s := range tc.list {
				size += len(s) + 1
			}
			expect(t, tc.sizes, env.Call(t, tc.sizes, result, result2), eSUCCESS)
			if n, sz := env.U32(t, result), env.U32(t, result2); n != uint32(len(tc.list)) || sz != uint32(size) {
				t.Fatalf("%s = %d, %d, want %d, %d", tc.sizes, n, sz, len(tc.list), size)
			}
			env.Put(t, buf, bytes.Repeat([]byte{0xcc}, 256))
			expect(t, tc.get, env.Call(t, tc.get, result, buf), eSUCCESS)
			for i, want := range tc.list {
				p := env.U32(t, result+4*uint32(i))
				got := env.Get(t, p, uint32(len(want))+1)
				if string(got) != want+"\x00" {
					t.Errorf("%s[%d] at %#x = %q, want %q", tc.get, i, p, got, want+"\x00")
				}
			}
			if env.U32(t, result) != buf {
				t.Errorf("first string at %#x, want %#x", env.U32(t, result), buf)
			}
			if b := env.Get(t, buf+uint32(size), 1); b[0] != 0xcc {
				t.Error("wrote past the strings")
			}
		})
	}

	// A process without arguments or environment.
	env = newEnv(t, wasitest.Options{})
	for _, fn := range []string{"args_sizes_get", "environ_sizes_get"} {
		env.Put(t, result, []byte{9, 9, 9, 9})
		env.Put(t, result2, []byte{9, 9, 9, 9})
		expect(t, fn, env.Call(t, fn, result, result2), eSUCCESS)
		if env.U32(t, result) != 0 || env.U32(t, result2) != 0 {
			t.Errorf("%s = %d, %d", fn, env.U32(t, result), env.U32(t, result2))
		}
	}
	expect(t, "args_get", env.Call(t, "args_get", result, buf), eSUCCESS)
	expect(t, "environ_get", env.Call(t, "environ_get", result, buf), eSUCCESS)
}

func TestClock(t *testing.T) {
	env := newEnv(t, wasitest.Options{})
	for _, id := range []uint64{clockRealtime, clockMonotonic, clockProcess, clockThread} {
		expect(t, "clock_res_get", env.Call(t, "clock_res_get", id, result), eSUCCESS)
		if r := env.U64(t, result); r == 0 || r > uint64(time.Millisecond) {
			t.Errorf("clock_res_get(%d) = %d", id, r)
		}
	}
	for _, id := range []uint64{4, 0xffffffff} {
		expect(t, "clock_res_get bad id", env.Call(t, "clock_res_get", id, result), eINVAL)
		expect(t, "clock_time_get bad id", env.Call(t, "clock_time_get", id, 0, result), eINVAL)
	}

	before := time.Now().UnixNano()
	expect(t, "realtime", env.Call(t, "clock_time_get", clockRealtime, 1, result), eSUCCESS)
	after := time.Now().UnixNano()
	if now := int64(env.U64(t, result)); now < before || now > after {
		t.Errorf("realtime %d not in [%d, %d]", now, before, after)
	}

	for _, id := range []uint64{clockMonotonic, clockProcess, clockThread} {
		expect(t, "clock_time_get", env.Call(t, "clock_time_get", id, 0, result), eSUCCESS)
		t1 := env.U64(t, result)
		time.Sleep(2 * time.Millisecond)
		expect(t, "clock_time_get", env.Call(t, "clock_time_get", id, 0, result), eSUCCESS)
		t2 := env.U64(t, result)
		if t1 == 0 || t2 < t1+uint64(time.Millisecond) {
			t.Errorf("clock %d: %d then %d after 2ms", id, t1, t2)
		}
	}
}
