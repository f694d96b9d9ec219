/* sock_udp: UDP over 127.0.0.1 (and ::1) inside one process: sendto and
 * recvfrom with the sender's address; datagram boundaries and order; a
 * zero-length datagram; a datagram larger than the buffer (the rest is
 * dropped; recvmsg sets MSG_TRUNC in msg_flags; recv(MSG_TRUNC) returns
 * the real length); MSG_PEEK; EAGAIN on an empty socket (O_NONBLOCK and
 * MSG_DONTWAIT); poll readiness; connected UDP (send/recv, getpeername,
 * datagrams from other senders filtered, connect(AF_UNSPEC) to
 * disconnect); EDESTADDRREQ without a destination; ECONNREFUSED on a
 * connected socket after sending to a closed port; the socket options. */
#define _GNU_SOURCE
#include <sys/uio.h>

#include "net.h"

/* udp4 returns a UDP socket bound to 127.0.0.1, port 0, and its address. */
static int udp4(struct sockaddr_in *addr) {
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    CHECK(s >= 0);
    CHECK_OK(bind(s, (struct sockaddr *)addr, loopback4(addr, 0)));
    socklen_t len = sizeof *addr;
    CHECK_OK(getsockname(s, (struct sockaddr *)addr, &len));
    CHECK(addr->sin_port != 0);
    return s;
}

/* recv_from waits for a datagram and receives it into buf with its
 * sender; it returns recvfrom's result. */
static ssize_t recv_from(int s, void *buf, size_t n, int flags, struct sockaddr_in *from) {
    if (!(wait_for_events(s, POLLIN) & POLLIN)) return -2;
    socklen_t len = sizeof *from;
    memset(from, 0, sizeof *from);
    ssize_t r = recvfrom(s, buf, n, flags, (struct sockaddr *)from, &len);
    if (r >= 0 && len != sizeof *from) return -3;
    return r;
}

static int same(const struct sockaddr_in *a, const struct sockaddr_in *b) {
    return sa_equal(a, sizeof *a, b, sizeof *b);
}

int main(int argc, char **argv) {
    test_init("sock_udp", argc, argv);
    char buf[2048];
    struct sockaddr_in aa, ba, ca, from;
    int a = udp4(&aa), b = udp4(&ba), c = udp4(&ca);

    CHECK_EQ(getsockopt_int(a, SOL_SOCKET, SO_TYPE), SOCK_DGRAM);
    CHECK_EQ(getsockopt_int(a, SOL_SOCKET, SO_PROTOCOL), IPPROTO_UDP);
    CHECK_EQ(getsockopt_int(a, SOL_SOCKET, SO_DOMAIN), AF_INET);
    printf("udp: SO_TYPE SOCK_DGRAM, SO_PROTOCOL IPPROTO_UDP, SO_DOMAIN AF_INET: ok; bound to %s, port %s\n",
           sa_host(&aa, sizeof aa), aa.sin_port ? "nonzero" : "zero");

    /* Empty: not readable, EAGAIN, poll says writable only. */
    printf("udp: empty socket: poll %s\n", revents_str(poll_fd(b, POLLIN | POLLOUT, 0)));
    CHECK_NERR(recv(b, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
    CHECK_OK(fcntl(b, F_SETFL, fcntl(b, F_GETFL) | O_NONBLOCK));
    CHECK_NERR(recvfrom(b, buf, sizeof buf, 0, NULL, NULL), EAGAIN);
    CHECK_NERR(read(b, buf, sizeof buf), EAGAIN);
    printf("udp: empty socket: recv(MSG_DONTWAIT), and recvfrom/read on O_NONBLOCK: EAGAIN\n");

    /* sendto/recvfrom with the source address. */
    CHECK_EQ(sendto(a, "hello", 5, 0, (struct sockaddr *)&ba, sizeof ba), 5);
    printf("udp: after sendto: poll %s\n", revents_str(wait_for_events(b, POLLIN | POLLOUT)));
    memset(buf, 0, sizeof buf);
    CHECK_EQ(recv_from(b, buf, sizeof buf, 0, &from), 5);
    CHECK(same(&from, &aa));
    printf("udp: recvfrom got \"%s\" from %s, the sender's port: %s\n", buf, sa_host(&from, sizeof from),
           same(&from, &aa) ? "yes" : "no");

    /* Boundaries and order: three datagrams, a big buffer each time. */
    static char big[1000];
    memset(big, 'z', sizeof big);
    CHECK_EQ(sendto(a, big, 1, 0, (struct sockaddr *)&ba, sizeof ba), 1);
    CHECK_EQ(sendto(a, big, 100, 0, (struct sockaddr *)&ba, sizeof ba), 100);
    CHECK_EQ(sendto(a, big, 1000, 0, (struct sockaddr *)&ba, sizeof ba), 1000);
    ssize_t n1 = recv_from(b, buf, sizeof buf, 0, &from);
    ssize_t n2 = recv_from(b, buf, sizeof buf, 0, &from);
    ssize_t n3 = recv_from(b, buf, sizeof buf, 0, &from);
    CHECK(n1 == 1 && n2 == 100 && n3 == 1000);
    CHECK_NERR(recv(b, buf, sizeof buf, 0), EAGAIN);
    printf("udp: datagrams of 1, 100, 1000 bytes received as %zd, %zd, %zd\n", n1, n2, n3);

    /* A zero-length datagram is a datagram. */
    CHECK_EQ(sendto(a, "", 0, 0, (struct sockaddr *)&ba, sizeof ba), 0);
    int rev = wait_for_events(b, POLLIN);
    ssize_t n0 = recv_from(b, buf, sizeof buf, 0, &from);
    CHECK_EQ(n0, 0);
    CHECK(same(&from, &aa));
    CHECK_NERR(recv(b, buf, sizeof buf, 0), EAGAIN);
    printf("udp: zero-length datagram: poll %s, recvfrom %zd from the sender: %s, then EAGAIN\n",
           revents_str(rev), n0, same(&from, &aa) ? "yes" : "no");

    /* Truncation: a 10-byte buffer for 100 bytes. */
    CHECK_EQ(sendto(a, big, 100, 0, (struct sockaddr *)&ba, sizeof ba), 100);
    CHECK_EQ(sendto(a, "next", 4, 0, (struct sockaddr *)&ba, sizeof ba), 4);
    CHECK(wait_for_events(b, POLLIN) & POLLIN);
    struct iovec iov = {buf, 10};
    struct msghdr mh;
    memset(&mh, 0, sizeof mh);
    mh.msg_name = &from;
    mh.msg_namelen = sizeof from;
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    ssize_t t = recvmsg(b, &mh, 0);
    CHECK_EQ(t, 10);
    CHECK((mh.msg_flags & MSG_TRUNC) != 0);
    CHECK_EQ(mh.msg_namelen, sizeof from);
    memset(buf, 0, sizeof buf);
    ssize_t nx = recv_from(b, buf, sizeof buf, 0, &from);
    CHECK_EQ(nx, 4);
    printf("udp: 100 bytes into 10: recvmsg %zd with MSG_TRUNC %s, the rest dropped (next datagram \"%s\")\n",
           t, (mh.msg_flags & MSG_TRUNC) ? "set" : "clear", buf);
    CHECK_EQ(sendto(a, big, 100, 0, (struct sockaddr *)&ba, sizeof ba), 100);
    CHECK(wait_for_events(b, POLLIN) & POLLIN);
    ssize_t real = recv(b, buf, 10, MSG_TRUNC);
    CHECK_EQ(real, 100);
    CHECK_NERR(recv(b, buf, sizeof buf, 0), EAGAIN);
    CHECK_EQ(sendto(a, "whole", 5, 0, (struct sockaddr *)&ba, sizeof ba), 5);
    CHECK(wait_for_events(b, POLLIN) & POLLIN);
    memset(&mh, 0, sizeof mh);
    iov.iov_len = sizeof buf;
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    CHECK_EQ(recvmsg(b, &mh, 0), 5);
    printf("udp: recv(buf of 10, MSG_TRUNC) of 100 bytes returns %zd; a datagram that fits: MSG_TRUNC %s\n",
           real, (mh.msg_flags & MSG_TRUNC) ? "set" : "clear");

    /* MSG_PEEK leaves the datagram. */
    CHECK_EQ(sendto(c, "peek", 4, 0, (struct sockaddr *)&ba, sizeof ba), 4);
    memset(buf, 0, sizeof buf);
    ssize_t p1 = recv_from(b, buf, sizeof buf, MSG_PEEK, &from);
    int pfrom = same(&from, &ca);
    ssize_t p2 = recv_from(b, buf, 2, MSG_PEEK, &from);
    ssize_t p3 = recv_from(b, buf, sizeof buf, 0, &from);
    CHECK(p1 == 4 && p2 == 2 && p3 == 4 && pfrom);
    CHECK_NERR(recv(b, buf, sizeof buf, 0), EAGAIN);
    printf("udp: MSG_PEEK %zd (from the sender: %s), MSG_PEEK into 2: %zd, then recv %zd \"%s\", then EAGAIN\n",
           p1, pfrom ? "yes" : "no", p2, p3, buf);

    /* Without a destination: EDESTADDRREQ; no peer: ENOTCONN. */
    struct sockaddr_in peer;
    socklen_t plen = sizeof peer;
    CHECK_NERR(send(a, "x", 1, 0), EDESTADDRREQ);
    CHECK_NERR(getpeername(a, (struct sockaddr *)&peer, &plen), ENOTCONN);
    printf("udp: unconnected: send EDESTADDRREQ, getpeername ENOTCONN\n");

    /* Connected UDP: a talks only to b. */
    CHECK_OK(connect(a, (struct sockaddr *)&ba, sizeof ba));
    CHECK_OK(connect(b, (struct sockaddr *)&aa, sizeof aa));
    plen = sizeof peer;
    CHECK_OK(getpeername(a, (struct sockaddr *)&peer, &plen));
    CHECK(same(&peer, &ba));
    CHECK_EQ(send(a, "ping", 4, 0), 4);
    memset(buf, 0, sizeof buf);
    CHECK_EQ(recv_from(b, buf, sizeof buf, 0, &from), 4);
    CHECK(same(&from, &aa));
    CHECK_EQ(write(b, "pong", 4), 4);
    CHECK(wait_for_events(a, POLLIN) & POLLIN);
    char got[8] = {0};
    CHECK_EQ(read(a, got, sizeof got), 4);
    printf("udp: connected: getpeername is the peer: %s; send \"%s\", write/read \"%s\"\n",
           same(&peer, &ba) ? "yes" : "no", buf, got);
    /* A connected socket drops datagrams from other addresses: c's comes
     * first, b's after it; only b's arrives. sendto with the peer's
     * address works on a connected socket. */
    CHECK_EQ(sendto(c, "stray", 5, 0, (struct sockaddr *)&aa, sizeof aa), 5);
    CHECK_EQ(sendto(b, "mine", 4, 0, (struct sockaddr *)&aa, sizeof aa), 4);
    memset(buf, 0, sizeof buf);
    CHECK_EQ(recv_from(a, buf, sizeof buf, 0, &from), 4);
    CHECK(same(&from, &ba));
    CHECK_NERR(recv(a, buf + 100, 100, MSG_DONTWAIT), EAGAIN);
    printf("udp: connected: a datagram from another sender is dropped; received \"%s\" only\n", buf);
    /* connect(AF_UNSPEC) disconnects. On Linux it also releases a port
     * that bind chose (port 0 asked): getsockname then shows port 0. */
    struct sockaddr unspec;
    memset(&unspec, 0, sizeof unspec);
    unspec.sa_family = AF_UNSPEC;
    CHECK_OK(connect(a, &unspec, sizeof unspec));
    plen = sizeof peer;
    CHECK_NERR(getpeername(a, (struct sockaddr *)&peer, &plen), ENOTCONN);
    struct sockaddr_in after;
    socklen_t alen = sizeof after;
    CHECK_OK(getsockname(a, (struct sockaddr *)&after, &alen));
    CHECK_NERR(send(a, "x", 1, 0), EDESTADDRREQ);
    printf("udp: connect(AF_UNSPEC): getpeername ENOTCONN, getsockname %s port %s, send EDESTADDRREQ\n",
           sa_host(&after, alen), after.sin_port == 0 ? "0" : after.sin_port == aa.sin_port ? "kept" : "another");

    /* Connected to a closed port: the ICMP error comes back as
     * ECONNREFUSED on the next call. */
    int gone_s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in gone;
    CHECK_OK(bind(gone_s, (struct sockaddr *)&gone, loopback4(&gone, 0)));
    int port = local_port(gone_s);
    CHECK_OK(close(gone_s));
    loopback4(&gone, port);
    int d = socket(AF_INET, SOCK_DGRAM, 0);
    CHECK_OK(connect(d, (struct sockaddr *)&gone, sizeof gone));
    CHECK_EQ(send(d, "void", 4, 0), 4);
    rev = poll_fd(d, 0, NET_WAIT_MS);
    errno = 0;
    ssize_t r = recv(d, buf, sizeof buf, MSG_DONTWAIT);
    const char *e1 = ret_str(r);
    CHECK(r == -1 && errno == ECONNREFUSED);
    errno = 0;
    r = recv(d, buf, sizeof buf, MSG_DONTWAIT);
    printf("udp: connected to a closed port: send ok, poll %s, recv %s, then recv %s\n", revents_str(rev), e1,
           ret_str(r));
    CHECK_OK(close(d));

    /* Options. */
    int before = getsockopt_int(c, SOL_SOCKET, SO_BROADCAST);
    CHECK_OK(setsockopt_int(c, SOL_SOCKET, SO_BROADCAST, 1));
    printf("udp: SO_BROADCAST default %d, set 1 -> %d\n", before, getsockopt_int(c, SOL_SOCKET, SO_BROADCAST));
    CHECK_OK(close(a));
    CHECK_OK(close(b));
    CHECK_OK(close(c));

    /* IPv6. */
    int s6 = socket(AF_INET6, SOCK_DGRAM, 0);
    if (s6 < 0) {
        printf("udp6: no IPv6 sockets here: skipped\n");
        return test_done();
    }
    int r6 = socket(AF_INET6, SOCK_DGRAM, 0);
    struct sockaddr_in6 a6, b6, f6;
    CHECK_OK(bind(s6, (struct sockaddr *)&a6, loopback6(&a6, 0)));
    CHECK_OK(bind(r6, (struct sockaddr *)&b6, loopback6(&b6, 0)));
    socklen_t l6 = sizeof a6;
    CHECK_OK(getsockname(s6, (struct sockaddr *)&a6, &l6));
    l6 = sizeof b6;
    CHECK_OK(getsockname(r6, (struct sockaddr *)&b6, &l6));
    CHECK_EQ(sendto(s6, "six", 3, 0, (struct sockaddr *)&b6, sizeof b6), 3);
    CHECK(wait_for_events(r6, POLLIN) & POLLIN);
    l6 = sizeof f6;
    memset(buf, 0, sizeof buf);
    CHECK_EQ(recvfrom(r6, buf, sizeof buf, 0, (struct sockaddr *)&f6, &l6), 3);
    int ok6 = sa_equal(&f6, l6, &a6, sizeof a6);
    CHECK(ok6);
    printf("udp6: \"%s\" from %s, the sender's address: %s\n", buf, sa_host(&f6, l6), ok6 ? "yes" : "no");
    CHECK_OK(close(s6));
    CHECK_OK(close(r6));
    return test_done();
}
