#include <fcntl.h>
#include <unistd.h>

#include "internal.h"

int dup3(int fd, int newfd, int flags)
{
	if (flags & ~O_CLOEXEC) {
		errno = EINVAL;
		return -1;
	}
	if (__occlum_ret(__occlum_sys_dup3(fd, newfd, flags ? LINUX_O_CLOEXEC : 0)) < 0)
		return -1;
	return newfd;
}
