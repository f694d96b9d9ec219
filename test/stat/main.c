/* stat: stat, fstat, lstat and fstatat on each file type; sizes, link
 * counts, identity, and times set with utimensat/futimens. */
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "test.h"

static const char *type_of(mode_t m) {
    if (S_ISREG(m)) return "regular";
    if (S_ISDIR(m)) return "directory";
    if (S_ISLNK(m)) return "symlink";
    if (S_ISCHR(m)) return "char device";
    if (S_ISBLK(m)) return "block device";
    if (S_ISFIFO(m)) return "fifo";
    if (S_ISSOCK(m)) return "socket";
    return "unknown";
}

int main(int argc, char **argv) {
    test_init("stat", argc, argv);
    struct stat st, st2;
    time_t before = time(NULL);

    CHECK_OK(write_file(P("file"), "0123456789"));
    CHECK_OK(mkdir(P("dir"), 0755));
    CHECK_OK(symlink("file", P("link")));
    CHECK_OK(symlink("dir", P("dirlink")));

    CHECK_OK(stat(P("file"), &st));
    CHECK(S_ISREG(st.st_mode));
    CHECK_EQ(st.st_size, 10);
    CHECK_EQ(st.st_nlink, 1);
    printf("file: %s, size %d, nlink %d\n", type_of(st.st_mode), (int)st.st_size, (int)st.st_nlink);

    /* Times of a new file are "now". */
    time_t after = time(NULL);
    CHECK(st.st_mtime >= before - 2 && st.st_mtime <= after + 2);
    CHECK(st.st_ctime >= before - 2 && st.st_ctime <= after + 2);

    /* fstat sees the same file as stat. */
    int fd = open(P("file"), O_RDONLY);
    CHECK(fd >= 0);
    CHECK_OK(fstat(fd, &st2));
    CHECK(st2.st_ino == st.st_ino && st2.st_dev == st.st_dev);
    CHECK_EQ(st2.st_size, 10);
    CHECK(S_ISREG(st2.st_mode));
    CHECK_OK(close(fd));

    /* stat follows a symlink; lstat does not. */
    CHECK_OK(stat(P("link"), &st2));
    CHECK(S_ISREG(st2.st_mode));
    CHECK(st2.st_ino == st.st_ino);
    CHECK_OK(lstat(P("link"), &st2));
    CHECK(S_ISLNK(st2.st_mode));
    CHECK_EQ(st2.st_size, 4); /* strlen("file") */
    CHECK(st2.st_ino != st.st_ino);
    printf("link: %s, size %d\n", type_of(st2.st_mode), (int)st2.st_size);

    CHECK_OK(lstat(P("file"), &st2));
    CHECK(S_ISREG(st2.st_mode));

    /* Directories. */
    CHECK_OK(stat(P("dir"), &st));
    CHECK(S_ISDIR(st.st_mode));
    CHECK_EQ(st.st_nlink, 2);
    printf("dir: %s, nlink %d\n", type_of(st.st_mode), (int)st.st_nlink);
    CHECK_OK(mkdir(P("dir/sub"), 0755));
    CHECK_OK(stat(P("dir"), &st));
    CHECK_EQ(st.st_nlink, 3);
    CHECK_OK(stat(P("dirlink"), &st2));
    CHECK(S_ISDIR(st2.st_mode) && st2.st_ino == st.st_ino);
    CHECK_OK(stat(P("dir/sub/.."), &st2));
    CHECK(st2.st_ino == st.st_ino);
    fd = open(P("dir"), O_RDONLY | O_DIRECTORY);
    CHECK(fd >= 0);
    CHECK_OK(fstat(fd, &st2));
    CHECK(S_ISDIR(st2.st_mode) && st2.st_ino == st.st_ino);

    /* fstatat, relative to a directory descriptor, with and without
     * following symlinks. */
    CHECK_OK(write_file(P("dir/inner"), "abc"));
    CHECK_OK(fstatat(fd, "inner", &st2, 0));
    CHECK(S_ISREG(st2.st_mode));
    CHECK_EQ(st2.st_size, 3);
    CHECK_OK(symlink("inner", P("dir/innerlink")));
    CHECK_OK(fstatat(fd, "innerlink", &st2, AT_SYMLINK_NOFOLLOW));
    CHECK(S_ISLNK(st2.st_mode));
    CHECK_OK(fstatat(fd, "innerlink", &st2, 0));
    CHECK(S_ISREG(st2.st_mode));
    CHECK_OK(close(fd));

    /* Distinct files have distinct inode numbers on one device. */
    CHECK_OK(write_file(P("other"), ""));
    CHECK_OK(stat(P("file"), &st));
    CHECK_OK(stat(P("other"), &st2));
    CHECK(st.st_ino != st2.st_ino);
    CHECK(st.st_dev == st2.st_dev);
    CHECK_EQ(st2.st_size, 0);

    /* The size follows writes. */
    fd = open(P("other"), O_WRONLY | O_APPEND);
    CHECK(fd >= 0);
    CHECK_EQ(write(fd, "12345", 5), 5);
    CHECK_OK(fstat(fd, &st2));
    CHECK_EQ(st2.st_size, 5);

    /* Times set explicitly read back exactly (to the second). */
    struct timespec ts[2] = {{1000000000, 0}, {1200000000, 0}};
    CHECK_OK(futimens(fd, ts));
    CHECK_OK(fstat(fd, &st2));
    CHECK_EQ(st2.st_atime, 1000000000);
    CHECK_EQ(st2.st_mtime, 1200000000);
    CHECK_OK(close(fd));
    ts[1].tv_sec = 1300000000;
    CHECK_OK(utimensat(AT_FDCWD, P("other"), ts, 0));
    CHECK_OK(stat(P("other"), &st2));
    CHECK_EQ(st2.st_mtime, 1300000000);
    printf("times: atime %lld, mtime %lld\n", (long long)st2.st_atime, (long long)st2.st_mtime);

    /* Errors. */
    CHECK_ERR(stat(P("missing"), &st), ENOENT);
    CHECK_ERR(lstat(P("missing"), &st), ENOENT);
    CHECK_ERR(stat(P("file/x"), &st), ENOTDIR);
    CHECK_ERR(stat(P("file/"), &st), ENOTDIR);
    CHECK_ERR(fstat(-1, &st), EBADF);
    printf("errors: checked\n");
    return test_done();
}
