#include <unistd.h>

#include "internal.h"

pid_t getppid(void)
{
	int32_t pid = 0;
	__occlum_sys_getppid(&pid); /* cannot fail */
	return pid;
}
