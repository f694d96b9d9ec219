/* libc_misc: the smaller POSIX calls real sources use, where Linux and
 * the LibOS agree: realpath (through . and .., symbolic links, ENOENT,
 * ENOTDIR), dirname and basename (POSIX's, with their corner cases),
 * gethostname (a name, NUL-terminated; ENAMETOOLONG for a short buffer is
 * not compared: glibc truncates), getrusage, setlocale to "C" and "POSIX",
 * localeconv, and strerror of the common errors. */
#define _GNU_SOURCE
#include <libgen.h>
#include <limits.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"

static void check_realpath(void) {
    char cwd[PATH_MAX], buf[PATH_MAX], want[PATH_MAX + 32];
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    CHECK_OK(mkdir("rp", 0755));
    CHECK_OK(mkdir("rp/sub", 0755));
    FILE *f = fopen("rp/sub/file", "w");
    CHECK(f != NULL);
    if (f) fclose(f);
    CHECK_OK(symlink("sub", "rp/link"));
    snprintf(want, sizeof want, "%s/rp/sub/file", strcmp(cwd, "/") ? cwd : "");
    CHECK(realpath("rp/./sub/../link/file", buf) != NULL);
    CHECK_STR(buf, want);
    char *m = realpath("rp/link", NULL);
    CHECK(m != NULL);
    if (m) {
        CHECK(strlen(m) > 3 && strcmp(m + strlen(m) - 7, "/rp/sub") == 0);
        free(m);
    }
    errno = 0;
    CHECK(realpath("rp/missing", buf) == NULL && errno == ENOENT);
    errno = 0;
    CHECK(realpath("rp/sub/file/x", buf) == NULL && errno == ENOTDIR);
    printf("realpath: through . .. and a link; ENOENT, ENOTDIR\n");
    unlink("rp/link");
    unlink("rp/sub/file");
    rmdir("rp/sub");
    rmdir("rp");
}

static void check_libgen(void) {
    const char *cases[] = {"/usr/lib", "/usr/", "usr", "/", ".", "..", "a//b//", ""}; /* "//x": implementation-defined (glibc "//", musl "/") */
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char d[64], b[64];
        strcpy(d, cases[i]);
        strcpy(b, cases[i]);
        printf("dirname(\"%s\") = \"%s\", basename = \"%s\"\n", cases[i], dirname(d), basename(b));
    }
}

static void check_misc(void) {
    char host[256];
    CHECK_OK(gethostname(host, sizeof host));
    CHECK(memchr(host, 0, sizeof host) != NULL && host[0] != 0);
    struct rusage ru;
    CHECK_OK(getrusage(RUSAGE_SELF, &ru));
    CHECK(ru.ru_utime.tv_sec >= 0 && ru.ru_utime.tv_usec >= 0 && ru.ru_utime.tv_usec < 1000000);
    CHECK_ERR(getrusage(12345, &ru), EINVAL);
    printf("gethostname, getrusage: ok\n");

    const char *l = setlocale(LC_ALL, "C");
    CHECK(l != NULL);
    printf("setlocale(LC_ALL, \"C\") = %s\n", l ? l : "(null)");
    l = setlocale(LC_NUMERIC, "POSIX");
    CHECK(l != NULL);
    struct lconv *lc = localeconv();
    printf("localeconv: decimal_point \"%s\", thousands_sep \"%s\"\n", lc->decimal_point, lc->thousands_sep);
    printf("%.2f\n", 1234.5);
    const int errs[] = {ENOENT, EACCES, EEXIST, ENOTDIR, EINVAL, EPIPE, EAGAIN, ENOSPC};
    for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++)
        printf("strerror(%s) = %s\n", errno_name(errs[i]), strerror(errs[i]));
}

int main(int argc, char **argv) {
    test_init("libc_misc", argc, argv);
    check_realpath();
    check_libgen();
    check_misc();
    return test_done();
}
