/*
 * sockbench: two processes over a loopback socket.
 *   sockbench ping tcp|unix N           N 1-byte round trips; prints µs per round trip
 *   sockbench stream tcp|unix TOTAL CHUNK
 *                                       TOTAL bytes in CHUNK-byte writes; prints MiB/s
 * The parent listens (127.0.0.1 on a port the system picks, or a UNIX
 * path in /tmp) and spawns itself as the peer ("sockbench peer ...").
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static void die(const char *what) {
    perror(what);
    exit(1);
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static int dial(const char *kind, const char *where) {
    int s;
    if (strcmp(kind, "tcp") == 0) {
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(where))};
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        s = socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (connect(s, (struct sockaddr *)&a, sizeof a) != 0)
            die("connect");
    } else {
        struct sockaddr_un a = {.sun_family = AF_UNIX};
        strncpy(a.sun_path, where, sizeof a.sun_path - 1);
        s = socket(AF_UNIX, SOCK_STREAM, 0);
        if (connect(s, (struct sockaddr *)&a, sizeof a) != 0)
            die("connect");
    }
    return s;
}

static int peer(int argc, char **argv) {
    /* peer KIND WHERE ping N | peer KIND WHERE stream TOTAL CHUNK */
    if (argc < 6)
        return 2;
    int s = dial(argv[2], argv[3]);
    if (strcmp(argv[4], "ping") == 0) {
        long n = atol(argv[5]);
        char c;
        for (long i = 0; i < n; i++) {
            if (read(s, &c, 1) != 1 || write(s, &c, 1) != 1)
                die("peer ping");
        }
    } else {
        long long total = atoll(argv[5]);
        size_t chunk = (size_t)atol(argv[6]);
        char *buf = malloc(chunk);
        memset(buf, 'x', chunk);
        while (total > 0) {
            ssize_t w = write(s, buf, total < (long long)chunk ? (size_t)total : chunk);
            if (w <= 0)
                die("peer write");
            total -= w;
        }
    }
    close(s);
    return 0;
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "peer") == 0)
        return peer(argc, argv);
    if (argc < 4) {
        fprintf(stderr, "usage: sockbench ping tcp|unix N | stream tcp|unix TOTAL CHUNK\n");
        return 2;
    }
    const char *mode = argv[1], *kind = argv[2];
    int l;
    char where[108];
    if (strcmp(kind, "tcp") == 0) {
        struct sockaddr_in a = {.sin_family = AF_INET};
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        l = socket(AF_INET, SOCK_STREAM, 0);
        if (bind(l, (struct sockaddr *)&a, sizeof a) != 0)
            die("bind");
        socklen_t len = sizeof a;
        getsockname(l, (struct sockaddr *)&a, &len);
        snprintf(where, sizeof where, "%d", ntohs(a.sin_port));
    } else {
        struct sockaddr_un a = {.sun_family = AF_UNIX};
        snprintf(where, sizeof where, "/tmp/sockbench.%d", (int)getpid());
        unlink(where);
        strcpy(a.sun_path, where);
        l = socket(AF_UNIX, SOCK_STREAM, 0);
        if (bind(l, (struct sockaddr *)&a, sizeof a) != 0)
            die("bind");
    }
    if (listen(l, 8) != 0)
        die("listen");
    char *args[8] = {argv[0], "peer", (char *)kind, where, (char *)mode, argv[3], argc > 4 ? argv[4] : NULL, NULL};
    pid_t pid;
    if (posix_spawn(&pid, argv[0], NULL, NULL, args, environ) != 0)
        die("posix_spawn");
    int s = accept(l, NULL, NULL);
    if (s < 0)
        die("accept");
    if (strcmp(kind, "tcp") == 0) {
        int one = 1;
        setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    double t0 = now(), result;
    if (strcmp(mode, "ping") == 0) {
        long n = atol(argv[3]);
        char c = 'p';
        for (long i = 0; i < n; i++) {
            if (write(s, &c, 1) != 1 || read(s, &c, 1) != 1)
                die("ping");
        }
        result = (now() - t0) * 1e6 / (double)n;
    } else {
        long long total = atoll(argv[3]), got = 0;
        size_t chunk = (size_t)atol(argv[4]);
        char *buf = malloc(chunk);
        for (;;) {
            ssize_t r = read(s, buf, chunk);
            if (r < 0)
                die("read");
            if (r == 0)
                break;
            got += r;
        }
        if (got != total) {
            fprintf(stderr, "got %lld of %lld bytes\n", got, total);
            return 1;
        }
        result = (double)total / (1 << 20) / (now() - t0);
    }
    int st;
    if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "sockbench: the peer failed\n");
        return 1;
    }
    if (strcmp(kind, "unix") == 0)
        unlink(where);
    printf("%.2f\n", result);
    return 0;
}
