/* pthread: what libocclum's single-threaded <pthread.h> does where Linux
 * would hang or start a thread (test/pthread_single is the part Linux
 * agrees with). Run inside a LibOS by pthread_test.go (it spawns itself,
 * as "pthread signal-parent", to interrupt a timed wait): prints
 * "pthread: PASS" and ends with pthread_exit, which must exit with status
 * 0 after the cleanup handler and key destructor. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int failures;

#define EXPECT(got, want)                                                             \
	do {                                                                          \
		long g_ = (long)(got), w_ = (long)(want);                             \
		if (g_ != w_) {                                                       \
			printf("FAIL line %d: %s = %ld, want %ld\n", __LINE__, #got, g_, w_); \
			failures++;                                                   \
		}                                                                     \
	} while (0)

static long long mono_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static struct timespec deadline(clockid_t clk, long ms)
{
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

static void *start(void *arg)
{
	return arg;
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int once_inner = -1;
static void once_routine(void)
{
	once_inner = pthread_once(&once, once_routine);
}

static void dtor(void *p)
{
	printf("destructor: %s\n", (const char *)p);
}

static volatile sig_atomic_t usr1;
static void on_usr1(int sig)
{
	(void)sig;
	usr1 = 1;
}

static void cleanup(void *p)
{
	printf("cleanup: %s\n", (const char *)p);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && strcmp(argv[1], "signal-parent") == 0) {
		struct timespec d = {0, 100 * 1000000L};
		nanosleep(&d, NULL);
		return kill(getppid(), SIGUSR1) != 0;
	}

	/* No second thread, said once on stderr. */
	pthread_t t;
	EXPECT(pthread_create(&t, NULL, start, NULL), EAGAIN);
	EXPECT(pthread_create(&t, NULL, start, NULL), EAGAIN);

	/* Threads that do not exist, and the one that does. */
	static int not_a_thread;
	pthread_t other = (pthread_t)(uintptr_t)&not_a_thread;
	pthread_t self = pthread_self();
	EXPECT(pthread_equal(self, other), 0);
	EXPECT(pthread_join(other, NULL), ESRCH);
	EXPECT(pthread_detach(other), ESRCH);
	EXPECT(pthread_cancel(other), ESRCH);
	EXPECT(pthread_kill(other, SIGUSR1), ESRCH);
	EXPECT(pthread_join(self, NULL), EDEADLK);
	EXPECT(pthread_cancel(self), ENOTSUP);
	EXPECT(pthread_kill(self, 999), EINVAL);
	EXPECT(pthread_detach(self), 0);
	EXPECT(pthread_detach(self), EINVAL);

	/* Waiting for itself: EDEADLK, or ETIMEDOUT at a deadline. */
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	EXPECT(pthread_mutex_lock(&m), 0);
	EXPECT(pthread_mutex_lock(&m), EDEADLK);
	struct timespec at = deadline(CLOCK_REALTIME, 30);
	long long t0 = mono_ms();
	EXPECT(pthread_mutex_timedlock(&m, &at), ETIMEDOUT);
	EXPECT(mono_ms() - t0 >= 25, 1);
	at.tv_nsec = -1;
	EXPECT(pthread_mutex_timedlock(&m, &at), EINVAL);

	pthread_cond_t c = PTHREAD_COND_INITIALIZER;
	EXPECT(pthread_cond_wait(&c, &m), EDEADLK);
	EXPECT(pthread_mutex_unlock(&m), 0);
	EXPECT(pthread_mutex_unlock(&m), EPERM);
	EXPECT(pthread_cond_wait(&c, &m), EPERM);
	at = deadline(CLOCK_REALTIME, 10);
	EXPECT(pthread_cond_timedwait(&c, &m, &at), EPERM);

	/* A signal handler ends a timed wait early: a spurious wakeup, 0. */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	EXPECT(sigaction(SIGUSR1, &sa, NULL), 0);
	pid_t child;
	char *child_argv[] = {argv[0], "signal-parent", NULL};
	EXPECT(posix_spawn(&child, argv[0], NULL, NULL, child_argv, NULL), 0);
	EXPECT(pthread_mutex_lock(&m), 0);
	at = deadline(CLOCK_REALTIME, 20000);
	t0 = mono_ms();
	int r;
	do
		r = pthread_cond_timedwait(&c, &m, &at);
	while (r == 0 && !usr1);
	EXPECT(r, 0);
	EXPECT(usr1, 1);
	EXPECT(mono_ms() - t0 < 15000, 1);
	EXPECT(pthread_mutex_unlock(&m), 0);
	int status = -1;
	EXPECT(waitpid(child, &status, 0), child);
	EXPECT(status, 0);

	pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
	EXPECT(pthread_rwlock_rdlock(&rw), 0);
	EXPECT(pthread_rwlock_wrlock(&rw), EDEADLK);
	EXPECT(pthread_rwlock_destroy(&rw), EBUSY);
	EXPECT(pthread_rwlock_unlock(&rw), 0);
	EXPECT(pthread_rwlock_unlock(&rw), EPERM);

	pthread_spinlock_t s;
	EXPECT(pthread_spin_init(&s, PTHREAD_PROCESS_PRIVATE), 0);
	EXPECT(pthread_spin_lock(&s), 0);
	EXPECT(pthread_spin_lock(&s), EDEADLK);
	EXPECT(pthread_spin_unlock(&s), 0);

	pthread_barrier_t b;
	EXPECT(pthread_barrier_init(&b, NULL, 2), 0);
	EXPECT(pthread_barrier_wait(&b), EDEADLK);

	/* A routine that waits for its own pthread_once. */
	EXPECT(pthread_once(&once, once_routine), 0);
	EXPECT(once_inner, EDEADLK);
	EXPECT(pthread_once(&once, once_routine), 0);

	/* PTHREAD_KEYS_MAX keys, then EAGAIN. */
	pthread_key_t k, first = 0;
	int n = 0;
	while (pthread_key_create(&k, NULL) == 0 && n <= PTHREAD_KEYS_MAX) {
		if (n == 0)
			first = k;
		n++;
	}
	EXPECT(n, PTHREAD_KEYS_MAX);
	EXPECT(pthread_key_create(&k, NULL), EAGAIN);
	EXPECT(pthread_key_delete(first), 0);
	EXPECT(pthread_key_delete(first), EINVAL);
	EXPECT(pthread_key_create(&k, dtor), 0);
	EXPECT(k, first);
	EXPECT(pthread_getspecific(k) == NULL, 1);
	EXPECT(pthread_setspecific(k, "key"), 0);
	EXPECT(pthread_atfork(NULL, NULL, NULL), 0);

	if (failures) {
		printf("pthread: %d FAILED\n", failures);
		return 1;
	}
	printf("pthread: PASS\n");
	pthread_cleanup_push(cleanup, "handler");
	pthread_exit(PTHREAD_CANCELED);
	pthread_cleanup_pop(0);
	return 1;
}
