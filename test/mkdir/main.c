/* mkdir: mkdir and rmdir, with EEXIST, ENOENT, ENOTDIR, ENOTEMPTY, and
 * relative paths after chdir. */
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"

static int is_dir(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int main(int argc, char **argv) {
    test_init("mkdir", argc, argv);

    CHECK_OK(mkdir(P("a"), 0755));
    CHECK(is_dir(P("a")));
    CHECK_ERR(mkdir(P("a"), 0755), EEXIST);
    CHECK_OK(mkdir(P("a/b"), 0755));
    CHECK_OK(mkdir(P("a/b/c"), 0755));
    CHECK(is_dir(P("a/b/c")));
    CHECK_OK(mkdir(P("trailing/"), 0755));
    CHECK(is_dir(P("trailing")));
    printf("mkdir: nested ok\n");

    CHECK_ERR(mkdir(P("missing/x"), 0755), ENOENT);
    CHECK_OK(write_file(P("f"), "data"));
    CHECK_ERR(mkdir(P("f"), 0755), EEXIST);
    CHECK_ERR(mkdir(P("f/x"), 0755), ENOTDIR);
    printf("mkdir: errors ok\n");

    /* A new directory has two links: its name and its own "." */
    struct stat st;
    CHECK_OK(stat(P("a/b/c"), &st));
    CHECK_EQ(st.st_nlink, 2);

    CHECK_ERR(rmdir(P("a")), ENOTEMPTY);
    CHECK_ERR(rmdir(P("a/b")), ENOTEMPTY);
    CHECK_ERR(rmdir(P("f")), ENOTDIR);
    CHECK_ERR(rmdir(P("missing")), ENOENT);
    CHECK_ERR(unlink(P("a/b/c")), EISDIR);
    CHECK_OK(rmdir(P("a/b/c")));
    CHECK_ERR(stat(P("a/b/c"), &st), ENOENT);
    CHECK_OK(rmdir(P("a/b")));
    CHECK_OK(rmdir(P("a")));
    CHECK_OK(rmdir(P("trailing")));
    CHECK(!is_dir(P("a")));
    printf("rmdir: ok\n");

    /* A directory that held files is removable once they are gone. */
    CHECK_OK(mkdir(P("full"), 0755));
    CHECK_OK(write_file(P("full/x"), "x"));
    CHECK_ERR(rmdir(P("full")), ENOTEMPTY);
    CHECK_OK(unlink(P("full/x")));
    CHECK_OK(rmdir(P("full")));

    /* Relative paths resolve against the working directory. */
    CHECK_OK(mkdir(P("cwd"), 0755));
    CHECK_OK(chdir(P("cwd")));
    CHECK_OK(mkdir("rel", 0755));
    CHECK_OK(mkdir("rel/deeper", 0755));
    CHECK(is_dir(P("cwd/rel/deeper")));
    CHECK_OK(write_file("rel/../here", "h"));
    CHECK_STR(content(P("cwd/here")), "h");
    CHECK_OK(chdir("rel"));
    CHECK(is_dir("deeper"));
    CHECK(is_dir("./deeper/."));
    CHECK_STR(content("../here"), "h");
    CHECK_ERR(chdir("../here"), ENOTDIR);
    CHECK_ERR(chdir("nowhere"), ENOENT);
    printf("chdir: relative ok\n");
    return test_done();
}
