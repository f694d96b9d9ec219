/* The O_* flag translation between wasi-libc's values and the ABI's Linux
 * values. */
#include <fcntl.h>
#include <wasi/api.h>

#include "internal.h"

/* include/fcntl.h restates wasi-libc's values as plain integers. */
_Static_assert(O_APPEND == __WASI_FDFLAGS_APPEND && O_DSYNC == __WASI_FDFLAGS_DSYNC &&
		       O_NONBLOCK == __WASI_FDFLAGS_NONBLOCK && O_RSYNC == __WASI_FDFLAGS_RSYNC &&
		       O_SYNC == __WASI_FDFLAGS_SYNC,
	       "fd flags");
_Static_assert(O_CREAT == __WASI_OFLAGS_CREAT << 12 && O_DIRECTORY == __WASI_OFLAGS_DIRECTORY << 12 &&
		       O_EXCL == __WASI_OFLAGS_EXCL << 12 && O_TRUNC == __WASI_OFLAGS_TRUNC << 12,
	       "open flags");
#if !(O_NONBLOCK && O_CREAT && O_APPEND)
#error "O_* must work in #if"
#endif

uint32_t __occlum_oflags_to_linux(int flags)
{
	uint32_t l = 0;
	switch (flags & O_ACCMODE) {
	case O_RDONLY: l = LINUX_O_RDONLY; break;
	case O_WRONLY: l = LINUX_O_WRONLY; break;
	case O_RDWR: l = LINUX_O_RDWR; break;
	default: l = LINUX_O_PATH; break; /* O_EXEC, O_SEARCH */
	}
	if (flags & O_APPEND) l |= LINUX_O_APPEND;
	if (flags & O_DSYNC) l |= LINUX_O_DSYNC;
	if (flags & O_NONBLOCK) l |= LINUX_O_NONBLOCK;
	if (flags & (O_SYNC | O_RSYNC)) l |= LINUX_O_SYNC;
	if (flags & O_CREAT) l |= LINUX_O_CREAT;
	if (flags & O_DIRECTORY) l |= LINUX_O_DIRECTORY;
	if (flags & O_EXCL) l |= LINUX_O_EXCL;
	if (flags & O_TRUNC) l |= LINUX_O_TRUNC;
	if (flags & O_NOFOLLOW) l |= LINUX_O_NOFOLLOW;
	if (flags & O_CLOEXEC) l |= LINUX_O_CLOEXEC;
	return l;
}

int __occlum_oflags_from_linux(uint32_t l)
{
	int flags;
	if (l & LINUX_O_PATH) {
		flags = O_SEARCH;
	} else {
		switch (l & LINUX_O_ACCMODE) {
		case LINUX_O_WRONLY: flags = O_WRONLY; break;
		case LINUX_O_RDWR: flags = O_RDWR; break;
		default: flags = O_RDONLY; break;
		}
	}
	if (l & LINUX_O_APPEND) flags |= O_APPEND;
	if (l & LINUX_O_NONBLOCK) flags |= O_NONBLOCK;
	if ((l & LINUX_O_SYNC) == LINUX_O_SYNC) flags |= O_SYNC;
	else if (l & LINUX_O_DSYNC) flags |= O_DSYNC;
	if (l & LINUX_O_DIRECTORY) flags |= O_DIRECTORY;
	if (l & LINUX_O_NOFOLLOW) flags |= O_NOFOLLOW;
	return flags;
}
