/* locks: fcntl record locks (POSIX and open-file-description) and flock
 * between processes, as sqlite and other databases use them: conflicts,
 * F_GETLK, conversion, unlocking a part, release on any close and at exit,
 * F_SETLKW waiting for a release, EDEADLK, OFD locks between two open files
 * of one process, flock's own space, and the errors. The other process is
 * the helper locker (test/helpers/locker.c). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "proc.h"

static const char *file;

/* locker runs the helper with op and its arguments and waits for it. */
static void locker(const char *op, const char *a, const char *b, const char *c) {
    char *argv[] = {"locker", (char *)file, (char *)op, (char *)a, (char *)b, (char *)c, NULL};
    pid_t pid = spawnp("locker", NULL, NULL, argv, NULL);
    CHECK(pid > 0);
    int st;
    CHECK_EQ(waitpid(pid, &st, 0), pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static int setlk(int fd, int cmd, short type, off_t start, off_t len) {
    struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
    return fcntl(fd, cmd, &fl);
}

int main(int argc, char **argv) {
    test_init("locks", argc, argv);
    file = P("db");
    CHECK_OK(write_file(file, "0123456789abcdefghij"));
    int fd = open(file, O_RDWR);
    CHECK(fd >= 0);

    /* A write lock over [0,10): others conflict there, not beyond. */
    CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, 0, 10));
    locker("trylock-w", "0", "10", NULL);
    locker("trylock-r", "9", "1", NULL);
    locker("trylock-w", "10", "10", NULL);
    locker("getlk-w", "5", "1", NULL);
    locker("getlk-w", "10", "0", NULL);

    /* Converted to a read lock: readers share, writers still wait. */
    CHECK_OK(setlk(fd, F_SETLK, F_RDLCK, 0, 10));
    locker("trylock-r", "0", "10", NULL);
    locker("trylock-w", "0", "1", NULL);
    /* Unlocking the middle leaves two read locks. */
    CHECK_OK(setlk(fd, F_SETLK, F_UNLCK, 3, 4));
    locker("trylock-w", "3", "4", NULL);
    locker("getlk-w", "0", "0", NULL);
    /* F_GETLK of our own locks: nothing conflicts with its owner. */
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    CHECK_OK(fcntl(fd, F_GETLK, &fl));
    CHECK_EQ(fl.l_type, F_UNLCK);
    printf("F_GETLK of my own locks: F_UNLCK\n");

    /* Closing any descriptor of the file drops the process's locks. */
    int fd2 = open(file, O_RDONLY);
    CHECK(fd2 >= 0);
    CHECK_OK(close(fd2));
    locker("trylock-w", "0", "20", NULL);
    printf("a close of another descriptor released them\n");

    /* F_SETLKW waits for the holder to let go. */
    CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, 0, 0));
    char *wargv[] = {"locker", (char *)file, "wait-w", NULL};
    pid_t w = spawnp("locker", NULL, NULL, wargv, NULL);
    CHECK(w > 0);
    struct timespec ts = {0, 200 * 1000 * 1000};
    nanosleep(&ts, NULL);
    printf("parent: unlocking\n");
    CHECK_OK(setlk(fd, F_SETLK, F_UNLCK, 0, 0));
    int st;
    CHECK_EQ(waitpid(w, &st, 0), w);
    /* ...and its lock went with it when it exited. */
    CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, 0, 0));
    CHECK_OK(setlk(fd, F_SETLK, F_UNLCK, 0, 0));
    printf("the waiter's lock went at its exit\n");

    /* Deadlock: we hold 0, the helper holds 1 and waits for 0; our wait
     * for 1 would never end. */
    CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, 0, 1));
    char *dargv[] = {"locker", (char *)file, "hold-w-then-wait", "1", "1", "0", NULL};
    pid_t d = spawnp("locker", NULL, NULL, dargv, NULL);
    CHECK(d > 0);
    nanosleep(&ts, NULL);
    CHECK_ERR(setlk(fd, F_SETLKW, F_WRLCK, 1, 1), EDEADLK);
    printf("parent: EDEADLK; unlocking\n");
    CHECK_OK(setlk(fd, F_SETLK, F_UNLCK, 0, 1));
    CHECK_EQ(waitpid(d, &st, 0), d);

    /* OFD locks belong to the open file: two opens in one process
     * conflict, and F_OFD_GETLK says pid -1. */
    int a = open(file, O_RDWR), b = open(file, O_RDWR);
    CHECK(a >= 0 && b >= 0);
    CHECK_OK(setlk(a, F_OFD_SETLK, F_WRLCK, 0, 5));
    CHECK_ERR(setlk(b, F_OFD_SETLK, F_WRLCK, 4, 1), EAGAIN);
    struct flock of = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    CHECK_OK(fcntl(b, F_OFD_GETLK, &of));
    CHECK(of.l_type == F_WRLCK && of.l_start == 0 && of.l_len == 5 && of.l_pid == -1);
    locker("trylock-r", "0", "1", NULL);
    CHECK_OK(close(a));
    CHECK_OK(setlk(b, F_OFD_SETLK, F_WRLCK, 4, 1));
    printf("OFD locks: per open file, gone at its close\n");
    CHECK_OK(close(b));

    /* flock: whole-file, per open file, a space of its own. */
    a = open(file, O_RDWR);
    b = open(file, O_RDWR);
    CHECK_OK(flock(a, LOCK_EX));
    CHECK_ERR(flock(b, LOCK_EX | LOCK_NB), EWOULDBLOCK);
    CHECK_ERR(flock(b, LOCK_SH | LOCK_NB), EWOULDBLOCK);
    locker("flock-sh-nb", NULL, NULL, NULL);
    CHECK_OK(setlk(b, F_SETLK, F_WRLCK, 0, 0)); /* record locks do not see it */
    CHECK_OK(setlk(b, F_SETLK, F_UNLCK, 0, 0));
    CHECK_OK(flock(a, LOCK_SH));
    CHECK_OK(flock(b, LOCK_SH | LOCK_NB));
    locker("flock-ex-nb", NULL, NULL, NULL);
    CHECK_OK(flock(a, LOCK_UN));
    CHECK_OK(close(b));
    locker("flock-ex-nb", NULL, NULL, NULL);
    CHECK_OK(close(a));
    printf("flock: exclusive and shared, per open file\n");

    /* Ranges from the end and backwards. */
    CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, 10, -5)); /* [5,10) */
    locker("getlk-w", "0", "0", NULL);
    fl = (struct flock){.l_type = F_WRLCK, .l_whence = SEEK_END, .l_start = -2, .l_len = 1}; /* [18,19) */
    CHECK_OK(fcntl(fd, F_SETLK, &fl));
    locker("trylock-w", "18", "1", NULL);
    locker("trylock-w", "19", "1", NULL);
    CHECK_OK(setlk(fd, F_SETLK, F_UNLCK, 0, 0));

    /* Errors. */
    CHECK_ERR(setlk(fd, F_SETLK, 7, 0, 0), EINVAL);
    CHECK_ERR(setlk(fd, F_SETLK, F_WRLCK, -5, 1), EINVAL);
    CHECK_ERR(setlk(99, F_SETLK, F_WRLCK, 0, 0), EBADF);
    int ro = open(file, O_RDONLY), wo = open(file, O_WRONLY);
    CHECK_ERR(setlk(ro, F_SETLK, F_WRLCK, 0, 0), EBADF);
    CHECK_ERR(setlk(wo, F_SETLK, F_RDLCK, 0, 0), EBADF);
    CHECK_OK(setlk(ro, F_SETLK, F_RDLCK, 0, 0));
    CHECK_ERR(flock(fd, LOCK_SH | LOCK_EX), EINVAL);
    CHECK_ERR(flock(99, LOCK_EX), EBADF);
    struct flock bad = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_pid = 5};
    CHECK_ERR(fcntl(fd, F_OFD_SETLK, &bad), EINVAL);
    printf("errors: EINVAL, EBADF\n");
    close(ro);
    close(wo);
    close(fd);
    return test_done();
}
