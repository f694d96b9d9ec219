/* __occlum_parse_id: a user or group id of /etc/passwd or /etc/group. */
#include "internal.h"

int __occlum_parse_id(const char *s, unsigned *id)
{
	unsigned long long v = 0;
	if (!*s)
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		v = v * 10 + (unsigned)(*s - '0');
		if (v > 0xffffffffu)
			return 0;
	}
	*id = (unsigned)v;
	return 1;
}
