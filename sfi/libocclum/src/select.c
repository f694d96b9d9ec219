/* select and pselect over occlum.poll, with Linux's fd_set (replacing
 * wasi-libc's, which take its own fd_set to WASI's poll_oneoff).
 *
 * As Linux: a descriptor is readable when poll says POLLIN (or RDNORM,
 * RDBAND), POLLHUP or POLLERR; writable on POLLOUT (WRNORM, WRBAND) or
 * POLLERR; exceptional on POLLPRI. A descriptor in a set that is not open
 * (POLLNVAL) fails the call with EBADF. The sets are rewritten in place
 * (only their first nfds bits) and the result counts the bits set. select
 * updates *timeout to the time not slept, as Linux does. */
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>

#include "internal.h"

#define RSET (POLLIN | POLLRDNORM | POLLRDBAND | POLLHUP | POLLERR)
#define WSET (POLLOUT | POLLWRNORM | POLLWRBAND | POLLERR)
#define XSET (POLLPRI)

static int isset(const fd_set *s, int fd)
{
	return s && FD_ISSET(fd, s);
}

static int do_select(int n, fd_set *r, fd_set *w, fd_set *x, int64_t timeout, const uint64_t *mask)
{
	if (n < 0) {
		errno = EINVAL;
		return -1;
	}
	if (n > FD_SETSIZE)
		n = FD_SETSIZE;
	int count = 0;
	for (int fd = 0; fd < n; fd++)
		count += isset(r, fd) || isset(w, fd) || isset(x, fd);

	struct pollfd small[32], *p = small;
	if (count > (int)(sizeof small / sizeof small[0])) {
		p = malloc(count * sizeof *p);
		if (!p) {
			errno = ENOMEM;
			return -1;
		}
	}
	int k = 0;
	for (int fd = 0; fd < n; fd++) {
		short ev = (isset(r, fd) ? POLLIN : 0) | (isset(w, fd) ? POLLOUT : 0) | (isset(x, fd) ? POLLPRI : 0);
		if (ev) {
			p[k].fd = fd;
			p[k].events = ev;
			p[k].revents = 0;
			k++;
		}
	}

	uint32_t ready;
	int ret = -1;
	if (__occlum_ret(__occlum_sys_poll(p, (uint32_t)k, timeout, mask, &ready)) < 0)
		goto out;
	for (int i = 0; i < k; i++) {
		if (p[i].revents & POLLNVAL) {
			errno = EBADF;
			goto out;
		}
	}
	ret = 0;
	for (int i = 0; i < k; i++) {
		int fd = p[i].fd;
		short rev = p[i].revents;
		if (r && FD_ISSET(fd, r)) {
			if (rev & RSET)
				ret++;
			else
				FD_CLR(fd, r);
		}
		if (w && FD_ISSET(fd, w)) {
			if (rev & WSET)
				ret++;
			else
				FD_CLR(fd, w);
		}
		if (x && FD_ISSET(fd, x)) {
			if (rev & XSET)
				ret++;
			else
				FD_CLR(fd, x);
		}
	}
out:
	if (p != small)
		free(p);
	return ret;
}

static int64_t now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int select(int n, fd_set *__restrict r, fd_set *__restrict w, fd_set *__restrict x, struct timeval *__restrict tv)
{
	int64_t t = -1, start = 0;
	if (tv) {
		if (tv->tv_sec < 0 || tv->tv_usec < 0) {
			errno = EINVAL;
			return -1;
		}
		int64_t us = tv->tv_usec;
		int64_t s = tv->tv_sec + us / 1000000;
		us %= 1000000;
		if (s < tv->tv_sec || s >= INT64_MAX / 1000000000 - 1)
			t = INT64_MAX;
		else
			t = s * 1000000000 + us * 1000;
		if (t > 0)
			start = now();
	}
	int ret = do_select(n, r, w, x, t, 0);
	if (tv && (ret >= 0 || errno == EINTR)) {
		int64_t left = 0;
		if (t > 0 && t != INT64_MAX) {
			int saved = errno;
			left = t - (now() - start);
			errno = saved;
			if (left < 0 || ret == 0)
				left = 0;
		} else if (t == INT64_MAX) {
			left = -1;
		}
		if (left >= 0) {
			tv->tv_sec = left / 1000000000;
			tv->tv_usec = left % 1000000000 / 1000;
		}
	}
	return ret;
}

int pselect(int n, fd_set *__restrict r, fd_set *__restrict w, fd_set *__restrict x,
	    const struct timespec *__restrict ts, const sigset_t *__restrict mask)
{
	int64_t t = __occlum_timeout_ts(ts);
	if (t == -2) {
		errno = EINVAL;
		return -1;
	}
	uint64_t m = mask ? __occlum_sigset_get(mask) : 0;
	return do_select(n, r, w, x, t, mask ? &m : 0);
}
