/* Marking a descriptor close-on-exec, for open(O_CLOEXEC). */
#include <fcntl.h>

#include "internal.h"

int __occlum_set_cloexec(int fd)
{
	int32_t v;
	return __occlum_ret(__occlum_sys_fcntl(fd, F_SETFD, FD_CLOEXEC, &v));
}
