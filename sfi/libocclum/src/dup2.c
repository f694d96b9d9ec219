#include <unistd.h>

#include "internal.h"

int dup2(int fd, int newfd)
{
	if (__occlum_ret(__occlum_sys_dup2(fd, newfd)) < 0)
		return -1;
	return newfd;
}
