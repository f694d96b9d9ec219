/* The one thread of a LibOS process: pthread_self, and the calls on other
 * threads, which do not exist. pthread_create fails (EAGAIN) and says why
 * on stderr, once. */
#include <errno.h>
#include <unistd.h>

#include "pthread_impl.h"

struct __pthread __occlum_pthread_main;

static int cancelstate = PTHREAD_CANCEL_ENABLE;
static int canceltype = PTHREAD_CANCEL_DEFERRED;

pthread_t pthread_self(void)
{
	return &__occlum_pthread_main;
}

#undef pthread_equal
int pthread_equal(pthread_t a, pthread_t b)
{
	return a == b;
}

int pthread_create(pthread_t *__restrict t, const pthread_attr_t *__restrict attr,
	void *(*start)(void *), void *__restrict arg)
{
	static int told;
	static const char msg[] = "pthread_create: this LibOS runs one thread per process (use posix_spawn)\n";
	(void)t;
	(void)attr;
	(void)start;
	(void)arg;
	if (!told) {
		told = 1;
		int e = errno;
		ssize_t w = write(2, msg, sizeof msg - 1);
		(void)w;
		errno = e;
	}
	return EAGAIN;
}

int pthread_join(pthread_t t, void **ret)
{
	(void)ret;
	return t == &__occlum_pthread_main ? EDEADLK : ESRCH;
}

int pthread_detach(pthread_t t)
{
	if (t != &__occlum_pthread_main)
		return ESRCH;
	if (t->detached)
		return EINVAL;
	t->detached = 1;
	return 0;
}

/* Cancellation points are not implemented, so a thread cannot cancel
 * itself; there is no other to cancel. */
int pthread_cancel(pthread_t t)
{
	return t == &__occlum_pthread_main ? ENOTSUP : ESRCH;
}

/* Nothing can be pending (see pthread_cancel). */
void pthread_testcancel(void)
{
}

int pthread_setcancelstate(int state, int *old)
{
	if (state != PTHREAD_CANCEL_ENABLE && state != PTHREAD_CANCEL_DISABLE)
		return EINVAL;
	if (old)
		*old = cancelstate;
	cancelstate = state;
	return 0;
}

int pthread_setcanceltype(int type, int *old)
{
	if (type != PTHREAD_CANCEL_DEFERRED && type != PTHREAD_CANCEL_ASYNCHRONOUS)
		return EINVAL;
	if (old)
		*old = canceltype;
	canceltype = type;
	return 0;
}
