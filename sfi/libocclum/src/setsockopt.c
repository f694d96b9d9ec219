#include <sys/socket.h>

#include "internal.h"

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	return __occlum_ret(__occlum_sys_setsockopt(fd, level, name, val, len));
}
