/*
 * proc.h - helpers for the process tests in test/ (spawn, wait, signals,
 * pipes), on top of test.h.
 *
 * Processes are created only with posix_spawn/posix_spawnp: there is no
 * fork() inside the LibOS. The programs spawned are the helper programs of
 * test/helpers/, found by name through PATH (posix_spawnp) or under the
 * directory named by TEST_BIN: natively a temporary directory the harness
 * fills, inside the LibOS /bin.
 *
 * Nothing printed may depend on pids, fd numbers, times or host paths: the
 * native and LibOS stdouts are compared byte for byte. Facts are printed
 * instead ("exited 7", "killed by SIGSEGV").
 */
#ifndef OCCLUM_TEST_PROC_H
#define OCCLUM_TEST_PROC_H

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>

#include "test.h"

extern char **environ;

/* The signals the tests look at, in the order they are printed. */
static const int proc_sigs[] = {SIGHUP, SIGINT, SIGQUIT, SIGABRT, SIGFPE, SIGKILL,
                                SIGUSR1, SIGSEGV, SIGUSR2, SIGPIPE, SIGALRM, SIGTERM,
                                SIGCHLD};

TEST_UNUSED static const char *sig_name(int sig) {
    switch (sig) {
    case SIGHUP: return "SIGHUP";
    case SIGINT: return "SIGINT";
    case SIGQUIT: return "SIGQUIT";
    case SIGILL: return "SIGILL";
    case SIGTRAP: return "SIGTRAP";
    case SIGABRT: return "SIGABRT";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGKILL: return "SIGKILL";
    case SIGUSR1: return "SIGUSR1";
    case SIGSEGV: return "SIGSEGV";
    case SIGUSR2: return "SIGUSR2";
    case SIGPIPE: return "SIGPIPE";
    case SIGALRM: return "SIGALRM";
    case SIGTERM: return "SIGTERM";
    case SIGCHLD: return "SIGCHLD";
    case SIGCONT: return "SIGCONT";
    case SIGSTOP: return "SIGSTOP";
    default: return "SIG?";
    }
}

/* status_str describes a wait status: "exited 7", "killed by SIGSEGV". The
 * result lives until 8 more calls. */
TEST_UNUSED static const char *status_str(int st) {
    static char bufs[8][64];
    static int next;
    char *b = bufs[next++ % 8];
    if (st == -1) {
        snprintf(b, sizeof bufs[0], "no status (%s)", errno_name(errno));
    } else if (WIFEXITED(st)) {
        snprintf(b, sizeof bufs[0], "exited %d", WEXITSTATUS(st));
    } else if (WIFSIGNALED(st)) {
        snprintf(b, sizeof bufs[0], "killed by %s", sig_name(WTERMSIG(st)));
    } else {
        snprintf(b, sizeof bufs[0], "status 0x%x", st);
    }
    return b;
}

/* CHECK_STATUS(st, "exited 0"): a wait status, described by status_str. */
#define CHECK_STATUS(st, want) CHECK_STR(status_str(st), want)

/* test_bin is the directory holding the helpers. */
TEST_UNUSED static const char *test_bin(void) {
    const char *b = getenv("TEST_BIN");
    return b != NULL && b[0] != '\0' ? b : "/bin";
}

/* helper_path returns TEST_BIN/name. The result lives until 8 more calls. */
TEST_UNUSED static const char *helper_path(const char *name) {
    static char bufs[8][PATH_MAX];
    static int next;
    char *b = bufs[next++ % 8];
    snprintf(b, PATH_MAX, "%s/%s", test_bin(), name);
    return b;
}

/* spawnp runs posix_spawnp and returns the pid, or -1 with errno set to
 * the error posix_spawnp returned. envp NULL means environ. */
TEST_UNUSED static pid_t spawnp(const char *file, const posix_spawn_file_actions_t *fa,
                                const posix_spawnattr_t *attr, char *const argv[],
                                char *const envp[]) {
    pid_t pid = -1;
    int r = posix_spawnp(&pid, file, fa, attr, argv, envp != NULL ? envp : environ);
    if (r != 0) {
        errno = r;
        return -1;
    }
    return pid;
}

/* spawn_path is spawnp for posix_spawn (a path, no PATH search). */
TEST_UNUSED static pid_t spawn_path(const char *path, const posix_spawn_file_actions_t *fa,
                                    const posix_spawnattr_t *attr, char *const argv[],
                                    char *const envp[]) {
    pid_t pid = -1;
    int r = posix_spawn(&pid, path, fa, attr, argv, envp != NULL ? envp : environ);
    if (r != 0) {
        errno = r;
        return -1;
    }
    return pid;
}

/* wait_for waits for pid (restarting after EINTR) and returns its status,
 * or -1 (errno set) when waitpid fails or returns another pid. */
TEST_UNUSED static int wait_for(pid_t pid) {
    int st = 0;
    pid_t r;
    do {
        r = waitpid(pid, &st, 0);
    } while (r < 0 && errno == EINTR);
    if (r < 0) return -1;
    if (pid > 0 && r != pid) {
        errno = 0;
        return -1;
    }
    return st;
}

/* run spawns argv[0] through PATH with the caller's stdio and environment,
 * waits for it and returns its wait status, or -1. stdout is flushed first
 * so that the child's output lands after the caller's. */
TEST_UNUSED static int run(char *const argv[]) {
    fflush(stdout);
    pid_t pid = spawnp(argv[0], NULL, NULL, argv, NULL);
    if (pid < 0) return -1;
    return wait_for(pid);
}

/* sleep_ms sleeps about ms milliseconds. */
TEST_UNUSED static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* proc_init gives every signal the tests use its default action and
 * unblocks all signals: the harness may start a program with some ignored
 * (a shell running it in the background ignores SIGINT and SIGQUIT) and
 * the outputs must not depend on that. */
TEST_UNUSED static void proc_init(void) {
    for (size_t i = 0; i < sizeof proc_sigs / sizeof proc_sigs[0]; i++) {
        if (proc_sigs[i] != SIGKILL) signal(proc_sigs[i], SIG_DFL);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

/* lowest_free_fd is the descriptor number open() or dup() would return. */
TEST_UNUSED static int lowest_free_fd(void) {
    for (int fd = 0; fd < 1024; fd++) {
        if (fcntl(fd, F_GETFD) < 0 && errno == EBADF) return fd;
    }
    return -1;
}

/* fd_is_open says whether fd is an open descriptor. */
TEST_UNUSED static int fd_is_open(int fd) {
    return fcntl(fd, F_GETFD) >= 0 || errno != EBADF;
}

/* read_all reads fd to end of file (or n-1 bytes) into buf, NUL-terminated,
 * restarting after EINTR. It returns the count, or -1. */
TEST_UNUSED static ssize_t read_all(int fd, char *buf, size_t n) {
    size_t got = 0;
    while (got + 1 < n) {
        ssize_t r = read(fd, buf + got, n - 1 - got);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return -1;
        if (r == 0) break;
        got += (size_t)r;
    }
    buf[got] = '\0';
    return (ssize_t)got;
}

/* write_all writes n bytes, restarting after EINTR and short writes. */
TEST_UNUSED static int write_all(int fd, const void *p, size_t n) {
    const char *c = p;
    while (n > 0) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

/* spawn_capture runs file (through PATH) with argv and envp (NULL for
 * environ) and its stdout on a pipe, reads that output into buf (n bytes
 * at most, NUL-terminated), waits and returns the wait status, or -1. */
TEST_UNUSED static int spawn_capture(const char *file, char *const argv[], char *const envp[],
                                     char *buf, size_t n) {
    int p[2];
    buf[0] = '\0';
    if (pipe(p) != 0) return -1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, p[1], 1);
    posix_spawn_file_actions_addclose(&fa, p[0]);
    posix_spawn_file_actions_addclose(&fa, p[1]);
    fflush(stdout);
    pid_t pid = spawnp(file, &fa, NULL, argv, envp);
    int e = errno;
    posix_spawn_file_actions_destroy(&fa);
    close(p[1]);
    if (pid < 0) {
        close(p[0]);
        errno = e;
        return -1;
    }
    ssize_t r = read_all(p[0], buf, n);
    close(p[0]);
    int st = wait_for(pid);
    return r < 0 ? -1 : st;
}

#endif
