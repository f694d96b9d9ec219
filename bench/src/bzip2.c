/*
 * A real program's CPU-bound core: libbz2 from Debian's bzip2 sources
 * (fetched by bench/fetch-debian-src.sh, compiled with -DBZ_NO_STDIO)
 * compresses 8 MiB of text-like data at level 9 and decompresses it again.
 * Prints milliseconds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bzlib.h"

void bz_internal_error(int code) {
    fprintf(stderr, "bzip2: internal error %d\n", code);
    exit(5);
}

int main(void) {
    enum { N = 8 << 20 };
    static const char *words[] = {"occlum ", "enclave ", "the ", "process ", "memory ",
                                  "of ", "a ", "library ", "\n", "42 "};
    char *in = malloc(N), *out = malloc(N + N / 100 + 600), *back = malloc(N);
    if (!in || !out || !back) return 2;
    unsigned s = 1;
    for (int i = 0; i < N;) {
        s = s * 1103515245u + 12345u;
        for (const char *w = words[(s >> 16) % 10]; *w && i < N; w++) in[i++] = *w;
    }
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    unsigned olen = N + N / 100 + 600, blen = N;
    if (BZ2_bzBuffToBuffCompress(out, &olen, in, N, 9, 0, 30) != BZ_OK) return 3;
    if (BZ2_bzBuffToBuffDecompress(back, &blen, out, olen, 0, 0) != BZ_OK) return 4;
    clock_gettime(CLOCK_MONOTONIC, &b);
    if (blen != N || memcmp(in, back, N) != 0) {
        fprintf(stderr, "bzip2: round trip differs\n");
        return 1;
    }
    printf("%.3f\n", (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6);
    return 0;
}
