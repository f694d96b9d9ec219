/*
 * spawn_and_exit_latency: N x (posix_spawn of an empty program + waitpid),
 * timed with CLOCK_MONOTONIC. argv[1] is the empty program, argv[2] N.
 * Prints microseconds per spawn+exit+wait.
 */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: spawn EMPTY [N]\n");
        return 2;
    }
    long n = argc > 2 ? atol(argv[2]) : 5000;
    char *args[] = {argv[1], NULL};
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (long i = 0; i < n; i++) {
        pid_t pid;
        int st;
        if (posix_spawn(&pid, argv[1], NULL, NULL, args, environ) != 0) {
            perror("posix_spawn");
            return 1;
        }
        if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
            fprintf(stderr, "spawn: child failed\n");
            return 1;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("%.2f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / 1e3 / n);
    return 0;
}
