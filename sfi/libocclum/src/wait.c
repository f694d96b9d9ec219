#define _GNU_SOURCE
#include <string.h>
#include <sys/wait.h>

#include "internal.h"

pid_t wait4(pid_t pid, int *status, int options, struct rusage *ru)
{
	int32_t st = 0, got = 0;
	if (__occlum_ret(__occlum_sys_wait4(pid, options, &st, &got)) < 0)
		return -1;
	if (status && got > 0)
		*status = st;
	if (ru)
		memset(ru, 0, sizeof *ru);
	return got;
}

pid_t waitpid(pid_t pid, int *status, int options)
{
	return wait4(pid, status, options, 0);
}

pid_t wait(int *status)
{
	return wait4(-1, status, 0, 0);
}

pid_t wait3(int *status, int options, struct rusage *ru)
{
	return wait4(-1, status, options, ru);
}
