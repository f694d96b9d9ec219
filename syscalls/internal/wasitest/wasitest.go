// Package wasitest runs a syscall table the way a guest sees it: New builds
// a kernel (ramfs root, devfs at /dev, a read-only ramfs at /ro), a process
// laid out as libos.Run lays out the root process (fds 0-2 stdio, fd 3 the
// preopen "/"), registers the table with abi.Instantiate in a real wazero
// runtime, and instantiates a generated guest that imports every function
// and exports a wrapper of the same name. Tests call a syscall with raw
// arguments (Env.Call) against the guest's own one-page linear memory, so
// bounds checks meet wazero's real memory, not a fake.
package wasitest

import (
	"context"
	"crypto/rand"
	"io"
	"sync"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"go.uber.org/zap"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/fdtable"
	"github.com/occlumgo/occlum/core/kernel"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/core/waiter"
	"github.com/occlumgo/occlum/fs/devfs"
	"github.com/occlumgo/occlum/fs/ramfs"
	"github.com/occlumgo/occlum/syscalls/abi"
)

// MemSize is the size of the guest's linear memory (one page, fixed).
const MemSize = 65536

// Options configure New. The zero value is ready to use.
type Options struct {
	Args, Env []string
	Stdin     string // what fd 0 reads before EOF
	// Logger is passed to abi.Instantiate (nil: no trace).
	Logger *zap.Logger
	// Random is the kernel's entropy source (nil: crypto/rand).
	Random io.Reader
}

// Env is one process running the generated guest.
type Env struct {
	Kernel *kernel.Kernel
	Proc   *kernel.Process
	Ctx    context.Context
	Mod    api.Module
	Stdin  *Stream
	Stdout *Stream
	Stderr *Stream
}

// New returns an Env running funcs as the import module "wasi_snapshot_preview1".
func New(t testing.TB, funcs []abi.Func, o Options) *Env {
	t.Helper()
	ns := vfs.NewNamespace(ramfs.New(ramfs.Options{}), false, "")
	for _, d := range []string{"/dev", "/ro"} {
		if e := ns.Mkdir(d, 0o755); e != 0 {
			t.Fatalf("mkdir %s: %v", d, e)
		}
	}
	if e := ns.Mount("/dev", devfs.New(devfs.Options{}), false, "devfs"); e != 0 {
		t.Fatalf("mount /dev: %v", e)
	}
	ro := ramfs.New(ramfs.Options{})
	roNS := vfs.NewNamespace(ro, false, "")
	mustFile(t, roNS, "/file", "read-only")
	if e := ns.Mount("/ro", ro, true, "ro"); e != 0 {
		t.Fatalf("mount /ro: %v", e)
	}
	rnd := o.Random
	if rnd == nil {
		rnd = rand.Reader
	}
	k := kernel.New(ns, kernel.SystemClock(), rnd, kernel.Limits{MaxOpenFiles: 64})

	env := &Env{Kernel: k, Stdin: &Stream{Closed: true}, Stdout: &Stream{}, Stderr: &Stream{}}
	env.Stdin.buf = []byte(o.Stdin)
	fds := fdtable.New(k.Limits.MaxOpenFiles)
	for i, s := range []struct {
		st *Stream
		fl vfs.OpenFlags
	}{{env.Stdin, vfs.O_RDONLY}, {env.Stdout, vfs.O_WRONLY}, {env.Stderr, vfs.O_WRONLY}} {
		fds.Set(int32(i), vfs.NewFile(s.st, vfs.Dentry{}, s.fl), false)
	}
	root, e := ns.Open("/", vfs.O_RDONLY|vfs.O_DIRECTORY, 0, nil)
	if e != 0 {
		t.Fatalf("open /: %v", e)
	}
	if _, e := fds.InsertPreopen(root, "/"); e != 0 {
		t.Fatalf("preopen /: %v", e)
	}
	p, e := k.NewProcess(nil, o.Args, o.Env, "/", fds)
	if e != 0 {
		t.Fatalf("new process: %v", e)
	}
	env.Proc = p

	ctx := context.Background()
	r := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter())
	t.Cleanup(func() {
		r.Close(ctx)
		p.Exit(kernel.Exited(0))
	})
	if _, err := abi.Instantiate(ctx, r, "wasi_snapshot_preview1", funcs, o.Logger); err != nil {
		t.Fatalf("abi.Instantiate: %v", err)
	}
	mod, err := r.Instantiate(ctx, Guest("wasi_snapshot_preview1", funcs))
	if err != nil {
		t.Fatalf("instantiating guest: %v", err)
	}
	env.Mod = mod
	env.Ctx = kernel.WithProcess(ctx, p)
	return env
}

func mustFile(t testing.TB, ns *vfs.Namespace, path, content string) {
	t.Helper()
	f, e := ns.Open(path, vfs.O_WRONLY|vfs.O_CREAT|vfs.O_TRUNC, 0o644, nil)
	if e != 0 {
		t.Fatalf("create %s: %v", path, e)
	}
	defer f.DecRef()
	if _, e := f.Write([]byte(content)); e != 0 {
		t.Fatalf("write %s: %v", path, e)
	}
}

// Call calls the syscall name with raw arguments (i32s as uint64(uint32(v)))
// and returns its WASI errno. A trap or host panic fails the test.
func (env *Env) Call(t testing.TB, name string, params ...uint64) uint32 {
	t.Helper()
	res, err := env.CallErr(name, params...)
	if err != nil {
		t.Fatalf("%s%v: %v", name, params, err)
	}
	if len(res) != 1 {
		t.Fatalf("%s: %d results", name, len(res))
	}
	return uint32(res[0])
}

// CallErr calls the syscall name and returns what wazero returns.
func (env *Env) CallErr(name string, params ...uint64) ([]uint64, error) {
	f := env.Mod.ExportedFunction(name)
	if f == nil {
		panic("wasitest: no function " + name)
	}
	res, err := f.Call(env.Ctx, params...)
	if err == nil && len(res) == 1 {
		seen.Lock()
		if seen.m[name] == nil {
			seen.m[name] = make(map[uint32]bool)
		}
		seen.m[name][uint32(res[0])] = true
		seen.Unlock()
	}
	return res, err
}

// seen records the errnos every syscall returned in this test binary.
var seen = struct {
	sync.Mutex
	m map[string]map[uint32]bool
}{m: make(map[string]map[uint32]bool)}

// Returned reports the errnos name returned so far in this test binary, so
// a TestMain can check every function was driven to success and failure.
func Returned(name string) map[uint32]bool {
	seen.Lock()
	defer seen.Unlock()
	out := make(map[uint32]bool)
	for k := range seen.m[name] {
		out[k] = true
	}
	return out
}

// Mem returns the guest memory.
func (env *Env) Mem() api.Memory { return env.Mod.Memory() }

// Snapshot returns a copy of the whole guest memory.
func (env *Env) Snapshot() []byte {
	b, _ := env.Mem().Read(0, env.Mem().Size())
	return append([]byte(nil), b...)
}

// Put writes b at off.
func (env *Env) Put(t testing.TB, off uint32, b []byte) {
	t.Helper()
	if !env.Mem().Write(off, b) {
		t.Fatalf("write %d bytes at %#x: out of range", len(b), off)
	}
}

// PutString writes s at off and returns (off, len(s)) as call arguments.
func (env *Env) PutString(t testing.TB, off uint32, s string) (uint64, uint64) {
	t.Helper()
	env.Put(t, off, []byte(s))
	return uint64(off), uint64(len(s))
}

// PutIovecs writes an iovec array at off; each entry is {buf, len}.
func (env *Env) PutIovecs(t testing.TB, off uint32, iovs ...[2]uint32) {
	t.Helper()
	for i, v := range iovs {
		o := off + uint32(i)*8
		if !env.Mem().WriteUint32Le(o, v[0]) || !env.Mem().WriteUint32Le(o+4, v[1]) {
			t.Fatalf("iovec at %#x: out of range", o)
		}
	}
}

// Get returns a copy of n bytes at off.
func (env *Env) Get(t testing.TB, off, n uint32) []byte {
	t.Helper()
	b, ok := env.Mem().Read(off, n)
	if !ok {
		t.Fatalf("read %d bytes at %#x: out of range", n, off)
	}
	return append([]byte(nil), b...)
}

// U32 reads a little-endian uint32 at off.
func (env *Env) U32(t testing.TB, off uint32) uint32 {
	t.Helper()
	v, ok := env.Mem().ReadUint32Le(off)
	if !ok {
		t.Fatalf("read u32 at %#x: out of range", off)
	}
	return v
}

// U64 reads a little-endian uint64 at off.
func (env *Env) U64(t testing.TB, off uint32) uint64 {
	t.Helper()
	v, ok := env.Mem().ReadUint64Le(off)
	if !ok {
		t.Fatalf("read u64 at %#x: out of range", off)
	}
	return v
}

// WriteFile creates (or truncates) path with content.
func (env *Env) WriteFile(t testing.TB, path, content string) {
	t.Helper()
	mustFile(t, env.Kernel.VFS, path, content)
}

// ReadFile returns the content of path, or fails the test.
func (env *Env) ReadFile(t testing.TB, path string) string {
	t.Helper()
	f, e := env.Kernel.VFS.Open(path, vfs.O_RDONLY, 0, nil)
	if e != 0 {
		t.Fatalf("open %s: %v", path, e)
	}
	defer f.DecRef()
	var out []byte
	buf := make([]byte, 512)
	for {
		n, e := f.Read(buf)
		if e != 0 {
			t.Fatalf("read %s: %v", path, e)
		}
		if n == 0 {
			return string(out)
		}
		out = append(out, buf[:n]...)
	}
}

// Exists reports whether path exists (without following a final symlink).
func (env *Env) Exists(path string) bool {
	_, e := env.Kernel.VFS.Stat(path, false)
	return e == 0
}

// Open opens path and installs it as a descriptor.
func (env *Env) Open(t testing.TB, path string, flags vfs.OpenFlags) int32 {
	t.Helper()
	f, e := env.Kernel.VFS.Open(path, flags, 0o644, env.Proc.FDs)
	if e != 0 {
		t.Fatalf("open %s: %v", path, e)
	}
	return env.Install(t, f)
}

// Install puts f (whose reference it takes) at the lowest free descriptor.
func (env *Env) Install(t testing.TB, f *vfs.File) int32 {
	t.Helper()
	fd, e := env.Proc.FDs.Insert(f, 0, false)
	if e != 0 {
		t.Fatalf("insert: %v", e)
	}
	return fd
}

// Stream is an in-memory character device: reads take what was written
// (EAGAIN when empty unless Closed, then EOF), readiness changes are
// signalled to registered waiters, and Tty makes it a terminal.
type Stream struct {
	vfs.UnimplementedFile
	Tty    bool
	Closed bool // reads at the end return EOF instead of EAGAIN

	mu     sync.Mutex
	buf    []byte
	q      waiter.Queue
	closes int
}

var (
	_ vfs.FileImpl = (*Stream)(nil)
	_ vfs.Waitable = (*Stream)(nil)
)

// IsTerminal implements wasi.Terminal.
func (s *Stream) IsTerminal() bool { return s.Tty }

// String returns what was written and not yet read.
func (s *Stream) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return string(s.buf)
}

// Closes returns how many times Close was called.
func (s *Stream) Closes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closes
}

func (s *Stream) Read(p []byte) (int, errno.Errno) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.buf) == 0 {
		if s.Closed {
			return 0, 0
		}
		return 0, errno.EAGAIN
	}
	n := copy(p, s.buf)
	s.buf = s.buf[n:]
	return n, 0
}

func (s *Stream) Write(p []byte) (int, errno.Errno) {
	s.mu.Lock()
	s.buf = append(s.buf, p...)
	s.q.Notify(vfs.EventIn)
	s.mu.Unlock()
	return len(p), 0
}

func (s *Stream) Stat() (vfs.Stat, errno.Errno) {
	return vfs.Stat{Mode: vfs.TypeCharDev.ModeBits() | 0o620, Nlink: 1}, 0
}

func (s *Stream) Readiness(mask vfs.Events) vfs.Events {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := vfs.EventOut
	if len(s.buf) > 0 {
		r |= vfs.EventIn
	} else if s.Closed {
		r |= vfs.EventIn | vfs.EventHup // at EOF, as a pipe whose writer is gone
	}
	return r & mask
}

func (s *Stream) EventRegister(e *waiter.Entry)   { s.q.Register(e) }
func (s *Stream) EventUnregister(e *waiter.Entry) { s.q.Unregister(e) }

func (s *Stream) Close() errno.Errno {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closes++
	return 0
}

// Guest encodes a module that imports every function of funcs from module,
// exports a wrapper under each function's name that passes its arguments
// through, and exports a fixed one-page memory as "memory".
func Guest(module string, funcs []abi.Func) []byte {
	out := []byte{0x00, 'a', 's', 'm', 1, 0, 0, 0}
	var types, imports, locals, exports, code [][]byte
	n := uint32(len(funcs))
	for i, f := range funcs {
		params := make([]byte, len(f.Params))
		for j, p := range f.Params {
			params[j] = byte(p.Type)
		}
		results := make([]byte, len(f.Results))
		for j, r := range f.Results {
			results[j] = byte(r)
		}
		ty := append(append([]byte{0x60}, vec(params)...), vec(results)...)
		types = append(types, ty)
		imports = append(imports, concat(name(module), name(f.Name), []byte{0x00}, uleb(uint32(i))))
		locals = append(locals, uleb(uint32(i)))
		exports = append(exports, concat(name(f.Name), []byte{0x00}, uleb(n+uint32(i))))
		body := []byte{0x00} // no locals
		for j := range f.Params {
			body = append(append(body, 0x20), uleb(uint32(j))...) // local.get j
		}
		body = append(append(body, 0x10), uleb(uint32(i))...) // call import i
		body = append(body, 0x0b)
		code = append(code, concat(uleb(uint32(len(body))), body))
	}
	exports = append(exports, concat(name("memory"), []byte{0x02, 0x00}))
	out = section(out, 1, vecOf(types))
	out = section(out, 2, vecOf(imports))
	out = section(out, 3, vecOf(locals))
	out = section(out, 5, vecOf([][]byte{{0x01, 0x01, 0x01}})) // min 1, max 1 page
	out = section(out, 7, vecOf(exports))
	out = section(out, 10, vecOf(code))
	return out
}

func concat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func section(out []byte, id byte, content []byte) []byte {
	return append(append(append(out, id), uleb(uint32(len(content)))...), content...)
}

func vec(b []byte) []byte { return append(uleb(uint32(len(b))), b...) }

func vecOf(items [][]byte) []byte {
	return concat(append([][]byte{uleb(uint32(len(items)))}, items...)...)
}

func name(s string) []byte { return vec([]byte(s)) }

func uleb(v uint32) []byte {
	var out []byte
	for {
		b := byte(v & 0x7f)
		v >>= 7
		if v == 0 {
			return append(out, b)
		}
		out = append(out, b|0x80)
	}
}
