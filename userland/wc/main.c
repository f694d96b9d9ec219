/* wc [-lwcm] [file...]: line, word and byte counts in GNU coreutils'
 * format (column width from the total size of regular files, 7 when an
 * input is not a regular file, 1 for a single count of a single input). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int plines, pwords, pbytes;
static int width = 1;

static void show(long long l, long long w, long long c, const char *name)
{
	const char *sep = "";
	if (plines) {
		printf("%*lld", width, l);
		sep = " ";
	}
	if (pwords) {
		printf("%s%*lld", sep, width, w);
		sep = " ";
	}
	if (pbytes)
		printf("%s%*lld", sep, width, c);
	if (name)
		printf(" %s", name);
	putchar('\n');
}

int main(int argc, char **argv)
{
	int i = 1;
	for (; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (argv[i][0] != '-' || !argv[i][1])
			break;
		for (const char *a = argv[i] + 1; *a; a++) {
			switch (*a) {
			case 'l': plines = 1; break;
			case 'w': pwords = 1; break;
			case 'c': case 'm': pbytes = 1; break;
			default:
				fprintf(stderr, "%s: invalid option -- '%c'\nTry '%s --help' for more information.\n", argv[0], *a, argv[0]);
				return 1;
			}
		}
	}
	if (!plines && !pwords && !pbytes)
		plines = pwords = pbytes = 1;
	int nfiles = argc - i;
	char *dflt[] = {NULL};
	char **files = nfiles ? argv + i : dflt;
	if (!nfiles)
		nfiles = 1;
	/* column width, as GNU's compute_number_width */
	if (!(nfiles == 1 && plines + pwords + pbytes == 1)) {
		int minw = 1;
		unsigned long long regular = 0;
		int any = 0;
		for (int k = 0; k < nfiles; k++) {
			struct stat st;
			int r = files[k] && strcmp(files[k], "-") != 0 ? stat(files[k], &st) : fstat(0, &st);
			if (r != 0)
				continue;
			any = 1;
			if (!S_ISREG(st.st_mode))
				minw = 7;
			else
				regular += (unsigned long long)st.st_size;
		}
		if (any) {
			for (; regular >= 10; regular /= 10)
				width++;
			if (width < minw)
				width = minw;
		}
	}
	long long tl = 0, tw = 0, tc = 0;
	int status = 0;
	static unsigned char buf[65536];
	for (int k = 0; k < nfiles; k++) {
		const char *name = files[k];
		int fd = !name || strcmp(name, "-") == 0 ? 0 : open(name, O_RDONLY);
		if (fd < 0) {
			fprintf(stderr, "%s: %s: %s\n", argv[0], name, strerror(errno));
			status = 1;
			continue;
		}
		long long l = 0, w = 0, c = 0;
		int inword = 0;
		for (;;) {
			ssize_t r = read(fd, buf, sizeof buf);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				fprintf(stderr, "%s: %s: %s\n", argv[0], name ? name : "-", strerror(errno));
				status = 1;
				break;
			}
			if (r == 0)
				break;
			c += r;
			for (ssize_t j = 0; j < r; j++) {
				int ch = buf[j];
				if (ch == '\n')
					l++;
				if (isspace(ch))
					inword = 0;
				else if (isprint(ch) && !inword) {
					inword = 1;
					w++;
				}
			}
		}
		if (fd != 0)
			close(fd);
		show(l, w, c, name);
		tl += l;
		tw += w;
		tc += c;
	}
	if (nfiles > 1)
		show(tl, tw, tc, "total");
	return status;
}
