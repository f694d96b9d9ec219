/* posix_spawn on the LibOS's spawn, with "#!" scripts run the way Linux's
 * execve runs them (the LibOS itself only starts WebAssembly programs and
 * says ENOEXEC for anything else). */
#include <spawn.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

OCCLUM_NEEDS_CLOEXEC; /* a child must not inherit O_CLOEXEC opens */

/* Linux's BINPRM_MAX_RECURSION: a script's interpreter may be a script. */
#define MAX_INTERPRETERS 4

static int spawn_once(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
	const struct occlum_spawn_attr *attr, char *const argv[], char *const envp[])
{
	uint32_t argc, envc;
	struct occlum_str *av = __occlum_strarray(argv, &argc);
	if (!av)
		return errno;
	struct occlum_str *ev = __occlum_strarray(envp, &envc);
	if (!ev) {
		free(av);
		return errno;
	}
	int32_t child = 0;
	int32_t e = __occlum_sys_spawn(path, strlen(path), av, argc, ev, envc,
		fa ? fa->__actions : NULL, fa ? (uint32_t)fa->__used : 0, attr, &child);
	free(av);
	free(ev);
	if (e == 0 && pid)
		*pid = child;
	return e;
}

/* The directory the child resolves relative paths in, after the chdir file
 * actions, as a path relative to ours (*dir = NULL: our own). Fails when an
 * fchdir action makes it unknowable. */
static int child_dir(const posix_spawn_file_actions_t *fa, char **dir)
{
	*dir = NULL;
	if (!fa)
		return 0;
	const struct occlum_file_action *a = fa->__actions;
	for (int i = 0; i < fa->__used; i++) {
		if (a[i].op == OCCLUM_FA_FCHDIR) {
			free(*dir);
			*dir = NULL;
			return ENOEXEC;
		}
		if (a[i].op != OCCLUM_FA_CHDIR)
			continue;
		char *next;
		if (a[i].path[0] == '/' || !*dir) {
			next = strdup(a[i].path);
		} else {
			size_t dl = strlen(*dir), pl = strlen(a[i].path);
			next = malloc(dl + 1 + pl + 1);
			if (next) {
				memcpy(next, *dir, dl);
				next[dl] = '/';
				memcpy(next + dl + 1, a[i].path, pl + 1);
			}
		}
		free(*dir);
		*dir = next;
		if (!next)
			return ENOMEM;
	}
	return 0;
}

int __occlum_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
	const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	struct occlum_spawn_attr a, *ap = NULL;
	if (attr) {
		memset(&a, 0, sizeof a);
		a.flags = (uint32_t)attr->__flags & OCCLUM_SPAWN_ABI_FLAGS;
		a.pgroup = attr->__pgrp;
		a.sigdefault = __occlum_sigset_get(&attr->__def);
		a.sigmask = __occlum_sigset_get(&attr->__mask);
		ap = &a;
	}
	static char *const no_env[] = {NULL};
	if (!envp)
		envp = no_env;

	int e = spawn_once(pid, path, fa, ap, argv, envp);
	if (e != ENOEXEC)
		return e;

	char *dir = NULL;
	if (path[0] != '/' && (e = child_dir(fa, &dir)) != 0)
		return e;
	char **scratch[MAX_INTERPRETERS] = {0};
	e = ENOEXEC;
	for (int level = 0; level < MAX_INTERPRETERS && e == ENOEXEC; level++) {
		const char *interp;
		int err;
		char **nv = __occlum_script_argv(dir, path, argv, &interp, &err);
		if (!nv) {
			e = err;
			break;
		}
		scratch[level] = nv;
		e = spawn_once(pid, interp, fa, ap, nv, envp);
		path = interp;
		argv = nv;
	}
	for (int i = 0; i < MAX_INTERPRETERS; i++)
		free(scratch[i]);
	free(dir);
	return e;
}

int posix_spawn(pid_t *__restrict pid, const char *__restrict path,
	const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *__restrict attr,
	char *const argv[__restrict], char *const envp[__restrict])
{
	return __occlum_spawn(pid, path, fa, attr, argv, envp);
}
