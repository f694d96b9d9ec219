/* sendmmsg and recvmmsg (GNU) as loops of sendmsg and recvmsg, as musl
 * does on kernels without the calls. recvmmsg's timeout is ignored (it
 * is only checked between messages on Linux, too). */
#define _GNU_SOURCE
#include <sys/socket.h>

#include "internal.h"

int sendmmsg(int fd, struct mmsghdr *msgvec, unsigned int vlen, unsigned int flags)
{
	if (vlen > 1024)
		vlen = 1024;
	for (unsigned int i = 0; i < vlen; i++) {
		ssize_t r = sendmsg(fd, &msgvec[i].msg_hdr, (int)flags);
		if (r < 0)
			return i ? (int)i : -1;
		msgvec[i].msg_len = (unsigned int)r;
	}
	return (int)vlen;
}

int recvmmsg(int fd, struct mmsghdr *msgvec, unsigned int vlen, unsigned int flags, struct timespec *timeout)
{
	(void)timeout;
	if (vlen > 1024)
		vlen = 1024;
	for (unsigned int i = 0; i < vlen; i++) {
		ssize_t r = recvmsg(fd, &msgvec[i].msg_hdr, (int)(flags & ~MSG_WAITFORONE));
		if (r < 0)
			return i ? (int)i : -1;
		msgvec[i].msg_len = (unsigned int)r;
		if (flags & MSG_WAITFORONE)
			flags |= MSG_DONTWAIT;
	}
	return (int)vlen;
}
