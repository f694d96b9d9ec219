#include <unistd.h>

#include "internal.h"

int dup(int fd)
{
	int32_t r;
	if (__occlum_ret(__occlum_sys_dup(fd, &r)) < 0)
		return -1;
	return r;
}
