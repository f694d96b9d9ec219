#include <sys/stat.h>

#include "internal.h"

mode_t umask(mode_t mask)
{
	uint32_t old = 0;
	__occlum_sys_umask(mask & 0777, &old); /* cannot fail */
	return old;
}
