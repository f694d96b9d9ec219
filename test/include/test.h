/*
 * test.h - the assertions shared by the C test programs in test/.
 *
 * Every program takes its working directory as argv[1] (or the
 * OCCLUM_TEST_DIR environment variable): natively a fresh temporary
 * directory, inside the LibOS /tmp or a directory under /host. It creates its
 * files there, checks results with CHECK*, prints deterministic facts on
 * stdout (no inode numbers, times, random bytes or host paths), reports each
 * failure on stderr with its line, and exits with test_done(): 0 when every
 * check passed, 1 otherwise. The same source builds with cc and occlum-gcc;
 * the harness (test/oracle_test.go) compares the two stdouts.
 */
#ifndef OCCLUM_TEST_H
#define OCCLUM_TEST_H

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

#define TEST_UNUSED __attribute__((unused))

static int test_checks;
static int test_failures;
static const char *test_name = "test";
static const char *test_dir = "/tmp";

/* errno_name gives a stable name: numbers and strerror texts differ between
 * glibc and wasi-libc. */
TEST_UNUSED static const char *errno_name(int e) {
    switch (e) {
    case 0: return "0";
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case EIO: return "EIO";
    case EBADF: return "EBADF";
    case EACCES: return "EACCES";
    case EEXIST: return "EEXIST";
    case EXDEV: return "EXDEV";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case EINVAL: return "EINVAL";
    case EMFILE: return "EMFILE";
    case EFBIG: return "EFBIG";
    case ENOSPC: return "ENOSPC";
    case ESPIPE: return "ESPIPE";
    case EROFS: return "EROFS";
    case EMLINK: return "EMLINK";
    case ERANGE: return "ERANGE";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case ENOSYS: return "ENOSYS";
    case ENOTEMPTY: return "ENOTEMPTY";
    case ELOOP: return "ELOOP";
    case ENOTSUP: return "ENOTSUP";
    case EFAULT: return "EFAULT";
    case EAGAIN: return "EAGAIN";
    case EINTR: return "EINTR";
    case ECHILD: return "ECHILD";
    case ESRCH: return "ESRCH";
    case EPIPE: return "EPIPE";
    case ENOEXEC: return "ENOEXEC";
    case E2BIG: return "E2BIG";
    case ENOTTY: return "ENOTTY";
    case EDEADLK: return "EDEADLK";
#ifdef ENOTCAPABLE
    case ENOTCAPABLE: return "ENOTCAPABLE";
#endif
    default: return "E?";
    }
}

TEST_UNUSED static void test_fail(const char *file, int line, const char *what, int err) {
    test_failures++;
    fprintf(stderr, "FAIL %s:%d: %s: %s (errno %s)\n", file, line, test_name, what,
            errno_name(err));
}

/* CHECK(cond): cond must hold. */
#define CHECK(cond)                                                   \
    do {                                                              \
        int ok_ = (cond);                                             \
        int e_ = errno;                                               \
        test_checks++;                                                \
        if (!ok_) test_fail(__FILE__, __LINE__, #cond, e_);           \
    } while (0)

/* CHECK_OK(call): call must return 0 or more (a POSIX success). */
#define CHECK_OK(call)                                                \
    do {                                                              \
        errno = 0;                                                    \
        long r_ = (long)(call);                                       \
        int e_ = errno;                                               \
        test_checks++;                                                \
        if (r_ < 0) test_fail(__FILE__, __LINE__, #call " failed", e_); \
    } while (0)

/* CHECK_ERR(call, err): call must fail with -1 and errno err. */
#define CHECK_ERR(call, err)                                                       \
    do {                                                                           \
        errno = 0;                                                                 \
        long r_ = (long)(call);                                                    \
        int e_ = errno;                                                            \
        test_checks++;                                                             \
        if (r_ != -1 || e_ != (err)) {                                             \
            char m_[256];                                                          \
            snprintf(m_, sizeof m_, "%.150s returned %ld, want -1 with errno %s",   \
                     #call, r_, errno_name(err));                                  \
            test_fail(__FILE__, __LINE__, m_, e_);                                 \
        }                                                                          \
    } while (0)

/* CHECK_EQ(got, want): integer equality, both values reported. */
#define CHECK_EQ(got, want)                                                        \
    do {                                                                           \
        errno = 0;                                                                 \
        long long g_ = (long long)(got), w_ = (long long)(want);                   \
        int e_ = errno;                                                            \
        test_checks++;                                                             \
        if (g_ != w_) {                                                            \
            char m_[256];                                                          \
            snprintf(m_, sizeof m_, "%.150s = %lld, want %lld", #got, g_, w_);        \
            test_fail(__FILE__, __LINE__, m_, e_);                                 \
        }                                                                          \
    } while (0)

/* CHECK_STR(got, want): string equality. */
#define CHECK_STR(got, want)                                                       \
    do {                                                                           \
        const char *g_ = (got), *w_ = (want);                                      \
        test_checks++;                                                             \
        if (g_ == NULL || strcmp(g_, w_) != 0) {                                   \
            char m_[512];                                                          \
            snprintf(m_, sizeof m_, "%.100s = \"%.150s\", want \"%.150s\"", #got,             \
                     g_ ? g_ : "(null)", w_);                                      \
            test_fail(__FILE__, __LINE__, m_, 0);                                  \
        }                                                                          \
    } while (0)

/* test_init names the test and finds the working directory. */
TEST_UNUSED static void test_init(const char *name, int argc, char **argv) {
    test_name = name;
    if (argc > 1 && argv[1][0] != '\0') {
        test_dir = argv[1];
    } else if (getenv("OCCLUM_TEST_DIR") != NULL) {
        test_dir = getenv("OCCLUM_TEST_DIR");
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
}

/* P returns test_dir/rel. The result lives until 16 more calls. */
TEST_UNUSED static const char *P(const char *rel) {
    static char bufs[16][PATH_MAX];
    static int next;
    char *b = bufs[next++ % 16];
    snprintf(b, PATH_MAX, "%s/%s", test_dir, rel);
    return b;
}

/* test_done prints the summary and returns the exit status. */
TEST_UNUSED static int test_done(void) {
    if (test_failures > 0) {
        printf("%s: %d of %d checks FAILED\n", test_name, test_failures, test_checks);
        return 1;
    }
    printf("%s: all %d checks passed\n", test_name, test_checks);
    return 0;
}

/* write_file replaces path's content with s; 0 on success. */
TEST_UNUSED static int write_file(const char *path, const char *s) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return -1;
    size_t n = strlen(s);
    ssize_t w = write(fd, s, n);
    if (close(fd) != 0 || w != (ssize_t)n) return -1;
    return 0;
}

/* read_file reads up to n-1 bytes of path into buf, NUL-terminated, and
 * returns the count, or -1. */
TEST_UNUSED static ssize_t read_file(const char *path, char *buf, size_t n) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    size_t got = 0;
    while (got + 1 < n) {
        ssize_t r = read(fd, buf + got, n - 1 - got);
        if (r < 0) { close(fd); return -1; }
        if (r == 0) break;
        got += (size_t)r;
    }
    buf[got] = '\0';
    close(fd);
    return (ssize_t)got;
}

/* content returns path's content (up to 4 KiB) or "(unreadable)". The result
 * lives until 8 more calls. */
TEST_UNUSED static const char *content(const char *path) {
    static char bufs[8][4096];
    static int next;
    char *b = bufs[next++ % 8];
    if (read_file(path, b, sizeof bufs[0]) < 0) return "(unreadable)";
    return b;
}

#endif
