/* grep [-EFGivcnqlLhHsxw] [-e PATTERN]... [PATTERN] [file...]: print lines
 * matching a pattern (basic regex by default, extended with -E, fixed
 * strings with -F, via <regex.h>). Exit 0 if a line was selected, 1 if
 * none, 2 on error. */
#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *prog;
static int icase, invert, count, number, quiet, listfiles, listnon, fixed, extended, whole_line, word, nosmsg;
static int withname = -1;
static char **pats;
static int npats;
static regex_t *res;

static void add_patterns(const char *s)
{
	/* a pattern with newlines is several patterns */
	for (;;) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		pats = realloc(pats, (npats + 1) * sizeof *pats);
		pats[npats] = malloc(n + 1);
		memcpy(pats[npats], s, n);
		pats[npats][n] = 0;
		npats++;
		if (!nl)
			break;
		s = nl + 1;
	}
}

static int isword(int c)
{
	return isalnum(c) || c == '_';
}

static int fixed_match(const char *line, size_t len, const char *p)
{
	size_t pl = strlen(p);
	for (size_t i = 0; i + pl <= len; i++) {
		int ok = icase ? strncasecmp(line + i, p, pl) == 0 : memcmp(line + i, p, pl) == 0;
		if (!ok)
			continue;
		if (whole_line && (i != 0 || pl != len))
			continue;
		if (word && ((i > 0 && isword((unsigned char)line[i - 1])) ||
			     (i + pl < len && isword((unsigned char)line[i + pl]))))
			continue;
		return 1;
	}
	return 0;
}

static int regex_match(const char *line, size_t len, regex_t *re)
{
	regmatch_t m;
	size_t off = 0;
	for (;;) {
		if (regexec(re, line + off, 1, &m, off ? REG_NOTBOL : 0) != 0)
			return 0;
		size_t s = off + (size_t)m.rm_so, e = off + (size_t)m.rm_eo;
		int ok = 1;
		if (whole_line && (s != 0 || e != len))
			ok = 0;
		if (word && ((s > 0 && isword((unsigned char)line[s - 1])) ||
			     (e < len && isword((unsigned char)line[e])) || e == s))
			ok = 0;
		if (ok)
			return 1;
		if (whole_line || off >= len)
			return 0;
		off = s + 1 > off ? s + 1 : off + 1;
		if (off > len)
			return 0;
	}
}

static int matches(const char *line, size_t len)
{
	for (int i = 0; i < npats; i++) {
		if (fixed ? fixed_match(line, len, pats[i]) : regex_match(line, len, &res[i]))
			return 1;
	}
	return 0;
}

/* returns number of selected lines, -1 on error */
static long grep(FILE *f, const char *name)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0, selected = 0;
	while ((n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		size_t len = (size_t)n;
		int hadnl = len > 0 && line[len - 1] == '\n';
		if (hadnl)
			line[--len] = 0;
		if (matches(line, len) == invert)
			continue;
		selected++;
		if (quiet) {
			free(line);
			return selected;
		}
		if (listfiles || listnon)
			break;
		if (count)
			continue;
		if (withname)
			printf("%s:", name);
		if (number)
			printf("%ld:", lineno);
		fwrite(line, 1, len, stdout);
		putchar('\n');
	}
	free(line);
	if (ferror(f)) {
		if (!nosmsg)
			fprintf(stderr, "%s: %s: %s\n", prog, name, strerror(errno));
		return -1;
	}
	if (count) {
		if (withname)
			printf("%s:", name);
		printf("%ld\n", selected);
	}
	if (listfiles && selected)
		printf("%s\n", name);
	if (listnon && !selected)
		printf("%s\n", name);
	return selected;
}

int main(int argc, char **argv)
{
	prog = argv[0];
	int i = 1;
	for (; i < argc; i++) {
		char *a = argv[i];
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (a[0] != '-' || !a[1])
			break;
		for (a++; *a; a++) {
			switch (*a) {
			case 'i': case 'y': icase = 1; break;
			case 'v': invert = 1; break;
			case 'c': count = 1; break;
			case 'n': number = 1; break;
			case 'q': quiet = 1; break;
			case 'l': listfiles = 1; break;
			case 'L': listnon = 1; break;
			case 'F': fixed = 1; break;
			case 'E': extended = 1; fixed = 0; break;
			case 'G': extended = 0; fixed = 0; break;
			case 'x': whole_line = 1; break;
			case 'w': word = 1; break;
			case 'h': withname = 0; break;
			case 'H': withname = 1; break;
			case 's': nosmsg = 1; break;
			case 'e': {
				const char *v = a[1] ? a + 1 : (i + 1 < argc ? argv[++i] : NULL);
				if (!v) {
					fprintf(stderr, "%s: option requires an argument -- 'e'\nUsage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n", prog);
					return 2;
				}
				add_patterns(v);
				a += strlen(a) - 1;
				break;
			}
			default:
				fprintf(stderr, "%s: invalid option -- '%c'\nUsage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n", prog, *a);
				return 2;
			}
		}
	}
	if (!npats) {
		if (i >= argc) {
			fprintf(stderr, "Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n");
			return 2;
		}
		add_patterns(argv[i++]);
	}
	if (!fixed) {
		res = calloc((size_t)npats, sizeof *res);
		for (int k = 0; k < npats; k++) {
			int rc = regcomp(&res[k], pats[k], (extended ? REG_EXTENDED : 0) | (icase ? REG_ICASE : 0));
			if (rc != 0) {
				char msg[256];
				regerror(rc, &res[k], msg, sizeof msg);
				fprintf(stderr, "%s: %s\n", prog, msg);
				return 2;
			}
		}
	}
	int nfiles = argc - i;
	if (withname < 0)
		withname = nfiles > 1;
	int status = 1, err = 0;
	for (int k = 0; k < (nfiles ? nfiles : 1); k++) {
		const char *name = nfiles ? argv[i + k] : "-";
		int isstdin = strcmp(name, "-") == 0;
		FILE *f = isstdin ? stdin : fopen(name, "r");
		if (!f) {
			if (!nosmsg)
				fprintf(stderr, "%s: %s: %s\n", prog, name, strerror(errno));
			err = 1;
			continue;
		}
		long r = grep(f, isstdin ? "(standard input)" : name);
		if (!isstdin)
			fclose(f);
		if (r < 0)
			err = 1;
		else if (r > 0)
			status = 0;
		if (quiet && status == 0)
			return 0;
	}
	if (fflush(stdout) != 0)
		return 2;
	return err && !(quiet && status == 0) ? 2 : status;
}
