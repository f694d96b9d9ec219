/* gethostbyname, gethostbyname2 and their _r forms, over getaddrinfo
 * (AI_CANONNAME: h_name is the name as given; no aliases). */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <string.h>

#include "netdb_impl.h"

#define MAXADDRS 32

int gethostbyname2_r(const char *name, int af, struct hostent *h, char *buf, size_t size, struct hostent **res,
		     int *herr)
{
	*res = 0;
	if (af != AF_INET && af != AF_INET6) {
		*herr = NETDB_INTERNAL;
		errno = EAFNOSUPPORT;
		return EAFNOSUPPORT;
	}
	struct addrinfo hints = { .ai_flags = AI_CANONNAME, .ai_family = af, .ai_socktype = SOCK_STREAM }, *ai;
	int e = getaddrinfo(name, 0, &hints, &ai);
	switch (e) {
	case 0:
		break;
	case EAI_AGAIN:
		*herr = TRY_AGAIN;
		return EAGAIN;
	case EAI_MEMORY:
		*herr = NETDB_INTERNAL;
		errno = ENOMEM;
		return ENOMEM;
	case EAI_SYSTEM:
		*herr = NETDB_INTERNAL;
		return errno;
	case EAI_FAIL:
		*herr = NO_RECOVERY;
		return 0;
	default:
		*herr = HOST_NOT_FOUND;
		return 0;
	}
	unsigned char addrs[MAXADDRS * 16];
	int n = 0, len = af == AF_INET ? 4 : 16;
	for (struct addrinfo *p = ai; p && n < MAXADDRS; p = p->ai_next, n++) {
		if (af == AF_INET)
			memcpy(addrs + n * len, &((struct sockaddr_in *)p->ai_addr)->sin_addr, 4);
		else
			memcpy(addrs + n * len, &((struct sockaddr_in6 *)p->ai_addr)->sin6_addr, 16);
	}
	e = __occlum_hostent(h, ai->ai_canonname ? ai->ai_canonname : name, 0, 0, af, addrs, n, buf, size);
	freeaddrinfo(ai);
	if (e) {
		*herr = NETDB_INTERNAL;
		errno = ERANGE;
		return ERANGE;
	}
	*herr = 0;
	*res = h;
	return 0;
}

int gethostbyname_r(const char *name, struct hostent *h, char *buf, size_t size, struct hostent **res, int *herr)
{
	return gethostbyname2_r(name, AF_INET, h, buf, size, res, herr);
}

static struct hostent he;
static char hebuf[MAXADDRS * 24 + 1024];

struct hostent *gethostbyname2(const char *name, int af)
{
	struct hostent *res;
	gethostbyname2_r(name, af, &he, hebuf, sizeof hebuf, &res, &h_errno);
	return res;
}

struct hostent *gethostbyname(const char *name)
{
	return gethostbyname2(name, AF_INET);
}
