/* truncate_blocks: files shrunk and grown with ftruncate and truncate to
 * sizes on, just before and just after 4 KiB block boundaries, with writes
 * in between. After every step the whole file is compared with a model:
 * data past a shrunk end never comes back when the file grows again (the
 * new bytes read as zeros, also in the block that was cut in the middle).
 * "pre" is a file of 3 blocks and a bit that is there before the program
 * starts (on the LibOS's secure root, in the image layer). */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"

#define MAX (48 * 1024)
#define PRE_SIZE (3 * 4096 + 100)

static unsigned char model[MAX], buf[MAX], tmp[MAX];
static long msize;

static unsigned fnv(const unsigned char *p, long n) {
    unsigned h = 2166136261u;
    for (long i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
    return h;
}

static unsigned char pre_byte(long i) { return (unsigned char)('a' + i % 23 + i / 4096); }

/* same checks the whole file at fd (size and every byte) against the model. */
static int same(int fd) {
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size != msize) return 0;
    memset(buf, 0xee, sizeof buf);
    long got = 0;
    while (got < MAX) {
        ssize_t r = pread(fd, buf + got, 5000, got);
        if (r < 0) return 0;
        if (r == 0) break;
        got += r;
    }
    return got == msize && memcmp(buf, model, (size_t)msize) == 0;
}

static void model_truncate(long size) {
    if (size > msize) memset(model + msize, 0, (size_t)(size - msize));
    msize = size;
}

static void model_write(long off, long len, unsigned char v) {
    if (off > msize) memset(model + msize, 0, (size_t)(off - msize));
    for (long i = 0; i < len; i++) model[off + i] = (unsigned char)(v + i % 7);
    if (off + len > msize) msize = off + len;
}

/* step truncates (by descriptor, or by path when path is set), writes len
 * bytes at off if len > 0, and checks the file against the model. */
static void step(int fd, const char *path, long size, long off, long len, unsigned char v) {
    if (path != NULL) {
        CHECK_OK(truncate(path, size));
    } else {
        CHECK_OK(ftruncate(fd, size));
    }
    model_truncate(size);
    int ok = same(fd);
    CHECK(ok);
    if (!ok) fprintf(stderr, "after truncate to %ld\n", size);
    if (len > 0) {
        for (long i = 0; i < len; i++) tmp[i] = (unsigned char)(v + i % 7);
        CHECK_EQ(pwrite(fd, tmp, (size_t)len, off), len);
        model_write(off, len, v);
        ok = same(fd);
        CHECK(ok);
        if (!ok) fprintf(stderr, "after truncate to %ld and write at %ld\n", size, off);
    }
    printf("%-9s to %6ld%s: size %6ld, fnv %08x\n", path ? "truncate" : "ftruncate", size,
           len > 0 ? ", write" : "       ", msize, fnv(model, msize));
}

static void run(const char *title, const char *path, int fd) {
    printf("%s:\n", title);
    /* Down into the middle of a block, then up again past it: zeros. */
    step(fd, NULL, 10000, 0, 0, 0);
    step(fd, NULL, 12288, 0, 0, 0);
    step(fd, path, 8193, 0, 0, 0);
    step(fd, NULL, 8191, 0, 0, 0);
    step(fd, NULL, 8192, 0, 0, 0);
    step(fd, path, 4097, 0, 0, 0);
    step(fd, NULL, 4096, 0, 0, 0);
    step(fd, NULL, 4095, 0, 0, 0);
    step(fd, path, 20000, 0, 0, 0);
    /* Writes past the end after a shrink leave zeros between. */
    step(fd, NULL, 5000, 9000, 300, 'W');
    step(fd, NULL, 9100, 9099, 10, 'X');
    step(fd, path, 1, 4094, 4, 'Y');
    step(fd, NULL, 0, 0, 0, 0);
    step(fd, path, 0, 4096 * 5 - 1, 2, 'Z');
    step(fd, NULL, 4096 * 2 + 1, 0, 4096 * 2 + 1, 'q');
    step(fd, NULL, 4096 * 10, 0, 0, 0);
    step(fd, path, 3, 0, 0, 0);
    step(fd, NULL, 40000, 0, 0, 0);
}

int main(int argc, char **argv) {
    test_init("truncate_blocks", argc, argv);

    /* A file made here, filled with three blocks and a bit. */
    const char *f = P("f");
    int fd = open(f, O_RDWR | O_CREAT | O_EXCL, 0644);
    CHECK(fd >= 0);
    if (fd < 0) return test_done();
    msize = 0;
    for (long i = 0; i < PRE_SIZE; i++) tmp[i] = pre_byte(i);
    CHECK_EQ(write(fd, tmp, PRE_SIZE), PRE_SIZE);
    memcpy(model, tmp, PRE_SIZE);
    msize = PRE_SIZE;
    CHECK(same(fd));
    run("made here", f, fd);
    CHECK_OK(close(fd));

    /* The file that was there before: its content first. */
    const char *pre = P("pre");
    for (long i = 0; i < PRE_SIZE; i++) model[i] = pre_byte(i);
    msize = PRE_SIZE;
    fd = open(pre, O_RDONLY);
    CHECK(fd >= 0);
    if (fd < 0) return test_done();
    CHECK(same(fd));
    CHECK_OK(close(fd));
    /* Shrunk by path first, before any open for writing. */
    CHECK_OK(truncate(pre, 6000));
    model_truncate(6000);
    fd = open(pre, O_RDWR);
    CHECK(fd >= 0);
    if (fd < 0) return test_done();
    CHECK(same(fd));
    run("there before", pre, fd);
    CHECK_OK(close(fd));

    /* O_TRUNC empties, and the file grows again from zeros. */
    fd = open(pre, O_RDWR | O_TRUNC);
    CHECK(fd >= 0);
    msize = 0;
    CHECK(same(fd));
    CHECK_OK(ftruncate(fd, 5000));
    model_truncate(5000);
    CHECK(same(fd));
    CHECK_OK(close(fd));
    printf("O_TRUNC then ftruncate to 5000: fnv %08x\n", fnv(model, msize));
    return test_done();
}
