#include <unistd.h>

#include "internal.h"

pid_t getpgid(pid_t pid)
{
	int32_t pgid = 0;
	if (__occlum_ret(__occlum_sys_getpgid(pid, &pgid)) < 0)
		return -1;
	return pgid;
}

pid_t getpgrp(void)
{
	return getpgid(0);
}
