/* rename: files and directories, over existing targets, onto itself,
 * across directories, and every error Linux reports. */
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"

static int exists(const char *path) {
    struct stat st;
    return lstat(path, &st) == 0;
}

int main(int argc, char **argv) {
    test_init("rename", argc, argv);
    struct stat st;

    /* A file to a new name. */
    CHECK_OK(write_file(P("a"), "A"));
    CHECK_OK(rename(P("a"), P("b")));
    CHECK(!exists(P("a")));
    CHECK_STR(content(P("b")), "A");
    printf("file to new name: %s\n", content(P("b")));

    /* A file over an existing file replaces it. */
    CHECK_OK(write_file(P("c"), "C"));
    CHECK_OK(rename(P("b"), P("c")));
    CHECK(!exists(P("b")));
    CHECK_STR(content(P("c")), "A");
    printf("file over file: %s\n", content(P("c")));

    /* Onto itself: nothing happens. */
    CHECK_OK(rename(P("c"), P("c")));
    CHECK_STR(content(P("c")), "A");

    /* Two names of one file: success, and both names stay (POSIX). */
    CHECK_OK(link(P("c"), P("c2")));
    CHECK_OK(rename(P("c"), P("c2")));
    CHECK(exists(P("c")) && exists(P("c2")));
    CHECK_OK(unlink(P("c2")));

    /* An open file keeps working under its new name. */
    int fd = open(P("c"), O_RDWR);
    CHECK(fd >= 0);
    CHECK_OK(rename(P("c"), P("moved")));
    CHECK_EQ(pwrite(fd, "Z", 1, 0), 1);
    CHECK_OK(close(fd));
    CHECK_STR(content(P("moved")), "Z");

    /* Across directories. */
    CHECK_OK(mkdir(P("d1"), 0755));
    CHECK_OK(mkdir(P("d2"), 0755));
    CHECK_OK(rename(P("moved"), P("d1/f")));
    CHECK_OK(rename(P("d1/f"), P("d2/f")));
    CHECK_STR(content(P("d2/f")), "Z");
    CHECK(!exists(P("d1/f")));
    printf("across directories: %s\n", content(P("d2/f")));

    /* A directory, with its content, to a new name. */
    CHECK_OK(rename(P("d2"), P("d3")));
    CHECK_STR(content(P("d3/f")), "Z");
    CHECK_ERR(stat(P("d2"), &st), ENOENT);

    /* A directory over an empty directory replaces it. */
    CHECK_OK(mkdir(P("empty"), 0755));
    CHECK_OK(rename(P("d3"), P("empty")));
    CHECK_STR(content(P("empty/f")), "Z");
    CHECK(!exists(P("d3")));

    /* A directory into a deeper directory, and with a trailing slash. */
    CHECK_OK(mkdir(P("top"), 0755));
    CHECK_OK(rename(P("empty"), P("top/inner")));
    CHECK_OK(rename(P("top/inner/"), P("top/inner2/")));
    CHECK_STR(content(P("top/inner2/f")), "Z");
    printf("directories: %s\n", content(P("top/inner2/f")));

    /* A symlink is renamed, not its target. */
    CHECK_OK(symlink("inner2", P("top/ln")));
    CHECK_OK(rename(P("top/ln"), P("top/ln2")));
    CHECK_OK(lstat(P("top/ln2"), &st));
    CHECK(S_ISLNK(st.st_mode));
    CHECK_STR(content(P("top/ln2/f")), "Z");
    CHECK(exists(P("top/inner2")));

    /* Errors. */
    CHECK_OK(mkdir(P("nonempty"), 0755));
    CHECK_OK(write_file(P("nonempty/x"), "x"));
    CHECK_OK(mkdir(P("src"), 0755));
    CHECK_OK(write_file(P("file"), "F"));
    CHECK_ERR(rename(P("missing"), P("any")), ENOENT);
    CHECK_ERR(rename(P("file"), P("nodir/x")), ENOENT);
    CHECK_ERR(rename(P("src"), P("nonempty")), ENOTEMPTY);
    CHECK_ERR(rename(P("file"), P("src")), EISDIR);
    CHECK_ERR(rename(P("src"), P("file")), ENOTDIR);
    CHECK_ERR(rename(P("src"), P("src/sub")), EINVAL);
    CHECK_ERR(rename(P("top"), P("top/inner2/deeper")), EINVAL);
    CHECK_ERR(rename(P("file/x"), P("y")), ENOTDIR);
    CHECK_ERR(rename(P("file"), P("file/y")), ENOTDIR);
    /* Nothing moved. */
    CHECK_STR(content(P("file")), "F");
    CHECK_STR(content(P("nonempty/x")), "x");
    CHECK(exists(P("src")));
    printf("errors: checked\n");
    return test_done();
}
