/* wait: waitpid for a given child and for any child, WNOHANG before and
 * after the child exits, wait(), ECHILD (no children, a non-child, after
 * reaping, the caller itself), EINVAL for bad options, and zombies: a child
 * that exited stays in the process table (kill(pid, 0) succeeds) until it
 * is waited for, and is gone afterwards (ESRCH). */
#include "proc.h"

static volatile sig_atomic_t chld;

static void on_chld(int sig) {
    (void)sig;
    chld++;
}

/* spawn_cat starts cat reading a pipe; *wfd is the pipe's write end. The
 * child runs until *wfd is closed. */
static pid_t spawn_cat(int *wfd) {
    int p[2];
    if (pipe(p) != 0) return -1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, p[0], 0);
    posix_spawn_file_actions_addclose(&fa, p[0]);
    posix_spawn_file_actions_addclose(&fa, p[1]);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    char *av[] = {"cat", NULL};
    pid_t pid = spawnp("cat", &fa, NULL, av, NULL);
    posix_spawn_file_actions_destroy(&fa);
    close(p[0]);
    fcntl(p[1], F_SETFD, FD_CLOEXEC);
    *wfd = p[1];
    return pid;
}

static pid_t spawn_exit(const char *code) {
    char *av[] = {"exit_with", (char *)code, NULL};
    return spawnp("exit_with", NULL, NULL, av, NULL);
}

int main(int argc, char **argv) {
    test_init("wait", argc, argv);
    proc_init();
    int st;

    /* No children yet. */
    CHECK_ERR(waitpid(-1, &st, 0), ECHILD);
    CHECK_ERR(waitpid(-1, &st, WNOHANG), ECHILD);
    CHECK_ERR(wait(&st), ECHILD);
    printf("no children: ECHILD\n");

    /* A specific child, its exit code in the status. */
    pid_t pid = spawn_exit("3");
    CHECK(pid > 0);
    st = -1;
    CHECK_EQ(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st) && !WIFSIGNALED(st));
    CHECK_EQ(WEXITSTATUS(st), 3);
    printf("waitpid(pid): %s\n", status_str(st));
    /* Reaped: ECHILD now, and the pid is gone. */
    CHECK_ERR(waitpid(pid, &st, 0), ECHILD);
    CHECK_ERR(waitpid(pid, &st, WNOHANG), ECHILD);
    CHECK_ERR(kill(pid, 0), ESRCH);
    printf("after reaping: ECHILD, kill(pid, 0) ESRCH\n");

    /* A NULL status pointer is allowed. */
    pid = spawn_exit("4");
    CHECK_EQ(waitpid(pid, NULL, 0), pid);

    /* WNOHANG while the child runs: 0, status untouched. */
    int wfd;
    pid = spawn_cat(&wfd);
    CHECK(pid > 0);
    st = 12345;
    CHECK_EQ(waitpid(pid, &st, WNOHANG), 0);
    CHECK_EQ(waitpid(-1, &st, WNOHANG), 0);
    CHECK_EQ(st, 12345);
    CHECK_OK(kill(pid, 0));
    printf("WNOHANG while running: 0\n");
    /* The child exits when its stdin closes; WNOHANG then reaps it. */
    CHECK_OK(close(wfd));
    pid_t r = 0;
    for (int i = 0; i < 20000 && r == 0; i++) {
        r = waitpid(pid, &st, WNOHANG);
        if (r == 0) sleep_ms(1);
    }
    CHECK_EQ(r, pid);
    CHECK_STATUS(st, "exited 0");
    printf("WNOHANG after exit: the pid, %s\n", status_str(st));

    /* Any child: three children, three statuses, then ECHILD. */
    pid_t kids[3] = {spawn_exit("11"), spawn_exit("12"), spawn_exit("13")};
    int seen[3] = {0, 0, 0};
    for (int i = 0; i < 3; i++) {
        r = waitpid(-1, &st, 0);
        int k = -1;
        for (int j = 0; j < 3; j++) {
            if (r == kids[j]) k = j;
        }
        CHECK(k >= 0);
        if (k < 0) continue;
        seen[k]++;
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 11 + k);
    }
    CHECK(seen[0] == 1 && seen[1] == 1 && seen[2] == 1);
    CHECK_ERR(waitpid(-1, &st, 0), ECHILD);
    printf("waitpid(-1) x3: each child once with its code, then ECHILD\n");

    /* wait() is waitpid(-1, &st, 0). */
    pid = spawn_exit("21");
    CHECK_EQ(wait(&st), pid);
    CHECK_STATUS(st, "exited 21");
    printf("wait(): %s\n", status_str(st));

    /* Waiting for a given child skips the others. */
    pid_t slow = spawn_cat(&wfd);
    pid_t fast = spawn_exit("5");
    CHECK_EQ(waitpid(fast, &st, 0), fast);
    CHECK_STATUS(st, "exited 5");
    CHECK_EQ(waitpid(slow, &st, WNOHANG), 0);
    CHECK_OK(close(wfd));
    CHECK_EQ(waitpid(slow, &st, 0), slow);
    CHECK_STATUS(st, "exited 0");
    printf("waitpid(pid) picks its child among several\n");

    /* A child that takes a while: the blocking wait returns its status. */
    char *sleeper[] = {"sleep_then_exit", "100", "9", NULL};
    pid = spawnp("sleep_then_exit", NULL, NULL, sleeper, NULL);
    CHECK(pid > 0);
    CHECK_EQ(waitpid(pid, &st, 0), pid);
    CHECK_STATUS(st, "exited 9");
    printf("blocking wait for a sleeping child: %s\n", status_str(st));

    /* Not children: the caller, its parent. */
    CHECK_ERR(waitpid(getpid(), &st, 0), ECHILD);
    CHECK_ERR(waitpid(getpid(), &st, WNOHANG), ECHILD);
    /* (Inside the LibOS the root process's parent is 0, "my group".) */
    pid_t pp = getppid();
    CHECK(pp <= 1 || (waitpid(pp, &st, WNOHANG) == -1 && errno == ECHILD));
    printf("non-child: ECHILD\n");
    /* Unknown option bits. */
    pid = spawn_exit("0");
    CHECK_ERR(waitpid(pid, &st, 0x1000), EINVAL);
    CHECK_EQ(waitpid(pid, &st, 0), pid);
    printf("bad options: EINVAL\n");

    /* A zombie: the child has exited (its SIGCHLD arrived) and stays in
     * the process table until it is waited for. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_chld;
    sigemptyset(&sa.sa_mask);
    CHECK_OK(sigaction(SIGCHLD, &sa, NULL));
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGCHLD);
    CHECK_OK(sigprocmask(SIG_BLOCK, &block, &old));
    chld = 0;
    pid = spawn_exit("6");
    CHECK(pid > 0);
    while (chld == 0) sigsuspend(&old);
    CHECK_OK(sigprocmask(SIG_SETMASK, &old, NULL));
    CHECK_OK(kill(pid, 0));
    CHECK_OK(kill(pid, 0));
    sleep_ms(20);
    CHECK_OK(kill(pid, 0));
    printf("zombie: kill(pid, 0) succeeds until it is waited for\n");
    st = -1;
    CHECK_EQ(waitpid(pid, &st, WNOHANG), pid);
    CHECK_STATUS(st, "exited 6");
    CHECK_ERR(kill(pid, 0), ESRCH);
    CHECK_ERR(waitpid(pid, &st, WNOHANG), ECHILD);
    printf("zombie reaped with WNOHANG: %s, then ESRCH\n", status_str(st));
    signal(SIGCHLD, SIG_DFL);
    return test_done();
}
