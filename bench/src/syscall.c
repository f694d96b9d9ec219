/*
 * Syscall round trip: the cheapest kernel entry in a loop, timed with the
 * monotonic clock. Natively the call is getpid(2) through syscall(2) (glibc
 * caches nothing there); inside the LibOS it is WASI clock_res_get, a host
 * call that writes one value into guest memory, which is the same amount of
 * kernel work. Prints nanoseconds per call.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#ifdef __wasi__
#include <wasi/api.h>
#else
#include <sys/syscall.h>
#include <unistd.h>
#endif

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (long i = 0; i < n; i++) {
#ifdef __wasi__
        __wasi_timestamp_t r;
        if (__wasi_clock_res_get(__WASI_CLOCKID_MONOTONIC, &r) != 0)
            return 1;
#else
        if (syscall(SYS_getpid) <= 0)
            return 1;
#endif
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    double ns = (b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec);
    printf("%.2f\n", ns / n);
    return 0;
}
