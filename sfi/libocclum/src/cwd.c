/* The working directory, for wasi-libc's path resolution.
 *
 * wasi-libc resolves a relative path by prefixing the directory in its
 * global __wasilibc_cwd (initially "/") and mapping the result onto a
 * preopened directory. In the 2022 wasi-libc this happens only in programs
 * that link its chdir.o, which defines __wasilibc_find_relpath_alloc (a weak
 * reference of wasi-libc's path functions); other programs resolve relative
 * paths against "/".
 *
 * In the LibOS the working directory belongs to the process, is inherited by
 * children, and can change under chdir/fchdir. So libocclum defines both
 * symbols here, and occlum-cc links this member into every program
 * (-u __wasilibc_find_relpath_alloc): relative paths are resolved against
 * the LibOS's cwd, which is read with the `occlum` getcwd on the first
 * relative path and after each chdir/fchdir/getcwd. wasm-ld garbage-collects
 * it from programs that never resolve a path, which then import nothing.
 *
 * wasi-libc's getcwd.o (which also defines __wasilibc_cwd) and chdir.o are
 * replaced by libocclum's getcwd.c and chdir.c, so they are never linked.
 * wasi-libc 2022 has no __wasilibc_cwd lock (no threads). */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

char *__wasilibc_cwd = "/";

static int synced;     /* __wasilibc_cwd is the LibOS's */
static char *heap_cwd; /* what __wasilibc_cwd points to, if allocated */

#define OCCLUM_AT_FDCWD (-100)

void __occlum_cwd_set(const char *path, size_t len)
{
	char *p = malloc(len + 1);
	if (!p)
		return; /* keep the old one: better than none */
	memcpy(p, path, len);
	p[len] = 0;
	free(heap_cwd);
	heap_cwd = p;
	__wasilibc_cwd = p;
	synced = 1;
}

int __occlum_cwd_sync(void)
{
	char small[256];
	char *buf = small;
	uint32_t size = sizeof small;
	for (;;) {
		uint32_t len = 0;
		int32_t e = __occlum_sys_getcwd(buf, size, &len);
		if (e == 0 && len < size) {
			__occlum_cwd_set(buf, len);
			if (buf != small)
				free(buf);
			return 0;
		}
		if (buf != small)
			free(buf);
		if (e != ERANGE || size >= (1u << 20))
			return __occlum_ret(e ? e : ERANGE);
		size *= 4;
		buf = malloc(size);
		if (!buf) {
			errno = ENOMEM;
			return -1;
		}
	}
}

const char *__occlum_cwd(void)
{
	if (!synced)
		__occlum_cwd_sync(); /* on failure, keep resolving against the last known one */
	return __wasilibc_cwd;
}

int __wasilibc_find_relpath_alloc(const char *path, const char **abs_prefix,
	char **relative, size_t *relative_len, int can_realloc)
{
	char *joined = NULL;
	const char *abspath = path;
	/* The empty path names nothing (ENOENT on Linux). Failing here would
	 * turn into ENOTCAPABLE (wasi-libc's "no preopen"), so it goes to the
	 * LibOS as an empty path relative to the root, which it refuses. */
	int empty = path[0] == 0;
	if (empty)
		abspath = "/";
	else if (path[0] != '/') {
		const char *cwd = __occlum_cwd();
		size_t cl = strlen(cwd), pl = strlen(path);
		int slash = cl == 0 || cwd[cl - 1] != '/';
		joined = malloc(cl + slash + pl + 1);
		if (!joined) {
			errno = ENOMEM;
			return -1;
		}
		memcpy(joined, cwd, cl);
		if (slash)
			joined[cl] = '/';
		memcpy(joined + cl + slash, path, pl + 1);
		abspath = joined;
	}

	/* Every path goes to the LibOS absolute, with AT_FDCWD (-100) as its
	 * directory, not through wasi-libc's preopen table: so fd 3 (the
	 * preopen) is an ordinary descriptor a program may close or reuse,
	 * and children that do not inherit it still resolve paths. */
	const char *rel = empty ? "" : abspath;
	int fd = OCCLUM_AT_FDCWD;
	*abs_prefix = "/";
	{
		size_t need = strlen(rel) + 1;
		if (*relative_len < need) {
			char *nb = can_realloc ? realloc(*relative, need) : NULL;
			if (!nb) {
				errno = can_realloc ? ENOMEM : ERANGE;
				fd = -1;
				goto out;
			}
			*relative = nb;
			*relative_len = need;
		}
		memcpy(*relative, rel, need);
	}
out:
	free(joined);
	return fd;
}
