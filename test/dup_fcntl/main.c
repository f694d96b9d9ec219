/* dup_fcntl: dup (lowest free descriptor, shared offset and status flags,
 * FD_CLOEXEC cleared), dup2 (onto an open descriptor, onto itself), dup3
 * (O_CLOEXEC, EINVAL for the same descriptor or bad flags), fcntl
 * (F_GETFD/F_SETFD, F_GETFL/F_SETFL with O_APPEND and O_NONBLOCK, F_DUPFD
 * and F_DUPFD_CLOEXEC with a minimum), EBADF and EINVAL cases, and
 * FD_CLOEXEC descriptors not reaching a spawned child. Descriptor numbers
 * are compared, never printed: natively and in the LibOS (whose WASI
 * preopens take some) they differ. */
#define _GNU_SOURCE
#include <sys/stat.h>

#include "proc.h"

int main(int argc, char **argv) {
    test_init("dup_fcntl", argc, argv);
    proc_init();
    char buf[64];

    int fd = open(P("f"), O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0);

    /* dup: the lowest free descriptor, the same open file. */
    int low = lowest_free_fd();
    int d = dup(fd);
    CHECK_EQ(d, low);
    CHECK(d != fd);
    CHECK_EQ(write(fd, "abc", 3), 3);
    CHECK_EQ(lseek(d, 0, SEEK_CUR), 3);
    CHECK_EQ(write(d, "def", 3), 3);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 6);
    CHECK_STR(content(P("f")), "abcdef");
    /* A freed lower number is reused. */
    int d2 = dup(fd);
    CHECK_OK(close(d));
    CHECK_EQ(dup(fd), d);
    CHECK_OK(close(d2));
    printf("dup: lowest free descriptor, shared offset\n");

    /* FD_CLOEXEC belongs to the descriptor, not the file; dup clears it. */
    CHECK_EQ(fcntl(fd, F_GETFD), 0);
    CHECK_OK(fcntl(fd, F_SETFD, FD_CLOEXEC));
    CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
    CHECK_EQ(fcntl(d, F_GETFD), 0);
    d2 = dup(fd);
    CHECK_EQ(fcntl(d2, F_GETFD), 0);
    CHECK_OK(close(d2));
    CHECK_OK(fcntl(fd, F_SETFD, 0));
    CHECK_EQ(fcntl(fd, F_GETFD), 0);
    printf("FD_CLOEXEC: per descriptor, cleared by dup\n");

    /* dup2 onto an open descriptor closes that one first. */
    int g = open(P("g"), O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK(g >= 0);
    CHECK_EQ(write(g, "g", 1), 1);
    CHECK_OK(fcntl(g, F_SETFD, FD_CLOEXEC));
    CHECK_EQ(dup2(fd, g), g);
    CHECK_EQ(fcntl(g, F_GETFD), 0);
    CHECK_EQ(write(g, "X", 1), 1);
    CHECK_STR(content(P("f")), "abcdefX");
    CHECK_STR(content(P("g")), "g");
    /* dup2 onto itself: nothing changes, FD_CLOEXEC included. */
    CHECK_OK(fcntl(g, F_SETFD, FD_CLOEXEC));
    CHECK_EQ(dup2(g, g), g);
    CHECK_EQ(fcntl(g, F_GETFD), FD_CLOEXEC);
    CHECK_OK(close(g));
    CHECK_ERR(dup2(g, g), EBADF);
    /* dup2 to a free high number. */
    CHECK_EQ(dup2(fd, 200), 200);
    CHECK_EQ(lseek(200, 0, SEEK_CUR), 7);
    CHECK_OK(close(200));
    printf("dup2: onto an open descriptor, onto itself, to a free number\n");

    /* dup3. */
    CHECK_EQ(dup3(fd, 60, O_CLOEXEC), 60);
    CHECK_EQ(fcntl(60, F_GETFD), FD_CLOEXEC);
    CHECK_EQ(dup3(fd, 60, 0), 60);
    CHECK_EQ(fcntl(60, F_GETFD), 0);
    CHECK_ERR(dup3(fd, fd, 0), EINVAL);
    CHECK_ERR(dup3(fd, fd, O_CLOEXEC), EINVAL);
    CHECK_ERR(dup3(fd, 61, O_NONBLOCK), EINVAL);
    CHECK(!fd_is_open(61));
    CHECK_OK(close(60));
    printf("dup3: O_CLOEXEC; EINVAL for the same descriptor or other flags\n");

    /* F_DUPFD and F_DUPFD_CLOEXEC: the lowest free at or above the
     * minimum. */
    CHECK_EQ(fcntl(fd, F_DUPFD, 100), 100);
    CHECK_EQ(fcntl(fd, F_DUPFD, 100), 101);
    CHECK_EQ(fcntl(100, F_GETFD), 0);
    CHECK_EQ(fcntl(fd, F_DUPFD_CLOEXEC, 100), 102);
    CHECK_EQ(fcntl(102, F_GETFD), FD_CLOEXEC);
    CHECK_OK(close(101));
    CHECK_EQ(fcntl(fd, F_DUPFD, 100), 101);
    low = lowest_free_fd();
    CHECK_EQ(fcntl(fd, F_DUPFD, 0), low);
    CHECK_OK(close(low));
    CHECK_ERR(fcntl(fd, F_DUPFD, -1), EINVAL);
    for (int i = 100; i <= 102; i++) CHECK_OK(close(i));
    printf("F_DUPFD, F_DUPFD_CLOEXEC: lowest free at or above the minimum\n");

    /* F_GETFL: the access mode. */
    int ro = open(P("f"), O_RDONLY), wo = open(P("f"), O_WRONLY);
    CHECK(ro >= 0 && wo >= 0);
    CHECK_EQ(fcntl(ro, F_GETFL) & O_ACCMODE, O_RDONLY);
    CHECK_EQ(fcntl(wo, F_GETFL) & O_ACCMODE, O_WRONLY);
    CHECK_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
    CHECK_EQ(fcntl(fd, F_GETFL) & (O_APPEND | O_NONBLOCK), 0);
    /* F_SETFL O_APPEND: writes go to the end; shared with dups (the
     * status flags belong to the open file). */
    CHECK_OK(fcntl(d, F_SETFL, O_APPEND));
    CHECK((fcntl(fd, F_GETFL) & O_APPEND) != 0);
    CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
    CHECK_EQ(write(fd, "Y", 1), 1);
    CHECK_STR(content(P("f")), "abcdefXY");
    CHECK_OK(fcntl(fd, F_SETFL, 0));
    CHECK_EQ(fcntl(d, F_GETFL) & O_APPEND, 0);
    CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
    CHECK_EQ(write(fd, "Z", 1), 1);
    CHECK_STR(content(P("f")), "ZbcdefXY");
    /* F_SETFL cannot change the access mode. */
    CHECK_OK(fcntl(ro, F_SETFL, O_RDWR));
    CHECK_EQ(fcntl(ro, F_GETFL) & O_ACCMODE, O_RDONLY);
    CHECK_ERR(write(ro, "x", 1), EBADF);
    /* An O_APPEND open shows in F_GETFL. */
    int ap = open(P("f"), O_WRONLY | O_APPEND);
    CHECK((fcntl(ap, F_GETFL) & O_APPEND) != 0);
    CHECK_OK(close(ap));
    CHECK_OK(close(ro));
    CHECK_OK(close(wo));
    printf("F_GETFL/F_SETFL: access mode, O_APPEND shared with dups\n");

    /* F_SETFL O_NONBLOCK on a pipe. */
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_EQ(fcntl(p[0], F_GETFL) & O_ACCMODE, O_RDONLY);
    CHECK_EQ(fcntl(p[1], F_GETFL) & O_ACCMODE, O_WRONLY);
    CHECK_OK(fcntl(p[0], F_SETFL, O_NONBLOCK));
    CHECK((fcntl(p[0], F_GETFL) & O_NONBLOCK) != 0);
    CHECK_ERR(read(p[0], buf, 1), EAGAIN);
    CHECK_EQ(write(p[1], "q", 1), 1);
    CHECK_EQ(read(p[0], buf, 1), 1);
    CHECK_OK(fcntl(p[0], F_SETFL, 0));
    CHECK_EQ(fcntl(p[0], F_GETFL) & O_NONBLOCK, 0);
    printf("F_SETFL O_NONBLOCK on a pipe: EAGAIN, then cleared\n");

    /* EBADF and EINVAL. */
    int closed = dup(fd);
    CHECK_OK(close(closed));
    CHECK_ERR(close(closed), EBADF);
    CHECK_ERR(close(-1), EBADF);
    CHECK_ERR(dup(closed), EBADF);
    CHECK_ERR(dup(-1), EBADF);
    CHECK_ERR(dup2(closed, 150), EBADF);
    CHECK(!fd_is_open(150));
    CHECK_ERR(dup2(fd, -1), EBADF);
    CHECK_ERR(dup2(fd, INT_MAX), EBADF);
    CHECK_ERR(dup3(closed, 150, 0), EBADF);
    CHECK_ERR(fcntl(closed, F_GETFD), EBADF);
    CHECK_ERR(fcntl(closed, F_SETFD, FD_CLOEXEC), EBADF);
    CHECK_ERR(fcntl(closed, F_GETFL), EBADF);
    CHECK_ERR(fcntl(closed, F_DUPFD, 0), EBADF);
    CHECK_ERR(fcntl(-1, F_GETFL), EBADF);
    CHECK_ERR(read(closed, buf, 1), EBADF);
    CHECK_ERR(write(closed, "x", 1), EBADF);
    CHECK_ERR(fcntl(fd, 12345), EINVAL);
    printf("closed descriptors: EBADF; unknown fcntl command: EINVAL\n");

    /* A spawned child gets the descriptors without FD_CLOEXEC only. */
    int plain = open(P("f"), O_RDONLY);
    int ocloexec = open(P("f"), O_RDONLY | O_CLOEXEC);
    int dup3c = dup3(plain, 70, O_CLOEXEC);
    int dupfdc = fcntl(plain, F_DUPFD_CLOEXEC, 0);
    int setfd = dup(plain);
    CHECK_OK(fcntl(setfd, F_SETFD, FD_CLOEXEC));
    int cleared = dup(plain);
    CHECK_OK(fcntl(cleared, F_SETFD, FD_CLOEXEC));
    CHECK_OK(fcntl(cleared, F_SETFD, 0));
    int pc[2];
    CHECK_OK(pipe2(pc, O_CLOEXEC));
    CHECK_EQ(fcntl(pc[0], F_GETFD), FD_CLOEXEC);
    CHECK(plain >= 0 && ocloexec >= 0 && dup3c == 70 && dupfdc >= 0 && setfd >= 0 && cleared >= 0);
    char a[8][32];
    snprintf(a[0], 32, "plain=%d", plain);
    snprintf(a[1], 32, "O_CLOEXEC=%d", ocloexec);
    snprintf(a[2], 32, "dup3_O_CLOEXEC=%d", dup3c);
    snprintf(a[3], 32, "F_DUPFD_CLOEXEC=%d", dupfdc);
    snprintf(a[4], 32, "F_SETFD=%d", setfd);
    snprintf(a[5], 32, "F_SETFD_cleared=%d", cleared);
    snprintf(a[6], 32, "pipe2_O_CLOEXEC=%d", pc[0]);
    snprintf(a[7], 32, "plain_pipe=%d", p[1]);
    char *av[] = {"fdcheck", a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], NULL};
    printf("in a spawned child:\n");
    CHECK_STATUS(run(av), "exited 0");
    /* The caller's own descriptors are all still open. */
    CHECK(fd_is_open(ocloexec) && fd_is_open(dup3c) && fd_is_open(dupfdc) && fd_is_open(pc[0]));

    int all[] = {plain, ocloexec, dup3c, dupfdc, setfd, cleared, pc[0], pc[1], p[0], p[1], d, fd};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) CHECK_OK(close(all[i]));
    return test_done();
}
