/* Thread attributes: kept for pthread_create, which cannot create a
 * thread. The defaults are musl's. */
#include <errno.h>

#include "pthread_impl.h"

#define _a_detach  __u.__i[0]
#define _a_scope   __u.__i[1]
#define _a_inherit __u.__i[2]
#define _a_stack   __u.__s[3]
#define _a_guard   __u.__s[4]

int pthread_attr_init(pthread_attr_t *a)
{
	*a = (pthread_attr_t){0};
	a->_a_stack = 131072;
	a->_a_guard = 8192;
	return 0;
}

int pthread_attr_destroy(pthread_attr_t *a)
{
	(void)a;
	return 0;
}

int pthread_attr_getdetachstate(const pthread_attr_t *a, int *v)
{
	*v = a->_a_detach;
	return 0;
}

int pthread_attr_setdetachstate(pthread_attr_t *a, int v)
{
	if (v != PTHREAD_CREATE_JOINABLE && v != PTHREAD_CREATE_DETACHED)
		return EINVAL;
	a->_a_detach = v;
	return 0;
}

int pthread_attr_getstacksize(const pthread_attr_t *__restrict a, size_t *__restrict v)
{
	*v = a->_a_stack;
	return 0;
}

int pthread_attr_setstacksize(pthread_attr_t *a, size_t v)
{
	if (v < PTHREAD_STACK_MIN)
		return EINVAL;
	a->_a_stack = v;
	return 0;
}

int pthread_attr_getguardsize(const pthread_attr_t *__restrict a, size_t *__restrict v)
{
	*v = a->_a_guard;
	return 0;
}

int pthread_attr_setguardsize(pthread_attr_t *a, size_t v)
{
	a->_a_guard = v;
	return 0;
}

int pthread_attr_getscope(const pthread_attr_t *__restrict a, int *__restrict v)
{
	*v = a->_a_scope;
	return 0;
}

/* Linux has system scope only. */
int pthread_attr_setscope(pthread_attr_t *a, int v)
{
	if (v == PTHREAD_SCOPE_PROCESS)
		return ENOTSUP;
	if (v != PTHREAD_SCOPE_SYSTEM)
		return EINVAL;
	a->_a_scope = v;
	return 0;
}

int pthread_attr_getinheritsched(const pthread_attr_t *__restrict a, int *__restrict v)
{
	*v = a->_a_inherit;
	return 0;
}

int pthread_attr_setinheritsched(pthread_attr_t *a, int v)
{
	if (v != PTHREAD_INHERIT_SCHED && v != PTHREAD_EXPLICIT_SCHED)
		return EINVAL;
	a->_a_inherit = v;
	return 0;
}
