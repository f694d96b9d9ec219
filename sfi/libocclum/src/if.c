/* <net/if.h>: the LibOS shows programs no interfaces but the loopback,
 * "lo", index 1. As Linux: an unknown name is ENODEV, an unknown index
 * ENXIO. */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

unsigned int if_nametoindex(const char *name)
{
	if (strcmp(name, "lo") == 0)
		return 1;
	errno = ENODEV;
	return 0;
}

char *if_indextoname(unsigned int index, char *name)
{
	if (index == 1)
		return strcpy(name, "lo");
	errno = ENXIO;
	return 0;
}

struct if_nameindex *if_nameindex(void)
{
	struct if_nameindex *r = malloc(2 * sizeof *r + 3);
	if (!r) {
		errno = ENOBUFS;
		return 0;
	}
	r[0].if_index = 1;
	r[0].if_name = strcpy((char *)(r + 2), "lo");
	r[1].if_index = 0;
	r[1].if_name = 0;
	return r;
}

void if_freenameindex(struct if_nameindex *p)
{
	free(p);
}
