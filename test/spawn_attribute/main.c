/* spawn_attribute: posix_spawnattr (SETPGROUP, SETSIGMASK, SETSIGDEF) and
 * posix_spawn_file_actions (open, close, dup2), and what a child inherits
 * without them: the signal mask, ignored signals (handled ones go back to
 * default), the process group, the descriptors. */
#include "proc.h"

/* spawn_print_sigs runs print_sigs with attr and prints its output. */
static void spawn_print_sigs(const char *what, const posix_spawnattr_t *attr) {
    printf("%s:\n", what);
    fflush(stdout);
    char *av[] = {"print_sigs", NULL};
    pid_t pid = spawnp("print_sigs", NULL, attr, av, NULL);
    CHECK(pid > 0);
    CHECK_STATUS(wait_for(pid), "exited 0");
}

static void on_signal(int sig) {
    (void)sig;
}

int main(int argc, char **argv) {
    test_init("spawn_attribute", argc, argv);
    proc_init();
    char buf[4096];
    posix_spawnattr_t attr;
    posix_spawn_file_actions_t fa;
    sigset_t set;
    short flags;

    /* Attribute objects keep what they are given. */
    CHECK_EQ(posix_spawnattr_init(&attr), 0);
    CHECK_EQ(posix_spawnattr_getflags(&attr, &flags), 0);
    CHECK_EQ(flags, 0);
    CHECK_EQ(posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK), 0);
    CHECK_EQ(posix_spawnattr_getflags(&attr, &flags), 0);
    CHECK_EQ(flags, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK);
    pid_t pg = -1;
    CHECK_EQ(posix_spawnattr_setpgroup(&attr, 0), 0);
    CHECK_EQ(posix_spawnattr_getpgroup(&attr, &pg), 0);
    CHECK_EQ(pg, 0);
    CHECK_EQ(posix_spawnattr_destroy(&attr), 0);
    printf("attribute get/set: ok\n");

    /* Without attributes: the caller's group. With SETPGROUP 0: a group of
     * the child's own, visible to the parent through getpgid. */
    char me[16], mygroup[16];
    snprintf(me, sizeof me, "%d", (int)getpid());
    snprintf(mygroup, sizeof mygroup, "%d", (int)getpgrp());
    char *ids[] = {"print_ids", me, mygroup, NULL};
    printf("no attributes:\n");
    fflush(stdout);
    CHECK_STATUS(run(ids), "exited 0");

    int p[2];
    CHECK_OK(pipe(p));
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, p[0], 0);
    posix_spawn_file_actions_addclose(&fa, p[0]);
    posix_spawn_file_actions_addclose(&fa, p[1]);
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    char *cat[] = {"cat", NULL};
    pid_t leader = spawnp("cat", &fa, &attr, cat, NULL);
    CHECK(leader > 0);
    CHECK_EQ(getpgid(leader), leader);
    CHECK(getpgid(leader) != getpgrp());
    /* SETPGROUP with a pgid: into the first child's group. */
    posix_spawnattr_setpgroup(&attr, leader);
    pid_t member = spawnp("cat", &fa, &attr, cat, NULL);
    CHECK(member > 0);
    CHECK_EQ(getpgid(member), leader);
    posix_spawn_file_actions_destroy(&fa);
    close(p[0]);
    close(p[1]);
    CHECK_STATUS(wait_for(leader), "exited 0");
    CHECK_STATUS(wait_for(member), "exited 0");
    printf("SETPGROUP 0: own group; SETPGROUP pgid: that group\n");
    posix_spawnattr_setpgroup(&attr, 0);
    printf("SETPGROUP 0:\n");
    fflush(stdout);
    pid_t pid = spawnp("print_ids", NULL, &attr, ids, NULL);
    CHECK(pid > 0);
    CHECK_STATUS(wait_for(pid), "exited 0");
    /* A group that does not exist (in no session of ours). */
    posix_spawnattr_setpgroup(&attr, 999999);
    errno = 0;
    pid = spawnp("print_ids", NULL, &attr, ids, NULL);
    CHECK(pid < 0 && errno == EPERM);
    if (pid > 0) wait_for(pid);
    printf("SETPGROUP to a missing group: %s\n", pid < 0 ? errno_name(errno) : "spawned");
    posix_spawnattr_destroy(&attr);

    /* The signal mask is inherited ... */
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    CHECK_OK(sigprocmask(SIG_BLOCK, &set, NULL));
    spawn_print_sigs("SIGUSR2 blocked in the parent", NULL);
    /* ... unless SETSIGMASK gives another. */
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGTERM);
    CHECK_EQ(posix_spawnattr_setsigmask(&attr, &set), 0);
    sigset_t got;
    CHECK_EQ(posix_spawnattr_getsigmask(&attr, &got), 0);
    CHECK(sigismember(&got, SIGUSR1) == 1 && sigismember(&got, SIGTERM) == 1 &&
          sigismember(&got, SIGUSR2) == 0);
    spawn_print_sigs("SETSIGMASK {SIGUSR1, SIGTERM}", &attr);
    posix_spawnattr_destroy(&attr);
    sigemptyset(&set);
    CHECK_OK(sigprocmask(SIG_SETMASK, &set, NULL));

    /* Ignored signals stay ignored, handled ones are reset to default ... */
    CHECK(signal(SIGINT, SIG_IGN) != SIG_ERR);
    CHECK(signal(SIGUSR1, SIG_IGN) != SIG_ERR);
    CHECK(signal(SIGPIPE, SIG_IGN) != SIG_ERR);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    CHECK_OK(sigaction(SIGUSR2, &sa, NULL));
    CHECK_OK(sigaction(SIGTERM, &sa, NULL));
    spawn_print_sigs("SIGINT, SIGUSR1, SIGPIPE ignored, SIGUSR2, SIGTERM handled", NULL);
    /* ... and SETSIGDEF resets chosen ignored ones too. */
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGPIPE);
    CHECK_EQ(posix_spawnattr_setsigdefault(&attr, &set), 0);
    CHECK_EQ(posix_spawnattr_getsigdefault(&attr, &got), 0);
    CHECK(sigismember(&got, SIGPIPE) == 1 && sigismember(&got, SIGINT) == 0);
    spawn_print_sigs("SETSIGDEF {SIGUSR1, SIGPIPE}", &attr);
    /* Both flags together. */
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    posix_spawnattr_setsigmask(&attr, &set);
    spawn_print_sigs("SETSIGDEF {SIGUSR1, SIGPIPE} and SETSIGMASK {SIGHUP}", &attr);
    posix_spawnattr_destroy(&attr);
    proc_init();

    /* File actions: the child's stdout to a pipe with dup2. */
    CHECK_OK(pipe(p));
    posix_spawn_file_actions_init(&fa);
    CHECK_EQ(posix_spawn_file_actions_adddup2(&fa, p[1], 1), 0);
    CHECK_EQ(posix_spawn_file_actions_addclose(&fa, p[0]), 0);
    CHECK_EQ(posix_spawn_file_actions_addclose(&fa, p[1]), 0);
    char *args[] = {"print_args", "to", "a pipe", NULL};
    pid = spawnp("print_args", &fa, NULL, args, NULL);
    posix_spawn_file_actions_destroy(&fa);
    CHECK(pid > 0);
    CHECK_OK(close(p[1]));
    CHECK(read_all(p[0], buf, sizeof buf) >= 0);
    CHECK_OK(close(p[0]));
    CHECK_STATUS(wait_for(pid), "exited 0");
    CHECK_STR(buf, "argc=3\nargv[0]=[print_args]\nargv[1]=[to]\nargv[2]=[a pipe]\n");
    printf("stdout to a pipe (dup2): %zu bytes read back\n", strlen(buf));

    /* ... to a file with open. */
    posix_spawn_file_actions_init(&fa);
    CHECK_EQ(posix_spawn_file_actions_addopen(&fa, 1, P("out.txt"), O_WRONLY | O_CREAT | O_TRUNC, 0666), 0);
    char *args2[] = {"print_args", "to a file", NULL};
    pid = spawnp("print_args", &fa, NULL, args2, NULL);
    CHECK(pid > 0);
    CHECK_STATUS(wait_for(pid), "exited 0");
    CHECK_STR(content(P("out.txt")), "argc=2\nargv[0]=[print_args]\nargv[1]=[to a file]\n");
    /* The same actions again: O_TRUNC truncates. */
    char *args3[] = {"print_args", NULL};
    pid = spawnp("print_args", &fa, NULL, args3, NULL);
    posix_spawn_file_actions_destroy(&fa);
    CHECK_STATUS(wait_for(pid), "exited 0");
    CHECK_STR(content(P("out.txt")), "argc=1\nargv[0]=[print_args]\n");
    /* O_APPEND appends. */
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, P("out.txt"), O_WRONLY | O_APPEND, 0);
    pid = spawnp("print_args", &fa, NULL, args3, NULL);
    posix_spawn_file_actions_destroy(&fa);
    CHECK_STATUS(wait_for(pid), "exited 0");
    CHECK_STR(content(P("out.txt")), "argc=1\nargv[0]=[print_args]\nargc=1\nargv[0]=[print_args]\n");
    printf("stdout to a file (open): created, truncated, appended\n");

    /* stdin from a file with open, read by cat into a pipe. */
    CHECK_OK(write_file(P("in.txt"), "line one\nline two\n"));
    CHECK_OK(pipe(p));
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, P("in.txt"), O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, p[1], 1);
    posix_spawn_file_actions_addclose(&fa, p[1]);
    posix_spawn_file_actions_addclose(&fa, p[0]);
    pid = spawnp("cat", &fa, NULL, cat, NULL);
    posix_spawn_file_actions_destroy(&fa);
    CHECK(pid > 0);
    close(p[1]);
    CHECK(read_all(p[0], buf, sizeof buf) >= 0);
    close(p[0]);
    CHECK_STATUS(wait_for(pid), "exited 0");
    CHECK_STR(buf, "line one\nline two\n");
    printf("stdin from a file (open): ok\n");

    /* close: the child sees the descriptor closed; actions apply in order
     * (dup2 then close of the original leaves only the copy). */
    CHECK_OK(pipe(p));
    char a[32], b[32], c[32];
    snprintf(a, sizeof a, "read_end=%d", p[0]);
    snprintf(b, sizeof b, "write_end=%d", p[1]);
    snprintf(c, sizeof c, "copy=%d", 50);
    char *fdc[] = {"fdcheck", a, b, c, "stdin=0", NULL};
    printf("no actions:\n");
    fflush(stdout);
    CHECK_STATUS(run(fdc), "exited 0");
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, p[1], 50);
    posix_spawn_file_actions_addclose(&fa, p[1]);
    posix_spawn_file_actions_addclose(&fa, 0);
    printf("dup2 write_end to 50, close write_end, close stdin:\n");
    fflush(stdout);
    pid = spawnp("fdcheck", &fa, NULL, fdc, NULL);
    posix_spawn_file_actions_destroy(&fa);
    CHECK(pid > 0);
    CHECK_STATUS(wait_for(pid), "exited 0");
    /* The parent's own descriptors are untouched. */
    CHECK(fd_is_open(p[0]) && fd_is_open(p[1]) && fd_is_open(0));
    CHECK(!fd_is_open(50));
    /* dup2 of a descriptor onto itself clears its FD_CLOEXEC in the child. */
    CHECK_OK(fcntl(p[0], F_SETFD, FD_CLOEXEC));
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, p[1], p[1]);
    CHECK_OK(fcntl(p[1], F_SETFD, FD_CLOEXEC));
    printf("both ends FD_CLOEXEC, dup2 write_end onto itself:\n");
    fflush(stdout);
    pid = spawnp("fdcheck", &fa, NULL, fdc, NULL);
    posix_spawn_file_actions_destroy(&fa);
    CHECK(pid > 0);
    CHECK_STATUS(wait_for(pid), "exited 0");
    CHECK_EQ(fcntl(p[1], F_GETFD), FD_CLOEXEC);
    close(p[0]);
    close(p[1]);

    /* A failing action fails the spawn with its error; the parent goes on. */
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, P("no/such/dir/file"), O_RDONLY, 0);
    char *empty_args[] = {"print_args", NULL};
    CHECK_ERR(spawnp("print_args", &fa, NULL, empty_args, NULL), ENOENT);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, 60, 1);
    CHECK_ERR(spawnp("print_args", &fa, NULL, empty_args, NULL), EBADF);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawn_file_actions_init(&fa);
    CHECK_EQ(posix_spawn_file_actions_addclose(&fa, -1), EBADF);
    CHECK_EQ(posix_spawn_file_actions_adddup2(&fa, -1, 1), EBADF);
    CHECK_EQ(posix_spawn_file_actions_adddup2(&fa, 1, -1), EBADF);
    posix_spawn_file_actions_destroy(&fa);
    printf("failing actions: open ENOENT, dup2 EBADF\n");
    CHECK_STATUS(run(empty_args), "exited 0");
    return test_done();
}
