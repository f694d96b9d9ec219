package procfs_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/eventfd"
	"github.com/occlumgo/occlum/core/fdtable"
	"github.com/occlumgo/occlum/core/kernel"
	"github.com/occlumgo/occlum/core/pipe"
	"github.com/occlumgo/occlum/core/vfs"
	"github.com/occlumgo/occlum/fs/devfs"
	"github.com/occlumgo/occlum/fs/fstest"
	"github.com/occlumgo/occlum/fs/procfs"
	"github.com/occlumgo/occlum/fs/ramfs"
)

// clock is a kernel clock that stands still unless moved.
type clock struct{ now atomic.Int64 }

func (c *clock) Now() time.Time   { return time.Unix(0, c.now.Load()) }
func (c *clock) Monotonic() int64 { return c.now.Load() }

// meter is a fixed kernel.MemoryMeter.
type meter uint64

func (m meter) MemoryUsed() uint64 { return uint64(m) }

// env is a kernel over a ramfs root with procfs at /proc and devfs at
// /dev.
type env struct {
	k     *kernel.Kernel
	ns    *vfs.Namespace
	proc  *procfs.FileSystem
	clock *clock
}

func newEnv(t *testing.T) *env {
	t.Helper()
	root := ramfs.New(ramfs.Options{})
	ns := vfs.NewNamespace(root, false, "")
	for _, d := range []string{"/proc", "/dev", "/tmp", "/bin"} {
		if e := ns.Mkdir(d, 0o755); e != 0 {
			t.Fatal(e)
		}
	}
	c := &clock{}
	c.now.Store(time.Now().Add(-time.Hour).UnixNano())
	proc := procfs.New(procfs.Options{MountTypes: []string{"ramfs", "procfs", "devfs"}, CPUs: 3})
	if e := ns.Mount("/proc", proc, false, ""); e != 0 {
		t.Fatal(e)
	}
	if e := ns.Mount("/dev", devfs.New(devfs.Options{}), false, ""); e != 0 {
		t.Fatal(e)
	}
	k := kernel.New(ns, c, rand.Reader, kernel.Limits{UserSpaceSize: 256 << 20})
	k.Memory = meter(48 << 20)
	proc.BindKernel(k)
	return &env{k: k, ns: ns, proc: proc, clock: c}
}

// spawn adds a process running path (args[0] is its base name) in cwd
// with fds 0, 1 and 2 on /dev/null.
func (e *env) spawn(t *testing.T, parent *kernel.Process, path string, args ...string) *kernel.Process {
	t.Helper()
	fds := fdtable.New(0)
	for fd := int32(0); fd < 3; fd++ {
		f, er := e.ns.Open("/dev/null", vfs.O_RDWR, 0, nil)
		if er != 0 {
			t.Fatal(er)
		}
		fds.Set(fd, f, false)
	}
	argv := append([]string{path[strings.LastIndexByte(path, '/')+1:]}, args...)
	p, er := e.k.NewProcess(parent, argv, []string{"A=1", "PATH=/bin"}, "/tmp", fds)
	if er != 0 {
		t.Fatal(er)
	}
	p.SetProgram(path, path, argv, []string{"A=1", "PATH=/bin"})
	p.SetMemorySize(func() uint64 { return 3 << 20 })
	return p
}

// read returns the content of p as seen by the namespace view ns.
func read(t *testing.T, ns *vfs.Namespace, p string) string {
	t.Helper()
	s, er := tryRead(ns, p)
	if er != 0 {
		t.Fatalf("read %s: %v", p, er)
	}
	return s
}

func tryRead(ns *vfs.Namespace, p string) (string, errno.Errno) {
	f, er := ns.Open(p, vfs.O_RDONLY, 0, nil)
	if er != 0 {
		return "", er
	}
	defer f.DecRef()
	var out []byte
	buf := make([]byte, 7) // small reads: the snapshot must hold across them
	for {
		n, er := f.Read(buf)
		if er != 0 {
			return string(out), er
		}
		if n == 0 {
			return string(out), 0
		}
		out = append(out, buf[:n]...)
	}
}

func list(t *testing.T, ns *vfs.Namespace, p string) []string {
	t.Helper()
	names, er := tryList(ns, p)
	if er != 0 {
		t.Fatalf("readdir %s: %v", p, er)
	}
	return names
}

func tryList(ns *vfs.Namespace, p string) ([]string, errno.Errno) {
	f, er := ns.Open(p, vfs.O_RDONLY|vfs.O_DIRECTORY, 0, nil)
	if er != 0 {
		return nil, er
	}
	defer f.DecRef()
	ents, er := f.ReadDir(0)
	if er != 0 {
		return nil, er
	}
	var out []string
	for _, d := range ents[2:] {
		out = append(out, d.Name)
	}
	return out, 0
}

func expect(t *testing.T, what string, got, want errno.Errno) {
	t.Helper()
	if got != want {
		t.Errorf("%s: got %v, want %v", what, got, want)
	}
}

func TestSelf(t *testing.T) {
	e := newEnv(t)
	p := e.spawn(t, nil, "/bin/init")
	q := e.spawn(t, p, "/bin/child")
	for _, c := range []*kernel.Process{p, q} {
		ns := c.VFS()
		if got, er := ns.Readlink("/proc/self"); er != 0 || got != strconv.Itoa(int(c.PID)) {
			t.Errorf("pid %d: readlink /proc/self = %q, %v", c.PID, got, er)
		}
		if got := read(t, ns, "/proc/self/comm"); got != c.Args[0]+"\n" {
			t.Errorf("pid %d: /proc/self/comm = %q", c.PID, got)
		}
		st, er := ns.Stat("/proc/self", true)
		if er != 0 || st.Type() != vfs.TypeDirectory {
			t.Errorf("pid %d: stat /proc/self: %v %v", c.PID, st.Type(), er)
		}
	}
	// The LibOS itself (no caller) has no self, as a Linux kernel thread.
	_, er := e.ns.Readlink("/proc/self")
	expect(t, "readlink /proc/self without a caller", er, errno.ENOENT)
	_, er = e.ns.Stat("/proc/self/stat", true)
	expect(t, "stat /proc/self/stat without a caller", er, errno.ENOENT)
	// Relative resolution through self, and .. out of it.
	if got := read(t, p.VFS(), "/proc/self/../self/cmdline"); got != "init\x00" {
		t.Errorf("cmdline through self/../self = %q", got)
	}
	// /proc/mounts is a link to self/mounts.
	if got, _ := e.ns.Readlink("/proc/mounts"); got != "self/mounts" {
		t.Errorf("readlink /proc/mounts = %q", got)
	}
	if got := read(t, p.VFS(), "/proc/mounts"); !strings.Contains(got, " /proc procfs rw 0 0\n") {
		t.Errorf("/proc/mounts:\n%s", got)
	}
}

func TestRootListsLivePIDs(t *testing.T) {
	e := newEnv(t)
	p := e.spawn(t, nil, "/bin/init")
	c1 := e.spawn(t, p, "/bin/a")
	c2 := e.spawn(t, p, "/bin/b")
	names := list(t, e.ns, "/proc")
	want := []string{"cpuinfo", "filesystems", "loadavg", "meminfo", "mounts", "self", "stat", "sys", "uptime", "version",
		strconv.Itoa(int(p.PID)), strconv.Itoa(int(c1.PID)), strconv.Itoa(int(c2.PID))}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("ls /proc = %v, want %v", names, want)
	}
	c1.Exit(kernel.Exited(3))
	if got := list(t, e.ns, "/proc"); !contains(got, strconv.Itoa(int(c1.PID))) {
		t.Errorf("a zombie is not listed: %v", got)
	}
	e.k.Reap(c1)
	if got := list(t, e.ns, "/proc"); contains(got, strconv.Itoa(int(c1.PID))) {
		t.Errorf("a reaped pid is listed: %v", got)
	}
	_, er := e.ns.Stat("/proc/"+strconv.Itoa(int(c1.PID)), false)
	expect(t, "stat of a reaped pid", er, errno.ENOENT)
	for _, bad := range []string{"0", "01", "+2", "-1", "99999", "2147483648", "x"} {
		_, er := e.ns.Stat("/proc/"+bad, false)
		expect(t, "stat /proc/"+bad, er, errno.ENOENT)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// statFields splits /proc/<pid>/stat: pid, comm (without its
// parentheses), then the fields after it.
func statFields(t *testing.T, s string) []string {
	t.Helper()
	if !strings.HasSuffix(s, "\n") {
		t.Fatalf("stat does not end in a newline: %q", s)
	}
	open, close := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || close < open {
		t.Fatalf("stat without (comm): %q", s)
	}
	f := []string{strings.TrimSpace(s[:open]), s[open+1 : close]}
	return append(f, strings.Fields(s[close+1:])...)
}

func TestStat(t *testing.T) {
	e := newEnv(t)
	p := e.spawn(t, nil, "/bin/init")
	c := e.spawn(t, p, "/bin/a-rather-long-program-name", "x")
	if e := p.Setpgid(c.PID, 0); e != 0 {
		t.Fatal(e)
	}
	mask := kernel.SigSet(1<<(kernel.SIGUSR1-1) | 1<<(kernel.SIGTERM-1))
	c.Sigprocmask(kernel.SigBlock, &mask)
	c.Sigaction(kernel.SIGINT, &kernel.SigAction{Handler: kernel.SigIgn})
	c.Sigaction(kernel.SIGUSR2, &kernel.SigAction{Handler: 5})
	c.Signal(kernel.SIGUSR1) // blocked: stays pending

	e.clock.now.Add(int64(5 * time.Second))
	f := statFields(t, read(t, e.ns, fmt.Sprintf("/proc/%d/stat", c.PID)))
	if len(f) != 52 {
		t.Fatalf("%d fields, want 52: %v", len(f), f)
	}
	start := uint64(c.Started.Sub(e.k.Boot) / (time.Second / procfs.Hz))
	sig := func(s kernel.Signal) uint64 { return 1 << (s - 1) }
	want := map[int]string{
		1:  strconv.Itoa(int(c.PID)),
		2:  "a-rather-long-p", // comm: 15 bytes
		3:  "R",
		4:  strconv.Itoa(int(p.PID)),
		5:  strconv.Itoa(int(c.PID)), // its own group
		6:  "1",                      // the root's session
		7:  "0",                      // no terminal
		8:  "-1",
		9:  "4194304",
		14: "0", 15: "0", 16: "0", 17: "0",
		18: "20", 19: "0",
		20: "1", // threads
		21: "0",
		22: strconv.FormatUint(start, 10),
		23: strconv.Itoa(3 << 20), // vsize: the linear memory, bytes
		24: strconv.Itoa(3 << 20 / 4096),
		25: "18446744073709551615",
		31: strconv.FormatUint(sig(kernel.SIGUSR1), 10),
		32: strconv.FormatUint(sig(kernel.SIGUSR1)|sig(kernel.SIGTERM), 10),
		33: strconv.FormatUint(sig(kernel.SIGINT), 10),
		34: strconv.FormatUint(sig(kernel.SIGUSR2), 10),
		38: "17",
		52: "0",
	}
	for i, w := range want {
		if f[i-1] != w {
			t.Errorf("field %d = %q, want %q", i, f[i-1], w)
		}
	}

	// A process in a blocking call sleeps.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			c.Block(ctx, nil)
		}
	}()
	waitFor(t, "S", func() bool {
		return statFields(t, read(t, e.ns, fmt.Sprintf("/proc/%d/stat", c.PID)))[2] == "S"
	})
	cancel()
	<-done

	// A zombie: Z, no memory, its wait status as exit_code.
	c.Exit(kernel.Exited(7))
	f = statFields(t, read(t, e.ns, fmt.Sprintf("/proc/%d/stat", c.PID)))
	for i, w := range map[int]string{3: "Z", 23: "0", 24: "0", 52: strconv.Itoa(7 << 8)} {
		if f[i-1] != w {
			t.Errorf("zombie: field %d = %q, want %q", i, f[i-1], w)
		}
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// statusMap parses /proc/<pid>/status into its lines' values.
func statusMap(t *testing.T, s string) (map[string]string, []string) {
	t.Helper()
	m := map[string]string{}
	var keys []string
	for _, l := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		k, v, ok := strings.Cut(l, ":\t")
		if !ok {
			t.Fatalf("status line without a tab: %q", l)
		}
		m[k] = v
		keys = append(keys, k)
	}
	return m, keys
}

func TestStatus(t *testing.T) {
	e := newEnv(t)
	p := e.spawn(t, nil, "/bin/init")
	c := e.spawn(t, p, "/bin/prog")
	c.SetUmask(0o027)
	mask := kernel.SigSet(1 << (kernel.SIGHUP - 1))
	c.Sigprocmask(kernel.SigBlock, &mask)
	c.Sigaction(kernel.SIGPIPE, &kernel.SigAction{Handler: kernel.SigIgn})
	c.Sigaction(kernel.SIGCHLD, &kernel.SigAction{Handler: 9})
	m, keys := statusMap(t, read(t, e.ns, fmt.Sprintf("/proc/%d/status", c.PID)))
	pid, ppid := strconv.Itoa(int(c.PID)), strconv.Itoa(int(p.PID))
	want := map[string]string{
		"Name": "prog", "Umask": "0027", "State": "R (running)", "Tgid": pid, "Pid": pid, "PPid": ppid,
		"Uid": "0\t0\t0\t0", "Gid": "0\t0\t0\t0", "FDSize": "64", "NSpid": pid, "NSpgid": strconv.Itoa(int(p.PID)),
		"VmSize": "    3072 kB", "VmRSS": "    3072 kB", "VmPeak": "    3072 kB", "Threads": "1",
		"SigPnd": "0000000000000000", "SigBlk": "0000000000000001", "SigIgn": "0000000000001000",
		"SigCgt": "0000000000010000",
	}
	for k, w := range want {
		if m[k] != w {
			t.Errorf("%s: %q, want %q", k, m[k], w)
		}
	}
	// Linux's order for what both have.
	order := []string{"Name", "Umask", "State", "Tgid", "Ngid", "Pid", "PPid", "TracerPid", "Uid", "Gid",
		"FDSize", "Groups", "VmPeak", "VmSize", "VmRSS", "Threads", "SigQ", "SigPnd", "ShdPnd", "SigBlk",
		"SigIgn", "SigCgt", "CapInh", "voluntary_ctxt_switches"}
	at := map[string]int{}
	for i, k := range keys {
		at[k] = i
	}
	for i := 1; i < len(order); i++ {
		if at[order[i-1]] >= at[order[i]] {
			t.Errorf("%s is not before %s", order[i-1], order[i])
		}
	}
	// Memory lines go once the process has exited, as Linux's do.
	c.Exit(kernel.Exited(0))
	m, _ = statusMap(t, read(t, e.ns, fmt.Sprintf("/proc/%d/status", c.PID)))
	if m["State"] != "Z (zombie)" {
		t.Errorf("zombie State %q", m["State"])
	}
	if _, ok := m["VmSize"]; ok {
		t.Errorf("zombie has VmSize")
	}
	// statm
	if got := read(t, e.ns, fmt.Sprintf("/proc/%d/statm", p.PID)); got != "768 768 0 0 0 768 0\n" {
		t.Errorf("statm = %q", got)
	}
}

func TestCmdlineEnvironLinks(t *testing.T) {
	e := newEnv(t)
	p := e.spawn(t, nil, "/bin/init", "a b", "", "c")
	dir := "/proc/" + strconv.Itoa(int(p.PID))
	if got := read(t, e.ns, dir+"/cmdline"); got != "init\x00a b\x00\x00c\x00" {
		t.Errorf("cmdline = %q", got)
	}
	if got := read(t, e.ns, dir+"/environ"); got != "A=1\x00PATH=/bin\x00" {
		t.Errorf("environ = %q", got)
	}
	for name, want := range map[string]string{"cwd": "/tmp", "exe": "/bin/init", "root": "/"} {
		if got, er := e.ns.Readlink(dir + "/" + name); er != 0 || got != want {
			t.Errorf("readlink %s = %q, %v; want %q", name, got, er, want)
		}
	}
	// cwd is followed as a directory; exe and root too.
	if st, er := e.ns.Stat(dir+"/cwd", true); er != 0 || st.Type() != vfs.TypeDirectory {
		t.Errorf("stat cwd: %v %v", st.Type(), er)
	}
	if got := list(t, e.ns, dir); strings.Join(got, " ") != "cmdline comm cwd environ exe fd fdinfo mounts root stat statm status" {
		t.Errorf("ls %s = %v", dir, got)
	}
	// execve: the new program shows.
	p.SetProgram("/bin/other", "/bin/other", []string{"other", "-x"}, nil)
	if got := read(t, e.ns, dir+"/cmdline"); got != "other\x00-x\x00" {
		t.Errorf("cmdline after exec = %q", got)
	}
	if got := read(t, e.ns, dir+"/comm"); got != "other\n" {
		t.Errorf("comm after exec = %q", got)
	}
	// A zombie has no cmdline, environ, cwd, exe or root.
	p.Exit(kernel.Exited(0))
	for _, name := range []string{"cmdline", "environ"} {
		if got := read(t, e.ns, dir+"/"+name); got != "" {
			t.Errorf("zombie %s = %q", name, got)
		}
	}
	for _, name := range []string{"cwd", "exe", "root"} {
		_, er := e.ns.Readlink(dir + "/" + name)
		expect(t, "zombie readlink "+name, er, errno.ENOENT)
	}
	if got := read(t, e.ns, dir+"/comm"); got != "other\n" {
		t.Errorf("zombie comm = %q", got)
	}
}

func TestFD(t *testing.T) {
	e := newEnv(t)
	p := e.spawn(t, nil, "/bin/init")
	f, er := p.Open("/tmp/data", vfs.O_CREAT|vfs.O_RDWR|vfs.O_APPEND, 0o644)
	if er != 0 {
		t.Fatal(er)
	}
	f.Write([]byte("hello"))
	fdData, _ := p.FDs.Insert(f, 0, true)
	r, w := pipe.New(0)
	rf, wf := vfs.NewFile(r, vfs.Dentry{}, vfs.O_RDONLY), vfs.NewFile(w, vfs.Dentry{}, vfs.O_WRONLY)
	fdR, _ := p.FDs.Insert(rf, 0, false)
	fdW, _ := p.FDs.Insert(wf, 0, false)
	ev := vfs.NewFile(eventfd.New(0, false), vfs.Dentry{}, vfs.O_RDWR)
	fdEv, _ := p.FDs.Insert(ev, 0, false)
	d, er := p.Open("/proc", vfs.O_RDONLY|vfs.O_DIRECTORY, 0)
	if er != 0 {
		t.Fatal(er)
	}
	fdDir, _ := p.FDs.Insert(d, 0, false)

	dir := fmt.Sprintf("/proc/%d", p.PID)
	names := list(t, e.ns, dir+"/fd")
	if want := fmt.Sprint([]string{"0", "1", "2", "3", "4", "5", "6", "7"}); fmt.Sprint(names) != want {
		t.Errorf("ls fd = %v, want %v", names, want)
	}
	if got := list(t, e.ns, dir+"/fdinfo"); fmt.Sprint(got) != fmt.Sprint(names) {
		t.Errorf("ls fdinfo = %v", got)
	}
	st, _ := r.Stat()
	for fd, want := range map[int32]string{
		0: "/dev/null", fdData: "/tmp/data", fdR: fmt.Sprintf("pipe:[%d]", st.Ino), fdW: fmt.Sprintf("pipe:[%d]", st.Ino),
		fdEv: "anon_inode:[eventfd]", fdDir: "/proc",
	} {
		got, er := e.ns.Readlink(fmt.Sprintf("%s/fd/%d", dir, fd))
		if er != 0 || got != want {
			t.Errorf("readlink fd/%d = %q, %v; want %q", fd, got, er, want)
		}
	}
	// Links have Linux's modes: the descriptor's access mode.
	for fd, want := range map[int32]uint32{fdR: 0o500, fdW: 0o300, fdData: 0o700} {
		st, er := e.ns.Stat(fmt.Sprintf("%s/fd/%d", dir, fd), false)
		if er != 0 || st.Type() != vfs.TypeSymlink || st.Perm() != want {
			t.Errorf("lstat fd/%d: %v %#o %v, want symlink %#o", fd, st.Type(), st.Perm(), er, want)
		}
	}
	// A file opened by path is reached through its link.
	if got := read(t, e.ns, fmt.Sprintf("%s/fd/%d", dir, fdData)); got != "hello" {
		t.Errorf("read through fd link = %q", got)
	}
	// fdinfo: offset, octal flags (O_LARGEFILE for a file opened by
	// path, O_CLOEXEC for FD_CLOEXEC), mnt_id, ino.
	fst, _ := f.Stat()
	if got, want := read(t, e.ns, fmt.Sprintf("%s/fdinfo/%d", dir, fdData)),
		fmt.Sprintf("pos:\t5\nflags:\t02102002\nmnt_id:\t0\nino:\t%d\n", fst.Ino); got != want {
		t.Errorf("fdinfo of the file = %q, want %q", got, want)
	}
	if got, want := read(t, e.ns, fmt.Sprintf("%s/fdinfo/%d", dir, fdW)),
		fmt.Sprintf("pos:\t0\nflags:\t01\nmnt_id:\t0\nino:\t%d\n", st.Ino); got != want {
		t.Errorf("fdinfo of the pipe = %q, want %q", got, want)
	}
	// A closed descriptor vanishes.
	p.FDs.Remove(fdEv)
	_, er = e.ns.Readlink(fmt.Sprintf("%s/fd/%d", dir, fdEv))
	expect(t, "readlink of a closed fd", er, errno.ENOENT)
	for _, bad := range []string{"07", "-1", "x", "99"} {
		_, er := e.ns.Stat(dir+"/fd/"+bad, false)
		expect(t, "lstat fd/"+bad, er, errno.ENOENT)
	}
	// A zombie's table is closed.
	p.Exit(kernel.Exited(0))
	if got := list(t, e.ns, dir+"/fd"); len(got) != 0 {
		t.Errorf("zombie fd/ = %v", got)
	}
}

func TestReapedProcessVanishes(t *testing.T) {
	e := newEnv(t)
	p := e.spawn(t, nil, "/bin/init")
	c := e.spawn(t, p, "/bin/child")
	dir := fmt.Sprintf("/proc/%d", c.PID)
	f, er := e.ns.Open(dir+"/stat", vfs.O_RDONLY, 0, nil)
	if er != 0 {
		t.Fatal(er)
	}
	defer f.DecRef()
	d, er := e.ns.Open(dir, vfs.O_RDONLY|vfs.O_DIRECTORY, 0, nil)
	if er != 0 {
		t.Fatal(er)
	}
	defer d.DecRef()
	c.Exit(kernel.Exited(0))
	e.k.Reap(c)
	_, er = f.Read(make([]byte, 100))
	expect(t, "read of an open stat of a reaped process", er, errno.ESRCH)
	_, er = d.ReadDir(0)
	expect(t, "readdir of an open dir of a reaped process", er, errno.ENOENT)
	for _, name := range []string{"", "/stat", "/fd", "/cwd"} {
		_, er := e.ns.Stat(dir+name, false)
		expect(t, "lstat "+dir+name, er, errno.ENOENT)
	}
	// A new process with another pid is not the reaped one's.
	c2 := e.spawn(t, p, "/bin/next")
	if c2.PID == c.PID {
		t.Fatalf("pid reused at once")
	}
}

func TestReadOnly(t *testing.T) {
	e := newEnv(t)
	p := e.spawn(t, nil, "/bin/init")
	ns := p.VFS()
	open := func(path string, fl vfs.OpenFlags) errno.Errno {
		f, er := ns.Open(path, fl, 0o644, nil)
		if er == 0 {
			f.DecRef()
		}
		return er
	}
	self := "/proc/self"
	for _, c := range []struct {
		what string
		got  errno.Errno
		want errno.Errno
	}{
		{"open meminfo for writing", open("/proc/meminfo", vfs.O_WRONLY), errno.EACCES},
		{"open stat rdwr", open(self+"/stat", vfs.O_RDWR), errno.EACCES},
		{"open with O_TRUNC", open("/proc/uptime", vfs.O_WRONLY|vfs.O_TRUNC), errno.EACCES},
		{"open a dir for writing", open("/proc/sys", vfs.O_WRONLY), errno.EISDIR},
		{"create", open("/proc/new", vfs.O_CREAT|vfs.O_WRONLY), errno.ENOENT},
		{"create in a pid dir", open(self+"/new", vfs.O_CREAT|vfs.O_WRONLY), errno.ENOENT},
		{"create excl over an existing", open("/proc/meminfo", vfs.O_CREAT|vfs.O_EXCL|vfs.O_WRONLY), errno.EEXIST},
		{"mkdir", ns.Mkdir("/proc/d", 0o755), errno.ENOENT},
		{"mkdir in fd/", ns.Mkdir(self+"/fd/d", 0o755), errno.ENOENT},
		{"mkdir over an existing", ns.Mkdir("/proc/sys", 0o755), errno.EEXIST},
		{"symlink", ns.Symlink("x", "/proc/l"), errno.ENOENT},
		{"link", ns.Link("/proc/meminfo", "/proc/l2", false), errno.ENOENT},
		{"unlink", ns.Unlink("/proc/meminfo"), errno.EPERM},
		{"unlink a pid file", ns.Unlink(self + "/stat"), errno.EPERM},
		{"unlink an fd", ns.Unlink(self + "/fd/0"), errno.EPERM},
		{"unlink missing", ns.Unlink("/proc/nope"), errno.ENOENT},
		{"rmdir sys", ns.Rmdir("/proc/sys"), errno.EPERM},
		{"rmdir a file", ns.Rmdir("/proc/meminfo"), errno.ENOTDIR},
		{"rmdir a pid", ns.Rmdir(fmt.Sprintf("/proc/%d", p.PID)), errno.EPERM},
		{"rename", ns.Rename("/proc/meminfo", "/proc/x"), errno.EPERM},
		{"rename missing", ns.Rename("/proc/nope", "/proc/x"), errno.ENOENT},
		{"chmod", ns.SetAttr("/proc/meminfo", true, vfs.SetAttr{Mask: vfs.SetMode, Mode: 0o600}), errno.EPERM},
		{"chmod a pid file", ns.SetAttr(self+"/stat", true, vfs.SetAttr{Mask: vfs.SetMode, Mode: 0o600}), errno.EPERM},
		{"chown", ns.SetAttr("/proc/stat", true, vfs.SetAttr{Mask: vfs.SetUid, Uid: 1}), errno.EPERM},
		{"utimens", ns.SetAttr("/proc", true, vfs.SetAttr{Mask: vfs.SetMtime, Mtime: 1}), errno.EPERM},
		{"truncate", ns.SetAttr("/proc/meminfo", true, vfs.SetAttr{Mask: vfs.SetSize}), errno.EPERM},
	} {
		expect(t, c.what, c.got, c.want)
	}
	// An open file refuses changes too.
	f, er := ns.Open("/proc/meminfo", vfs.O_RDONLY, 0, nil)
	if er != 0 {
		t.Fatal(er)
	}
	defer f.DecRef()
	expect(t, "write to a file open for reading", func() errno.Errno { _, e := f.Write([]byte("x")); return e }(), errno.EBADF)
	expect(t, "fchmod", f.SetAttr(vfs.SetAttr{Mask: vfs.SetMode, Mode: 0o600}), errno.EPERM)
}

func TestSystemFiles(t *testing.T) {
	e := newEnv(t)
	p := e.spawn(t, nil, "/bin/init")
	e.spawn(t, p, "/bin/a")
	z := e.spawn(t, p, "/bin/z")
	z.Exit(kernel.Exited(0))

	mem := read(t, e.ns, "/proc/meminfo")
	for _, want := range []string{
		"MemTotal:         262144 kB\n", // user_space_size
		"MemFree:          212992 kB\n", // less what the meter counts
		"MemAvailable:     212992 kB\n",
		"SwapTotal:             0 kB\n",
	} {
		if !strings.Contains(mem, want) {
			t.Errorf("meminfo lacks %q:\n%s", want, mem)
		}
	}
	cpu := read(t, e.ns, "/proc/cpuinfo")
	if n := strings.Count(cpu, "processor\t: "); n != 3 {
		t.Errorf("cpuinfo has %d processors, want 3", n)
	}
	if !strings.Contains(cpu, "model name\t: "+procfs.ModelName+"\n") {
		t.Errorf("cpuinfo lacks the model name:\n%s", cpu)
	}
	e.clock.now.Add(int64(90*time.Second + 250*time.Millisecond))
	if got := read(t, e.ns, "/proc/uptime"); got != "90.25 270.75\n" {
		t.Errorf("uptime = %q", got)
	}
	st := read(t, e.ns, "/proc/stat")
	for _, want := range []string{
		"cpu  0 0 0 27075 0 0 0 0 0 0\n", "cpu0 0 0 0 9025 0 0 0 0 0 0\n", "cpu2 0 0 0 9025 0 0 0 0 0 0\n",
		fmt.Sprintf("btime %d\n", e.k.Boot.Unix()), "processes 3\n", "procs_running 2\n", "procs_blocked 0\n",
	} {
		if !strings.Contains(st, want) {
			t.Errorf("stat lacks %q:\n%s", want, st)
		}
	}
	if got := read(t, e.ns, "/proc/loadavg"); got != fmt.Sprintf("0.00 0.00 0.00 2/3 %d\n", z.PID) {
		t.Errorf("loadavg = %q", got)
	}
	if got := read(t, e.ns, "/proc/filesystems"); got != "nodev\tdevfs\nnodev\tprocfs\nnodev\tramfs\n" {
		t.Errorf("filesystems = %q", got)
	}
	u := kernel.Uname()
	for name, want := range map[string]string{"hostname": u.Nodename, "ostype": u.Sysname, "osrelease": u.Release} {
		if got := read(t, e.ns, "/proc/sys/kernel/"+name); got != want+"\n" {
			t.Errorf("sys/kernel/%s = %q, want %q", name, got, want)
		}
	}
	if got := read(t, e.ns, "/proc/version"); !strings.HasPrefix(got, "Occlum version "+kernel.Release+" ") {
		t.Errorf("version = %q", got)
	}
	e.ns.Mkdir("/tmp/with space", 0o755)
	e.ns.Mount("/tmp/with space", ramfs.New(ramfs.Options{}), true, `src\x`)
	if got, want := read(t, e.ns, fmt.Sprintf("/proc/%d/mounts", p.PID)),
		"ramfs / ramfs rw 0 0\ndevfs /dev devfs rw 0 0\nprocfs /proc procfs rw 0 0\n"+
			`src\134x /tmp/with\040space ramfs ro 0 0`+"\n"; got != want {
		t.Errorf("mounts = %q, want %q", got, want)
	}
	// Sizes are 0, as Linux's; stat of a file still works.
	fst, er := e.ns.Stat("/proc/meminfo", true)
	if er != 0 || fst.Size != 0 || fst.Perm() != 0o444 || fst.Type() != vfs.TypeRegular {
		t.Errorf("stat meminfo: %+v %v", fst, er)
	}
}

func TestUnbound(t *testing.T) {
	fs := procfs.New(procfs.Options{})
	ns := vfs.NewNamespace(fs, false, "")
	if got := list(t, ns, "/"); !contains(got, "meminfo") || len(got) != 10 {
		t.Errorf("ls of an unbound procfs = %v", got)
	}
	if got := read(t, ns, "/loadavg"); got != "0.00 0.00 0.00 0/0 0\n" {
		t.Errorf("loadavg = %q", got)
	}
	_, er := ns.Stat("/1", false)
	expect(t, "a pid without a kernel", er, errno.ENOENT)
}

func TestConformance(t *testing.T) {
	// procfs alone at the root of a namespace, over a process table that
	// does not change while the suite runs: a root process (its program
	// and its open file are procfs files, so that its links resolve
	// there) and a child. (A zombie's cwd, exe and root are listed but do
	// not resolve, as on Linux: TestCmdlineEnvironLinks.)
	proc := procfs.New(procfs.Options{MountTypes: []string{"procfs"}, CPUs: 2})
	ns := vfs.NewNamespace(proc, false, "")
	c := &clock{}
	c.now.Store(time.Now().UnixNano())
	k := kernel.New(ns, c, rand.Reader, kernel.Limits{UserSpaceSize: 64 << 20})
	proc.BindKernel(k)
	p, er := k.NewProcess(nil, []string{"init", "x"}, []string{"E=1"}, "/sys", fdtable.New(0))
	if er != 0 {
		t.Fatal(er)
	}
	p.SetProgram("/version", "/version", []string{"init", "x"}, []string{"E=1"})
	f, er := ns.Open("/cpuinfo", vfs.O_RDONLY, 0, nil)
	if er != 0 {
		t.Fatal(er)
	}
	p.FDs.Insert(f, 0, false)
	c2, _ := k.NewProcess(p, []string{"child"}, nil, "/", fdtable.New(0))
	c2.SetProgram("/uptime", "/uptime", []string{"child"}, nil)

	fx := fstest.Snapshot(t, ns.As(p))
	if len(fx) < 30 {
		t.Fatalf("snapshot of %d entries: %v", len(fx), fx)
	}
	fstest.RunSynthetic(t, proc, p, fx, fstest.Caps{Symlinks: true, Chmod: true, SizeZero: true})
}

// TestSpawnStorm creates and reaps processes from several goroutines while
// others list /proc and read every /proc/<pid>/stat they find: nothing
// panics, every stat read parses, and no listing that starts after a
// reap shows the reaped pid.
func TestSpawnStorm(t *testing.T) {
	e := newEnv(t)
	root := e.spawn(t, nil, "/bin/init")
	const spawners, perSpawner = 4, 300
	var reaped sync.Map // pid -> true, once Reap returned
	var reapedCount atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < spawners; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < perSpawner; j++ {
				fds := fdtable.New(0)
				c, er := e.k.NewProcess(root, []string{"storm"}, nil, "/", fds)
				if er != 0 {
					t.Error(er)
					return
				}
				c.SetProgram("/bin/storm", "/bin/storm", []string{"storm"}, nil)
				f, _ := e.ns.Open("/dev/null", vfs.O_RDONLY, 0, nil)
				fds.Insert(f, 0, false)
				if j%3 == 0 {
					runtime.Gosched()
				}
				c.Exit(kernel.Exited(uint8(j)))
				e.k.Reap(c)
				reaped.Store(c.PID, true)
				reapedCount.Add(1)
			}
		}()
	}
	var readers sync.WaitGroup
	var listings, reads atomic.Int64
	for i := 0; i < 2; i++ {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				// What was reaped before the listing starts.
				before := map[string]bool{}
				reaped.Range(func(k, _ any) bool { before[strconv.Itoa(int(k.(int32)))] = true; return true })
				names, er := tryList(e.ns, "/proc")
				if er != 0 {
					t.Errorf("readdir /proc: %v", er)
					return
				}
				listings.Add(1)
				for _, n := range names {
					if before[n] {
						t.Errorf("pid %s listed after its reap", n)
					}
					if _, err := strconv.Atoi(n); err != nil {
						continue
					}
					for _, file := range []string{"stat", "status", "cmdline", "fd"} {
						if file == "fd" {
							tryList(e.ns, "/proc/"+n+"/fd")
							continue
						}
						s, er := tryRead(e.ns, "/proc/"+n+"/"+file)
						switch er {
						case 0:
							reads.Add(1)
							if file == "stat" && (len(statFields(t, s)) != 52 || statFields(t, s)[0] != n) {
								t.Errorf("bad stat of %s: %q", n, s)
							}
						case errno.ENOENT, errno.ESRCH:
						default:
							t.Errorf("read /proc/%s/%s: %v", n, file, er)
						}
					}
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	if reapedCount.Load() != spawners*perSpawner {
		t.Errorf("reaped %d", reapedCount.Load())
	}
	names := list(t, e.ns, "/proc")
	var pids []string
	for _, n := range names {
		if _, err := strconv.Atoi(n); err == nil {
			pids = append(pids, n)
		}
	}
	sort.Strings(pids)
	if fmt.Sprint(pids) != fmt.Sprint([]string{strconv.Itoa(int(root.PID))}) {
		t.Errorf("after the storm /proc lists %v", pids)
	}
	t.Logf("%d listings, %d reads during %d spawns", listings.Load(), reads.Load(), spawners*perSpawner)
}
