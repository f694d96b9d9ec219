/* sparse: files with holes. A write at 64 MiB makes a 64 MiB hole that
 * reads as zeros and counts in st_size; writes inside the hole, reads
 * across the edges of data and holes, truncating into the hole and growing
 * again (the data cut off never comes back), and lseek past the end without
 * a write (no size change). "pre" is a sparse file there before the
 * program starts (on the LibOS's secure root, in the image layer): a few
 * bytes at 0 and at 2 MiB, zeros between. st_blocks is not looked at. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"

#define MiB (1024L * 1024)
#define FAR (64 * MiB)

static unsigned char buf[256 * 1024];

static long size_of(int fd) {
    struct stat st;
    return fstat(fd, &st) == 0 ? (long)st.st_size : -1;
}

/* zeros_at checks that n bytes at off read as zeros (n <= sizeof buf). */
static int zeros_at(int fd, long off, long n) {
    memset(buf, 0xee, (size_t)n);
    if (pread(fd, buf, (size_t)n, off) != n) return 0;
    for (long i = 0; i < n; i++)
        if (buf[i] != 0) return 0;
    return 1;
}

/* str_at reads n bytes at off as a string. */
static const char *str_at(int fd, long off, long n) {
    static char s[64];
    ssize_t r = pread(fd, s, (size_t)n, off);
    s[r > 0 ? r : 0] = '\0';
    return s;
}

int main(int argc, char **argv) {
    test_init("sparse", argc, argv);
    const char *f = P("sparse");

    int fd = open(f, O_RDWR | O_CREAT | O_EXCL, 0644);
    CHECK(fd >= 0);
    if (fd < 0) return test_done();

    /* Seeking past the end changes nothing until a write. */
    CHECK_EQ(lseek(fd, FAR, SEEK_SET), FAR);
    CHECK_EQ(size_of(fd), 0);
    CHECK_EQ(read(fd, buf, 10), 0);
    CHECK_EQ(write(fd, "end", 3), 3);
    CHECK_EQ(size_of(fd), FAR + 3);
    CHECK_EQ(lseek(fd, 0, SEEK_END), FAR + 3);
    printf("write at 64 MiB: size %ld\n", size_of(fd));

    /* The hole reads as zeros: at the start, in the middle, at the end of
     * the hole, across block edges. */
    CHECK(zeros_at(fd, 0, 4096));
    CHECK(zeros_at(fd, 4095, 4098));
    CHECK(zeros_at(fd, 32 * MiB - 100, 200));
    CHECK(zeros_at(fd, FAR - 4096, 4096));
    CHECK(zeros_at(fd, 17 * MiB + 5, sizeof buf));
    CHECK_STR(str_at(fd, FAR, 10), "end");
    /* A read across the end of the hole: zeros then the data. */
    memset(buf, 0xee, 8);
    CHECK_EQ(pread(fd, buf, 8, FAR - 5), 8);
    CHECK(memcmp(buf, "\0\0\0\0\0end", 8) == 0);
    /* A sequential read of a whole 1 MiB of hole. */
    CHECK_EQ(lseek(fd, 5 * MiB, SEEK_SET), 5 * MiB);
    long total = 0;
    int zero = 1;
    while (total < MiB) {
        ssize_t r = read(fd, buf, 65536);
        if (r <= 0) break;
        for (ssize_t i = 0; i < r; i++) zero &= buf[i] == 0;
        total += r;
    }
    CHECK_EQ(total, MiB);
    CHECK(zero);
    printf("the hole reads as zeros; data at its end: %s\n", str_at(fd, FAR, 10));

    /* Data in the middle of the hole, straddling a block edge. */
    CHECK_EQ(pwrite(fd, "middle", 6, 32 * MiB - 3), 6);
    CHECK_EQ(size_of(fd), FAR + 3);
    CHECK_STR(str_at(fd, 32 * MiB - 3, 6), "middle");
    CHECK(zeros_at(fd, 32 * MiB - 4096 - 3, 4096));
    CHECK(zeros_at(fd, 32 * MiB + 3, 4096));
    printf("written in the hole: %s\n", str_at(fd, 32 * MiB - 3, 6));

    /* Truncate into the hole, then grow: what was cut is gone. */
    CHECK_OK(ftruncate(fd, 48 * MiB));
    CHECK_EQ(size_of(fd), 48 * MiB);
    CHECK_EQ(pread(fd, buf, 10, FAR), 0);
    CHECK_STR(str_at(fd, 32 * MiB - 3, 6), "middle");
    CHECK_OK(ftruncate(fd, 2 * FAR));
    CHECK_EQ(size_of(fd), 2 * FAR);
    CHECK(zeros_at(fd, FAR - 10, 20));
    CHECK(zeros_at(fd, 2 * FAR - 4096, 4096));
    printf("truncated to 48 MiB and grown to 128 MiB: size %ld, the old end reads zeros\n",
           size_of(fd));

    /* Truncate into the middle of the data and grow again. */
    CHECK_OK(truncate(f, 32 * MiB));
    CHECK_STR(str_at(fd, 32 * MiB - 3, 6), "mid");
    CHECK_OK(truncate(f, 32 * MiB + 4096));
    memset(buf, 0xee, 6);
    CHECK_EQ(pread(fd, buf, 6, 32 * MiB - 3), 6);
    CHECK(memcmp(buf, "mid\0\0\0", 6) == 0);
    CHECK_OK(close(fd));

    /* After closing and reopening, the same. */
    fd = open(f, O_RDONLY);
    CHECK(fd >= 0);
    CHECK_EQ(size_of(fd), 32 * MiB + 4096);
    CHECK(zeros_at(fd, 0, sizeof buf));
    CHECK_STR(str_at(fd, 32 * MiB - 3, 3), "mid");
    CHECK(zeros_at(fd, 32 * MiB, 4096));
    CHECK_OK(close(fd));
    printf("reopened: size %ld\n", (long)(32 * MiB + 4096));

    /* A sparse file that was there before: read, then written in its hole
     * and past its end. */
    const char *pre = P("pre");
    fd = open(pre, O_RDONLY);
    CHECK(fd >= 0);
    if (fd < 0) return test_done();
    CHECK_EQ(size_of(fd), 2 * MiB + 4);
    CHECK_STR(str_at(fd, 0, 5), "start");
    CHECK(zeros_at(fd, 5, 4096));
    CHECK(zeros_at(fd, MiB - 100, 200));
    CHECK_STR(str_at(fd, 2 * MiB, 4), "tail");
    CHECK_OK(close(fd));
    fd = open(pre, O_RDWR);
    CHECK(fd >= 0);
    CHECK_EQ(pwrite(fd, "hole", 4, MiB + 4094), 4);
    CHECK_EQ(pwrite(fd, "far", 3, 8 * MiB), 3);
    CHECK_EQ(size_of(fd), 8 * MiB + 3);
    CHECK_STR(str_at(fd, 0, 5), "start");
    CHECK_STR(str_at(fd, MiB + 4094, 4), "hole");
    CHECK_STR(str_at(fd, 2 * MiB, 4), "tail");
    CHECK(zeros_at(fd, 5, 4096));
    CHECK(zeros_at(fd, MiB, 4094));
    CHECK(zeros_at(fd, 2 * MiB + 4, 4096));
    CHECK(zeros_at(fd, 8 * MiB - 4096, 4096));
    CHECK_STR(str_at(fd, 8 * MiB, 3), "far");
    CHECK_OK(close(fd));
    printf("the file there before: size %ld, %s...%s...%s...%s\n", (long)(8 * MiB + 3), "start",
           "hole", "tail", "far");
    return test_done();
}
