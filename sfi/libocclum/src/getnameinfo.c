/* getnameinfo, after glibc: host names from the image's /etc/hosts (and
 * "localhost" for the loopback addresses), else the numeric form unless
 * NI_NAMEREQD; IPv6 scopes as %<interface> for link-local addresses, else
 * %<number>; services from getservbyport_r (NI_DGRAM: "udp", else "tcp"),
 * else the number. NI_NOFQDN does nothing (names are kept whole). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <net/if.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include "netdb_impl.h"

static int put(char *dst, socklen_t size, const char *s)
{
	size_t n = strlen(s);
	if (n >= size)
		return EAI_OVERFLOW;
	memcpy(dst, s, n + 1);
	return 0;
}

static int host_name(const struct sockaddr *sa, char *host, socklen_t hostlen, int flags)
{
	int af = sa->sa_family;
	const void *a = af == AF_INET ? (const void *)&((const struct sockaddr_in *)sa)->sin_addr
				      : (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr;
	if (!(flags & NI_NUMERICHOST)) {
		struct hostent h;
		char buf[2048];
		if (__occlum_hosts_byaddr(af, a, &h, buf, sizeof buf) == 0)
			return put(host, hostlen, h.h_name);
	}
	if (flags & NI_NAMEREQD)
		return EAI_NONAME;
	char buf[INET6_ADDRSTRLEN + IF_NAMESIZE + 1];
	inet_ntop(af, a, buf, sizeof buf);
	if (af == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
		if (s6->sin6_scope_id) {
			char ifname[IF_NAMESIZE];
			size_t n = strlen(buf);
			buf[n++] = '%';
			if ((IN6_IS_ADDR_LINKLOCAL(&s6->sin6_addr) || IN6_IS_ADDR_MC_LINKLOCAL(&s6->sin6_addr)) &&
			    if_indextoname(s6->sin6_scope_id, ifname))
				strcpy(buf + n, ifname);
			else
				snprintf(buf + n, sizeof buf - n, "%u", (unsigned)s6->sin6_scope_id);
		}
	}
	return put(host, hostlen, buf);
}

int getnameinfo(const struct sockaddr *__restrict sa, socklen_t salen, char *__restrict host, socklen_t hostlen,
		char *__restrict serv, socklen_t servlen, int flags)
{
	if (flags & ~0xff) /* glibc's flags, NI_IDN among them */
		return EAI_BADFLAGS;
	if (!sa || salen < sizeof(sa_family_t))
		return EAI_FAMILY;
	if ((flags & NI_NAMEREQD) && !host && !serv)
		return EAI_NONAME;
	switch (sa->sa_family) {
	case AF_INET:
		if (salen < sizeof(struct sockaddr_in))
			return EAI_FAMILY;
		break;
	case AF_INET6:
		if (salen < sizeof(struct sockaddr_in6))
			return EAI_FAMILY;
		break;
	default:
		return EAI_FAMILY;
	}
	if (host && hostlen > 0) {
		int e = host_name(sa, host, hostlen, flags);
		if (e)
			return e;
	}
	if (serv && servlen > 0) {
		/* sin_port and sin6_port are at the same offset */
		int port = ((const struct sockaddr_in *)sa)->sin_port;
		if (!(flags & NI_NUMERICSERV)) {
			struct servent se, *res;
			char buf[1024];
			if (getservbyport_r(port, flags & NI_DGRAM ? "udp" : "tcp", &se, buf, sizeof buf, &res) == 0 && res)
				return put(serv, servlen, res->s_name);
		}
		char num[8];
		snprintf(num, sizeof num, "%u", (unsigned)ntohs((uint16_t)port));
		return put(serv, servlen, num);
	}
	return 0;
}
