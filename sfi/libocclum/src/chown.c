/* chown, fchown, lchown, fchownat (wasi-libc declares them only for
 * upstream musl and defines none), on the LibOS's occlum chown: -1 leaves
 * the owner or group as it is. */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define OCCLUM_AT_FDCWD (-100)
#define OCCLUM_AT_SYMLINK_NOFOLLOW 0x100
#define OCCLUM_AT_EMPTY_PATH 0x1000
#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif

static int do_chown(int fd, uint32_t flags, const char *path, uid_t uid, gid_t gid)
{
	return __occlum_ret(__occlum_sys_chown(fd, flags, path, (uint32_t)strlen(path), (uint32_t)uid, (uint32_t)gid));
}

int chown(const char *path, uid_t uid, gid_t gid) { return do_chown(OCCLUM_AT_FDCWD, 0, path, uid, gid); }

int fchown(int fd, uid_t uid, gid_t gid) { return do_chown(fd, OCCLUM_AT_EMPTY_PATH, "", uid, gid); }

int lchown(const char *path, uid_t uid, gid_t gid)
{
	return do_chown(OCCLUM_AT_FDCWD, OCCLUM_AT_SYMLINK_NOFOLLOW, path, uid, gid);
}

int fchownat(int dirfd, const char *path, uid_t uid, gid_t gid, int flag)
{
	if (flag & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) {
		errno = EINVAL;
		return -1;
	}
	uint32_t f = 0;
	if (flag & AT_SYMLINK_NOFOLLOW)
		f |= OCCLUM_AT_SYMLINK_NOFOLLOW;
	if (flag & AT_EMPTY_PATH)
		f |= OCCLUM_AT_EMPTY_PATH;
	return do_chown(dirfd == AT_FDCWD ? OCCLUM_AT_FDCWD : dirfd, f, path, uid, gid);
}
