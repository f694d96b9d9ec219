/* rm [-rRfdv] file...: remove files (-r: directories and their contents,
 * -f: no error for missing files, -d: empty directories). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *prog;
static int recursive, force, dirs, verbose;

static int removed(const char *path, int dir)
{
	if (verbose)
		printf("removed %s'%s'\n", dir ? "directory " : "", path);
	return 0;
}

static int rm(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0) {
		if (force && errno == ENOENT)
			return 0;
		fprintf(stderr, "%s: cannot remove '%s': %s\n", prog, path, strerror(errno));
		return 1;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (unlink(path) != 0) {
			fprintf(stderr, "%s: cannot remove '%s': %s\n", prog, path, strerror(errno));
			return 1;
		}
		return removed(path, 0);
	}
	if (!recursive) {
		if (dirs) {
			if (rmdir(path) == 0)
				return removed(path, 1);
			fprintf(stderr, "%s: cannot remove '%s': %s\n", prog, path, strerror(errno));
			return 1;
		}
		fprintf(stderr, "%s: cannot remove '%s': Is a directory\n", prog, path);
		return 1;
	}
	DIR *d = opendir(path);
	if (!d) {
		fprintf(stderr, "%s: cannot remove '%s': %s\n", prog, path, strerror(errno));
		return 1;
	}
	int status = 0;
	struct dirent *e;
	/* collect names first: removing while reading may skip entries */
	char **names = NULL;
	size_t n = 0;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		names = realloc(names, (n + 1) * sizeof *names);
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(path) + strlen(names[i]) + 2;
		char *child = malloc(l);
		snprintf(child, l, "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/", names[i]);
		status |= rm(child);
		free(child);
		free(names[i]);
	}
	free(names);
	if (status)
		return status;
	if (rmdir(path) != 0) {
		fprintf(stderr, "%s: cannot remove '%s': %s\n", prog, path, strerror(errno));
		return 1;
	}
	return removed(path, 1);
}

int main(int argc, char **argv)
{
	int i = 1, status = 0;
	prog = argv[0];
	for (; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (argv[i][0] != '-' || !argv[i][1])
			break;
		for (const char *a = argv[i] + 1; *a; a++) {
			switch (*a) {
			case 'r': case 'R': recursive = 1; break;
			case 'f': force = 1; break;
			case 'd': dirs = 1; break;
			case 'v': verbose = 1; break;
			default:
				fprintf(stderr, "%s: invalid option -- '%c'\nTry '%s --help' for more information.\n", prog, *a, prog);
				return 1;
			}
		}
	}
	if (i >= argc) {
		if (force)
			return 0;
		fprintf(stderr, "%s: missing operand\nTry '%s --help' for more information.\n", prog, prog);
		return 1;
	}
	for (; i < argc; i++) {
		const char *base = strrchr(argv[i], '/');
		base = base && base[1] ? base + 1 : argv[i];
		if (strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
			fprintf(stderr, "%s: refusing to remove '.' or '..' directory: skipping '%s'\n", prog, argv[i]);
			status = 1;
			continue;
		}
		status |= rm(argv[i]);
	}
	return status;
}
