/* pthread_sigmask: the one thread's mask is the process's. */
#include <errno.h>
#include <signal.h>

#include "internal.h"

int pthread_sigmask(int how, const sigset_t *__restrict set, sigset_t *__restrict old)
{
	int e = errno;
	int r = sigprocmask(how, set, old) ? errno : 0;
	errno = e;
	return r;
}
