#include <sys/resource.h>

#include "internal.h"

int setrlimit(int resource, const struct rlimit *rl)
{
	return __occlum_ret(__occlum_sys_setrlimit(resource, (const struct occlum_rlimit *)rl));
}
