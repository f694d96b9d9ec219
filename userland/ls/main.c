/* ls [-aAdlnr1] [file...]: list directory contents, sorted by name (C
 * locale byte order). One name per line unless output is a terminal, then
 * columns. -l uses GNU's long format; owners are names where the C library
 * can look them up (not in wasi-libc: numbers, as GNU prints them when
 * there is no passwd entry). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifndef __wasi__
#include <grp.h>
#include <pwd.h>
#endif

static const char *prog;
static int all, almost, dirsonly, longfmt, numeric, reverse, onecol;
static int status;
static time_t now;

struct ent {
	char *name; /* as shown */
	char *path; /* for stat/readlink */
	struct stat st;
	int ok;
};

static int cmp(const void *a, const void *b)
{
	const struct ent *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return reverse ? -c : c;
}

static void modestr(mode_t m, char *s)
{
	s[0] = S_ISDIR(m) ? 'd' : S_ISLNK(m) ? 'l' : S_ISCHR(m) ? 'c' : S_ISBLK(m) ? 'b' :
	       S_ISFIFO(m) ? 'p' : S_ISSOCK(m) ? 's' : '-';
	const char *rwx = "rwxrwxrwx";
	for (int i = 0; i < 9; i++)
		s[i + 1] = (m & (0400 >> i)) ? rwx[i] : '-';
	if (m & S_ISUID)
		s[3] = (m & 0100) ? 's' : 'S';
	if (m & S_ISGID)
		s[6] = (m & 0010) ? 's' : 'S';
	if (m & S_ISVTX)
		s[9] = (m & 0001) ? 't' : 'T';
	s[10] = 0;
}

#ifdef __wasi__
/* No getpwuid/getgrgid in wasi-libc: look the id up in a passwd/group
 * style file (name:x:id:...) as they do. */
static int lookup(const char *file, unsigned long id, char *buf, size_t n)
{
	FILE *f = fopen(file, "r");
	if (!f)
		return 0;
	char line[512];
	int found = 0;
	while (!found && fgets(line, sizeof line, f)) {
		char *name = line, *c1 = strchr(line, ':');
		if (!c1)
			continue;
		char *c2 = strchr(c1 + 1, ':');
		if (!c2)
			continue;
		char *end;
		unsigned long v = strtoul(c2 + 1, &end, 10);
		if (end != c2 + 1 && *end == ':' && v == id) {
			*c1 = 0;
			snprintf(buf, n, "%s", name);
			found = 1;
		}
	}
	fclose(f);
	return found;
}
#endif

static void owner(uid_t uid, char *buf, size_t n)
{
#ifndef __wasi__
	struct passwd *pw;
	if (!numeric && (pw = getpwuid(uid))) {
		snprintf(buf, n, "%s", pw->pw_name);
		return;
	}
#else
	if (!numeric && lookup("/etc/passwd", uid, buf, n))
		return;
#endif
	snprintf(buf, n, "%lu", (unsigned long)uid);
}

static void group(gid_t gid, char *buf, size_t n)
{
#ifndef __wasi__
	struct group *gr;
	if (!numeric && (gr = getgrgid(gid))) {
		snprintf(buf, n, "%s", gr->gr_name);
		return;
	}
#else
	if (!numeric && lookup("/etc/group", gid, buf, n))
		return;
#endif
	snprintf(buf, n, "%lu", (unsigned long)gid);
}

static int digits(unsigned long long v)
{
	int d = 1;
	while (v >= 10) {
		v /= 10;
		d++;
	}
	return d;
}

static void print_long(struct ent *e, int n, int total)
{
	int wl = 1, wo = 1, wg = 1, ws = 1;
	unsigned long long blocks = 0;
	char buf[64];
	for (int i = 0; i < n; i++) {
		if (!e[i].ok)
			continue;
		blocks += (unsigned long long)e[i].st.st_blocks;
		int d = digits((unsigned long long)e[i].st.st_nlink);
		if (d > wl)
			wl = d;
		owner(e[i].st.st_uid, buf, sizeof buf);
		if ((int)strlen(buf) > wo)
			wo = (int)strlen(buf);
		group(e[i].st.st_gid, buf, sizeof buf);
		if ((int)strlen(buf) > wg)
			wg = (int)strlen(buf);
		d = digits((unsigned long long)e[i].st.st_size);
		if (d > ws)
			ws = d;
	}
	if (total)
		printf("total %llu\n", (blocks + 1) / 2);
	for (int i = 0; i < n; i++) {
		if (!e[i].ok)
			continue;
		struct stat *st = &e[i].st;
		char mode[11], o[64], g[64], date[64];
		modestr(st->st_mode, mode);
		owner(st->st_uid, o, sizeof o);
		group(st->st_gid, g, sizeof g);
		time_t t = st->st_mtime;
		struct tm tm;
		localtime_r(&t, &tm);
		const long six_months = 31556952 / 2;
		if (t > now - six_months && t <= now)
			strftime(date, sizeof date, "%b %e %H:%M", &tm);
		else
			strftime(date, sizeof date, "%b %e  %Y", &tm);
		printf("%s %*lu %-*s %-*s %*lld %s %s", mode, wl, (unsigned long)st->st_nlink, wo, o, wg, g,
		       ws, (long long)st->st_size, date, e[i].name);
		if (S_ISLNK(st->st_mode)) {
			char target[4096];
			ssize_t r = readlink(e[i].path, target, sizeof target - 1);
			if (r >= 0) {
				target[r] = 0;
				printf(" -> %s", target);
			}
		}
		putchar('\n');
	}
}

static void print_columns(struct ent *e, int n)
{
	int width = 80;
	const char *cols = getenv("COLUMNS");
	if (cols && atoi(cols) > 0)
		width = atoi(cols);
	int best = 1;
	for (int c = n; c > 1; c--) {
		int rows = (n + c - 1) / c, tot = 0;
		for (int col = 0; col < c; col++) {
			int w = 0;
			for (int r = 0; r < rows; r++) {
				int k = col * rows + r;
				if (k < n && (int)strlen(e[k].name) > w)
					w = (int)strlen(e[k].name);
			}
			tot += w + (col < c - 1 ? 2 : 0);
		}
		if (tot <= width) {
			best = c;
			break;
		}
	}
	int rows = (n + best - 1) / best;
	for (int r = 0; r < rows; r++) {
		for (int col = 0; col < best; col++) {
			int k = col * rows + r;
			if (k >= n)
				break;
			int w = 0;
			for (int rr = 0; rr < rows; rr++) {
				int kk = col * rows + rr;
				if (kk < n && (int)strlen(e[kk].name) > w)
					w = (int)strlen(e[kk].name);
			}
			int last = col == best - 1 || (col + 1) * rows + r >= n;
			if (last) {
				fputs(e[k].name, stdout);
				break;
			}
			printf("%-*s  ", w, e[k].name);
		}
		putchar('\n');
	}
}

static void print_ents(struct ent *e, int n, int total)
{
	qsort(e, (size_t)n, sizeof *e, cmp);
	if (longfmt)
		print_long(e, n, total);
	else if (onecol)
		for (int i = 0; i < n; i++)
			printf("%s\n", e[i].name);
	else if (n > 0)
		print_columns(e, n);
}

static char *join(const char *dir, const char *name)
{
	size_t l = strlen(dir) + strlen(name) + 2;
	char *p = malloc(l);
	snprintf(p, l, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", name);
	return p;
}

static void list_dir(const char *path)
{
	DIR *d = opendir(path);
	if (!d) {
		fprintf(stderr, "%s: cannot open directory '%s': %s\n", prog, path, strerror(errno));
		status = 2;
		return;
	}
	struct ent *e = NULL;
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		const char *nm = de->d_name;
		if (nm[0] == '.' && !all) {
			if (!almost)
				continue;
			if (strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0)
				continue;
		}
		e = realloc(e, (size_t)(n + 1) * sizeof *e);
		e[n].name = strdup(nm);
		e[n].path = join(path, nm);
		e[n].ok = 1;
		if (longfmt && lstat(e[n].path, &e[n].st) != 0) {
			fprintf(stderr, "%s: cannot access '%s': %s\n", prog, e[n].path, strerror(errno));
			e[n].ok = 0;
			status = 1;
		}
		n++;
	}
	closedir(d);
	print_ents(e, n, 1);
	for (int i = 0; i < n; i++) {
		free(e[i].name);
		free(e[i].path);
	}
	free(e);
}

int main(int argc, char **argv)
{
	prog = argv[0];
	onecol = !isatty(1);
	now = time(NULL);
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
			case 'a': all = 1; almost = 0; break;
			case 'A': almost = 1; all = 0; break;
			case 'd': dirsonly = 1; break;
			case 'l': longfmt = 1; break;
			case 'n': longfmt = 1; numeric = 1; break;
			case 'r': reverse = 1; break;
			case '1': onecol = 1; break;
			case 'C': onecol = 0; break;
			default:
				fprintf(stderr, "%s: invalid option -- '%c'\nTry '%s --help' for more information.\n", prog, *a, prog);
				return 2;
			}
		}
	}
	int nargs = argc - i;
	char *dot[] = {"."};
	char **args = nargs ? argv + i : dot;
	if (!nargs)
		nargs = 1;
	struct ent *files = NULL, *dirs = NULL;
	int nf = 0, nd = 0;
	for (int k = 0; k < nargs; k++) {
		struct ent e;
		e.name = args[k];
		e.path = args[k];
		e.ok = 1;
		int r = longfmt || dirsonly ? lstat(args[k], &e.st) : stat(args[k], &e.st);
		if (r == 0 && longfmt && !dirsonly && S_ISLNK(e.st.st_mode)) {
			struct stat t;
			if (stat(args[k], &t) == 0 && S_ISDIR(t.st_mode) && args[k][strlen(args[k]) - 1] == '/')
				e.st = t;
		}
		if (r != 0 && !longfmt && !dirsonly && lstat(args[k], &e.st) == 0)
			r = 0; /* dangling symlink */
		if (r != 0) {
			fprintf(stderr, "%s: cannot access '%s': %s\n", prog, args[k], strerror(errno));
			status = 2;
			continue;
		}
		if (S_ISDIR(e.st.st_mode) && !dirsonly) {
			dirs = realloc(dirs, (size_t)(nd + 1) * sizeof *dirs);
			dirs[nd++] = e;
		} else {
			files = realloc(files, (size_t)(nf + 1) * sizeof *files);
			files[nf++] = e;
		}
	}
	if (nf)
		print_ents(files, nf, 0);
	qsort(dirs, (size_t)nd, sizeof *dirs, cmp);
	int headers = nf + nd > 1 || status != 0;
	for (int k = 0; k < nd; k++) {
		if (nf || k > 0)
			putchar('\n');
		if (headers)
			printf("%s:\n", dirs[k].name);
		list_dir(dirs[k].path);
	}
	fflush(stdout);
	return status;
}
