//go:build wasip1

package occlum

import (
	"encoding/binary"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"unsafe"
)

// ---- the imports (docs/abi.md, "occlum"): every result is an errno ----

//go:wasmimport occlum spawn
func occlumSpawn(path unsafe.Pointer, pathLen uint32, argv unsafe.Pointer, argc uint32, envp unsafe.Pointer, envc uint32, actions unsafe.Pointer, nactions uint32, attr unsafe.Pointer, resultPid unsafe.Pointer) uint32

//go:wasmimport occlum execve
func occlumExecve(path unsafe.Pointer, pathLen uint32, argv unsafe.Pointer, argc uint32, envp unsafe.Pointer, envc uint32) uint32

//go:wasmimport occlum wait4
func occlumWait4(pid int32, options int32, resultStatus unsafe.Pointer, resultPid unsafe.Pointer) uint32

//go:wasmimport occlum getpid
func occlumGetpid(resultPid unsafe.Pointer) uint32

//go:wasmimport occlum getppid
func occlumGetppid(resultPid unsafe.Pointer) uint32

//go:wasmimport occlum getpgid
func occlumGetpgid(pid int32, resultPgid unsafe.Pointer) uint32

//go:wasmimport occlum setpgid
func occlumSetpgid(pid int32, pgid int32) uint32

//go:wasmimport occlum kill
func occlumKill(pid int32, sig int32) uint32

//go:wasmimport occlum sigaction
func occlumSigaction(sig int32, act unsafe.Pointer, resultOldact unsafe.Pointer) uint32

//go:wasmimport occlum sigprocmask
func occlumSigprocmask(how int32, set unsafe.Pointer, resultOldset unsafe.Pointer) uint32

//go:wasmimport occlum sigpending
func occlumSigpending(resultSet unsafe.Pointer) uint32

//go:wasmimport occlum pipe2
func occlumPipe2(resultFds unsafe.Pointer, flags uint32) uint32

//go:wasmimport occlum dup
func occlumDup(fd int32, resultFd unsafe.Pointer) uint32

//go:wasmimport occlum dup2
func occlumDup2(fd int32, newfd int32) uint32

//go:wasmimport occlum dup3
func occlumDup3(fd int32, newfd int32, flags uint32) uint32

//go:wasmimport occlum fcntl
func occlumFcntl(fd int32, cmd int32, arg int32, resultValue unsafe.Pointer) uint32

//go:wasmimport occlum chdir
func occlumChdir(path unsafe.Pointer, pathLen uint32) uint32

//go:wasmimport occlum fchdir
func occlumFchdir(fd int32) uint32

//go:wasmimport occlum getcwd
func occlumGetcwd(buf unsafe.Pointer, bufLen uint32, resultLen unsafe.Pointer) uint32

//go:wasmimport occlum umask
func occlumUmask(mask uint32, resultOld unsafe.Pointer) uint32

//go:wasmimport occlum getuid
func occlumGetuid(resultID unsafe.Pointer) uint32

//go:wasmimport occlum geteuid
func occlumGeteuid(resultID unsafe.Pointer) uint32

//go:wasmimport occlum getgid
func occlumGetgid(resultID unsafe.Pointer) uint32

//go:wasmimport occlum getegid
func occlumGetegid(resultID unsafe.Pointer) uint32

//go:wasmimport occlum uname
func occlumUname(buf unsafe.Pointer) uint32

//go:wasmimport occlum sysinfo
func occlumSysinfo(buf unsafe.Pointer) uint32

//go:wasmimport occlum getrlimit
func occlumGetrlimit(resource int32, resultRlimit unsafe.Pointer) uint32

//go:wasmimport occlum setrlimit
func occlumSetrlimit(resource int32, rlimit unsafe.Pointer) uint32

//go:wasmimport occlum prlimit
func occlumPrlimit(pid int32, resource int32, newLimit unsafe.Pointer, resultOld unsafe.Pointer) uint32

func errnoErr(e uint32) error {
	if e == 0 {
		return nil
	}
	return syscall.Errno(e)
}

// ptr is the linear-memory address of b's first byte (nil for none).
func ptr(b []byte) unsafe.Pointer {
	if len(b) == 0 {
		return nil
	}
	return unsafe.Pointer(&b[0])
}

func strPtr(s string) unsafe.Pointer {
	if s == "" {
		return nil
	}
	return unsafe.Pointer(unsafe.StringData(s))
}

// addr is a wasm32 address as the ABI's u32 fields hold it.
func addr(p unsafe.Pointer) uint32 { return uint32(uintptr(p)) }

// strArray encodes ss as the ABI's array of {u32 ptr, u32 len}. The strings
// must stay alive until the call returns (runtime.KeepAlive).
func strArray(ss []string) []byte {
	b := make([]byte, 8*len(ss))
	for i, s := range ss {
		binary.LittleEndian.PutUint32(b[8*i:], addr(strPtr(s)))
		binary.LittleEndian.PutUint32(b[8*i+4:], uint32(len(s)))
	}
	return b
}

// ---- processes ----

// Linux open flags, for OpenAction, Pipe2, Dup3 and Fcntl.
const (
	O_RDONLY    = 0x0
	O_WRONLY    = 0x1
	O_RDWR      = 0x2
	O_CREAT     = 0x40
	O_EXCL      = 0x80
	O_TRUNC     = 0x200
	O_APPEND    = 0x400
	O_NONBLOCK  = 0x800
	O_DIRECTORY = 0x10000
	O_NOFOLLOW  = 0x20000
	O_CLOEXEC   = 0x80000
)

// FileAction is one step applied in the child before it starts, in order
// (posix_spawn's file actions).
type FileAction struct {
	op    uint32
	fd    int
	newfd int
	flags int
	mode  uint32
	path  string
}

// OpenAction opens path as fd in the child (flags are Linux O_* values).
func OpenAction(fd int, path string, flags int, mode uint32) FileAction {
	return FileAction{op: 1, fd: fd, path: path, flags: flags, mode: mode}
}

// CloseAction closes fd in the child.
func CloseAction(fd int) FileAction { return FileAction{op: 2, fd: fd} }

// Dup2Action makes newfd a copy of fd in the child (without FD_CLOEXEC).
func Dup2Action(fd, newfd int) FileAction { return FileAction{op: 3, fd: fd, newfd: newfd} }

// ChdirAction changes the child's working directory.
func ChdirAction(dir string) FileAction { return FileAction{op: 4, path: dir} }

// FchdirAction changes the child's working directory to the directory open
// as fd.
func FchdirAction(fd int) FileAction { return FileAction{op: 5, fd: fd} }

// SpawnOptions are posix_spawn's file actions and attributes.
type SpawnOptions struct {
	// Actions run in the child, in order, before it starts.
	Actions []FileAction
	// Setpgroup puts the child in process group Pgroup (0: a new group
	// led by the child).
	Setpgroup bool
	Pgroup    int
	// Setsid makes the child a session leader.
	Setsid bool
	// SigMask, if not nil, is the child's signal mask (else it inherits
	// the caller's).
	SigMask *SigSet
	// SigDefault lists signals the child starts with at their default
	// action (handled ones are always reset).
	SigDefault SigSet
}

// Spawn starts the program at path (relative to the working directory; no
// PATH search: use exec.LookPath) as a new process with argv and env, and
// returns its pid. The child inherits descriptors without FD_CLOEXEC (after
// the actions), the cwd, umask, signal mask and ignored signals.
func Spawn(path string, argv, env []string, opts *SpawnOptions) (pid int, err error) {
	if opts == nil {
		opts = &SpawnOptions{}
	}
	argvb, envb := strArray(argv), strArray(env)
	acts := make([]byte, 32*len(opts.Actions))
	for i, a := range opts.Actions {
		b := acts[32*i:]
		binary.LittleEndian.PutUint32(b[0:], a.op)
		binary.LittleEndian.PutUint32(b[4:], uint32(int32(a.fd)))
		binary.LittleEndian.PutUint32(b[8:], uint32(int32(a.newfd)))
		binary.LittleEndian.PutUint32(b[12:], uint32(a.flags))
		binary.LittleEndian.PutUint32(b[16:], a.mode)
		binary.LittleEndian.PutUint32(b[20:], addr(strPtr(a.path)))
		binary.LittleEndian.PutUint32(b[24:], uint32(len(a.path)))
	}
	attr := make([]byte, 32)
	var flags uint32
	if opts.Setpgroup {
		flags |= 0x02
	}
	if opts.SigDefault != 0 {
		flags |= 0x04
	}
	if opts.SigMask != nil {
		flags |= 0x08
		binary.LittleEndian.PutUint64(attr[16:], uint64(*opts.SigMask))
	}
	if opts.Setsid {
		flags |= 0x80
	}
	binary.LittleEndian.PutUint32(attr[0:], flags)
	binary.LittleEndian.PutUint32(attr[4:], uint32(int32(opts.Pgroup)))
	binary.LittleEndian.PutUint64(attr[8:], uint64(opts.SigDefault))
	var child int32
	e := occlumSpawn(strPtr(path), uint32(len(path)), ptr(argvb), uint32(len(argv)), ptr(envb), uint32(len(env)),
		ptr(acts), uint32(len(opts.Actions)), ptr(attr), unsafe.Pointer(&child))
	runtime.KeepAlive(path)
	runtime.KeepAlive(argv)
	runtime.KeepAlive(env)
	runtime.KeepAlive(opts)
	if e != 0 {
		return 0, errnoErr(e)
	}
	return int(child), nil
}

// Execve replaces the program of this process with the one at path; it
// returns only on failure. The pid, cwd, signal mask and descriptors
// without FD_CLOEXEC are kept.
func Execve(path string, argv, env []string) error {
	argvb, envb := strArray(argv), strArray(env)
	e := occlumExecve(strPtr(path), uint32(len(path)), ptr(argvb), uint32(len(argv)), ptr(envb), uint32(len(env)))
	runtime.KeepAlive(path)
	runtime.KeepAlive(argv)
	runtime.KeepAlive(env)
	return errnoErr(e)
}

// Wait4 options.
const (
	WNOHANG   = 0x1
	WUNTRACED = 0x2
)

// WaitStatus is a Linux wait status.
type WaitStatus uint32

// Exited reports whether the process ended by exiting.
func (w WaitStatus) Exited() bool { return w&0x7f == 0 }

// ExitStatus is the exit code, or -1 if the process did not exit.
func (w WaitStatus) ExitStatus() int {
	if !w.Exited() {
		return -1
	}
	return int(w>>8) & 0xff
}

// Signaled reports whether a signal ended the process.
func (w WaitStatus) Signaled() bool { return w&0x7f != 0x7f && w&0x7f != 0 }

// Signal is the signal that ended the process, or -1.
func (w WaitStatus) Signal() Signal {
	if !w.Signaled() {
		return -1
	}
	return Signal(w & 0x7f)
}

// CoreDump reports whether the process dumped core.
func (w WaitStatus) CoreDump() bool { return w.Signaled() && w&0x80 != 0 }

func (w WaitStatus) String() string {
	switch {
	case w.Exited():
		return "exit status " + strconv.Itoa(w.ExitStatus())
	case w.Signaled():
		return "signal: " + w.Signal().String()
	}
	return "wait status " + strconv.FormatUint(uint64(w), 16)
}

// Wait4 waits for a child: pid > 0 that one, -1 any, 0 any in the caller's
// group, < -1 any in group -pid. With WNOHANG and nothing to reap it
// returns wpid 0.
func Wait4(pid, options int) (wpid int, status WaitStatus, err error) {
	var st, got int32
	if e := occlumWait4(int32(pid), int32(options), unsafe.Pointer(&st), unsafe.Pointer(&got)); e != 0 {
		return 0, 0, errnoErr(e)
	}
	return int(got), WaitStatus(st), nil
}

// Getpid is this process's id.
func Getpid() int {
	var v int32
	occlumGetpid(unsafe.Pointer(&v))
	return int(v)
}

// Getppid is the parent's process id.
func Getppid() int {
	var v int32
	occlumGetppid(unsafe.Pointer(&v))
	return int(v)
}

// Getpgid is the process group of pid (0: this process).
func Getpgid(pid int) (int, error) {
	var v int32
	if e := occlumGetpgid(int32(pid), unsafe.Pointer(&v)); e != 0 {
		return 0, errnoErr(e)
	}
	return int(v), nil
}

// Setpgid moves pid (0: this process) to group pgid (0: pid's own).
func Setpgid(pid, pgid int) error { return errnoErr(occlumSetpgid(int32(pid), int32(pgid))) }

// Kill sends sig to pid: > 0 that process, 0 the caller's group, -1 every
// process but 1 and the caller, < -1 group -pid. Signal 0 checks existence.
func Kill(pid int, sig Signal) error { return errnoErr(occlumKill(int32(pid), int32(sig))) }

// ---- signals ----

// Signal is a Linux signal number (not the WASI numbering of syscall.Signal).
type Signal int

// Signals.
const (
	SIGHUP    Signal = 1
	SIGINT    Signal = 2
	SIGQUIT   Signal = 3
	SIGILL    Signal = 4
	SIGTRAP   Signal = 5
	SIGABRT   Signal = 6
	SIGBUS    Signal = 7
	SIGFPE    Signal = 8
	SIGKILL   Signal = 9
	SIGUSR1   Signal = 10
	SIGSEGV   Signal = 11
	SIGUSR2   Signal = 12
	SIGPIPE   Signal = 13
	SIGALRM   Signal = 14
	SIGTERM   Signal = 15
	SIGSTKFLT Signal = 16
	SIGCHLD   Signal = 17
	SIGCONT   Signal = 18
	SIGSTOP   Signal = 19
	SIGTSTP   Signal = 20
	SIGTTIN   Signal = 21
	SIGTTOU   Signal = 22
	SIGURG    Signal = 23
	SIGXCPU   Signal = 24
	SIGXFSZ   Signal = 25
	SIGVTALRM Signal = 26
	SIGPROF   Signal = 27
	SIGWINCH  Signal = 28
	SIGIO     Signal = 29
	SIGPWR    Signal = 30
	SIGSYS    Signal = 31
)

var signalNames = [...]string{
	SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL", SIGTRAP: "SIGTRAP",
	SIGABRT: "SIGABRT", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE", SIGKILL: "SIGKILL", SIGUSR1: "SIGUSR1",
	SIGSEGV: "SIGSEGV", SIGUSR2: "SIGUSR2", SIGPIPE: "SIGPIPE", SIGALRM: "SIGALRM", SIGTERM: "SIGTERM",
	SIGSTKFLT: "SIGSTKFLT", SIGCHLD: "SIGCHLD", SIGCONT: "SIGCONT", SIGSTOP: "SIGSTOP", SIGTSTP: "SIGTSTP",
	SIGTTIN: "SIGTTIN", SIGTTOU: "SIGTTOU", SIGURG: "SIGURG", SIGXCPU: "SIGXCPU", SIGXFSZ: "SIGXFSZ",
	SIGVTALRM: "SIGVTALRM", SIGPROF: "SIGPROF", SIGWINCH: "SIGWINCH", SIGIO: "SIGIO", SIGPWR: "SIGPWR",
	SIGSYS: "SIGSYS",
}

func (s Signal) String() string {
	if s > 0 && int(s) < len(signalNames) {
		return signalNames[s]
	}
	return "signal " + strconv.Itoa(int(s))
}

// SigSet is a set of signals 1..64 (bit n-1 is signal n), the ABI's.
type SigSet uint64

// SigSetOf is the set of sigs.
func SigSetOf(sigs ...Signal) SigSet {
	var s SigSet
	for _, sig := range sigs {
		s.Add(sig)
	}
	return s
}

func bit(sig Signal) SigSet {
	if sig < 1 || sig > 64 {
		return 0
	}
	return 1 << (sig - 1)
}

// Add adds sig.
func (s *SigSet) Add(sig Signal) { *s |= bit(sig) }

// Del removes sig.
func (s *SigSet) Del(sig Signal) { *s &^= bit(sig) }

// Has reports whether sig is in s.
func (s SigSet) Has(sig Signal) bool { return sig >= 1 && sig <= 64 && s&bit(sig) != 0 }

// Sigprocmask how values.
const (
	SIG_BLOCK   = 0
	SIG_UNBLOCK = 1
	SIG_SETMASK = 2
)

// Sigprocmask changes the signal mask (set nil: only query) and returns the
// previous one. SIGKILL and SIGSTOP cannot be blocked.
func Sigprocmask(how int, set *SigSet) (old SigSet, err error) {
	var p unsafe.Pointer
	var s uint64
	if set != nil {
		s = uint64(*set)
		p = unsafe.Pointer(&s)
	}
	var o uint64
	if e := occlumSigprocmask(int32(how), p, unsafe.Pointer(&o)); e != 0 {
		return 0, errnoErr(e)
	}
	return SigSet(o), nil
}

// Sigpending is the set of blocked signals waiting for delivery.
func Sigpending() (SigSet, error) {
	var s uint64
	if e := occlumSigpending(unsafe.Pointer(&s)); e != 0 {
		return 0, errnoErr(e)
	}
	return SigSet(s), nil
}

func setDisposition(sig Signal, handler uint32) error {
	act := make([]byte, 24)
	binary.LittleEndian.PutUint32(act, handler)
	return errnoErr(occlumSigaction(int32(sig), ptr(act), nil))
}

// Ignore makes this process ignore sig (SIG_IGN); children inherit it.
func Ignore(sig Signal) error { return setDisposition(sig, 1) }

// Default restores sig's default action (SIG_DFL).
func Default(sig Signal) error { return setDisposition(sig, 0) }

// ---- descriptors ----

// Pipe returns a pipe's read and write ends, close-on-exec (pass them to a
// child with Dup2Action).
func Pipe() (r, w *os.File, err error) {
	fds, err := Pipe2(O_CLOEXEC)
	if err != nil {
		return nil, nil, err
	}
	return os.NewFile(uintptr(fds[0]), "|0"), os.NewFile(uintptr(fds[1]), "|1"), nil
}

// Pipe2 creates a pipe with flags O_CLOEXEC and O_NONBLOCK; fds[0] is the
// read end.
func Pipe2(flags int) (fds [2]int, err error) {
	var r [2]int32
	if e := occlumPipe2(unsafe.Pointer(&r), uint32(flags)); e != 0 {
		return fds, errnoErr(e)
	}
	return [2]int{int(r[0]), int(r[1])}, nil
}

// Dup returns the lowest free descriptor as a copy of fd (without
// FD_CLOEXEC).
func Dup(fd int) (int, error) {
	var v int32
	if e := occlumDup(int32(fd), unsafe.Pointer(&v)); e != 0 {
		return -1, errnoErr(e)
	}
	return int(v), nil
}

// Dup2 makes newfd a copy of fd.
func Dup2(fd, newfd int) error { return errnoErr(occlumDup2(int32(fd), int32(newfd))) }

// Dup3 is Dup2 with flags (O_CLOEXEC); fd == newfd is EINVAL.
func Dup3(fd, newfd, flags int) error {
	return errnoErr(occlumDup3(int32(fd), int32(newfd), uint32(flags)))
}

// Fcntl commands.
const (
	F_DUPFD         = 0
	F_GETFD         = 1
	F_SETFD         = 2
	F_GETFL         = 3
	F_SETFL         = 4
	F_DUPFD_CLOEXEC = 1030
	FD_CLOEXEC      = 1
)

// Fcntl runs a descriptor command (F_GETFL/F_SETFL use Linux O_* values).
func Fcntl(fd, cmd, arg int) (int, error) {
	var v int32
	if e := occlumFcntl(int32(fd), int32(cmd), int32(arg), unsafe.Pointer(&v)); e != 0 {
		return -1, errnoErr(e)
	}
	return int(v), nil
}

// SetCloexec sets or clears fd's FD_CLOEXEC.
func SetCloexec(fd int, on bool) error {
	arg := 0
	if on {
		arg = FD_CLOEXEC
	}
	_, err := Fcntl(fd, F_SETFD, arg)
	return err
}

// ---- working directory ----

func init() {
	syncGoCwd()
}

// syncGoCwd points Go's own cwd (what relative paths in package os resolve
// against) at the LibOS's.
func syncGoCwd() {
	if dir, err := Getcwd(); err == nil {
		syscall.Chdir(dir)
	}
}

// Getcwd is the process's working directory, as the LibOS has it.
func Getcwd() (string, error) {
	for size := 256; size <= 1<<20; size *= 4 {
		buf := make([]byte, size)
		var n uint32
		e := occlumGetcwd(ptr(buf), uint32(len(buf)), unsafe.Pointer(&n))
		if e == 0 {
			return string(buf[:n]), nil
		}
		if syscall.Errno(e) != syscall.ERANGE {
			return "", errnoErr(e)
		}
	}
	return "", syscall.ERANGE
}

// Chdir changes the working directory: the LibOS's (which children
// inherit) and Go's (which relative paths use).
func Chdir(dir string) error {
	e := occlumChdir(strPtr(dir), uint32(len(dir)))
	runtime.KeepAlive(dir)
	if e != 0 {
		return &os.PathError{Op: "chdir", Path: dir, Err: syscall.Errno(e)}
	}
	syncGoCwd()
	return nil
}

// Fchdir changes the working directory to the directory open as fd.
func Fchdir(fd int) error {
	if e := occlumFchdir(int32(fd)); e != 0 {
		return errnoErr(e)
	}
	syncGoCwd()
	return nil
}

// ---- identity, system, limits ----

// Umask sets the file mode creation mask and returns the previous one.
func Umask(mask int) int {
	var old uint32
	occlumUmask(uint32(mask)&0o777, unsafe.Pointer(&old))
	return int(old)
}

func id(f func(unsafe.Pointer) uint32) int {
	var v uint32
	f(unsafe.Pointer(&v))
	return int(v)
}

// Getuid, Geteuid, Getgid and Getegid are 0: the LibOS has one user.
func Getuid() int { return id(occlumGetuid) }

// Geteuid is the effective user id.
func Geteuid() int { return id(occlumGeteuid) }

// Getgid is the group id.
func Getgid() int { return id(occlumGetgid) }

// Getegid is the effective group id.
func Getegid() int { return id(occlumGetegid) }

// Utsname is uname's answer.
type Utsname struct {
	Sysname, Nodename, Release, Version, Machine, Domainname string
}

// Uname describes the system.
func Uname() (Utsname, error) {
	buf := make([]byte, 6*65)
	if e := occlumUname(ptr(buf)); e != 0 {
		return Utsname{}, errnoErr(e)
	}
	f := make([]string, 6)
	for i := range f {
		field := buf[65*i : 65*(i+1)]
		n := 0
		for n < len(field) && field[n] != 0 {
			n++
		}
		f[i] = string(field[:n])
	}
	return Utsname{f[0], f[1], f[2], f[3], f[4], f[5]}, nil
}

// Sysinfo is sysinfo's answer; memory figures are in units of MemUnit
// bytes.
type Sysinfo struct {
	Uptime    uint64 // seconds
	Loads     [3]uint64
	TotalRAM  uint64
	FreeRAM   uint64
	SharedRAM uint64
	BufferRAM uint64
	TotalSwap uint64
	FreeSwap  uint64
	Procs     uint32
	MemUnit   uint32
}

// GetSysinfo returns system statistics.
func GetSysinfo() (Sysinfo, error) {
	buf := make([]byte, 88)
	if e := occlumSysinfo(ptr(buf)); e != 0 {
		return Sysinfo{}, errnoErr(e)
	}
	u := func(i int) uint64 { return binary.LittleEndian.Uint64(buf[8*i:]) }
	return Sysinfo{
		Uptime: u(0), Loads: [3]uint64{u(1), u(2), u(3)},
		TotalRAM: u(4), FreeRAM: u(5), SharedRAM: u(6), BufferRAM: u(7), TotalSwap: u(8), FreeSwap: u(9),
		Procs: binary.LittleEndian.Uint32(buf[80:]), MemUnit: binary.LittleEndian.Uint32(buf[84:]),
	}, nil
}

// Resource limits.
const (
	RLIMIT_DATA   = 2
	RLIMIT_STACK  = 3
	RLIMIT_NPROC  = 6
	RLIMIT_NOFILE = 7
	RLIMIT_AS     = 9

	RLIM_INFINITY = ^uint64(0)
)

// Rlimit is a resource limit.
type Rlimit struct {
	Cur, Max uint64
}

// Getrlimit returns a limit of this process.
func Getrlimit(resource int) (Rlimit, error) {
	var r Rlimit
	if e := occlumGetrlimit(int32(resource), unsafe.Pointer(&r)); e != 0 {
		return Rlimit{}, errnoErr(e)
	}
	return r, nil
}

// Setrlimit sets a limit of this process (raising Max is EPERM).
func Setrlimit(resource int, r Rlimit) error {
	return errnoErr(occlumSetrlimit(int32(resource), unsafe.Pointer(&r)))
}

// Prlimit returns a limit of pid (0: this process) and, if newLimit is not
// nil, sets it.
func Prlimit(pid, resource int, newLimit *Rlimit) (old Rlimit, err error) {
	var np unsafe.Pointer
	if newLimit != nil {
		n := *newLimit
		np = unsafe.Pointer(&n)
	}
	if e := occlumPrlimit(int32(pid), int32(resource), np, unsafe.Pointer(&old)); e != 0 {
		return Rlimit{}, errnoErr(e)
	}
	return old, nil
}
