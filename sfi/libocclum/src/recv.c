/* recv, recvfrom and recvmsg, on occlum.recvmsg (recv replaces
 * wasi-libc's, which is WASI's sock_recv). The LibOS updates msg_namelen,
 * msg_controllen and msg_flags in the caller's struct msghdr. */
#include <sys/socket.h>
#include <sys/uio.h>

#include "internal.h"

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	uint32_t n;
	if (__occlum_ret(__occlum_sys_recvmsg(fd, msg, flags, &n)) < 0)
		return -1;
	return (ssize_t)n;
}

ssize_t recvfrom(int fd, void *__restrict buf, size_t len, int flags, struct sockaddr *__restrict addr,
		 socklen_t *__restrict alen)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = {
		.msg_name = alen ? addr : 0,
		.msg_namelen = addr && alen ? *alen : 0,
		.msg_iov = &iov,
		.msg_iovlen = 1,
	};
	ssize_t r = recvmsg(fd, &msg, flags);
	if (r >= 0 && addr && alen)
		*alen = msg.msg_namelen;
	return r;
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	return recvfrom(fd, buf, len, flags, 0, 0);
}
