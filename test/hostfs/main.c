/* hostfs: files in a directory shared with the host.
 *
 * argv[1] is the shared directory: natively a temporary directory, inside
 * the LibOS /host (hostfs). The harness prepares:
 *   <dir>/from-host.txt      containing "from the host\n"
 *   <dir>/../outside-sentinel containing "HOST-SECRET" (outside the share)
 *   OCCLUM_TEST_SENTINEL     the sentinel's absolute host path
 *   OCCLUM_TEST_CONFINED=1   set when run inside the LibOS
 * and checks afterwards, on the host, the files this program wrote.
 *
 * Natively every escape path reaches the sentinel (which shows the paths
 * are right); inside the LibOS none may. The output is the same. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"

static int confined;

/* reaches reports whether path opens the host's sentinel. */
static int reaches(const char *path) {
    char buf[64];
    if (read_file(path, buf, sizeof buf) < 0) return 0;
    return strcmp(buf, "HOST-SECRET") == 0;
}

static void check_escape(const char *what, const char *path) {
    int r = reaches(path);
    CHECK(confined ? !r : r);
    if (confined && r) printf("escape: %s reached the host outside the share\n", what);
}

int main(int argc, char **argv) {
    test_init("hostfs", argc, argv);
    const char *c = getenv("OCCLUM_TEST_CONFINED");
    confined = c != NULL && strcmp(c, "1") == 0;
    struct stat st;

    /* A file the host put there. */
    CHECK_STR(content(P("from-host.txt")), "from the host\n");
    printf("read: %s", content(P("from-host.txt")));

    /* Files and directories written here appear on the host. */
    CHECK_OK(write_file(P("hostfs-out.txt"), "written inside\n"));
    CHECK_STR(content(P("hostfs-out.txt")), "written inside\n");
    CHECK_OK(mkdir(P("sub"), 0755));
    CHECK_OK(write_file(P("sub/nested.txt"), "nested\n"));
    CHECK_OK(write_file(P("sub/gone.txt"), "gone\n"));
    CHECK_OK(unlink(P("sub/gone.txt")));
    CHECK_OK(write_file(P("sub/old-name.txt"), "renamed\n"));
    CHECK_OK(rename(P("sub/old-name.txt"), P("sub/new-name.txt")));
    CHECK_OK(stat(P("sub/nested.txt"), &st));
    CHECK_EQ(st.st_size, 7);
    CHECK(S_ISREG(st.st_mode));

    /* Larger content survives a round trip through the host. */
    static char big[100000], back[100001];
    for (size_t i = 0; i < sizeof big; i++) big[i] = (char)('a' + i % 26);
    int fd = open(P("big.bin"), O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0);
    CHECK_EQ(write(fd, big, sizeof big), (long)sizeof big);
    CHECK_EQ(pread(fd, back, sizeof big, 0), (long)sizeof big);
    CHECK(memcmp(big, back, sizeof big) == 0);
    CHECK_OK(close(fd));
    printf("write: round trip ok\n");

    /* Escapes: `..` from the share, `..` after a subdirectory, symlinks
     * pointing out of it, and the sentinel's absolute host path. */
    check_escape("..", P("../outside-sentinel"));
    check_escape("sub/../..", P("sub/../../outside-sentinel"));
    CHECK_OK(symlink("../outside-sentinel", P("escape-link")));
    check_escape("relative symlink", P("escape-link"));
    CHECK_OK(symlink("..", P("escape-dir")));
    check_escape("symlink to ..", P("escape-dir/outside-sentinel"));
    const char *sentinel = getenv("OCCLUM_TEST_SENTINEL");
    CHECK(sentinel != NULL);
    if (sentinel != NULL) {
        check_escape("absolute host path", sentinel);
        CHECK_OK(symlink(sentinel, P("escape-abs")));
        check_escape("absolute symlink", P("escape-abs"));
    }
    printf("escape: checked\n");
    return test_done();
}
