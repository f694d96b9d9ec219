/* system(): /bin/sh -c through posix_spawn, with POSIX's signal handling:
 * SIGCHLD blocked and SIGINT/SIGQUIT ignored in the caller while it waits,
 * the child starting with the caller's mask and those two at default. */
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "internal.h"

int system(const char *cmd)
{
	if (!cmd)
		return 1; /* there is a shell */

	struct sigaction ign, oldint, oldquit;
	sigset_t block, oldmask, def;
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &oldmask);
	sigaction(SIGINT, &ign, &oldint);
	sigaction(SIGQUIT, &ign, &oldquit);

	sigemptyset(&def);
	if (oldint.sa_handler != SIG_IGN)
		sigaddset(&def, SIGINT);
	if (oldquit.sa_handler != SIG_IGN)
		sigaddset(&def, SIGQUIT);
	posix_spawnattr_t attr;
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &oldmask);
	posix_spawnattr_setsigdefault(&attr, &def);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

	char *argv[] = {"sh", "-c", (char *)cmd, NULL};
	pid_t pid;
	int status = 0x7f00; /* as if the shell exited 127 */
	int e = posix_spawn(&pid, "/bin/sh", NULL, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	if (e == 0) {
		while (waitpid(pid, &status, 0) < 0) {
			if (errno != EINTR) {
				status = -1;
				break;
			}
		}
	}

	sigaction(SIGINT, &oldint, NULL);
	sigaction(SIGQUIT, &oldquit, NULL);
	sigprocmask(SIG_SETMASK, &oldmask, NULL);
	if (e)
		errno = e;
	return status;
}
