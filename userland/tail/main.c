/* tail [-n [+]N] [-c [+]N] [-q|-v] [file...]: the last lines (default 10)
 * or bytes of each input; +N starts at line/byte N. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *prog;

static int count_arg(const char *s, long long *out, int *from, int bytes)
{
	char *end;
	*from = 0;
	if (*s == '+') {
		*from = 1;
		s++;
	} else if (*s == '-') {
		s++;
	}
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (end == s || *end || v < 0 || errno) {
		fprintf(stderr, "%s: invalid number of %s: '%s'\n", prog, bytes ? "bytes" : "lines", s);
		return -1;
	}
	*out = v;
	return 0;
}

static char *slurp(int fd, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *s = malloc(cap);
	for (;;) {
		if (n == cap) {
			cap *= 2;
			s = realloc(s, cap);
		}
		ssize_t r = read(fd, s + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(s);
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*len = n;
	return s;
}

int main(int argc, char **argv)
{
	long long n = 10;
	int bytes = 0, from = 0, headers = -1, i = 1, status = 0;
	prog = argv[0];
	for (; i < argc; i++) {
		char *a = argv[i];
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (a[0] != '-' || !a[1])
			break;
		if (a[1] >= '0' && a[1] <= '9') {
			if (count_arg(a + 1, &n, &from, 0) < 0)
				return 1;
			continue;
		}
		for (a++; *a; a++) {
			if (*a == 'n' || *a == 'c') {
				bytes = *a == 'c';
				const char *v = a[1] ? a + 1 : (i + 1 < argc ? argv[++i] : NULL);
				if (!v) {
					fprintf(stderr, "%s: option requires an argument -- '%c'\nTry '%s --help' for more information.\n", prog, *a, prog);
					return 1;
				}
				if (count_arg(v, &n, &from, bytes) < 0)
					return 1;
				break;
			} else if (*a == 'q') {
				headers = 0;
			} else if (*a == 'v') {
				headers = 1;
			} else {
				fprintf(stderr, "%s: invalid option -- '%c'\nTry '%s --help' for more information.\n", prog, *a, prog);
				return 1;
			}
		}
	}
	int nfiles = argc - i;
	if (headers < 0)
		headers = nfiles > 1;
	char *dash[] = {"-"};
	char **files = nfiles ? argv + i : dash;
	if (!nfiles)
		nfiles = 1;
	int first = 1;
	for (int k = 0; k < nfiles; k++) {
		const char *name = files[k];
		int isstdin = strcmp(name, "-") == 0;
		int fd = isstdin ? 0 : open(name, O_RDONLY);
		if (fd < 0) {
			fprintf(stderr, "%s: cannot open '%s' for reading: %s\n", prog, name, strerror(errno));
			status = 1;
			continue;
		}
		size_t len;
		char *s = slurp(fd, &len);
		if (!isstdin)
			close(fd);
		if (!s) {
			fprintf(stderr, "%s: error reading '%s': %s\n", prog, name, strerror(errno));
			status = 1;
			continue;
		}
		if (headers)
			printf("%s==> %s <==\n", first ? "" : "\n", isstdin ? "standard input" : name);
		first = 0;
		size_t start;
		if (bytes) {
			if (from)
				start = n > 0 ? (size_t)(n - 1) : 0;
			else
				start = (size_t)n >= len ? 0 : len - (size_t)n;
			if (start > len)
				start = len;
		} else if (from) {
			start = 0;
			for (long long line = 1; line < n && start < len; start++)
				if (s[start] == '\n')
					line++;
		} else {
			/* walk back n newlines; a final newline ends the last line */
			start = len;
			long long seen = 0;
			size_t p = len;
			if (p > 0 && s[p - 1] == '\n')
				p--;
			while (p > 0) {
				if (s[p - 1] == '\n' && ++seen == n)
					break;
				p--;
			}
			start = n == 0 ? len : p;
		}
		fwrite(s + start, 1, len - start, stdout);
		free(s);
	}
	if (fflush(stdout) != 0)
		return 1;
	return status;
}
