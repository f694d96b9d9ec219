/* Replaces wasi-libc's shutdown (WASI's sock_shutdown and SHUT_ values). */
#include <sys/socket.h>

#include "internal.h"

int shutdown(int fd, int how)
{
	return __occlum_ret(__occlum_sys_shutdown(fd, how));
}
