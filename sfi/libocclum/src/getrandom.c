/* getrandom (Linux; wasi-libc has only getentropy): buf filled from the
 * LibOS's random source, which never blocks, so every flag is accepted
 * and the whole length is always returned. Unknown flags: EINVAL. */
#include <sys/random.h>
#include <wasi/api.h>

#include "internal.h"

ssize_t getrandom(void *buf, size_t len, unsigned flags)
{
	if (flags & ~(unsigned)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)) {
		errno = EINVAL;
		return -1;
	}
	if (len > 0x7fffffff)
		len = 0x7fffffff;
	__wasi_errno_t e = __wasi_random_get(buf, len);
	if (e != 0) {
		errno = e;
		return -1;
	}
	return (ssize_t)len;
}
