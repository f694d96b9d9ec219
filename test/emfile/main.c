/* emfile: with no descriptor free below RLIMIT_NOFILE, every call that
 * allocates one fails as on Linux (security finding 8): dup, pipe, pipe2
 * and open with EMFILE — open creating nothing, because the descriptor is
 * found first — fcntl(F_DUPFD) with EINVAL when its minimum is not below
 * the limit and EMFILE otherwise, dup2 and dup3 onto a descriptor not
 * below the limit with EBADF. First with the limit at 0, then with a full
 * table under a higher one; raising the limit again makes room. */
#define _GNU_SOURCE
#include <sys/resource.h>
#include <sys/stat.h>

#include "proc.h"

static int exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

/* full checks every descriptor-allocating call with no room below limit. */
static void full(int fd, int limit) {
    int p[2] = {-1, -1};
    CHECK_ERR(dup(fd), EMFILE);
    CHECK_ERR(pipe(p), EMFILE);
    CHECK_ERR(pipe2(p, O_CLOEXEC), EMFILE);
    CHECK(p[0] == -1 && p[1] == -1);
    CHECK_ERR(open(P("f"), O_RDONLY), EMFILE);
    CHECK_ERR(open(P("missing"), O_RDONLY), EMFILE);
    CHECK_ERR(open(P("new"), O_WRONLY | O_CREAT, 0644), EMFILE);
    CHECK(!exists(P("new")));
    CHECK_ERR(fcntl(fd, F_DUPFD, limit), EINVAL);
    CHECK_ERR(fcntl(fd, F_DUPFD_CLOEXEC, limit + 5), EINVAL);
    if (limit > 0) {
        CHECK_ERR(fcntl(fd, F_DUPFD, 0), EMFILE);
        CHECK_ERR(fcntl(fd, F_DUPFD_CLOEXEC, limit - 1), EMFILE);
    }
    CHECK_ERR(fcntl(fd + 1000, F_DUPFD, limit), EBADF);
    CHECK_ERR(dup2(fd, limit), EBADF);
    CHECK_ERR(dup2(fd, limit + 100), EBADF);
    CHECK_ERR(dup3(fd, limit, 0), EBADF);
    CHECK_ERR(dup3(fd, limit + 100, O_CLOEXEC), EBADF);
    CHECK_EQ(dup2(fd, fd), fd);
    /* What is open stays usable. */
    CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
    char c;
    CHECK_EQ(read(fd, &c, 1), 1);
}

int main(int argc, char **argv) {
    test_init("emfile", argc, argv);
    CHECK_OK(write_file(P("f"), "x"));
    int fd = open(P("f"), O_RDONLY);
    CHECK(fd >= 0);
    struct rlimit old;
    CHECK_OK(getrlimit(RLIMIT_NOFILE, &old));

    struct rlimit rl = {0, old.rlim_max};
    CHECK_OK(setrlimit(RLIMIT_NOFILE, &rl));
    full(fd, 0);
    CHECK_ERR(fcntl(fd, F_DUPFD, 0), EINVAL); /* not EMFILE: 0 is not below 0 */
    printf("RLIMIT_NOFILE 0: EMFILE, EINVAL for F_DUPFD, EBADF for dup2/dup3\n");

    /* Every descriptor below the limit open. */
    int limit = lowest_free_fd();
    rl.rlim_cur = (rlim_t)limit;
    CHECK_OK(setrlimit(RLIMIT_NOFILE, &rl));
    CHECK(fd < limit);
    full(fd, limit);
    printf("a full table: the same, and EMFILE for F_DUPFD below the limit\n");

    /* Room again. */
    CHECK_OK(setrlimit(RLIMIT_NOFILE, &old));
    int d = dup(fd);
    CHECK_EQ(d, limit);
    int p[2];
    CHECK_OK(pipe(p));
    int n = open(P("new"), O_WRONLY | O_CREAT, 0644);
    CHECK(n >= 0 && exists(P("new")));
    int all[] = {d, p[0], p[1], n, fd};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) CHECK_OK(close(all[i]));
    printf("limit raised: dup, pipe and open work again\n");
    return test_done();
}
