/* print_sigs: prints which of the common signals are ignored, handled,
 * blocked and pending, as inherited through posix_spawn or execve. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

static const int sigs[] = {SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE,
                           SIGALRM, SIGTERM, SIGCHLD};
static const char *names[] = {"SIGHUP", "SIGINT", "SIGQUIT", "SIGUSR1", "SIGUSR2",
                              "SIGPIPE", "SIGALRM", "SIGTERM", "SIGCHLD"};
#define NSIGS (sizeof sigs / sizeof sigs[0])

static void line(const char *what, const int *in) {
    char out[256] = "";
    for (size_t i = 0; i < NSIGS; i++) {
        if (!in[i]) continue;
        strcat(out, " ");
        strcat(out, names[i]);
    }
    printf("%s:%s\n", what, out[0] ? out : " none");
}

int main(void) {
    int ign[NSIGS], handled[NSIGS], blocked[NSIGS], pending[NSIGS];
    sigset_t mask, pend;
    if (sigprocmask(SIG_BLOCK, NULL, &mask) != 0) return 2;
    if (sigpending(&pend) != 0) return 2;
    for (size_t i = 0; i < NSIGS; i++) {
        struct sigaction sa;
        if (sigaction(sigs[i], NULL, &sa) != 0) return 2;
        ign[i] = sa.sa_handler == SIG_IGN;
        handled[i] = sa.sa_handler != SIG_IGN && sa.sa_handler != SIG_DFL;
        blocked[i] = sigismember(&mask, sigs[i]) == 1;
        pending[i] = sigismember(&pend, sigs[i]) == 1;
    }
    line("ignored", ign);
    line("handled", handled);
    line("blocked", blocked);
    line("pending", pending);
    return 0;
}
