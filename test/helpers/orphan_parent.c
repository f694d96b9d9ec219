/* orphan_parent WFD: spawns orphan_child (through PATH) with WFD, a sync
 * pipe and its own pid, waits until the child has checked that its parent
 * is this process, and exits 0 without waiting for it: the child becomes
 * an orphan. */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    int sync[2];
    if (pipe(sync) != 0) return 3;
    char me[16], s[16];
    snprintf(me, sizeof me, "%d", (int)getpid());
    snprintf(s, sizeof s, "%d", sync[1]);
    char *av[] = {"orphan_child", argv[1], s, me, NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addclose(&fa, sync[0]);
    pid_t pid;
    if (posix_spawnp(&pid, "orphan_child", &fa, NULL, av, environ) != 0) return 4;
    close(sync[1]);
    char c;
    if (read(sync[0], &c, 1) != 1) return 5;
    return 0;
}
