/* libocclum: <poll.h> with Linux's values.
 *
 * This replaces wasi-libc's header, whose POLL* values are WASI's (POLLIN 1
 * but POLLOUT 2, POLLHUP 0x2000, ...) and whose poll() is built on WASI's
 * poll_oneoff. poll and ppoll are libocclum's (src/poll.c), on the LibOS's
 * `occlum.poll`, which takes struct pollfd as it is. wasi-libc's
 * __header_poll.h and __struct_pollfd.h are kept out by their include
 * guards. */
#ifndef _POLL_H
#define _POLL_H

#ifdef __cplusplus
extern "C" {
#endif

#include <features.h>

#define __wasilibc___header_poll_h
#define __wasilibc___struct_pollfd_h
#define __wasilibc___typedef_nfds_t_h

#define POLLIN     0x001
#define POLLPRI    0x002
#define POLLOUT    0x004
#define POLLERR    0x008
#define POLLHUP    0x010
#define POLLNVAL   0x020
#define POLLRDNORM 0x040
#define POLLRDBAND 0x080
#define POLLWRNORM 0x100
#define POLLWRBAND 0x200
#define POLLMSG    0x400
#define POLLRDHUP  0x2000

typedef unsigned long nfds_t;

struct pollfd {
	int fd;
	short events;
	short revents;
};

int poll(struct pollfd *, nfds_t, int);

#ifdef _GNU_SOURCE
#define __NEED_time_t
#define __NEED_struct_timespec
#define __NEED_sigset_t
#include <bits/alltypes.h>
int ppoll(struct pollfd *, nfds_t, const struct timespec *, const sigset_t *);
#endif

#ifdef __cplusplus
}
#endif

#endif
