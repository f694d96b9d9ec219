package kernel_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/fdtable"
	"github.com/occlumgo/occlum/core/kernel"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/fs/ramfs"
)

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time   { return c.t }
func (c fixedClock) Monotonic() int64 { return 1 }

func newKernel(t *testing.T, limits kernel.Limits) *kernel.Kernel {
	t.Helper()
	ns := vfs.NewNamespace(ramfs.New(ramfs.Options{}), false, "root")
	for _, d := range []string{"/home", "/home/user", "/tmp"} {
		if e := ns.Mkdir(d, 0o755); e != 0 {
			t.Fatal(e)
		}
	}
	if e := ns.Symlink("/home/user", "/me"); e != 0 {
		t.Fatal(e)
	}
	f, e := ns.Open("/home/file", vfs.O_CREAT|vfs.O_WRONLY, 0o644, nil)
	if e != 0 {
		t.Fatal(e)
	}
	f.DecRef()
	return kernel.New(ns, fixedClock{time.Unix(1000, 0)}, rand.Reader, limits)
}

func newProcess(t *testing.T, k *kernel.Kernel, parent *kernel.Process) *kernel.Process {
	t.Helper()
	p, e := k.NewProcess(parent, []string{"prog"}, nil, "/", fdtable.New(0))
	if e != 0 {
		t.Fatalf("NewProcess: %v", e)
	}
	return p
}

func TestNew(t *testing.T) {
	k := newKernel(t, kernel.Limits{})
	if !k.Boot.Equal(time.Unix(1000, 0)) {
		t.Errorf("Boot = %v, want the clock's time", k.Boot)
	}
	if k.Count() != 0 {
		t.Errorf("Count = %d", k.Count())
	}
}

func TestPIDs(t *testing.T) {
	k := newKernel(t, kernel.Limits{MaxProcesses: 3})
	init := newProcess(t, k, nil)
	child := newProcess(t, k, init)
	grandchild := newProcess(t, k, child)
	for _, c := range []struct {
		p         *kernel.Process
		pid, ppid int32
	}{{init, 1, 0}, {child, 2, 1}, {grandchild, 3, 2}} {
		if c.p.PID != c.pid || c.p.PPID != c.ppid {
			t.Errorf("pid %d ppid %d, want %d %d", c.p.PID, c.p.PPID, c.pid, c.ppid)
		}
		if got, ok := k.Process(c.pid); !ok || got != c.p {
			t.Errorf("Process(%d) = %p, %v", c.pid, got, ok)
		}
		if c.p.Kernel() != k {
			t.Error("Kernel() is not the kernel")
		}
	}
	// MaxProcesses counts zombies too: EAGAIN until one is reaped.
	if _, e := k.NewProcess(init, nil, nil, "/", fdtable.New(0)); e != errno.EAGAIN {
		t.Errorf("NewProcess over MaxProcesses = %v, want EAGAIN", e)
	}
	grandchild.Exit(kernel.Exited(0))
	if _, e := k.NewProcess(init, nil, nil, "/", fdtable.New(0)); e != errno.EAGAIN {
		t.Errorf("NewProcess with a zombie = %v, want EAGAIN", e)
	}
	k.Reap(grandchild)
	if _, ok := k.Process(3); ok {
		t.Error("reaped process still in the table")
	}
	if k.Count() != 2 {
		t.Errorf("Count after Reap = %d, want 2", k.Count())
	}
	// pids are not reused right away.
	p := newProcess(t, k, init)
	if p.PID != 4 {
		t.Errorf("pid after reap = %d, want 4", p.PID)
	}
	k.Reap(p)
	k.Reap(p) // reaping twice is harmless
	if k.Count() != 2 {
		t.Errorf("Count = %d, want 2", k.Count())
	}
}

func TestNoProcessLimit(t *testing.T) {
	k := newKernel(t, kernel.Limits{})
	for i := range 100 {
		if p := newProcess(t, k, nil); p.PID != int32(i+1) {
			t.Fatalf("pid %d, want %d", p.PID, i+1)
		}
	}
}

func TestConcurrentNewProcess(t *testing.T) {
	k := newKernel(t, kernel.Limits{MaxProcesses: 50})
	var wg sync.WaitGroup
	var ok, again atomic.Int32
	pids := make(chan int32, 100)
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, e := k.NewProcess(nil, nil, nil, "/", fdtable.New(0))
			switch e {
			case 0:
				ok.Add(1)
				pids <- p.PID
			case errno.EAGAIN:
				again.Add(1)
			default:
				t.Errorf("NewProcess: %v", e)
			}
		}()
	}
	wg.Wait()
	close(pids)
	if ok.Load() != 50 || again.Load() != 50 {
		t.Errorf("%d created, %d EAGAIN; want 50 and 50", ok.Load(), again.Load())
	}
	seen := map[int32]bool{}
	for pid := range pids {
		if seen[pid] {
			t.Errorf("pid %d given twice", pid)
		}
		seen[pid] = true
	}
}

func TestChdirAbs(t *testing.T) {
	k := newKernel(t, kernel.Limits{})
	p := newProcess(t, k, nil)
	if p.Cwd() != "/" {
		t.Errorf("Cwd = %q", p.Cwd())
	}
	for _, c := range []struct {
		path string
		want errno.Errno
		cwd  string
	}{
		{"home", 0, "/home"},
		{"user", 0, "/home/user"},
		{"..", 0, "/home"},
		{"/me", 0, "/home/user"}, // canonical: the symlink is expanded
		{"../../tmp/.", 0, "/tmp"},
		{"/home/file", errno.ENOTDIR, "/tmp"},
		{"/nope", errno.ENOENT, "/tmp"},
		{"", errno.ENOENT, "/tmp"},
		{"/", 0, "/"},
	} {
		if e := p.Chdir(c.path); e != c.want {
			t.Errorf("Chdir(%q) = %v, want %v", c.path, e, c.want)
		}
		if p.Cwd() != c.cwd {
			t.Errorf("after Chdir(%q): Cwd %q, want %q", c.path, p.Cwd(), c.cwd)
		}
	}
	if e := p.Chdir("/home"); e != 0 {
		t.Fatal(e)
	}
	for in, want := range map[string]string{
		"file": "/home/file", "/abs": "/abs", "a/../b": "/home/a/../b", ".": "/home/.", "": "",
	} {
		if got := p.Abs(in); got != want {
			t.Errorf("Abs(%q) = %q, want %q", in, got, want)
		}
	}
	// Open resolves relative to the working directory; the empty path is
	// ENOENT, as on Linux, not the working directory.
	f, e := p.Open("file", vfs.O_RDONLY, 0)
	if e != 0 || f.Path() != "/home/file" {
		t.Errorf("Open(file) = %v, path %q", e, f.Path())
	} else {
		f.DecRef()
	}
	if _, e := p.Open("", vfs.O_RDONLY, 0); e != errno.ENOENT {
		t.Errorf("Open(\"\") = %v, want ENOENT", e)
	}
}

func TestUmask(t *testing.T) {
	k := newKernel(t, kernel.Limits{})
	p := newProcess(t, k, nil)
	if m := p.Umask(); m != 0o022 {
		t.Errorf("default umask %#o, want 022", m)
	}
	f, e := p.Open("/tmp/a", vfs.O_CREAT|vfs.O_WRONLY, 0o666)
	if e != 0 {
		t.Fatal(e)
	}
	f.DecRef()
	if st, _ := k.VFS.Stat("/tmp/a", false); st.Perm() != 0o644 {
		t.Errorf("created with umask 022: %#o, want 0644", st.Perm())
	}
	if old := p.SetUmask(0o7077); old != 0o022 {
		t.Errorf("SetUmask returned %#o, want 022", old)
	}
	if m := p.Umask(); m != 0o077 {
		t.Errorf("umask %#o, want 077 (only permission bits are kept)", m)
	}
	f, e = p.Open("/tmp/b", vfs.O_CREAT|vfs.O_WRONLY, 0o777)
	if e != 0 {
		t.Fatal(e)
	}
	f.DecRef()
	if st, _ := k.VFS.Stat("/tmp/b", false); st.Perm() != 0o700 {
		t.Errorf("created with umask 077: %#o, want 0700", st.Perm())
	}
}

type closeCounter struct {
	vfs.UnimplementedFile
	n atomic.Int32
}

func (c *closeCounter) Close() errno.Errno { c.n.Add(1); return 0 }

func TestExit(t *testing.T) {
	k := newKernel(t, kernel.Limits{})
	fds := fdtable.New(0)
	c := &closeCounter{}
	if _, e := fds.Insert(vfs.NewFile(c, vfs.Dentry{}, vfs.O_RDWR), 0, false); e != 0 {
		t.Fatal(e)
	}
	p, e := k.NewProcess(nil, nil, nil, "/", fds)
	if e != 0 {
		t.Fatal(e)
	}
	select {
	case <-p.Done():
		t.Fatal("Done closed before Exit")
	default:
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i == 0 {
				p.Exit(kernel.Exited(3))
				return
			}
			<-p.Done()
			_ = p.Status()
		}()
	}
	wg.Wait()
	p.Exit(kernel.Signaled(kernel.SIGKILL)) // ignored: only the first Exit counts
	if s := p.Status(); !s.IfExited() || s.ExitCode() != 3 {
		t.Errorf("status %#x, want exited 3", uint32(s))
	}
	if n := c.n.Load(); n != 1 {
		t.Errorf("descriptor closed %d times, want 1", n)
	}
	if fds.Count() != 0 {
		t.Errorf("%d fds open after Exit", fds.Count())
	}
	// Exit is safe without an fd table and from many goroutines at once.
	q, _ := k.NewProcess(nil, nil, nil, "/", nil)
	for range 4 {
		wg.Add(1)
		go func() { defer wg.Done(); q.Exit(kernel.Exited(1)) }()
	}
	wg.Wait()
	<-q.Done()
	if q.Status().ExitCode() != 1 {
		t.Errorf("status %#x", uint32(q.Status()))
	}
	// The zombie stays in the table until reaped.
	if _, ok := k.Process(p.PID); !ok {
		t.Error("exited process left the table before Reap")
	}
	if q.TermSignal() != 0 {
		t.Errorf("TermSignal = %d without Terminate", q.TermSignal())
	}
}

func TestWaitStatus(t *testing.T) {
	for _, c := range []struct {
		s        kernel.WaitStatus
		raw      uint32
		exited   bool
		code     int
		signaled bool
		sig      kernel.Signal
		shell    int
	}{
		{kernel.Exited(0), 0, true, 0, false, 0, 0},
		{kernel.Exited(3), 0x300, true, 3, false, 0, 3},
		{kernel.Exited(255), 0xff00, true, 255, false, 0, 255},
		{kernel.Signaled(kernel.SIGKILL), 9, false, 0, true, kernel.SIGKILL, 137},
		{kernel.Signaled(kernel.SIGSEGV), 11, false, 0, true, kernel.SIGSEGV, 139},
		{kernel.Signaled(kernel.SIGPIPE), 13, false, 0, true, kernel.SIGPIPE, 141},
		{kernel.Signaled(kernel.SIGHUP), 1, false, 0, true, kernel.SIGHUP, 129},
		// Linux's core-dump bit does not change the signal.
		{kernel.Signaled(kernel.SIGABRT) | 0x80, 0x86, false, 0, true, kernel.SIGABRT, 134},
		// 0x7f is a stopped child (WIFSTOPPED): neither exited nor signaled.
		{kernel.WaitStatus(0x137f), 0x137f, false, 0x13, false, 0x7f, 0x13},
	} {
		if uint32(c.s) != c.raw {
			t.Errorf("status %#x, want %#x", uint32(c.s), c.raw)
		}
		if c.s.IfExited() != c.exited || c.s.IfSignaled() != c.signaled {
			t.Errorf("%#x: IfExited %v IfSignaled %v", c.raw, c.s.IfExited(), c.s.IfSignaled())
		}
		if c.exited && c.s.ExitCode() != c.code {
			t.Errorf("%#x: ExitCode %d, want %d", c.raw, c.s.ExitCode(), c.code)
		}
		if c.signaled && c.s.Signal() != c.sig {
			t.Errorf("%#x: Signal %d, want %d", c.raw, c.s.Signal(), c.sig)
		}
		if c.exited && c.s.Signal() != 0 {
			t.Errorf("%#x: Signal %d for an exit", c.raw, c.s.Signal())
		}
		if (c.exited || c.signaled) && c.s.ShellStatus() != c.shell {
			t.Errorf("%#x: ShellStatus %d, want %d", c.raw, c.s.ShellStatus(), c.shell)
		}
	}
	// Signal numbers beyond 7 bits cannot be encoded and are cut, as the
	// wait status has 7 bits for them.
	if s := kernel.Signaled(kernel.Signal(0x85)); s.Signal() != 5 {
		t.Errorf("Signaled(0x85).Signal() = %d", s.Signal())
	}
}

func TestDefaultIgnored(t *testing.T) {
	ignored := map[kernel.Signal]bool{17: true, 18: true, 19: true, 20: true, 21: true, 22: true, 23: true, 28: true}
	for s := kernel.Signal(1); s <= 64; s++ {
		if got := s.DefaultIgnored(); got != ignored[s] {
			t.Errorf("signal %d: DefaultIgnored %v, want %v", s, got, ignored[s])
		}
	}
	for _, s := range []kernel.Signal{kernel.SIGKILL, kernel.SIGTERM, kernel.SIGPIPE, kernel.SIGINT, kernel.SIGSEGV, kernel.SIGXCPU} {
		if s.DefaultIgnored() {
			t.Errorf("signal %d is ignored by default", s)
		}
	}
}

func TestContext(t *testing.T) {
	k := newKernel(t, kernel.Limits{})
	p := newProcess(t, k, nil)
	ctx := kernel.WithProcess(context.Background(), p)
	if got := kernel.ProcessFrom(ctx); got != p {
		t.Errorf("ProcessFrom = %p, want %p", got, p)
	}
	if got := kernel.ProcessFrom(context.Background()); got != nil {
		t.Errorf("ProcessFrom(empty) = %p", got)
	}
}

// A child's SIGCHLD is queued before a wait can reap it, as on Linux: a
// waitpid that returns the child's status finds the signal there (it once
// raced: the wait could see the exit and return first).
func TestSIGCHLDBeforeReap(t *testing.T) {
	k := newKernel(t, kernel.Limits{})
	parent, e := k.NewProcess(nil, nil, nil, "/", nil)
	if e != 0 {
		t.Fatal(e)
	}
	if _, e := parent.Sigaction(kernel.SIGCHLD, &kernel.SigAction{Handler: 5}); e != 0 {
		t.Fatal(e)
	}
	set := kernel.SigSet(1) << (kernel.SIGCHLD - 1)
	if _, e := parent.Sigprocmask(kernel.SigBlock, &set); e != 0 {
		t.Fatal(e)
	}
	for i := 0; i < 300; i++ {
		c, e := k.NewProcess(parent, nil, nil, "/", nil)
		if e != 0 {
			t.Fatal(e)
		}
		go c.Exit(kernel.Exited(0))
		pid, _, e := parent.Wait4(context.Background(), nil, c.PID, 0)
		if e != 0 || pid != c.PID {
			t.Fatalf("wait4: %d %v", pid, e)
		}
		if parent.Sigpending()&set == 0 {
			t.Fatalf("round %d: the child was reaped before its SIGCHLD was queued", i)
		}
		// Drop the pending SIGCHLD for the next round.
		if _, e := parent.Sigaction(kernel.SIGCHLD, &kernel.SigAction{Handler: kernel.SigIgn}); e != 0 {
			t.Fatal(e)
		}
		if _, e := parent.Sigaction(kernel.SIGCHLD, &kernel.SigAction{Handler: 5}); e != 0 {
			t.Fatal(e)
		}
	}
}

// A child and its parent exiting at the same moment leave nothing behind
// when nobody can wait any more: the child, not yet a zombie while its
// parent handed it on, is reaped by its own exit (it once stayed in the
// table for ever, "zombie of 0", after a fork bomb).
func TestParentAndChildExitTogether(t *testing.T) {
	for _, pidOne := range []bool{true, false} {
		k := newKernel(t, kernel.Limits{})
		if !pidOne {
			if p, e := k.NewProcess(nil, nil, nil, "/", nil); e != 0 {
				t.Fatal(e)
			} else {
				p.Exit(kernel.Exited(0))
				k.Reap(p) // the next root is pid 2
			}
		}
		root, e := k.NewProcess(nil, nil, nil, "/", nil)
		if e != 0 {
			t.Fatal(e)
		}
		mid, e := k.NewProcess(root, nil, nil, "/", nil)
		if e != 0 {
			t.Fatal(e)
		}
		leaf, e := k.NewProcess(mid, nil, nil, "/", nil)
		if e != 0 {
			t.Fatal(e)
		}
		// The leaf's parent and the root exit while the leaf is between
		// telling its parent and becoming a zombie.
		restore := kernel.SetTestHookExitGap(func(p *kernel.Process) {
			if p == leaf {
				mid.Exit(kernel.Exited(0))
				root.Exit(kernel.Exited(0))
			}
		})
		leaf.Exit(kernel.Exited(0))
		restore()
		k.Reap(root)
		if n := k.Count(); n != 0 {
			var left []string
			for _, p := range k.Processes() {
				left = append(left, fmt.Sprintf("%d(parent %d)", p.PID, p.Parent()))
			}
			t.Fatalf("root is pid 1: %v; %d processes left: %v", pidOne, n, left)
		}
	}
}
