#define _GNU_SOURCE
#include <unistd.h>

#include "internal.h"

int getresuid(uid_t *r, uid_t *e, uid_t *s)
{
	*r = getuid();
	*e = *s = geteuid();
	return 0;
}

int getresgid(gid_t *r, gid_t *e, gid_t *s)
{
	*r = getgid();
	*e = *s = getegid();
	return 0;
}
