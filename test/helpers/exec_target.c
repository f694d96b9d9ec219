/* exec_target WFD CLOEXEC_FD PLAIN_FD: the program execer execve's. It
 * writes its pid and its parent's pid to WFD (the parent compares them
 * with execer's), prints what survived execve and exits 42. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv) {
    if (argc < 4) return 2;
    int wfd = atoi(argv[1]), cfd = atoi(argv[2]), kfd = atoi(argv[3]);
    printf("exec_target: argv[0]=[%s] argc=%d\n", argv[0], argc);
    int n = 0;
    for (char **e = environ; *e != NULL; e++, n++) printf("exec_target: env [%s]\n", *e);
    printf("exec_target: %d env entries\n", n);

    errno = 0;
    int r = fcntl(cfd, F_GETFD);
    printf("exec_target: FD_CLOEXEC descriptor %s\n",
           r < 0 && errno == EBADF ? "closed" : "still open");
    printf("exec_target: plain descriptors %s\n",
           fcntl(wfd, F_GETFD) >= 0 && fcntl(kfd, F_GETFD) >= 0 ? "open" : "closed");

    struct sigaction sa;
    sigaction(SIGUSR1, NULL, &sa);
    printf("exec_target: SIGUSR1 %s\n", sa.sa_handler == SIG_IGN ? "ignored" : "not ignored");
    sigaction(SIGUSR2, NULL, &sa);
    printf("exec_target: SIGUSR2 %s\n", sa.sa_handler == SIG_DFL ? "default" : "not default");
    sigset_t mask, pend;
    sigprocmask(SIG_BLOCK, NULL, &mask);
    sigpending(&pend);
    printf("exec_target: SIGALRM %s, %s\n",
           sigismember(&mask, SIGALRM) == 1 ? "blocked" : "unblocked",
           sigismember(&pend, SIGALRM) == 1 ? "pending" : "not pending");

    int rec[2] = {(int)getpid(), (int)getppid()};
    if (write(kfd, rec, sizeof rec) != (ssize_t)sizeof rec) return 3;
    fflush(stdout);
    return 42;
}
