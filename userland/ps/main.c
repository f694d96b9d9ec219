/* ps [-e|-A] [-f] [-o format]... [-p pidlist]...: report processes, read
 * from /proc. The output follows procps-ng's ps, the one Debian installs:
 * the same default selection (processes of the caller's effective user on
 * the caller's terminal), the same columns, widths and headers (-f: UID
 * PID PPID C STIME TTY TIME CMD), the same way of letting a long value
 * push the next column over and of escaping unprintable bytes, and the
 * same last column unlimited when output is not a terminal.
 *
 * -o takes a comma- or blank-separated list of pid ppid pgid sid uid user
 * comm ucmd ucomm args cmd command tty tname time etime stime c s state
 * vsz rss nlwp; "name=header" renames a column (the header is the rest of
 * the argument), and when every header is empty no header line is shown.
 * ps exits 1 when no process was selected. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *prog;

/* One process, as /proc shows it. */
struct proc {
	int pid, ppid, pgrp, sid, tty, nlwp;
	char state;
	char comm[64];      /* escaped */
	char *args;         /* escaped cmdline, or "[comm]" */
	unsigned euid;
	int euid_ok;
	unsigned long long utime, stime, start; /* clock ticks */
	unsigned long long vsz, rss;            /* KiB (status: VmSize, VmRSS) */
};

/* A column: its keyword, header, width, alignment and printer. */
enum just { LEFT, RIGHT, USER, UNLIMITED };

struct spec {
	const char *key, *head;
	int width;
	enum just just;
	int pidmax; /* width from /proc/sys/kernel/pid_max */
	int (*pr)(char *out, size_t n, const struct proc *p);
};

struct col {
	const struct spec *spec;
	char *head;
	int width;
};

static struct col cols[64];
static int ncols;

static long hertz = 100;
static time_t boot_time;
static double uptime_secs;
static time_t now;
static int f_option; /* -f: comm columns show the command line */
static int utf8;

/* ---- reading /proc ---- */

/* read_file reads up to n-1 bytes of path into buf (NUL-terminated) and
 * returns how many, or -1. */
static ssize_t read_file(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	size_t got = 0;
	while (got < n - 1) {
		ssize_t r = read(fd, buf + got, n - 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	buf[got] = 0;
	return (ssize_t)got;
}

/* esc_all replaces what the C locale cannot show, as procps does: control
 * characters by '.', bytes above 0x7f by '?'. */
static void esc_all(unsigned char *p)
{
	for (; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			*p = '.';
		else if (*p >= 0x80)
			*p = '?';
	}
}

/* utf8_len is the length of the UTF-8 sequence starting with c, or -1. */
static int utf8_len(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return 2;
	if (c >= 0xe0 && c <= 0xef)
		return 3;
	if (c >= 0xf0 && c <= 0xf4)
		return 4;
	return -1;
}

/* escape makes s printable as procps does: in a UTF-8 locale control
 * characters become '?' (and a malformed sequence makes the rest of the
 * string escaped as in the C locale); otherwise esc_all. */
static void escape(char *s)
{
	unsigned char *p = (unsigned char *)s;
	if (!utf8) {
		esc_all(p);
		return;
	}
	size_t len = strlen(s);
	for (size_t i = 0; i < len;) {
		int n = utf8_len(p[i]);
		if (n < 0 || i + (size_t)n > len) {
			esc_all(p + i);
			return;
		}
		if (p[i] < 0x20 || p[i] == 0x7f)
			p[i] = '?';
		i += (size_t)n;
	}
}

static int read_proc(int pid, struct proc *p)
{
	char path[64], buf[4096];
	memset(p, 0, sizeof *p);
	p->pid = pid;
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	if (read_file(path, buf, sizeof buf) <= 0)
		return -1;
	char *open = strchr(buf, '('), *close = strrchr(buf, ')');
	if (!open || !close || close < open)
		return -1;
	size_t len = (size_t)(close - open - 1);
	if (len >= sizeof p->comm)
		len = sizeof p->comm - 1;
	memcpy(p->comm, open + 1, len);
	p->comm[len] = 0;
	escape(p->comm);
	/* state, then ppid pgrp session tty_nr tpgid flags minflt cminflt
	 * majflt cmajflt utime stime cutime cstime priority nice num_threads
	 * itrealvalue starttime vsize rss */
	unsigned long long f[22];
	char state = '?';
	char *s = close + 1;
	while (*s == ' ')
		s++;
	if (*s)
		state = *s++;
	int nf = 0;
	while (nf < 22) {
		char *end;
		while (*s == ' ')
			s++;
		long long v = strtoll(s, &end, 10);
		if (end == s)
			break;
		f[nf++] = (unsigned long long)v;
		s = end;
	}
	if (nf < 22)
		return -1;
	p->state = state;
	p->ppid = (int)f[0];
	p->pgrp = (int)f[1];
	p->sid = (int)f[2];
	p->tty = (int)f[3];
	p->utime = f[10];
	p->stime = f[11];
	p->nlwp = (int)f[16];
	p->start = f[18];

	snprintf(path, sizeof path, "/proc/%d/status", pid);
	if (read_file(path, buf, sizeof buf) > 0) {
		char *u = strstr(buf, "\nUid:");
		unsigned ruid, euid;
		if (u && sscanf(u + 5, "%u %u", &ruid, &euid) == 2) {
			p->euid = euid;
			p->euid_ok = 1;
		}
		char *v = strstr(buf, "\nVmSize:");
		if (v)
			p->vsz = strtoull(v + 8, NULL, 10);
		v = strstr(buf, "\nVmRSS:");
		if (v)
			p->rss = strtoull(v + 7, NULL, 10);
	}

	/* The command line: NULs and newlines become blanks, trailing NULs
	 * go; empty (a zombie, a kernel thread): "[comm]", with " <defunct>"
	 * for a zombie. */
	static char cmd[128 * 1024];
	snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
	ssize_t n = read_file(path, cmd, sizeof cmd);
	if (n > 0) {
		ssize_t i = n;
		while (i > 0 && cmd[i - 1] == 0)
			i--;
		for (ssize_t j = 0; j < i; j++)
			if (cmd[j] == 0 || cmd[j] == '\n')
				cmd[j] = ' ';
		cmd[i] = 0;
		escape(cmd);
		p->args = strdup(cmd);
	} else {
		size_t m = strlen(p->comm) + 16;
		p->args = malloc(m);
		if (p->args)
			snprintf(p->args, m, "[%s]%s", p->comm, p->state == 'Z' ? " <defunct>" : "");
	}
	if (!p->args)
		return -1;
	return 0;
}

/* ---- columns ---- */

static int pr_pid(char *o, size_t n, const struct proc *p) { return snprintf(o, n, "%d", p->pid); }
static int pr_ppid(char *o, size_t n, const struct proc *p) { return snprintf(o, n, "%d", p->ppid); }
static int pr_pgid(char *o, size_t n, const struct proc *p) { return snprintf(o, n, "%d", p->pgrp); }
static int pr_sid(char *o, size_t n, const struct proc *p) { return snprintf(o, n, "%d", p->sid); }
static int pr_uid(char *o, size_t n, const struct proc *p) { return snprintf(o, n, "%u", p->euid); }
static int pr_nlwp(char *o, size_t n, const struct proc *p) { return snprintf(o, n, "%d", p->nlwp); }
static int pr_state(char *o, size_t n, const struct proc *p) { return snprintf(o, n, "%c", p->state); }
static int pr_vsz(char *o, size_t n, const struct proc *p) { return snprintf(o, n, "%llu", p->vsz); }
static int pr_rss(char *o, size_t n, const struct proc *p) { return snprintf(o, n, "%llu", p->rss); }

static int pr_user(char *o, size_t n, const struct proc *p)
{
	struct passwd *pw = getpwuid(p->euid);
	if (pw && strlen(pw->pw_name) < 33)
		return snprintf(o, n, "%s", pw->pw_name);
	return snprintf(o, n, "%u", p->euid);
}

static int pr_args(char *o, size_t n, const struct proc *p) { return snprintf(o, n, "%s", p->args); }

static int pr_comm(char *o, size_t n, const struct proc *p)
{
	return snprintf(o, n, "%s", f_option ? p->args : p->comm);
}

/* tty_name names a tty_nr as procps does for the common devices. */
static int pr_tty(char *o, size_t n, const struct proc *p)
{
	unsigned dev = (unsigned)p->tty;
	unsigned major = (dev >> 8) & 0xfff, minor = (dev & 0xff) | ((dev >> 12) & 0xfff00);
	if (dev == 0)
		return snprintf(o, n, "?");
	if (major >= 136 && major <= 143)
		return snprintf(o, n, "pts/%u", minor + (major - 136) * 256);
	if (major == 4 && minor < 64)
		return snprintf(o, n, "tty%u", minor);
	if (major == 4)
		return snprintf(o, n, "ttyS%u", minor - 64);
	if (major == 5 && minor == 1)
		return snprintf(o, n, "console");
	return snprintf(o, n, "%u,%u", major, minor);
}

/* hms prints seconds as [DD-]HH:MM:SS. */
static int hms(char *o, size_t n, unsigned long t)
{
	unsigned ss = t % 60, mm = (t / 60) % 60, hh = (t / 3600) % 24;
	unsigned long dd = t / 86400;
	if (dd)
		return snprintf(o, n, "%lu-%02u:%02u:%02u", dd, hh, mm, ss);
	return snprintf(o, n, "%02u:%02u:%02u", hh, mm, ss);
}

static int pr_time(char *o, size_t n, const struct proc *p)
{
	return hms(o, n, (unsigned long)((p->utime + p->stime) / (unsigned long long)hertz));
}

/* elapsed is the process's age in seconds. */
static unsigned long elapsed(const struct proc *p)
{
	double e = uptime_secs - (double)p->start / (double)hertz;
	return e > 0 ? (unsigned long)e : 0;
}

static int pr_etime(char *o, size_t n, const struct proc *p)
{
	unsigned long t = elapsed(p);
	unsigned ss = t % 60, mm = (t / 60) % 60, hh = (t / 3600) % 24;
	unsigned long dd = t / 86400;
	if (dd)
		return snprintf(o, n, "%lu-%02u:%02u:%02u", dd, hh, mm, ss);
	if (hh)
		return snprintf(o, n, "%02u:%02u:%02u", hh, mm, ss);
	return snprintf(o, n, "%02u:%02u", mm, ss);
}

static int pr_c(char *o, size_t n, const struct proc *p)
{
	unsigned long long jiffies = (unsigned long long)elapsed(p) * (unsigned long long)hertz;
	unsigned pcpu = 0;
	if (jiffies)
		pcpu = (unsigned)((p->utime + p->stime) * 100ULL / jiffies);
	if (pcpu > 99)
		pcpu = 99;
	return snprintf(o, n, "%2u", pcpu);
}

/* pr_stime is when the process started: HH:MM today, MonDD this year,
 * else the year. */
static int pr_stime(char *o, size_t n, const struct proc *p)
{
	struct tm ours, theirs;
	time_t t = boot_time + (time_t)(p->start / (unsigned long long)hertz);
	if (!localtime_r(&now, &ours) || !localtime_r(&t, &theirs))
		return 0;
	const char *fmt = "%H:%M";
	if (ours.tm_yday != theirs.tm_yday)
		fmt = "%b%d";
	if (ours.tm_year != theirs.tm_year)
		fmt = "%Y";
	size_t len = strftime(o, n, fmt, &theirs);
	o[len] = 0;
	return (int)len;
}

static const struct spec specs[] = {
	{"pid", "PID", 5, RIGHT, 1, pr_pid},
	{"ppid", "PPID", 5, RIGHT, 1, pr_ppid},
	{"pgid", "PGID", 5, RIGHT, 1, pr_pgid},
	{"pgrp", "PGRP", 5, RIGHT, 1, pr_pgid},
	{"sid", "SID", 5, RIGHT, 1, pr_sid},
	{"uid", "UID", 5, RIGHT, 0, pr_uid},
	{"euid", "EUID", 5, RIGHT, 0, pr_uid},
	{"user", "USER", 8, USER, 0, pr_user},
	{"euser", "EUSER", 8, USER, 0, pr_user},
	{"uid_hack", "UID", 8, USER, 0, pr_user},
	{"comm", "COMMAND", 15, UNLIMITED, 0, pr_comm},
	{"ucmd", "CMD", 15, UNLIMITED, 0, pr_comm},
	{"ucomm", "COMMAND", 15, UNLIMITED, 0, pr_comm},
	{"args", "COMMAND", 27, UNLIMITED, 0, pr_args},
	{"cmd", "CMD", 27, UNLIMITED, 0, pr_args},
	{"command", "COMMAND", 27, UNLIMITED, 0, pr_args},
	{"tty", "TT", 8, LEFT, 0, pr_tty},
	{"tname", "TTY", 8, LEFT, 0, pr_tty},
	{"time", "TIME", 8, RIGHT, 0, pr_time},
	{"cputime", "TIME", 8, RIGHT, 0, pr_time},
	{"etime", "ELAPSED", 11, RIGHT, 0, pr_etime},
	{"stime", "STIME", 5, RIGHT, 0, pr_stime},
	{"start_time", "START", 5, RIGHT, 0, pr_stime},
	{"c", "C", 2, RIGHT, 0, pr_c},
	{"s", "S", 1, LEFT, 0, pr_state},
	{"state", "S", 1, LEFT, 0, pr_state},
	{"vsz", "VSZ", 6, RIGHT, 0, pr_vsz},
	{"rss", "RSS", 5, RIGHT, 0, pr_rss},
	{"nlwp", "NLWP", 4, RIGHT, 0, pr_nlwp},
};

/* pid_width is procps's: the digits of /proc/sys/kernel/pid_max, 5 if it
 * cannot be read. */
static int pid_width(void)
{
	static int w;
	if (!w) {
		char buf[32];
		ssize_t n = read_file("/proc/sys/kernel/pid_max", buf, sizeof buf);
		w = 5;
		if (n > 0) {
			w = (int)strcspn(buf, "\n");
			if (w == 0)
				w = 5;
		}
	}
	return w;
}

/* add_col adds the column key (keylen bytes), with the header head (NULL:
 * the usual one) and the width width (0: the usual one). */
static int add_col(const char *key, size_t keylen, const char *head, int width)
{
	for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
		const struct spec *s = &specs[i];
		if (strlen(s->key) != keylen || strncmp(s->key, key, keylen) != 0)
			continue;
		if (ncols == (int)(sizeof cols / sizeof cols[0]))
			return -1;
		struct col *c = &cols[ncols++];
		c->spec = s;
		c->head = strdup(head ? head : s->head);
		int w = s->width, hw = (int)strlen(c->head);
		if (s->pidmax) {
			w = pid_width();
			if (strlen(s->head) > (size_t)w)
				w = (int)strlen(s->head);
		}
		if (head && hw > w)
			w = hw;
		c->width = width > 0 ? width : w;
		return 0;
	}
	return -1;
}

/* parse_format adds the columns of one -o argument: items separated by
 * blanks or commas, each name[=header][:width]. */
static int parse_format(const char *arg)
{
	char *copy = strdup(arg), *save = NULL;
	if (!copy)
		return -1;
	int items = 0;
	for (char *t = strtok_r(copy, " ,\t\n", &save); t; t = strtok_r(NULL, " ,\t\n", &save)) {
		char *head = strchr(t, '=');
		if (head)
			*head++ = 0;
		char *width = strchr(t, ':');
		int w = 0;
		if (width) {
			*width++ = 0;
			char *end;
			long v = strtol(width, &end, 10);
			if (*end || v <= 0 || v > 4096 || *width == '0') {
				fprintf(stderr, "error: column widths must be unsigned decimal numbers\n");
				free(copy);
				return -1;
			}
			w = (int)v;
		}
		if (add_col(t, strlen(t), head, w) < 0) {
			fprintf(stderr, "error: unknown user-defined format specifier \"%s\"\n", t);
			free(copy);
			return -1;
		}
		items++;
	}
	free(copy);
	if (!items) {
		fprintf(stderr, "error: empty format list\n");
		return -1;
	}
	return 0;
}

/* ---- output ---- */

static int screen_cols;

/* show prints one row (p NULL: the header) as procps places it: a column
 * that is too wide pushes the next one right, taking its padding first. */
static void show(const struct proc *p)
{
	static char buf[128 * 1024 + 256];
	int correct = 0, actual = 0, dospace = 0;
	for (int i = 0; i < ncols; i++) {
		const struct col *c = &cols[i];
		int last = i == ncols - 1;
		int amount;
		if (p)
			amount = c->spec->pr(buf, sizeof buf, p);
		else
			amount = snprintf(buf, sizeof buf, "%s", c->head);
		if (amount < 0)
			amount = 0;
		if (amount >= (int)sizeof buf)
			amount = (int)sizeof buf - 1;
		int leftpad = 0;
		if (c->spec->just == RIGHT) {
			leftpad = c->width - amount;
			if (leftpad < 0)
				leftpad = 0;
		}
		if (c->spec->just == USER && p && !isalpha((unsigned char)buf[0]) && buf[0] != '_') {
			/* a number shown for a user is right-aligned */
			leftpad = c->width - amount;
			if (leftpad < 0)
				leftpad = 0;
		}
		if (c->spec->just == USER && p && amount > c->width) {
			buf[c->width - 1] = '+';
			buf[c->width] = 0;
			amount = c->width;
		}
		int space = correct - actual + leftpad;
		if (space < 1)
			space = dospace;
		if (space > 144)
			space = 144;
		if (p && !last && c->spec->just == UNLIMITED && amount > c->width) {
			/* only the last column may be wider than its width */
			amount = c->width;
			buf[amount] = 0;
		}
		if (last && screen_cols > 0) {
			int room = screen_cols - actual - space;
			if (room < 0)
				room = 0;
			if (amount > room) {
				amount = room;
				buf[amount] = 0;
			}
		}
		printf("%*s%s", space, "", buf);
		if (last)
			break;
		actual += space + amount;
		correct += c->width + 1;
		dospace = 1;
	}
	putchar('\n');
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

static void usage(void)
{
	fprintf(stderr, "\nUsage:\n %s [-e|-A] [-f] [-o format] [-p pidlist]\n", prog);
	exit(1);
}

static int parse_pids(const char *arg, int **list, int *n)
{
	char *copy = strdup(arg), *save = NULL;
	if (!copy)
		return -1;
	for (char *t = strtok_r(copy, ", \t", &save); t; t = strtok_r(NULL, ", \t", &save)) {
		char *end;
		long v = strtol(t, &end, 10);
		if (*end || v <= 0 || v > 0x7fffffff) {
			free(copy);
			return -1;
		}
		int *nl = realloc(*list, sizeof(int) * (size_t)(*n + 1));
		if (!nl) {
			free(copy);
			return -1;
		}
		*list = nl;
		(*list)[(*n)++] = (int)v;
	}
	free(copy);
	return 0;
}

int main(int argc, char **argv)
{
	prog = argv[0];
	int all = 0, *pids = NULL, npids = 0;
	const char *lc = getenv("LC_ALL");
	if (!lc || !*lc)
		lc = getenv("LC_CTYPE");
	if (!lc || !*lc)
		lc = getenv("LANG");
	utf8 = lc && (strstr(lc, "UTF-8") || strstr(lc, "utf8") || strstr(lc, "UTF8") || strstr(lc, "utf-8"));

	char **formats = calloc((size_t)argc + 1, sizeof *formats);
	int nformats = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] != '-' || !a[1]) {
			fprintf(stderr, "error: unsupported option (BSD syntax)\n");
			usage();
		}
		/* options cluster ("-ef"); -o and -p take the rest of the
		 * argument or the next one */
		for (const char *o = a + 1; *o; o++) {
			if (*o == 'e' || *o == 'A') {
				all = 1;
				continue;
			}
			if (*o == 'f') {
				f_option = 1;
				continue;
			}
			if (*o != 'o' && *o != 'p') {
				fprintf(stderr, "error: unsupported SysV option\n");
				usage();
			}
			const char *val = o[1] ? o + 1 : (i + 1 < argc ? argv[++i] : NULL);
			if (!val) {
				fprintf(stderr, "error: list of %s must follow -%c\n",
					*o == 'o' ? "format specifiers" : "process IDs", *o);
				usage();
			}
			if (*o == 'o')
				formats[nformats++] = (char *)val;
			else if (parse_pids(val, &pids, &npids) < 0) {
				fprintf(stderr, "error: process ID list syntax error\n");
				usage();
			}
			break;
		}
	}

	if (nformats) {
		for (int i = 0; i < nformats; i++)
			if (parse_format(formats[i]) < 0)
				usage();
	} else if (f_option) {
		static const char *const full[] = {"uid_hack", "pid", "ppid", "c", "stime", "tname", "time", "cmd"};
		for (size_t i = 0; i < sizeof full / sizeof full[0]; i++)
			add_col(full[i], strlen(full[i]), NULL, 0);
	} else {
		static const char *const dflt[] = {"pid", "tname", "time", "ucmd"};
		for (size_t i = 0; i < sizeof dflt / sizeof dflt[0]; i++)
			add_col(dflt[i], strlen(dflt[i]), NULL, 0);
	}

	long hz = sysconf(_SC_CLK_TCK);
	if (hz > 0)
		hertz = hz;
	now = time(NULL);
	char buf[8192];
	if (read_file("/proc/uptime", buf, sizeof buf) > 0)
		uptime_secs = strtod(buf, NULL);
	if (read_file("/proc/stat", buf, sizeof buf) > 0) {
		char *b = strstr(buf, "\nbtime ");
		if (b)
			boot_time = (time_t)strtoll(b + 7, NULL, 10);
	}
	if (!boot_time)
		boot_time = now - (time_t)uptime_secs;

	screen_cols = 0; /* unlimited unless output is a terminal */
	if (isatty(1))
		screen_cols = 80;
	const char *columns = getenv("COLUMNS");
	if (columns && *columns) {
		char *end;
		long v = strtol(columns, &end, 0);
		if (!*end && v > 0 && v < 128 * 1024)
			screen_cols = (int)v;
	}

	/* The default selection: the caller's effective user on the caller's
	 * terminal. */
	struct proc self;
	int self_ok = read_proc((int)getpid(), &self) == 0;
	unsigned my_euid = (unsigned)geteuid();

	DIR *d = opendir("/proc");
	if (!d) {
		fprintf(stderr, "%s: /proc: %s\n", prog, strerror(errno));
		return 1;
	}
	int *list = NULL, n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		char *end;
		long v = strtol(de->d_name, &end, 10);
		if (*end || v <= 0 || !isdigit((unsigned char)de->d_name[0]))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			int *nl = realloc(list, sizeof(int) * (size_t)cap);
			if (!nl)
				return 1;
			list = nl;
		}
		list[n++] = (int)v;
	}
	closedir(d);
	qsort(list, (size_t)n, sizeof(int), cmp_int);

	int header = 0;
	for (int i = 0; i < ncols; i++)
		if (cols[i].head[0])
			header = 1;
	if (header)
		show(NULL);
	int shown = 0;
	for (int i = 0; i < n; i++) {
		struct proc p;
		if (read_proc(list[i], &p) < 0)
			continue;
		int want;
		if (all)
			want = 1;
		else if (npids) {
			want = 0;
			for (int j = 0; j < npids; j++)
				if (pids[j] == p.pid)
					want = 1;
		} else
			want = p.euid_ok && p.euid == my_euid && self_ok && p.tty == self.tty;
		if (want) {
			show(&p);
			shown++;
		}
		free(p.args);
	}
	fflush(stdout);
	return shown ? 0 : 1;
}
