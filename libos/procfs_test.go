package libos

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"golang.org/x/sys/unix"

	"github.com/occlumgo/occlum/config"
	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/fdtable"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/fs/ramfs"
)

// testNamespace mounts a ramfs root holding /dev and /proc, devfs and
// procfs as the default mount table does, through ProvideNamespace.
func testNamespace(t *testing.T, o Options) *vfs.Namespace {
	t.Helper()
	root := ramfs.New(ramfs.Options{})
	seed := vfs.NewNamespace(root, false, "")
	for _, d := range []string{"/dev", "/proc"} {
		if e := seed.Mkdir(d, 0o755); e != 0 {
			t.Fatal(e)
		}
	}
	types := MountTypes()
	types["testroot"] = func(config.Mount, MountEnv) (vfs.FileSystem, error) { return root, nil }
	cfg := *config.Default()
	cfg.Mounts = []config.Mount{{Target: "/", Type: "testroot"}, {Target: "/dev", Type: "devfs"}, {Target: "/proc", Type: "procfs"}}
	o.Config = &cfg
	ns, cleanup, err := ProvideNamespace(o, types, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cleanup)
	return ns
}

// ProvideKernel hands the kernel to procfs, which shows its processes and
// the registered mount types.
func TestProcfsBoundToKernel(t *testing.T) {
	o := Options{}
	ns := testNamespace(t, o)
	k := ProvideKernel(Options{Config: config.Default()}, ns, zap.NewNop())
	p, e := k.NewProcess(nil, []string{"init"}, nil, "/", fdtable.New(0))
	if e != 0 {
		t.Fatal(e)
	}
	p.SetProgram("/bin/init", "/bin/init", []string{"init"}, nil)
	got, e := p.VFS().Readlink("/proc/self")
	if e != 0 || got != strconv.Itoa(int(p.PID)) {
		t.Errorf("readlink /proc/self = %q, %v", got, e)
	}
	f, e := p.VFS().Open("/proc/filesystems", vfs.O_RDONLY, 0, nil)
	if e != 0 {
		t.Fatal(e)
	}
	defer f.DecRef()
	buf := make([]byte, 4096)
	n, _ := f.Read(buf)
	for _, name := range MountTypeNames(MountTypes()) {
		if !strings.Contains(string(buf[:n]), "nodev\t"+name+"\n") {
			t.Errorf("/proc/filesystems lacks %s:\n%s", name, buf[:n])
		}
	}
	if _, e := ns.Stat(fmt.Sprintf("/proc/%d/stat", p.PID), true); e != 0 {
		t.Errorf("stat /proc/<pid>/stat: %v", e)
	}
	// The default mount table has /proc.
	found := false
	for _, m := range config.Default().Mounts {
		found = found || (m.Target == "/proc" && m.Type == "procfs")
	}
	if !found {
		t.Error("config.Default() does not mount procfs at /proc")
	}
}

// openPTY returns the two sides of a new pseudo-terminal, or skips.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Skipf("unlockpt: %v", err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Skipf("ptsname: %v", err)
	}
	s, err := os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("opening the pty: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return m, s
}

// /dev/tty is the LibOS's terminal when its standard input is one, and
// ENXIO otherwise.
func TestDevTTY(t *testing.T) {
	ns := testNamespace(t, Options{Stdin: strings.NewReader("")})
	if _, e := ns.Open("/dev/tty", vfs.O_RDWR, 0, nil); e != errno.ENXIO {
		t.Errorf("open /dev/tty with no terminal: %v, want ENXIO", e)
	}

	master, slave := openPTY(t)
	ns = testNamespace(t, Options{Stdin: slave, Stdout: io.Discard})
	f, e := ns.Open("/dev/tty", vfs.O_RDWR, 0, nil)
	if e != 0 {
		t.Fatalf("open /dev/tty: %v", e)
	}
	defer f.DecRef()
	if term, ok := f.Impl().(interface{ IsTerminal() bool }); !ok || !term.IsTerminal() {
		t.Error("/dev/tty is not a terminal")
	}
	// Written to the terminal (stdout is not one: the input's descriptor).
	if n, e := f.Write([]byte("prompt\n")); n != 7 || e != 0 {
		t.Fatalf("write /dev/tty: %d, %v", n, e)
	}
	master.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 64)
	n, err := master.Read(buf)
	if err != nil || !strings.HasPrefix(string(buf[:n]), "prompt") {
		t.Errorf("the terminal got %q, %v", buf[:n], err)
	}
	// Typed at the terminal, read from /dev/tty.
	if _, err := master.Write([]byte("answer\n")); err != nil {
		t.Fatal(err)
	}
	n, e = f.Read(buf)
	if e != 0 || string(buf[:n]) != "answer\n" {
		t.Errorf("read /dev/tty: %q, %v", buf[:n], e)
	}
}
