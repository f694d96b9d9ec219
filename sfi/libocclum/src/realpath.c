/* realpath (wasi-libc declares it but does not define it): the path made
 * absolute against the cwd, component by component, following symbolic
 * links (at most 40, ELOOP) and resolving ".." physically. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define MAX_LINKS 40

char *realpath(const char *__restrict filename, char *__restrict resolved)
{
	if (!filename) {
		errno = EINVAL;
		return NULL;
	}
	if (!*filename) {
		errno = ENOENT;
		return NULL;
	}
	size_t fl = strlen(filename);
	if (fl >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return NULL;
	}

	char out[PATH_MAX]; /* the resolved prefix, without a trailing slash; "" is "/" */
	char rest[PATH_MAX];  /* what is left to resolve */
	size_t ol = 0;
	memcpy(rest, filename, fl + 1);
	if (filename[0] != '/') {
		if (!getcwd(out, sizeof out))
			return NULL;
		ol = strlen(out);
		if (ol == 1)
			ol = 0; /* "/" */
	}
	out[ol] = 0;

	int links = 0;
	char *p = rest;
	for (;;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		char *end = strchr(p, '/');
		size_t cl = end ? (size_t)(end - p) : strlen(p);
		if (cl == 1 && p[0] == '.') {
			p += cl;
			continue;
		}
		if (cl == 2 && p[0] == '.' && p[1] == '.') {
			while (ol > 0 && out[ol - 1] != '/')
				ol--;
			if (ol > 0)
				ol--;
			out[ol] = 0;
			p += cl;
			continue;
		}
		if (ol + 1 + cl >= sizeof out) {
			errno = ENAMETOOLONG;
			return NULL;
		}
		size_t prev = ol;
		out[ol++] = '/';
		memcpy(out + ol, p, cl);
		ol += cl;
		out[ol] = 0;
		p += cl;

		struct stat st;
		if (lstat(out, &st) < 0)
			return NULL;
		if (S_ISLNK(st.st_mode)) {
			if (++links > MAX_LINKS) {
				errno = ELOOP;
				return NULL;
			}
			char target[PATH_MAX];
			ssize_t tl = readlink(out, target, sizeof target - 1);
			if (tl < 0)
				return NULL;
			size_t left = strlen(p);
			if ((size_t)tl + 1 + left >= sizeof rest) {
				errno = ENAMETOOLONG;
				return NULL;
			}
			/* rest = target + p (p starts with '/' or is empty) */
			memmove(rest + tl, p, left + 1);
			memcpy(rest, target, (size_t)tl);
			p = rest;
			ol = target[0] == '/' ? 0 : prev;
			out[ol] = 0;
			continue;
		}
		if (!S_ISDIR(st.st_mode) && *p == '/') {
			errno = ENOTDIR;
			return NULL;
		}
	}
	if (ol == 0) {
		out[0] = '/';
		out[1] = 0;
	}
	if (resolved) {
		strcpy(resolved, out);
		return resolved;
	}
	char *r = strdup(out);
	if (!r)
		errno = ENOMEM;
	return r;
}
