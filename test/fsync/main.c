/* fsync: a file created and written in pieces of many sizes, made durable
 * with fsync and fdatasync, reads back exactly through the same descriptor,
 * a new one and after reopening; overwrites across 4 KiB block boundaries
 * and extensions, appends, fsync through a read-only descriptor and a
 * directory, many small files synced one by one. Contents are compared with
 * a model in memory and printed as sizes and checksums. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"

#define MAX (64 * 1024)

static unsigned char model[MAX];
static unsigned char buf[MAX];

static unsigned char pattern(long i) { return (unsigned char)(i * 31 + i / 4096 + 7); }

/* fnv returns the FNV-1a hash of p[0..n). */
static unsigned fnv(const unsigned char *p, long n) {
    unsigned h = 2166136261u;
    for (long i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
    return h;
}

/* read_all reads the file at fd from offset 0 in reads of step bytes. */
static long read_all(int fd, long step) {
    if (lseek(fd, 0, SEEK_SET) != 0) return -1;
    long got = 0;
    for (;;) {
        long want = step;
        if (got + want > MAX) want = MAX - got;
        if (want == 0) return got;
        ssize_t r = read(fd, buf + got, (size_t)want);
        if (r < 0) return -1;
        if (r == 0) return got;
        got += r;
    }
}

/* matches checks that fd holds exactly model[0..size), read in steps. */
static int matches(int fd, long size, long step) {
    memset(buf, 0xee, sizeof buf);
    long n = read_all(fd, step);
    struct stat st;
    if (fstat(fd, &st) != 0) return 0;
    return n == size && st.st_size == size && memcmp(buf, model, (size_t)size) == 0;
}

static long fsize(int fd) {
    struct stat st;
    return fstat(fd, &st) == 0 ? (long)st.st_size : -1;
}

int main(int argc, char **argv) {
    test_init("fsync", argc, argv);
    const char *f = P("data");

    /* Create and write in pieces of sizes around the block size. */
    int fd = open(f, O_RDWR | O_CREAT | O_EXCL, 0644);
    CHECK(fd >= 0);
    if (fd < 0) return test_done();
    const long pieces[] = {1, 7, 4088, 4096, 4097, 513, 1, 4095, 2000};
    long size = 0;
    for (size_t i = 0; i < sizeof pieces / sizeof pieces[0]; i++) {
        for (long j = 0; j < pieces[i]; j++) model[size + j] = pattern(size + j);
        CHECK_EQ(write(fd, model + size, (size_t)pieces[i]), pieces[i]);
        size += pieces[i];
    }
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), size);
    CHECK_OK(fsync(fd));
    CHECK_OK(fdatasync(fd));
    CHECK_EQ(fsize(fd), size);
    CHECK(matches(fd, size, 4096));
    CHECK(matches(fd, size, 1000));
    printf("written and synced: %ld bytes, fnv %08x\n", size, fnv(model, size));

    /* A second descriptor and, after close, a new open see the same. */
    int fd2 = open(f, O_RDONLY);
    CHECK(fd2 >= 0);
    CHECK(matches(fd2, size, 333));
    CHECK_OK(close(fd2));
    CHECK_OK(close(fd));
    fd = open(f, O_RDONLY);
    CHECK(fd >= 0);
    CHECK(matches(fd, size, 8192));
    /* fsync and fdatasync through a read-only descriptor work too. */
    CHECK_OK(fsync(fd));
    CHECK_OK(fdatasync(fd));
    CHECK_OK(close(fd));
    printf("reopened: %ld bytes, same content\n", size);

    /* Overwrites across block boundaries, a whole aligned block, and
     * writes that extend the file, each synced and read back. */
    fd = open(f, O_RDWR);
    CHECK(fd >= 0);
    struct {
        long off, len;
    } over[] = {{4090, 16}, {8192, 4096}, {0, 1}, {4095, 2}, {12287, 4097}, {size - 1, 10},
                {size + 9, 5000}};
    for (size_t i = 0; i < sizeof over / sizeof over[0]; i++) {
        long off = over[i].off, len = over[i].len;
        for (long j = 0; j < len; j++) model[off + j] = (unsigned char)(0xa0 + i + j % 13);
        CHECK_EQ(pwrite(fd, model + off, (size_t)len, off), len);
        if (off + len > size) size = off + len;
        if (i % 2 == 0) {
            CHECK_OK(fdatasync(fd));
        } else {
            CHECK_OK(fsync(fd));
        }
        CHECK(matches(fd, size, 4096));
    }
    CHECK_OK(close(fd));
    fd = open(f, O_RDONLY);
    CHECK(fd >= 0);
    CHECK(matches(fd, size, 777));
    CHECK_OK(close(fd));
    printf("overwritten and extended: %ld bytes, fnv %08x\n", size, fnv(model, size));

    /* Appends, synced after each. */
    fd = open(f, O_WRONLY | O_APPEND);
    CHECK(fd >= 0);
    for (int i = 0; i < 5; i++) {
        long len = 1000 + i * 1111;
        for (long j = 0; j < len; j++) model[size + j] = pattern(size + j + i);
        CHECK_EQ(write(fd, model + size, (size_t)len), len);
        size += len;
        CHECK_OK(fsync(fd));
        CHECK_EQ(fsize(fd), size);
    }
    CHECK_OK(close(fd));
    fd = open(f, O_RDONLY);
    CHECK(fd >= 0);
    CHECK(matches(fd, size, 4096));
    CHECK_OK(close(fd));
    printf("appended: %ld bytes, fnv %08x\n", size, fnv(model, size));

    /* fsync of the directory that holds the file. */
    int dfd = open(test_dir, O_RDONLY | O_DIRECTORY);
    CHECK(dfd >= 0);
    CHECK_OK(fsync(dfd));
    CHECK_OK(close(dfd));
    printf("directory: synced\n");

    /* Many small files, each created, written, synced and closed, then all
     * read back. */
    char name[32], want[64];
    CHECK_OK(mkdir(P("small"), 0755));
    for (int i = 0; i < 20; i++) {
        snprintf(name, sizeof name, "small/%02d", i);
        snprintf(want, sizeof want, "file %d: %.*s", i, i, "abcdefghijklmnopqrstuvwxyz");
        fd = open(P(name), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        CHECK(fd >= 0);
        CHECK_EQ(write(fd, want, strlen(want)), (long)strlen(want));
        CHECK_OK(i % 2 ? fsync(fd) : fdatasync(fd));
        CHECK_OK(close(fd));
    }
    int same = 0;
    for (int i = 0; i < 20; i++) {
        snprintf(name, sizeof name, "small/%02d", i);
        snprintf(want, sizeof want, "file %d: %.*s", i, i, "abcdefghijklmnopqrstuvwxyz");
        same += strcmp(content(P(name)), want) == 0;
    }
    CHECK_EQ(same, 20);
    printf("small files: %d read back\n", same);

    /* An empty file synced is still empty. */
    fd = open(P("empty"), O_RDWR | O_CREAT | O_EXCL, 0644);
    CHECK(fd >= 0);
    CHECK_OK(fsync(fd));
    CHECK_EQ(fsize(fd), 0);
    CHECK_EQ(read(fd, buf, 10), 0);
    CHECK_OK(close(fd));

    CHECK_ERR(fsync(-1), EBADF);
    CHECK_ERR(fdatasync(-1), EBADF);
    printf("errors: checked\n");
    return test_done();
}
