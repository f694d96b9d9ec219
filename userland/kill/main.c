/* kill [-s SIG | -SIG] pid... | kill -l [SIG] | kill -L: send a signal to
 * processes (negative pid: a process group), or list signal names. The
 * output formats follow procps-ng's kill, the one Debian installs. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

static const char *names[] = {
	NULL, "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1",
	"SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP",
	"TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "POLL", "PWR", "SYS",
};
#define NSIG_NAMES 32

static const char *prog;

/* a signal given by name (with or without SIG) or number; -1 if unknown */
static int signum(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);
	if (*s && !*end)
		return n >= 0 && n < 65 ? (int)n : -1;
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (int i = 1; i < NSIG_NAMES; i++)
		if (strcasecmp(s, names[i]) == 0)
			return i;
	if (strcasecmp(s, "IOT") == 0)
		return 6;
	if (strcasecmp(s, "IO") == 0)
		return 29;
	if (strcasecmp(s, "CLD") == 0)
		return 17;
	return -1;
}

static void usage(void)
{
	fprintf(stderr, "\nUsage:\n %s [options] <pid> [...]\n", prog);
}

static int list(const char *arg)
{
	if (arg) {
		int n = signum(arg);
		if (n < 0 || n >= NSIG_NAMES) {
			fprintf(stderr, "%s: unknown signal name %s\n", prog, arg);
			return 1;
		}
		char *end;
		strtol(arg, &end, 10);
		if (*end) /* a name: print its number */
			printf("%d\n", n);
		else
			printf("%s\n", names[n]);
		return 0;
	}
	for (int i = 1; i < NSIG_NAMES; i++)
		printf("%s%s", names[i], i % 16 == 0 || i == NSIG_NAMES - 1 ? "\n" : " ");
	return 0;
}

static int table(void)
{
	for (int i = 1; i < NSIG_NAMES; i++)
		if (i % 7 == 0)
			printf("%2d %s\n", i, names[i]);
		else
			printf("%2d %-8s%s", i, names[i], i == NSIG_NAMES - 1 ? "\n" : "");
	return 0;
}

int main(int argc, char **argv)
{
	prog = argv[0];
	int sig = SIGTERM, i = 1;
	if (i < argc && (strcmp(argv[i], "-l") == 0 || strcmp(argv[i], "--list") == 0))
		return list(i + 1 < argc ? argv[i + 1] : NULL);
	if (i < argc && (strcmp(argv[i], "-L") == 0 || strcmp(argv[i], "--table") == 0))
		return table();
	if (i < argc && (strcmp(argv[i], "-s") == 0 || strcmp(argv[i], "--signal") == 0)) {
		if (i + 1 >= argc) {
			usage();
			return 1;
		}
		sig = signum(argv[i + 1]);
		if (sig < 0) {
			fprintf(stderr, "%s: unknown signal name %s\n", prog, argv[i + 1]);
			return 1;
		}
		i += 2;
	} else if (i < argc && argv[i][0] == '-' && argv[i][1] && strcmp(argv[i], "--") != 0) {
		sig = signum(argv[i] + 1);
		if (sig < 0) {
			fprintf(stderr, "%s: unknown signal name %s\n", prog, argv[i] + 1);
			return 1;
		}
		i++;
	}
	if (i < argc && strcmp(argv[i], "--") == 0)
		i++;
	if (i >= argc) {
		usage();
		return 1;
	}
	int status = 0;
	for (; i < argc; i++) {
		char *end;
		long pid = strtol(argv[i], &end, 10);
		if (!*argv[i] || *end) {
			fprintf(stderr, "%s: failed to parse argument: '%s'\n", prog, argv[i]);
			status = 1;
			continue;
		}
		if (kill((pid_t)pid, sig) != 0) {
			fprintf(stderr, "%s: (%ld): %s\n", prog, pid, strerror(errno));
			status = 1;
		}
	}
	return status;
}
