#define _GNU_SOURCE
#include <stdlib.h>
#include <unistd.h>

#include "internal.h"

/* getcwd asks the LibOS (the directory may have been renamed), and keeps the
 * path resolution's copy in step. getcwd(NULL, 0) allocates, as in glibc. */
char *getcwd(char *buf, size_t size)
{
	char *own = NULL;
	if (!buf) {
		size_t n = size ? size : 256;
		for (;;) {
			own = malloc(n);
			if (!own) {
				errno = ENOMEM;
				return NULL;
			}
			uint32_t len = 0;
			int32_t e = __occlum_sys_getcwd(own, n, &len);
			if (e == 0) {
				own[len] = 0;
				__occlum_cwd_set(own, len);
				return own;
			}
			free(own);
			if (e != ERANGE || size != 0 || n >= (1u << 20)) {
				errno = e;
				return NULL;
			}
			n *= 4;
		}
	}
	if (size == 0) {
		errno = EINVAL;
		return NULL;
	}
	uint32_t len = 0;
	if (__occlum_ret(__occlum_sys_getcwd(buf, size, &len)) < 0)
		return NULL;
	buf[len] = 0;
	__occlum_cwd_set(buf, len);
	return buf;
}

char *get_current_dir_name(void)
{
	return getcwd(NULL, 0);
}
