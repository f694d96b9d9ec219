/* file: open, read, write, lseek, pread, pwrite, O_APPEND, O_TRUNC, O_EXCL,
 * fsync and the errors of misused descriptors. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"

static void test_read_write(void) {
    const char *f = P("rw");
    char buf[64];

    int fd = open(f, O_RDWR | O_CREAT | O_EXCL, 0644);
    CHECK(fd >= 0);
    CHECK_EQ(write(fd, "hello, world", 12), 12);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 12);
    CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
    memset(buf, 0, sizeof buf);
    CHECK_EQ(read(fd, buf, 5), 5);
    CHECK_STR(buf, "hello");
    CHECK_EQ(lseek(fd, 2, SEEK_CUR), 7);
    memset(buf, 0, sizeof buf);
    CHECK_EQ(read(fd, buf, sizeof buf), 5);
    CHECK_STR(buf, "world");
    CHECK_EQ(read(fd, buf, sizeof buf), 0); /* end of file */
    CHECK_EQ(lseek(fd, -5, SEEK_END), 7);
    CHECK_EQ(write(fd, "WORLD", 5), 5);
    CHECK_ERR(lseek(fd, -100, SEEK_SET), EINVAL);
    CHECK_ERR(lseek(fd, -100, SEEK_CUR), EINVAL);
    CHECK_OK(fsync(fd));
    CHECK_OK(fdatasync(fd));
    CHECK_OK(close(fd));
    CHECK_STR(content(f), "hello, WORLD");
    printf("read/write: %s\n", content(f));

    /* A write past the end leaves a hole of zeros. */
    fd = open(f, O_RDWR);
    CHECK(fd >= 0);
    CHECK_EQ(lseek(fd, 20, SEEK_SET), 20);
    CHECK_EQ(write(fd, "!", 1), 1);
    struct stat st;
    CHECK_OK(fstat(fd, &st));
    CHECK_EQ(st.st_size, 21);
    CHECK_EQ(pread(fd, buf, 8, 12), 8);
    int zeros = 1;
    for (int i = 0; i < 8; i++) zeros &= buf[i] == 0;
    CHECK(zeros);
    CHECK_OK(close(fd));
    printf("hole: size %d\n", (int)st.st_size);
}

static void test_pread_pwrite(void) {
    const char *f = P("pio");
    char buf[16];
    CHECK_OK(write_file(f, "0123456789"));
    int fd = open(f, O_RDWR);
    CHECK(fd >= 0);
    CHECK_EQ(lseek(fd, 3, SEEK_SET), 3);
    memset(buf, 0, sizeof buf);
    CHECK_EQ(pread(fd, buf, 4, 5), 4);
    CHECK_STR(buf, "5678");
    CHECK_EQ(pwrite(fd, "ab", 2, 8), 2);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 3); /* the offset did not move */
    memset(buf, 0, sizeof buf);
    CHECK_EQ(pread(fd, buf, sizeof buf, 7), 3);
    CHECK_STR(buf, "7ab");
    CHECK_EQ(pread(fd, buf, sizeof buf, 100), 0);
    CHECK_ERR(pread(fd, buf, 1, -1), EINVAL);
    CHECK_OK(close(fd));
    CHECK_STR(content(f), "01234567ab");
    printf("pread/pwrite: %s\n", content(f));
}

static void test_append_trunc(void) {
    const char *f = P("append");
    CHECK_OK(write_file(f, "one"));
    int fd = open(f, O_WRONLY | O_APPEND);
    CHECK(fd >= 0);
    CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
    CHECK_EQ(write(fd, ",two", 4), 4); /* O_APPEND: at the end regardless */
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 7);
    CHECK_OK(close(fd));
    CHECK_STR(content(f), "one,two");
    printf("append: %s\n", content(f));

    fd = open(f, O_RDWR | O_TRUNC);
    CHECK(fd >= 0);
    struct stat st;
    CHECK_OK(fstat(fd, &st));
    CHECK_EQ(st.st_size, 0);
    CHECK_EQ(write(fd, "3", 1), 1);
    CHECK_OK(close(fd));
    CHECK_STR(content(f), "3");
    printf("trunc: %s\n", content(f));

    /* O_CREAT on an existing file keeps its content. */
    fd = open(f, O_WRONLY | O_CREAT, 0644);
    CHECK(fd >= 0);
    CHECK_OK(close(fd));
    CHECK_STR(content(f), "3");
}

static void test_errors(void) {
    const char *f = P("errs");
    char buf[4];
    CHECK_OK(write_file(f, "x"));
    CHECK_ERR(open(f, O_RDWR | O_CREAT | O_EXCL, 0644), EEXIST);
    CHECK_ERR(open(P("missing"), O_RDONLY), ENOENT);
    CHECK_ERR(open(P("missing/dir/file"), O_RDWR | O_CREAT, 0644), ENOENT);
    CHECK_ERR(open(P("errs/below"), O_RDONLY), ENOTDIR);
    CHECK_ERR(open(f, O_RDONLY | O_DIRECTORY), ENOTDIR);
    CHECK_ERR(open(test_dir, O_WRONLY), EISDIR);
    CHECK_ERR(open(test_dir, O_RDWR), EISDIR);

    int fd = open(f, O_RDONLY);
    CHECK(fd >= 0);
    CHECK_ERR(write(fd, "y", 1), EBADF);
    CHECK_OK(close(fd));
    fd = open(f, O_WRONLY);
    CHECK(fd >= 0);
    CHECK_ERR(read(fd, buf, 1), EBADF);
    CHECK_OK(close(fd));
    CHECK_ERR(close(fd), EBADF);
    CHECK_ERR(read(fd, buf, 1), EBADF);
    CHECK_ERR(read(-1, buf, 1), EBADF);

    /* A directory opens read-only; reading it as a file is EISDIR. */
    fd = open(test_dir, O_RDONLY | O_DIRECTORY);
    CHECK(fd >= 0);
    CHECK_ERR(read(fd, buf, 1), EISDIR);
    CHECK_OK(close(fd));
    printf("errors: checked\n");
}

static void test_many_fds(void) {
    /* Descriptors are reused lowest-first. */
    const char *f = P("fds");
    CHECK_OK(write_file(f, "abc"));
    int a = open(f, O_RDONLY), b = open(f, O_RDONLY);
    CHECK(a >= 0 && b > a);
    CHECK_OK(close(a));
    int c = open(f, O_RDONLY);
    CHECK_EQ(c, a);
    /* Independent open files have independent offsets. */
    char x = 0, y = 0;
    CHECK_EQ(read(b, &x, 1), 1);
    CHECK_EQ(read(b, &x, 1), 1);
    CHECK_EQ(read(c, &y, 1), 1);
    CHECK_EQ(x, 'b');
    CHECK_EQ(y, 'a');
    CHECK_OK(close(b));
    CHECK_OK(close(c));
    printf("fds: checked\n");
}

int main(int argc, char **argv) {
    test_init("file", argc, argv);
    test_read_write();
    test_pread_pwrite();
    test_append_trunc();
    test_errors();
    test_many_fds();
    return test_done();
}
