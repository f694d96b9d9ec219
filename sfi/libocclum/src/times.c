/* times (wasi-libc defines it only in its emulation library): the
 * process's time as user time (as getrusage), children's times zero; the
 * return value is the monotonic clock, in clock ticks (sysconf(_SC_CLK_TCK)
 * = 100, as Linux). */
#include <sys/times.h>
#include <wasi/api.h>

#include "internal.h"

#define TICKS 100u

clock_t times(struct tms *buf)
{
	__wasi_timestamp_t cpu = 0, now = 0;
	if (__wasi_clock_time_get(__WASI_CLOCKID_PROCESS_CPUTIME_ID, 1000, &cpu) != 0 ||
	    __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1000, &now) != 0) {
		errno = EINVAL;
		return (clock_t)-1;
	}
	if (buf) {
		buf->tms_utime = (clock_t)(cpu / (1000000000u / TICKS));
		buf->tms_stime = 0;
		buf->tms_cutime = 0;
		buf->tms_cstime = 0;
	}
	return (clock_t)(now / (1000000000u / TICKS));
}
