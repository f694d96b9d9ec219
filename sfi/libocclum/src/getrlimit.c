#include <sys/resource.h>

#include "internal.h"

_Static_assert(sizeof(struct rlimit) == sizeof(struct occlum_rlimit), "rlimit");

int getrlimit(int resource, struct rlimit *rl)
{
	return __occlum_ret(__occlum_sys_getrlimit(resource, (struct occlum_rlimit *)rl));
}
