/* pthread_once. The control is 0 (PTHREAD_ONCE_INIT), 1 while the routine
 * runs, 2 once it has returned. A routine that calls pthread_once on its
 * own control would wait for itself forever: EDEADLK. */
#include <errno.h>

#include "pthread_impl.h"

int pthread_once(pthread_once_t *once, void (*routine)(void))
{
	switch (*once) {
	case 2:
		return 0;
	case 1:
		return EDEADLK;
	}
	*once = 1;
	routine();
	*once = 2;
	return 0;
}
