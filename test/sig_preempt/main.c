/* sig_preempt: a signal handler that runs while the program spins in a
 * loop without system calls (in the LibOS: at a preemption point inside
 * the loop), and that itself loops long enough to reach preemption points
 * of its own, must leave the interrupted loop's values alone. The same
 * deterministic computation is repeated while a child sends SIGUSR1 every
 * 20 ms; every repetition must give the same result.
 *
 * In the LibOS both loops keep their loop-carried values in scratch
 * globals around the preemption call (sfi/preempt): a handler run inside
 * that call used to overwrite the interrupted loop's saved values. */
#include "proc.h"

static volatile sig_atomic_t hits;
static volatile unsigned long long sink;
/* Read at every repetition, so the compiler cannot know they agree. */
static volatile unsigned long long seed = 1;

static void on_usr1(int sig) {
    unsigned long long x = 88172645463325252ull, y = (unsigned)sig;
    for (int i = 0; i < 3000000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        y += x;
    }
    sink = y;
    hits++;
}

static unsigned long long chunk(unsigned n) {
    unsigned long long a = seed, b = 2, c = 3, d = 4;
    for (unsigned i = 0; i < n; i++) {
        a = a * 6364136223846793005ull + 1442695040888963407ull;
        b ^= a >> 17;
        c += b * 31;
        d = (d << 7) ^ (d >> 3) ^ c;
    }
    return a ^ b ^ c ^ d;
}

int main(int argc, char **argv) {
    test_init("sig_preempt", argc, argv);
    proc_init();
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    CHECK_OK(sigaction(SIGUSR1, &sa, NULL));

    const unsigned n = 2000000;
    unsigned long long ref = chunk(n);
    int in[2];
    CHECK_OK(pipe(in));
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_addclose(&fa, in[0]);
    posix_spawn_file_actions_addclose(&fa, in[1]);
    char *sp[] = {"signal_parent", "USR1", NULL};
    pid_t pid = spawnp("signal_parent", &fa, NULL, sp, NULL);
    posix_spawn_file_actions_destroy(&fa);
    CHECK(pid > 0);
    CHECK_OK(close(in[0]));

    int differ = 0, rounds = 0;
    while (hits < 10 && rounds < 3000) {
        if (chunk(n) != ref) differ++;
        rounds++;
    }
    CHECK_OK(close(in[1]));
    int st = wait_for(pid);
    CHECK_STATUS(st, "exited 0");
    CHECK(hits >= 10);
    CHECK_EQ(differ, 0);
    printf("result %llx; every repetition agreed while a handler ran at least 10 times\n", ref);
    return test_done();
}
