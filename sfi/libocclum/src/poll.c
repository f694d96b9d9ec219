/* poll and ppoll on occlum.poll (poll replaces wasi-libc's, built on WASI's
 * poll_oneoff with WASI's POLL* values). */
#define _GNU_SOURCE
#include <poll.h>
#include <signal.h>

#include "internal.h"

int poll(struct pollfd *fds, nfds_t n, int timeout)
{
	uint32_t r;
	if (__occlum_ret(__occlum_sys_poll(fds, n, __occlum_timeout_ms(timeout), 0, &r)) < 0)
		return -1;
	return (int)r;
}

int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *ts, const sigset_t *mask)
{
	int64_t t = __occlum_timeout_ts(ts);
	if (t == -2) {
		errno = EINVAL;
		return -1;
	}
	uint64_t m = mask ? __occlum_sigset_get(mask) : 0;
	uint32_t r;
	if (__occlum_ret(__occlum_sys_poll(fds, n, t, mask ? &m : 0, &r)) < 0)
		return -1;
	return (int)r;
}
