/* Spin locks and barriers of a single-threaded process: spinning on a lock
 * the only thread holds, or waiting at a barrier for threads that do not
 * exist, would never end: EDEADLK. A barrier of count 1 is passed at once
 * (PTHREAD_BARRIER_SERIAL_THREAD). */
#include <errno.h>

#include "pthread_impl.h"

int pthread_spin_init(pthread_spinlock_t *s, int pshared)
{
	if (pshared != PTHREAD_PROCESS_PRIVATE && pshared != PTHREAD_PROCESS_SHARED)
		return EINVAL;
	*s = 0;
	return 0;
}

int pthread_spin_destroy(pthread_spinlock_t *s)
{
	return *s ? EBUSY : 0;
}

int pthread_spin_lock(pthread_spinlock_t *s)
{
	if (*s)
		return EDEADLK;
	*s = 1;
	return 0;
}

int pthread_spin_trylock(pthread_spinlock_t *s)
{
	if (*s)
		return EBUSY;
	*s = 1;
	return 0;
}

int pthread_spin_unlock(pthread_spinlock_t *s)
{
	if (!*s)
		return EPERM;
	*s = 0;
	return 0;
}

int pthread_barrier_init(pthread_barrier_t *__restrict b, const pthread_barrierattr_t *__restrict a, unsigned count)
{
	(void)a;
	if (count == 0 || count > 0x7fffffffu)
		return EINVAL;
	b->_b_count = (int)count;
	return 0;
}

int pthread_barrier_destroy(pthread_barrier_t *b)
{
	(void)b;
	return 0;
}

int pthread_barrier_wait(pthread_barrier_t *b)
{
	return b->_b_count == 1 ? PTHREAD_BARRIER_SERIAL_THREAD : EDEADLK;
}

int pthread_barrierattr_init(pthread_barrierattr_t *a)
{
	a->__attr = 0;
	return 0;
}

int pthread_barrierattr_destroy(pthread_barrierattr_t *a)
{
	(void)a;
	return 0;
}
