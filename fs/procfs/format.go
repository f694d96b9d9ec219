package procfs

import (
	"fmt"
	"strings"
	"time"

	"github.com/occlumgo/occlum/core/epoll"
	"github.com/occlumgo/occlum/core/errno"
	"github.com/occlumgo/occlum/core/eventfd"
	"github.com/occlumgo/occlum/core/kernel"
	"github.com/occlumgo/occlum/core/vfs"
)

// The formats below are Linux's (fs/proc/array.c, meminfo.c, stat.c, ...),
// with the values the LibOS has; docs/procfs.md says which are fixed.

// Hz is USER_HZ: times in /proc are in these clock ticks per second.
const Hz = 100

// pageSize is the page the counts of pages (statm, stat's rss) are in.
const pageSize = 4096

// noMemoryLimit is the memory shown when user_space_size is not
// configured: the wasm32 address space (as sysinfo reports it).
const noMemoryLimit = 1 << 32

// ticks converts a duration to clock ticks (never negative).
func ticks(d time.Duration) uint64 {
	if d < 0 {
		return 0
	}
	return uint64(d / (time.Second / Hz))
}

// State letters and their names in status.
func stateName(s byte) string {
	switch s {
	case kernel.StateSleeping:
		return "S (sleeping)"
	case kernel.StateZombie:
		return "Z (zombie)"
	}
	return "R (running)"
}

// ttyOf returns the tty_nr of the process's controlling terminal and the
// foreground process group, as stat shows them: the LibOS's terminal
// (pts 0, as the host streams report it) when the process's standard input
// is one, else 0 and -1.
func (fs *FileSystem) ttyOf(p *kernel.Process, in kernel.ProcessInfo) (nr int, tpgid int32) {
	if in.State == kernel.StateZombie || p.FDs == nil {
		return 0, -1
	}
	f, e := p.FDs.Get(0)
	if e != 0 {
		return 0, -1
	}
	defer f.DecRef()
	if t, ok := f.Impl().(interface{ IsTerminal() bool }); !ok || !t.IsTerminal() {
		return 0, -1
	}
	tpgid = kernel.RootPID
	if k := fs.kernel(); k != nil {
		if root, ok := k.Process(kernel.RootPID); ok {
			tpgid = root.Pgid()
		}
	}
	return ptsMajor << 8, tpgid
}

// ptsMajor is the major number of Linux's pseudo-terminal slaves.
const ptsMajor = 136

// exitSignal is the signal a parent gets at a child's exit (SIGCHLD).
const exitSignal = 17

// pidStat is /proc/<pid>/stat: Linux's 52 fields.
func (fs *FileSystem) pidStat(p *kernel.Process, in kernel.ProcessInfo) []byte {
	zombie := in.State == kernel.StateZombie
	tty, tpgid := fs.ttyOf(p, in)
	var boot time.Time
	if k := fs.kernel(); k != nil {
		boot = k.Boot
	}
	vsize, rss := in.MemorySize, in.MemorySize/pageSize
	exitCode := 0
	if zombie {
		vsize, rss = 0, 0
		exitCode = int(in.Status)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d (%s) %c %d %d %d %d %d", in.PID, comm(in), in.State, in.PPID, in.Pgid, in.Sid, tty, tpgid)
	// flags (PF_RANDOMIZE, as Linux shows for a user process); page
	// faults; utime stime cutime cstime (not measured); priority nice;
	// num_threads; itrealvalue.
	b.WriteString(" 4194304 0 0 0 0 0 0 0 0 20 0 1 0")
	// starttime vsize rss rsslim (RLIM_INFINITY)
	fmt.Fprintf(&b, " %d %d %d 18446744073709551615", ticks(p.Started.Sub(boot)), vsize, rss)
	// startcode endcode startstack kstkesp kstkeip (hidden, as Linux
	// shows them to others)
	b.WriteString(" 0 0 0 0 0")
	// signal blocked sigignore sigcatch (decimal masks)
	fmt.Fprintf(&b, " %d %d %d %d", uint64(in.Pending), uint64(in.Blocked), uint64(in.Ignored), uint64(in.Caught))
	// wchan nswap cnswap exit_signal processor rt_priority policy
	// delayacct_blkio_ticks guest_time cguest_time start_data end_data
	// start_brk arg_start arg_end env_start env_end
	fmt.Fprintf(&b, " 0 0 0 %d 0 0 0 0 0 0 0 0 0 0 0 0 0", exitSignal)
	// exit_code
	fmt.Fprintf(&b, " %d\n", exitCode)
	return []byte(b.String())
}

// pidStatm is /proc/<pid>/statm: size resident shared text lib data dt,
// in pages.
func pidStatm(in kernel.ProcessInfo) []byte {
	pages := in.MemorySize / pageSize
	if in.State == kernel.StateZombie {
		pages = 0
	}
	return []byte(fmt.Sprintf("%d %d 0 0 0 %d 0\n", pages, pages, pages))
}

// fdSize is the capacity Linux's FDSize shows: a multiple of 64 above the
// highest descriptor.
func fdSize(p *kernel.Process) int {
	n := 64
	if p.FDs == nil {
		return n
	}
	if fds := p.FDs.FDs(); len(fds) > 0 {
		for int(fds[len(fds)-1]) >= n {
			n *= 2
		}
	}
	return n
}

// escapeName is comm as status's Name shows it: backslashes and newlines
// escaped.
func escapeName(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`).Replace(s)
}

// pidStatus is /proc/<pid>/status.
func (fs *FileSystem) pidStatus(p *kernel.Process, in kernel.ProcessInfo) []byte {
	var b strings.Builder
	kb := func(name string, v uint64) { fmt.Fprintf(&b, "%s:\t%8d kB\n", name, v) }
	fmt.Fprintf(&b, "Name:\t%s\nUmask:\t%04o\nState:\t%s\n", escapeName(comm(in)), in.Umask, stateName(in.State))
	fmt.Fprintf(&b, "Tgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n", in.PID, in.PID, in.PPID)
	b.WriteString("Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n")
	fmt.Fprintf(&b, "FDSize:\t%d\nGroups:\t \n", fdSize(p))
	fmt.Fprintf(&b, "NStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n", in.PID, in.PID, in.Pgid, in.Sid)
	if in.State != kernel.StateZombie {
		// The linear memory is the process's whole address space: its
		// size is the peak, the resident set and the data (the LibOS
		// keeps no peak and cannot see which pages were touched).
		k := in.MemorySize / 1024
		kb("VmPeak", k)
		kb("VmSize", k)
		kb("VmLck", 0)
		kb("VmPin", 0)
		kb("VmHWM", k)
		kb("VmRSS", k)
		kb("RssAnon", k)
		kb("RssFile", 0)
		kb("RssShmem", 0)
		kb("VmData", k)
		kb("VmStk", 0)
		kb("VmExe", 0)
		kb("VmLib", 0)
		kb("VmPTE", 0)
		kb("VmSwap", 0)
	}
	pending := 0
	for s := in.Pending; s != 0; s &= s - 1 {
		pending++
	}
	fmt.Fprintf(&b, "Threads:\t1\nSigQ:\t%d/%d\n", pending, kernel.NumSignals)
	fmt.Fprintf(&b, "SigPnd:\t%016x\nShdPnd:\t%016x\nSigBlk:\t%016x\nSigIgn:\t%016x\nSigCgt:\t%016x\n",
		uint64(in.Pending), uint64(in.Pending), uint64(in.Blocked), uint64(in.Ignored), uint64(in.Caught))
	b.WriteString("CapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\nCapEff:\t000001ffffffffff\n")
	b.WriteString("CapBnd:\t000001ffffffffff\nCapAmb:\t0000000000000000\nNoNewPrivs:\t0\nSeccomp:\t0\n")
	b.WriteString("voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n")
	return []byte(b.String())
}

// oLargefile is Linux's O_LARGEFILE, which open(2) adds on 64-bit Linux
// (fdinfo shows it for files opened by path).
const oLargefile = 0o100000

// oCloexec is Linux's O_CLOEXEC, shown in fdinfo's flags for a descriptor
// with FD_CLOEXEC.
const oCloexec = 0o2000000

// fdinfo is /proc/<pid>/fdinfo/<fd>: the offset, the flags in octal, the
// mount id (0: the LibOS numbers none) and the inode number.
func fdinfo(p *kernel.Process, fd int32) []byte {
	if p.FDs == nil {
		return nil
	}
	f, e := p.FDs.Get(fd)
	if e != 0 {
		return nil
	}
	cloexec, _ := p.FDs.CloseOnExec(fd)
	defer f.DecRef()
	var pos int64
	if f.Impl().Seekable() {
		pos, _ = f.Lseek(0, vfs.SeekCur)
	}
	flags := uint32(f.Flags())
	if f.Path() != "" {
		flags |= oLargefile
	}
	if cloexec {
		flags |= oCloexec
	}
	st, _ := f.Stat()
	return []byte(fmt.Sprintf("pos:\t%d\nflags:\t0%o\nmnt_id:\t0\nino:\t%d\n", pos, flags, st.Ino))
}

// fdTarget is what /proc/<pid>/fd/<fd> links to: the path the file was
// opened by, or what Linux shows for a file without one.
func fdTarget(p *kernel.Process, fd int32) (string, errno.Errno) {
	if p.FDs == nil {
		return "", errno.ENOENT
	}
	f, e := p.FDs.Get(fd)
	if e != 0 {
		return "", errno.ENOENT
	}
	defer f.DecRef()
	return fileName(f), 0
}

// fileName names an open file as /proc does.
func fileName(f *vfs.File) string {
	if path := f.Path(); path != "" {
		return path
	}
	impl := f.Impl()
	switch impl.(type) {
	case *eventfd.File:
		return "anon_inode:[eventfd]"
	case *epoll.Instance:
		return "anon_inode:[eventpoll]"
	}
	// Files that know their name (the LibOS's host streams).
	if n, ok := impl.(interface{ ProcName() string }); ok {
		return n.ProcName()
	}
	st, _ := f.Stat()
	switch st.Type() {
	case vfs.TypeFIFO:
		return fmt.Sprintf("pipe:[%d]", st.Ino)
	case vfs.TypeSocket:
		return fmt.Sprintf("socket:[%d]", st.Ino)
	}
	return fmt.Sprintf("anon_inode:[%s]", st.Type())
}
