/* posix_spawn file actions, stored in the ABI's file_action layout so that
 * posix_spawn hands the array to the LibOS as it is. */
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int add(posix_spawn_file_actions_t *fa, const struct occlum_file_action *a)
{
	if (fa->__used == fa->__allocated) {
		int n = fa->__allocated ? 2 * fa->__allocated : 4;
		void *p = realloc(fa->__actions, (size_t)n * sizeof(struct occlum_file_action));
		if (!p)
			return ENOMEM;
		fa->__actions = p;
		fa->__allocated = n;
	}
	((struct occlum_file_action *)fa->__actions)[fa->__used++] = *a;
	return 0;
}

static int add_path(posix_spawn_file_actions_t *fa, struct occlum_file_action *a, const char *path)
{
	char *p = strdup(path);
	if (!p)
		return ENOMEM;
	a->path = p;
	a->path_len = strlen(p);
	int e = add(fa, a);
	if (e)
		free(p);
	return e;
}

int posix_spawn_file_actions_init(posix_spawn_file_actions_t *fa)
{
	memset(fa, 0, sizeof *fa);
	return 0;
}

int posix_spawn_file_actions_destroy(posix_spawn_file_actions_t *fa)
{
	struct occlum_file_action *a = fa->__actions;
	for (int i = 0; i < fa->__used; i++)
		free((char *)a[i].path);
	free(a);
	memset(fa, 0, sizeof *fa);
	return 0;
}

int posix_spawn_file_actions_addopen(posix_spawn_file_actions_t *__restrict fa, int fd,
	const char *__restrict path, int oflag, mode_t mode)
{
	if (fd < 0)
		return EBADF;
	struct occlum_file_action a = {
		.op = OCCLUM_FA_OPEN,
		.fd = fd,
		.oflags = __occlum_oflags_to_linux(oflag),
		.mode = mode,
	};
	return add_path(fa, &a, path);
}

int posix_spawn_file_actions_addclose(posix_spawn_file_actions_t *fa, int fd)
{
	if (fd < 0)
		return EBADF;
	struct occlum_file_action a = {.op = OCCLUM_FA_CLOSE, .fd = fd};
	return add(fa, &a);
}

int posix_spawn_file_actions_adddup2(posix_spawn_file_actions_t *fa, int fd, int newfd)
{
	if (fd < 0 || newfd < 0)
		return EBADF;
	struct occlum_file_action a = {.op = OCCLUM_FA_DUP2, .fd = fd, .newfd = newfd};
	return add(fa, &a);
}

int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *__restrict fa, const char *__restrict path)
{
	struct occlum_file_action a = {.op = OCCLUM_FA_CHDIR};
	return add_path(fa, &a, path);
}

int posix_spawn_file_actions_addfchdir_np(posix_spawn_file_actions_t *fa, int fd)
{
	if (fd < 0)
		return EBADF;
	struct occlum_file_action a = {.op = OCCLUM_FA_FCHDIR, .fd = fd};
	return add(fa, &a);
}

int posix_spawn_file_actions_addchdir(posix_spawn_file_actions_t *__restrict fa, const char *__restrict path)
{
	return posix_spawn_file_actions_addchdir_np(fa, path);
}

int posix_spawn_file_actions_addfchdir(posix_spawn_file_actions_t *fa, int fd)
{
	return posix_spawn_file_actions_addfchdir_np(fa, fd);
}
