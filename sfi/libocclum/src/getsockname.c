#include <sys/socket.h>

#include "internal.h"

int getsockname(int fd, struct sockaddr *__restrict addr, socklen_t *__restrict len)
{
	return __occlum_ret(__occlum_sys_getsockname(fd, addr, len));
}
