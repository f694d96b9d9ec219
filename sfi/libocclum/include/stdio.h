/* libocclum: wasi-libc's <stdio.h> plus popen() and pclose(), tmpfile()
 * (wasi-libc declares it deprecated: its declaration is renamed away),
 * and flockfile, ftrylockfile, funlockfile (declared only with _REENTRANT
 * there). */
#define tmpfile __wasilibc_deprecated_tmpfile
#include_next <stdio.h>
#undef tmpfile

#ifndef __occlum_stdio_h
#define __occlum_stdio_h

#ifdef __cplusplus
extern "C" {
#endif
FILE *tmpfile(void);
#define tmpfile64 tmpfile
void flockfile(FILE *);
int ftrylockfile(FILE *);
void funlockfile(FILE *);
#ifdef __cplusplus
}
#endif

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
