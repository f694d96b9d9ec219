/* truncate: ftruncate and truncate, growing (zero fill) and shrinking,
 * and their errors. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"

static long long size_of(const char *path) {
    struct stat st;
    if (stat(path, &st) != 0) return -1;
    return (long long)st.st_size;
}

int main(int argc, char **argv) {
    test_init("truncate", argc, argv);
    const char *f = P("f");
    char buf[64];

    CHECK_OK(write_file(f, "0123456789"));
    int fd = open(f, O_RDWR);
    CHECK(fd >= 0);

    /* Shrink: the offset is not moved. */
    CHECK_EQ(lseek(fd, 8, SEEK_SET), 8);
    CHECK_OK(ftruncate(fd, 4));
    CHECK_EQ(size_of(f), 4);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 8);
    CHECK_STR(content(f), "0123");
    printf("shrink: %s\n", content(f));

    /* A write at the old offset leaves a zero-filled gap. */
    CHECK_EQ(write(fd, "X", 1), 1);
    CHECK_EQ(size_of(f), 9);
    memset(buf, 'z', sizeof buf);
    CHECK_EQ(pread(fd, buf, sizeof buf, 0), 9);
    CHECK(memcmp(buf, "0123\0\0\0\0X", 9) == 0);

    /* Grow: new bytes read as zero. */
    CHECK_OK(ftruncate(fd, 32));
    CHECK_EQ(size_of(f), 32);
    memset(buf, 'z', sizeof buf);
    CHECK_EQ(pread(fd, buf, sizeof buf, 0), 32);
    int zeros = 1;
    for (int i = 9; i < 32; i++) zeros &= buf[i] == 0;
    CHECK(zeros);
    printf("grow: size %lld\n", size_of(f));

    /* To zero and back. */
    CHECK_OK(ftruncate(fd, 0));
    CHECK_EQ(size_of(f), 0);
    CHECK_EQ(pread(fd, buf, sizeof buf, 0), 0);
    CHECK_ERR(ftruncate(fd, -1), EINVAL);
    CHECK_OK(close(fd));

    /* By path. */
    CHECK_OK(write_file(f, "abcdef"));
    CHECK_OK(truncate(f, 3));
    CHECK_STR(content(f), "abc");
    CHECK_OK(truncate(f, 5));
    CHECK_EQ(size_of(f), 5);
    CHECK_EQ(read_file(f, buf, sizeof buf), 5);
    CHECK(memcmp(buf, "abc\0\0", 5) == 0);
    CHECK_OK(truncate(f, 5)); /* same size */
    CHECK_EQ(size_of(f), 5);
    printf("by path: size %lld\n", size_of(f));

    /* Large sparse sizes. */
    CHECK_OK(truncate(f, 1 << 20));
    CHECK_EQ(size_of(f), 1 << 20);
    fd = open(f, O_RDONLY);
    CHECK(fd >= 0);
    CHECK_EQ(pread(fd, buf, 4, (1 << 20) - 4), 4);
    CHECK(memcmp(buf, "\0\0\0\0", 4) == 0);

    /* Errors. */
    int e;
    errno = 0;
    int r = ftruncate(fd, 1); /* not open for writing */
    e = errno;
    CHECK(r == -1 && (e == EINVAL || e == EBADF));
    CHECK_OK(close(fd));
    CHECK_ERR(truncate(f, -1), EINVAL);
    CHECK_ERR(truncate(P("missing"), 0), ENOENT);
    CHECK_OK(mkdir(P("d"), 0755));
    CHECK_ERR(truncate(P("d"), 0), EISDIR);
    CHECK_ERR(ftruncate(-1, 0), EBADF);
    printf("errors: checked\n");
    return test_done();
}
