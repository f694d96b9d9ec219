/* flock (wasi-libc declares it in <sys/file.h> but does not define it):
 * whole-file locks owned by the open file, on the LibOS's occlum flock;
 * independent of fcntl's record locks, as on Linux. */
#include <sys/file.h>

#include "internal.h"

int flock(int fd, int operation)
{
	return __occlum_ret(__occlum_sys_flock(fd, (uint32_t)operation));
}
