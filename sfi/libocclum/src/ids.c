/* One user: root. The set* calls accept 0 (no change) and refuse the rest. */
#define _GNU_SOURCE
#include <grp.h>
#include <limits.h>
#include <unistd.h>

#include "internal.h"

static int only_root(unsigned id)
{
	if (id != 0 && id != (unsigned)-1) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

int setuid(uid_t uid) { return only_root(uid); }
int seteuid(uid_t uid) { return only_root(uid); }
int setgid(gid_t gid) { return only_root(gid); }
int setegid(gid_t gid) { return only_root(gid); }
int setreuid(uid_t r, uid_t e) { return only_root(r) < 0 ? -1 : only_root(e); }
int setregid(gid_t r, gid_t e) { return only_root(r) < 0 ? -1 : only_root(e); }

/* The supplementary groups: none, or root's group, which setgroups (and
 * initgroups) may add; any other group is EPERM, as for setgid. */
static int ngroups;

int getgroups(int size, gid_t list[])
{
	if (size < 0) {
		errno = EINVAL;
		return -1;
	}
	if (size == 0)
		return ngroups;
	if (size < ngroups) {
		errno = EINVAL;
		return -1;
	}
	for (int i = 0; i < ngroups; i++)
		list[i] = 0;
	return ngroups;
}

int setgroups(size_t size, const gid_t *list)
{
	if (size > NGROUPS_MAX) {
		errno = EINVAL;
		return -1;
	}
	int n = 0;
	for (size_t i = 0; i < size; i++) {
		if (list[i] != 0) {
			errno = EPERM;
			return -1;
		}
		n = 1; /* the kernel keeps duplicates; one is enough to say "root" */
	}
	ngroups = n;
	return 0;
}
