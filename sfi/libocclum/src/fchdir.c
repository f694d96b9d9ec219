#include <unistd.h>

#include "internal.h"

int fchdir(int fd)
{
	if (__occlum_ret(__occlum_sys_fchdir(fd)) < 0)
		return -1;
	__occlum_cwd_sync();
	return 0;
}
