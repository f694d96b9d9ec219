/* print_ids PARENT_PID PARENT_PGID: prints how the process's parent and
 * process group relate to the given ones, never the numbers:
 *   ppid: parent | other
 *   pgid: own | parent's | other
 * It exits 2 when getpgid(0) and getpgrp() disagree. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) return 2;
    pid_t ppid = (pid_t)atol(argv[1]), ppgid = (pid_t)atol(argv[2]);
    pid_t pgid = getpgid(0);
    if (pgid != getpgrp()) return 2;
    printf("ppid: %s\n", getppid() == ppid ? "parent" : "other");
    printf("pgid: %s\n", pgid == getpid() ? "own" : pgid == ppgid ? "parent's" : "other");
    return 0;
}
