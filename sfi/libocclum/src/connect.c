#include <sys/socket.h>

#include "internal.h"

int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	return __occlum_ret(__occlum_sys_connect(fd, addr, len));
}
