/* sleep_then_exit MS CODE: sleeps MS milliseconds, then exits with CODE. */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv) {
    long ms = argc > 1 ? atol(argv[1]) : 100;
    int code = argc > 2 ? atoi(argv[2]) : 0;
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
    return code;
}
