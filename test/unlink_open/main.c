/* unlink_open: a file whose last name is gone lives on while it is open.
 * After unlink, and after rename replaced its name, reads, writes,
 * ftruncate, fsync, lseek and dup work through every descriptor, fstat
 * says nlink 0, a new file of the same name is another file, and nothing
 * written through the old descriptors shows up under any name. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"

static unsigned char big[20000], back[20000];

static int exists(const char *path) {
    struct stat st;
    return lstat(path, &st) == 0;
}

/* fd_str reads up to 63 bytes at offset 0 of fd as a string. */
static const char *fd_str(int fd) {
    static char bufs[4][64];
    static int next;
    char *b = bufs[next++ % 4];
    ssize_t n = pread(fd, b, 63, 0);
    b[n > 0 ? n : 0] = '\0';
    return n >= 0 ? b : "(unreadable)";
}

static long nlink_fd(int fd) {
    struct stat st;
    return fstat(fd, &st) == 0 ? (long)st.st_nlink : -1;
}

static long size_fd(int fd) {
    struct stat st;
    return fstat(fd, &st) == 0 ? (long)st.st_size : -1;
}

static void unlinked(void) {
    struct stat st;
    CHECK_OK(write_file(P("a"), "0123456789"));
    int rw = open(P("a"), O_RDWR);
    int ro = open(P("a"), O_RDONLY);
    CHECK(rw >= 0 && ro >= 0);
    CHECK_OK(unlink(P("a")));
    CHECK(!exists(P("a")));
    CHECK_ERR(stat(P("a"), &st), ENOENT);
    CHECK_EQ(nlink_fd(rw), 0);
    CHECK_EQ(nlink_fd(ro), 0);
    CHECK_EQ(size_fd(ro), 10);
    CHECK_STR(fd_str(ro), "0123456789");
    printf("after unlink: nlink %ld, reads %s\n", nlink_fd(ro), fd_str(ro));

    /* Writes through one descriptor show through the other. */
    CHECK_EQ(pwrite(rw, "ABC", 3, 10), 3);
    CHECK_EQ(size_fd(ro), 13);
    CHECK_STR(fd_str(ro), "0123456789ABC");
    CHECK_EQ(lseek(rw, 0, SEEK_END), 13);
    CHECK_EQ(write(rw, "D", 1), 1);
    CHECK_STR(fd_str(ro), "0123456789ABCD");
    char c = 0;
    CHECK_EQ(lseek(ro, 5, SEEK_SET), 5);
    CHECK_EQ(read(ro, &c, 1), 1);
    CHECK_EQ(c, '5');
    printf("written through the other descriptor: %s\n", fd_str(ro));

    /* Blocks of data, synced, and read back. */
    for (int i = 0; i < (int)sizeof big; i++) big[i] = (unsigned char)(i * 7 + i / 4096);
    CHECK_EQ(pwrite(rw, big, sizeof big, 4000), (long)sizeof big);
    CHECK_OK(fsync(rw));
    CHECK_OK(fdatasync(rw));
    CHECK_EQ(size_fd(ro), 4000 + (long)sizeof big);
    memset(back, 0, sizeof back);
    CHECK_EQ(pread(ro, back, sizeof back, 4000), (long)sizeof back);
    CHECK(memcmp(back, big, sizeof big) == 0);
    /* The gap between the old end and the block write reads as zeros. */
    CHECK_EQ(pread(ro, back, 4000 - 14, 14), 4000 - 14);
    int zeros = 1;
    for (int i = 0; i < 4000 - 14; i++) zeros &= back[i] == 0;
    CHECK(zeros);
    printf("blocks through an unlinked file: size %ld\n", size_fd(ro));

    /* ftruncate, seen by both. */
    CHECK_OK(ftruncate(rw, 4));
    CHECK_EQ(size_fd(ro), 4);
    CHECK_STR(fd_str(ro), "0123");
    CHECK_EQ(lseek(ro, 0, SEEK_END), 4);
    CHECK_OK(ftruncate(rw, 6));
    CHECK_EQ(pread(ro, back, 10, 0), 6);
    CHECK(memcmp(back, "0123\0\0", 6) == 0);

    /* A new file with the old name is another, empty file. */
    int n = open(P("a"), O_RDWR | O_CREAT | O_EXCL, 0644);
    CHECK(n >= 0);
    CHECK_EQ(write(n, "new", 3), 3);
    CHECK_STR(content(P("a")), "new");
    CHECK_EQ(size_fd(ro), 6);
    CHECK_EQ(nlink_fd(n), 1);
    CHECK_EQ(nlink_fd(rw), 0);
    struct stat s1, s2;
    CHECK_OK(fstat(n, &s1));
    CHECK_OK(fstat(rw, &s2));
    CHECK(s1.st_ino != s2.st_ino);
    CHECK_OK(close(n));
    printf("a new file of that name: %s; the old one still has %ld bytes\n", content(P("a")),
           size_fd(ro));

    /* A dup outlives the descriptor it was made from. */
    int d = dup(rw);
    CHECK(d >= 0);
    CHECK_OK(close(rw));
    CHECK_EQ(pwrite(d, "xy", 2, 0), 2);
    CHECK_EQ(pread(ro, back, 2, 0), 2);
    CHECK(memcmp(back, "xy", 2) == 0);
    CHECK_OK(close(d));
    CHECK_EQ(pread(ro, back, 10, 0), 6);
    CHECK(memcmp(back, "xy23\0\0", 6) == 0);
    CHECK_OK(close(ro));
    CHECK_STR(content(P("a")), "new");
    printf("after a dup and close: the new file is untouched (%s)\n", content(P("a")));
}

static void renamed_over(void) {
    /* The target of a rename is open: its descriptors keep the old file. */
    CHECK_OK(write_file(P("target"), "old target"));
    CHECK_OK(write_file(P("src"), "new content"));
    int t = open(P("target"), O_RDWR);
    int s = open(P("src"), O_RDONLY);
    CHECK(t >= 0 && s >= 0);
    CHECK_OK(rename(P("src"), P("target")));
    CHECK(!exists(P("src")));
    CHECK_STR(content(P("target")), "new content");
    CHECK_STR(fd_str(t), "old target");
    CHECK_EQ(nlink_fd(t), 0);
    CHECK_EQ(nlink_fd(s), 1);
    CHECK_STR(fd_str(s), "new content");
    printf("renamed over an open file: name reads %s, its old descriptor %s (nlink %ld)\n",
           content(P("target")), fd_str(t), nlink_fd(t));

    /* Writes through the replaced file's descriptor go nowhere visible. */
    CHECK_EQ(pwrite(t, "OLD", 3, 0), 3);
    CHECK_EQ(pwrite(t, big, 5000, 6000), 5000);
    CHECK_OK(fsync(t));
    CHECK_EQ(size_fd(t), 11000);
    CHECK_STR(fd_str(t), "OLD target");
    CHECK_STR(content(P("target")), "new content");
    /* Writes through the renamed file's new name show through its old
     * descriptor. */
    int w = open(P("target"), O_WRONLY | O_APPEND);
    CHECK(w >= 0);
    CHECK_EQ(write(w, "!", 1), 1);
    CHECK_OK(close(w));
    CHECK_STR(fd_str(s), "new content!");
    CHECK_OK(close(s));
    CHECK_OK(close(t));
    CHECK_STR(content(P("target")), "new content!");
    printf("after writes through both: %s\n", content(P("target")));

    /* Over a file open by several descriptors, and onto a name then
     * replaced again. */
    CHECK_OK(write_file(P("x"), "first"));
    CHECK_OK(write_file(P("y"), "second"));
    CHECK_OK(write_file(P("z"), "third"));
    int x1 = open(P("x"), O_RDONLY), x2 = open(P("x"), O_RDWR);
    CHECK(x1 >= 0 && x2 >= 0);
    CHECK_OK(rename(P("y"), P("x")));
    int y1 = open(P("x"), O_RDONLY);
    CHECK(y1 >= 0);
    CHECK_OK(rename(P("z"), P("x")));
    CHECK_STR(fd_str(x1), "first");
    CHECK_STR(fd_str(y1), "second");
    CHECK_STR(content(P("x")), "third");
    CHECK_EQ(nlink_fd(x2), 0);
    CHECK_EQ(nlink_fd(y1), 0);
    CHECK_EQ(pwrite(x2, "F", 1, 0), 1);
    CHECK_STR(fd_str(x1), "First");
    CHECK_OK(close(x1));
    CHECK_OK(close(x2));
    CHECK_OK(close(y1));
    CHECK_STR(content(P("x")), "third");
    CHECK(!exists(P("y")) && !exists(P("z")));
    printf("renamed over twice: %s\n", content(P("x")));
}

int main(int argc, char **argv) {
    test_init("unlink_open", argc, argv);
    unlinked();
    renamed_over();
    return test_done();
}
