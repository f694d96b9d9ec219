#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "internal.h"

/* The layouts the LibOS reads and writes as they are (Linux's). */
_Static_assert(sizeof(struct sockaddr) == 16, "sockaddr");
_Static_assert(sizeof(struct sockaddr_storage) == 128, "sockaddr_storage");
_Static_assert(sizeof(struct sockaddr_in) == 16, "sockaddr_in");
_Static_assert(offsetof(struct sockaddr_in, sin_addr) == 4, "sockaddr_in.sin_addr");
_Static_assert(sizeof(struct sockaddr_in6) == 28, "sockaddr_in6");
_Static_assert(offsetof(struct sockaddr_in6, sin6_addr) == 8, "sockaddr_in6.sin6_addr");
_Static_assert(offsetof(struct sockaddr_in6, sin6_scope_id) == 24, "sockaddr_in6.sin6_scope_id");
_Static_assert(sizeof(struct sockaddr_un) == 110, "sockaddr_un");
_Static_assert(sizeof(struct msghdr) == 28, "msghdr");
_Static_assert(offsetof(struct msghdr, msg_control) == 16, "msghdr.msg_control");
_Static_assert(offsetof(struct msghdr, msg_flags) == 24, "msghdr.msg_flags");
_Static_assert(sizeof(struct cmsghdr) == 12, "cmsghdr");
_Static_assert(CMSG_LEN(4) == 16 && CMSG_SPACE(1) == 16, "CMSG_ALIGN");
_Static_assert(sizeof(struct ucred) == 12, "ucred");
_Static_assert(sizeof(struct linger) == 8, "linger");
_Static_assert(sizeof(struct pollfd) == 8, "pollfd");
_Static_assert(sizeof(struct epoll_event) == 12, "epoll_event");
_Static_assert(offsetof(struct epoll_event, data) == 4, "epoll_event.data");
_Static_assert(sizeof(struct timeval) == 16 && offsetof(struct timeval, tv_usec) == 8, "timeval");
_Static_assert(sizeof(socklen_t) == 4 && sizeof(sa_family_t) == 2, "socklen_t");

int socket(int domain, int type, int protocol)
{
	int32_t fd;
	if (__occlum_ret(__occlum_sys_socket(domain, type, protocol, &fd)) < 0)
		return -1;
	return fd;
}
