/* mv [-fv] source dest | mv [-fv] source... directory: rename files; a
 * regular file crossing file systems is copied and then removed. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *prog;
static int verbose;

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

static int copy_then_remove(const char *src, const char *dst, const struct stat *st)
{
	int in = open(src, O_RDONLY);
	int out = in < 0 ? -1 : open(dst, O_WRONLY | O_CREAT | O_TRUNC, st->st_mode & 07777);
	if (in < 0 || out < 0) {
		fprintf(stderr, "%s: cannot move '%s' to '%s': %s\n", prog, src, dst, strerror(errno));
		if (in >= 0)
			close(in);
		return 1;
	}
	static char buf[65536];
	ssize_t r;
	while ((r = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, (size_t)r) != r) {
			fprintf(stderr, "%s: error writing '%s': %s\n", prog, dst, strerror(errno));
			close(in);
			close(out);
			return 1;
		}
	close(in);
	close(out);
	if (unlink(src) != 0) {
		fprintf(stderr, "%s: cannot remove '%s': %s\n", prog, src, strerror(errno));
		return 1;
	}
	return 0;
}

static int move(const char *src, const char *dst)
{
	struct stat st, dt;
	if (lstat(src, &st) != 0) {
		fprintf(stderr, "%s: cannot stat '%s': %s\n", prog, src, strerror(errno));
		return 1;
	}
	if (stat(dst, &dt) == 0 && st.st_dev == dt.st_dev && st.st_ino == dt.st_ino) {
		fprintf(stderr, "%s: '%s' and '%s' are the same file\n", prog, src, dst);
		return 1;
	}
	if (rename(src, dst) != 0) {
		if (errno == EXDEV && S_ISREG(st.st_mode)) {
			if (copy_then_remove(src, dst, &st))
				return 1;
		} else {
			fprintf(stderr, "%s: cannot move '%s' to '%s': %s\n", prog, src, dst, strerror(errno));
			return 1;
		}
	}
	if (verbose)
		printf("renamed '%s' -> '%s'\n", src, dst);
	return 0;
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
			if (*a == 'v')
				verbose = 1;
			else if (*a != 'f') {
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
			const char *b = base(argv[i]);
			size_t l = strlen(dst) + strlen(b) + 2;
			char *t = malloc(l);
			snprintf(t, l, "%s%s%s", dst, dst[strlen(dst) - 1] == '/' ? "" : "/", b);
			status |= move(argv[i], t);
			free(t);
		} else {
			status |= move(argv[i], dst);
		}
	}
	return status;
}
