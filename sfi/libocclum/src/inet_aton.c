/* inet_aton, inet_addr and inet_network: the classic forms a, a.b, a.b.c
 * and a.b.c.d, each part decimal, octal (0...) or hex (0x...). As glibc,
 * inet_aton and inet_addr stop at white space (getaddrinfo's numeric hosts
 * must be exact: __occlum_inet_aton). inet_network is glibc's. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

#include "netdb_impl.h"

static int parse(const char *s, struct in_addr *dst, int exact)
{
	unsigned long long part[4];
	int n = 0;
	for (;;) {
		if (!isdigit((unsigned char)*s))
			return 0;
		char *end;
		errno = 0;
		part[n] = strtoull(s, &end, 0);
		if (errno || part[n] > 0xffffffffULL)
			return 0;
		s = end;
		n++;
		if (!*s || (!exact && isspace((unsigned char)*s)))
			break;
		if (*s != '.' || n == 4)
			return 0;
		s++;
	}
	unsigned long long v;
	switch (n) {
	case 1:
		v = part[0];
		break;
	case 2:
		if (part[0] > 0xff || part[1] > 0xffffff)
			return 0;
		v = part[0] << 24 | part[1];
		break;
	case 3:
		if (part[0] > 0xff || part[1] > 0xff || part[2] > 0xffff)
			return 0;
		v = part[0] << 24 | part[1] << 16 | part[2];
		break;
	default:
		for (int i = 0; i < 4; i++)
			if (part[i] > 0xff)
				return 0;
		v = part[0] << 24 | part[1] << 16 | part[2] << 8 | part[3];
	}
	if (dst)
		dst->s_addr = htonl((uint32_t)v);
	return 1;
}

/* errno is kept. */
int __occlum_inet_aton(const char *s, struct in_addr *dst, int exact)
{
	int e = errno;
	int r = parse(s, dst, exact);
	errno = e;
	return r;
}

int inet_aton(const char *s, struct in_addr *dst)
{
	return __occlum_inet_aton(s, dst, 0);
}

in_addr_t inet_addr(const char *s)
{
	struct in_addr a;
	if (!inet_aton(s, &a))
		return INADDR_NONE;
	return a.s_addr;
}

/* As glibc: the parts (each at most 255) are the bytes of the result, the
 * last one lowest: inet_network("10.1") is 0x0a01. */
in_addr_t inet_network(const char *s)
{
	uint32_t v = 0;
	int n = 0;
	for (;;) {
		if (!isdigit((unsigned char)*s) || n == 4)
			return INADDR_NONE;
		char *end;
		unsigned long long part = strtoull(s, &end, 0);
		if (part > 0xff)
			return INADDR_NONE;
		v = v << 8 | (uint32_t)part;
		n++;
		s = end;
		if (!*s || isspace((unsigned char)*s))
			return v;
		if (*s++ != '.')
			return INADDR_NONE;
	}
}
