#include <stdio.h>
#include <string.h>

#include "netdb_impl.h"

static int fields(char *line, char **f)
{
	char *hash = strchr(line, '#');
	if (hash)
		*hash = 0;
	int n = 0;
	for (char *p = line; *p && n < NETDB_MAXFIELDS;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (!*p)
			break;
		f[n++] = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
			p++;
		if (*p)
			*p++ = 0;
	}
	return n;
}

int __occlum_netdb_scan(const char *path, const char *builtin, int (*fn)(char **f, int n, void *ctx), void *ctx)
{
	char line[1024], *f[NETDB_MAXFIELDS];
	int r = 0, n;
	FILE *file = path ? fopen(path, "r") : 0;
	if (file) {
		int skipping = 0;
		while (fgets(line, sizeof line, file)) {
			size_t len = strlen(line);
			int whole = len > 0 && line[len - 1] == '\n';
			if (skipping || (!whole && !feof(file))) {
				skipping = !whole;
				continue;
			}
			if ((n = fields(line, f)) > 0 && (r = fn(f, n, ctx)) != 0)
				break;
		}
		fclose(file);
		return r;
	}
	for (const char *p = builtin; p && *p;) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len < sizeof line) {
			memcpy(line, p, len);
			line[len] = 0;
			if ((n = fields(line, f)) > 0 && (r = fn(f, n, ctx)) != 0)
				return r;
		}
		p += len + (end != 0);
	}
	return 0;
}
