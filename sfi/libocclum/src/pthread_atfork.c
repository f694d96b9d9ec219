/* fork() always fails in the LibOS (fork.c), so fork handlers can never
 * run: pthread_atfork accepts them without keeping them. */
#include "pthread_impl.h"

int pthread_atfork(void (*prepare)(void), void (*parent)(void), void (*child)(void))
{
	(void)prepare;
	(void)parent;
	(void)child;
	return 0;
}
