#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define DEFAULT_PATH "/usr/local/bin:/bin:/usr/bin"

int __occlum_path_search(const char *file, int (*try)(const char *, void *), void *ctx)
{
	if (!*file)
		return ENOENT;
	size_t fl = strlen(file);
	if (fl > NAME_MAX)
		return ENAMETOOLONG;
	const char *path = getenv("PATH");
	if (!path)
		path = DEFAULT_PATH;
	int eacces = 0;
	for (const char *p = path;;) {
		const char *z = strchr(p, ':');
		size_t l = z ? (size_t)(z - p) : strlen(p);
		char *cand = malloc(l + 1 + fl + 1);
		if (!cand)
			return ENOMEM;
		if (l) {
			memcpy(cand, p, l);
			cand[l] = '/';
			memcpy(cand + l + 1, file, fl + 1);
		} else {
			memcpy(cand, file, fl + 1); /* an empty entry is the cwd */
		}
		int e = try(cand, ctx);
		free(cand);
		switch (e) {
		case EACCES:
			eacces = 1;
			break;
		case ENOENT:
		case ENOTDIR:
		case ENAMETOOLONG:
			break;
		default:
			return e;
		}
		if (!z)
			break;
		p = z + 1;
	}
	return eacces ? EACCES : ENOENT;
}
