/* pthread_exit and the cleanup handlers. The one thread ending ends the
 * process with status 0 (after atexit handlers), as on Linux when the last
 * thread exits; its cleanup handlers and key destructors run first. */
#include <stdlib.h>

#include "pthread_impl.h"

/* Non-null when the program uses keys (pthread_key.c is linked). */
extern void __occlum_pthread_tsd_run(void) __attribute__((__weak__));

static struct __ptcb *cleanup;

void __occlum_pthread_cleanup_push(struct __ptcb *cb, void (*f)(void *), void *x)
{
	cb->__f = f;
	cb->__x = x;
	cb->__next = cleanup;
	cleanup = cb;
}

void __occlum_pthread_cleanup_pop(struct __ptcb *cb, int run)
{
	cleanup = cb->__next;
	if (run)
		cb->__f(cb->__x);
}

_Noreturn void pthread_exit(void *value)
{
	(void)value; /* nobody can join the last thread */
	while (cleanup) {
		struct __ptcb *cb = cleanup;
		cleanup = cb->__next;
		cb->__f(cb->__x);
	}
	if (__occlum_pthread_tsd_run)
		__occlum_pthread_tsd_run();
	exit(0);
}
