#include <signal.h>

#include "internal.h"

int sigprocmask(int how, const sigset_t *__restrict set, sigset_t *__restrict old)
{
	uint64_t s = 0, o = 0;
	if (set) {
		if ((unsigned)how > SIG_SETMASK) {
			errno = EINVAL;
			return -1;
		}
		s = __occlum_sigset_get(set);
	}
	if (__occlum_ret(__occlum_sys_sigprocmask(how, set ? &s : 0, old ? &o : 0)) < 0)
		return -1;
	if (old)
		__occlum_sigset_put(old, o);
	return 0;
}
