/* Read-write locks of a single-threaded process. Read locks count. Taking
 * the write lock while holding the lock in any mode, or a read lock while
 * holding the write lock, can never succeed: EDEADLK (Linux says so for the
 * write lock held; it hangs when a reader asks for the write lock), or
 * ETIMEDOUT at the deadline of pthread_rwlock_timedwrlock in that last
 * case, as on Linux. */
#include <errno.h>
#include <limits.h>

#include "pthread_impl.h"

int pthread_rwlock_init(pthread_rwlock_t *__restrict rw, const pthread_rwlockattr_t *__restrict a)
{
	(void)a;
	*rw = (pthread_rwlock_t)PTHREAD_RWLOCK_INITIALIZER;
	return 0;
}

int pthread_rwlock_destroy(pthread_rwlock_t *rw)
{
	return rw->_rw_readers || rw->_rw_writer ? EBUSY : 0;
}

/* 0, EAGAIN (too many readers) or EBUSY (write-locked). */
static int take_read(pthread_rwlock_t *rw)
{
	if (rw->_rw_writer)
		return EBUSY;
	if (rw->_rw_readers == INT_MAX)
		return EAGAIN;
	rw->_rw_readers++;
	return 0;
}

int pthread_rwlock_rdlock(pthread_rwlock_t *rw)
{
	int e = take_read(rw);
	return e == EBUSY ? EDEADLK : e;
}

int pthread_rwlock_tryrdlock(pthread_rwlock_t *rw)
{
	return take_read(rw);
}

int pthread_rwlock_timedrdlock(pthread_rwlock_t *__restrict rw, const struct timespec *__restrict at)
{
	(void)at;
	return pthread_rwlock_rdlock(rw);
}

int pthread_rwlock_wrlock(pthread_rwlock_t *rw)
{
	if (rw->_rw_readers || rw->_rw_writer)
		return EDEADLK;
	rw->_rw_writer = 1;
	return 0;
}

int pthread_rwlock_trywrlock(pthread_rwlock_t *rw)
{
	if (rw->_rw_readers || rw->_rw_writer)
		return EBUSY;
	rw->_rw_writer = 1;
	return 0;
}

int pthread_rwlock_timedwrlock(pthread_rwlock_t *__restrict rw, const struct timespec *__restrict at)
{
	if (rw->_rw_readers && !rw->_rw_writer)
		return __occlum_pthread_sleep_until(0, at, 0);
	return pthread_rwlock_wrlock(rw);
}

int pthread_rwlock_unlock(pthread_rwlock_t *rw)
{
	if (rw->_rw_writer)
		rw->_rw_writer = 0;
	else if (rw->_rw_readers)
		rw->_rw_readers--;
	else
		return EPERM;
	return 0;
}

int pthread_rwlockattr_init(pthread_rwlockattr_t *a)
{
	a->__attr[0] = a->__attr[1] = 0;
	return 0;
}

int pthread_rwlockattr_destroy(pthread_rwlockattr_t *a)
{
	(void)a;
	return 0;
}
