#include <sys/epoll.h>

#include "internal.h"

int epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
	return __occlum_ret(__occlum_sys_epoll_ctl(epfd, op, fd, ev));
}
