#include <fcntl.h>
#include <unistd.h>

#include "internal.h"

int pipe2(int fds[2], int flags)
{
	if (flags & ~(O_CLOEXEC | O_NONBLOCK)) {
		errno = EINVAL;
		return -1;
	}
	int32_t r[2];
	if (__occlum_ret(__occlum_sys_pipe2(r, (flags & O_CLOEXEC ? LINUX_O_CLOEXEC : 0) | (flags & O_NONBLOCK ? LINUX_O_NONBLOCK : 0))) < 0)
		return -1;
	fds[0] = r[0];
	fds[1] = r[1];
	return 0;
}

int pipe(int fds[2])
{
	return pipe2(fds, 0);
}
