/* execer WFD: the first half of the execve test. It writes its pid, its
 * parent's pid and the errors of two failing execve calls (a missing file,
 * a directory) to WFD, then prepares what execve must keep or drop:
 *   - a copy of WFD with FD_CLOEXEC (must be closed after execve),
 *   - a plain copy of WFD (must stay open),
 *   - SIGUSR1 ignored (stays ignored), a SIGUSR2 handler (reset to
 *     default), SIGALRM blocked and pending (stays blocked and pending),
 * and execve's exec_target (from TEST_BIN, or /bin) with its own argv and
 * environment. It exits 99 if that execve returns. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

static void on_usr2(int sig) {
    (void)sig;
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    int wfd = atoi(argv[1]);
    const char *bin = getenv("TEST_BIN");
    if (bin == NULL || bin[0] == '\0') bin = "/bin";

    int rec[4];
    rec[0] = (int)getpid();
    rec[1] = (int)getppid();
    char *av[] = {"nothing", NULL};
    char *ev[] = {NULL};
    errno = 0;
    execve("/no/such/dir/prog", av, ev);
    rec[2] = errno;
    errno = 0;
    execve(bin, av, ev);
    rec[3] = errno;
    if (write(wfd, rec, sizeof rec) != (ssize_t)sizeof rec) return 3;

    int cfd = fcntl(wfd, F_DUPFD_CLOEXEC, 0);
    int kfd = dup(wfd);
    if (cfd < 0 || kfd < 0) return 4;
    if (signal(SIGUSR1, SIG_IGN) == SIG_ERR) return 5;
    struct sigaction sa;
    sa.sa_handler = on_usr2;
    sa.sa_flags = 0;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGUSR2, &sa, NULL) != 0) return 5;
    sigset_t alrm;
    sigemptyset(&alrm);
    sigaddset(&alrm, SIGALRM);
    if (sigprocmask(SIG_BLOCK, &alrm, NULL) != 0) return 5;
    if (kill(getpid(), SIGALRM) != 0) return 5;

    char target[PATH_MAX], w[16], c[16], k[16];
    snprintf(target, sizeof target, "%s/exec_target", bin);
    snprintf(w, sizeof w, "%d", wfd);
    snprintf(c, sizeof c, "%d", cfd);
    snprintf(k, sizeof k, "%d", kfd);
    char *tav[] = {"exec-target-argv0", w, c, k, NULL};
    char *tev[] = {"EXEC_ENV=yes", "EXEC_OTHER=two words", NULL};
    fflush(stdout);
    execve(target, tav, tev);
    return 99;
}
