#include <sys/socket.h>

#include "internal.h"

int socketpair(int domain, int type, int protocol, int fds[2])
{
	int32_t r[2];
	if (__occlum_ret(__occlum_sys_socketpair(domain, type, protocol, r)) < 0)
		return -1;
	fds[0] = r[0];
	fds[1] = r[1];
	return 0;
}
