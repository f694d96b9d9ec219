/* cat [-n] [file...]: concatenate files ("-" or none: stdin). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char buf[65536];
static int number, atstart = 1;
static long lineno;

static int writeall(const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(1, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int copy(int fd)
{
	for (;;) {
		ssize_t r = read(fd, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -1 : 0;
		if (!number) {
			if (writeall(buf, (size_t)r) < 0)
				return -2;
			continue;
		}
		for (ssize_t i = 0; i < r; i++) {
			if (atstart) {
				char num[32];
				int n = snprintf(num, sizeof num, "%6ld\t", ++lineno);
				if (writeall(num, (size_t)n) < 0)
					return -2;
				atstart = 0;
			}
			size_t s = (size_t)i;
			while (i < r && buf[i] != '\n')
				i++;
			if (i < r)
				atstart = 1;
			if (writeall(buf + s, (size_t)(i - (ssize_t)s) + (i < r)) < 0)
				return -2;
		}
	}
}

int main(int argc, char **argv)
{
	int status = 0, i = 1, files = 0;
	for (; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (argv[i][0] != '-' || !argv[i][1])
			break;
		for (const char *a = argv[i] + 1; *a; a++) {
			if (*a == 'n')
				number = 1;
			else if (*a != 'u') {
				fprintf(stderr, "%s: invalid option -- '%c'\nTry '%s --help' for more information.\n", argv[0], *a, argv[0]);
				return 1;
			}
		}
	}
	for (; i < argc || !files; i++) {
		files++;
		const char *name = i < argc ? argv[i] : "-";
		int fd = strcmp(name, "-") == 0 ? 0 : open(name, O_RDONLY);
		if (fd < 0) {
			fprintf(stderr, "%s: %s: %s\n", argv[0], name, strerror(errno));
			status = 1;
			continue;
		}
		int r = copy(fd);
		if (r == -1) {
			fprintf(stderr, "%s: %s: %s\n", argv[0], name, strerror(errno));
			status = 1;
		} else if (r == -2) {
			fprintf(stderr, "%s: write error: %s\n", argv[0], strerror(errno));
			return 1;
		}
		if (fd != 0)
			close(fd);
		if (i >= argc)
			break;
	}
	return status;
}
