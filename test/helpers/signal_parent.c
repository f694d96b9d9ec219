/* signal_parent USR1|USR2|TERM|ALRM: sends the signal to the parent every
 * 20 ms until stdin reaches end of file (the parent closes the pipe when it
 * has seen what it waited for), then exits 0; exits 1 after 60 s. Sending
 * repeatedly makes a test that waits for the signal in a blocking call
 * independent of timing. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    int sig = SIGUSR1;
    if (argc > 1 && strcmp(argv[1], "USR2") == 0) sig = SIGUSR2;
    if (argc > 1 && strcmp(argv[1], "TERM") == 0) sig = SIGTERM;
    if (argc > 1 && strcmp(argv[1], "ALRM") == 0) sig = SIGALRM;
    pid_t parent = getppid();
    for (int i = 0; i < 3000; i++) {
        if (kill(parent, sig) != 0) return 2;
        struct pollfd p = {0, POLLIN, 0};
        int r = poll(&p, 1, 20);
        if (r < 0 && errno != EINTR) return 3;
        if (r > 0) {
            char c;
            ssize_t n = read(0, &c, 1);
            if (n == 0) return 0;
            if (n < 0 && errno != EINTR && errno != EAGAIN) return 4;
        }
    }
    return 1;
}
