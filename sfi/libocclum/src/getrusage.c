/* getrusage: the CPU time of the process as the LibOS's process clock
 * reports it (docs/abi.md: the time since the process started), as user
 * time. Everything else, and RUSAGE_CHILDREN, is zero. */
#include <string.h>
#include <sys/resource.h>
#include <wasi/api.h>

#include "internal.h"

int getrusage(int who, struct rusage *ru)
{
	if (who != RUSAGE_SELF && who != RUSAGE_CHILDREN && who != RUSAGE_THREAD) {
		errno = EINVAL;
		return -1;
	}
	memset(ru, 0, sizeof *ru);
	if (who == RUSAGE_CHILDREN)
		return 0;
	__wasi_timestamp_t t = 0;
	__wasi_errno_t e = __wasi_clock_time_get(__WASI_CLOCKID_PROCESS_CPUTIME_ID, 1000, &t);
	if (e != 0) {
		errno = e;
		return -1;
	}
	ru->ru_utime.tv_sec = (time_t)(t / 1000000000u);
	ru->ru_utime.tv_usec = (suseconds_t)(t % 1000000000u / 1000u);
	return 0;
}
