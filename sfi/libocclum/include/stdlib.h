/* libocclum: wasi-libc's <stdlib.h> plus what POSIX puts there for
 * system(): the wait status macros (system() itself is declared by
 * wasi-libc and implemented by libocclum: /bin/sh -c through posix_spawn),
 * mkstemp and its kin (src/mkstemp.c),
 * and realpath(), which wasi-libc hides ("WASI has no absolute paths"; the
 * LibOS has them, and a cwd). */
#include_next <stdlib.h>

#ifndef __occlum_stdlib_h
#define __occlum_stdlib_h

#if defined(_POSIX_SOURCE) || defined(_POSIX_C_SOURCE) \
 || defined(_XOPEN_SOURCE) || defined(_GNU_SOURCE) \
 || defined(_BSD_SOURCE)
#ifndef WNOHANG
#define WNOHANG 1
#define WUNTRACED 2
#endif
#include <__occlum_waitstatus.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif
/* Temporary files (wasi-libc hides them: "WASI has no temp
 * directories"; the LibOS has /tmp). */
int mkstemp(char *);
int mkostemp(char *, int);
char *mkdtemp(char *);
#if defined(_GNU_SOURCE) || defined(_BSD_SOURCE)
int mkstemps(char *, int);
int mkostemps(char *, int, int);
#endif
#ifdef __cplusplus
}
#endif

#if defined(_XOPEN_SOURCE) || defined(_GNU_SOURCE) || defined(_BSD_SOURCE)
#ifdef __cplusplus
extern "C" {
#endif
char *realpath(const char *__restrict, char *__restrict);
#ifdef __cplusplus
}
#endif
#endif

#endif
