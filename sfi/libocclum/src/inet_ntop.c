/* inet_ntop with Linux's AF_INET and AF_INET6, formatted as glibc does:
 * lowercase hex, the longest run of two or more zero groups (the first of
 * equals) as "::", and "::a.b.c.d" / "::ffff:a.b.c.d" for IPv4-compatible
 * and IPv4-mapped addresses. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

static char *put4(char *p, const unsigned char *a)
{
	for (int i = 0; i < 4; i++) {
		unsigned v = a[i];
		if (i)
			*p++ = '.';
		if (v >= 100)
			*p++ = (char)('0' + v / 100);
		if (v >= 10)
			*p++ = (char)('0' + v / 10 % 10);
		*p++ = (char)('0' + v % 10);
	}
	return p;
}

static char *puthex(char *p, unsigned v)
{
	int started = 0;
	for (int sh = 12; sh >= 0; sh -= 4) {
		unsigned d = v >> sh & 15;
		if (d || started || sh == 0) {
			*p++ = "0123456789abcdef"[d];
			started = 1;
		}
	}
	return p;
}

const char *inet_ntop(int af, const void *__restrict src, char *__restrict dst, socklen_t size)
{
	const unsigned char *a = src;
	char buf[INET6_ADDRSTRLEN + 8], *p = buf;
	switch (af) {
	case AF_INET:
		p = put4(p, a);
		break;
	case AF_INET6: {
		unsigned w[8];
		for (int i = 0; i < 8; i++)
			w[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
		int best = -1, bestlen = 0;
		for (int i = 0; i < 8;) {
			if (w[i]) {
				i++;
				continue;
			}
			int j = i;
			while (j < 8 && !w[j])
				j++;
			if (j - i > bestlen) {
				best = i;
				bestlen = j - i;
			}
			i = j;
		}
		if (bestlen < 2)
			best = -1;
		for (int i = 0; i < 8; i++) {
			if (best >= 0 && i >= best && i < best + bestlen) {
				if (i == best)
					*p++ = ':';
				continue;
			}
			if (i)
				*p++ = ':';
			if (i == 6 && best == 0 && (bestlen == 6 || (bestlen == 5 && w[5] == 0xffff))) {
				p = put4(p, a + 12);
				break;
			}
			p = puthex(p, w[i]);
		}
		if (best >= 0 && best + bestlen == 8)
			*p++ = ':';
		break;
	}
	default:
		errno = EAFNOSUPPORT;
		return 0;
	}
	*p = 0;
	size_t len = (size_t)(p - buf);
	if (len >= size) {
		errno = ENOSPC;
		return 0;
	}
	memcpy(dst, buf, len + 1);
	return dst;
}
