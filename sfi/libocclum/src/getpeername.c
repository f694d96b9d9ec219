#include <sys/socket.h>

#include "internal.h"

int getpeername(int fd, struct sockaddr *__restrict addr, socklen_t *__restrict len)
{
	return __occlum_ret(__occlum_sys_getpeername(fd, addr, len));
}
