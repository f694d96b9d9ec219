/* libocclum: wasi-libc's <stdio.h> plus popen() and pclose(). */
#include_next <stdio.h>

#ifndef __occlum_stdio_h
#define __occlum_stdio_h

#if defined(_POSIX_SOURCE) || defined(_POSIX_C_SOURCE) \
 || defined(_XOPEN_SOURCE) || defined(_GNU_SOURCE) \
 || defined(_BSD_SOURCE)
#ifdef __cplusplus
extern "C" {
#endif

FILE *popen(const char *, const char *);
int pclose(FILE *);

#ifdef __cplusplus
}
#endif
#endif

#endif
