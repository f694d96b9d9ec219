#include <unistd.h>

#include "internal.h"

/* sync(2): every mount's changes are durable when it returns (sefs layers
 * commit). As on Linux it cannot fail; syncfs reports what went wrong. */
void sync(void)
{
	__occlum_sys_sync(-1);
}

/* syncfs(2): the LibOS commits every mount, which covers fd's. */
int syncfs(int fd)
{
	if (fd < 0) {
		errno = EBADF;
		return -1;
	}
	return __occlum_ret(__occlum_sys_sync(fd));
}
