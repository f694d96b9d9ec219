#include <unistd.h>

#include "internal.h"

uid_t getuid(void)
{
	uint32_t id = 0;
	__occlum_sys_getuid(&id); /* cannot fail */
	return id;
}
