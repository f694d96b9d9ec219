/* The stat family, on the LibOS's occlum stat: WASI's filestat has no
 * permission bits, owner, device numbers or block count, so wasi-libc's
 * own stat() reports a mode of just the file type. <sys/stat.h> redirects
 * stat, lstat, fstat and fstatat here. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"

struct occlum_stat {
	uint64_t dev, ino;
	uint32_t mode, nlink, uid, gid;
	uint64_t rdev;
	int64_t size, blocks, atime, mtime, ctime;
	uint32_t blksize, reserved;
};
_Static_assert(sizeof(struct occlum_stat) == 88, "occlum_stat");

OCCLUM_IMPORT(stat)
int32_t __occlum_sys_stat(int32_t fd, uint32_t flags, const char *path, uint32_t path_len, struct occlum_stat *result);

#define OCCLUM_AT_FDCWD (-100)
#define OCCLUM_AT_SYMLINK_NOFOLLOW 0x100
#define OCCLUM_AT_EMPTY_PATH 0x1000

static struct timespec ts(int64_t ns)
{
	struct timespec t = {(time_t)(ns / 1000000000), (long)(ns % 1000000000)};
	if (t.tv_nsec < 0) {
		t.tv_nsec += 1000000000;
		t.tv_sec--;
	}
	return t;
}

static int do_stat(int fd, uint32_t flags, const char *path, struct stat *st)
{
	struct occlum_stat o;
	int32_t e = __occlum_sys_stat(fd, flags, path, (uint32_t)strlen(path), &o);
	if (e != 0)
		return __occlum_ret(e);
	memset(st, 0, sizeof *st);
	st->st_dev = o.dev;
	st->st_ino = o.ino;
	st->st_nlink = o.nlink;
	st->st_mode = o.mode;
	st->st_uid = o.uid;
	st->st_gid = o.gid;
	st->st_rdev = o.rdev;
	st->st_size = o.size;
	st->st_blksize = o.blksize;
	st->st_blocks = o.blocks;
	st->st_atim = ts(o.atime);
	st->st_mtim = ts(o.mtime);
	st->st_ctim = ts(o.ctime);
	return 0;
}

int __occlum_stat(const char *restrict path, struct stat *restrict st)
{
	return do_stat(OCCLUM_AT_FDCWD, 0, path, st);
}

int __occlum_lstat(const char *restrict path, struct stat *restrict st)
{
	return do_stat(OCCLUM_AT_FDCWD, OCCLUM_AT_SYMLINK_NOFOLLOW, path, st);
}

int __occlum_fstat(int fd, struct stat *st)
{
	return do_stat(fd, OCCLUM_AT_EMPTY_PATH, "", st);
}

int __occlum_fstatat(int dirfd, const char *restrict path, struct stat *restrict st, int flag)
{
	uint32_t f = 0;
	if (flag & AT_SYMLINK_NOFOLLOW)
		f |= OCCLUM_AT_SYMLINK_NOFOLLOW;
	if (flag & ~AT_SYMLINK_NOFOLLOW) {
		errno = EINVAL;
		return -1;
	}
	return do_stat(dirfd == AT_FDCWD ? OCCLUM_AT_FDCWD : dirfd, f, path, st);
}
