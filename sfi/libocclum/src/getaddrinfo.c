/* getaddrinfo and freeaddrinfo, after glibc's behaviour:
 *
 * - Numeric hosts (inet_aton's exact forms, IPv6 with an optional %scope)
 *   need no import; other names go to the LibOS (occlum.resolve: the
 *   image's /etc/hosts, then DNS), in its order (IPv4 first; glibc would
 *   sort them by RFC 3484). A NULL host is the wildcard with AI_PASSIVE
 *   (0.0.0.0, then ::), else the loopback (::1, then 127.0.0.1), in the
 *   order glibc's sort gives them.
 * - Services: a decimal number (not range-checked: glibc keeps the low 16
 *   bits), or a name from getservbyname_r per protocol.
 * - One result per address and socket type: with neither ai_socktype nor
 *   ai_protocol, SOCK_STREAM/IPPROTO_TCP, SOCK_DGRAM/IPPROTO_UDP and (no
 *   service, or a numeric one) SOCK_RAW/0, as glibc's table has it.
 * - ai_canonname (AI_CANONNAME) on the first result: the name as given
 *   (occlum.resolve reports no canonical name).
 * - AI_ADDRCONFIG is accepted and does nothing; AI_V4MAPPED and AI_ALL
 *   with AF_INET6 map IPv4 answers.
 *
 * Each result is its own allocation (as glibc), so freeaddrinfo frees any
 * list of them. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <net/if.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "netdb_impl.h"

#define MAXADDRS 48
#define MAXTYPES 8

struct addr {
	int family;
	uint32_t scope;
	unsigned char a[16];
};

struct stype {
	int socktype, protocol;
	uint16_t port; /* network byte order */
};

#define PROTOANY 1
#define NOSERV 2

/* glibc's gaih_inet_typeproto. */
static const struct typeproto {
	int socktype, protocol;
	unsigned char flags, dflt;
	const char *name;
} types[] = {
	{ SOCK_STREAM, IPPROTO_TCP, 0, 1, "tcp" },
	{ SOCK_DGRAM, IPPROTO_UDP, 0, 1, "udp" },
	{ SOCK_DCCP, IPPROTO_DCCP, 0, 0, "dccp" },
	{ SOCK_DGRAM, IPPROTO_UDPLITE, 0, 0, "udplite" },
	{ SOCK_STREAM, IPPROTO_SCTP, 0, 0, "sctp" },
	{ SOCK_SEQPACKET, IPPROTO_SCTP, 0, 0, "sctp" },
	{ SOCK_RAW, 0, PROTOANY | NOSERV, 1, "raw" },
};
#define NTYPES (int)(sizeof types / sizeof types[0])

static int serv_port(const char *serv, const char *proto, uint16_t *port)
{
	struct servent se, *res;
	char buf[1024];
	if (getservbyname_r(serv, proto, &se, buf, sizeof buf, &res) != 0 || !res)
		return 0;
	*port = (uint16_t)res->s_port;
	return 1;
}

static int service(const char *serv, const struct addrinfo *h, struct stype *out, int *nout)
{
	int named = 0;
	unsigned long num = 0;
	if (serv) {
		char *end;
		num = strtoul(serv, &end, 10);
		if (*end) {
			if (h->ai_flags & AI_NUMERICSERV)
				return EAI_NONAME;
			named = 1;
		}
	}
	const struct typeproto *tp = 0;
	if (h->ai_socktype || h->ai_protocol) {
		for (int i = 0; i < NTYPES && !tp; i++) {
			if (h->ai_socktype && h->ai_socktype != types[i].socktype)
				continue;
			if (h->ai_protocol && !(types[i].flags & PROTOANY) && h->ai_protocol != types[i].protocol)
				continue;
			tp = &types[i];
		}
		if (!tp)
			return h->ai_socktype ? EAI_SOCKTYPE : EAI_SERVICE;
	}
	if (serv && tp && (tp->flags & NOSERV))
		return EAI_SERVICE;
	int n = 0;
	uint16_t port = htons((uint16_t)num);
	if (named) {
		if (tp) {
			if (!serv_port(serv, tp->name, &port))
				return EAI_SERVICE;
			out[n++] = (struct stype){ tp->socktype, tp->protocol, port };
		} else {
			for (int i = 0; i < NTYPES; i++)
				if (!(types[i].flags & NOSERV) && serv_port(serv, types[i].name, &port))
					out[n++] = (struct stype){ types[i].socktype, types[i].protocol, port };
			if (!n)
				return EAI_SERVICE;
		}
	} else if (tp) {
		out[n++] = (struct stype){ tp->socktype, tp->flags & PROTOANY ? h->ai_protocol : tp->protocol, port };
	} else {
		for (int i = 0; i < NTYPES; i++)
			if (types[i].dflt)
				out[n++] = (struct stype){ types[i].socktype, types[i].protocol, port };
	}
	*nout = n;
	return 0;
}

static void map4(struct addr *a)
{
	memmove(a->a + 12, a->a, 4);
	memset(a->a, 0, 10);
	a->a[10] = a->a[11] = 0xff;
	a->family = AF_INET6;
}

/* An IPv6 literal with an optional %scope (a number or an interface). */
static int numeric6(const char *host, struct addr *a)
{
	char buf[64];
	const char *pct = strchr(host, '%');
	size_t len = pct ? (size_t)(pct - host) : strlen(host);
	if (len >= sizeof buf)
		return 0;
	memcpy(buf, host, len);
	buf[len] = 0;
	if (inet_pton(AF_INET6, buf, a->a) != 1)
		return 0;
	a->family = AF_INET6;
	a->scope = 0;
	if (pct) {
		char *end;
		unsigned long s = strtoul(pct + 1, &end, 10);
		if (pct[1] && !*end)
			a->scope = (uint32_t)s;
		else if (!(a->scope = if_nametoindex(pct + 1)))
			return -1;
	}
	return 1;
}

static int resolve_err(int32_t e)
{
	switch (e) {
	case ENOENT:
	case EINVAL:
		return EAI_NONAME;
	case EAGAIN:
		return EAI_AGAIN;
	case EIO:
		return EAI_FAIL;
	case ENOMEM:
		return EAI_MEMORY;
	}
	errno = e;
	return EAI_SYSTEM;
}

/* Appends the addresses occlum.resolve gives for host in family (0: both)
 * to a[*n...]: 0, or an EAI_ value (EAI_NONAME: none). */
static int resolve(const char *host, int family, struct addr *a, int *n, int map)
{
	struct occlum_addr r[MAXADDRS];
	uint32_t got = 0;
	int32_t e = __occlum_sys_resolve(host, (uint32_t)strlen(host), family, r, (uint32_t)(MAXADDRS - *n), &got);
	if (e)
		return resolve_err(e);
	for (uint32_t i = 0; i < got && *n < MAXADDRS; i++) {
		struct addr *p = &a[*n];
		p->scope = 0;
		if (family && r[i].family != family)
			continue;
		if (r[i].family == AF_INET) {
			p->family = AF_INET;
			memcpy(p->a, r[i].addr, 4);
			if (map)
				map4(p);
		} else if (r[i].family == AF_INET6) {
			p->family = AF_INET6;
			memcpy(p->a, r[i].addr, 16);
		} else {
			continue;
		}
		(*n)++;
	}
	return got ? 0 : EAI_NONAME;
}

static int hosts(const char *host, const struct addrinfo *h, struct addr *a, int *n)
{
	int family = h->ai_family;
	*n = 0;
	if (!host) {
		/* glibc's order after its RFC 3484 sort: the IPv4 wildcard
		 * first, but the IPv6 loopback first */
		int passive = h->ai_flags & AI_PASSIVE;
		for (int pass = 0; pass < 2; pass++) {
			int f = (pass == 0) == !!passive ? AF_INET : AF_INET6;
			if (family && family != f)
				continue;
			a[*n] = (struct addr){ .family = f };
			if (!passive && f == AF_INET)
				memcpy(a[*n].a, "\177\0\0\1", 4);
			else if (!passive)
				a[*n].a[15] = 1;
			(*n)++;
		}
		return 0;
	}
	struct in_addr in;
	if (__occlum_inet_aton(host, &in, 1)) {
		a[0] = (struct addr){ .family = AF_INET };
		memcpy(a[0].a, &in, 4);
		if (family == AF_INET6) {
			if (!(h->ai_flags & AI_V4MAPPED))
				return EAI_ADDRFAMILY;
			map4(&a[0]);
		}
		*n = 1;
		return 0;
	}
	int r = numeric6(host, &a[0]);
	if (r < 0)
		return EAI_NONAME;
	if (r > 0) {
		if (family == AF_INET)
			return EAI_ADDRFAMILY;
		*n = 1;
		return 0;
	}
	if (h->ai_flags & AI_NUMERICHOST)
		return EAI_NONAME;
	if (family == AF_INET6 && (h->ai_flags & AI_V4MAPPED)) {
		int e = resolve(host, AF_INET6, a, n, 0);
		if (e && e != EAI_NONAME)
			return e;
		if (*n == 0 || (h->ai_flags & AI_ALL)) {
			int e4 = resolve(host, AF_INET, a, n, 1);
			if (e4 && e4 != EAI_NONAME)
				return e4;
		}
		return *n ? 0 : EAI_NONAME;
	}
	int e = resolve(host, family, a, n, 0);
	if (e)
		return e;
	return *n ? 0 : EAI_NONAME;
}

struct node {
	struct addrinfo ai;
	union {
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
	} sa;
	char canon[];
};

void freeaddrinfo(struct addrinfo *p)
{
	while (p) {
		struct addrinfo *next = p->ai_next;
		free(p);
		p = next;
	}
}

int getaddrinfo(const char *__restrict host, const char *__restrict serv, const struct addrinfo *__restrict hints,
		struct addrinfo **__restrict res)
{
	static const struct addrinfo dflt = { .ai_flags = AI_V4MAPPED | AI_ADDRCONFIG };
	if (host && host[0] == '*' && !host[1])
		host = 0;
	if (serv && serv[0] == '*' && !serv[1])
		serv = 0;
	if (!host && !serv)
		return EAI_NONAME;
	if (!hints)
		hints = &dflt;
	if (hints->ai_flags & ~0x7ff) /* glibc's flags, the IDN ones too */
		return EAI_BADFLAGS;
	if ((hints->ai_flags & AI_CANONNAME) && !host)
		return EAI_BADFLAGS;
	if (hints->ai_family != AF_UNSPEC && hints->ai_family != AF_INET && hints->ai_family != AF_INET6)
		return EAI_FAMILY;

	struct stype st[MAXTYPES];
	int nst, e;
	if ((e = service(serv, hints, st, &nst)) != 0)
		return e;
	struct addr a[MAXADDRS];
	int na;
	if ((e = hosts(host, hints, a, &na)) != 0)
		return e;

	struct addrinfo *head = 0, **tail = &head;
	size_t canonlen = host && (hints->ai_flags & AI_CANONNAME) ? strlen(host) + 1 : 0;
	for (int i = 0; i < na; i++) {
		for (int j = 0; j < nst; j++) {
			struct node *p = calloc(1, sizeof *p + canonlen);
			if (!p) {
				freeaddrinfo(head);
				return EAI_MEMORY;
			}
			p->ai.ai_flags = hints->ai_flags;
			p->ai.ai_family = a[i].family;
			p->ai.ai_socktype = st[j].socktype;
			p->ai.ai_protocol = st[j].protocol;
			p->ai.ai_addr = (struct sockaddr *)&p->sa;
			if (a[i].family == AF_INET) {
				p->ai.ai_addrlen = sizeof p->sa.in;
				p->sa.in.sin_family = AF_INET;
				p->sa.in.sin_port = st[j].port;
				memcpy(&p->sa.in.sin_addr, a[i].a, 4);
			} else {
				p->ai.ai_addrlen = sizeof p->sa.in6;
				p->sa.in6.sin6_family = AF_INET6;
				p->sa.in6.sin6_port = st[j].port;
				p->sa.in6.sin6_scope_id = a[i].scope;
				memcpy(&p->sa.in6.sin6_addr, a[i].a, 16);
			}
			if (canonlen) {
				p->ai.ai_canonname = memcpy(p->canon, host, canonlen);
				canonlen = 0;
			}
			*tail = &p->ai;
			tail = &p->ai.ai_next;
		}
	}
	*res = head;
	return 0;
}
