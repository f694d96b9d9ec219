/* Signal set operations: signals 1..64 (_NSIG is 65). */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>

#include "internal.h"

#define BITS (8 * sizeof(unsigned long))

static int bad(int sig)
{
	if (sig <= 0 || sig >= _NSIG) {
		errno = EINVAL;
		return 1;
	}
	return 0;
}

int sigemptyset(sigset_t *set)
{
	memset(set, 0, sizeof *set);
	return 0;
}

int sigfillset(sigset_t *set)
{
	__occlum_sigset_put(set, ~(uint64_t)0);
	return 0;
}

int sigaddset(sigset_t *set, int sig)
{
	if (bad(sig))
		return -1;
	set->__bits[(sig - 1) / BITS] |= 1UL << ((sig - 1) % BITS);
	return 0;
}

int sigdelset(sigset_t *set, int sig)
{
	if (bad(sig))
		return -1;
	set->__bits[(sig - 1) / BITS] &= ~(1UL << ((sig - 1) % BITS));
	return 0;
}

int sigismember(const sigset_t *set, int sig)
{
	if (bad(sig))
		return -1;
	return !!(set->__bits[(sig - 1) / BITS] & (1UL << ((sig - 1) % BITS)));
}

int sigisemptyset(const sigset_t *set)
{
	return __occlum_sigset_get(set) == 0;
}

int sigorset(sigset_t *dst, const sigset_t *l, const sigset_t *r)
{
	__occlum_sigset_put(dst, __occlum_sigset_get(l) | __occlum_sigset_get(r));
	return 0;
}

int sigandset(sigset_t *dst, const sigset_t *l, const sigset_t *r)
{
	__occlum_sigset_put(dst, __occlum_sigset_get(l) & __occlum_sigset_get(r));
	return 0;
}
