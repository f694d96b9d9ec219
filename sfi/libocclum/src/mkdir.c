/* mkdir and mkdirat with their mode: wasi-libc makes the directory (the
 * LibOS gives it 0777 less the umask), then a mode other than 0777 is
 * applied, less the umask. <sys/stat.h> redirects them here. */
#include <fcntl.h>
#include <sys/stat.h>

#include "internal.h"

int __wasilibc_real_mkdir(const char *, mode_t) __asm__("mkdir");
int __wasilibc_real_mkdirat(int, const char *, mode_t) __asm__("mkdirat");

int __occlum_mkdirat(int dirfd, const char *path, mode_t mode)
{
	int r = __wasilibc_real_mkdirat(dirfd, path, mode);
	if (r == 0 && (mode & 07777) != 0777)
		__occlum_creation_mode(-1, dirfd, path, mode & 01777);
	return r;
}

int __occlum_mkdir(const char *path, mode_t mode)
{
	int r = __wasilibc_real_mkdir(path, mode);
	if (r == 0 && (mode & 07777) != 0777)
		__occlum_creation_mode(-1, AT_FDCWD, path, mode & 01777);
	return r;
}
