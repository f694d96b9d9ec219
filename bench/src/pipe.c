/*
 * pipe_throughput: writes TOTAL bytes through a pipe to a child (SINK,
 * reading its stdin to EOF) in CHUNK-byte writes. argv: SINK CHUNK TOTAL.
 * Prints MiB/s, from the first write to the child's exit.
 */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: pipe SINK CHUNK TOTAL\n");
        return 2;
    }
    size_t chunk = (size_t)atol(argv[2]);
    long long total = atoll(argv[3]);
    char *buf = malloc(chunk);
    if (!buf)
        return 1;
    memset(buf, 'x', chunk);
    int fds[2];
    if (pipe(fds) != 0) {
        perror("pipe");
        return 1;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[0], 0);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    posix_spawn_file_actions_addclose(&fa, fds[1]);
    char *args[] = {argv[1], argv[3], NULL};
    pid_t pid;
    if (posix_spawn(&pid, argv[1], &fa, NULL, args, environ) != 0) {
        perror("posix_spawn");
        return 1;
    }
    close(fds[0]);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (long long left = total; left > 0;) {
        size_t n = left < (long long)chunk ? (size_t)left : chunk;
        ssize_t w = write(fds[1], buf, n);
        if (w <= 0) {
            perror("write");
            return 1;
        }
        left -= w;
    }
    close(fds[1]);
    int st;
    if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "pipe: sink failed\n");
        return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    double s = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
    printf("%.1f\n", total / s / (1 << 20));
    return 0;
}
