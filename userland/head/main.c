/* head [-n N] [-c N] [-q|-v] [file...]: the first lines (default 10) or
 * bytes of each file, with "==> name <==" headers for several files. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *prog;

static int count_arg(const char *s, long long *out, int bytes)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (end == s || *end || v < 0 || errno) {
		fprintf(stderr, "%s: invalid number of %s: '%s'\n", prog, bytes ? "bytes" : "lines", s);
		return -1;
	}
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	long long n = 10;
	int bytes = 0, headers = -1, i = 1, status = 0;
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
			if (count_arg(a + 1, &n, 0) < 0)
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
				if (count_arg(v, &n, bytes) < 0)
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
		FILE *f = isstdin ? stdin : fopen(name, "r");
		if (!f) {
			fprintf(stderr, "%s: cannot open '%s' for reading: %s\n", prog, name, strerror(errno));
			status = 1;
			continue;
		}
		if (headers) {
			printf("%s==> %s <==\n", first ? "" : "\n", isstdin ? "standard input" : name);
		}
		first = 0;
		long long left = n;
		int c;
		while (left > 0 && (c = getc(f)) != EOF) {
			putchar(c);
			if (bytes || c == '\n')
				left--;
		}
		if (ferror(f)) {
			fprintf(stderr, "%s: error reading '%s': %s\n", prog, name, strerror(errno));
			status = 1;
		}
		if (!isstdin)
			fclose(f);
	}
	if (fflush(stdout) != 0)
		return 1;
	return status;
}
