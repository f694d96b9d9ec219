/* There is no fork in the LibOS: a process is a WebAssembly instance and its
 * memory cannot be duplicated into another one. These exist so that
 * programs which only mention fork link; use posix_spawn. */
#include <unistd.h>

#include "internal.h"

pid_t fork(void)
{
	errno = ENOSYS;
	return -1;
}

pid_t vfork(void)
{
	errno = ENOSYS;
	return -1;
}

int fexecve(int fd, char *const argv[], char *const envp[])
{
	(void)fd;
	(void)argv;
	(void)envp;
	errno = ENOSYS;
	return -1;
}
