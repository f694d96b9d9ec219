/* libocclum: wasi-libc's <fcntl.h> with a working O_CLOEXEC and the fcntl()
 * commands of the LibOS, record locks among them.
 *
 * The O_* values stay wasi-libc's (O_RDONLY is 0x04000000, O_CREAT 0x1000,
 * ...): they are what wasi-libc's open() understands. libocclum translates
 * them to Linux values where the LibOS ABI wants those (file actions, pipe2,
 * dup3, fcntl F_GETFL/F_SETFL).
 *
 * O_CLOEXEC is a bit wasi-libc's open() ignores. open() and openat() are
 * redirected to libocclum, which strips it, opens the file, and marks the new
 * descriptor close-on-exec. fcntl() is redirected the same way (wasi-libc's
 * own fcntl() keeps serving wasi-libc's internal callers, such as fdopen). */
#include_next <fcntl.h>

#ifndef __occlum_fcntl_h
#define __occlum_fcntl_h

#undef O_CLOEXEC
#define O_CLOEXEC 0x20000000

/* The same values as plain integers: wasi-libc's are casts to its WASI
 * types, which `#if O_NONBLOCK` (gnulib, gzip) cannot evaluate. */
#undef O_APPEND
#define O_APPEND 0x0001
#undef O_DSYNC
#define O_DSYNC 0x0002
#undef O_NONBLOCK
#define O_NONBLOCK 0x0004
#undef O_RSYNC
#define O_RSYNC 0x0008
#undef O_SYNC
#define O_SYNC 0x0010
#undef O_CREAT
#define O_CREAT 0x1000
#undef O_DIRECTORY
#define O_DIRECTORY 0x2000
#undef O_EXCL
#define O_EXCL 0x4000
#undef O_TRUNC
#define O_TRUNC 0x8000

#ifndef F_DUPFD
#define F_DUPFD 0
#endif
#ifndef F_DUPFD_CLOEXEC
#define F_DUPFD_CLOEXEC 1030
#endif

/* Record locks (struct flock is wasi-libc's, Linux's layout: l_type,
 * l_whence, l_start, l_len, l_pid), with Linux's values. */
#ifndef F_GETLK
#define F_GETLK 5
#define F_SETLK 6
#define F_SETLKW 7
#endif
#ifndef F_OFD_GETLK
#define F_OFD_GETLK 36
#define F_OFD_SETLK 37
#define F_OFD_SETLKW 38
#endif
#ifndef F_RDLCK
#define F_RDLCK 0
#define F_WRLCK 1
#define F_UNLCK 2
#endif

#ifdef __cplusplus
extern "C" {
#endif

int open(const char *, int, ...) __asm__("__occlum_open");
int openat(int, const char *, int, ...) __asm__("__occlum_openat");
int fcntl(int, int, ...) __asm__("__occlum_fcntl");

#ifdef __cplusplus
}
#endif

#endif
