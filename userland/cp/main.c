/* cp [-rRfv] source dest | cp [-rRfv] source... directory: copy files
 * (-r: directories recursively). New files get the source's mode bits. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *prog;
static int recursive, verbose;

static char *join(const char *dir, const char *name)
{
	size_t l = strlen(dir) + strlen(name) + 2;
	char *p = malloc(l);
	snprintf(p, l, "%s%s%s", dir, dir[0] && dir[strlen(dir) - 1] == '/' ? "" : "/", name);
	return p;
}

static const char *base(const char *p)
{
	size_t n = strlen(p);
	while (n > 1 && p[n - 1] == '/')
		n--;
	static char buf[4096];
	snprintf(buf, sizeof buf, "%.*s", (int)n, p);
	char *s = strrchr(buf, '/');
	return s && s[1] ? s + 1 : buf;
}

static int copy_file(const char *src, const char *dst, const struct stat *st)
{
	int in = open(src, O_RDONLY);
	if (in < 0) {
		fprintf(stderr, "%s: cannot open '%s' for reading: %s\n", prog, src, strerror(errno));
		return 1;
	}
	int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, st->st_mode & 07777);
	if (out < 0) {
		fprintf(stderr, "%s: cannot create regular file '%s': %s\n", prog, dst, strerror(errno));
		close(in);
		return 1;
	}
	static char buf[65536];
	int status = 0;
	for (;;) {
		ssize_t r = read(in, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fprintf(stderr, "%s: error reading '%s': %s\n", prog, src, strerror(errno));
			status = 1;
			break;
		}
		if (r == 0)
			break;
		for (ssize_t off = 0; off < r;) {
			ssize_t w = write(out, buf + off, (size_t)(r - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				fprintf(stderr, "%s: error writing '%s': %s\n", prog, dst, strerror(errno));
				close(in);
				close(out);
				return 1;
			}
			off += w;
		}
	}
	close(in);
	if (close(out) != 0) {
		fprintf(stderr, "%s: error writing '%s': %s\n", prog, dst, strerror(errno));
		status = 1;
	}
	if (verbose && !status)
		printf("'%s' -> '%s'\n", src, dst);
	return status;
}

static int copy(const char *src, const char *dst)
{
	struct stat st, dt;
	if (stat(src, &st) != 0) {
		fprintf(stderr, "%s: cannot stat '%s': %s\n", prog, src, strerror(errno));
		return 1;
	}
	int dexists = stat(dst, &dt) == 0;
	if (dexists && st.st_dev == dt.st_dev && st.st_ino == dt.st_ino) {
		fprintf(stderr, "%s: '%s' and '%s' are the same file\n", prog, src, dst);
		return 1;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (dexists && S_ISDIR(dt.st_mode)) {
			fprintf(stderr, "%s: cannot overwrite directory '%s' with non-directory\n", prog, dst);
			return 1;
		}
		return copy_file(src, dst, &st);
	}
	if (!recursive) {
		fprintf(stderr, "%s: -r not specified; omitting directory '%s'\n", prog, src);
		return 1;
	}
	if (!dexists) {
		if (mkdir(dst, (st.st_mode & 07777) | 0700) != 0) {
			fprintf(stderr, "%s: cannot create directory '%s': %s\n", prog, dst, strerror(errno));
			return 1;
		}
		if (verbose)
			printf("'%s' -> '%s'\n", src, dst);
	} else if (!S_ISDIR(dt.st_mode)) {
		fprintf(stderr, "%s: cannot overwrite non-directory '%s' with directory '%s'\n", prog, dst, src);
		return 1;
	}
	DIR *d = opendir(src);
	if (!d) {
		fprintf(stderr, "%s: cannot access '%s': %s\n", prog, src, strerror(errno));
		return 1;
	}
	int status = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char *s = join(src, e->d_name), *t = join(dst, e->d_name);
		status |= copy(s, t);
		free(s);
		free(t);
	}
	closedir(d);
	return status;
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
			case 'f': break;
			case 'v': verbose = 1; break;
			default:
				fprintf(stderr, "%s: invalid option -- '%c'\nTry '%s --help' for more information.\n", prog, *a, prog);
				return 1;
			}
		}
	}
	int n = argc - i;
	if (n < 1) {
		fprintf(stderr, "%s: missing file operand\nTry '%s --help' for more information.\n", prog, prog);
		return 1;
	}
	if (n < 2) {
		fprintf(stderr, "%s: missing destination file operand after '%s'\nTry '%s --help' for more information.\n", prog, argv[i], prog);
		return 1;
	}
	const char *dst = argv[argc - 1];
	struct stat dt;
	int isdir = stat(dst, &dt) == 0 && S_ISDIR(dt.st_mode);
	if (n > 2 && !isdir) {
		fprintf(stderr, "%s: target '%s' is not a directory\n", prog, dst);
		return 1;
	}
	for (; i < argc - 1; i++) {
		if (isdir) {
			char *t = join(dst, base(argv[i]));
			status |= copy(argv[i], t);
			free(t);
		} else {
			status |= copy(argv[i], dst);
		}
	}
	return status;
}
