/* mkdir [-p] [-v] dir...: make directories (-p: with parents, no error if
 * they exist). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *prog;
static int verbose;

static int make(const char *path)
{
	if (mkdir(path, 0777) != 0)
		return -1;
	if (verbose)
		printf("%s: created directory '%s'\n", prog, path);
	return 0;
}

static int makep(const char *path)
{
	char *p = strdup(path);
	size_t n = strlen(p);
	for (size_t i = 1; i <= n; i++) {
		if (p[i] != '/' && p[i] != 0)
			continue;
		if (p[i - 1] == '/')
			continue;
		char c = p[i];
		p[i] = 0;
		struct stat st;
		if (stat(p, &st) != 0) {
			if (make(p) != 0 && errno != EEXIST) {
				fprintf(stderr, "%s: cannot create directory '%s': %s\n", prog, p, strerror(errno));
				free(p);
				return 1;
			}
		} else if (!S_ISDIR(st.st_mode)) {
			errno = c ? ENOTDIR : EEXIST;
			fprintf(stderr, "%s: cannot create directory '%s': %s\n", prog, p, strerror(errno));
			free(p);
			return 1;
		}
		p[i] = c;
	}
	free(p);
	return 0;
}

int main(int argc, char **argv)
{
	int parents = 0, i = 1, status = 0;
	prog = argv[0];
	for (; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (argv[i][0] != '-' || !argv[i][1])
			break;
		for (const char *a = argv[i] + 1; *a; a++) {
			if (*a == 'p')
				parents = 1;
			else if (*a == 'v')
				verbose = 1;
			else {
				fprintf(stderr, "%s: invalid option -- '%c'\nTry '%s --help' for more information.\n", prog, *a, prog);
				return 1;
			}
		}
	}
	if (i >= argc) {
		fprintf(stderr, "%s: missing operand\nTry '%s --help' for more information.\n", prog, prog);
		return 1;
	}
	for (; i < argc; i++) {
		if (parents) {
			status |= makep(argv[i]);
		} else if (make(argv[i]) != 0) {
			fprintf(stderr, "%s: cannot create directory '%s': %s\n", prog, argv[i], strerror(errno));
			status = 1;
		}
	}
	return status;
}
