/* Shared by the <netdb.h> members: the line databases (/etc/services,
 * /etc/protocols, /etc/hosts) and the buffers of the *_r functions. */
#ifndef OCCLUM_NETDB_IMPL_H
#define OCCLUM_NETDB_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct hostent;

/* __occlum_netdb_scan calls fn(fields, n, ctx) for each line of the file
 * at path, or, when it cannot be opened, of builtin (lines of text; NULL:
 * none), split into its white-space separated fields (n >= 1, at most
 * NETDB_MAXFIELDS; a '#' starts a comment), until fn returns nonzero, and
 * returns that; 0 when no line made it. Lines longer than 1023 bytes are
 * skipped. */
#define NETDB_MAXFIELDS 36
int __occlum_netdb_scan(const char *path, const char *builtin, int (*fn)(char **f, int n, void *ctx), void *ctx);

/* The built-in /etc/services and /etc/protocols (services.c, protocols.c). */
extern const char __occlum_builtin_services[];
extern const char __occlum_builtin_protocols[];

/* A bump allocator over a caller's buffer (the *_r functions). */
struct netdb_buf {
	char *p;
	size_t left;
};

static inline void *netdb_alloc(struct netdb_buf *b, size_t n, size_t align)
{
	size_t pad = (align - ((uintptr_t)b->p & (align - 1))) & (align - 1);
	if (pad + n > b->left)
		return 0;
	void *r = b->p + pad;
	b->p += pad + n;
	b->left -= pad + n;
	return r;
}

static inline char *netdb_str(struct netdb_buf *b, const char *s)
{
	size_t n = strlen(s) + 1;
	char *r = netdb_alloc(b, n, 1);
	if (r)
		memcpy(r, s, n);
	return r;
}

/* __occlum_hosts_byaddr fills h (its strings and arrays in buf) with the
 * name of the address a (af AF_INET: 4 bytes, AF_INET6: 16) from the
 * image's /etc/hosts (the first line that has it: its first name, the
 * others as aliases), or "localhost" for 127.0.0.1 and ::1. Returns 0,
 * ENOENT when the address has no name, or ERANGE (hosts.c). */
int __occlum_hosts_byaddr(int af, const void *a, struct hostent *h, char *buf, size_t size);

/* Builds h for name, its naliases aliases and the n addresses of family af
 * (4 or 16 bytes each) in buf: 0 or ERANGE (hosts.c). */
int __occlum_hostent(struct hostent *h, const char *name, char **aliases, int naliases, int af, const void *addrs,
		     int n, char *buf, size_t size);

/* Exact numeric IPv4 (a, a.b, a.b.c, a.b.c.d), 1 or 0 (inet_aton.c). */
struct in_addr;
int __occlum_inet_aton(const char *s, struct in_addr *dst, int exact);

#endif
