#include <unistd.h>

#include "internal.h"

uid_t geteuid(void)
{
	uint32_t id = 0;
	__occlum_sys_geteuid(&id); /* cannot fail */
	return id;
}
