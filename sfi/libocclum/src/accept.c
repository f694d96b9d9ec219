/* accept and accept4 in one member: wasi-libc's accept.o defines both (on
 * WASI's sock_accept), and must never be linked next to these. */
#include <sys/socket.h>

#include "internal.h"

int accept4(int fd, struct sockaddr *__restrict addr, socklen_t *__restrict len, int flags)
{
	int32_t r;
	if (__occlum_ret(__occlum_sys_accept4(fd, addr, len, flags, &r)) < 0)
		return -1;
	return r;
}

int accept(int fd, struct sockaddr *__restrict addr, socklen_t *__restrict len)
{
	return accept4(fd, addr, len, 0);
}
