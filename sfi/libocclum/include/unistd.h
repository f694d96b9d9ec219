/* libocclum: wasi-libc's <unistd.h> plus the process, descriptor, cwd and
 * identity calls of the LibOS.
 *
 * wasi-libc declares getpid() deprecated (it has no processes); the macro
 * below hides that declaration so the one here is clean. */
#define getpid __occlum_hidden_wasi_getpid
#include_next <unistd.h>
#undef getpid

#ifndef __occlum_unistd_h
#define __occlum_unistd_h

#ifdef __cplusplus
extern "C" {
#endif

int pipe(int[2]);
int pipe2(int[2], int);
int dup(int);
int dup2(int, int);
int dup3(int, int, int);

/* O_CLOEXEC support (see <fcntl.h>); also declared here because
 * wasi-libc's <unistd.h> declares openat. */
int openat(int, const char *, int, ...) __asm__("__occlum_openat");

int fchdir(int);
int pause(void);

/* Every mount's changes durable: sefs layers commit (see docs/abi.md). */
void sync(void);
int syncfs(int);

/* There is no fork: a LibOS process is a WebAssembly instance, whose memory
 * cannot be duplicated into a new one. fork() and vfork() exist so that
 * programs which mention them link; they fail with ENOSYS. Use
 * posix_spawn() (<spawn.h>). */
pid_t fork(void);
pid_t vfork(void);

int execve(const char *, char *const[], char *const[]);
int execv(const char *, char *const[]);
int execle(const char *, const char *, ...);
int execl(const char *, const char *, ...);
int execvp(const char *, char *const[]);
int execlp(const char *, const char *, ...);
int fexecve(int, char *const[], char *const[]);

pid_t getpid(void);
pid_t getppid(void);
pid_t getpgrp(void);
pid_t getpgid(pid_t);
int setpgid(pid_t, pid_t);
pid_t setpgrp(void);

uid_t getuid(void);
uid_t geteuid(void);
gid_t getgid(void);
gid_t getegid(void);
int getgroups(int, gid_t[]);
int setuid(uid_t);
int seteuid(uid_t);
int setgid(gid_t);
int setegid(gid_t);
int setreuid(uid_t, uid_t);
int setregid(gid_t, gid_t);
int chown(const char *, uid_t, gid_t);
int fchown(int, uid_t, gid_t);
int lchown(const char *, uid_t, gid_t);
int fchownat(int, const char *, uid_t, gid_t, int);

#ifdef _GNU_SOURCE
int execvpe(const char *, char *const[], char *const[]);
char *get_current_dir_name(void);
int getresuid(uid_t *, uid_t *, uid_t *);
int getresgid(gid_t *, gid_t *, gid_t *);
#endif

#ifdef __cplusplus
}
#endif

#endif
