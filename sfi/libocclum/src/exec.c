/* execve and the execl/execv family on the LibOS's execve, with "#!"
 * scripts run through their interpreter as Linux does. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

OCCLUM_NEEDS_CLOEXEC; /* the new image must not inherit O_CLOEXEC opens */

#define MAX_INTERPRETERS 4

static int exec_once(const char *path, char *const argv[], char *const envp[])
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
	int32_t e = __occlum_sys_execve(path, strlen(path), av, argc, ev, envc);
	free(av);
	free(ev);
	return e;
}

int __occlum_execve(const char *path, char *const argv[], char *const envp[])
{
	int e = exec_once(path, argv, envp);
	char **scratch[MAX_INTERPRETERS] = {0};
	for (int level = 0; level < MAX_INTERPRETERS && e == ENOEXEC; level++) {
		const char *interp;
		int err;
		char **nv = __occlum_script_argv(NULL, path, argv, &interp, &err);
		if (!nv) {
			e = err;
			break;
		}
		scratch[level] = nv;
		e = exec_once(interp, nv, envp);
		path = interp;
		argv = nv;
	}
	for (int i = 0; i < MAX_INTERPRETERS; i++)
		free(scratch[i]);
	return e;
}

int execve(const char *path, char *const argv[], char *const envp[])
{
	errno = __occlum_execve(path, argv, envp);
	return -1;
}

int execv(const char *path, char *const argv[])
{
	return execve(path, argv, environ);
}

/* The variadic forms: arguments up to a null pointer (then, for execle,
 * the environment). */
int execl(const char *path, const char *arg0, ...)
{
	int n = 1;
	va_list ap;
	va_start(ap, arg0);
	while (va_arg(ap, char *))
		n++;
	va_end(ap);
	char *argv[n + 1];
	argv[0] = (char *)arg0;
	va_start(ap, arg0);
	for (int i = 1; i <= n; i++)
		argv[i] = va_arg(ap, char *);
	va_end(ap);
	return execve(path, argv, environ);
}

int execle(const char *path, const char *arg0, ...)
{
	int n = 1;
	va_list ap;
	va_start(ap, arg0);
	while (va_arg(ap, char *))
		n++;
	va_end(ap);
	char *argv[n + 1];
	argv[0] = (char *)arg0;
	va_start(ap, arg0);
	for (int i = 1; i <= n; i++)
		argv[i] = va_arg(ap, char *);
	char **envp = va_arg(ap, char **);
	va_end(ap);
	return execve(path, argv, envp);
}
