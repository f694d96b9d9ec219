/* sock_errors: what the socket calls say to bad input, as Linux does.
 * socket() with an unknown family, type or flag, and a protocol that does
 * not fit; bind with a short, long or oversized address length, the wrong
 * family, twice; listen and accept on the wrong sockets; every socket
 * call on a pipe (ENOTSOCK) and on a closed descriptor (EBADF);
 * getsockopt/setsockopt with unknown options, short and negative lengths;
 * listen's backlog extremes; connect when connected (EISCONN); shutdown,
 * recv, send, sendto and getpeername on an unconnected TCP socket; bad
 * shutdown how; EMFILE from socket, socketpair and accept under
 * RLIMIT_NOFILE, the pending connection still there to accept once a
 * descriptor is free. */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/resource.h>

#include "proc.h"
#include "net.h"

/* RES reports a call's result: "ok" or its errno's name. */
#define RES(call) (errno = 0, err_of((long)(call)))

static void socket_calls_on(int fd, int want) {
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int v = 0;
    socklen_t vl = sizeof v;
    char buf[4];
    loopback4(&a, 0);
    CHECK_NERR(bind(fd, (struct sockaddr *)&a, sizeof a), want);
    CHECK_NERR(listen(fd, 1), want);
    CHECK_NERR(accept(fd, NULL, NULL), want);
    CHECK_NERR(accept4(fd, NULL, NULL, SOCK_CLOEXEC), want);
    CHECK_NERR(connect(fd, (struct sockaddr *)&a, sizeof a), want);
    CHECK_NERR(getsockname(fd, (struct sockaddr *)&a, &len), want);
    CHECK_NERR(getpeername(fd, (struct sockaddr *)&a, &len), want);
    CHECK_NERR(getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &vl), want);
    CHECK_NERR(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &v, sizeof v), want);
    CHECK_NERR(shutdown(fd, SHUT_RDWR), want);
    CHECK_NERR(send(fd, "x", 1, MSG_NOSIGNAL), want);
    CHECK_NERR(sendto(fd, "x", 1, MSG_NOSIGNAL, (struct sockaddr *)&a, sizeof a), want);
    CHECK_NERR(recv(fd, buf, 1, MSG_DONTWAIT), want);
    CHECK_NERR(recvfrom(fd, buf, 1, MSG_DONTWAIT, NULL, NULL), want);
}

int main(int argc, char **argv) {
    test_init("sock_errors", argc, argv);
    proc_init();
    CHECK(signal(SIGPIPE, SIG_IGN) != SIG_ERR);
    struct sockaddr_in a;
    char big[256];

    /* socket(). */
    CHECK_NERR(socket(12345, SOCK_STREAM, 0), EAFNOSUPPORT);
    CHECK_NERR(socket(AF_INET, 12345, 0), EINVAL);
    CHECK_NERR(socket(AF_INET, SOCK_STREAM | 0x40000000, 0), EINVAL);
    CHECK_NERR(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP), EPROTONOSUPPORT);
    CHECK_NERR(socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP), EPROTONOSUPPORT);
    printf("socket: unknown family EAFNOSUPPORT, unknown type EINVAL, unknown flag EINVAL, "
           "stream+UDP and dgram+TCP EPROTONOSUPPORT\n");
    CHECK_NERR(socket(AF_UNIX, SOCK_STREAM, 2), EPROTONOSUPPORT);
    int un = socket(AF_UNIX, SOCK_STREAM, 1); /* PF_UNIX: accepted */
    printf("socket: AF_UNIX with protocol 2: EPROTONOSUPPORT, with protocol 1 (PF_UNIX): %s\n", err_of(un));
    if (un >= 0) CHECK_OK(close(un));
    int s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP), u = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    CHECK(s >= 0 && u >= 0);
    CHECK_OK(close(s));
    CHECK_OK(close(u));

    /* bind(). */
    s = socket(AF_INET, SOCK_STREAM, 0);
    loopback4(&a, 0);
    CHECK_NERR(bind(s, (struct sockaddr *)&a, sizeof a - 1), EINVAL);
    CHECK_NERR(bind(s, (struct sockaddr *)&a, 0), EINVAL);
    memset(big, 0, sizeof big);
    memcpy(big, &a, sizeof a);
    CHECK_NERR(bind(s, (struct sockaddr *)big, 129), EINVAL);
    printf("bind: addrlen sizeof-1 EINVAL, 0 EINVAL, 129 (past sockaddr_storage) EINVAL\n");
    struct sockaddr_in w = a;
    w.sin_family = AF_INET6;
    CHECK_NERR(bind(s, (struct sockaddr *)&w, sizeof w), EAFNOSUPPORT);
    w.sin_family = AF_UNSPEC;
    printf("bind: AF_INET6 family on an AF_INET socket: EAFNOSUPPORT; AF_UNSPEC with 127.0.0.1: %s\n",
           RES(bind(s, (struct sockaddr *)&w, sizeof w)));
    printf("bind: addrlen sizeof+16: %s", RES(bind(s, (struct sockaddr *)big, sizeof a + 16)));
    printf("; bind again: %s\n", RES(bind(s, (struct sockaddr *)&a, sizeof a)));
    CHECK_OK(close(s));
    s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in6 six;
    loopback6(&six, 0);
    printf("bind: an AF_INET6 address on an AF_INET socket (len sizeof sockaddr_in6): %s\n",
           RES(bind(s, (struct sockaddr *)&six, sizeof six)));
    CHECK_OK(close(s));

    /* listen() and accept() on the wrong sockets. */
    u = socket(AF_INET, SOCK_DGRAM, 0);
    CHECK_NERR(listen(u, 1), EOPNOTSUPP);
    CHECK_NERR(accept(u, NULL, NULL), EOPNOTSUPP);
    s = socket(AF_INET, SOCK_STREAM, 0);
    CHECK_NERR(accept(s, NULL, NULL), EINVAL);
    CHECK_NERR(accept4(s, NULL, NULL, 0x40000000), EINVAL);
    printf("listen/accept on UDP: EOPNOTSUPP; accept on a TCP socket not listening: EINVAL; accept4 bad flag EINVAL\n");
    CHECK_OK(close(u));

    /* Unconnected TCP. */
    char buf[8];
    socklen_t len = sizeof a;
    CHECK_NERR(recv(s, buf, sizeof buf, 0), ENOTCONN);
    CHECK_NERR(getpeername(s, (struct sockaddr *)&a, &len), ENOTCONN);
    printf("unconnected TCP: recv, getpeername ENOTCONN; send %s", RES(send(s, "x", 1, MSG_NOSIGNAL)));
    loopback4(&a, 9);
    printf("; sendto an address %s", RES(sendto(s, "x", 1, MSG_NOSIGNAL, (struct sockaddr *)&a, sizeof a)));
    printf("; write %s\n", RES(write(s, "x", 1)));
    /* Linux fails the shutdown but records it: recv then sees EOF. */
    CHECK_NERR(shutdown(s, SHUT_RDWR), ENOTCONN);
    errno = 0;
    printf("unconnected TCP: shutdown ENOTCONN, then recv %s\n", ret_str(recv(s, buf, sizeof buf, MSG_DONTWAIT)));
    CHECK_NERR(shutdown(s, 5), EINVAL);
    CHECK_NERR(shutdown(s, -1), EINVAL);
    printf("shutdown with how 5 or -1: EINVAL\n");
    CHECK_OK(close(s)); /* its shutdown state would pass to accepted sockets */
    s = socket(AF_INET, SOCK_STREAM, 0);

    /* Options. */
    int v = 1;
    socklen_t vl = sizeof v;
    CHECK_NERR(setsockopt(s, SOL_SOCKET, 9999, &v, sizeof v), ENOPROTOOPT);
    CHECK_NERR(getsockopt(s, SOL_SOCKET, 9999, &v, &vl), ENOPROTOOPT);
    CHECK_NERR(setsockopt(s, IPPROTO_TCP, 9999, &v, sizeof v), ENOPROTOOPT);
    CHECK_NERR(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, 2), EINVAL);
    vl = (socklen_t)-1;
    CHECK_NERR(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &vl), EINVAL);
    printf("options: unknown SOL_SOCKET and IPPROTO_TCP options ENOPROTOOPT; setsockopt optlen 2 EINVAL; "
           "getsockopt optlen -1 EINVAL\n");
    printf("options: setsockopt at level 12345: %s", RES(setsockopt(s, 12345, 1, &v, sizeof v)));
    unsigned char raw[8];
    memset(raw, 0xee, sizeof raw);
    vl = 2;
    errno = 0;
    int r = getsockopt(s, SOL_SOCKET, SO_TYPE, raw, &vl);
    printf("; getsockopt(SO_TYPE) with optlen 2: %s, optlen now %d, bytes past it untouched: %s\n", ret_str(r),
           (int)vl, raw[2] == 0xee && raw[3] == 0xee ? "yes" : "no");
    vl = 0;
    errno = 0;
    r = getsockopt(s, SOL_SOCKET, SO_TYPE, raw, &vl);
    printf("options: getsockopt(SO_TYPE) with optlen 0: %s, optlen now %d\n", ret_str(r), (int)vl);
    vl = 16;
    memset(raw, 0xee, sizeof raw);
    CHECK_OK(getsockopt(s, SOL_SOCKET, SO_TYPE, raw, &vl));
    CHECK_EQ(vl, sizeof(int));
    printf("options: getsockopt(SO_TYPE) with optlen 16: optlen now %d\n", (int)vl);

    /* listen's backlog: any int goes. */
    CHECK_OK(bind(s, (struct sockaddr *)&a, loopback4(&a, 0)));
    CHECK_OK(listen(s, INT_MAX));
    CHECK_OK(listen(s, -1));
    CHECK_OK(listen(s, 0));
    printf("listen: backlog INT_MAX, -1, 0, again on a listener: ok\n");
    len = sizeof a;
    CHECK_OK(getsockname(s, (struct sockaddr *)&a, &len));
    int c = socket(AF_INET, SOCK_STREAM, 0);
    CHECK_OK(connect(c, (struct sockaddr *)&a, sizeof a));
    CHECK_NERR(connect(c, (struct sockaddr *)&a, sizeof a), EISCONN);
    printf("connect when connected: EISCONN; connect on a listener: %s\n",
           RES(connect(s, (struct sockaddr *)&a, sizeof a)));
    int acc = accept(s, NULL, NULL);
    CHECK(acc >= 0);
    CHECK_OK(close(acc));
    CHECK_OK(close(c));

    /* Not sockets, and no descriptors at all. */
    int p[2];
    CHECK_OK(pipe(p));
    socket_calls_on(p[0], ENOTSOCK);
    CHECK_OK(close(p[0]));
    CHECK_OK(close(p[1]));
    socket_calls_on(p[0], EBADF);
    printf("every socket call on a pipe: ENOTSOCK; on a closed descriptor: EBADF\n");

    /* EMFILE. A listener with a connection pending, then a full table. */
    struct rlimit old, rl;
    CHECK_OK(getrlimit(RLIMIT_NOFILE, &old));
    c = socket(AF_INET, SOCK_STREAM, 0);
    CHECK_OK(connect(c, (struct sockaddr *)&a, sizeof a));
    int limit = lowest_free_fd() + 8, room = 0;
    for (int fd = 0; fd < limit; fd++) room += !fd_is_open(fd);
    rl.rlim_cur = (rlim_t)limit;
    rl.rlim_max = old.rlim_max;
    CHECK_OK(setrlimit(RLIMIT_NOFILE, &rl));
    int opened = 0, fds[64];
    for (;;) {
        int t = socket(AF_INET, SOCK_DGRAM, 0);
        if (t < 0) break;
        fds[opened++] = t;
        if (opened == 64) break;
    }
    int e = errno;
    CHECK_EQ(e, EMFILE);
    CHECK_EQ(opened, room);
    int sv[2] = {-1, -1};
    CHECK_NERR(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), EMFILE);
    CHECK(sv[0] == -1 && sv[1] == -1);
    CHECK_NERR(accept(s, NULL, NULL), EMFILE);
    CHECK_NERR(accept4(s, NULL, NULL, SOCK_CLOEXEC), EMFILE);
    printf("EMFILE: socket() %s once the table is full (%s descriptors below the limit opened), socketpair and "
           "accept EMFILE\n", net_errno_name(e), opened == room ? "all" : "not all");
    CHECK(opened > 0);
    if (opened > 0) CHECK_OK(close(fds[--opened]));
    acc = accept(s, NULL, NULL);
    CHECK(acc >= 0);
    CHECK_EQ(send(c, "still", 5, 0), 5);
    memset(buf, 0, sizeof buf);
    CHECK_EQ(recv_n(acc, buf, 5), 5);
    printf("EMFILE: after closing one, the pending connection is accepted and carries \"%s\"\n", buf);
    CHECK_OK(setrlimit(RLIMIT_NOFILE, &old));
    /* Not counted: how many were opened depends on what the harness left open. */
    for (int i = 0; i < opened; i++) close(fds[i]);
    CHECK_OK(close(acc));
    CHECK_OK(close(c));
    CHECK_OK(close(s));
    return test_done();
}
