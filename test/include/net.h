/*
 * net.h - helpers for the networking tests in test/ (sockets, poll, select,
 * epoll, eventfd, getaddrinfo), on top of test.h.
 *
 * Define _GNU_SOURCE before including it (accept4, ppoll, POLLRDHUP,
 * struct ucred). Nothing printed may depend on port numbers, fd numbers,
 * pids or times: ports are bound as 0 and read back with getsockname, and
 * only facts about them are printed ("ports match").
 */
#ifndef OCCLUM_TEST_NET_H
#define OCCLUM_TEST_NET_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include "test.h"

/* net_errno_name is errno_name with the networking errors too. */
TEST_UNUSED static const char *net_errno_name(int e) {
    if (e == EADDRINUSE) return "EADDRINUSE";
    if (e == EADDRNOTAVAIL) return "EADDRNOTAVAIL";
    if (e == EAFNOSUPPORT) return "EAFNOSUPPORT";
    if (e == EALREADY) return "EALREADY";
    if (e == ECONNABORTED) return "ECONNABORTED";
    if (e == ECONNREFUSED) return "ECONNREFUSED";
    if (e == ECONNRESET) return "ECONNRESET";
    if (e == EDESTADDRREQ) return "EDESTADDRREQ";
    if (e == EHOSTUNREACH) return "EHOSTUNREACH";
    if (e == EINPROGRESS) return "EINPROGRESS";
    if (e == EISCONN) return "EISCONN";
    if (e == EMSGSIZE) return "EMSGSIZE";
    if (e == ENETUNREACH) return "ENETUNREACH";
    if (e == ENOBUFS) return "ENOBUFS";
    if (e == ENOPROTOOPT) return "ENOPROTOOPT";
    if (e == ENOTCONN) return "ENOTCONN";
    if (e == ENOTSOCK) return "ENOTSOCK";
    if (e == EOPNOTSUPP) return "EOPNOTSUPP"; /* == ENOTSUP on Linux and WASI */
    if (e == EPROTONOSUPPORT) return "EPROTONOSUPPORT";
    if (e == EPROTOTYPE) return "EPROTOTYPE";
    if (e == ETIMEDOUT) return "ETIMEDOUT";
    return errno_name(e);
}

/* CHECK_NERR(call, err) is CHECK_ERR naming networking errors. */
#define CHECK_NERR(call, err)                                                      \
    do {                                                                           \
        errno = 0;                                                                 \
        long r_ = (long)(call);                                                    \
        int e_ = errno;                                                            \
        test_checks++;                                                             \
        if (r_ != -1 || e_ != (err)) {                                             \
            test_failures++;                                                       \
            fprintf(stderr, "FAIL %s:%d: %s: %.150s returned %ld, want -1 with errno %s (errno %s)\n", \
                    __FILE__, __LINE__, test_name, #call, r_, net_errno_name(err),  \
                    net_errno_name(e_));                                           \
        }                                                                          \
    } while (0)

/* err_of returns "ok" when r >= 0, else the errno's name (read it right
 * after the call). */
TEST_UNUSED static const char *err_of(long r) {
    return r >= 0 ? "ok" : net_errno_name(errno);
}

/* ret_str returns r in decimal when r >= 0, else the errno's name (read it
 * right after the call). The result lives until 8 more calls. */
TEST_UNUSED static const char *ret_str(long r) {
    static char bufs[8][24];
    static int next;
    if (r < 0) return net_errno_name(errno);
    char *b = bufs[next++ % 8];
    snprintf(b, sizeof bufs[0], "%ld", r);
    return b;
}

/* revents_str names poll bits, in a fixed order. The result lives until
 * 8 more calls. */
TEST_UNUSED static const char *revents_str(int r) {
    static char bufs[8][96];
    static int next;
    char *b = bufs[next++ % 8];
    b[0] = '\0';
    if (r < 0) return "poll failed";
    if (r & POLLIN) strcat(b, "|POLLIN");
    if (r & POLLPRI) strcat(b, "|POLLPRI");
    if (r & POLLOUT) strcat(b, "|POLLOUT");
    if (r & POLLRDHUP) strcat(b, "|POLLRDHUP");
    if (r & POLLERR) strcat(b, "|POLLERR");
    if (r & POLLHUP) strcat(b, "|POLLHUP");
    if (r & POLLNVAL) strcat(b, "|POLLNVAL");
    return b[0] ? b + 1 : "none";
}

/* poll_fd polls one descriptor for events, waiting at most ms, and returns
 * its revents (0 on a timeout, -1 when poll fails). */
TEST_UNUSED static int poll_fd(int fd, int events, int ms) {
    struct pollfd p = {fd, (short)events, 0};
    int r;
    do {
        r = poll(&p, 1, ms);
    } while (r < 0 && errno == EINTR);
    if (r < 0) return -1;
    return r == 0 ? 0 : (unsigned short)p.revents;
}

/* The long timeout of the waits that must end: generous, never a race. */
#define NET_WAIT_MS 10000

/* wait_for_events waits (up to NET_WAIT_MS) until fd reports one of events
 * and returns the revents then. */
TEST_UNUSED static int wait_for_events(int fd, int events) {
    return poll_fd(fd, events, NET_WAIT_MS);
}

/* recv_n receives exactly n bytes (polling between reads, so it also
 * works on non-blocking sockets); it returns the count received before an
 * error, EOF or a timeout. */
TEST_UNUSED static size_t recv_n(int fd, void *buf, size_t n) {
    size_t got = 0;
    while (got < n) {
        if (wait_for_events(fd, POLLIN) <= 0) break;
        ssize_t r = recv(fd, (char *)buf + got, n - got, 0);
        if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (r <= 0) break;
        got += (size_t)r;
    }
    return got;
}

/* send_all sends n bytes (polling when the socket is non-blocking). */
TEST_UNUSED static int send_all(int fd, const void *buf, size_t n) {
    size_t done = 0;
    while (done < n) {
        ssize_t w = send(fd, (const char *)buf + done, n - done, MSG_NOSIGNAL);
        if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
            if (wait_for_events(fd, POLLOUT) <= 0) return -1;
            continue;
        }
        if (w <= 0) return -1;
        done += (size_t)w;
    }
    return 0;
}

/* loopback4 fills sin with 127.0.0.1:port (port in host order). */
TEST_UNUSED static socklen_t loopback4(struct sockaddr_in *sin, int port) {
    memset(sin, 0, sizeof *sin);
    sin->sin_family = AF_INET;
    sin->sin_port = htons((uint16_t)port);
    sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return sizeof *sin;
}

/* loopback6 fills sin6 with [::1]:port. */
TEST_UNUSED static socklen_t loopback6(struct sockaddr_in6 *sin6, int port) {
    memset(sin6, 0, sizeof *sin6);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons((uint16_t)port);
    sin6->sin6_addr = in6addr_loopback;
    return sizeof *sin6;
}

/* sa_host names the family and address of a socket address, without its
 * port: "AF_INET 127.0.0.1". The result lives until 8 more calls. */
TEST_UNUSED static const char *sa_host(const void *sa, socklen_t len) {
    static char bufs[8][INET6_ADDRSTRLEN + 32];
    static int next;
    char *b = bufs[next++ % 8];
    const struct sockaddr *s = sa;
    char a[INET6_ADDRSTRLEN] = "?";
    if (len >= sizeof(struct sockaddr_in) && s->sa_family == AF_INET) {
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, a, sizeof a);
        snprintf(b, sizeof bufs[0], "AF_INET %s", a);
    } else if (len >= sizeof(struct sockaddr_in6) && s->sa_family == AF_INET6) {
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, a, sizeof a);
        snprintf(b, sizeof bufs[0], "AF_INET6 %s", a);
    } else {
        snprintf(b, sizeof bufs[0], "family %d len %d", s->sa_family, (int)len);
    }
    return b;
}

/* sa_port returns the port (host order) of an AF_INET or AF_INET6
 * address, -1 for another family. */
TEST_UNUSED static int sa_port(const void *sa) {
    const struct sockaddr *s = sa;
    if (s->sa_family == AF_INET) return ntohs(((const struct sockaddr_in *)sa)->sin_port);
    if (s->sa_family == AF_INET6) return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
    return -1;
}

/* sa_equal says whether two inet addresses have the same family, address
 * and port. */
TEST_UNUSED static int sa_equal(const void *a, socklen_t alen, const void *b, socklen_t blen) {
    const struct sockaddr *x = a, *y = b;
    if (alen != blen || x->sa_family != y->sa_family) return 0;
    if (x->sa_family == AF_INET) {
        const struct sockaddr_in *p = a, *q = b;
        return p->sin_port == q->sin_port && p->sin_addr.s_addr == q->sin_addr.s_addr;
    }
    if (x->sa_family == AF_INET6) {
        const struct sockaddr_in6 *p = a, *q = b;
        return p->sin6_port == q->sin6_port &&
               memcmp(&p->sin6_addr, &q->sin6_addr, sizeof p->sin6_addr) == 0;
    }
    return alen == blen && memcmp(a, b, alen) == 0;
}

/* local_port returns the port fd is bound to, or -1. */
TEST_UNUSED static int local_port(int fd) {
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0) return -1;
    return sa_port(&ss);
}

/* getsockopt_int reads an int option, or returns -1000 - errno. */
TEST_UNUSED static int getsockopt_int(int fd, int level, int name) {
    int v = -1;
    socklen_t len = sizeof v;
    if (getsockopt(fd, level, name, &v, &len) != 0) return -1000 - errno;
    if (len != sizeof v) return -2000 - (int)len;
    return v;
}

/* setsockopt_int sets an int option. */
TEST_UNUSED static int setsockopt_int(int fd, int level, int name, int v) {
    return setsockopt(fd, level, name, &v, sizeof v);
}

/* FNV-1a checksums and a xorshift stream for the bulk transfers. */
TEST_UNUSED static uint64_t net_fnv(uint64_t h, const unsigned char *p, size_t n) {
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

#define NET_FNV_INIT 0xcbf29ce484222325ull

TEST_UNUSED static void net_fill(uint64_t *state, unsigned char *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        uint64_t x = *state;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *state = x;
        p[i] = (unsigned char)(x >> 24);
    }
}

#endif
