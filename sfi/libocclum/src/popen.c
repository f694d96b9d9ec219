/* popen() and pclose(): /bin/sh -c through posix_spawn, over a pipe.
 *
 * As in glibc, the stream's descriptor is close-on-exec only with the "e"
 * mode flag, and children of later popen() calls do not inherit the streams
 * of earlier ones (POSIX). */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"

int __occlum_fcntl(int, int, ...);

struct entry {
	FILE *f;
	int fd;
	pid_t pid;
	struct entry *next;
};
static struct entry *streams;

FILE *popen(const char *cmd, const char *mode)
{
	int op; /* the parent's end: 0 reads, 1 writes */
	if (mode[0] == 'r')
		op = 0;
	else if (mode[0] == 'w')
		op = 1;
	else {
		errno = EINVAL;
		return NULL;
	}
	int target = 1 - op; /* the child's stdout (r) or stdin (w) */

	struct entry *ent = malloc(sizeof *ent);
	if (!ent) {
		errno = ENOMEM;
		return NULL;
	}
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		free(ent);
		return NULL;
	}
	FILE *f = fdopen(p[op], op ? "w" : "r");
	if (!f) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		free(ent);
		errno = e;
		return NULL;
	}

	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	int e = 0;
	for (struct entry *s = streams; s && !e; s = s->next)
		if (s->fd != target)
			e = posix_spawn_file_actions_addclose(&fa, s->fd);
	if (!e) {
		if (p[target] != target)
			e = posix_spawn_file_actions_adddup2(&fa, p[target], target);
		else if (__occlum_fcntl(target, F_SETFD, 0) < 0)
			e = errno; /* dup2 onto itself would keep FD_CLOEXEC */
	}
	pid_t pid;
	char *argv[] = {"sh", "-c", (char *)cmd, NULL};
	if (!e)
		e = posix_spawn(&pid, "/bin/sh", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(p[target]);
	if (e) {
		fclose(f);
		free(ent);
		errno = e;
		return NULL;
	}
	if (!strchr(mode, 'e'))
		__occlum_fcntl(p[op], F_SETFD, 0);

	ent->f = f;
	ent->fd = p[op];
	ent->pid = pid;
	ent->next = streams;
	streams = ent;
	return f;
}

int pclose(FILE *f)
{
	struct entry **pp = &streams, *ent;
	while ((ent = *pp) && ent->f != f)
		pp = &ent->next;
	if (!ent) {
		errno = ECHILD;
		return -1;
	}
	*pp = ent->next;
	pid_t pid = ent->pid;
	free(ent);
	fclose(f);
	int status;
	pid_t r;
	while ((r = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
		;
	return r < 0 ? -1 : status;
}
