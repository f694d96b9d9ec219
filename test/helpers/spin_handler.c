/* spin_handler: installs a SIGUSR1 handler, writes "r" on stdout (the
 * parent waits for it before signalling), then spins without system calls
 * until the handler has run, and exits 7. In the LibOS the handler can only
 * run at a preemption point (a loop head). */
#include <signal.h>
#include <unistd.h>

static volatile sig_atomic_t got;

static void on_usr1(int sig) {
    (void)sig;
    got = 1;
}

int main(void) {
    struct sigaction sa;
    sa.sa_handler = on_usr1;
    sa.sa_flags = 0;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGUSR1, &sa, NULL) != 0) return 2;
    if (write(1, "r", 1) != 1) return 3;
    volatile unsigned long n = 0;
    while (!got) n++;
    return 7;
}
