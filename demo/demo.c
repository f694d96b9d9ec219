/*
 * The built-in demo: an ordinary C program that uses files, directories,
 * the environment, its arguments, clocks and random numbers. Built with
 * occlum-gcc it runs unchanged inside the LibOS; built with cc it runs on
 * Linux. Each step prints what it did; any failure exits non-zero.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int failures;

#define CHECK(cond, ...)                                              \
    do {                                                              \
        if (!(cond)) {                                                \
            fprintf(stderr, "demo: FAILED: " __VA_ARGS__);            \
            fprintf(stderr, " (%s)\n", strerror(errno));              \
            failures++;                                               \
        }                                                             \
    } while (0)

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "/tmp/demo";

    printf("== arguments: %d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("   argv[%d] = %s\n", i, argv[i]);

    const char *who = getenv("OCCLUM");
    printf("== environment: OCCLUM=%s\n", who ? who : "(unset)");

    printf("== files and directories under %s\n", dir);
    CHECK(mkdir(dir, 0755) == 0 || errno == EEXIST, "mkdir %s", dir);
    char path[512];
    snprintf(path, sizeof path, "%s/greeting.txt", dir);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL, "create %s", path);
    if (f) {
        fprintf(f, "Hello from inside the LibOS\n");
        fclose(f);
    }
    char line[128] = {0};
    f = fopen(path, "r");
    CHECK(f && fgets(line, sizeof line, f), "read back %s", path);
    if (f) fclose(f);
    printf("   wrote and read back: %s", line);

    char sub[512];
    snprintf(sub, sizeof sub, "%s/sub", dir);
    CHECK(mkdir(sub, 0755) == 0 || errno == EEXIST, "mkdir %s", sub);
    char moved[512];
    snprintf(moved, sizeof moved, "%s/sub/moved.txt", dir);
    CHECK(rename(path, moved) == 0, "rename to %s", moved);
    struct stat st;
    CHECK(stat(moved, &st) == 0 && st.st_size == 28, "stat %s", moved);
    printf("   renamed into sub/: %lld bytes\n", (long long)st.st_size);

    DIR *d = opendir(sub);
    CHECK(d != NULL, "opendir %s", sub);
    int n = 0;
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL)
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
                printf("   sub/ has: %s\n", e->d_name), n++;
        closedir(d);
    }
    CHECK(n == 1, "expected one entry in %s, got %d", sub, n);
    CHECK(unlink(moved) == 0 && rmdir(sub) == 0, "clean up %s", sub);

    printf("== time\n");
    struct timespec t0, t1, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct timespec nap = {0, 10 * 1000 * 1000};
    nanosleep(&nap, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long slept_us = (t1.tv_sec - t0.tv_sec) * 1000000L + (t1.tv_nsec - t0.tv_nsec) / 1000;
    CHECK(slept_us >= 10000, "nanosleep(10ms) slept only %ld us", slept_us);
    clock_gettime(CLOCK_REALTIME, &now);
    char when[64];
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", gmtime(&now.tv_sec));
    printf("   it is %s; a 10 ms nap took %ld us\n", when, slept_us);

    printf("== random numbers\n");
    unsigned char a[16], b[16];
    CHECK(getentropy(a, sizeof a) == 0, "getentropy");
    int fd = open("/dev/urandom", O_RDONLY);
    CHECK(fd >= 0 && read(fd, b, sizeof b) == (ssize_t)sizeof b, "read /dev/urandom");
    if (fd >= 0) close(fd);
    CHECK(memcmp(a, b, sizeof a) != 0, "two random draws are equal");
    printf("   getentropy: %02x%02x%02x%02x..., /dev/urandom: %02x%02x%02x%02x...\n",
           a[0], a[1], a[2], a[3], b[0], b[1], b[2], b[3]);

    if (failures) {
        printf("== demo: %d check(s) failed\n", failures);
        return 1;
    }
    printf("== demo: all checks passed\n");
    return 0;
}
