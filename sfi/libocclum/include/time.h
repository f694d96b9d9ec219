/* libocclum: wasi-libc's <time.h>, with clock() declared without its
 * deprecation: libocclum defines it on the LibOS's process clock. */
#ifndef _WASI_EMULATED_PROCESS_CLOCKS
#define _WASI_EMULATED_PROCESS_CLOCKS 1
#endif
#include_next <time.h>
