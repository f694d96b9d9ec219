#include <signal.h>
#include <unistd.h>

#include "internal.h"

int pause(void)
{
	sigset_t mask;
	if (sigprocmask(SIG_BLOCK, 0, &mask) < 0)
		return -1;
	return sigsuspend(&mask);
}
