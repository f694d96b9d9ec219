/* libocclum: wasi-libc's <sys/random.h> (getentropy) plus Linux's
 * getrandom(). */
#include_next <sys/random.h>

#ifndef __occlum_sys_random_h
#define __occlum_sys_random_h

#define __NEED_ssize_t
#include <bits/alltypes.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GRND_NONBLOCK 0x0001
#define GRND_RANDOM 0x0002
#define GRND_INSECURE 0x0004

ssize_t getrandom(void *, size_t, unsigned);

#ifdef __cplusplus
}
#endif
#endif
