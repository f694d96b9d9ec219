package kernel_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/kernel"
	"github.com/occlumgo/occlum/core/vfs"
)

func TestInfo(t *testing.T) {
	k := newKernel(t, kernel.Limits{})
	p := newProcess(t, k, nil)
	c := newProcess(t, k, p)
	c.SetProgram("/bin/x", "/usr/bin/x", []string{"x", "1"}, []string{"E=1"})
	c.SetMemorySize(func() uint64 { return 5 << 16 })
	c.SetUmask(0o077)
	mask := kernel.SigSet(1 << (kernel.SIGUSR1 - 1))
	c.Sigprocmask(kernel.SigBlock, &mask)
	c.Sigaction(kernel.SIGINT, &kernel.SigAction{Handler: kernel.SigIgn})
	c.Sigaction(kernel.SIGTERM, &kernel.SigAction{Handler: 7})
	c.Signal(kernel.SIGUSR1)

	in := c.Info()
	if in.PID != c.PID || in.PPID != p.PID || in.Pgid != p.PID || in.Sid != kernel.RootPID {
		t.Errorf("ids: %+v", in)
	}
	if in.State != kernel.StateRunning || in.Path != "/bin/x" || in.Exe != "/usr/bin/x" ||
		len(in.Args) != 2 || in.Env[0] != "E=1" || in.Cwd != "/" || in.Umask != 0o077 || in.MemorySize != 5<<16 {
		t.Errorf("info: %+v", in)
	}
	bit := func(s kernel.Signal) kernel.SigSet { return 1 << (s - 1) }
	if in.Pending != bit(kernel.SIGUSR1) || in.Blocked != bit(kernel.SIGUSR1) ||
		in.Ignored != bit(kernel.SIGINT) || in.Caught != bit(kernel.SIGTERM) {
		t.Errorf("signals: %+v", in)
	}

	// Sleeping while in a blocking call.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			c.Block(ctx, nil)
		}
	}()
	deadline := time.Now().Add(5 * time.Second)
	for c.Info().State != kernel.StateSleeping {
		if time.Now().After(deadline) {
			t.Fatal("never sleeping")
		}
		time.Sleep(time.Millisecond)
	}
	if st := k.Stats(); st.Processes != 2 || st.Running != 1 || st.Created != 2 || st.LastPID != c.PID {
		t.Errorf("stats while c sleeps: %+v", st)
	}
	cancel()
	<-done

	c.Exit(kernel.Exited(4))
	in = c.Info()
	if in.State != kernel.StateZombie || in.Status != kernel.Exited(4) || in.MemorySize != 0 {
		t.Errorf("zombie: %+v", in)
	}
	if got := k.PIDs(); len(got) != 2 || got[0] != p.PID || got[1] != c.PID {
		t.Errorf("PIDs = %v", got)
	}
	k.Reap(c)
	if got := k.PIDs(); len(got) != 1 || got[0] != p.PID {
		t.Errorf("PIDs after reap = %v", got)
	}
}

// selfLink is a link to its follower's pid (procfs's self).
type selfLink struct{ vfs.UnimplementedInode }

func (selfLink) Type() vfs.FileType { return vfs.TypeSymlink }
func (selfLink) Stat() (vfs.Stat, errno.Errno) {
	return vfs.Stat{Mode: vfs.TypeSymlink.ModeBits() | 0o777}, 0
}
func (selfLink) Readlink() (string, errno.Errno) { return "", errno.ENOENT }
func (selfLink) ReadlinkAs(c vfs.Caller) (string, errno.Errno) {
	if c == nil {
		return "", errno.ENOENT
	}
	return "/home/" + strconv.Itoa(int(c.CallerPID())), 0
}

// Each process resolves paths in its own view of the namespace: links
// that stand for the caller see it.
func TestProcessVFS(t *testing.T) {
	k := newKernel(t, kernel.Limits{})
	p := newProcess(t, k, nil)
	if p.VFS() == k.VFS || p.VFS().Caller() != p || k.VFS.Caller() != nil {
		t.Fatal("a process has no view of its own")
	}
	if got, e := p.VFS().Readlink("/me"); e != 0 || got != "/home/user" {
		t.Errorf("an ordinary link through the view: %q, %v", got, e)
	}
	// A mount made through the kernel's namespace is seen by the view.
	if e := k.VFS.Mkdir("/mnt", 0o755); e != 0 {
		t.Fatal(e)
	}
	if e := k.VFS.Mount("/mnt", selfFS{}, true, ""); e != 0 {
		t.Fatal(e)
	}
	if e := p.VFS().Mkdir("/home/"+strconv.Itoa(int(p.PID)), 0o755); e != 0 {
		t.Fatal(e)
	}
	if got, e := p.VFS().Readlink("/mnt/self"); e != 0 || got != "/home/"+strconv.Itoa(int(p.PID)) {
		t.Errorf("readlink of a caller link: %q, %v", got, e)
	}
	if st, e := p.VFS().Stat("/mnt/self", true); e != 0 || st.Type() != vfs.TypeDirectory {
		t.Errorf("following a caller link: %v, %v", st.Type(), e)
	}
	if _, e := k.VFS.Readlink("/mnt/self"); e != errno.ENOENT {
		t.Errorf("a caller link without a caller: %v", e)
	}
	// Chdir and Open go through the view.
	if e := p.Chdir("/mnt/self"); e != 0 || p.Cwd() != "/home/"+strconv.Itoa(int(p.PID)) {
		t.Errorf("chdir through a caller link: %v, cwd %q", e, p.Cwd())
	}
}

type selfFS struct{}

func (selfFS) Root() vfs.Inode { return selfDir{} }
func (selfFS) Type() string    { return "self" }

type selfDir struct{ vfs.UnimplementedInode }

func (selfDir) Type() vfs.FileType { return vfs.TypeDirectory }
func (selfDir) Stat() (vfs.Stat, errno.Errno) {
	return vfs.Stat{Ino: 1, Mode: vfs.TypeDirectory.ModeBits() | 0o555}, 0
}
func (selfDir) Lookup(name string) (vfs.Inode, errno.Errno) {
	if name == "self" {
		return selfLink{}, 0
	}
	return nil, errno.ENOENT
}
