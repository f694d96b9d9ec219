/* chmod, fchmod, fchmodat, lchmod (wasi-libc declares them only for
 * upstream musl and defines none), on the LibOS's occlum chmod; and the
 * modes asked for at creation (open with O_CREAT, mkdir, mkstemp ...),
 * which WASI's calls cannot carry. */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"

#define OCCLUM_AT_FDCWD (-100)
#define OCCLUM_AT_SYMLINK_NOFOLLOW 0x100
#define OCCLUM_AT_EMPTY_PATH 0x1000

static int do_chmod(int fd, uint32_t flags, const char *path, mode_t mode)
{
	return __occlum_ret(__occlum_sys_chmod(fd, flags, path, (uint32_t)strlen(path), (uint32_t)mode));
}

int chmod(const char *path, mode_t mode) { return do_chmod(OCCLUM_AT_FDCWD, 0, path, mode); }

int fchmod(int fd, mode_t mode) { return do_chmod(fd, OCCLUM_AT_EMPTY_PATH, "", mode); }

int lchmod(const char *path, mode_t mode)
{
	return do_chmod(OCCLUM_AT_FDCWD, OCCLUM_AT_SYMLINK_NOFOLLOW, path, mode);
}

int fchmodat(int dirfd, const char *path, mode_t mode, int flag)
{
	if (flag & ~AT_SYMLINK_NOFOLLOW) {
		errno = EINVAL;
		return -1;
	}
	return do_chmod(dirfd == AT_FDCWD ? OCCLUM_AT_FDCWD : dirfd,
			(flag & AT_SYMLINK_NOFOLLOW) ? OCCLUM_AT_SYMLINK_NOFOLLOW : 0, path, mode);
}

void __occlum_creation_mode(int fd, int dirfd, const char *path, unsigned mode)
{
	uint32_t um = 0, ignored;
	__occlum_sys_umask(0, &um);
	__occlum_sys_umask(um, &ignored);
	unsigned want = mode & ~um & 07777;
	int saved = errno;
	if (fd >= 0)
		__occlum_sys_chmod(fd, OCCLUM_AT_EMPTY_PATH, "", 0, want);
	else
		__occlum_sys_chmod(dirfd == AT_FDCWD ? OCCLUM_AT_FDCWD : dirfd, OCCLUM_AT_SYMLINK_NOFOLLOW,
				   path, (uint32_t)strlen(path), want);
	errno = saved;
}
