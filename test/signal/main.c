/* signal: handlers installed with signal() and sigaction() run on
 * kill(getpid()) and raise() before the call returns; SIG_IGN discards;
 * sigprocmask blocks (sigpending shows it, one delivery on unblock, no
 * queueing of a standard signal); SA_RESETHAND; sa_mask and the running
 * signal blocked inside a handler; sigsuspend; SIGCHLD when a child exits;
 * a handler interrupting a blocking pipe read (EINTR without SA_RESTART,
 * restarted with it);
 * a handler running in a child spinning without system calls; errors for
 * bad signals and SIGKILL/SIGSTOP. */
#include "proc.h"

static volatile sig_atomic_t hits[65];
static volatile sig_atomic_t last;
static volatile sig_atomic_t usr2_blocked_in_usr1;
static volatile sig_atomic_t usr1_blocked_in_usr1;

static void on_signal(int sig) {
    if (sig > 0 && sig < 65) hits[sig]++;
    last = sig;
}

static void on_usr1_check_mask(int sig) {
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    usr2_blocked_in_usr1 = sigismember(&cur, SIGUSR2) == 1;
    usr1_blocked_in_usr1 = sigismember(&cur, SIGUSR1) == 1;
    hits[sig]++;
}

static void reset_hits(void) {
    for (int i = 0; i < 65; i++) hits[i] = 0;
    last = 0;
}

static int install(int sig, void (*h)(int), int flags) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = h;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    return sigaction(sig, &sa, NULL);
}

int main(int argc, char **argv) {
    test_init("signal", argc, argv);
    proc_init();
    sigset_t set, old, pend;
    struct sigaction sa, got;

    /* signal(): the handler runs before kill() returns. */
    reset_hits();
    CHECK(signal(SIGUSR1, on_signal) != SIG_ERR);
    CHECK_OK(kill(getpid(), SIGUSR1));
    CHECK_EQ(hits[SIGUSR1], 1);
    CHECK_EQ(last, SIGUSR1);
    CHECK_OK(raise(SIGUSR1));
    CHECK_EQ(hits[SIGUSR1], 2);
    /* signal() returns the previous disposition. */
    CHECK(signal(SIGUSR1, SIG_DFL) == on_signal);
    printf("signal(): handler ran on kill(getpid()) and raise()\n");

    /* sigaction(): the old action comes back. */
    reset_hits();
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    CHECK_OK(sigaction(SIGUSR2, &sa, NULL));
    CHECK_OK(sigaction(SIGUSR2, NULL, &got));
    CHECK(got.sa_handler == on_signal);
    CHECK((got.sa_flags & SA_RESTART) != 0);
    CHECK_OK(kill(getpid(), SIGUSR2));
    CHECK_EQ(hits[SIGUSR2], 1);
    printf("sigaction(): handler ran, old action read back\n");

    /* SIG_IGN discards; SIG_DFL of a default-ignore signal does nothing. */
    reset_hits();
    CHECK(signal(SIGUSR1, SIG_IGN) != SIG_ERR);
    CHECK_OK(kill(getpid(), SIGUSR1));
    CHECK_OK(sigpending(&pend));
    CHECK_EQ(sigismember(&pend, SIGUSR1), 0);
    CHECK(signal(SIGCHLD, SIG_DFL) != SIG_ERR);
    CHECK_OK(kill(getpid(), SIGCHLD));
    CHECK(signal(SIGUSR1, on_signal) == SIG_IGN);
    CHECK_EQ(hits[SIGUSR1], 0);
    printf("SIG_IGN: discarded; SIGCHLD by default: ignored\n");

    /* Blocked: pending, not delivered; one delivery on unblock. */
    reset_hits();
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    CHECK_OK(sigprocmask(SIG_BLOCK, &set, &old));
    CHECK_EQ(sigismember(&old, SIGUSR1), 0);
    CHECK_OK(kill(getpid(), SIGUSR1));
    CHECK_OK(kill(getpid(), SIGUSR1));
    CHECK_EQ(hits[SIGUSR1], 0);
    CHECK_OK(sigpending(&pend));
    CHECK_EQ(sigismember(&pend, SIGUSR1), 1);
    CHECK_EQ(sigismember(&pend, SIGUSR2), 0);
    printf("blocked SIGUSR1 sent twice: pending, not delivered\n");
    CHECK_OK(sigprocmask(SIG_SETMASK, &old, NULL));
    CHECK_EQ(hits[SIGUSR1], 1);
    CHECK_OK(sigpending(&pend));
    CHECK_EQ(sigismember(&pend, SIGUSR1), 0);
    printf("unblocked: delivered once before sigprocmask returned\n");
    /* SIG_BLOCK, SIG_UNBLOCK and reading the mask back. */
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    sigaddset(&set, SIGTERM);
    CHECK_OK(sigprocmask(SIG_BLOCK, &set, NULL));
    CHECK_OK(sigprocmask(SIG_BLOCK, NULL, &old));
    CHECK(sigismember(&old, SIGUSR2) == 1 && sigismember(&old, SIGTERM) == 1);
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    CHECK_OK(sigprocmask(SIG_UNBLOCK, &set, NULL));
    CHECK_OK(sigprocmask(SIG_BLOCK, NULL, &old));
    CHECK(sigismember(&old, SIGUSR2) == 1 && sigismember(&old, SIGTERM) == 0);
    /* SIGKILL and SIGSTOP cannot be blocked (silently). */
    sigfillset(&set);
    CHECK_OK(sigprocmask(SIG_SETMASK, &set, NULL));
    CHECK_OK(sigprocmask(SIG_BLOCK, NULL, &old));
    CHECK_EQ(sigismember(&old, SIGKILL), 0);
    CHECK_EQ(sigismember(&old, SIGSTOP), 0);
    CHECK_EQ(sigismember(&old, SIGTERM), 1);
    sigemptyset(&set);
    CHECK_OK(sigprocmask(SIG_SETMASK, &set, NULL));
    CHECK_ERR(sigprocmask(12345, &set, NULL), EINVAL);
    printf("masks: SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK; SIGKILL and SIGSTOP never blocked\n");

    /* SA_RESETHAND: the handler runs once, then the action is SIG_DFL. */
    reset_hits();
    CHECK_OK(install(SIGUSR1, on_signal, SA_RESETHAND));
    CHECK_OK(kill(getpid(), SIGUSR1));
    CHECK_EQ(hits[SIGUSR1], 1);
    CHECK_OK(sigaction(SIGUSR1, NULL, &got));
    CHECK(got.sa_handler == SIG_DFL);
    printf("SA_RESETHAND: ran once, back to SIG_DFL\n");

    /* Inside a handler the signal itself and sa_mask are blocked; the
     * mask is restored afterwards. */
    reset_hits();
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1_check_mask;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGUSR2);
    CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
    CHECK_OK(kill(getpid(), SIGUSR1));
    CHECK_EQ(hits[SIGUSR1], 1);
    CHECK_EQ(usr1_blocked_in_usr1, 1);
    CHECK_EQ(usr2_blocked_in_usr1, 1);
    CHECK_OK(sigprocmask(SIG_BLOCK, NULL, &old));
    CHECK_EQ(sigismember(&old, SIGUSR1), 0);
    CHECK_EQ(sigismember(&old, SIGUSR2), 0);
    /* SA_NODEFER: the signal itself is not blocked. */
    sa.sa_flags = SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
    CHECK_OK(kill(getpid(), SIGUSR1));
    CHECK_EQ(usr1_blocked_in_usr1, 0);
    printf("in a handler: the signal and sa_mask blocked (not with SA_NODEFER)\n");

    /* sigsuspend: waits with a mask until a handler has run, returns
     * EINTR, restores the mask. */
    reset_hits();
    CHECK_OK(install(SIGUSR1, on_signal, 0));
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    CHECK_OK(sigprocmask(SIG_BLOCK, &set, &old));
    CHECK_OK(kill(getpid(), SIGUSR1));
    CHECK_EQ(hits[SIGUSR1], 0);
    CHECK_ERR(sigsuspend(&old), EINTR);
    CHECK_EQ(hits[SIGUSR1], 1);
    CHECK_OK(sigprocmask(SIG_BLOCK, NULL, &set));
    CHECK_EQ(sigismember(&set, SIGUSR1), 1);
    CHECK_OK(sigprocmask(SIG_SETMASK, &old, NULL));
    printf("sigsuspend: handler ran, EINTR, mask restored\n");

    /* SIGCHLD when a child exits. */
    reset_hits();
    CHECK_OK(install(SIGCHLD, on_signal, 0));
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    CHECK_OK(sigprocmask(SIG_BLOCK, &set, &old));
    char *empty[] = {"empty", NULL};
    pid_t pid = spawnp("empty", NULL, NULL, empty, NULL);
    CHECK(pid > 0);
    for (int i = 0; i < 100 && hits[SIGCHLD] == 0; i++) sigsuspend(&old);
    CHECK_EQ(hits[SIGCHLD], 1);
    CHECK_OK(sigprocmask(SIG_SETMASK, &old, NULL));
    CHECK_STATUS(wait_for(pid), "exited 0");
    signal(SIGCHLD, SIG_DFL);
    printf("SIGCHLD: handler ran when the child exited\n");

    /* A handler interrupts a blocking read: EINTR without SA_RESTART. The
     * child sends SIGUSR1 every 20 ms until its stdin closes. */
    reset_hits();
    CHECK_OK(install(SIGUSR1, on_signal, 0));
    int never[2], stop[2];
    CHECK_OK(pipe(never));
    CHECK_OK(pipe(stop));
    for (int i = 0; i < 2; i++) {
        CHECK_OK(fcntl(never[i], F_SETFD, FD_CLOEXEC));
        CHECK_OK(fcntl(stop[i], F_SETFD, FD_CLOEXEC));
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, stop[0], 0);
    char *sp[] = {"signal_parent", "USR1", NULL};
    pid = spawnp("signal_parent", &fa, NULL, sp, NULL);
    posix_spawn_file_actions_destroy(&fa);
    CHECK(pid > 0);
    CHECK_OK(close(stop[0]));
    char c;
    errno = 0;
    ssize_t r = read(never[0], &c, 1);
    CHECK(r == -1 && errno == EINTR);
    CHECK(hits[SIGUSR1] >= 1);
    printf("blocking pipe read, handler without SA_RESTART: %s\n",
           r == -1 ? errno_name(errno) : "returned");
    /* With SA_RESTART the read is restarted after each handler and
     * returns end of file when the only writer, a child sleeping 300 ms
     * while the signals keep coming, exits. */
    CHECK_OK(install(SIGUSR1, on_signal, SA_RESTART));
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, never[1], 1);
    char *sleeper[] = {"sleep_then_exit", "300", "0", NULL};
    pid_t writer = spawnp("sleep_then_exit", &fa, NULL, sleeper, NULL);
    posix_spawn_file_actions_destroy(&fa);
    CHECK(writer > 0);
    CHECK_OK(close(never[1]));
    reset_hits();
    errno = 0;
    r = read(never[0], &c, 1);
    CHECK_EQ(r, 0);
    CHECK(hits[SIGUSR1] >= 1);
    printf("blocking pipe read, handler with SA_RESTART: %s\n",
           r == 0 ? "restarted, then end of file" : r < 0 ? errno_name(errno) : "data");
    CHECK_STATUS(wait_for(writer), "exited 0");
    CHECK_OK(close(never[0]));
    CHECK_OK(close(stop[1]));
    CHECK_STATUS(wait_for(pid), "exited 0");
    signal(SIGUSR1, SIG_DFL);

    /* A child spinning without system calls runs its handler. */
    int ready[2];
    CHECK_OK(pipe(ready));
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, ready[1], 1);
    posix_spawn_file_actions_addclose(&fa, ready[0]);
    posix_spawn_file_actions_addclose(&fa, ready[1]);
    char *sh[] = {"spin_handler", NULL};
    pid = spawnp("spin_handler", &fa, NULL, sh, NULL);
    posix_spawn_file_actions_destroy(&fa);
    CHECK(pid > 0);
    CHECK_OK(close(ready[1]));
    CHECK_EQ(read(ready[0], &c, 1), 1);
    CHECK_OK(kill(pid, SIGUSR1));
    int st = wait_for(pid);
    CHECK_STATUS(st, "exited 7");
    CHECK_OK(close(ready[0]));
    printf("spinning child with a SIGUSR1 handler: %s\n", status_str(st));

    /* Handlers are not inherited; ignored signals are. */
    CHECK_OK(install(SIGUSR2, on_signal, 0));
    CHECK(signal(SIGHUP, SIG_IGN) != SIG_ERR);
    char *ps[] = {"print_sigs", NULL};
    printf("child of a parent handling SIGUSR2 and ignoring SIGHUP:\n");
    CHECK_STATUS(run(ps), "exited 0");
    signal(SIGUSR2, SIG_DFL);
    signal(SIGHUP, SIG_DFL);

    /* Errors. */
    CHECK_ERR(kill(getpid(), 12345), EINVAL);
    CHECK_ERR(kill(getpid(), -1), EINVAL);
    CHECK_ERR(sigaction(SIGKILL, &sa, NULL), EINVAL);
    CHECK_ERR(sigaction(SIGSTOP, &sa, NULL), EINVAL);
    CHECK_ERR(sigaction(0, &sa, NULL), EINVAL);
    CHECK_ERR(sigaction(12345, &sa, NULL), EINVAL);
    CHECK(signal(SIGKILL, SIG_IGN) == SIG_ERR);
    CHECK_OK(sigaction(SIGKILL, NULL, &got));
    CHECK(got.sa_handler == SIG_DFL);
    CHECK_OK(kill(getpid(), 0));
    CHECK_ERR(sigaddset(&set, 12345), EINVAL);
    printf("bad signals: EINVAL; SIGKILL and SIGSTOP cannot be caught\n");
    return test_done();
}
