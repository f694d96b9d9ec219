/* pthread_single: what <pthread.h> does for a program with one thread,
 * where Linux and the LibOS (libocclum's single-threaded pthread) agree:
 * mutexes of each type (counting, EBUSY, EDEADLK and EPERM of the
 * error-checking kind), static initializers, pthread_once (also nested),
 * keys, condition variables timing out (on either clock), rwlocks, spin
 * locks, a barrier of one, attributes, cancel state, pthread_self and
 * pthread_join of itself, pthread_sigmask and pthread_kill to itself, and
 * pthread_exit ending the process with status 0 after the cleanup handlers,
 * the key destructors and the atexit handlers. It creates no thread. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <time.h>

#include "test.h"

static const char *err_name(int e) {
    switch (e) {
    case 0: return "0";
    case EBUSY: return "EBUSY";
    case EDEADLK: return "EDEADLK";
    case EPERM: return "EPERM";
    case EINVAL: return "EINVAL";
    case ETIMEDOUT: return "ETIMEDOUT";
    case ENOTSUP: return "ENOTSUP";
    case ESRCH: return "ESRCH";
    default: return errno_name(e);
    }
}

static long long mono_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* deadline returns now + ms on clk. */
static struct timespec deadline(clockid_t clk, long ms) {
    struct timespec t;
    clock_gettime(clk, &t);
    t.tv_sec += ms / 1000;
    t.tv_nsec += ms % 1000 * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}

static int once_runs, inner_runs;
static pthread_once_t once = PTHREAD_ONCE_INIT, inner = PTHREAD_ONCE_INIT;
static void inner_routine(void) { inner_runs++; }
static void once_routine(void) {
    once_runs++;
    CHECK_EQ(pthread_once(&inner, inner_routine), 0);
}

static int dtor_runs;
static pthread_key_t key2;
static void dtor(void *p) {
    dtor_runs++;
    printf("key destructor: %s\n", (const char *)p);
}

static volatile sig_atomic_t usr1_hits;
static void on_usr1(int sig) { (void)sig; usr1_hits++; }

static void cleanup_handler(void *p) { printf("cleanup handler: %s\n", (const char *)p); }
static void at_exit(void) { printf("atexit handler: destructors ran %d time(s)\n", dtor_runs); }

static void mutexes(void) {
    /* A default mutex. */
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    CHECK_EQ(pthread_mutex_lock(&m), 0);
    int r = pthread_mutex_trylock(&m);
    CHECK_EQ(r, EBUSY);
    printf("default mutex: trylock while locked: %s\n", err_name(r));
    r = pthread_mutex_destroy(&m);
    CHECK_EQ(r, EBUSY);
    printf("default mutex: destroy while locked: %s\n", err_name(r));
    CHECK_EQ(pthread_mutex_unlock(&m), 0);
    CHECK_EQ(pthread_mutex_trylock(&m), 0);
    CHECK_EQ(pthread_mutex_unlock(&m), 0);
    CHECK_EQ(pthread_mutex_destroy(&m), 0);

    /* Attributes. */
    pthread_mutexattr_t a;
    int type = -1;
    CHECK_EQ(pthread_mutexattr_init(&a), 0);
    CHECK_EQ(pthread_mutexattr_gettype(&a, &type), 0);
    CHECK_EQ(type, PTHREAD_MUTEX_DEFAULT);
    CHECK_EQ(pthread_mutexattr_settype(&a, 12345), EINVAL);

    /* Recursive: counts. */
    CHECK_EQ(pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE), 0);
    CHECK_EQ(pthread_mutexattr_gettype(&a, &type), 0);
    CHECK_EQ(type, PTHREAD_MUTEX_RECURSIVE);
    CHECK_EQ(pthread_mutex_init(&m, &a), 0);
    int n = 0;
    for (int i = 0; i < 3; i++) n += pthread_mutex_lock(&m) == 0;
    n += pthread_mutex_trylock(&m) == 0;
    int unlocked = 0;
    while (pthread_mutex_unlock(&m) == 0 && unlocked < 10) unlocked++;
    CHECK_EQ(n, 4);
    CHECK_EQ(unlocked, 4);
    printf("recursive mutex: locked %d times, unlocked %d times\n", n, unlocked);
    r = pthread_mutex_unlock(&m);
    CHECK_EQ(r, EPERM);
    printf("recursive mutex: unlock when unlocked: %s\n", err_name(r));
    CHECK_EQ(pthread_mutex_destroy(&m), 0);

    /* Error-checking: relocking is EDEADLK, unlocking an unlocked one EPERM. */
    CHECK_EQ(pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK), 0);
    CHECK_EQ(pthread_mutex_init(&m, &a), 0);
    CHECK_EQ(pthread_mutex_lock(&m), 0);
    r = pthread_mutex_lock(&m);
    CHECK_EQ(r, EDEADLK);
    printf("errorcheck mutex: relock: %s\n", err_name(r));
    CHECK_EQ(pthread_mutex_trylock(&m), EBUSY);
    struct timespec at = deadline(CLOCK_REALTIME, 20);
    CHECK_EQ(pthread_mutex_timedlock(&m, &at), EDEADLK);
    CHECK_EQ(pthread_mutex_unlock(&m), 0);
    r = pthread_mutex_unlock(&m);
    CHECK_EQ(r, EPERM);
    printf("errorcheck mutex: unlock when unlocked: %s\n", err_name(r));
    at = deadline(CLOCK_REALTIME, 20);
    CHECK_EQ(pthread_mutex_timedlock(&m, &at), 0);
    CHECK_EQ(pthread_mutex_unlock(&m), 0);
    CHECK_EQ(pthread_mutex_destroy(&m), 0);
    CHECK_EQ(pthread_mutexattr_destroy(&a), 0);

    /* The static initializers of the other kinds. */
    pthread_mutex_t rm = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
    CHECK_EQ(pthread_mutex_lock(&rm), 0);
    CHECK_EQ(pthread_mutex_lock(&rm), 0);
    CHECK_EQ(pthread_mutex_unlock(&rm), 0);
    CHECK_EQ(pthread_mutex_unlock(&rm), 0);
    CHECK_EQ(pthread_mutex_unlock(&rm), EPERM);
    pthread_mutex_t em = PTHREAD_ERRORCHECK_MUTEX_INITIALIZER_NP;
    CHECK_EQ(pthread_mutex_lock(&em), 0);
    CHECK_EQ(pthread_mutex_lock(&em), EDEADLK);
    CHECK_EQ(pthread_mutex_unlock(&em), 0);
    printf("static initializers: recursive and errorcheck\n");
}

static void once_and_keys(void) {
    for (int i = 0; i < 3; i++) CHECK_EQ(pthread_once(&once, once_routine), 0);
    CHECK_EQ(pthread_once(&inner, inner_routine), 0);
    CHECK_EQ(once_runs, 1);
    CHECK_EQ(inner_runs, 1);
    printf("pthread_once: routine ran %d time(s), nested routine %d time(s)\n", once_runs, inner_runs);

    pthread_key_t k1;
    CHECK_EQ(pthread_key_create(&k1, NULL), 0);
    CHECK(pthread_getspecific(k1) == NULL);
    static int v1;
    CHECK_EQ(pthread_setspecific(k1, &v1), 0);
    CHECK(pthread_getspecific(k1) == &v1);
    CHECK_EQ(pthread_key_create(&key2, dtor), 0);
    CHECK(key2 != k1);
    CHECK(pthread_getspecific(key2) == NULL);
    CHECK(pthread_getspecific(k1) == &v1);
    CHECK_EQ(pthread_key_delete(k1), 0);
    CHECK_EQ(pthread_setspecific(k1, &v1), EINVAL);
    CHECK_EQ(pthread_setspecific(key2, "value of key 2"), 0);
    CHECK_STR(pthread_getspecific(key2), "value of key 2");
    /* The destructor runs at pthread_exit (at the end), not now. */
    CHECK_EQ(dtor_runs, 0);
    printf("keys: values kept, a deleted key refused\n");
}

static void conds(void) {
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    pthread_cond_t c = PTHREAD_COND_INITIALIZER;
    CHECK_EQ(pthread_cond_signal(&c), 0);
    CHECK_EQ(pthread_cond_broadcast(&c), 0);

    /* Nobody signals: the wait times out, no sooner than asked. */
    CHECK_EQ(pthread_mutex_lock(&m), 0);
    long long t0 = mono_ms();
    struct timespec at = deadline(CLOCK_REALTIME, 50);
    int r = pthread_cond_timedwait(&c, &m, &at);
    long long waited = mono_ms() - t0;
    CHECK_EQ(r, ETIMEDOUT);
    CHECK(waited >= 45 && waited < 5000);
    printf("cond timedwait (realtime): %s after at least 45 ms: %s\n", err_name(r), waited >= 45 ? "yes" : "no");
    /* A deadline in the past. */
    at.tv_sec -= 10;
    CHECK_EQ(pthread_cond_timedwait(&c, &m, &at), ETIMEDOUT);
    at.tv_nsec = 1000000000L;
    r = pthread_cond_timedwait(&c, &m, &at);
    CHECK_EQ(r, EINVAL);
    printf("cond timedwait: bad nanoseconds: %s\n", err_name(r));
    /* The mutex is still held by the caller. */
    CHECK_EQ(pthread_mutex_trylock(&m), EBUSY);
    CHECK_EQ(pthread_mutex_unlock(&m), 0);
    CHECK_EQ(pthread_cond_destroy(&c), 0);

    /* On the monotonic clock. */
    pthread_condattr_t ca;
    clockid_t clk;
    CHECK_EQ(pthread_condattr_init(&ca), 0);
    CHECK_EQ(pthread_condattr_getclock(&ca, &clk), 0);
    CHECK(clk == CLOCK_REALTIME);
    CHECK_EQ(pthread_condattr_setclock(&ca, CLOCK_MONOTONIC), 0);
    CHECK_EQ(pthread_condattr_getclock(&ca, &clk), 0);
    CHECK(clk == CLOCK_MONOTONIC);
    CHECK_EQ(pthread_cond_init(&c, &ca), 0);
    CHECK_EQ(pthread_condattr_destroy(&ca), 0);
    CHECK_EQ(pthread_mutex_lock(&m), 0);
    t0 = mono_ms();
    at = deadline(CLOCK_MONOTONIC, 50);
    r = pthread_cond_timedwait(&c, &m, &at);
    waited = mono_ms() - t0;
    CHECK_EQ(r, ETIMEDOUT);
    CHECK(waited >= 45 && waited < 5000);
    printf("cond timedwait (monotonic): %s after at least 45 ms: %s\n", err_name(r), waited >= 45 ? "yes" : "no");
    CHECK_EQ(pthread_mutex_unlock(&m), 0);
    CHECK_EQ(pthread_cond_destroy(&c), 0);
}

static void rwlocks(void) {
    pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
    CHECK_EQ(pthread_rwlock_rdlock(&rw), 0);
    CHECK_EQ(pthread_rwlock_rdlock(&rw), 0);
    CHECK_EQ(pthread_rwlock_tryrdlock(&rw), 0);
    int r = pthread_rwlock_trywrlock(&rw);
    CHECK_EQ(r, EBUSY);
    printf("rwlock: trywrlock while read-locked: %s\n", err_name(r));
    struct timespec at = deadline(CLOCK_REALTIME, 30);
    long long t0 = mono_ms();
    r = pthread_rwlock_timedwrlock(&rw, &at);
    CHECK_EQ(r, ETIMEDOUT);
    CHECK(mono_ms() - t0 >= 25);
    printf("rwlock: timedwrlock while read-locked: %s\n", err_name(r));
    for (int i = 0; i < 3; i++) CHECK_EQ(pthread_rwlock_unlock(&rw), 0);

    CHECK_EQ(pthread_rwlock_wrlock(&rw), 0);
    CHECK_EQ(pthread_rwlock_tryrdlock(&rw), EBUSY);
    CHECK_EQ(pthread_rwlock_trywrlock(&rw), EBUSY);
    r = pthread_rwlock_rdlock(&rw);
    CHECK_EQ(r, EDEADLK);
    printf("rwlock: rdlock while write-locked: %s\n", err_name(r));
    r = pthread_rwlock_wrlock(&rw);
    CHECK_EQ(r, EDEADLK);
    printf("rwlock: wrlock while write-locked: %s\n", err_name(r));
    CHECK_EQ(pthread_rwlock_unlock(&rw), 0);
    CHECK_EQ(pthread_rwlock_trywrlock(&rw), 0);
    CHECK_EQ(pthread_rwlock_unlock(&rw), 0);
    CHECK_EQ(pthread_rwlock_destroy(&rw), 0);

    pthread_rwlockattr_t ra;
    CHECK_EQ(pthread_rwlockattr_init(&ra), 0);
    CHECK_EQ(pthread_rwlock_init(&rw, &ra), 0);
    CHECK_EQ(pthread_rwlockattr_destroy(&ra), 0);
    at = deadline(CLOCK_REALTIME, 20);
    CHECK_EQ(pthread_rwlock_timedrdlock(&rw, &at), 0);
    CHECK_EQ(pthread_rwlock_unlock(&rw), 0);
    at = deadline(CLOCK_REALTIME, 20);
    CHECK_EQ(pthread_rwlock_timedwrlock(&rw, &at), 0);
    CHECK_EQ(pthread_rwlock_unlock(&rw), 0);
    CHECK_EQ(pthread_rwlock_destroy(&rw), 0);
}

static void spin_and_barrier(void) {
    pthread_spinlock_t s;
    CHECK_EQ(pthread_spin_init(&s, PTHREAD_PROCESS_PRIVATE), 0);
    CHECK_EQ(pthread_spin_lock(&s), 0);
    int r = pthread_spin_trylock(&s);
    CHECK_EQ(r, EBUSY);
    printf("spinlock: trylock while locked: %s\n", err_name(r));
    CHECK_EQ(pthread_spin_unlock(&s), 0);
    CHECK_EQ(pthread_spin_trylock(&s), 0);
    CHECK_EQ(pthread_spin_unlock(&s), 0);
    CHECK_EQ(pthread_spin_destroy(&s), 0);

    pthread_barrier_t b;
    pthread_barrierattr_t ba;
    CHECK_EQ(pthread_barrierattr_init(&ba), 0);
    CHECK_EQ(pthread_barrier_init(&b, &ba, 0), EINVAL);
    CHECK_EQ(pthread_barrier_init(&b, &ba, 1), 0);
    r = pthread_barrier_wait(&b);
    CHECK_EQ(r, PTHREAD_BARRIER_SERIAL_THREAD);
    CHECK_EQ(pthread_barrier_wait(&b), PTHREAD_BARRIER_SERIAL_THREAD);
    printf("barrier of 1: %s\n", r == PTHREAD_BARRIER_SERIAL_THREAD ? "serial thread" : "other");
    CHECK_EQ(pthread_barrier_destroy(&b), 0);
    CHECK_EQ(pthread_barrierattr_destroy(&ba), 0);
}

static void threads_and_attrs(void) {
    pthread_t self = pthread_self();
    CHECK(pthread_equal(self, pthread_self()));
    int r = pthread_join(self, NULL);
    CHECK_EQ(r, EDEADLK);
    printf("pthread_join(self): %s\n", err_name(r));

    pthread_attr_t a;
    int v = -1;
    size_t sz = 0;
    CHECK_EQ(pthread_attr_init(&a), 0);
    CHECK_EQ(pthread_attr_getdetachstate(&a, &v), 0);
    CHECK_EQ(v, PTHREAD_CREATE_JOINABLE);
    CHECK_EQ(pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED), 0);
    CHECK_EQ(pthread_attr_getdetachstate(&a, &v), 0);
    CHECK_EQ(v, PTHREAD_CREATE_DETACHED);
    CHECK_EQ(pthread_attr_setdetachstate(&a, 42), EINVAL);
    CHECK_EQ(pthread_attr_getstacksize(&a, &sz), 0);
    CHECK(sz >= PTHREAD_STACK_MIN);
    CHECK_EQ(pthread_attr_setstacksize(&a, 1 << 20), 0);
    CHECK_EQ(pthread_attr_getstacksize(&a, &sz), 0);
    CHECK_EQ(sz, 1 << 20);
    CHECK_EQ(pthread_attr_setstacksize(&a, 1), EINVAL);
    CHECK_EQ(pthread_attr_setguardsize(&a, 65536), 0);
    CHECK_EQ(pthread_attr_getguardsize(&a, &sz), 0);
    CHECK_EQ(sz, 65536);
    CHECK_EQ(pthread_attr_getscope(&a, &v), 0);
    CHECK_EQ(v, PTHREAD_SCOPE_SYSTEM);
    r = pthread_attr_setscope(&a, PTHREAD_SCOPE_PROCESS);
    CHECK_EQ(r, ENOTSUP);
    printf("attr: process scope: %s\n", err_name(r));
    CHECK_EQ(pthread_attr_getinheritsched(&a, &v), 0);
    CHECK_EQ(v, PTHREAD_INHERIT_SCHED);
    CHECK_EQ(pthread_attr_setinheritsched(&a, PTHREAD_EXPLICIT_SCHED), 0);
    CHECK_EQ(pthread_attr_getinheritsched(&a, &v), 0);
    CHECK_EQ(v, PTHREAD_EXPLICIT_SCHED);
    CHECK_EQ(pthread_attr_destroy(&a), 0);
    printf("attr: values kept\n");

    int old = -1;
    CHECK_EQ(pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old), 0);
    CHECK_EQ(old, PTHREAD_CANCEL_ENABLE);
    CHECK_EQ(pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &old), 0);
    CHECK_EQ(old, PTHREAD_CANCEL_DISABLE);
    CHECK_EQ(pthread_setcanceltype(PTHREAD_CANCEL_ASYNCHRONOUS, &old), 0);
    CHECK_EQ(old, PTHREAD_CANCEL_DEFERRED);
    CHECK_EQ(pthread_setcanceltype(PTHREAD_CANCEL_DEFERRED, &old), 0);
    CHECK_EQ(old, PTHREAD_CANCEL_ASYNCHRONOUS);
    CHECK_EQ(pthread_setcancelstate(99, &old), EINVAL);
    pthread_testcancel();
    printf("cancel state and type: kept\n");
}

static void signals(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigemptyset(&sa.sa_mask);
    CHECK_OK(sigaction(SIGUSR1, &sa, NULL));

    sigset_t set, old, cur;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    CHECK_EQ(pthread_sigmask(SIG_BLOCK, &set, &old), 0);
    CHECK_EQ(sigismember(&old, SIGUSR1), 0);
    CHECK_EQ(pthread_sigmask(SIG_BLOCK, NULL, &cur), 0);
    CHECK_EQ(sigismember(&cur, SIGUSR1), 1);
    CHECK_EQ(pthread_sigmask(12345, &set, NULL), EINVAL);

    CHECK_EQ(pthread_kill(pthread_self(), 0), 0);
    CHECK_EQ(pthread_kill(pthread_self(), SIGUSR1), 0);
    CHECK_EQ(usr1_hits, 0);
    sigset_t pend;
    CHECK_OK(sigpending(&pend));
    CHECK_EQ(sigismember(&pend, SIGUSR1), 1);
    CHECK_EQ(pthread_sigmask(SIG_SETMASK, &old, NULL), 0);
    CHECK_EQ(usr1_hits, 1);
    printf("pthread_sigmask and pthread_kill(self): blocked, pending, delivered %d time(s)\n", (int)usr1_hits);
    CHECK_EQ(pthread_kill(pthread_self(), SIGUSR1), 0);
    CHECK_EQ(usr1_hits, 2);
}

int main(int argc, char **argv) {
    test_init("pthread_single", argc, argv);
    mutexes();
    once_and_keys();
    conds();
    rwlocks();
    spin_and_barrier();
    threads_and_attrs();
    signals();

    int rc = test_done();
    if (rc != 0) return rc;
    /* The last thread exiting: cleanup handlers, key destructors, then
     * exit(0) with its atexit handlers. */
    if (atexit(at_exit) != 0) return 1;
    pthread_cleanup_push(cleanup_handler, "outer");
    pthread_cleanup_push(cleanup_handler, "popped without running");
    pthread_cleanup_pop(0);
    pthread_cleanup_push(cleanup_handler, "inner");
    pthread_exit(NULL);
    pthread_cleanup_pop(0);
    pthread_cleanup_pop(0);
    return 1;
}
