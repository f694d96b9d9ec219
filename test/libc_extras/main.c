/* libc_extras: what wasi-libc lacks and libocclum adds for real sources:
 * <pwd.h> and <grp.h> (the image's /etc/passwd and /etc/group, and
 * fgetpwent/fgetgrent on a file of our own), mkstemp and its kin,
 * tmpfile, flockfile, clock and times, getrandom; the chmod family and
 * the modes asked for at creation (open, mkdir). Only what Linux and the
 * LibOS both give is printed. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

#include "test.h"

static int all_x(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (s[i] != 'X') return 0;
    return 1;
}

static void users(void) {
    struct passwd *pw = getpwuid(0);
    CHECK(pw != NULL);
    if (pw) {
        CHECK_STR(pw->pw_name, "root");
        CHECK_STR(pw->pw_dir, "/root");
        printf("uid 0: %s, home %s\n", pw->pw_name, pw->pw_dir);
    }
    pw = getpwnam("root");
    CHECK(pw != NULL && pw->pw_uid == 0 && pw->pw_gid == 0);
    errno = 0;
    CHECK(getpwnam("no-such-user-occlum-test") == NULL);
    CHECK(getpwuid(4000000000u) == NULL);

    struct passwd ent, *res = &ent;
    char small[4];
    CHECK_EQ(getpwnam_r("root", &ent, small, sizeof small, &res), ERANGE);
    char buf[1024];
    CHECK_EQ(getpwnam_r("root", &ent, buf, sizeof buf, &res), 0);
    CHECK(res == &ent && strcmp(ent.pw_name, "root") == 0);
    CHECK_EQ(getpwuid_r(4000000000u, &ent, buf, sizeof buf, &res), 0);
    CHECK(res == NULL);

    struct group *gr = getgrgid(0);
    CHECK(gr != NULL);
    if (gr) {
        CHECK_STR(gr->gr_name, "root");
        printf("gid 0: %s\n", gr->gr_name);
    }
    gr = getgrnam("root");
    CHECK(gr != NULL && gr->gr_gid == 0);
    CHECK(getgrnam("no-such-group-occlum-test") == NULL);

    /* Files of our own, the same on both sides. */
    CHECK_OK(write_file(P("passwd"),
        "alice:x:1000:1000:Alice A,,,:/home/alice:/bin/sh\n"
        "bob:*:1001:100::/home/bob:/usr/bin/false\n"
        "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"));
    FILE *f = fopen(P("passwd"), "r");
    CHECK(f != NULL);
    while (f && (pw = fgetpwent(f)) != NULL)
        printf("passwd: %s %s %u %u [%s] %s %s\n", pw->pw_name, pw->pw_passwd,
               (unsigned)pw->pw_uid, (unsigned)pw->pw_gid, pw->pw_gecos, pw->pw_dir, pw->pw_shell);
    if (f) fclose(f);
    CHECK_OK(write_file(P("group"),
        "staff:x:50:alice,bob,carol\n"
        "users:x:100:\n"
        "solo:x:7:alice\n"));
    f = fopen(P("group"), "r");
    CHECK(f != NULL);
    while (f && (gr = fgetgrent(f)) != NULL) {
        printf("group: %s %u:", gr->gr_name, (unsigned)gr->gr_gid);
        for (char **m = gr->gr_mem; *m; m++) printf(" %s", *m);
        printf("\n");
    }
    if (f) fclose(f);
}

static void temp_files(void) {
    char name[PATH_MAX];
    snprintf(name, sizeof name, "%s", P("tmpXXXXXX"));
    size_t n = strlen(name);
    int fd = mkstemp(name);
    CHECK(fd >= 0);
    CHECK(strlen(name) == n && !all_x(name + n - 6, 6));
    struct stat st;
    CHECK_OK(fstat(fd, &st));
    CHECK_EQ(st.st_mode & 07777, 0600);
    CHECK_EQ(write(fd, "temp", 4), 4);
    CHECK_OK(close(fd));
    CHECK_STR(content(name), "temp");
    CHECK_OK(unlink(name));
    printf("mkstemp: a new file, mode 0600\n");

    char bad[] = "no-x-here";
    CHECK_ERR(mkstemp(bad), EINVAL);
    CHECK_STR(bad, "no-x-here");
    char few[] = "fewXXXXX";
    CHECK_ERR(mkstemp(few), EINVAL);

    snprintf(name, sizeof name, "%s", P("sufXXXXXX.txt"));
    fd = mkstemps(name, 4);
    CHECK(fd >= 0);
    CHECK(strcmp(name + strlen(name) - 4, ".txt") == 0 && !all_x(name + strlen(name) - 10, 6));
    CHECK_OK(close(fd));
    CHECK_OK(unlink(name));
    printf("mkstemps: suffix kept\n");

    snprintf(name, sizeof name, "%s", P("cloXXXXXX"));
    fd = mkostemp(name, O_CLOEXEC);
    CHECK(fd >= 0);
    CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
    CHECK_OK(close(fd));
    CHECK_OK(unlink(name));

    snprintf(name, sizeof name, "%s", P("dirXXXXXX"));
    CHECK(mkdtemp(name) == name);
    CHECK_OK(stat(name, &st));
    CHECK(S_ISDIR(st.st_mode));
    CHECK_EQ(st.st_mode & 07777, 0700);
    CHECK_OK(rmdir(name));
    printf("mkdtemp: a new directory, mode 0700\n");

    FILE *t = tmpfile();
    CHECK(t != NULL);
    if (t) {
        CHECK(fputs("scratch", t) >= 0);
        rewind(t);
        char line[32] = {0};
        CHECK(fgets(line, sizeof line, t) != NULL);
        CHECK_STR(line, "scratch");
        CHECK_OK(fclose(t));
        printf("tmpfile: %s\n", line);
    }

    flockfile(stdout);
    CHECK_EQ(ftrylockfile(stdout), 0);
    funlockfile(stdout);
    funlockfile(stdout);
}

static unsigned mode_of(const char *path, int follow) {
    struct stat st;
    if ((follow ? stat(path, &st) : lstat(path, &st)) != 0) return 0xffffffff;
    return st.st_mode & 07777;
}

static void modes(void) {
    mode_t old = umask(022);
    int fd = open(P("m-file"), O_WRONLY | O_CREAT | O_EXCL, 0640);
    CHECK(fd >= 0);
    CHECK_EQ(mode_of(P("m-file"), 1), 0640);
    /* An existing file keeps its mode. */
    CHECK_OK(close(fd));
    fd = open(P("m-file"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CHECK(fd >= 0);
    CHECK_EQ(mode_of(P("m-file"), 1), 0640);
    CHECK_OK(fchmod(fd, 04755));
    CHECK_EQ(mode_of(P("m-file"), 1), 04755);
    CHECK_OK(close(fd));
    fd = open(P("m-wide"), O_WRONLY | O_CREAT, 0777);
    CHECK(fd >= 0);
    CHECK_EQ(mode_of(P("m-wide"), 1), 0755);
    CHECK_OK(close(fd));
    fd = open(P("m-plain"), O_WRONLY | O_CREAT, 0666);
    CHECK(fd >= 0);
    CHECK_EQ(mode_of(P("m-plain"), 1), 0644);
    CHECK_OK(close(fd));
    printf("open: 0640, existing kept, fchmod 04755, 0777 -> 0755, 0666 -> 0644\n");

    CHECK_OK(chmod(P("m-plain"), 0400));
    CHECK_EQ(mode_of(P("m-plain"), 1), 0400);
    CHECK_ERR(chmod(P("m-missing"), 0644), ENOENT);
    CHECK_OK(symlink("m-plain", P("m-link")));
    CHECK_OK(chmod(P("m-link"), 0604));
    CHECK_EQ(mode_of(P("m-plain"), 1), 0604);
    CHECK_ERR(fchmodat(AT_FDCWD, P("m-link"), 0644, AT_SYMLINK_NOFOLLOW), EOPNOTSUPP);
    CHECK_OK(fchmodat(AT_FDCWD, P("m-plain"), 0620, AT_SYMLINK_NOFOLLOW));
    CHECK_EQ(mode_of(P("m-plain"), 1), 0620);
    CHECK_ERR(fchmodat(AT_FDCWD, P("m-plain"), 0644, 0x4000), EINVAL);
    printf("chmod: through links; fchmodat nofollow on a link EOPNOTSUPP\n");

    CHECK_OK(mkdir(P("m-dir"), 0750));
    CHECK_EQ(mode_of(P("m-dir"), 1), 0750);
    CHECK_OK(mkdir(P("m-dir/all"), 0777));
    CHECK_EQ(mode_of(P("m-dir/all"), 1), 0755);
    int dfd = open(P("m-dir"), O_RDONLY | O_DIRECTORY);
    CHECK(dfd >= 0);
    CHECK_OK(mkdirat(dfd, "sub", 0700));
    CHECK_EQ(mode_of(P("m-dir/sub"), 1), 0700);
    fd = openat(dfd, "f", O_WRONLY | O_CREAT, 0604);
    CHECK(fd >= 0);
    CHECK_EQ(mode_of(P("m-dir/f"), 1), 0604);
    CHECK_OK(fchmodat(dfd, "f", 0664, 0));
    CHECK_EQ(mode_of(P("m-dir/f"), 1), 0664);
    CHECK_OK(close(fd));
    CHECK_OK(close(dfd));
    umask(077);
    CHECK_OK(mkdir(P("m-dir/private"), 0777));
    CHECK_EQ(mode_of(P("m-dir/private"), 1), 0700);
    umask(old);
    printf("mkdir and mkdirat: 0750, 0777 -> 0755, 0700; umask 077 -> 0700\n");

    /* Owners (as root: every LibOS process is; natively only when the
     * test runs as root, and nothing is printed either way). */
    if (geteuid() == 0) {
        struct stat st;
        CHECK_OK(chmod(P("m-file"), 04755));
        CHECK_OK(chown(P("m-file"), 1000, 100));
        CHECK_OK(stat(P("m-file"), &st));
        CHECK(st.st_uid == 1000 && st.st_gid == 100);
        CHECK_EQ(st.st_mode & 07777, 0755);
        fd = open(P("m-file"), O_RDONLY);
        CHECK(fd >= 0);
        CHECK_OK(fchown(fd, (uid_t)-1, 7));
        CHECK_OK(fstat(fd, &st));
        CHECK(st.st_uid == 1000 && st.st_gid == 7);
        CHECK_OK(close(fd));
        CHECK_OK(lchown(P("m-link"), 5, 6));
        CHECK_OK(lstat(P("m-link"), &st));
        CHECK(st.st_uid == 5 && st.st_gid == 6);
        CHECK_OK(stat(P("m-plain"), &st));
        CHECK(st.st_uid == 0);
        CHECK_OK(fchownat(AT_FDCWD, P("m-dir"), 3, 4, 0));
        CHECK_OK(stat(P("m-dir"), &st));
        CHECK(st.st_uid == 3 && st.st_gid == 4);
        CHECK_ERR(chown(P("m-missing"), 1, 1), ENOENT);
        CHECK_OK(chown(P("m-file"), (uid_t)-1, (gid_t)-1));
    }
}

static void clocks_and_random(void) {
    clock_t c0 = clock();
    CHECK(c0 != (clock_t)-1);
    volatile unsigned long x = 0;
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    do {
        for (int i = 0; i < 100000; i++) x += (unsigned long)i;
        clock_gettime(CLOCK_MONOTONIC, &now);
    } while ((now.tv_sec - start.tv_sec) * 1000000000L + (now.tv_nsec - start.tv_nsec) < 50000000L);
    clock_t c1 = clock();
    CHECK(c1 > c0);
    struct tms t;
    clock_t r = times(&t);
    CHECK(r != (clock_t)-1);
    CHECK(t.tms_utime + t.tms_stime > 0);
    printf("clock and times: running\n");

    unsigned char a[64], b[64];
    CHECK_EQ(getrandom(a, sizeof a, 0), 64);
    CHECK_EQ(getrandom(b, sizeof b, GRND_NONBLOCK), 64);
    CHECK(memcmp(a, b, sizeof a) != 0);
    CHECK_ERR(getrandom(a, sizeof a, 0x100), EINVAL);
    printf("getrandom: 64 bytes\n");
}

int main(int argc, char **argv) {
    test_init("libc_extras", argc, argv);
    users();
    temp_files();
    modes();
    clocks_and_random();
    return test_done();
}
