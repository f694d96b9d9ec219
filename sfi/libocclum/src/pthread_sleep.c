/* Waiting for what cannot happen in a single-threaded process, until a
 * deadline: the timed lock and condition calls. WASI's poll_oneoff with an
 * absolute clock subscription, directly: wasi-libc's clock_nanosleep turns
 * every failure, EINTR included, into ENOTSUP. */
#include <errno.h>
#include <stdint.h>
#include <time.h>
#include <wasi/api.h>

#include "pthread_impl.h"

int __occlum_pthread_sleep_until(int monotonic, const struct timespec *at, int intr)
{
	if (at->tv_nsec < 0 || at->tv_nsec >= 1000000000L)
		return EINVAL;
	uint64_t ns = 0; /* before the epoch: passed */
	if (at->tv_sec >= (time_t)(INT64_MAX / 1000000000 - 1))
		ns = INT64_MAX; /* the LibOS reads it as an int64 */
	else if (at->tv_sec >= 0)
		ns = (uint64_t)at->tv_sec * 1000000000u + (uint64_t)at->tv_nsec;
	__wasi_subscription_t sub = {
		.u.tag = __WASI_EVENTTYPE_CLOCK,
		.u.u.clock = {
			.id = monotonic ? __WASI_CLOCKID_MONOTONIC : __WASI_CLOCKID_REALTIME,
			.timeout = ns,
			.flags = __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME,
		},
	};
	for (;;) {
		__wasi_event_t ev;
		__wasi_size_t n;
		__wasi_errno_t e = __wasi_poll_oneoff(&sub, &ev, 1, &n);
		if (e == 0 && n == 1)
			e = ev.error;
		if (e == 0)
			return ETIMEDOUT;
		if (e != __WASI_ERRNO_INTR || intr)
			return e;
	}
}
