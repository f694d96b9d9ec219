/* stress_spawn [-n N]: N (10,000 by default) short children (empty), one
 * at a time, then N more with 16 in flight, each status checked; then no
 * child and no descriptor is left. Only a summary is printed, the same for
 * any N (the harness passes a smaller one natively). */
#include "proc.h"

enum { IN_FLIGHT = 16 };

int main(int argc, char **argv) {
    test_init("stress_spawn", argc, argv);
    proc_init();
    long n = 10000;
    for (int i = 2; i + 1 < argc; i++) {
        if (strcmp(argv[i], "-n") == 0) n = atol(argv[i + 1]);
    }
    CHECK(n > 0);
    int base_fd = lowest_free_fd();
    char *empty[] = {"empty", NULL};
    int st;

    /* One at a time. */
    long bad = 0;
    for (long i = 0; i < n; i++) {
        pid_t pid = spawnp("empty", NULL, NULL, empty, NULL);
        if (pid < 0) {
            if (bad++ < 5) fprintf(stderr, "spawn %ld: %s\n", i, errno_name(errno));
            continue;
        }
        st = wait_for(pid);
        if (st != 0 && bad++ < 5) fprintf(stderr, "child %ld: %s\n", i, status_str(st));
    }
    CHECK_EQ(bad, 0);
    printf("one at a time: %s\n", bad == 0 ? "every child exited 0" : "FAILURES");

    /* IN_FLIGHT at a time: a new one as soon as one is reaped. */
    pid_t live[IN_FLIGHT];
    int nlive = 0;
    long started = 0, finished = 0, strangers = 0;
    bad = 0;
    while (finished < n) {
        while (nlive < IN_FLIGHT && started < n) {
            started++;
            pid_t pid = spawnp("empty", NULL, NULL, empty, NULL);
            if (pid < 0) {
                if (bad++ < 5) fprintf(stderr, "spawn: %s\n", errno_name(errno));
                finished++;
                continue;
            }
            live[nlive++] = pid;
        }
        if (nlive == 0) break;
        pid_t r;
        do {
            r = waitpid(-1, &st, 0);
        } while (r < 0 && errno == EINTR);
        if (r < 0) {
            bad++;
            fprintf(stderr, "waitpid: %s\n", errno_name(errno));
            break;
        }
        int k = -1;
        for (int i = 0; i < nlive; i++) {
            if (live[i] == r) k = i;
        }
        if (k < 0) {
            strangers++;
            continue;
        }
        live[k] = live[--nlive];
        finished++;
        if (st != 0 && bad++ < 5) fprintf(stderr, "child: %s\n", status_str(st));
    }
    CHECK_EQ(bad, 0);
    CHECK_EQ(strangers, 0);
    CHECK_EQ(finished, n);
    printf("%d in flight: %s\n", IN_FLIGHT, bad == 0 && finished == n ? "every child exited 0" : "FAILURES");

    /* Nothing left behind. */
    CHECK_ERR(waitpid(-1, &st, WNOHANG), ECHILD);
    CHECK_EQ(lowest_free_fd(), base_fd);
    printf("afterwards: no child left, no descriptor leaked\n");
    return test_done();
}
