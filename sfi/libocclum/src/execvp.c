/* execvp and friends: PATH search, and, as POSIX asks, a file that is not a
 * program (nor a "#!" script) is run by /bin/sh. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

struct args {
	char *const *argv, *const *envp;
};

static int try(const char *path, void *ctx)
{
	struct args *a = ctx;
	int e = __occlum_execve(path, a->argv, a->envp);
	if (e != ENOEXEC)
		return e;
	size_t n = 0;
	if (a->argv && a->argv[0])
		while (a->argv[1 + n])
			n++;
	char **sv = malloc((n + 3) * sizeof *sv);
	if (!sv)
		return ENOMEM;
	sv[0] = "/bin/sh";
	sv[1] = (char *)path;
	for (size_t i = 0; i < n; i++)
		sv[2 + i] = a->argv[1 + i];
	sv[2 + n] = NULL;
	e = __occlum_execve("/bin/sh", sv, a->envp);
	free(sv);
	return e;
}

int execvpe(const char *file, char *const argv[], char *const envp[])
{
	struct args a = {argv, envp};
	int e;
	if (strchr(file, '/'))
		e = try(file, &a);
	else
		e = __occlum_path_search(file, try, &a);
	errno = e;
	return -1;
}

int execvp(const char *file, char *const argv[])
{
	return execvpe(file, argv, environ);
}

int execlp(const char *file, const char *arg0, ...)
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
	return execvp(file, argv);
}
