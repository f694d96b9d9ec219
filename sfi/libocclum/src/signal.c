#define _GNU_SOURCE
#include <signal.h>
#include <string.h>

#include "internal.h"

/* BSD semantics, as glibc's signal(): the handler stays installed, the
 * signal is blocked while it runs, interrupted calls restart. */
void (*signal(int sig, void (*handler)(int)))(int)
{
	struct sigaction sa, old;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;
	sa.sa_flags = SA_RESTART;
	if (sigaction(sig, &sa, &old) < 0)
		return SIG_ERR;
	if (old.sa_flags & SA_SIGINFO)
		return (void (*)(int))old.sa_sigaction;
	return old.sa_handler;
}

void (*bsd_signal(int sig, void (*handler)(int)))(int)
{
	return signal(sig, handler);
}
