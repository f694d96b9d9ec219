#include <sys/socket.h>

#include "internal.h"

int listen(int fd, int backlog)
{
	return __occlum_ret(__occlum_sys_listen(fd, backlog));
}
