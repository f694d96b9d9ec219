/* pthread_kill: to the one thread, raise(); there is no other. */
#include <errno.h>
#include <signal.h>

#include "internal.h"
#include "pthread_impl.h"

int pthread_kill(pthread_t t, int sig)
{
	if (t != pthread_self())
		return ESRCH;
	if (sig < 0 || sig >= _NSIG)
		return EINVAL;
	if (sig == 0)
		return 0;
	int e = errno;
	int r = raise(sig) ? errno : 0;
	errno = e;
	return r;
}
