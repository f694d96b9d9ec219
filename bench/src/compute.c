/*
 * CPU-bound work, to measure the WebAssembly tax honestly: an FNV-1a hash
 * over a buffer, an integer sort, and a float loop. Prints milliseconds.
 *
 * The sort is our own (a quicksort calling its comparison through a
 * function pointer, like qsort) rather than libc's: glibc's qsort and
 * wasi-libc's (musl's smoothsort) are different algorithms, 140 ms against
 * 850 ms here, which would measure the libcs, not the LibOS.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int cmp(uint32_t x, uint32_t y) { return (x > y) - (x < y); }

static void sort(uint32_t *v, long n, int (*less)(uint32_t, uint32_t)) {
    while (n > 16) {
        uint32_t p = v[n / 2];
        long i = 0, j = n - 1;
        for (;;) {
            while (less(v[i], p) < 0) i++;
            while (less(p, v[j]) < 0) j--;
            if (i >= j) break;
            uint32_t t = v[i]; v[i] = v[j]; v[j] = t;
            i++, j--;
        }
        sort(v, j + 1, less);
        v += j + 1, n -= j + 1;
    }
    for (long i = 1; i < n; i++)
        for (long k = i; k > 0 && less(v[k - 1], v[k]) > 0; k--) {
            uint32_t t = v[k]; v[k] = v[k - 1]; v[k - 1] = t;
        }
}

int main(void) {
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);

    enum { N = 1 << 20 };
    static uint32_t v[N];
    uint32_t seed = 12345;
    for (int i = 0; i < N; i++) {
        seed = seed * 1103515245u + 12345u;
        v[i] = seed;
    }
    uint64_t h = 1469598103934665603ull;
    for (int r = 0; r < 16; r++)
        for (int i = 0; i < N; i++) {
            h ^= v[i];
            h *= 1099511628211ull;
        }
    sort(v, N, cmp);
    double x = 0;
    for (int i = 1; i < 20000000; i++)
        x += 1.0 / ((double)i * i);

    clock_gettime(CLOCK_MONOTONIC, &b);
    if (h == 0 || v[0] > v[1] || v[N / 2] > v[N - 1] || x < 1.6) {
        fprintf(stderr, "compute: wrong result\n");
        return 1;
    }
    printf("%.3f\n", (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6);
    return 0;
}
