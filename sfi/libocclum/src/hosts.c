/* Reverse lookups in the image's /etc/hosts (getnameinfo, gethostbyaddr),
 * and the hostent builder the gethostby* functions share. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <string.h>

#include "netdb_impl.h"

int __occlum_hostent(struct hostent *h, const char *name, char **aliases, int naliases, int af, const void *addrs,
		     int n, char *buf, size_t size)
{
	int len = af == AF_INET6 ? 16 : 4;
	struct netdb_buf b = { buf, size };
	char **al = netdb_alloc(&b, (size_t)(naliases + 1) * sizeof(char *), sizeof(char *));
	char **addr = netdb_alloc(&b, (size_t)(n + 1) * sizeof(char *), sizeof(char *));
	char *a = netdb_alloc(&b, (size_t)(n * len), sizeof(uint32_t));
	if (!al || !addr || !a || !(h->h_name = netdb_str(&b, name)))
		return ERANGE;
	for (int i = 0; i < naliases; i++)
		if (!(al[i] = netdb_str(&b, aliases[i])))
			return ERANGE;
	al[naliases] = 0;
	memcpy(a, addrs, (size_t)(n * len));
	for (int i = 0; i < n; i++)
		addr[i] = a + i * len;
	addr[n] = 0;
	h->h_aliases = al;
	h->h_addrtype = af;
	h->h_length = len;
	h->h_addr_list = addr;
	return 0;
}

struct query {
	int af;
	const void *a;
	struct hostent *h;
	char *buf;
	size_t size;
};

static int match(char **f, int n, void *ctx)
{
	struct query *q = ctx;
	unsigned char a[16];
	if (n < 2 || inet_pton(q->af, f[0], a) != 1 || memcmp(a, q->a, q->af == AF_INET6 ? 16 : 4) != 0)
		return 0;
	if (__occlum_hostent(q->h, f[1], f + 2, n - 2, q->af, q->a, 1, q->buf, q->size))
		return ERANGE;
	return 1;
}

int __occlum_hosts_byaddr(int af, const void *a, struct hostent *h, char *buf, size_t size)
{
	struct query q = { af, a, h, buf, size };
	int r = __occlum_netdb_scan("/etc/hosts", 0, match, &q);
	if (r == 1)
		return 0;
	if (r)
		return r;
	const unsigned char *b = a;
	if ((af == AF_INET && memcmp(b, "\177\0\0\1", 4) == 0) || (af == AF_INET6 && IN6_IS_ADDR_LOOPBACK(b)))
		return __occlum_hostent(h, "localhost", 0, 0, af, a, 1, buf, size);
	return ENOENT;
}
