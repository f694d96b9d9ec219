/* libocclum: what the pthread members share (include/pthread.h says what
 * the single-threaded semantics are). The objects are musl's unions
 * (bits/alltypes.h); these name the ints libocclum uses in them. All-zero
 * is the static initializer's state. */
#ifndef OCCLUM_PTHREAD_IMPL_H
#define OCCLUM_PTHREAD_IMPL_H

#include <pthread.h>
#include <time.h>

/* pthread_t in C: the one thread (pthread_self.c). */
struct __pthread {
	int detached;
};
extern struct __pthread __occlum_pthread_main;

/* pthread_mutex_t */
#define _m_type  __u.__i[0] /* PTHREAD_MUTEX_* */
#define _m_lock  __u.__i[1] /* 0 unlocked, 1 locked (by the one thread) */
#define _m_count __u.__i[2] /* recursive: times locked */

/* pthread_rwlock_t */
#define _rw_readers __u.__i[0] /* read locks held */
#define _rw_writer  __u.__i[1] /* 1: write-locked */

/* pthread_cond_t: the clock of timedwait, 0 CLOCK_REALTIME, 1 MONOTONIC
 * (pthread_condattr_t's __attr holds the same). */
#define _c_clock __u.__i[0]

/* pthread_barrier_t */
#define _b_count __u.__i[0]

/* Sleeps until the absolute time at on CLOCK_MONOTONIC if monotonic, else
 * CLOCK_REALTIME: ETIMEDOUT once it has passed, EINVAL for a bad timespec.
 * A signal handler that interrupts the sleep makes it return EINTR if intr,
 * else the sleep goes on (pthread_sleep.c). */
int __occlum_pthread_sleep_until(int monotonic, const struct timespec *at, int intr);

/* Runs the key destructors, as at thread exit (pthread_key.c; weak in
 * pthread_exit.c). */
void __occlum_pthread_tsd_run(void);

#endif
