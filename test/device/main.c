/* device: /dev/null, /dev/zero, /dev/full and /dev/urandom behave as on
 * Linux. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"

int main(int argc, char **argv) {
    test_init("device", argc, argv);
    char buf[4096];
    struct stat st;

    /* /dev/null: writes vanish, reads are at end of file. */
    int fd = open("/dev/null", O_RDWR);
    CHECK(fd >= 0);
    CHECK_EQ(write(fd, "discard me", 10), 10);
    CHECK_EQ(read(fd, buf, sizeof buf), 0);
    CHECK_OK(fstat(fd, &st));
    CHECK(S_ISCHR(st.st_mode));
    CHECK_OK(close(fd));
    CHECK_OK(stat("/dev/null", &st));
    CHECK(S_ISCHR(st.st_mode));
    /* O_TRUNC and O_CREAT on a device are harmless. */
    fd = open("/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0);
    if (fd >= 0) CHECK_OK(close(fd));
    printf("/dev/null: ok\n");

    /* /dev/zero: reads are zeros of any size, writes are discarded. */
    fd = open("/dev/zero", O_RDWR);
    CHECK(fd >= 0);
    memset(buf, 'x', sizeof buf);
    CHECK_EQ(read(fd, buf, sizeof buf), (long)sizeof buf);
    int zeros = 1;
    for (size_t i = 0; i < sizeof buf; i++) zeros &= buf[i] == 0;
    CHECK(zeros);
    CHECK_EQ(write(fd, "x", 1), 1);
    CHECK_OK(fstat(fd, &st));
    CHECK(S_ISCHR(st.st_mode));
    CHECK_OK(close(fd));
    printf("/dev/zero: ok\n");

    /* /dev/full: reads are zeros, writes fail with ENOSPC. */
    fd = open("/dev/full", O_RDWR);
    CHECK(fd >= 0);
    CHECK_ERR(write(fd, "x", 1), ENOSPC);
    memset(buf, 'x', 16);
    CHECK_EQ(read(fd, buf, 16), 16);
    CHECK(memcmp(buf, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16) == 0);
    CHECK_OK(close(fd));
    /* Through stdio the error shows at flush. */
    FILE *f = fopen("/dev/full", "w");
    CHECK(f != NULL);
    if (f != NULL) {
        fputs("text", f);
        errno = 0;
        int r = fflush(f);
        int e = errno;
        CHECK(r == EOF && e == ENOSPC);
        fclose(f);
    }
    printf("/dev/full: ENOSPC\n");

    /* /dev/urandom: reads are filled and not constant. */
    fd = open("/dev/urandom", O_RDONLY);
    CHECK(fd >= 0);
    unsigned char r1[32], r2[32];
    CHECK_EQ(read(fd, r1, sizeof r1), 32);
    CHECK_EQ(read(fd, r2, sizeof r2), 32);
    CHECK(memcmp(r1, r2, sizeof r1) != 0);
    CHECK_OK(fstat(fd, &st));
    CHECK(S_ISCHR(st.st_mode));
    CHECK_OK(close(fd));
    printf("/dev/urandom: ok\n");

    /* Devices are not directories and cannot be removed into. */
    CHECK_ERR(open("/dev/null/x", O_RDONLY), ENOTDIR);
    CHECK_ERR(open("/dev/no-such-device", O_RDONLY), ENOENT);
    return test_done();
}
