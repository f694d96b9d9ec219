#include <signal.h>

#include "internal.h"

int kill(pid_t pid, int sig)
{
	return __occlum_ret(__occlum_sys_kill(pid, sig));
}

int killpg(pid_t pgrp, int sig)
{
	if (pgrp < 0) {
		errno = EINVAL;
		return -1;
	}
	return kill(-pgrp, sig);
}
