/* gethostname: the node name of uname (wasi-libc declares gethostname
 * but does not define it). */
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "internal.h"

int gethostname(char *name, size_t len)
{
	struct utsname u;
	if (uname(&u) < 0)
		return -1;
	size_t n = strnlen(u.nodename, sizeof u.nodename);
	if (n + 1 > len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(name, u.nodename, n);
	name[n] = 0;
	return 0;
}
