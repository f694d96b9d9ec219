/* libocclum: wasi-libc's <time.h>, with clock() declared without its
 * deprecation: libocclum defines it on the LibOS's process clock. Also the
 * time-zone interface wasi-libc leaves out (src/tzset.c): there are no
 * time-zone tables, localtime() is UTC, so tzset() has nothing to read and
 * the variables say UTC. */
#ifndef _WASI_EMULATED_PROCESS_CLOCKS
#define _WASI_EMULATED_PROCESS_CLOCKS 1
#endif
#include_next <time.h>

#ifndef __occlum_time_h
#define __occlum_time_h

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_POSIX_SOURCE) || defined(_POSIX_C_SOURCE) \
 || defined(_XOPEN_SOURCE) || defined(_GNU_SOURCE) \
 || defined(_BSD_SOURCE)
void tzset(void);
extern char *tzname[2];
#endif

#if defined(_XOPEN_SOURCE) || defined(_BSD_SOURCE) || defined(_GNU_SOURCE)
extern int daylight;
extern long timezone;
#endif

#ifdef __cplusplus
}
#endif

#endif
