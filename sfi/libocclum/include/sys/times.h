/* libocclum: wasi-libc's <sys/times.h> (which is an #error without
 * _WASI_EMULATED_PROCESS_CLOCKS); libocclum defines times() on the
 * LibOS's process clock. */
#ifndef _WASI_EMULATED_PROCESS_CLOCKS
#define _WASI_EMULATED_PROCESS_CLOCKS 1
#endif
#include_next <sys/times.h>
