/* execve: a failing execve returns its error (ENOENT for a missing file,
 * EACCES for a directory, ENOEXEC or EACCES for a file that is not a
 * program) and the caller goes on. A child that execve's another program
 * keeps its pid and parent (compared here through a pipe, never printed)
 * and its plain descriptors; FD_CLOEXEC ones are closed, handled signals
 * reset, ignored ones, the mask and pending signals kept; the parent sees
 * the new program's exit status. */
#include <sys/stat.h>

#include "proc.h"

/* read_exact reads n bytes; 0 on success. */
static int read_exact(int fd, void *p, size_t n) {
    char *c = p;
    while (n > 0) {
        ssize_t r = read(fd, c, n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return -1;
        c += r;
        n -= (size_t)r;
    }
    return 0;
}

int main(int argc, char **argv) {
    test_init("execve", argc, argv);
    proc_init();
    char *av[] = {"nothing", NULL};
    char *ev[] = {NULL};

    /* Failures return to the caller. */
    CHECK_ERR(execve("/no/such/dir/prog", av, ev), ENOENT);
    CHECK_ERR(execve(helper_path("no_such_helper"), av, ev), ENOENT);
    CHECK_ERR(execve(test_dir, av, ev), EACCES);
    umask(022);
    int fd = open(P("text.prog"), O_WRONLY | O_CREAT | O_TRUNC, 0755);
    CHECK(fd >= 0);
    CHECK_EQ(write(fd, "not a program\n", 14), 14);
    CHECK_OK(close(fd));
    errno = 0;
    int r = execve(P("text.prog"), av, ev);
    int e = errno;
    CHECK(r == -1 && (e == ENOEXEC || e == EACCES));
    printf("execve failures: ENOENT, ENOENT, EACCES, %s; the caller goes on\n",
           e == ENOEXEC || e == EACCES ? "rejected" : errno_name(e));

    /* A child that execve's: execer then exec_target. */
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_OK(fcntl(p[0], F_SETFD, FD_CLOEXEC));
    char w[16];
    snprintf(w, sizeof w, "%d", p[1]);
    char *ex[] = {"execer", w, NULL};
    fflush(stdout);
    pid_t pid = spawnp("execer", NULL, NULL, ex, NULL);
    CHECK(pid > 0);
    CHECK_OK(close(p[1]));
    int before[4] = {0, 0, 0, 0}, after[2] = {0, 0};
    CHECK_OK(read_exact(p[0], before, sizeof before));
    CHECK_OK(read_exact(p[0], after, sizeof after));
    char c;
    CHECK_EQ(read(p[0], &c, 1), 0);
    CHECK_OK(close(p[0]));
    int st = wait_for(pid);
    CHECK_STATUS(st, "exited 42");
    printf("the child's status is the new program's: %s\n", status_str(st));

    CHECK_EQ(before[0], pid);
    CHECK_EQ(before[1], getpid());
    CHECK_EQ(before[2], ENOENT);
    CHECK_EQ(before[3], EACCES);
    printf("in the child, execve of a missing file: %s, of a directory: %s\n",
           errno_name(before[2]), errno_name(before[3]));
    CHECK_EQ(after[0], pid);
    CHECK_EQ(after[1], getpid());
    printf("pid after execve: %s; parent: %s\n", after[0] == pid ? "unchanged" : "CHANGED",
           after[1] == getpid() ? "unchanged" : "CHANGED");
    return test_done();
}
