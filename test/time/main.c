/* time: clock_gettime (REALTIME, MONOTONIC), clock_getres, nanosleep,
 * gettimeofday and time agree with each other and with the sleeps asked. */
#include <sys/time.h>
#include <time.h>

#include "test.h"

static long long ns(struct timespec t) {
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static long long mono_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return ns(t);
}

int main(int argc, char **argv) {
    test_init("time", argc, argv);
    struct timespec rt, mono, res;

    /* The wall clock is after 2020-01-01 and before 2100-01-01. */
    CHECK_OK(clock_gettime(CLOCK_REALTIME, &rt));
    CHECK(rt.tv_sec > 1577836800 && rt.tv_sec < 4102444800LL);
    CHECK(rt.tv_nsec >= 0 && rt.tv_nsec < 1000000000);

    /* time() and gettimeofday() agree with it. glibc's time() reads the
     * coarse clock, up to a tick behind: at a second boundary it may still
     * say the second before. */
    time_t t = time(NULL);
    CHECK(t >= rt.tv_sec - 1 && t <= rt.tv_sec + 2);
    struct timeval tv;
    CHECK_OK(gettimeofday(&tv, NULL));
    CHECK(tv.tv_sec >= rt.tv_sec && tv.tv_sec <= rt.tv_sec + 2);
    CHECK(tv.tv_usec >= 0 && tv.tv_usec < 1000000);
    struct tm tm;
    CHECK(gmtime_r(&t, &tm) != NULL);
    CHECK(tm.tm_year + 1900 >= 2020);
    printf("realtime: sane\n");

    /* Resolutions are positive and at most a millisecond. */
    CHECK_OK(clock_getres(CLOCK_REALTIME, &res));
    CHECK(ns(res) > 0 && ns(res) <= 1000000);
    CHECK_OK(clock_getres(CLOCK_MONOTONIC, &res));
    CHECK(ns(res) > 0 && ns(res) <= 1000000);

    /* The monotonic clock never goes back. */
    CHECK_OK(clock_gettime(CLOCK_MONOTONIC, &mono));
    CHECK(mono.tv_nsec >= 0 && mono.tv_nsec < 1000000000);
    long long prev = ns(mono);
    int backwards = 0;
    for (int i = 0; i < 10000; i++) {
        long long now = mono_ns();
        if (now < prev) backwards++;
        prev = now;
    }
    CHECK_EQ(backwards, 0);
    printf("monotonic: never backwards\n");

    /* nanosleep sleeps at least as long as asked. */
    const long long asks[] = {1000000, 10000000, 50000000}; /* 1, 10, 50 ms */
    for (int i = 0; i < 3; i++) {
        struct timespec req = {0, (long)asks[i]};
        long long start = mono_ns();
        CHECK_OK(nanosleep(&req, NULL));
        long long slept = mono_ns() - start;
        CHECK(slept >= asks[i]);
        CHECK(slept < asks[i] + 2000000000LL); /* and wakes up */
        printf("nanosleep %lld ms: at least that\n", asks[i] / 1000000);
    }
    struct timespec zero = {0, 0};
    CHECK_OK(nanosleep(&zero, NULL));
    struct timespec bad = {0, 1000000000};
    CHECK_ERR(nanosleep(&bad, NULL), EINVAL);

    /* The wall clock moved forward across the sleeps (by at least 50 ms,
     * allowing for a coarse clock). */
    struct timespec rt2;
    CHECK_OK(clock_gettime(CLOCK_REALTIME, &rt2));
    CHECK(ns(rt2) - ns(rt) >= 40000000LL);
    return test_done();
}
