#include <spawn.h>
#include <string.h>

#include "internal.h"

struct args {
	pid_t *pid;
	const posix_spawn_file_actions_t *fa;
	const posix_spawnattr_t *attr;
	char *const *argv, *const *envp;
};

static int try(const char *path, void *ctx)
{
	struct args *a = ctx;
	return __occlum_spawn(a->pid, path, a->fa, a->attr, a->argv, a->envp);
}

int posix_spawnp(pid_t *__restrict pid, const char *__restrict file,
	const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *__restrict attr,
	char *const argv[__restrict], char *const envp[__restrict])
{
	if (strchr(file, '/'))
		return __occlum_spawn(pid, file, fa, attr, argv, envp);
	struct args a = {pid, fa, attr, argv, envp};
	return __occlum_path_search(file, try, &a);
}
