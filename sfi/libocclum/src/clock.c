/* clock (wasi-libc defines it only in its emulation library): the
 * process's CPU time as the LibOS's process clock reports it (docs/abi.md:
 * the time since the process started), in CLOCKS_PER_SEC units. */
#include <time.h>
#include <wasi/api.h>

#include "internal.h"

clock_t clock(void)
{
	__wasi_timestamp_t t = 0;
	if (__wasi_clock_time_get(__WASI_CLOCKID_PROCESS_CPUTIME_ID, 1000, &t) != 0)
		return (clock_t)-1;
	return (clock_t)(t / (1000000000u / CLOCKS_PER_SEC));
}
