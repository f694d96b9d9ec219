/* main.c: options, where the commands come from (-c, a script file, stdin),
 * and a minimal interactive loop when stdin is a terminal. */
#include "sh.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;
extern int sigpipe_default;
int quiet_errors;

char *read_file(const char *path, size_t *len)
{
	int fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	size_t n = 0, cap = 4096;
	char *s = xmalloc(cap);
	for (;;) {
		if (n + 1 >= cap) {
			cap *= 2;
			s = xrealloc(s, cap);
		}
		ssize_t r = read(fd, s + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	s[n] = 0;
	if (fd != 0)
		close(fd);
	*len = n;
	return s;
}

static void interactive_loop(void)
{
	size_t cap = 1024, n = 0;
	char *buf = xmalloc(cap);
	int line = 1;
	for (;;) {
		const char *ps = var_get(n ? "PS2" : "PS1");
		fputs(ps ? ps : (n ? "> " : "$ "), stderr);
		fflush(stderr);
		/* one line, byte by byte */
		int got = 0;
		for (;;) {
			char c;
			ssize_t r = read(0, &c, 1);
			if (r <= 0)
				break;
			got = 1;
			if (n + 2 >= cap) {
				cap *= 2;
				buf = xrealloc(buf, cap);
			}
			buf[n++] = c;
			if (c == '\n')
				break;
		}
		buf[n] = 0;
		if (!got && n == 0) {
			fputc('\n', stderr);
			return;
		}
		/* complete yet? parse quietly first */
		struct lexer lx;
		lex_init(&lx, buf, n, line);
		quiet_errors = 1;
		while (parse_command(&lx) && !lx.error)
			;
		quiet_errors = 0;
		free(lx.text);
		if (lx.error && lx.eof_error && got)
			continue;
		cur_line = line;
		run_string(buf, "stdin");
		if (pending == P_EXIT)
			return;
		pending = P_NONE;
		for (size_t i = 0; i < n; i++)
			if (buf[i] == '\n')
				line++;
		n = 0;
	}
}

int main(int argc, char **argv)
{
	arg0 = argv[0] ? argv[0] : "sh";
	if (strchr(arg0, '/'))
		shell_path = arg0;

	struct sigaction sa, old;
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, NULL, &old) == 0 && old.sa_handler == SIG_IGN)
		sigpipe_default = 0;
	sigaction(SIGPIPE, &sa, NULL);

	var_import(environ);
	char cwd[4096];
	if (getcwd(cwd, sizeof cwd))
		var_set("PWD", cwd, 0);

	const char *cmd = NULL;
	int i = 1, from_stdin = 0;
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if ((a[0] != '-' && a[0] != '+') || !a[1])
			break;
		int on = a[0] == '-';
		for (a++; *a; a++) {
			switch (*a) {
			case 'c': cmd = ""; break;
			case 's': from_stdin = 1; break;
			case 'e': opt_errexit = on; break;
			case 'x': opt_xtrace = on; break;
			case 'f': opt_noglob = on; break;
			case 'u': opt_nounset = on; break;
			case 'i': break;
			default:
				fprintf(stderr, "%s: 0: Illegal option -%c\n", arg0, *a);
				return 2;
			}
		}
	}
	char *src = NULL;
	size_t len = 0;
	if (cmd) {
		if (i >= argc) {
			fprintf(stderr, "%s: 0: -c requires an argument\n", arg0);
			return 2;
		}
		src = xstrdup(argv[i++]);
		if (i < argc)
			arg0 = argv[i++];
	} else if (!from_stdin && i < argc) {
		src = read_file(argv[i], &len);
		if (!src) {
			fprintf(stderr, "%s: 0: cannot open %s: No such file\n", arg0, argv[i]);
			return 2;
		}
		arg0 = argv[i++];
	}
	pos_set(argv + i, argc - i);
	if (!src) {
		if (isatty(0)) {
			interactive = 1;
			interactive_loop();
			sh_exit(last_status);
		}
		src = read_file("-", &len);
		if (!src)
			src = xstrdup("");
	}
	cur_line = 1;
	run_string(src, arg0);
	sh_exit(last_status);
	return 0;
}
