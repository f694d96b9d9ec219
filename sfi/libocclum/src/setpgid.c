#include <unistd.h>

#include "internal.h"

int setpgid(pid_t pid, pid_t pgid)
{
	return __occlum_ret(__occlum_sys_setpgid(pid, pgid));
}

pid_t setpgrp(void)
{
	return setpgid(0, 0);
}
