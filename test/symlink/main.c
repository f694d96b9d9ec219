/* symlink: symlink and readlink, relative and absolute targets, chains,
 * dangling links, loops (ELOOP), O_NOFOLLOW, and unlink of a link. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"

static ssize_t readlink_str(const char *path, char *buf, size_t n) {
    ssize_t r = readlink(path, buf, n - 1);
    buf[r >= 0 ? r : 0] = '\0';
    return r;
}

int main(int argc, char **argv) {
    test_init("symlink", argc, argv);
    char buf[PATH_MAX];
    struct stat st;

    CHECK_OK(write_file(P("target"), "T"));
    CHECK_OK(mkdir(P("dir"), 0755));
    CHECK_OK(write_file(P("dir/inside"), "I"));

    /* readlink returns the target exactly, without a NUL. */
    CHECK_OK(symlink("target", P("rel")));
    CHECK_EQ(readlink_str(P("rel"), buf, sizeof buf), 6);
    CHECK_STR(buf, "target");
    CHECK_STR(content(P("rel")), "T");
    printf("relative: rel -> %s = %s\n", buf, content(P("rel")));

    /* A short buffer truncates silently. */
    memset(buf, 'z', sizeof buf);
    CHECK_EQ(readlink(P("rel"), buf, 3), 3);
    CHECK(memcmp(buf, "tarz", 4) == 0);

    /* Absolute targets. */
    CHECK_OK(symlink(P("target"), P("abs")));
    CHECK_EQ(readlink_str(P("abs"), buf, sizeof buf), (ssize_t)strlen(P("target")));
    CHECK_STR(buf, P("target"));
    CHECK_STR(content(P("abs")), "T");
    printf("absolute: %s\n", content(P("abs")));

    /* Through a link to a directory, with .. after it. */
    CHECK_OK(symlink("dir", P("dirlink")));
    CHECK_STR(content(P("dirlink/inside")), "I");
    CHECK_OK(symlink("../target", P("dir/up")));
    CHECK_STR(content(P("dir/up")), "T");
    CHECK_STR(content(P("dirlink/up")), "T");
    CHECK_STR(content(P("dirlink/../target")), "T");
    printf("through directories: %s %s\n", content(P("dirlink/inside")), content(P("dirlink/up")));

    /* A chain of 8 links resolves (Linux allows 40). */
    CHECK_OK(symlink("target", P("chain0")));
    char from[32], to[32];
    for (int i = 1; i < 8; i++) {
        snprintf(to, sizeof to, "chain%d", i - 1);
        snprintf(from, sizeof from, "chain%d", i);
        CHECK_OK(symlink(to, P(from)));
    }
    CHECK_STR(content(P("chain7")), "T");
    printf("chain: %s\n", content(P("chain7")));

    /* Dangling links: lstat sees them, stat and open do not; writing
     * through one with O_CREAT creates the target, unless O_EXCL. */
    CHECK_OK(symlink("nothing-here", P("dangling")));
    CHECK_OK(lstat(P("dangling"), &st));
    CHECK(S_ISLNK(st.st_mode));
    CHECK_ERR(stat(P("dangling"), &st), ENOENT);
    CHECK_ERR(open(P("dangling"), O_RDONLY), ENOENT);
    CHECK_ERR(open(P("dangling"), O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
    int fd = open(P("dangling"), O_WRONLY | O_CREAT, 0644);
    CHECK(fd >= 0);
    CHECK_EQ(write(fd, "N", 1), 1);
    CHECK_OK(close(fd));
    CHECK_STR(content(P("nothing-here")), "N");
    printf("dangling: created %s\n", content(P("nothing-here")));

    /* Loops. */
    CHECK_OK(symlink("self", P("self")));
    CHECK_OK(symlink("loop-b", P("loop-a")));
    CHECK_OK(symlink("loop-a", P("loop-b")));
    CHECK_ERR(stat(P("self"), &st), ELOOP);
    CHECK_ERR(stat(P("loop-a"), &st), ELOOP);
    CHECK_ERR(open(P("loop-b"), O_RDONLY), ELOOP);
    CHECK_ERR(open(P("loop-a/x"), O_RDONLY), ELOOP);
    CHECK_ERR(mkdir(P("loop-a/x"), 0755), ELOOP);
    CHECK_OK(lstat(P("loop-a"), &st));
    CHECK(S_ISLNK(st.st_mode));
    printf("loops: ELOOP\n");

    /* O_NOFOLLOW refuses a final symlink. */
    CHECK_ERR(open(P("rel"), O_RDONLY | O_NOFOLLOW), ELOOP);
    fd = open(P("target"), O_RDONLY | O_NOFOLLOW);
    CHECK(fd >= 0);
    if (fd >= 0) CHECK_OK(close(fd));

    /* Errors. */
    CHECK_ERR(symlink("x", P("rel")), EEXIST);
    CHECK_ERR(symlink("x", P("dir")), EEXIST);
    CHECK_ERR(symlink("x", P("missing/link")), ENOENT);
    CHECK_ERR(readlink(P("target"), buf, sizeof buf), EINVAL);
    CHECK_ERR(readlink(P("dir"), buf, sizeof buf), EINVAL);
    CHECK_ERR(readlink(P("missing"), buf, sizeof buf), ENOENT);

    /* unlink removes the link, not the target. */
    CHECK_OK(unlink(P("rel")));
    CHECK_ERR(lstat(P("rel"), &st), ENOENT);
    CHECK_STR(content(P("target")), "T");
    CHECK_OK(unlink(P("dirlink")));
    CHECK_STR(content(P("dir/inside")), "I");
    printf("unlink: target kept\n");
    return test_done();
}
