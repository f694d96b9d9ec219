#include <sys/eventfd.h>

#include "internal.h"

int eventfd(unsigned int initval, int flags)
{
	int32_t fd;
	if (__occlum_ret(__occlum_sys_eventfd2(initval, flags, &fd)) < 0)
		return -1;
	return fd;
}
