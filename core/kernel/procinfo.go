package kernel

import (
	"runtime"
	"sort"
	"time"
)

// What /proc shows (fs/procfs): read-only snapshots of the process table,
// and the two facts only the runtime knows (the program's path, the size
// of its linear memory), which it records here. None of this changes what
// a process does.

// Process states as Linux's /proc/<pid>/stat spells them.
const (
	StateRunning  = 'R' // running, or runnable
	StateSleeping = 'S' // in a blocking call (Block, BlockTimer)
	StateZombie   = 'Z' // exited, not yet reaped
)

// ProcessInfo is a consistent snapshot of one process.
type ProcessInfo struct {
	PID, PPID, Pgid int32
	// Sid is the session: the LibOS has one, led by the root process.
	Sid int32
	// State is StateRunning, StateSleeping or StateZombie.
	State byte
	// Path is the program's absolute path as spawn or execve was given
	// it (its base name is the process's comm), Exe the same with every
	// symbolic link resolved (SetProgram; both "" if not recorded).
	Path, Exe string
	// Args and Env are the program's argv and environment; they must not
	// be modified.
	Args, Env []string
	Cwd       string
	Umask     uint32
	Started   time.Time
	// Signals: pending, blocked, ignored (SIG_IGN) and caught (a handler).
	Pending, Blocked, Ignored, Caught SigSet
	// Status is the wait status of a zombie.
	Status WaitStatus
	// MemorySize is the length of the process's linear memory in bytes (0
	// when the runtime measures none, or the process has exited).
	MemorySize uint64
}

// Info returns a snapshot of p, taken under the kernel's and p's locks in
// that order.
func (p *Process) Info() ProcessInfo {
	k := p.kernel
	k.mu.Lock()
	in := ProcessInfo{PID: p.PID, PPID: p.PPID, Pgid: p.pgid, Sid: RootPID, Started: p.Started}
	zombie := p.zombie
	k.mu.Unlock()
	p.mu.Lock()
	in.Path, in.Exe, in.Args, in.Env, in.Cwd, in.Umask = p.path, p.exe, p.Args, p.Env, p.cwd, p.umask
	in.Pending, in.Blocked = p.sigs.pending, p.sigs.mask
	for s := Signal(1); s <= NumSignals; s++ {
		switch a := p.sigs.actions[s]; {
		case a.Handler == SigIgn:
			in.Ignored |= bit(s)
		case a.Handler > SigIgn:
			in.Caught |= bit(s)
		}
	}
	exited := p.exited
	in.Status = p.status
	p.mu.Unlock()
	switch {
	case exited || zombie:
		in.State = StateZombie
	case p.sleeping.Load() > 0:
		in.State = StateSleeping
	default:
		in.State = StateRunning
	}
	if !exited {
		if f := p.memSize.Load(); f != nil {
			in.MemorySize = (*f)()
		}
	}
	return in
}

// SetProgram records the program p runs (at start and at execve): its
// absolute path as given, that path with symbolic links resolved, its argv
// and environment. The runtime calls it on p's goroutine, or before p's
// goroutine starts; Info reads it from others.
func (p *Process) SetProgram(path, exe string, args, env []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.path, p.exe, p.Args, p.Env = path, exe, args, env
}

// SetMemorySize installs the runtime's measure of p's linear memory, safe
// to call from any goroutine; the runtime installs a new one for each
// program p runs.
func (p *Process) SetMemorySize(f func() uint64) { p.memSize.Store(&f) }

// Sleeping reports whether p is in a blocking call.
func (p *Process) Sleeping() bool { return p.sleeping.Load() > 0 }

// PIDs returns the pids in the table (live and zombie, not reaped),
// ascending.
func (k *Kernel) PIDs() []int32 {
	k.mu.Lock()
	out := make([]int32, 0, len(k.procs))
	for pid := range k.procs {
		out = append(out, pid)
	}
	k.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// TableStats are the counts /proc/stat and /proc/loadavg show.
type TableStats struct {
	// Processes are in the table (live and zombie); Running are neither
	// sleeping nor zombies.
	Processes, Running int
	// Created counts every process created since the kernel started.
	Created uint64
	// LastPID is the most recently allocated pid (0 before the first).
	LastPID int32
}

// Stats returns the process counts.
func (k *Kernel) Stats() TableStats {
	k.mu.Lock()
	procs := make([]*Process, 0, len(k.procs))
	for _, p := range k.procs {
		procs = append(procs, p)
	}
	st := TableStats{Processes: len(procs), Created: k.created, LastPID: k.nextPID - 1}
	k.mu.Unlock()
	for _, p := range procs {
		if !p.hasExited() && !p.Sleeping() {
			st.Running++
		}
	}
	return st
}

// UTSName is what uname(2) reports (and /proc/sys/kernel shows).
type UTSName struct {
	Sysname, Nodename, Release, Version, Machine, Domainname string
}

// Release is the LibOS version uname reports.
const Release = "0.1.0"

// Uname returns the system's names: the LibOS calls itself Occlum, not
// Linux, so that a program can tell where it runs.
func Uname() UTSName {
	return UTSName{
		Sysname:    "Occlum",
		Nodename:   "occlum-node",
		Release:    Release,
		Version:    "#1 occlum-go " + runtime.Version(),
		Machine:    "wasm32",
		Domainname: "(none)",
	}
}
