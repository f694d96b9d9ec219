#include <signal.h>
#include <sys/epoll.h>

#include "internal.h"

static int wait_ns(int epfd, struct epoll_event *ev, int max, int64_t t, const sigset_t *mask)
{
	uint64_t m = mask ? __occlum_sigset_get(mask) : 0;
	uint32_t n;
	if (__occlum_ret(__occlum_sys_epoll_pwait(epfd, ev, max, t, mask ? &m : 0, &n)) < 0)
		return -1;
	return (int)n;
}

int epoll_pwait(int epfd, struct epoll_event *ev, int max, int timeout, const sigset_t *mask)
{
	return wait_ns(epfd, ev, max, __occlum_timeout_ms(timeout), mask);
}

int epoll_wait(int epfd, struct epoll_event *ev, int max, int timeout)
{
	return wait_ns(epfd, ev, max, __occlum_timeout_ms(timeout), 0);
}

int epoll_pwait2(int epfd, struct epoll_event *ev, int max, const struct timespec *timeout, const sigset_t *mask)
{
	int64_t t = __occlum_timeout_ts(timeout);
	if (t == -2) {
		errno = EINVAL;
		return -1;
	}
	return wait_ns(epfd, ev, max, t, mask);
}
