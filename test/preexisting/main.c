/* preexisting: changes to files, links and directories that are there
 * before the program starts (the directory "pre" of the fixture; on the
 * LibOS's secure root it is in the read-only image layer, so every change
 * here copies a file up or leaves a whiteout in the container layer).
 * Appends, overwrites seen by a reader opened before, rename of and over
 * such files, unlink and re-create, unlink while open, hard links,
 * symbolic links (readlink, lstat, dangling, loops), times, truncation,
 * and directories emptied, removed, re-made and added to. Renaming a
 * directory that was there is left out: the secure root refuses it with
 * EXDEV, as overlayfs does (docs/unionfs.md). */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"

#define MAX_ENTRIES 64

static int by_name(const void *a, const void *b) { return strcmp(a, b); }

/* print_dir prints the sorted names of dir (without . and ..), with a
 * slash after directories and @ after symbolic links. */
static int print_dir(const char *title, const char *dir) {
    static char names[MAX_ENTRIES][300];
    int n = 0;
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    if (d == NULL) return -1;
    struct dirent *de;
    while ((de = readdir(d)) != NULL && n < MAX_ENTRIES) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
        const char *suffix = de->d_type == DT_DIR ? "/" : de->d_type == DT_LNK ? "@" : "";
        snprintf(names[n++], sizeof names[0], "%s%s", de->d_name, suffix);
    }
    CHECK_OK(closedir(d));
    qsort(names, (size_t)n, sizeof names[0], by_name);
    printf("%s:", title);
    for (int i = 0; i < n; i++) printf(" %s", names[i]);
    printf("\n");
    return n;
}

static int exists(const char *path) {
    struct stat st;
    return lstat(path, &st) == 0;
}

static long nlink_of(const char *path) {
    struct stat st;
    return lstat(path, &st) == 0 ? (long)st.st_nlink : -1;
}

static const char *fd_str(int fd, long off) {
    static char b[64];
    ssize_t n = pread(fd, b, sizeof b - 1, off);
    b[n > 0 ? n : 0] = '\0';
    return b;
}

static void files(void) {
    CHECK_STR(content(P("pre/file")), "original\n");
    print_dir("pre at the start", P("pre"));

    /* Append. */
    int fd = open(P("pre/append"), O_WRONLY | O_APPEND);
    CHECK(fd >= 0);
    CHECK_EQ(write(fd, "two\n", 4), 4);
    CHECK_OK(close(fd));
    CHECK_STR(content(P("pre/append")), "one\ntwo\n");
    printf("appended: %s", content(P("pre/append")));

    /* A reader opened before a writer sees what the writer writes, at its
     * own offset. */
    int r = open(P("pre/reader"), O_RDONLY);
    CHECK(r >= 0);
    char buf[64];
    memset(buf, 0, sizeof buf);
    CHECK_EQ(read(r, buf, 3), 3);
    CHECK_STR(buf, "bef");
    int w = open(P("pre/reader"), O_WRONLY);
    CHECK(w >= 0);
    CHECK_EQ(pwrite(w, "AFTER", 5, 0), 5);
    CHECK_OK(close(w));
    memset(buf, 0, sizeof buf);
    CHECK_EQ(read(r, buf, sizeof buf - 1), 4);
    CHECK_STR(buf, "ERe\n");
    CHECK_STR(fd_str(r, 0), "AFTERe\n");
    CHECK_OK(close(r));
    printf("the reader sees the writer: %s", content(P("pre/reader")));

    /* Rename to a new name, and over another file that was there. */
    CHECK_OK(rename(P("pre/renamed"), P("pre/moved")));
    CHECK(!exists(P("pre/renamed")));
    CHECK_STR(content(P("pre/moved")), "move me\n");
    CHECK_OK(rename(P("pre/over-src"), P("pre/over-dst")));
    CHECK(!exists(P("pre/over-src")));
    CHECK_STR(content(P("pre/over-dst")), "source\n");
    /* And back to the first name. */
    CHECK_OK(rename(P("pre/moved"), P("pre/renamed")));
    CHECK_STR(content(P("pre/renamed")), "move me\n");
    CHECK(!exists(P("pre/moved")));
    printf("renamed: %s", content(P("pre/over-dst")));

    /* Unlink, then make the name again. */
    CHECK_OK(unlink(P("pre/gone")));
    CHECK(!exists(P("pre/gone")));
    CHECK_ERR(open(P("pre/gone"), O_RDONLY), ENOENT);
    CHECK_ERR(unlink(P("pre/gone")), ENOENT);
    CHECK_OK(write_file(P("pre/gone"), "new\n"));
    CHECK_STR(content(P("pre/gone")), "new\n");
    printf("unlinked and made again: %s", content(P("pre/gone")));

    /* Unlink while open. */
    fd = open(P("pre/gone-open"), O_RDONLY);
    CHECK(fd >= 0);
    CHECK_OK(unlink(P("pre/gone-open")));
    CHECK(!exists(P("pre/gone-open")));
    CHECK_STR(fd_str(fd, 0), "still readable\n");
    struct stat st;
    CHECK_OK(fstat(fd, &st));
    CHECK_EQ(st.st_nlink, 0);
    CHECK_EQ(st.st_size, 15);
    CHECK_OK(close(fd));
    printf("unlinked while open: %s", "still readable\n");

    /* Hard links. */
    CHECK_EQ(nlink_of(P("pre/linked")), 1);
    CHECK_OK(link(P("pre/linked"), P("pre/linked2")));
    CHECK_EQ(nlink_of(P("pre/linked")), 2);
    CHECK_EQ(nlink_of(P("pre/linked2")), 2);
    CHECK_OK(write_file(P("pre/linked2"), "through the link\n"));
    CHECK_STR(content(P("pre/linked")), "through the link\n");
    CHECK_OK(unlink(P("pre/linked")));
    CHECK_EQ(nlink_of(P("pre/linked2")), 1);
    CHECK_STR(content(P("pre/linked2")), "through the link\n");
    printf("hard link: %s", content(P("pre/linked2")));

    /* Times. */
    struct timespec ts[2] = {{1000000000, 0}, {1100000000, 0}};
    CHECK_OK(utimensat(AT_FDCWD, P("pre/times"), ts, 0));
    CHECK_OK(stat(P("pre/times"), &st));
    CHECK_EQ(st.st_atime, 1000000000);
    CHECK_EQ(st.st_mtime, 1100000000);
    CHECK_STR(content(P("pre/times")), "t\n");
    printf("times: mtime %lld\n", (long long)st.st_mtime);

    /* Truncate, then replace with O_TRUNC. */
    CHECK_OK(truncate(P("pre/file"), 4));
    CHECK_STR(content(P("pre/file")), "orig");
    CHECK_OK(write_file(P("pre/file"), "rewritten\n"));
    CHECK_STR(content(P("pre/file")), "rewritten\n");
    printf("truncated and rewritten: %s", content(P("pre/file")));
}

static void links(void) {
    char buf[PATH_MAX];
    struct stat st;
    ssize_t n = readlink(P("pre/sym"), buf, sizeof buf - 1);
    CHECK_EQ(n, 4);
    buf[n > 0 ? n : 0] = '\0';
    CHECK_STR(buf, "file");
    CHECK_OK(lstat(P("pre/sym"), &st));
    CHECK(S_ISLNK(st.st_mode));
    CHECK_EQ(st.st_size, 4);
    CHECK_STR(content(P("pre/sym")), "rewritten\n");
    printf("symlink: sym -> %s = %s", buf, content(P("pre/sym")));

    /* Dangling: lstat sees it; O_CREAT through it makes the target. */
    CHECK_OK(lstat(P("pre/dangling"), &st));
    CHECK(S_ISLNK(st.st_mode));
    CHECK_ERR(stat(P("pre/dangling"), &st), ENOENT);
    CHECK_ERR(open(P("pre/dangling"), O_RDONLY), ENOENT);
    int fd = open(P("pre/dangling"), O_WRONLY | O_CREAT, 0644);
    CHECK(fd >= 0);
    CHECK_EQ(write(fd, "made\n", 5), 5);
    CHECK_OK(close(fd));
    CHECK_STR(content(P("pre/nowhere")), "made\n");
    printf("dangling: created %s", content(P("pre/nowhere")));

    /* Loops. */
    CHECK_ERR(stat(P("pre/loop-a"), &st), ELOOP);
    CHECK_ERR(open(P("pre/loop-b"), O_RDONLY), ELOOP);
    CHECK_ERR(open(P("pre/loop-a/x"), O_RDONLY), ELOOP);
    CHECK_OK(lstat(P("pre/loop-a"), &st));
    CHECK(S_ISLNK(st.st_mode));
    printf("loops: ELOOP\n");

    /* Replace a link, and hard-link one. */
    CHECK_OK(unlink(P("pre/sym")));
    CHECK_OK(symlink("renamed", P("pre/sym")));
    CHECK_STR(content(P("pre/sym")), "move me\n");
    CHECK_OK(link(P("pre/loop-b"), P("pre/loop-c")));
    CHECK_OK(lstat(P("pre/loop-c"), &st));
    CHECK(S_ISLNK(st.st_mode));
    CHECK_EQ(st.st_nlink, 2);
    CHECK_ERR(stat(P("pre/loop-c"), &st), ELOOP);
    n = readlink(P("pre/loop-c"), buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = '\0';
    CHECK_STR(buf, "loop-a");
    printf("replaced: sym -> renamed = %s", content(P("pre/sym")));
}

static void dirs(void) {
    struct stat st;
    CHECK_OK(stat(P("pre"), &st));
    CHECK_EQ(st.st_nlink, 5);
    CHECK_OK(stat(P("pre/sub"), &st));
    CHECK_EQ(st.st_nlink, 3);

    CHECK_ERR(rmdir(P("pre/full")), ENOTEMPTY);
    CHECK_ERR(rmdir(P("pre/sub")), ENOTEMPTY);
    CHECK_OK(unlink(P("pre/full/x")));
    CHECK_EQ(print_dir("pre/full emptied", P("pre/full")), 0);
    CHECK_OK(rmdir(P("pre/full")));
    CHECK(!exists(P("pre/full")));
    CHECK_OK(rmdir(P("pre/empty")));
    CHECK(!exists(P("pre/empty")));
    CHECK_OK(stat(P("pre"), &st));
    CHECK_EQ(st.st_nlink, 3);
    /* Made again: empty, whatever was there. */
    CHECK_OK(mkdir(P("pre/full"), 0755));
    CHECK_EQ(print_dir("pre/full made again", P("pre/full")), 0);
    CHECK(!exists(P("pre/full/x")));
    CHECK_OK(write_file(P("pre/full/y"), "y"));
    print_dir("pre/full", P("pre/full"));

    /* Added to, deep down. */
    CHECK_OK(write_file(P("pre/sub/deeper/new"), "new"));
    print_dir("pre/sub/deeper", P("pre/sub/deeper"));
    CHECK_STR(content(P("pre/sub/deeper/c")), "c");
    CHECK_OK(mkdir(P("pre/sub/newdir"), 0755));
    CHECK_OK(stat(P("pre/sub"), &st));
    CHECK_EQ(st.st_nlink, 4);
    CHECK_OK(rename(P("pre/sub/a"), P("pre/sub/newdir/a")));
    CHECK_STR(content(P("pre/sub/newdir/a")), "a");
    print_dir("pre/sub", P("pre/sub"));
    /* rmdir of a directory that was there, emptied of what was there. */
    CHECK_OK(unlink(P("pre/sub/deeper/c")));
    CHECK_OK(unlink(P("pre/sub/deeper/new")));
    CHECK_OK(rmdir(P("pre/sub/deeper")));
    CHECK_OK(stat(P("pre/sub"), &st));
    CHECK_EQ(st.st_nlink, 3);
    print_dir("pre/sub", P("pre/sub"));
    CHECK_OK(stat(P("pre"), &st));
    printf("pre: nlink %ld\n", (long)st.st_nlink);
}

int main(int argc, char **argv) {
    test_init("preexisting", argc, argv);
    files();
    links();
    dirs();
    print_dir("pre at the end", P("pre"));
    return test_done();
}
