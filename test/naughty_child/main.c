/* naughty_child: children that crash (a wild store or load, abort, a
 * division by zero) or are killed (SIGKILL, SIGTERM while spinning without
 * system calls) end with WIFSIGNALED and the right signal. The parent and
 * a sibling stay unaffected: the sibling keeps copying data through pipes
 * across all the crashes, and normal children still spawn and exit. */
#include "proc.h"

static int run_crash(const char *name, const char *arg) {
    char *av[] = {(char *)name, (char *)arg, NULL};
    pid_t pid = spawnp(name, NULL, NULL, av, NULL);
    if (pid < 0) return -1;
    return wait_for(pid);
}

/* echo_through sends a line through the sibling cat and reads it back. */
static int echo_through(int to, int from, const char *line) {
    char buf[256];
    size_t n = strlen(line);
    if (write_all(to, line, n) != 0) return 0;
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(from, buf + got, n - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return 0;
        got += (size_t)r;
    }
    return memcmp(buf, line, n) == 0;
}

int main(int argc, char **argv) {
    test_init("naughty_child", argc, argv);
    proc_init();
    int st;

    /* A sibling: cat between two pipes. */
    int in[2], out[2];
    CHECK_OK(pipe(in));
    CHECK_OK(pipe(out));
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_addclose(&fa, in[0]);
    posix_spawn_file_actions_addclose(&fa, in[1]);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    posix_spawn_file_actions_addclose(&fa, out[1]);
    char *cat[] = {"cat", NULL};
    pid_t sibling = spawnp("cat", &fa, NULL, cat, NULL);
    posix_spawn_file_actions_destroy(&fa);
    CHECK(sibling > 0);
    close(in[0]);
    close(out[1]);
    /* The crashing children must not hold the sibling's pipes. */
    fcntl(in[1], F_SETFD, FD_CLOEXEC);
    fcntl(out[0], F_SETFD, FD_CLOEXEC);
    CHECK(echo_through(in[1], out[0], "before\n"));

    struct {
        const char *name, *arg, *want;
    } crashes[] = {
        {"crash_segv", "write", "killed by SIGSEGV"},
        {"crash_segv", "read", "killed by SIGSEGV"},
        {"crash_abort", NULL, "killed by SIGABRT"},
        {"crash_fpe", NULL, "killed by SIGFPE"},
    };
    for (size_t i = 0; i < sizeof crashes / sizeof crashes[0]; i++) {
        st = run_crash(crashes[i].name, crashes[i].arg);
        CHECK(st >= 0 && WIFSIGNALED(st) && !WIFEXITED(st));
        CHECK_STATUS(st, crashes[i].want);
        printf("%s%s%s: %s\n", crashes[i].name, crashes[i].arg ? " " : "",
               crashes[i].arg ? crashes[i].arg : "", status_str(st));
        CHECK(echo_through(in[1], out[0], "sibling still alive\n"));
    }

    /* Spinning children killed from outside. */
    int kill_sigs[] = {SIGKILL, SIGTERM, SIGUSR1, SIGSEGV};
    for (size_t i = 0; i < sizeof kill_sigs / sizeof kill_sigs[0]; i++) {
        char *spin[] = {"spin", NULL};
        pid_t pid = spawnp("spin", NULL, NULL, spin, NULL);
        CHECK(pid > 0);
        sleep_ms(10);
        CHECK_EQ(waitpid(pid, &st, WNOHANG), 0);
        CHECK_OK(kill(pid, kill_sigs[i]));
        st = wait_for(pid);
        CHECK(st >= 0 && WIFSIGNALED(st) && WTERMSIG(st) == kill_sigs[i]);
        printf("spin + kill(%s): %s\n", sig_name(kill_sigs[i]), status_str(st));
        CHECK(echo_through(in[1], out[0], "sibling still alive\n"));
    }

    /* Several crashing at once. */
    pid_t many[8];
    for (int i = 0; i < 8; i++) {
        char *av[] = {i % 2 ? "crash_segv" : "crash_fpe", NULL};
        many[i] = spawnp(av[0], NULL, NULL, av, NULL);
        CHECK(many[i] > 0);
    }
    int right = 0;
    for (int i = 0; i < 8; i++) {
        st = wait_for(many[i]);
        right += WIFSIGNALED(st) && WTERMSIG(st) == (i % 2 ? SIGSEGV : SIGFPE);
    }
    CHECK_EQ(right, 8);
    printf("8 crashing at once: %d with the right signal\n", right);

    /* The parent goes on: normal children are fine, the sibling too. */
    char *empty[] = {"empty", NULL};
    CHECK_STATUS(run(empty), "exited 0");
    char *ex[] = {"exit_with", "7", NULL};
    CHECK_STATUS(run(ex), "exited 7");
    CHECK(echo_through(in[1], out[0], "after\n"));
    CHECK_OK(close(in[1]));
    char buf[64];
    CHECK_EQ(read_all(out[0], buf, sizeof buf), 0);
    CHECK_OK(close(out[0]));
    CHECK_STATUS(wait_for(sibling), "exited 0");
    printf("after the crashes: normal children and the sibling are fine\n");
    return test_done();
}
