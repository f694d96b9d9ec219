/* epoll on occlum.epoll_create1, epoll_ctl and epoll_pwait. */
#include <sys/epoll.h>

#include "internal.h"

int epoll_create1(int flags)
{
	int32_t fd;
	if (__occlum_ret(__occlum_sys_epoll_create1(flags, &fd)) < 0)
		return -1;
	return fd;
}

int epoll_create(int size)
{
	if (size <= 0) {
		errno = EINVAL;
		return -1;
	}
	return epoll_create1(0);
}
