/* gethostbyaddr and gethostbyaddr_r: the image's /etc/hosts, and
 * "localhost" for the loopback addresses; others are HOST_NOT_FOUND (no
 * reverse DNS). */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>

#include "netdb_impl.h"

int gethostbyaddr_r(const void *a, socklen_t len, int af, struct hostent *h, char *buf, size_t size,
		    struct hostent **res, int *herr)
{
	*res = 0;
	if ((af != AF_INET || len != 4) && (af != AF_INET6 || len != 16)) {
		*herr = NETDB_INTERNAL;
		errno = af == AF_INET || af == AF_INET6 ? EINVAL : EAFNOSUPPORT;
		return errno;
	}
	int e = __occlum_hosts_byaddr(af, a, h, buf, size);
	if (e == ENOENT) {
		*herr = HOST_NOT_FOUND;
		return 0;
	}
	if (e) {
		*herr = NETDB_INTERNAL;
		errno = e;
		return e;
	}
	*herr = 0;
	*res = h;
	return 0;
}

struct hostent *gethostbyaddr(const void *a, socklen_t len, int af)
{
	static struct hostent he;
	static char buf[2048];
	struct hostent *res;
	gethostbyaddr_r(a, len, af, &he, buf, sizeof buf, &res, &h_errno);
	return res;
}
