/* strsignal() and psignal(), with glibc's descriptions (wasi-libc declares
 * strsignal but does not define it). */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static const char *const names[] = {
	[SIGHUP] = "Hangup",
	[SIGINT] = "Interrupt",
	[SIGQUIT] = "Quit",
	[SIGILL] = "Illegal instruction",
	[SIGTRAP] = "Trace/breakpoint trap",
	[SIGABRT] = "Aborted",
	[SIGBUS] = "Bus error",
	[SIGFPE] = "Floating point exception",
	[SIGKILL] = "Killed",
	[SIGUSR1] = "User defined signal 1",
	[SIGSEGV] = "Segmentation fault",
	[SIGUSR2] = "User defined signal 2",
	[SIGPIPE] = "Broken pipe",
	[SIGALRM] = "Alarm clock",
	[SIGTERM] = "Terminated",
	[SIGSTKFLT] = "Stack fault",
	[SIGCHLD] = "Child exited",
	[SIGCONT] = "Continued",
	[SIGSTOP] = "Stopped (signal)",
	[SIGTSTP] = "Stopped",
	[SIGTTIN] = "Stopped (tty input)",
	[SIGTTOU] = "Stopped (tty output)",
	[SIGURG] = "Urgent I/O condition",
	[SIGXCPU] = "CPU time limit exceeded",
	[SIGXFSZ] = "File size limit exceeded",
	[SIGVTALRM] = "Virtual timer expired",
	[SIGPROF] = "Profiling timer expired",
	[SIGWINCH] = "Window changed",
	[SIGIO] = "I/O possible",
	[SIGPWR] = "Power failure",
	[SIGSYS] = "Bad system call",
};

char *strsignal(int sig)
{
	static char buf[32];
	if (sig > 0 && sig < (int)(sizeof names / sizeof names[0]) && names[sig])
		return (char *)names[sig];
	if (sig >= SIGRTMIN && sig <= SIGRTMAX)
		snprintf(buf, sizeof buf, "Real-time signal %d", sig - SIGRTMIN);
	else
		snprintf(buf, sizeof buf, "Unknown signal %d", sig);
	return buf;
}

void psignal(int sig, const char *msg)
{
	if (msg && *msg)
		fprintf(stderr, "%s: %s\n", msg, strsignal(sig));
	else
		fprintf(stderr, "%s\n", strsignal(sig));
}
