#include <signal.h>

#include "internal.h"

int sigsuspend(const sigset_t *mask)
{
	uint64_t s = __occlum_sigset_get(mask);
	int32_t e = __occlum_sys_sigsuspend(&s);
	return __occlum_ret(e ? e : EINTR);
}
