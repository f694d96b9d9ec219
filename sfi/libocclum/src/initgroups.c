/* initgroups: the groups /etc/group lists user in, and group
 * (getgrouplist), as the supplementary groups; only root's group can be
 * set (setgroups), so anything else is EPERM. */
#define _GNU_SOURCE
#include <grp.h>
#include <limits.h>

#include "internal.h"

int initgroups(const char *user, gid_t group)
{
	gid_t groups[NGROUPS_MAX];
	int n = NGROUPS_MAX;
	if (getgrouplist(user, group, groups, &n) < 0)
		n = NGROUPS_MAX; /* the first NGROUPS_MAX, as glibc */
	return setgroups((size_t)n, groups);
}
