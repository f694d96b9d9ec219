#define _GNU_SOURCE
#include <sys/resource.h>

#include "internal.h"

int prlimit(pid_t pid, int resource, const struct rlimit *new_limit, struct rlimit *old)
{
	return __occlum_ret(__occlum_sys_prlimit(pid, resource,
		(const struct occlum_rlimit *)new_limit, (struct occlum_rlimit *)old));
}
