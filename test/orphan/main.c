/* orphan: a child (orphan_parent) spawns a grandchild (orphan_child) and
 * exits without waiting for it. The grandchild sees its parent first, then
 * a different one once the parent is gone: inside the LibOS the root
 * process (pid 1, this program), natively init or a subreaper, so the
 * native check is only "not the old parent any more". The grandchild
 * reports through a pipe; nothing here waits for it (natively it is not
 * our child). */
#include "proc.h"

int main(int argc, char **argv) {
    test_init("orphan", argc, argv);
    proc_init();

    int p[2];
    CHECK_OK(pipe(p));
    CHECK_OK(fcntl(p[0], F_SETFD, FD_CLOEXEC));
    char w[16];
    snprintf(w, sizeof w, "%d", p[1]);
    char *av[] = {"orphan_parent", w, NULL};
    pid_t pid = spawnp("orphan_parent", NULL, NULL, av, NULL);
    CHECK(pid > 0);
    CHECK_OK(close(p[1]));
    int st = wait_for(pid);
    CHECK_STATUS(st, "exited 0");
    printf("the parent exited without waiting: %s\n", status_str(st));

    int rec[3] = {0, 0, 0};
    size_t got = 0;
    while (got < sizeof rec) {
        ssize_t r = read(p[0], (char *)rec + got, sizeof rec - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += (size_t)r;
    }
    CHECK_EQ(got, sizeof rec);
    char c;
    CHECK_EQ(read(p[0], &c, 1), 0);
    CHECK_OK(close(p[0]));
    CHECK_EQ(rec[0], 1);
    CHECK_EQ(rec[1], 1);
    CHECK(rec[2] != pid);
    /* Inside the LibOS this program is the root process, pid 1, and the
     * orphan's new parent. */
    CHECK(getpid() != 1 || rec[2] == 1);
    printf("grandchild's first parent: %s\n", rec[0] ? "its spawner" : "OTHER");
    printf("after its parent exited: %s\n", rec[1] ? "re-parented" : "NOT re-parented");
    return test_done();
}
