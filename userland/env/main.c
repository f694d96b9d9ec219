/* env [-i] [-u NAME] [NAME=VALUE]... [COMMAND [ARG]...]: print the
 * environment, or run COMMAND in a modified one. There is no fork in the
 * LibOS, so COMMAND is started with posix_spawnp and waited for; a child
 * killed by a signal kills env with the same signal. */
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
	const char *prog = argv[0];
	int i = 1;
	static char *empty[] = {NULL};
	for (; i < argc; i++) {
		char *a = argv[i];
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (strcmp(a, "-") == 0 || strcmp(a, "-i") == 0) {
			environ = empty;
			continue;
		}
		if (strncmp(a, "-u", 2) == 0) {
			const char *name = a[2] ? a + 2 : (i + 1 < argc ? argv[++i] : NULL);
			if (!name) {
				fprintf(stderr, "%s: option requires an argument -- 'u'\nTry '%s --help' for more information.\n", prog, prog);
				return 125;
			}
			unsetenv(name);
			continue;
		}
		if (a[0] == '-' && a[1]) {
			fprintf(stderr, "%s: invalid option -- '%c'\nTry '%s --help' for more information.\n", prog, a[1], prog);
			return 125;
		}
		break;
	}
	for (; i < argc && strchr(argv[i], '=') && argv[i][0] != '='; i++) {
		char *eq = strchr(argv[i], '=');
		*eq = 0;
		if (setenv(argv[i], eq + 1, 1) != 0) {
			*eq = '=';
			fprintf(stderr, "%s: cannot set '%s': %s\n", prog, argv[i], strerror(errno));
			return 125;
		}
	}
	if (i >= argc) {
		for (char **e = environ; e && *e; e++)
			puts(*e);
		return fflush(stdout) != 0;
	}
	fflush(stdout);
	pid_t pid;
	int rc = posix_spawnp(&pid, argv[i], NULL, NULL, argv + i, environ);
	if (rc != 0) {
		fprintf(stderr, "%s: '%s': %s\n", prog, argv[i], strerror(rc));
		return rc == ENOENT ? 127 : 126;
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 125;
	if (WIFSIGNALED(st)) {
		signal(WTERMSIG(st), SIG_DFL);
		kill(getpid(), WTERMSIG(st));
		return 128 + WTERMSIG(st);
	}
	return WEXITSTATUS(st);
}
