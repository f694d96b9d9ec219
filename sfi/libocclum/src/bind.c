#include <sys/socket.h>

#include "internal.h"

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	return __occlum_ret(__occlum_sys_bind(fd, addr, len));
}
