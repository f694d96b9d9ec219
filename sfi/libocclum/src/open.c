/* open() and openat() for user code (<fcntl.h> redirects them here): O_CLOEXEC.
 *
 * wasi-libc opens the file; O_CLOEXEC, a bit it ignores, is applied here
 * afterwards. The LibOS call that does that is linked only into programs in
 * which close-on-exec can be observed (they spawn, exec, or ask fcntl):
 * __occlum_set_cloexec is a weak reference, non-null exactly when something
 * else linked cloexec.c. Every other program opens files without any
 * `occlum` import. (No threads in wasm32-wasi: nothing can spawn between
 * the open and the marking.) */
#include <fcntl.h>
#include <stdarg.h>
#include <unistd.h>

#include "internal.h"

extern int __occlum_set_cloexec(int) __attribute__((__weak__));

/* wasi-libc's own functions, under names the redirects do not touch. */
int __wasilibc_real_open(const char *, int, ...) __asm__("open");
int __wasilibc_real_openat(int, const char *, int, ...) __asm__("openat");

static int finish(int fd, int flags)
{
	if (fd >= 0 && (flags & O_CLOEXEC) && __occlum_set_cloexec)
		__occlum_set_cloexec(fd);
	return fd;
}

int __occlum_open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	if (flags & O_CREAT) {
		va_list ap;
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	return finish(__wasilibc_real_open(path, flags & ~O_CLOEXEC, mode), flags);
}

int __occlum_openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;
	if (flags & O_CREAT) {
		va_list ap;
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	return finish(__wasilibc_real_openat(dirfd, path, flags & ~O_CLOEXEC, mode), flags);
}
