/* waitid() on wait4. The LibOS reports exits only: WEXITED is required
 * (WSTOPPED and WCONTINUED are accepted and never report anything), and
 * WNOWAIT is not supported (EINVAL). */
#define _GNU_SOURCE
#include <string.h>
#include <sys/wait.h>

#include "internal.h"

int waitid(idtype_t type, id_t id, siginfo_t *info, int options)
{
	pid_t pid;
	switch (type) {
	case P_ALL: pid = -1; break;
	case P_PID:
		if ((pid_t)id <= 0)
			goto inval;
		pid = (pid_t)id;
		break;
	case P_PGID:
		if ((pid_t)id < 0)
			goto inval;
		pid = -(pid_t)id; /* 0: the caller's group, as Linux */
		break;
	default:
		goto inval;
	}
	if (!(options & WEXITED) || (options & WNOWAIT) ||
	    (options & ~(WEXITED | WSTOPPED | WCONTINUED | WNOHANG)))
		goto inval;

	int status = 0;
	pid_t got = wait4(pid, &status, options & WNOHANG, 0);
	if (got < 0)
		return -1;
	if (info) {
		memset(info, 0, sizeof *info);
		if (got > 0) {
			info->si_signo = SIGCHLD;
			info->si_pid = got;
			info->si_uid = 0;
			if (WIFEXITED(status)) {
				info->si_code = CLD_EXITED;
				info->si_status = WEXITSTATUS(status);
			} else {
				info->si_code = WCOREDUMP(status) ? CLD_DUMPED : CLD_KILLED;
				info->si_status = WTERMSIG(status);
			}
		}
	}
	return 0;
inval:
	errno = EINVAL;
	return -1;
}
