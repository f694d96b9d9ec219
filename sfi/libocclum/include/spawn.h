/* libocclum: <spawn.h> (wasi-libc has none), on the LibOS's spawn.
 *
 * posix_spawn() starts a new LibOS process directly (there is no fork), so
 * it is the way to create processes. Like Linux, it runs "#!" scripts
 * through their interpreter. posix_spawnp() searches PATH (of the caller's
 * environment; /usr/local/bin:/bin:/usr/bin when unset).
 *
 * Attributes: POSIX_SPAWN_SETPGROUP, SETSIGMASK, SETSIGDEF, SETSID and
 * RESETIDS (a no-op: there is one user) are honoured. The scheduling
 * attributes (POSIX_SPAWN_SETSCHEDPARAM, SETSCHEDULER) are accepted and
 * ignored, and their get/set functions are not provided: the LibOS has no
 * scheduling policies (wasi-libc has no struct sched_param).
 * File actions: open, close, dup2, and the chdir/fchdir extensions. */
#ifndef _SPAWN_H
#define _SPAWN_H

#ifdef __cplusplus
extern "C" {
#endif

#include <features.h>

#define __NEED_mode_t
#define __NEED_pid_t
#define __NEED_sigset_t
#include <bits/alltypes.h>

#define POSIX_SPAWN_RESETIDS 0x01
#define POSIX_SPAWN_SETPGROUP 0x02
#define POSIX_SPAWN_SETSIGDEF 0x04
#define POSIX_SPAWN_SETSIGMASK 0x08
#define POSIX_SPAWN_SETSCHEDPARAM 0x10
#define POSIX_SPAWN_SETSCHEDULER 0x20
#define POSIX_SPAWN_USEVFORK 0x40
#define POSIX_SPAWN_SETSID 0x80

typedef struct {
	int __flags;
	pid_t __pgrp;
	sigset_t __def, __mask;
	int __prio, __pol;
	void *__fn;
	char __pad[64 - sizeof(void *)];
} posix_spawnattr_t;

typedef struct {
	int __allocated, __used;
	void *__actions;
	int __pad[16];
} posix_spawn_file_actions_t;

int posix_spawn(pid_t *__restrict, const char *__restrict,
	const posix_spawn_file_actions_t *, const posix_spawnattr_t *__restrict,
	char *const[], char *const[]);
int posix_spawnp(pid_t *__restrict, const char *__restrict,
	const posix_spawn_file_actions_t *, const posix_spawnattr_t *__restrict,
	char *const[], char *const[]);

int posix_spawnattr_init(posix_spawnattr_t *);
int posix_spawnattr_destroy(posix_spawnattr_t *);

int posix_spawnattr_setflags(posix_spawnattr_t *, short);
int posix_spawnattr_getflags(const posix_spawnattr_t *__restrict, short *__restrict);

int posix_spawnattr_setpgroup(posix_spawnattr_t *, pid_t);
int posix_spawnattr_getpgroup(const posix_spawnattr_t *__restrict, pid_t *__restrict);

int posix_spawnattr_setsigmask(posix_spawnattr_t *__restrict, const sigset_t *__restrict);
int posix_spawnattr_getsigmask(const posix_spawnattr_t *__restrict, sigset_t *__restrict);

int posix_spawnattr_setsigdefault(posix_spawnattr_t *__restrict, const sigset_t *__restrict);
int posix_spawnattr_getsigdefault(const posix_spawnattr_t *__restrict, sigset_t *__restrict);

int posix_spawn_file_actions_init(posix_spawn_file_actions_t *);
int posix_spawn_file_actions_destroy(posix_spawn_file_actions_t *);

int posix_spawn_file_actions_addopen(posix_spawn_file_actions_t *__restrict, int,
	const char *__restrict, int, mode_t);
int posix_spawn_file_actions_addclose(posix_spawn_file_actions_t *, int);
int posix_spawn_file_actions_adddup2(posix_spawn_file_actions_t *, int, int);

/* glibc and musl extensions (POSIX.1-2024 adds the unsuffixed names). */
int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *__restrict, const char *__restrict);
int posix_spawn_file_actions_addfchdir_np(posix_spawn_file_actions_t *, int);
int posix_spawn_file_actions_addchdir(posix_spawn_file_actions_t *__restrict, const char *__restrict);
int posix_spawn_file_actions_addfchdir(posix_spawn_file_actions_t *, int);

#ifdef __cplusplus
}
#endif

#endif
