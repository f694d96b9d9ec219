#include <signal.h>

#include "internal.h"

int sigpending(sigset_t *set)
{
	uint64_t s = 0;
	if (__occlum_ret(__occlum_sys_sigpending(&s)) < 0)
		return -1;
	__occlum_sigset_put(set, s);
	return 0;
}
