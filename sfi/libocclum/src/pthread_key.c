/* Thread-specific data: one value per key, the one thread's. Destructors
 * run in pthread_exit (as at thread exit; not at exit() or a return from
 * main, as on Linux). */
#include <errno.h>

#include "pthread_impl.h"

static struct {
	int used;
	void (*dtor)(void *);
	const void *value;
} keys[PTHREAD_KEYS_MAX];

int pthread_key_create(pthread_key_t *k, void (*dtor)(void *))
{
	for (pthread_key_t i = 0; i < PTHREAD_KEYS_MAX; i++) {
		if (!keys[i].used) {
			keys[i].used = 1;
			keys[i].dtor = dtor;
			keys[i].value = 0;
			*k = i;
			return 0;
		}
	}
	return EAGAIN;
}

int pthread_key_delete(pthread_key_t k)
{
	if (k >= PTHREAD_KEYS_MAX || !keys[k].used)
		return EINVAL;
	keys[k].used = 0;
	keys[k].dtor = 0;
	keys[k].value = 0;
	return 0;
}

void *pthread_getspecific(pthread_key_t k)
{
	if (k >= PTHREAD_KEYS_MAX || !keys[k].used)
		return 0;
	return (void *)keys[k].value;
}

int pthread_setspecific(pthread_key_t k, const void *v)
{
	if (k >= PTHREAD_KEYS_MAX || !keys[k].used)
		return EINVAL;
	keys[k].value = v;
	return 0;
}

void __occlum_pthread_tsd_run(void)
{
	for (int round = 0; round < PTHREAD_DESTRUCTOR_ITERATIONS; round++) {
		int ran = 0;
		for (pthread_key_t i = 0; i < PTHREAD_KEYS_MAX; i++) {
			void *v = (void *)keys[i].value;
			if (keys[i].used && keys[i].dtor && v) {
				keys[i].value = 0;
				keys[i].dtor(v);
				ran = 1;
			}
		}
		if (!ran)
			return;
	}
}
