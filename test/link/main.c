/* link: hard links share one file; link counts follow link and unlink;
 * data lives while a name or an open descriptor remains. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"

static long nlink_of(const char *path) {
    struct stat st;
    if (lstat(path, &st) != 0) return -1;
    return (long)st.st_nlink;
}

int main(int argc, char **argv) {
    test_init("link", argc, argv);
    struct stat a, b;

    CHECK_OK(write_file(P("a"), "shared"));
    CHECK_EQ(nlink_of(P("a")), 1);
    CHECK_OK(link(P("a"), P("b")));
    CHECK_EQ(nlink_of(P("a")), 2);
    CHECK_EQ(nlink_of(P("b")), 2);
    CHECK_OK(stat(P("a"), &a));
    CHECK_OK(stat(P("b"), &b));
    CHECK(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
    printf("link: nlink %ld\n", nlink_of(P("a")));

    /* A write through one name shows through the other. */
    CHECK_OK(write_file(P("b"), "changed"));
    CHECK_STR(content(P("a")), "changed");

    /* In another directory. */
    CHECK_OK(mkdir(P("d"), 0755));
    CHECK_OK(link(P("a"), P("d/c")));
    CHECK_EQ(nlink_of(P("b")), 3);
    CHECK_STR(content(P("d/c")), "changed");

    /* unlink keeps the data while a name remains. */
    CHECK_OK(unlink(P("a")));
    CHECK_EQ(nlink_of(P("a")), -1);
    CHECK_EQ(nlink_of(P("b")), 2);
    CHECK_STR(content(P("b")), "changed");
    CHECK_OK(unlink(P("d/c")));
    CHECK_EQ(nlink_of(P("b")), 1);
    printf("unlink: nlink %ld, %s\n", nlink_of(P("b")), content(P("b")));

    /* An open descriptor keeps the data after the last name is gone. */
    int fd = open(P("b"), O_RDWR);
    CHECK(fd >= 0);
    CHECK_OK(unlink(P("b")));
    CHECK_ERR(stat(P("b"), &b), ENOENT);
    CHECK_OK(fstat(fd, &b));
    CHECK_EQ(b.st_nlink, 0);
    CHECK_EQ(pwrite(fd, "C", 1, 0), 1);
    char buf[16];
    memset(buf, 0, sizeof buf);
    CHECK_EQ(pread(fd, buf, sizeof buf - 1, 0), 7);
    CHECK_STR(buf, "Changed");
    CHECK_OK(close(fd));
    printf("unlinked open file: %s\n", buf);

    /* A symlink can be hard-linked; the new name is a symlink too (Linux
     * links the symlink itself). */
    CHECK_OK(write_file(P("t"), "T"));
    CHECK_OK(symlink("t", P("sym")));
    CHECK_OK(link(P("sym"), P("sym2")));
    CHECK_OK(lstat(P("sym2"), &b));
    CHECK(S_ISLNK(b.st_mode));
    CHECK_EQ(nlink_of(P("sym")), 2);
    CHECK_EQ(nlink_of(P("t")), 1);

    /* Errors. */
    CHECK_ERR(link(P("t"), P("sym")), EEXIST);
    CHECK_ERR(link(P("missing"), P("x")), ENOENT);
    CHECK_ERR(link(P("t"), P("missing/x")), ENOENT);
    CHECK_ERR(link(P("d"), P("dlink")), EPERM);
    CHECK_ERR(unlink(P("missing")), ENOENT);
    CHECK_ERR(unlink(P("t/x")), ENOTDIR);
    printf("errors: checked\n");
    return test_done();
}
