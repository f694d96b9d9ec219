/* kill_group: process groups and signals to them. Children put into a new
 * group with POSIX_SPAWN_SETPGROUP all die of kill(-pgid, SIGTERM) (and
 * another group of SIGKILL) while a child outside the group keeps running;
 * waitpid(-pgid) reaps exactly the group's members and waitpid(0) the
 * caller's group's; kill(0, sig) reaches the caller's own group; reaped
 * groups and pids are gone (ESRCH); setpgid/getpgid errors. */
#include "proc.h"

/* spawn_in starts name (spin, or cat reading a pipe that stays open) in
 * process group pgroup (0: a new group; -1: the caller's). */
static pid_t spawn_in(const char *name, pid_t pgroup) {
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    if (pgroup >= 0) {
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
        posix_spawnattr_setpgroup(&attr, pgroup);
    }
    char *av[] = {(char *)name, NULL};
    pid_t pid = spawnp(name, NULL, &attr, av, NULL);
    posix_spawnattr_destroy(&attr);
    return pid;
}

static int index_of(pid_t pid, const pid_t *v, int n) {
    for (int i = 0; i < n; i++) {
        if (v[i] == pid) return i;
    }
    return -1;
}

int main(int argc, char **argv) {
    test_init("kill_group", argc, argv);
    proc_init();
    int st;

    /* The caller leads a group of its own: natively the harness made it
     * one, in the LibOS the root process is one. Otherwise it makes one
     * (a session leader could not, but is a group leader already). */
    CHECK(getpgrp() == getpid() || setpgid(0, 0) == 0);
    CHECK_EQ(getpgrp(), getpid());
    CHECK_EQ(getpgid(0), getpid());
    CHECK_EQ(getpgid(getpid()), getpid());
    printf("caller leads its group\n");

    /* A cat holding a pipe nobody writes: alive until its stdin closes.
     * The children's stdin is that pipe, so the cats wait. */
    int hold[2];
    CHECK_OK(pipe(hold));
    CHECK_OK(fcntl(hold[1], F_SETFD, FD_CLOEXEC));
    int saved_stdin = dup(0);
    CHECK(saved_stdin >= 0);
    CHECK_OK(fcntl(saved_stdin, F_SETFD, FD_CLOEXEC));
    CHECK_OK(dup2(hold[0], 0));
    CHECK_OK(close(hold[0]));

    /* Three spinners in a new group led by the first; an outsider in the
     * caller's group. */
    pid_t g[3];
    g[0] = spawn_in("spin", 0);
    CHECK(g[0] > 0);
    g[1] = spawn_in("spin", g[0]);
    g[2] = spawn_in("cat", g[0]);
    pid_t outsider = spawn_in("spin", -1);
    CHECK(g[1] > 0 && g[2] > 0 && outsider > 0);
    for (int i = 0; i < 3; i++) CHECK_EQ(getpgid(g[i]), g[0]);
    CHECK_EQ(getpgid(outsider), getpgrp());
    /* A bad signal to a live group: EINVAL, nobody signalled. */
    CHECK_ERR(kill(-g[0], 12345), EINVAL);
    CHECK_EQ(waitpid(-g[0], &st, WNOHANG), 0);
    printf("3 children in a new group, 1 in the caller's\n");

    sleep_ms(10);
    CHECK_OK(kill(-g[0], SIGTERM));
    int seen[3] = {0, 0, 0}, by_term = 0;
    for (int i = 0; i < 3; i++) {
        pid_t r;
        do {
            r = waitpid(-g[0], &st, 0);
        } while (r < 0 && errno == EINTR);
        int k = index_of(r, g, 3);
        CHECK(k >= 0);
        if (k >= 0) seen[k]++;
        by_term += WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM;
    }
    CHECK(seen[0] == 1 && seen[1] == 1 && seen[2] == 1);
    CHECK_EQ(by_term, 3);
    printf("kill(-pgid, SIGTERM): %d members killed by SIGTERM, reaped by waitpid(-pgid)\n", by_term);
    CHECK_ERR(waitpid(-g[0], &st, WNOHANG), ECHILD);
    CHECK_ERR(kill(-g[0], 0), ESRCH);
    CHECK_ERR(kill(-g[0], SIGTERM), ESRCH);
    CHECK_ERR(getpgid(g[1]), ESRCH);
    CHECK_ERR(setpgid(g[1], 0), ESRCH);
    printf("after reaping: the group is gone (ESRCH), waitpid(-pgid) ECHILD\n");
    CHECK_EQ(waitpid(outsider, &st, WNOHANG), 0);
    CHECK_OK(kill(outsider, 0));
    printf("the outsider is still running\n");

    /* Another group, killed with SIGKILL. */
    pid_t h[2];
    h[0] = spawn_in("cat", 0);
    h[1] = spawn_in("spin", h[0]);
    CHECK(h[0] > 0 && h[1] > 0);
    CHECK_OK(kill(-h[0], SIGKILL));
    int by_kill = 0;
    for (int i = 0; i < 2; i++) {
        pid_t r;
        do {
            r = waitpid(-h[0], &st, 0);
        } while (r < 0 && errno == EINTR);
        CHECK(index_of(r, h, 2) >= 0);
        by_kill += WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
    }
    CHECK_EQ(by_kill, 2);
    printf("kill(-pgid, SIGKILL): %d members killed by SIGKILL\n", by_kill);

    /* waitpid(0): any child in the caller's group, not the others. */
    pid_t away = spawn_in("cat", 0);
    CHECK(away > 0);
    CHECK_OK(kill(outsider, SIGKILL));
    pid_t r;
    do {
        r = waitpid(0, &st, 0);
    } while (r < 0 && errno == EINTR);
    CHECK_EQ(r, outsider);
    CHECK_STATUS(st, "killed by SIGKILL");
    CHECK_ERR(waitpid(0, &st, WNOHANG), ECHILD);
    CHECK_EQ(waitpid(-1, &st, WNOHANG), 0);
    CHECK_OK(kill(away, SIGTERM));
    CHECK_EQ(waitpid(-away, &st, 0), away);
    CHECK_STATUS(st, "killed by SIGTERM");
    printf("waitpid(0): only children in the caller's group\n");

    /* kill(0, sig): the caller's group, the caller included (it ignores
     * the signal; the children, spawned before, do not). */
    pid_t mine[2] = {spawn_in("spin", -1), spawn_in("cat", -1)};
    CHECK(mine[0] > 0 && mine[1] > 0);
    CHECK(signal(SIGTERM, SIG_IGN) != SIG_ERR);
    CHECK_OK(kill(0, SIGTERM));
    int by_zero = 0;
    for (int i = 0; i < 2; i++) {
        st = wait_for(mine[i]);
        by_zero += WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM;
    }
    CHECK_EQ(by_zero, 2);
    CHECK(signal(SIGTERM, SIG_DFL) == SIG_IGN);
    printf("kill(0, SIGTERM): %d children killed, the caller (ignoring it) not\n", by_zero);
    /* kill(0, 0): the caller's group exists (the caller is in it). */
    CHECK_OK(kill(0, 0));

    /* Errors. */
    CHECK_ERR(setpgid(0, -1), EINVAL);
    CHECK_ERR(getpgid(-1), ESRCH);
    printf("setpgid/getpgid/kill errors: EINVAL, ESRCH\n");

    CHECK_OK(dup2(saved_stdin, 0));
    CHECK_OK(close(saved_stdin));
    CHECK_OK(close(hold[1]));
    CHECK_ERR(waitpid(-1, &st, WNOHANG), ECHILD);
    return test_done();
}
