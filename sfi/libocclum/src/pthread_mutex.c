/* Mutexes of a single-threaded process. Locking a mutex its only thread
 * already holds can never succeed: EDEADLK (Linux too for an error-checking
 * mutex; a normal one would hang there), or ETIMEDOUT at the deadline of
 * pthread_mutex_timedlock. Recursive mutexes count. Unlocking a mutex that
 * is not locked is EPERM, whatever the type. */
#include <errno.h>
#include <limits.h>

#include "pthread_impl.h"

static int type_of(const pthread_mutex_t *m)
{
	int t = m->_m_type;
	return t == PTHREAD_MUTEX_RECURSIVE || t == PTHREAD_MUTEX_ERRORCHECK ? t : PTHREAD_MUTEX_NORMAL;
}

int pthread_mutex_init(pthread_mutex_t *__restrict m, const pthread_mutexattr_t *__restrict a)
{
	*m = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER;
	if (a)
		m->_m_type = (int)a->__attr;
	return 0;
}

int pthread_mutex_destroy(pthread_mutex_t *m)
{
	return m->_m_lock ? EBUSY : 0;
}

/* Takes m if it can: 0, EAGAIN (recursion count), or EBUSY (held). */
static int take(pthread_mutex_t *m)
{
	if (!m->_m_lock) {
		m->_m_lock = 1;
		m->_m_count = 1;
		return 0;
	}
	if (type_of(m) == PTHREAD_MUTEX_RECURSIVE) {
		if (m->_m_count == INT_MAX)
			return EAGAIN;
		m->_m_count++;
		return 0;
	}
	return EBUSY;
}

int pthread_mutex_lock(pthread_mutex_t *m)
{
	int e = take(m);
	return e == EBUSY ? EDEADLK : e;
}

int pthread_mutex_trylock(pthread_mutex_t *m)
{
	return take(m);
}

int pthread_mutex_timedlock(pthread_mutex_t *__restrict m, const struct timespec *__restrict at)
{
	int e = take(m);
	if (e != EBUSY)
		return e;
	if (type_of(m) == PTHREAD_MUTEX_ERRORCHECK)
		return EDEADLK;
	return __occlum_pthread_sleep_until(0, at, 0);
}

int pthread_mutex_unlock(pthread_mutex_t *m)
{
	if (!m->_m_lock)
		return EPERM;
	if (--m->_m_count <= 0 || type_of(m) != PTHREAD_MUTEX_RECURSIVE) {
		m->_m_lock = 0;
		m->_m_count = 0;
	}
	return 0;
}

int pthread_mutexattr_init(pthread_mutexattr_t *a)
{
	a->__attr = PTHREAD_MUTEX_DEFAULT;
	return 0;
}

int pthread_mutexattr_destroy(pthread_mutexattr_t *a)
{
	(void)a;
	return 0;
}

int pthread_mutexattr_gettype(const pthread_mutexattr_t *__restrict a, int *__restrict type)
{
	*type = (int)a->__attr;
	return 0;
}

int pthread_mutexattr_settype(pthread_mutexattr_t *a, int type)
{
	if (type != PTHREAD_MUTEX_NORMAL && type != PTHREAD_MUTEX_RECURSIVE && type != PTHREAD_MUTEX_ERRORCHECK)
		return EINVAL;
	a->__attr = (unsigned)type;
	return 0;
}
