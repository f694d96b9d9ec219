/* sock_tcp: TCP over 127.0.0.1 and ::1 inside one process. A listener on
 * port 0 (getsockname gives the port); blocking connect, and non-blocking
 * (EINPROGRESS, poll POLLOUT, SO_ERROR 0); accept4 with SOCK_CLOEXEC and
 * SOCK_NONBLOCK, accept without; getsockname/getpeername across the pair;
 * 4 MiB each way at once through poll with checksums, then EOF after
 * shutdown(SHUT_WR); a half-closed connection still carrying the reply;
 * MSG_PEEK, MSG_DONTWAIT, MSG_WAITALL, EAGAIN; a peer that closed (the
 * first send passes, the RST it draws makes the next ones EPIPE, with and
 * without SIGPIPE); a peer that closed with unread data (RST:
 * ECONNRESET once, then EOF); ECONNREFUSED from a closed port (blocking,
 * and through SO_ERROR); a second connect after a non-blocking one
 * completed (0, then EISCONN); EADDRINUSE; socket options (SO_REUSEADDR,
 * TCP_NODELAY, SO_KEEPALIVE, SO_TYPE, SO_DOMAIN, SO_PROTOCOL,
 * SO_ACCEPTCONN); IPv6, and an IPv4 client of a dual-stack listener. */
#define _GNU_SOURCE
#include <signal.h>

#include "net.h"

static volatile sig_atomic_t sigpipes;

static void on_sigpipe(int sig) {
    (void)sig;
    sigpipes++;
}

/* listener binds a TCP socket of family to its loopback address, port 0,
 * listens and returns it, with its address in *ss. */
static int listener(int family, struct sockaddr_storage *ss, socklen_t *len) {
    int l = socket(family, SOCK_STREAM, 0);
    if (l < 0) return -1;
    socklen_t n = family == AF_INET ? loopback4((struct sockaddr_in *)ss, 0)
                                    : loopback6((struct sockaddr_in6 *)ss, 0);
    if (bind(l, (struct sockaddr *)ss, n) != 0 || listen(l, 16) != 0) {
        close(l);
        return -1;
    }
    *len = sizeof *ss;
    if (getsockname(l, (struct sockaddr *)ss, len) != 0) return -1;
    return l;
}

/* pair connects a new blocking client to the listener l (at addr) and
 * accepts it with accept4(flags) into *s; it returns the client. */
static int pair(int l, const struct sockaddr_storage *addr, socklen_t len, int flags, int *s) {
    int c = socket(addr->ss_family, SOCK_STREAM, 0);
    CHECK(c >= 0);
    CHECK_OK(connect(c, (const struct sockaddr *)addr, len));
    *s = accept4(l, NULL, NULL, flags);
    CHECK(*s >= 0);
    return c;
}

/* One direction of the bulk transfer. */
struct flow {
    int wfd, rfd;
    size_t sent, recvd, pending, off;
    int eof;
    uint64_t rng, hsent, hrecv;
    unsigned char buf[65536];
};

static const size_t bulk_total = 4u << 20;

static int flow_send(struct flow *f) {
    if (f->pending == 0) {
        size_t n = bulk_total - f->sent < sizeof f->buf ? bulk_total - f->sent : sizeof f->buf;
        net_fill(&f->rng, f->buf, n);
        f->hsent = net_fnv(f->hsent, f->buf, n);
        f->pending = n;
        f->off = 0;
    }
    ssize_t w = send(f->wfd, f->buf + f->off, f->pending, MSG_NOSIGNAL);
    if (w < 0) return errno == EAGAIN ? 0 : -1;
    f->off += (size_t)w;
    f->pending -= (size_t)w;
    f->sent += (size_t)w;
    if (f->sent == bulk_total && shutdown(f->wfd, SHUT_WR) != 0) return -1;
    return 0;
}

static int flow_recv(struct flow *f) {
    static unsigned char in[65536];
    ssize_t r = recv(f->rfd, in, sizeof in, 0);
    if (r < 0) return errno == EAGAIN ? 0 : -1;
    if (r == 0) {
        f->eof = 1;
        return 0;
    }
    f->hrecv = net_fnv(f->hrecv, in, (size_t)r);
    f->recvd += (size_t)r;
    return 0;
}

static void bulk(int c, int s) {
    static struct flow up, down; /* client to server, server to client */
    up.wfd = c, up.rfd = s, up.rng = 1, up.hsent = up.hrecv = NET_FNV_INIT;
    down.wfd = s, down.rfd = c, down.rng = 2, down.hsent = down.hrecv = NET_FNV_INIT;
    CHECK_OK(fcntl(c, F_SETFL, fcntl(c, F_GETFL) | O_NONBLOCK));
    CHECK_OK(fcntl(s, F_SETFL, fcntl(s, F_GETFL) | O_NONBLOCK));
    int ok = 1;
    while (ok && (!up.eof || !down.eof)) {
        struct pollfd p[2] = {{c, 0, 0}, {s, 0, 0}};
        if (up.sent < bulk_total) p[0].events |= POLLOUT;
        if (!down.eof) p[0].events |= POLLIN;
        if (down.sent < bulk_total) p[1].events |= POLLOUT;
        if (!up.eof) p[1].events |= POLLIN;
        if (poll(p, 2, NET_WAIT_MS) <= 0) break;
        if (p[0].revents & POLLOUT) ok &= flow_send(&up) == 0;
        if (p[1].revents & POLLOUT) ok &= flow_send(&down) == 0;
        if (p[0].revents & (POLLIN | POLLHUP)) ok &= flow_recv(&down) == 0;
        if (p[1].revents & (POLLIN | POLLHUP)) ok &= flow_recv(&up) == 0;
    }
    CHECK(ok);
    CHECK_EQ(up.recvd, bulk_total);
    CHECK_EQ(down.recvd, bulk_total);
    CHECK(up.hsent == up.hrecv && down.hsent == down.hrecv);
    printf("tcp: 4 MiB each way at once through poll: %s, %s, then EOF on both\n",
           up.recvd == bulk_total && up.hsent == up.hrecv ? "client to server checksums match" : "MISMATCH",
           down.recvd == bulk_total && down.hsent == down.hrecv ? "server to client checksums match" : "MISMATCH");
}

static void options(int l, int c) {
    CHECK_EQ(getsockopt_int(c, SOL_SOCKET, SO_TYPE), SOCK_STREAM);
    CHECK_EQ(getsockopt_int(c, SOL_SOCKET, SO_DOMAIN), AF_INET);
    CHECK_EQ(getsockopt_int(c, SOL_SOCKET, SO_PROTOCOL), IPPROTO_TCP);
    CHECK_EQ(getsockopt_int(l, SOL_SOCKET, SO_ACCEPTCONN), 1);
    CHECK_EQ(getsockopt_int(c, SOL_SOCKET, SO_ACCEPTCONN), 0);
    printf("tcp: SO_TYPE SOCK_STREAM, SO_DOMAIN AF_INET, SO_PROTOCOL IPPROTO_TCP: %s; "
           "SO_ACCEPTCONN listener %d, connected %d\n",
           getsockopt_int(c, SOL_SOCKET, SO_TYPE) == SOCK_STREAM &&
                   getsockopt_int(c, SOL_SOCKET, SO_DOMAIN) == AF_INET &&
                   getsockopt_int(c, SOL_SOCKET, SO_PROTOCOL) == IPPROTO_TCP
               ? "yes" : "no",
           getsockopt_int(l, SOL_SOCKET, SO_ACCEPTCONN), getsockopt_int(c, SOL_SOCKET, SO_ACCEPTCONN));
    int t = socket(AF_INET, SOCK_STREAM, 0);
    int before = getsockopt_int(t, SOL_SOCKET, SO_REUSEADDR);
    CHECK_OK(setsockopt_int(t, SOL_SOCKET, SO_REUSEADDR, 1));
    int set = getsockopt_int(t, SOL_SOCKET, SO_REUSEADDR);
    CHECK_OK(setsockopt_int(t, SOL_SOCKET, SO_REUSEADDR, 0));
    int cleared = getsockopt_int(t, SOL_SOCKET, SO_REUSEADDR);
    printf("tcp: SO_REUSEADDR default %d, set 1 -> %d, set 0 -> %d\n", before, set, cleared);
    before = getsockopt_int(t, IPPROTO_TCP, TCP_NODELAY);
    CHECK_OK(setsockopt_int(t, IPPROTO_TCP, TCP_NODELAY, 1));
    printf("tcp: TCP_NODELAY default %d, set 1 -> %d\n", before, getsockopt_int(t, IPPROTO_TCP, TCP_NODELAY));
    before = getsockopt_int(t, SOL_SOCKET, SO_KEEPALIVE);
    CHECK_OK(setsockopt_int(t, SOL_SOCKET, SO_KEEPALIVE, 1));
    printf("tcp: SO_KEEPALIVE default %d, set 1 -> %d\n", before, getsockopt_int(t, SOL_SOCKET, SO_KEEPALIVE));
    CHECK_EQ(getsockopt_int(t, SOL_SOCKET, SO_ERROR), 0);
    CHECK_OK(close(t));
}

static void ipv6(void) {
    int probe = socket(AF_INET6, SOCK_STREAM, 0);
    if (probe < 0) {
        printf("tcp6: no IPv6 sockets here: skipped\n");
        return;
    }
    close(probe);
    struct sockaddr_storage la, peer, local;
    socklen_t llen, plen = sizeof peer, slen = sizeof local;
    int l = listener(AF_INET6, &la, &llen);
    CHECK(l >= 0);
    CHECK_EQ(llen, sizeof(struct sockaddr_in6));
    int s, c = pair(l, &la, llen, 0, &s);
    CHECK_OK(getpeername(s, (struct sockaddr *)&peer, &plen));
    CHECK_OK(getsockname(c, (struct sockaddr *)&local, &slen));
    CHECK(sa_equal(&peer, plen, &local, slen));
    CHECK_EQ(send(c, "hello6", 6, 0), 6);
    char buf[16] = {0};
    CHECK_EQ(recv_n(s, buf, 6), 6);
    CHECK(memcmp(buf, "hello6", 6) == 0);
    printf("tcp6: listener %s port %s; peer %s; client local = server peer: %s; data: %s\n",
           sa_host(&la, llen), sa_port(&la) > 0 ? "nonzero" : "zero", sa_host(&peer, plen),
           sa_equal(&peer, plen, &local, slen) ? "yes" : "no", buf);
    close(c), close(s), close(l);

    /* A listener on :: with IPV6_V6ONLY off takes an IPv4 client, seen as
     * ::ffff:127.0.0.1. */
    l = socket(AF_INET6, SOCK_STREAM, 0);
    CHECK_OK(setsockopt_int(l, IPPROTO_IPV6, IPV6_V6ONLY, 0));
    struct sockaddr_in6 any = {0};
    any.sin6_family = AF_INET6;
    any.sin6_addr = in6addr_any;
    CHECK_OK(bind(l, (struct sockaddr *)&any, sizeof any));
    CHECK_OK(listen(l, 4));
    struct sockaddr_in to;
    c = socket(AF_INET, SOCK_STREAM, 0);
    CHECK_OK(connect(c, (struct sockaddr *)&to, loopback4(&to, local_port(l))));
    plen = sizeof peer;
    s = accept(l, (struct sockaddr *)&peer, &plen);
    CHECK(s >= 0);
    printf("tcp6: IPv4 client of a dual-stack listener: accepted from %s\n", sa_host(&peer, plen));
    close(c), close(s), close(l);
}

int main(int argc, char **argv) {
    test_init("sock_tcp", argc, argv);
    signal(SIGPIPE, SIG_DFL);
    char buf[256];

    struct sockaddr_storage la;
    socklen_t llen;
    int l = listener(AF_INET, &la, &llen);
    CHECK(l >= 0);
    CHECK_EQ(llen, sizeof(struct sockaddr_in));
    printf("tcp: listener bound to %s, port %s\n", sa_host(&la, llen), sa_port(&la) > 0 ? "nonzero" : "zero");

    /* Blocking connect; accept4 with flags. */
    int c = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(c >= 0);
    CHECK_OK(connect(c, (struct sockaddr *)&la, llen));
    struct sockaddr_storage acc, cl, cp, sl, sp;
    socklen_t alen = sizeof acc, cll = sizeof cl, cpl = sizeof cp, sll = sizeof sl, spl = sizeof sp;
    int s = accept4(l, (struct sockaddr *)&acc, &alen, SOCK_CLOEXEC | SOCK_NONBLOCK);
    CHECK(s >= 0);
    int cloexec = (fcntl(s, F_GETFD) & FD_CLOEXEC) != 0;
    int nonblock = (fcntl(s, F_GETFL) & O_NONBLOCK) != 0;
    CHECK(cloexec && nonblock);
    printf("tcp: blocking connect: ok; accept4(SOCK_CLOEXEC|SOCK_NONBLOCK): FD_CLOEXEC %s, O_NONBLOCK %s\n",
           cloexec ? "set" : "clear", nonblock ? "set" : "clear");
    CHECK_OK(getsockname(c, (struct sockaddr *)&cl, &cll));
    CHECK_OK(getpeername(c, (struct sockaddr *)&cp, &cpl));
    CHECK_OK(getsockname(s, (struct sockaddr *)&sl, &sll));
    CHECK_OK(getpeername(s, (struct sockaddr *)&sp, &spl));
    int a1 = sa_equal(&cl, cll, &sp, spl) && sa_equal(&cl, cll, &acc, alen);
    int a2 = sa_equal(&cp, cpl, &sl, sll) && sa_equal(&cp, cpl, &la, llen);
    CHECK(a1 && a2);
    CHECK(sa_port(&cl) != sa_port(&la));
    printf("tcp: client local = server peer = accept's address (%s): %s; "
           "client peer = server local = listener (%s): %s\n",
           sa_host(&cl, cll), a1 ? "yes" : "no", sa_host(&cp, cpl), a2 ? "yes" : "no");
    options(l, c);
    bulk(c, s);
    CHECK_OK(close(c));
    CHECK_OK(close(s));

    /* Non-blocking connect; plain accept gives neither flag. */
    c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    CHECK(c >= 0);
    errno = 0;
    int r = connect(c, (struct sockaddr *)&la, llen);
    int e = errno;
    const char *first = err_of(r);
    CHECK(r == -1 && e == EINPROGRESS);
    int rev = wait_for_events(c, POLLOUT);
    int soerr = getsockopt_int(c, SOL_SOCKET, SO_ERROR);
    CHECK_EQ(soerr, 0);
    printf("tcp: nonblocking connect: %s, then poll %s, SO_ERROR=%s\n", first, revents_str(rev),
           net_errno_name(soerr));
    /* Linux: the connect after the one in progress completed returns 0
     * (it reports the completion); only the next says EISCONN. */
    errno = 0;
    r = connect(c, (struct sockaddr *)&la, llen);
    first = err_of(r);
    CHECK_EQ(r, 0);
    CHECK_NERR(connect(c, (struct sockaddr *)&la, llen), EISCONN);
    printf("tcp: nonblocking connect completed: connect again %s, once more EISCONN\n", first);
    s = accept(l, NULL, NULL);
    CHECK(s >= 0);
    printf("tcp: plain accept: FD_CLOEXEC %s, O_NONBLOCK %s\n",
           (fcntl(s, F_GETFD) & FD_CLOEXEC) ? "set" : "clear", (fcntl(s, F_GETFL) & O_NONBLOCK) ? "set" : "clear");

    /* Half-close: the peer reads EOF but can still answer. */
    CHECK_EQ(send(c, "request", 7, 0), 7);
    CHECK_OK(shutdown(c, SHUT_WR));
    CHECK_EQ(recv_n(s, buf, 7), 7);
    CHECK(memcmp(buf, "request", 7) == 0);
    CHECK(wait_for_events(s, POLLIN) & POLLIN);
    CHECK_EQ(recv(s, buf, sizeof buf, 0), 0);
    CHECK_EQ(read(s, buf, sizeof buf), 0);
    CHECK_EQ(send(s, "response", 8, 0), 8);
    memset(buf, 0, sizeof buf);
    CHECK_EQ(recv_n(c, buf, 8), 8);
    CHECK_NERR(send(c, "more", 4, MSG_NOSIGNAL), EPIPE);
    printf("tcp: shutdown(SHUT_WR): peer got \"request\" then EOF, answered \"%s\"; "
           "send after own SHUT_WR: EPIPE\n", buf);
    CHECK_OK(close(s));
    CHECK(wait_for_events(c, POLLIN) & POLLIN);
    CHECK_EQ(recv(c, buf, sizeof buf, 0), 0);
    CHECK_OK(close(c));

    /* MSG_PEEK, MSG_DONTWAIT, MSG_WAITALL, EAGAIN. */
    c = pair(l, &la, llen, SOCK_NONBLOCK, &s);
    CHECK_NERR(recv(s, buf, sizeof buf, 0), EAGAIN);
    CHECK_NERR(read(s, buf, sizeof buf), EAGAIN);
    CHECK_NERR(recv(c, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
    printf("tcp: empty: recv/read on O_NONBLOCK: EAGAIN; recv(MSG_DONTWAIT) on blocking: EAGAIN\n");
    CHECK_EQ(send(c, "peekaboo", 8, 0), 8);
    CHECK(wait_for_events(s, POLLIN) & POLLIN);
    memset(buf, 0, sizeof buf);
    CHECK_EQ(recv(s, buf, 4, MSG_PEEK), 4);
    CHECK_EQ(recv(s, buf, sizeof buf, MSG_PEEK), 8);
    CHECK_EQ(recv(s, buf, sizeof buf, 0), 8);
    CHECK_NERR(recv(s, buf, sizeof buf, 0), EAGAIN);
    printf("tcp: MSG_PEEK saw \"%s\", then read it again, then EAGAIN\n", buf);
    CHECK_OK(fcntl(s, F_SETFL, fcntl(s, F_GETFL) & ~O_NONBLOCK));
    CHECK_EQ(send(c, "abc", 3, 0), 3);
    CHECK_EQ(send(c, "def", 3, 0), 3);
    memset(buf, 0, sizeof buf);
    CHECK_EQ(recv(s, buf, 6, MSG_WAITALL), 6);
    printf("tcp: two sends, MSG_WAITALL: \"%s\"\n", buf);
    CHECK_OK(close(c));
    CHECK_OK(close(s));

    /* A peer that closed: FIN, the first send passes, the RST it draws
     * makes the next one fail (EPIPE: Linux's error for a reset in
     * CLOSE_WAIT), with and without SIGPIPE. */
    CHECK(signal(SIGPIPE, on_sigpipe) != SIG_ERR);
    c = pair(l, &la, llen, 0, &s);
    CHECK_OK(close(s));
    CHECK(wait_for_events(c, POLLIN) & POLLIN);
    CHECK_EQ(recv(c, buf, sizeof buf, 0), 0);
    errno = 0;
    r = send(c, "x", 1, MSG_NOSIGNAL);
    first = ret_str(r);
    CHECK_EQ(r, 1);
    rev = poll_fd(c, 0, NET_WAIT_MS);
    printf("tcp: peer closed: EOF, first send %s, then poll (no events asked) %s\n", first, revents_str(rev));
    errno = 0;
    r = send(c, "x", 1, MSG_NOSIGNAL);
    printf("tcp: peer closed: next send(MSG_NOSIGNAL) %s", err_of(r));
    CHECK_NERR(send(c, "x", 1, MSG_NOSIGNAL), EPIPE);
    CHECK_EQ(sigpipes, 0);
    printf(", then send(MSG_NOSIGNAL) EPIPE (SIGPIPE %s)", sigpipes ? "raised" : "not raised");
    CHECK_NERR(write(c, "x", 1), EPIPE);
    CHECK_EQ(sigpipes, 1);
    printf(", write EPIPE (SIGPIPE handler ran %d time)", (int)sigpipes);
    CHECK(signal(SIGPIPE, SIG_IGN) != SIG_ERR);
    CHECK_NERR(write(c, "x", 1), EPIPE);
    CHECK_NERR(send(c, "x", 1, 0), EPIPE);
    printf(", with SIG_IGN write and send EPIPE\n");
    CHECK_OK(close(c));

    /* A peer that closes with unread data resets the connection. */
    c = pair(l, &la, llen, 0, &s);
    CHECK_EQ(send(c, "unread", 6, 0), 6);
    CHECK(wait_for_events(s, POLLIN) & POLLIN);
    CHECK_OK(close(s));
    rev = poll_fd(c, 0, NET_WAIT_MS);
    errno = 0;
    r = recv(c, buf, sizeof buf, 0);
    first = ret_str(r);
    CHECK(r == -1);
    errno = 0;
    r = recv(c, buf, sizeof buf, 0);
    CHECK_EQ(r, 0);
    printf("tcp: peer closed with unread data: poll %s, recv %s, then recv %s", revents_str(rev), first,
           ret_str(r));
    errno = 0;
    r = send(c, "x", 1, MSG_NOSIGNAL);
    printf(", send %s\n", err_of(r));
    CHECK_OK(close(c));

    /* A closed port: ECONNREFUSED. */
    int t = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in gone;
    CHECK_OK(bind(t, (struct sockaddr *)&gone, loopback4(&gone, 0)));
    int port = local_port(t);
    CHECK(port > 0);
    CHECK_OK(close(t));
    loopback4(&gone, port);
    c = socket(AF_INET, SOCK_STREAM, 0);
    CHECK_NERR(connect(c, (struct sockaddr *)&gone, sizeof gone), ECONNREFUSED);
    CHECK_OK(close(c));
    c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    errno = 0;
    r = connect(c, (struct sockaddr *)&gone, sizeof gone);
    e = errno;
    first = err_of(r);
    CHECK(r == -1 && e == EINPROGRESS);
    rev = wait_for_events(c, POLLOUT);
    CHECK(rev & POLLOUT);
    soerr = getsockopt_int(c, SOL_SOCKET, SO_ERROR);
    CHECK_EQ(soerr, ECONNREFUSED);
    printf("tcp: connect to a closed port: ECONNREFUSED; nonblocking: %s, then poll %s, SO_ERROR=%s, "
           "then SO_ERROR=%s\n", first, revents_str(rev), net_errno_name(soerr),
           net_errno_name(getsockopt_int(c, SOL_SOCKET, SO_ERROR)));
    CHECK_OK(close(c));

    /* The listener's port is in use, even with SO_REUSEADDR. */
    t = socket(AF_INET, SOCK_STREAM, 0);
    CHECK_NERR(bind(t, (struct sockaddr *)&la, llen), EADDRINUSE);
    CHECK_OK(close(t));
    t = socket(AF_INET, SOCK_STREAM, 0);
    CHECK_OK(setsockopt_int(t, SOL_SOCKET, SO_REUSEADDR, 1));
    CHECK_NERR(bind(t, (struct sockaddr *)&la, llen), EADDRINUSE);
    struct sockaddr_in wild = *(struct sockaddr_in *)&la;
    wild.sin_addr.s_addr = htonl(INADDR_ANY);
    CHECK_NERR(bind(t, (struct sockaddr *)&wild, sizeof wild), EADDRINUSE);
    CHECK_OK(close(t));
    printf("tcp: bind to the listener's port: EADDRINUSE (also with SO_REUSEADDR, also on 0.0.0.0)\n");
    CHECK_OK(close(l));

    ipv6();
    return test_done();
}
