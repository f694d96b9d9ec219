#include <unistd.h>

#include "internal.h"

gid_t getgid(void)
{
	uint32_t id = 0;
	__occlum_sys_getgid(&id); /* cannot fail */
	return id;
}
