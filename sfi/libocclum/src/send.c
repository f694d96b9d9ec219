/* send, sendto and sendmsg, on occlum.sendmsg (send and sendto replace
 * wasi-libc's, which are WASI's sock_send). */
#include <sys/socket.h>
#include <sys/uio.h>

#include "internal.h"

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	uint32_t n;
	if (__occlum_ret(__occlum_sys_sendmsg(fd, msg, flags, &n)) < 0)
		return -1;
	return (ssize_t)n;
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *addr, socklen_t alen)
{
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = {
		.msg_name = (void *)addr,
		.msg_namelen = addr ? alen : 0,
		.msg_iov = &iov,
		.msg_iovlen = 1,
	};
	return sendmsg(fd, &msg, flags);
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	return sendto(fd, buf, len, flags, 0, 0);
}
