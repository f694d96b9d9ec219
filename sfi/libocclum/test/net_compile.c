/* net_compile: every networking header of libocclum, and every function
 * they declare, in one program: it must compile and link with occlum-gcc
 * (-std=gnu11 -O2 -Wall -Wextra -Werror) and import exactly the `occlum`
 * socket functions of docs/abi.md (plus what stdio needs). It also builds
 * natively; run, it exercises the calls over loopback and socketpairs and
 * prints what it sees, without depending on the network. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/poll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define CHECK(x) check(#x, (x) >= 0)

static int failures;

static void check(const char *what, int ok)
{
	if (!ok) {
		printf("FAIL %s: %s\n", what, strerror(errno));
		failures++;
	}
}

static void inet(void)
{
	struct in_addr a;
	struct in6_addr a6;
	char buf[INET6_ADDRSTRLEN];
	check("inet_pton", inet_pton(AF_INET, "192.0.2.1", &a) == 1);
	check("inet_ntop", inet_ntop(AF_INET, &a, buf, sizeof buf) && strcmp(buf, "192.0.2.1") == 0);
	check("inet_pton6", inet_pton(AF_INET6, "2001:db8::1", &a6) == 1);
	check("inet_ntop6", inet_ntop(AF_INET6, &a6, buf, sizeof buf) && strcmp(buf, "2001:db8::1") == 0);
	check("inet_aton", inet_aton("127.1", &a) == 1 && a.s_addr == htonl(INADDR_LOOPBACK));
	check("inet_addr", inet_addr("10.0.0.1") == htonl(0x0a000001));
	check("inet_network", inet_network("10.1") == 0x0a01);
	check("inet_ntoa", strcmp(inet_ntoa(a), "127.0.0.1") == 0);
	struct in_addr m = inet_makeaddr(10, 1);
	check("inet_makeaddr", inet_lnaof(m) == 1 && inet_netof(m) == 10);
	check("in6addr", IN6_IS_ADDR_LOOPBACK(&in6addr_loopback) && IN6_IS_ADDR_UNSPECIFIED(&in6addr_any));
	check("ntohs", ntohs(htons(0x1234)) == 0x1234 && ntohl(htonl(0x12345678)) == 0x12345678);
}

static void netdb(void)
{
	struct addrinfo hints, *res = 0;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_CANONNAME;
	int e = getaddrinfo("127.0.0.1", "8080", &hints, &res);
	check(gai_strerror(e), e == 0 && res && res->ai_addrlen == sizeof(struct sockaddr_in));
	if (e == 0) {
		char host[NI_MAXHOST], serv[NI_MAXSERV];
		e = getnameinfo(res->ai_addr, res->ai_addrlen, host, sizeof host, serv, sizeof serv,
				NI_NUMERICHOST | NI_NUMERICSERV);
		check("getnameinfo", e == 0 && strcmp(host, "127.0.0.1") == 0 && strcmp(serv, "8080") == 0);
		freeaddrinfo(res);
	}
	/* a name: the LibOS resolves it (no network needed for localhost) */
	e = getaddrinfo("localhost", "http", 0, &res);
	if (e == 0)
		freeaddrinfo(res);
	else
		printf("localhost: %s\n", gai_strerror(e));

	struct hostent *h = gethostbyname("127.0.0.1");
	check("gethostbyname", h && h->h_addrtype == AF_INET && h->h_length == 4);
	h = gethostbyname2("::1", AF_INET6);
	check("gethostbyname2", h && h->h_length == 16);
	struct in_addr lo = { htonl(INADDR_LOOPBACK) };
	h = gethostbyaddr(&lo, sizeof lo, AF_INET);
	if (!h)
		herror("gethostbyaddr");
	printf("hstrerror: %s\n", hstrerror(HOST_NOT_FOUND));
	struct hostent hb, *hr;
	char buf[1024];
	int herr;
	check("gethostbyname_r", gethostbyname_r("10.1.2.3", &hb, buf, sizeof buf, &hr, &herr) == 0 && hr);
	check("gethostbyname2_r", gethostbyname2_r("10.1.2.3", AF_INET, &hb, buf, sizeof buf, &hr, &herr) == 0);
	check("gethostbyaddr_r", gethostbyaddr_r(&lo, sizeof lo, AF_INET, &hb, buf, sizeof buf, &hr, &herr) == 0);
	(void)h_errno;

	struct servent *s = getservbyname("http", "tcp");
	check("getservbyname", s && ntohs((uint16_t)s->s_port) == 80);
	s = getservbyport(htons(22), "tcp");
	check("getservbyport", s && strcmp(s->s_name, "ssh") == 0);
	struct servent sb, *sr;
	check("getservbyname_r", getservbyname_r("domain", "udp", &sb, buf, sizeof buf, &sr) == 0 && sr);
	check("getservbyport_r", getservbyport_r(htons(53), 0, &sb, buf, sizeof buf, &sr) == 0 && sr);
	struct protoent *p = getprotobyname("tcp");
	check("getprotobyname", p && p->p_proto == IPPROTO_TCP);
	p = getprotobynumber(IPPROTO_UDP);
	check("getprotobynumber", p && strcmp(p->p_name, "udp") == 0);
	setprotoent(1);
	check("getprotoent", getprotoent() != 0);
	endprotoent();

	char name[IF_NAMESIZE];
	check("if_nametoindex", if_nametoindex("lo") > 0);
	check("if_indextoname", if_indextoname(if_nametoindex("lo"), name) != 0);
	struct if_nameindex *ifs = if_nameindex();
	check("if_nameindex", ifs != 0);
	if (ifs)
		if_freenameindex(ifs);
}

static void tcp(void)
{
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(l);
	int one = 1;
	CHECK(setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(bind(l, (struct sockaddr *)&sa, sizeof sa));
	CHECK(listen(l, SOMAXCONN));
	socklen_t len = sizeof sa;
	CHECK(getsockname(l, (struct sockaddr *)&sa, &len));

	int c = socket(PF_INET, SOCK_STREAM, IPPROTO_TCP);
	CHECK(c);
	CHECK(setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one));
	struct timeval tv = { 5, 0 };
	CHECK(setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
	CHECK(connect(c, (struct sockaddr *)&sa, sizeof sa));

	fd_set r;
	FD_ZERO(&r);
	FD_SET(l, &r);
	struct timeval t = { 5, 0 };
	check("select", select(l + 1, &r, 0, 0, &t) == 1 && FD_ISSET(l, &r));
	struct timespec ts = { 5, 0 };
	sigset_t mask;
	sigemptyset(&mask);
	FD_SET(l, &r);
	check("pselect", pselect(l + 1, &r, 0, 0, &ts, &mask) == 1);

	struct sockaddr_storage peer;
	len = sizeof peer;
	int a = accept4(l, (struct sockaddr *)&peer, &len, SOCK_NONBLOCK);
	CHECK(a);
	check("accept4 addr", len == sizeof(struct sockaddr_in) && peer.ss_family == AF_INET);
	CHECK(getpeername(a, (struct sockaddr *)&peer, &len));

	int type = 0;
	len = sizeof type;
	check("SO_TYPE", getsockopt(a, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_STREAM);

	check("send", send(c, "hello", 5, MSG_NOSIGNAL) == 5);
	struct pollfd pf = { a, POLLIN, 0 };
	check("poll", poll(&pf, 1, 5000) == 1 && (pf.revents & POLLIN));
	check("ppoll", ppoll(&pf, 1, &ts, &mask) == 1);
	char buf[16];
	check("recv", recv(a, buf, sizeof buf, 0) == 5 && memcmp(buf, "hello", 5) == 0);
	check("recv EAGAIN", recv(a, buf, sizeof buf, 0) < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));

	int ep = epoll_create1(EPOLL_CLOEXEC);
	CHECK(ep);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP, .data.fd = a };
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, a, &ev));
	CHECK(shutdown(c, SHUT_WR));
	struct epoll_event out[4];
	check("epoll_wait", epoll_wait(ep, out, 4, 5000) == 1 && out[0].data.fd == a);
	check("epoll_pwait", epoll_pwait(ep, out, 4, 0, &mask) == 1);
	check("epoll_pwait2", epoll_pwait2(ep, out, 4, &ts, 0) == 1);
	CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, a, 0));
	close(ep);
	int ep2 = epoll_create(1);
	CHECK(ep2);
	close(ep2);

	close(a);
	close(c);
	close(l);
}

static void udp(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK(s);
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(bind(s, (struct sockaddr *)&sa, sizeof sa));
	socklen_t len = sizeof sa;
	CHECK(getsockname(s, (struct sockaddr *)&sa, &len));
	check("sendto", sendto(s, "ping", 4, 0, (struct sockaddr *)&sa, sizeof sa) == 4);
	struct sockaddr_in from;
	socklen_t flen = sizeof from;
	char buf[8];
	check("recvfrom", recvfrom(s, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen) == 4 &&
				  flen == sizeof from && from.sin_port == sa.sin_port);

	struct mmsghdr mm[2];
	struct iovec iov[2] = { { "a", 1 }, { "b", 1 } };
	memset(mm, 0, sizeof mm);
	for (int i = 0; i < 2; i++) {
		mm[i].msg_hdr.msg_name = &sa;
		mm[i].msg_hdr.msg_namelen = sizeof sa;
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	check("sendmmsg", sendmmsg(s, mm, 2, 0) == 2);
	char b0[4], b1[4];
	struct iovec riov[2] = { { b0, sizeof b0 }, { b1, sizeof b1 } };
	memset(mm, 0, sizeof mm);
	for (int i = 0; i < 2; i++) {
		mm[i].msg_hdr.msg_iov = &riov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	check("recvmmsg", recvmmsg(s, mm, 2, MSG_WAITFORONE, 0) >= 1);
	close(s);
}

static void unix_and_fds(void)
{
	int sv[2];
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));

	/* pass a descriptor with SCM_RIGHTS */
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	CHECK(efd);
	CHECK(eventfd_write(efd, 3));
	char data = 'x';
	struct iovec iov = { &data, 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg;
	memset(&msg, 0, sizeof msg);
	memset(&u, 0, sizeof u);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = u.buf;
	msg.msg_controllen = sizeof u.buf;
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &efd, sizeof efd);
	check("sendmsg", sendmsg(sv[0], &msg, 0) == 1);

	memset(&u, 0, sizeof u);
	msg.msg_controllen = sizeof u.buf;
	check("recvmsg", recvmsg(sv[1], &msg, MSG_CMSG_CLOEXEC) == 1 && !(msg.msg_flags & MSG_CTRUNC));
	int got = -1;
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
			memcpy(&got, CMSG_DATA(cm), sizeof got);
	eventfd_t v = 0;
	check("eventfd_read", got >= 0 && eventfd_read(got, &v) == 0 && v == 3);

	struct ucred cred;
	socklen_t len = sizeof cred;
	check("SO_PEERCRED", getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 && cred.pid == getpid());
	struct linger lg = { 1, 0 };
	CHECK(setsockopt(sv[0], SOL_SOCKET, SO_LINGER, &lg, sizeof lg));

	struct sockaddr_un un;
	memset(&un, 0, sizeof un);
	un.sun_family = AF_UNIX;
	strcpy(un.sun_path, "/tmp/net_compile.sock");
	unlink(un.sun_path);
	int ls = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(bind(ls, (struct sockaddr *)&un, (socklen_t)SUN_LEN(&un)));
	CHECK(listen(ls, 1));
	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(connect(c, (struct sockaddr *)&un, sizeof un));
	int a = accept(ls, 0, 0);
	CHECK(a);
	unlink(un.sun_path);
	close(a);
	close(c);
	close(ls);
	close(got);
	close(efd);
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	inet();
	netdb();
	tcp();
	udp();
	unix_and_fds();
	if (failures) {
		printf("net_compile: %d failures\n", failures);
		return 1;
	}
	printf("net_compile: PASS\n");
	return 0;
}
