/* libocclum internals: the `occlum` imports (docs/abi.md, "occlum") and the
 * helpers shared by the implementation files.
 *
 * Every source file is one archive member. A member only imports the
 * `occlum` functions it calls, and wasm-ld only links the members a program
 * needs, so a program imports exactly the LibOS functions it uses. */
#ifndef OCCLUM_INTERNAL_H
#define OCCLUM_INTERNAL_H

#ifndef __wasm32__
#error "libocclum is built for wasm32-wasi only"
#endif

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <spawn.h>

#define OCCLUM_IMPORT(name) \
	__attribute__((__import_module__("occlum"), __import_name__(#name)))

/* ---- ABI structures ---- */

/* A string of an argv/envp array: not NUL-terminated on the wire. */
struct occlum_str {
	const char *ptr;
	uint32_t len;
};
_Static_assert(sizeof(struct occlum_str) == 8, "occlum_str");

enum {
	OCCLUM_FA_OPEN = 1,
	OCCLUM_FA_CLOSE = 2,
	OCCLUM_FA_DUP2 = 3,
	OCCLUM_FA_CHDIR = 4,
	OCCLUM_FA_FCHDIR = 5,
};

struct occlum_file_action {
	uint32_t op;
	int32_t fd;
	int32_t newfd;
	uint32_t oflags; /* Linux O_* */
	uint32_t mode;
	const char *path; /* NUL-terminated here, for our own use; len below */
	uint32_t path_len;
	uint32_t reserved;
};
_Static_assert(sizeof(struct occlum_file_action) == 32, "file_action");
_Static_assert(offsetof(struct occlum_file_action, path) == 20, "file_action.path");

struct occlum_spawn_attr {
	uint32_t flags;
	int32_t pgroup;
	uint64_t sigdefault;
	uint64_t sigmask;
	uint64_t reserved;
};
_Static_assert(sizeof(struct occlum_spawn_attr) == 32, "spawn_attr");
_Static_assert(offsetof(struct occlum_spawn_attr, sigdefault) == 8, "spawn_attr.sigdefault");

#define OCCLUM_SPAWN_ABI_FLAGS                                        \
	(POSIX_SPAWN_RESETIDS | POSIX_SPAWN_SETPGROUP |               \
	 POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSID)

struct occlum_sigaction {
	uint32_t handler; /* 0 SIG_DFL, 1 SIG_IGN, else a table index */
	uint32_t flags;
	uint64_t mask;
	uint64_t reserved;
};
_Static_assert(sizeof(struct occlum_sigaction) == 24, "sigaction");

#define OCCLUM_SA_ABI_FLAGS (SA_RESTART | SA_NODEFER | SA_RESETHAND)

struct occlum_rlimit {
	uint64_t cur;
	uint64_t max;
};

struct occlum_sysinfo {
	uint64_t uptime;
	uint64_t loads[3];
	uint64_t totalram;
	uint64_t freeram;
	uint64_t sharedram;
	uint64_t bufferram;
	uint64_t totalswap;
	uint64_t freeswap;
	uint32_t procs;
	uint32_t mem_unit;
};
_Static_assert(sizeof(struct occlum_sysinfo) == 88, "sysinfo");

/* ---- the imports ---- */

OCCLUM_IMPORT(spawn)
int32_t __occlum_sys_spawn(const char *path, uint32_t path_len,
	const struct occlum_str *argv, uint32_t argc,
	const struct occlum_str *envp, uint32_t envc,
	const struct occlum_file_action *actions, uint32_t nactions,
	const struct occlum_spawn_attr *attr, int32_t *result_pid);
OCCLUM_IMPORT(execve)
int32_t __occlum_sys_execve(const char *path, uint32_t path_len,
	const struct occlum_str *argv, uint32_t argc,
	const struct occlum_str *envp, uint32_t envc);
OCCLUM_IMPORT(wait4)
int32_t __occlum_sys_wait4(int32_t pid, int32_t options, int32_t *result_status, int32_t *result_pid);
OCCLUM_IMPORT(getpid) int32_t __occlum_sys_getpid(int32_t *result_pid);
OCCLUM_IMPORT(getppid) int32_t __occlum_sys_getppid(int32_t *result_pid);
OCCLUM_IMPORT(getpgid) int32_t __occlum_sys_getpgid(int32_t pid, int32_t *result_pgid);
OCCLUM_IMPORT(setpgid) int32_t __occlum_sys_setpgid(int32_t pid, int32_t pgid);
OCCLUM_IMPORT(kill) int32_t __occlum_sys_kill(int32_t pid, int32_t sig);

OCCLUM_IMPORT(sigaction)
int32_t __occlum_sys_sigaction(int32_t sig, const struct occlum_sigaction *act, struct occlum_sigaction *result_oldact);
OCCLUM_IMPORT(sigprocmask)
int32_t __occlum_sys_sigprocmask(int32_t how, const uint64_t *set, uint64_t *result_oldset);
OCCLUM_IMPORT(sigpending) int32_t __occlum_sys_sigpending(uint64_t *result_set);
OCCLUM_IMPORT(sigsuspend) int32_t __occlum_sys_sigsuspend(const uint64_t *set);

OCCLUM_IMPORT(pipe2) int32_t __occlum_sys_pipe2(int32_t *result_fds, uint32_t flags);
OCCLUM_IMPORT(dup) int32_t __occlum_sys_dup(int32_t fd, int32_t *result_fd);
OCCLUM_IMPORT(dup2) int32_t __occlum_sys_dup2(int32_t fd, int32_t newfd);
OCCLUM_IMPORT(dup3) int32_t __occlum_sys_dup3(int32_t fd, int32_t newfd, uint32_t flags);
OCCLUM_IMPORT(fcntl)
int32_t __occlum_sys_fcntl(int32_t fd, int32_t cmd, int32_t arg, int32_t *result_value);
OCCLUM_IMPORT(flock) int32_t __occlum_sys_flock(int32_t fd, uint32_t operation);
OCCLUM_IMPORT(unwind) int32_t __occlum_sys_unwind(void);

OCCLUM_IMPORT(sync) int32_t __occlum_sys_sync(int32_t fd);

OCCLUM_IMPORT(chdir) int32_t __occlum_sys_chdir(const char *path, uint32_t path_len);
OCCLUM_IMPORT(fchdir) int32_t __occlum_sys_fchdir(int32_t fd);
OCCLUM_IMPORT(getcwd) int32_t __occlum_sys_getcwd(char *buf, uint32_t buf_len, uint32_t *result_len);
OCCLUM_IMPORT(umask) int32_t __occlum_sys_umask(uint32_t mask, uint32_t *result_old);
OCCLUM_IMPORT(chown) int32_t __occlum_sys_chown(int32_t fd, uint32_t flags, const char *path, uint32_t path_len, uint32_t uid, uint32_t gid);
OCCLUM_IMPORT(chmod) int32_t __occlum_sys_chmod(int32_t fd, uint32_t flags, const char *path, uint32_t path_len, uint32_t mode);

/* __occlum_creation_mode gives a file just made by open (fd >= 0) or a
 * directory just made by mkdirat (fd < 0: dirfd and path name it) the
 * mode asked for, less the umask: the LibOS makes them 0666 or 0777 less
 * the umask, as WASI's calls carry no mode (src/chmod.c). */
void __occlum_creation_mode(int fd, int dirfd, const char *path, unsigned mode);
OCCLUM_IMPORT(getuid) int32_t __occlum_sys_getuid(uint32_t *result_id);
OCCLUM_IMPORT(geteuid) int32_t __occlum_sys_geteuid(uint32_t *result_id);
OCCLUM_IMPORT(getgid) int32_t __occlum_sys_getgid(uint32_t *result_id);
OCCLUM_IMPORT(getegid) int32_t __occlum_sys_getegid(uint32_t *result_id);
OCCLUM_IMPORT(uname) int32_t __occlum_sys_uname(void *buf);
OCCLUM_IMPORT(sysinfo) int32_t __occlum_sys_sysinfo(struct occlum_sysinfo *buf);
OCCLUM_IMPORT(getrlimit)
int32_t __occlum_sys_getrlimit(int32_t resource, struct occlum_rlimit *result_rlimit);
OCCLUM_IMPORT(setrlimit)
int32_t __occlum_sys_setrlimit(int32_t resource, const struct occlum_rlimit *rlimit);
OCCLUM_IMPORT(prlimit)
int32_t __occlum_sys_prlimit(int32_t pid, int32_t resource, const struct occlum_rlimit *new_limit, struct occlum_rlimit *result_old);

/* Sockets (docs/abi.md, "Sockets"). Addresses, struct msghdr, struct
 * pollfd and struct epoll_event are passed in Linux's layouts as the
 * overlay headers define them (src/socket.c asserts the sizes); flags and
 * constants are Linux's. */
struct msghdr;
struct pollfd;
struct epoll_event;

OCCLUM_IMPORT(socket)
int32_t __occlum_sys_socket(int32_t domain, int32_t type, int32_t protocol, int32_t *result_fd);
OCCLUM_IMPORT(socketpair)
int32_t __occlum_sys_socketpair(int32_t domain, int32_t type, int32_t protocol, int32_t *result_fds);
OCCLUM_IMPORT(bind) int32_t __occlum_sys_bind(int32_t fd, const void *addr, uint32_t addrlen);
OCCLUM_IMPORT(connect) int32_t __occlum_sys_connect(int32_t fd, const void *addr, uint32_t addrlen);
OCCLUM_IMPORT(listen) int32_t __occlum_sys_listen(int32_t fd, int32_t backlog);
OCCLUM_IMPORT(accept4)
int32_t __occlum_sys_accept4(int32_t fd, void *addr, uint32_t *addrlen, int32_t flags, int32_t *result_fd);
OCCLUM_IMPORT(getsockname) int32_t __occlum_sys_getsockname(int32_t fd, void *addr, uint32_t *addrlen);
OCCLUM_IMPORT(getpeername) int32_t __occlum_sys_getpeername(int32_t fd, void *addr, uint32_t *addrlen);
OCCLUM_IMPORT(setsockopt)
int32_t __occlum_sys_setsockopt(int32_t fd, int32_t level, int32_t name, const void *val, uint32_t len);
OCCLUM_IMPORT(getsockopt)
int32_t __occlum_sys_getsockopt(int32_t fd, int32_t level, int32_t name, void *val, uint32_t *len);
OCCLUM_IMPORT(sendmsg)
int32_t __occlum_sys_sendmsg(int32_t fd, const struct msghdr *msg, int32_t flags, uint32_t *result_n);
OCCLUM_IMPORT(recvmsg)
int32_t __occlum_sys_recvmsg(int32_t fd, struct msghdr *msg, int32_t flags, uint32_t *result_n);
OCCLUM_IMPORT(shutdown) int32_t __occlum_sys_shutdown(int32_t fd, int32_t how);
/* timeout_ns < 0: no timeout; sigmask 0: keep the mask. */
OCCLUM_IMPORT(poll)
int32_t __occlum_sys_poll(struct pollfd *fds, uint32_t nfds, int64_t timeout_ns, const uint64_t *sigmask,
	uint32_t *result_n);
OCCLUM_IMPORT(epoll_create1) int32_t __occlum_sys_epoll_create1(int32_t flags, int32_t *result_fd);
OCCLUM_IMPORT(epoll_ctl)
int32_t __occlum_sys_epoll_ctl(int32_t epfd, int32_t op, int32_t fd, const struct epoll_event *ev);
OCCLUM_IMPORT(epoll_pwait)
int32_t __occlum_sys_epoll_pwait(int32_t epfd, struct epoll_event *events, int32_t maxevents, int64_t timeout_ns,
	const uint64_t *sigmask, uint32_t *result_n);
OCCLUM_IMPORT(eventfd2) int32_t __occlum_sys_eventfd2(uint32_t initval, int32_t flags, int32_t *result_fd);

/* An address `occlum.resolve` returns (20 bytes): family AF_INET (2) or
 * AF_INET6 (10); an IPv4 address in the first 4 bytes of addr. */
struct occlum_addr {
	uint16_t family;
	uint16_t zero;
	uint8_t addr[16];
};
_Static_assert(sizeof(struct occlum_addr) == 20, "occlum_addr");

OCCLUM_IMPORT(resolve)
int32_t __occlum_sys_resolve(const char *name, uint32_t name_len, int32_t family, struct occlum_addr *out,
	uint32_t out_cap, uint32_t *result_n);

/* ---- helpers ---- */

/* ret turns an ABI errno into the C convention: 0, or -1 with errno set.
 * wasi-libc's errno values are the WASI numbers, so no translation. */
static inline int __occlum_ret(int32_t e)
{
	if (e != 0) {
		errno = e;
		return -1;
	}
	return 0;
}

/* Timeouts of occlum.poll and occlum.epoll_pwait, in nanoseconds, -1 for
 * none: from milliseconds (negative: none), and from a timespec (NULL:
 * none; -2 when it is invalid: EINVAL). Large ones saturate. */
static inline int64_t __occlum_timeout_ms(int ms)
{
	return ms < 0 ? -1 : (int64_t)ms * 1000000;
}
static inline int64_t __occlum_timeout_ts(const struct timespec *ts)
{
	if (!ts)
		return -1;
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000)
		return -2;
	if (ts->tv_sec >= INT64_MAX / 1000000000 - 1)
		return INT64_MAX;
	return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

/* Linux flag values used on the wire. */
#define LINUX_O_ACCMODE   03
#define LINUX_O_RDONLY    00
#define LINUX_O_WRONLY    01
#define LINUX_O_RDWR      02
#define LINUX_O_CREAT     0100
#define LINUX_O_EXCL      0200
#define LINUX_O_NOCTTY    0400
#define LINUX_O_TRUNC     01000
#define LINUX_O_APPEND    02000
#define LINUX_O_NONBLOCK  04000
#define LINUX_O_DSYNC     010000
#define LINUX_O_DIRECTORY 0200000
#define LINUX_O_NOFOLLOW  0400000
#define LINUX_O_CLOEXEC   02000000
#define LINUX_O_SYNC      04010000
#define LINUX_O_PATH      010000000

/* wasi-libc O_* <-> Linux O_* (fcntl.c). */
uint32_t __occlum_oflags_to_linux(int flags);
int __occlum_oflags_from_linux(uint32_t flags);

/* u64 signal sets (sigset.c). */
static inline uint64_t __occlum_sigset_get(const sigset_t *s)
{
	return (uint64_t)s->__bits[0] | (uint64_t)s->__bits[1] << 32;
}
static inline void __occlum_sigset_put(sigset_t *s, uint64_t v)
{
	for (size_t i = 0; i < sizeof s->__bits / sizeof s->__bits[0]; i++)
		s->__bits[i] = 0;
	s->__bits[0] = (unsigned long)v;
	s->__bits[1] = (unsigned long)(v >> 32);
}

/* Marks fd close-on-exec (cloexec.c). Declared weak where it is only used
 * if something else links it in; see open.c. */
int __occlum_set_cloexec(int fd);

/* OCCLUM_NEEDS_CLOEXEC links cloexec.c into every program that links the
 * member using it: members through which close-on-exec becomes observable
 * (spawn, exec, fcntl) use it, so that open(O_CLOEXEC) marks descriptors in
 * exactly the programs where that matters. */
#define OCCLUM_NEEDS_CLOEXEC                                               \
	__attribute__((__used__)) static int (*const __occlum_cloexec_ref)(int) = \
		__occlum_set_cloexec

/* The cwd as the LibOS has it (cwd.c): synced on first use, and after
 * chdir/fchdir/getcwd. */
const char *__occlum_cwd(void);
void __occlum_cwd_set(const char *path, size_t len);
int __occlum_cwd_sync(void);

/* String arrays for spawn and execve (strarray.c). Returns NULL with errno
 * set on failure; *n is the count. A null array is empty. */
struct occlum_str *__occlum_strarray(char *const *v, uint32_t *n);

/* The spawn/exec engine (spawn.c). Returns an errno value (0 on success).
 * Runs "#!" scripts through their interpreter, like Linux's execve. */
int __occlum_spawn(pid_t *pid, const char *path,
	const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *attr,
	char *const argv[], char *const envp[]);
int __occlum_execve(const char *path, char *const argv[], char *const envp[]);

/* script_argv builds the argv for running the "#!" script at path (read
 * relative to dir, when dir is not NULL and path is relative) whose own argv
 * is argv. Returns NULL with *err = ENOEXEC when path is not a script, or
 * another errno. The result is one allocation; *interp points into it. */
char **__occlum_script_argv(const char *dir, const char *path, char *const argv[],
	const char **interp, int *err);

/* PATH search (pathsearch.c): calls try(candidate, ctx) for each candidate
 * of file along PATH until it returns something other than ENOENT, ENOTDIR
 * or EACCES (ENAMETOOLONG too), and returns that; EACCES if any candidate
 * said so, else ENOENT. */
int __occlum_path_search(const char *file, int (*try)(const char *, void *), void *ctx);

extern char **environ;

/* __occlum_parse_id parses a decimal user or group id below 2^32 (the
 * whole string): 1, or 0 if it is not one (src/parse_id.c). */
int __occlum_parse_id(const char *s, unsigned *id);

/* A line database (/etc/passwd, /etc/group; src/userdb.c). parse splits
 * line (len bytes, no newline) into ent, its strings in buf: 0, ERANGE
 * (buf too small) or EINVAL (malformed: skipped). match says whether ent
 * is the one with name (if not NULL) or id. ent, buf, size and file are
 * the non-reentrant calls' shared state. */
struct __occlum_db {
	const char *path;
	int (*parse)(const char *line, size_t len, void *ent, char *buf, size_t size);
	int (*match)(const void *ent, const char *name, unsigned id);
	void *ent;
	char *buf;
	size_t size;
	struct _IO_FILE *file;
};
/* The next well-formed entry of f: 0, ENOENT at the end, ERANGE, or an
 * I/O errno. */
int __occlum_db_next(const struct __occlum_db *db, struct _IO_FILE *f, void *ent, char *buf, size_t size);
/* The entry with name or id: 0 with *res set, or NULL when none; an errno
 * otherwise. */
int __occlum_db_find(const struct __occlum_db *db, const char *name, unsigned id, void *ent, char *buf,
		     size_t size, void **res);
/* The shared entry: the one with name or id, or (f set) f's next; NULL
 * with errno set, or kept when there is none. */
void *__occlum_db_static(struct __occlum_db *db, const char *name, unsigned id, struct _IO_FILE *f);
void *__occlum_db_getent(struct __occlum_db *db);
void __occlum_db_rewind(struct __occlum_db *db);
void __occlum_db_close(struct __occlum_db *db);

#endif
