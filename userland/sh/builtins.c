/* builtins.c: commands run inside the shell. Special builtins (POSIX XCU
 * 2.14) come before functions in command lookup; the others after. */
#include "sh.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int wait_builtin(int argc, char **argv);
int exec_builtin(int argc, char **argv);
int loop_levels(void);
void path_forget(void);

static int parse_num(const char *cmd, const char *s, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (!*s || *end || errno) {
		sh_error("%s: Illegal number: %s", cmd, s);
		return -1;
	}
	*out = v;
	return 0;
}

static int b_true(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static int b_false(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return 1;
}

/* echo with GNU coreutils semantics: -n, -e, -E */
static int b_echo(int argc, char **argv)
{
	int nl = 1, esc = 0, i = 1;
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] != '-' || !a[1] || strspn(a + 1, "neE") != strlen(a + 1))
			break;
		for (a++; *a; a++) {
			if (*a == 'n')
				nl = 0;
			else if (*a == 'e')
				esc = 1;
			else
				esc = 0;
		}
	}
	for (int first = 1; i < argc; i++, first = 0) {
		if (!first)
			putchar(' ');
		const char *s = argv[i];
		if (!esc) {
			fputs(s, stdout);
			continue;
		}
		for (; *s; s++) {
			if (*s != '\\' || !s[1]) {
				putchar(*s);
				continue;
			}
			s++;
			switch (*s) {
			case 'a': putchar('\a'); break;
			case 'b': putchar('\b'); break;
			case 'c': fflush(stdout); return 0;
			case 'e': putchar(27); break;
			case 'f': putchar('\f'); break;
			case 'n': putchar('\n'); break;
			case 'r': putchar('\r'); break;
			case 't': putchar('\t'); break;
			case 'v': putchar('\v'); break;
			case '\\': putchar('\\'); break;
			case '0': {
				int v = 0, k = 0;
				while (k < 3 && s[1] >= '0' && s[1] <= '7') {
					v = v * 8 + (*++s - '0');
					k++;
				}
				putchar(v);
				break;
			}
			case 'x': {
				int v = 0, k = 0;
				while (k < 2 && ((s[1] >= '0' && s[1] <= '9') || ((s[1] | 32) >= 'a' && (s[1] | 32) <= 'f'))) {
					char c = *++s;
					v = v * 16 + (c <= '9' ? c - '0' : (c | 32) - 'a' + 10);
					k++;
				}
				if (k == 0) {
					putchar('\\');
					putchar('x');
				} else {
					putchar(v);
				}
				break;
			}
			default:
				putchar('\\');
				putchar(*s);
			}
		}
	}
	if (nl)
		putchar('\n');
	return fflush(stdout) == 0 ? 0 : 1;
}

static int b_cd(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : var_get("HOME");
	int print = 0;
	if (argc > 1 && strcmp(dir, "-") == 0) {
		dir = var_get("OLDPWD");
		print = 1;
	}
	if (!dir || !*dir) {
		if (argc > 1)
			return 0;
		sh_error("cd: HOME not set");
		return 2;
	}
	if (chdir(dir) != 0) {
		sh_error("cd: can't cd to %s", dir);
		return 2;
	}
	char buf[4096];
	const char *old = var_get("PWD");
	char *oldcopy = old ? xstrdup(old) : NULL;
	if (getcwd(buf, sizeof buf)) {
		if (oldcopy)
			var_set("OLDPWD", oldcopy, 0);
		var_set("PWD", buf, 0);
		if (print)
			printf("%s\n", buf);
	}
	free(oldcopy);
	return 0;
}

static int b_pwd(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	char buf[4096];
	if (!getcwd(buf, sizeof buf)) {
		sh_error("pwd: %s", strerror(errno));
		return 2;
	}
	printf("%s\n", buf);
	return 0;
}

static int b_exit(int argc, char **argv)
{
	long n = last_status;
	if (argc > 1 && parse_num("exit", argv[1], &n) < 0)
		n = 2;
	last_status = (int)(n & 0xff);
	pending = P_EXIT;
	return last_status;
}

static int b_return(int argc, char **argv)
{
	long n = last_status;
	if (argc > 1 && parse_num("return", argv[1], &n) < 0)
		n = 2;
	last_status = (int)(n & 0xff);
	pending = P_RETURN;
	return last_status;
}

static int loopctl(int argc, char **argv, int what)
{
	long n = 1;
	if (argc > 1 && (parse_num(argv[0], argv[1], &n) < 0 || n < 1)) {
		if (n < 1)
			sh_error("%s: Illegal number: %s", argv[0], argv[1]);
		return 2;
	}
	if (loop_levels() == 0)
		return 0;
	if (n > loop_levels())
		n = loop_levels();
	pending = what;
	pending_n = (int)n;
	return 0;
}

static int b_break(int argc, char **argv)
{
	return loopctl(argc, argv, P_BREAK);
}

static int b_continue(int argc, char **argv)
{
	return loopctl(argc, argv, P_CONTINUE);
}

static int b_export(int argc, char **argv)
{
	int flags = strcmp(argv[0], "readonly") == 0 ? V_READONLY : V_EXPORT;
	int i = 1;
	if (i < argc && strcmp(argv[i], "-p") == 0)
		i++;
	if (i >= argc) {
		if (flags == V_EXPORT)
			var_print_exports();
		return 0;
	}
	int status = 0;
	for (; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		char *name = eq ? xstrndup(argv[i], eq - argv[i]) : xstrdup(argv[i]);
		if (!is_name(name, strlen(name))) {
			sh_error("%s: %s: bad variable name", argv[0], name);
			free(name);
			pending = P_EXIT;
			last_status = 2;
			return 2;
		}
		if (eq) {
			if (var_set(name, eq + 1, flags) < 0)
				status = 2;
		} else if (flags == V_EXPORT) {
			var_export(name);
		} else {
			var_set(name, var_get(name), flags);
		}
		if (strcmp(name, "PATH") == 0)
			path_forget();
		free(name);
	}
	return status;
}

static int b_unset(int argc, char **argv)
{
	int i = 1, status = 0;
	if (i < argc && (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "-f") == 0))
		i++;
	for (; i < argc; i++)
		if (var_unset(argv[i]) < 0)
			status = 2;
	return status;
}

static int b_set(int argc, char **argv)
{
	int i = 1;
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0) {
			i++;
			pos_set(argv + i, argc - i);
			return 0;
		}
		if ((a[0] != '-' && a[0] != '+') || !a[1])
			break;
		int on = a[0] == '-';
		for (a++; *a; a++) {
			switch (*a) {
			case 'e': opt_errexit = on; break;
			case 'x': opt_xtrace = on; break;
			case 'f': opt_noglob = on; break;
			case 'u': opt_nounset = on; break;
			default:
				sh_error("set: Illegal option -%c", *a);
				pending = P_EXIT;
				last_status = 2;
				return 2;
			}
		}
	}
	if (i < argc)
		pos_set(argv + i, argc - i);
	return 0;
}

static int b_shift(int argc, char **argv)
{
	long n = 1;
	if (argc > 1 && parse_num("shift", argv[1], &n) < 0)
		return 2;
	if (n > posc || n < 0) {
		sh_error("shift: can't shift that many");
		pending = P_EXIT;
		last_status = 2;
		return 2;
	}
	pos_set(posv + n, posc - (int)n);
	return 0;
}

static char *join(int argc, char **argv, int from)
{
	size_t len = 1;
	for (int i = from; i < argc; i++)
		len += strlen(argv[i]) + 1;
	char *s = xmalloc(len), *p = s;
	*p = 0;
	for (int i = from; i < argc; i++) {
		if (i > from)
			*p++ = ' ';
		strcpy(p, argv[i]);
		p += strlen(p);
	}
	return s;
}

static int b_eval(int argc, char **argv)
{
	char *s = join(argc, argv, 1);
	int line = cur_line;
	last_status = 0;
	int st = run_string(s, "eval");
	cur_line = line;
	free(s);
	return st;
}

char *read_file(const char *path, size_t *len);

static int b_dot(int argc, char **argv)
{
	if (argc < 2)
		return 0;
	size_t len;
	char *src = read_file(argv[1], &len);
	if (!src) {
		sh_error(".: cannot open %s: No such file", argv[1]);
		pending = P_EXIT;
		last_status = 2;
		return 2;
	}
	int line = cur_line;
	cur_line = 1;
	int st = run_string(src, argv[1]);
	cur_line = line;
	free(src);
	return st;
}

/* ---- test / [ ---- */

struct tst {
	int argc, i;
	char **argv;
	int err;
};

static int tnum(struct tst *t, const char *s, long *v)
{
	const char *p = s;
	while (*p == ' ' || *p == '\t')
		p++;
	char *end;
	errno = 0;
	*v = strtol(p, &end, 10);
	while (*end == ' ' || *end == '\t')
		end++;
	if (!*p || *end || errno) {
		sh_error("%s: Illegal number: %s", t->argv[0], s);
		t->err = 1;
		return -1;
	}
	return 0;
}

static int is_binop(const char *s)
{
	static const char *const ops[] = {"=", "!=", "-eq", "-ne", "-lt", "-le", "-gt", "-ge", "-nt", "-ot", "-ef", NULL};
	for (int i = 0; ops[i]; i++)
		if (strcmp(s, ops[i]) == 0)
			return 1;
	return 0;
}

static int binop(struct tst *t, const char *a, const char *op, const char *b)
{
	if (strcmp(op, "=") == 0)
		return strcmp(a, b) == 0;
	if (strcmp(op, "!=") == 0)
		return strcmp(a, b) != 0;
	if (op[1] == 'n' || op[1] == 'o' || (op[1] == 'e' && op[2] == 'f')) {
		struct stat sa, sb;
		int ha = stat(a, &sa) == 0, hb = stat(b, &sb) == 0;
		if (strcmp(op, "-ef") == 0)
			return ha && hb && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
		long ta = ha ? (long)sa.st_mtime : 0, tb = hb ? (long)sb.st_mtime : 0;
		if (strcmp(op, "-nt") == 0)
			return ha && (!hb || ta > tb);
		return hb && (!ha || ta < tb);
	}
	long x, y;
	if (tnum(t, a, &x) < 0 || tnum(t, b, &y) < 0)
		return 0;
	if (strcmp(op, "-eq") == 0)
		return x == y;
	if (strcmp(op, "-ne") == 0)
		return x != y;
	if (strcmp(op, "-lt") == 0)
		return x < y;
	if (strcmp(op, "-le") == 0)
		return x <= y;
	if (strcmp(op, "-gt") == 0)
		return x > y;
	return x >= y;
}

static int unop(struct tst *t, const char *op, const char *a)
{
	struct stat st;
	switch (op[1]) {
	case 'n': return *a != 0;
	case 'z': return *a == 0;
	case 'e': return stat(a, &st) == 0;
	case 'f': return stat(a, &st) == 0 && S_ISREG(st.st_mode);
	case 'd': return stat(a, &st) == 0 && S_ISDIR(st.st_mode);
	case 's': return stat(a, &st) == 0 && st.st_size > 0;
	case 'r': return access(a, R_OK) == 0;
	case 'w': return access(a, W_OK) == 0;
	case 'x': return access(a, X_OK) == 0;
	case 'L':
	case 'h': return lstat(a, &st) == 0 && S_ISLNK(st.st_mode);
	case 'p': return stat(a, &st) == 0 && S_ISFIFO(st.st_mode);
	case 'S': return stat(a, &st) == 0 && S_ISSOCK(st.st_mode);
	case 'b': return stat(a, &st) == 0 && S_ISBLK(st.st_mode);
	case 'c': return stat(a, &st) == 0 && S_ISCHR(st.st_mode);
	case 't': {
		long fd;
		if (tnum(t, a, &fd) < 0)
			return 0;
		return isatty((int)fd);
	}
	}
	return 0;
}

static int is_unop(const char *s)
{
	return s[0] == '-' && s[1] && !s[2] && strchr("nzefdsrwxLhpSbct", s[1]);
}

static int t_or(struct tst *t);

static int t_primary(struct tst *t)
{
	int left = t->argc - t->i;
	if (left <= 0) {
		sh_error("%s: argument expected", t->argv[0]);
		t->err = 1;
		return 0;
	}
	char **a = t->argv + t->i;
	if (strcmp(a[0], "!") == 0 && !(left >= 3 && is_binop(a[1]))) {
		t->i++;
		return !t_primary(t);
	}
	if (strcmp(a[0], "(") == 0 && !(left >= 3 && is_binop(a[1]))) {
		t->i++;
		int v = t_or(t);
		if (t->i >= t->argc || strcmp(t->argv[t->i], ")") != 0) {
			sh_error("%s: closing paren expected", t->argv[0]);
			t->err = 1;
			return 0;
		}
		t->i++;
		return v;
	}
	if (left >= 3 && is_binop(a[1])) {
		t->i += 3;
		return binop(t, a[0], a[1], a[2]);
	}
	if (left >= 2 && is_unop(a[0])) {
		t->i += 2;
		return unop(t, a[0], a[1]);
	}
	t->i++;
	return *a[0] != 0;
}

static int t_and(struct tst *t)
{
	int v = t_primary(t);
	while (t->i < t->argc && strcmp(t->argv[t->i], "-a") == 0) {
		t->i++;
		int r = t_primary(t);
		v = v && r;
	}
	return v;
}

static int t_or(struct tst *t)
{
	int v = t_and(t);
	while (t->i < t->argc && strcmp(t->argv[t->i], "-o") == 0) {
		t->i++;
		int r = t_and(t);
		v = v || r;
	}
	return v;
}

static int b_test(int argc, char **argv)
{
	if (strcmp(argv[0], "[") == 0) {
		if (strcmp(argv[argc - 1], "]") != 0) {
			sh_error("[: missing ]");
			return 2;
		}
		argc--;
	}
	struct tst t = {argc, 1, argv, 0};
	if (argc == 1)
		return 1;
	int v = t_or(&t);
	if (!t.err && t.i < t.argc) {
		sh_error("%s: %s: unexpected operator", argv[0], argv[t.i]);
		return 2;
	}
	return t.err ? 2 : !v;
}

/* read [-r] [name...]: one byte at a time, so the rest of the input is left
 * for whoever reads next. */
static int b_read(int argc, char **argv)
{
	int raw = 0, i = 1;
	if (i < argc && strcmp(argv[i], "-r") == 0) {
		raw = 1;
		i++;
	}
	size_t n = 0, cap = 64;
	char *line = xmalloc(cap);
	unsigned char *lit = xmalloc(cap); /* escaped by a backslash */
	int eof = 0;
	for (;;) {
		char c;
		ssize_t r = read(0, &c, 1);
		if (r <= 0) {
			eof = 1;
			break;
		}
		if (c == '\n')
			break;
		int l = 0;
		if (c == '\\' && !raw) {
			r = read(0, &c, 1);
			if (r <= 0) {
				eof = 1;
				break;
			}
			if (c == '\n')
				continue;
			l = 1;
		}
		if (n + 2 > cap) {
			cap *= 2;
			line = xrealloc(line, cap);
			lit = xrealloc(lit, cap);
		}
		lit[n] = (unsigned char)l;
		line[n++] = c;
	}
	line[n] = 0;
	const char *ifs = var_get("IFS");
	if (!ifs)
		ifs = " \t\n";
	char **names = argv + i;
	int nnames = argc - i;
	char *reply[] = {"REPLY"};
	if (nnames == 0) {
		names = reply;
		nnames = 1;
	}
	size_t p = 0;
#define ISWS(k) (!lit[k] && strchr(ifs, line[k]) && (line[k] == ' ' || line[k] == '\t' || line[k] == '\n'))
#define ISIFS(k) (!lit[k] && line[k] && strchr(ifs, line[k]))
	while (p < n && ISWS(p))
		p++;
	for (int k = 0; k < nnames; k++) {
		size_t s = p;
		if (k == nnames - 1) {
			size_t e = n;
			while (e > s && ISWS(e - 1))
				e--;
			char *v = xstrndup(line + s, e - s);
			var_set(names[k], v, 0);
			free(v);
			break;
		}
		while (p < n && !ISIFS(p))
			p++;
		char *v = xstrndup(line + s, p - s);
		var_set(names[k], v, 0);
		free(v);
		while (p < n && ISWS(p))
			p++;
		if (p < n && ISIFS(p)) {
			p++;
			while (p < n && ISWS(p))
				p++;
		}
	}
	free(line);
	free(lit);
	return eof ? 1 : 0;
}

static const struct {
	const char *name;
	builtin_fn fn;
	int special;
} builtins[] = {
	{":", b_true, 1},
	{".", b_dot, 1},
	{"break", b_break, 1},
	{"continue", b_continue, 1},
	{"eval", b_eval, 1},
	{"exec", exec_builtin, 1},
	{"exit", b_exit, 1},
	{"export", b_export, 1},
	{"readonly", b_export, 1},
	{"return", b_return, 1},
	{"set", b_set, 1},
	{"shift", b_shift, 1},
	{"unset", b_unset, 1},
	{"[", b_test, 0},
	{"cd", b_cd, 0},
	{"echo", b_echo, 0},
	{"false", b_false, 0},
	{"pwd", b_pwd, 0},
	{"read", b_read, 0},
	{"test", b_test, 0},
	{"true", b_true, 0},
	{"wait", wait_builtin, 0},
};

builtin_fn builtin_lookup(const char *name, int *special)
{
	for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
		if (strcmp(builtins[i].name, name) == 0) {
			*special = builtins[i].special;
			return builtins[i].fn;
		}
	return NULL;
}
