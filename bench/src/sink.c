/* Reads stdin to EOF in 1 MiB reads and exits 0 if it got argv[1] bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
    static char buf[1 << 20];
    long long want = argc > 1 ? atoll(argv[1]) : -1, got = 0;
    ssize_t n;
    while ((n = read(0, buf, sizeof buf)) > 0)
        got += n;
    if (n < 0) {
        perror("sink: read");
        return 1;
    }
    if (want >= 0 && got != want) {
        fprintf(stderr, "sink: got %lld bytes, want %lld\n", got, want);
        return 1;
    }
    return 0;
}
