/* Condition variables of a single-threaded process: no other thread can
 * signal one. pthread_cond_wait fails with EDEADLK (it would never
 * return); pthread_cond_timedwait sleeps until the deadline and returns
 * ETIMEDOUT, or 0 (a spurious wakeup, which callers must expect) when a
 * signal handler interrupts the sleep, so that the caller can look at what
 * the handler changed. Both require the mutex to be locked (EPERM). The
 * mutex stays locked while they wait: nothing else could take it. */
#include <errno.h>

#include "pthread_impl.h"

static clockid_t clock_of(int c)
{
	return c == 1 ? CLOCK_MONOTONIC : CLOCK_REALTIME;
}

int pthread_cond_init(pthread_cond_t *__restrict c, const pthread_condattr_t *__restrict a)
{
	*c = (pthread_cond_t)PTHREAD_COND_INITIALIZER;
	if (a)
		c->_c_clock = (int)a->__attr;
	return 0;
}

int pthread_cond_destroy(pthread_cond_t *c)
{
	(void)c;
	return 0;
}

int pthread_cond_wait(pthread_cond_t *__restrict c, pthread_mutex_t *__restrict m)
{
	(void)c;
	return m->_m_lock ? EDEADLK : EPERM;
}

int pthread_cond_timedwait(pthread_cond_t *__restrict c, pthread_mutex_t *__restrict m,
	const struct timespec *__restrict at)
{
	if (!m->_m_lock)
		return EPERM;
	int e = __occlum_pthread_sleep_until(c->_c_clock == 1, at, 1);
	return e == EINTR ? 0 : e;
}

/* No thread waits on c. */
int pthread_cond_signal(pthread_cond_t *c)
{
	(void)c;
	return 0;
}

int pthread_cond_broadcast(pthread_cond_t *c)
{
	(void)c;
	return 0;
}

int pthread_condattr_init(pthread_condattr_t *a)
{
	a->__attr = 0;
	return 0;
}

int pthread_condattr_destroy(pthread_condattr_t *a)
{
	(void)a;
	return 0;
}

int pthread_condattr_setclock(pthread_condattr_t *a, clockid_t clk)
{
	if (clk == CLOCK_REALTIME)
		a->__attr = 0;
	else if (clk == CLOCK_MONOTONIC)
		a->__attr = 1;
	else
		return EINVAL;
	return 0;
}

int pthread_condattr_getclock(const pthread_condattr_t *__restrict a, clockid_t *__restrict clk)
{
	*clk = clock_of((int)a->__attr);
	return 0;
}
