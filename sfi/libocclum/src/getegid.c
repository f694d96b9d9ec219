#include <unistd.h>

#include "internal.h"

gid_t getegid(void)
{
	uint32_t id = 0;
	__occlum_sys_getegid(&id); /* cannot fail */
	return id;
}
