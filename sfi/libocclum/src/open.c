/* open() and openat() for user code (<fcntl.h> redirects them here): O_CLOEXEC.
 *
 * wasi-libc opens the file; O_CLOEXEC, a bit it ignores, is applied here
 * afterwards. The LibOS call that does that is linked only into programs in
 * which close-on-exec can be observed (they spawn, exec, or ask fcntl):
 * __occlum_set_cloexec is a weak reference, non-null exactly when something
 * else linked cloexec.c. A mode other than 0666 at creation is applied
 * with the occlum chmod (see create), so a program that calls open imports
 * `chmod`. (No threads in wasm32-wasi: nothing can spawn between
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

static int real(int dirfd, const char *path, int flags)
{
	return dirfd == AT_FDCWD ? __wasilibc_real_open(path, flags, 0) : __wasilibc_real_openat(dirfd, path, flags, 0);
}

/* create opens with O_CREAT and a mode other than the LibOS's 0666: if
 * the open made the file (tried first with O_EXCL), the mode, less the
 * umask, is applied to it; an existing file is opened as it is. A name
 * that comes and goes between the two tries is tried again; a dangling
 * symbolic link (EEXIST, then ENOENT) is opened as the plain call would,
 * its new target keeping the LibOS's mode. */
static int create(int dirfd, const char *path, int flags, mode_t mode)
{
	for (int i = 0; i < 4; i++) {
		int fd = real(dirfd, path, flags | O_EXCL);
		if (fd >= 0) {
			__occlum_creation_mode(fd, dirfd, path, mode);
			return fd;
		}
		if (errno != EEXIST || (flags & O_EXCL))
			return -1;
		fd = real(dirfd, path, flags & ~O_CREAT);
		if (fd >= 0 || errno != ENOENT)
			return fd;
	}
	return real(dirfd, path, flags);
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
	if ((flags & O_CREAT) && (mode & 07777) != 0666)
		return finish(create(AT_FDCWD, path, flags & ~O_CLOEXEC, mode), flags);
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
	if ((flags & O_CREAT) && (mode & 07777) != 0666)
		return finish(create(dirfd, path, flags & ~O_CLOEXEC, mode), flags);
	return finish(__wasilibc_real_openat(dirfd, path, flags & ~O_CLOEXEC, mode), flags);
}
