#include <unistd.h>

#include "internal.h"

pid_t getpid(void)
{
	int32_t pid = 0;
	__occlum_sys_getpid(&pid); /* cannot fail */
	return pid;
}
