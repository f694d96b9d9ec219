/* Replaces wasi-libc's getsockopt (SOL_SOCKET/SO_TYPE only, WASI values). */
#include <sys/socket.h>

#include "internal.h"

int getsockopt(int fd, int level, int name, void *__restrict val, socklen_t *__restrict len)
{
	return __occlum_ret(__occlum_sys_getsockopt(fd, level, name, val, len));
}
