package kernel

import "strconv"

// Signal is a Linux signal number.
type Signal uint8

// Signals used for the status of processes that end abnormally.
const (
	SIGHUP  Signal = 1
	SIGINT  Signal = 2
	SIGQUIT Signal = 3
	SIGILL  Signal = 4
	SIGTRAP Signal = 5
	SIGABRT Signal = 6
	SIGBUS  Signal = 7
	SIGFPE  Signal = 8
	SIGKILL Signal = 9
	SIGSEGV Signal = 11
	SIGPIPE Signal = 13
	SIGTERM Signal = 15
	SIGXCPU Signal = 24
)

// WaitStatus is a Linux wait(2) status word.
type WaitStatus uint32

// Exited returns the status of a process that exited with code.
func Exited(code uint8) WaitStatus { return WaitStatus(code) << 8 }

// Signaled returns the status of a process killed by sig.
func Signaled(sig Signal) WaitStatus { return WaitStatus(sig) & 0x7f }

// IfExited reports whether the process exited normally (WIFEXITED).
func (s WaitStatus) IfExited() bool { return s&0x7f == 0 }

// ExitCode returns WEXITSTATUS.
func (s WaitStatus) ExitCode() int { return int(s>>8) & 0xff }

// IfSignaled reports whether the process was killed by a signal.
func (s WaitStatus) IfSignaled() bool { return s&0x7f != 0 && s&0x7f != 0x7f }

// Signal returns WTERMSIG.
func (s WaitStatus) Signal() Signal { return Signal(s & 0x7f) }

// ShellStatus returns the status as a shell reports it: the exit code, or
// 128 plus the signal number.
func (s WaitStatus) ShellStatus() int {
	if s.IfSignaled() {
		return 128 + int(s.Signal())
	}
	return s.ExitCode()
}

// DefaultIgnored reports whether the signal's default action is to ignore
// it (SIGCHLD, SIGURG, SIGWINCH, and SIGCONT). The stop signals are also
// ignored: the LibOS has no job control.
func (s Signal) DefaultIgnored() bool {
	switch s {
	case 17, 18, 19, 20, 21, 22, 23, 28:
		return true
	}
	return false
}

var signalNames = [...]string{1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP",
	6: "SIGABRT", 7: "SIGBUS", 8: "SIGFPE", 9: "SIGKILL", 10: "SIGUSR1", 11: "SIGSEGV",
	12: "SIGUSR2", 13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM", 16: "SIGSTKFLT", 17: "SIGCHLD",
	18: "SIGCONT", 19: "SIGSTOP", 20: "SIGTSTP", 21: "SIGTTIN", 22: "SIGTTOU", 23: "SIGURG",
	24: "SIGXCPU", 25: "SIGXFSZ", 26: "SIGVTALRM", 27: "SIGPROF", 28: "SIGWINCH", 29: "SIGIO",
	30: "SIGPWR", 31: "SIGSYS"}

// String returns the signal's name, such as "SIGSEGV".
func (s Signal) String() string {
	if int(s) < len(signalNames) && signalNames[s] != "" {
		return signalNames[s]
	}
	return "SIG" + strconv.Itoa(int(s))
}
