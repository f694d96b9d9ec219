/* "#!" scripts, as Linux's execve runs them: the interpreter named on the
 * first line (at most 256 bytes), with the rest of the line as one optional
 * argument, then the script's path, then the script's arguments. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define LINE_MAX_BYTES 256

char **__occlum_script_argv(const char *dir, const char *path, char *const argv[],
	const char **interp, int *err)
{
	char *file = NULL;
	const char *open_path = path;
	if (dir && path[0] != '/') {
		size_t dl = strlen(dir), pl = strlen(path);
		file = malloc(dl + 1 + pl + 1);
		if (!file) {
			*err = ENOMEM;
			return NULL;
		}
		memcpy(file, dir, dl);
		file[dl] = '/';
		memcpy(file + dl + 1, path, pl + 1);
		open_path = file;
	}
	char line[LINE_MAX_BYTES + 1];
	ssize_t n = -1;
	int fd = open(open_path, O_RDONLY);
	free(file);
	if (fd >= 0) {
		n = read(fd, line, LINE_MAX_BYTES);
		close(fd);
	}
	if (n < 2 || line[0] != '#' || line[1] != '!') {
		*err = ENOEXEC;
		return NULL;
	}
	line[n] = 0;
	char *nl = memchr(line, '\n', (size_t)n);
	if (nl)
		*nl = 0;

	char *p = line + 2;
	while (*p == ' ' || *p == '\t')
		p++;
	char *name = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	size_t name_len = (size_t)(p - name);
	while (*p == ' ' || *p == '\t')
		p++;
	char *arg = p;
	size_t arg_len = strlen(arg);
	while (arg_len > 0 && (arg[arg_len - 1] == ' ' || arg[arg_len - 1] == '\t' || arg[arg_len - 1] == '\r'))
		arg_len--;
	if (name_len == 0) {
		*err = ENOEXEC;
		return NULL;
	}

	size_t rest = 0; /* argv[1..] */
	if (argv && argv[0])
		while (argv[1 + rest])
			rest++;
	size_t count = 1 + (arg_len > 0) + 1 + rest;
	size_t bytes = (count + 1) * sizeof(char *) + name_len + 1 + arg_len + 1;
	char **nv = malloc(bytes);
	if (!nv) {
		*err = ENOMEM;
		return NULL;
	}
	char *s = (char *)(nv + count + 1);
	memcpy(s, name, name_len);
	s[name_len] = 0;
	size_t i = 0;
	nv[i++] = s;
	*interp = s;
	s += name_len + 1;
	if (arg_len > 0) {
		memcpy(s, arg, arg_len);
		s[arg_len] = 0;
		nv[i++] = s;
	}
	nv[i++] = (char *)path;
	for (size_t k = 0; k < rest; k++)
		nv[i++] = argv[1 + k];
	nv[i] = NULL;
	return nv;
}
