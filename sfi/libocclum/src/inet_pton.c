/* inet_pton with Linux's AF_INET and AF_INET6 (wasi-libc's takes WASI's
 * values). As glibc: IPv4 is four decimal parts without leading zeros;
 * IPv6 as RFC 4291 writes it, with an optional trailing dotted IPv4. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 32;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int pton4(const char *s, unsigned char *a)
{
	for (int i = 0; i < 4; i++) {
		if (*s < '0' || *s > '9')
			return 0;
		unsigned v = 0;
		int j = 0;
		for (; j < 4 && s[j] >= '0' && s[j] <= '9'; j++)
			v = 10 * v + (unsigned)(s[j] - '0');
		if (j > 3 || (j > 1 && s[0] == '0') || v > 255)
			return 0;
		a[i] = (unsigned char)v;
		s += j;
		if (i < 3 && *s++ != '.')
			return 0;
	}
	return *s == 0;
}

static int pton6(const char *s, unsigned char *a)
{
	unsigned short w[8];
	int n = 0, gap = -1;
	if (s[0] == ':') {
		if (s[1] != ':')
			return 0;
		gap = 0;
		s += 2;
	}
	while (*s) {
		int v = 0, j = 0, h;
		for (; j < 4 && (h = hexval(s[j])) >= 0; j++)
			v = 16 * v + h;
		if (j == 0)
			return 0;
		if (s[j] == '.') { /* a trailing dotted IPv4 address */
			unsigned char v4[4];
			if (n > 6 || !pton4(s, v4))
				return 0;
			w[n++] = (unsigned short)(v4[0] << 8 | v4[1]);
			w[n++] = (unsigned short)(v4[2] << 8 | v4[3]);
			break;
		}
		if (n == 8)
			return 0;
		w[n++] = (unsigned short)v;
		s += j;
		if (!*s)
			break;
		if (*s++ != ':')
			return 0;
		if (*s == ':') {
			if (gap >= 0)
				return 0;
			gap = n;
			s++;
		} else if (!*s) {
			return 0; /* a single trailing ':' */
		}
	}
	if (gap < 0 ? n != 8 : n > 7)
		return 0;
	int k = 0;
	for (int i = 0; i <= n; i++) {
		if (i == gap)
			for (int z = 0; z < 8 - n; z++, k++)
				a[2 * k] = a[2 * k + 1] = 0;
		if (i < n) {
			a[2 * k] = (unsigned char)(w[i] >> 8);
			a[2 * k + 1] = (unsigned char)w[i];
			k++;
		}
	}
	return 1;
}

int inet_pton(int af, const char *__restrict s, void *__restrict dst)
{
	unsigned char buf[16];
	switch (af) {
	case AF_INET:
		if (!pton4(s, buf))
			return 0;
		memcpy(dst, buf, 4);
		return 1;
	case AF_INET6:
		if (!pton6(s, buf))
			return 0;
		memcpy(dst, buf, 16);
		return 1;
	}
	errno = EAFNOSUPPORT;
	return -1;
}
