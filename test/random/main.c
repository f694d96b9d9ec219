/* random: getrandom, getentropy and /dev/urandom return bytes that are not
 * constant and differ between calls. Nothing random is printed. */
#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include "test.h"

#if defined(__wasi__) && !defined(GRND_NONBLOCK)
#include <wasi/api.h>
/* wasi-libc has no getrandom(2); WASI's random_get is the same system call.
 * (When libocclum provides getrandom, GRND_NONBLOCK is defined and this
 * stand-in steps aside.) */
static ssize_t getrandom(void *buf, size_t n, unsigned flags) {
    (void)flags;
    __wasi_errno_t e = __wasi_random_get((uint8_t *)buf, n);
    if (e != 0) {
        errno = e;
        return -1;
    }
    return (ssize_t)n;
}
#endif

/* plausible: not all one value, and at least 8 distinct bytes in 64. */
static int plausible(const unsigned char *b, int n) {
    int seen[256] = {0}, distinct = 0;
    for (int i = 0; i < n; i++) {
        if (!seen[b[i]]) distinct++;
        seen[b[i]] = 1;
    }
    return distinct >= 8;
}

int main(int argc, char **argv) {
    test_init("random", argc, argv);
    unsigned char a[64], b[64];

    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    CHECK_EQ(getrandom(a, sizeof a, 0), 64);
    CHECK_EQ(getrandom(b, sizeof b, 0), 64);
    CHECK(plausible(a, 64) && plausible(b, 64));
    CHECK(memcmp(a, b, sizeof a) != 0);
    printf("getrandom: plausible, differs\n");

    /* Large requests are filled completely. */
    static unsigned char big[65536];
    CHECK_EQ(getrandom(big, sizeof big, 0), (long)sizeof big);
    CHECK(plausible(big + sizeof big - 64, 64));

    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    CHECK_OK(getentropy(a, 32));
    CHECK_OK(getentropy(b, 32));
    CHECK(plausible(a, 32) && plausible(b, 32));
    CHECK(memcmp(a, b, 32) != 0);
    CHECK_OK(getentropy(big, 256));
    CHECK_ERR(getentropy(big, 257), EIO);
    printf("getentropy: plausible, differs\n");

    int fd = open("/dev/urandom", O_RDONLY);
    CHECK(fd >= 0);
    if (fd >= 0) {
        memset(a, 0, sizeof a);
        memset(b, 0, sizeof b);
        CHECK_EQ(read(fd, a, sizeof a), 64);
        CHECK_EQ(read(fd, b, sizeof b), 64);
        CHECK(plausible(a, 64) && plausible(b, 64));
        CHECK(memcmp(a, b, sizeof a) != 0);
        CHECK_OK(close(fd));
    }
    printf("/dev/urandom: plausible, differs\n");

    /* The libc generators seeded from it are not constant either. */
    unsigned int seed;
    CHECK_OK(getentropy(&seed, sizeof seed));
    srand(seed);
    int r0 = rand(), differs = 0;
    for (int i = 0; i < 16; i++) differs |= rand() != r0;
    CHECK(differs);
    return test_done();
}
