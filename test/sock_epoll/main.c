/* sock_epoll: epoll and eventfd. epoll_create1 (EPOLL_CLOEXEC) and its
 * EINVAL cases; epoll_ctl errors (EEXIST, ENOENT, EBADF, EINVAL, EPERM for
 * a regular file, ELOOP for a cycle); level-triggered (reported at every
 * wait), EPOLLET (once per new arrival), EPOLLONESHOT (once, until
 * EPOLL_CTL_MOD re-arms it); maxevents below the number ready (events
 * printed sorted by data.u32, order being the implementation's); EPOLLHUP
 * and EPOLLERR on pipes, EPOLLRDHUP and EPOLLHUP on sockets (unix and
 * TCP); data.u64 kept; a registration outliving close() while a dup
 * keeps the file open; an epoll inside an epoll; timeouts; eventfd
 * (counter, EFD_SEMAPHORE, EFD_NONBLOCK, EINVAL for short buffers and
 * for 2^64-1, the counter's limit, poll readiness, in epoll). */
#define _GNU_SOURCE
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>

#include "proc.h"
#include "net.h"

static const char *ev_str(uint32_t e) {
    static char bufs[16][96];
    static int next;
    char *b = bufs[next++ % 16];
    b[0] = '\0';
    if (e & EPOLLIN) strcat(b, "|EPOLLIN");
    if (e & EPOLLPRI) strcat(b, "|EPOLLPRI");
    if (e & EPOLLOUT) strcat(b, "|EPOLLOUT");
    if (e & EPOLLRDHUP) strcat(b, "|EPOLLRDHUP");
    if (e & EPOLLERR) strcat(b, "|EPOLLERR");
    if (e & EPOLLHUP) strcat(b, "|EPOLLHUP");
    return b[0] ? b + 1 : "none";
}

/* ready runs epoll_wait and describes the result: "n: u32 events, ..."
 * sorted by data.u32. */
static const char *ready(int ep, int max, int timeout) {
    static char bufs[8][512];
    static int next;
    char *b = bufs[next++ % 8];
    struct epoll_event ev[16];
    memset(ev, 0, sizeof ev);
    int n = epoll_wait(ep, ev, max, timeout);
    if (n < 0) return net_errno_name(errno);
    for (int i = 1; i < n; i++) /* insertion sort by u32 */
        for (int j = i; j > 0 && ev[j - 1].data.u32 > ev[j].data.u32; j--) {
            struct epoll_event t = ev[j];
            ev[j] = ev[j - 1];
            ev[j - 1] = t;
        }
    int off = snprintf(b, sizeof bufs[0], "%d", n);
    for (int i = 0; i < n && off < 400; i++)
        off += snprintf(b + off, sizeof bufs[0] - off, "%s%u %s", i ? ", " : ": ", ev[i].data.u32, ev_str(ev[i].events));
    return b;
}

static int add(int ep, int fd, uint32_t events, uint32_t u32) {
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = events;
    ev.data.u32 = u32;
    return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static int mod(int ep, int fd, uint32_t events, uint32_t u32) {
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = events;
    ev.data.u32 = u32;
    return epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
}

static void eventfds(void) {
    uint64_t v = 0;
    int e = eventfd(0, 0);
    CHECK(e >= 0);
    v = 3;
    CHECK_EQ(write(e, &v, 8), 8);
    v = 4;
    CHECK_EQ(write(e, &v, 8), 8);
    v = 0;
    CHECK_EQ(read(e, &v, 8), 8);
    CHECK_EQ(v, 7);
    printf("eventfd: write 3, write 4, read %llu\n", (unsigned long long)v);
    char small[16];
    CHECK_NERR(read(e, small, 7), EINVAL);
    CHECK_NERR(write(e, small, 7), EINVAL);
    v = UINT64_MAX;
    CHECK_NERR(write(e, &v, 8), EINVAL);
    v = 5;
    CHECK_EQ(write(e, &v, 8), 8);
    CHECK_EQ(read(e, small, sizeof small), 8);
    printf("eventfd: 7-byte read and write EINVAL, write of 2^64-1 EINVAL, 16-byte read returns 8\n");
    printf("eventfd: FD_CLOEXEC without EFD_CLOEXEC %s", (fcntl(e, F_GETFD) & FD_CLOEXEC) ? "set" : "clear");
    CHECK_OK(close(e));
    e = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    printf(", with it %s; O_NONBLOCK with EFD_NONBLOCK %s\n", (fcntl(e, F_GETFD) & FD_CLOEXEC) ? "set" : "clear",
           (fcntl(e, F_GETFL) & O_NONBLOCK) ? "set" : "clear");
    CHECK_NERR(eventfd(0, 0x40000000), EINVAL);

    CHECK_NERR(read(e, &v, 8), EAGAIN);
    printf("eventfd: zero, nonblocking: read EAGAIN; poll %s\n", revents_str(poll_fd(e, POLLIN | POLLOUT, 0)));
    v = 1;
    CHECK_EQ(write(e, &v, 8), 8);
    printf("eventfd: 1: poll %s\n", revents_str(poll_fd(e, POLLIN | POLLOUT, 0)));
    v = UINT64_MAX - 2;
    CHECK_EQ(write(e, &v, 8), 8); /* now 2^64-2, the largest value */
    printf("eventfd: 2^64-2: poll %s", revents_str(poll_fd(e, POLLIN | POLLOUT, 0)));
    v = 1;
    CHECK_NERR(write(e, &v, 8), EAGAIN);
    v = 0;
    CHECK_EQ(write(e, &v, 8), 8);
    CHECK_EQ(read(e, &v, 8), 8);
    CHECK(v == UINT64_MAX - 1);
    printf(", write 1 EAGAIN, write 0 ok, read 2^64-2: %s\n", v == UINT64_MAX - 1 ? "yes" : "no");

    int s = eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK);
    uint64_t r1 = 0, r2 = 0, r3 = 0;
    CHECK_EQ(read(s, &r1, 8), 8);
    CHECK_EQ(read(s, &r2, 8), 8);
    CHECK_EQ(read(s, &r3, 8), 8);
    CHECK_NERR(read(s, &v, 8), EAGAIN);
    printf("eventfd: EFD_SEMAPHORE from 3: reads %llu, %llu, %llu, then EAGAIN\n", (unsigned long long)r1,
           (unsigned long long)r2, (unsigned long long)r3);

    int ep = epoll_create1(0);
    CHECK_OK(add(ep, e, EPOLLIN, 1));
    CHECK_OK(add(ep, s, EPOLLIN | EPOLLET, 2));
    const char *w0 = ready(ep, 8, 0);
    v = 2;
    CHECK_EQ(write(e, &v, 8), 8);
    CHECK_EQ(write(s, &v, 8), 8);
    const char *w1 = ready(ep, 8, 0);
    const char *w2 = ready(ep, 8, 0);
    CHECK_EQ(read(e, &v, 8), 8);
    CHECK_EQ(write(s, &v, 8), 8);
    const char *w3 = ready(ep, 8, 0);
    printf("eventfd in epoll (1 level, 2 edge): zero %s; after writes %s; again %s; 1 read, 2 written %s\n", w0,
           w1, w2, w3);
    CHECK_OK(close(ep));
    CHECK_OK(close(e));
    CHECK_OK(close(s));
}

static void sockets(int ep) {
    int sv[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    CHECK_OK(add(ep, sv[0], EPOLLIN | EPOLLRDHUP, 20));
    const char *a = ready(ep, 8, 0);
    CHECK_OK(shutdown(sv[1], SHUT_WR));
    const char *b = ready(ep, 8, 0);
    CHECK_OK(close(sv[1]));
    printf("epoll: unix socket: %s; peer shutdown(SHUT_WR) %s; peer closed %s\n", a, b, ready(ep, 8, 0));
    CHECK_OK(close(sv[0]));

    struct sockaddr_in la;
    int l = socket(AF_INET, SOCK_STREAM, 0);
    CHECK_OK(bind(l, (struct sockaddr *)&la, loopback4(&la, 0)));
    socklen_t len = sizeof la;
    CHECK_OK(getsockname(l, (struct sockaddr *)&la, &len));
    CHECK_OK(listen(l, 4));
    CHECK_OK(add(ep, l, EPOLLIN, 21));
    a = ready(ep, 8, 0);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    CHECK_OK(connect(c, (struct sockaddr *)&la, sizeof la));
    b = ready(ep, 8, NET_WAIT_MS);
    printf("epoll: TCP listener: %s; connection pending %s\n", a, b);
    int s = accept(l, NULL, NULL);
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_DEL, l, NULL));
    CHECK_OK(add(ep, c, EPOLLIN | EPOLLOUT | EPOLLRDHUP, 22));
    a = ready(ep, 8, 0);
    CHECK_OK(shutdown(s, SHUT_WR));
    CHECK(wait_for_events(c, POLLRDHUP) & POLLRDHUP);
    b = ready(ep, 8, 0);
    CHECK_OK(shutdown(c, SHUT_WR));
    printf("epoll: TCP connected %s; peer shutdown(SHUT_WR) %s; own shutdown too %s\n", a, b, ready(ep, 8, 0));
    CHECK_OK(close(c));
    CHECK_OK(close(s));
    CHECK_OK(close(l));
}

int main(int argc, char **argv) {
    test_init("sock_epoll", argc, argv);
    proc_init();
    signal(SIGPIPE, SIG_IGN);

    int ep = epoll_create1(EPOLL_CLOEXEC);
    CHECK(ep >= 0);
    int e0 = epoll_create1(0), e1 = epoll_create(1);
    CHECK(e0 >= 0 && e1 >= 0);
    printf("epoll_create1(EPOLL_CLOEXEC): FD_CLOEXEC %s; epoll_create1(0): %s; epoll_create(1): %s\n",
           (fcntl(ep, F_GETFD) & FD_CLOEXEC) ? "set" : "clear", (fcntl(e0, F_GETFD) & FD_CLOEXEC) ? "set" : "clear",
           (fcntl(e1, F_GETFD) & FD_CLOEXEC) ? "set" : "clear");
    CHECK_NERR(epoll_create(0), EINVAL);
    CHECK_NERR(epoll_create1(0x1234), EINVAL);
    CHECK_OK(close(e1));

    /* epoll_ctl errors. */
    int p[2], f = open(P("regular"), O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK(f >= 0);
    CHECK_OK(pipe(p));
    CHECK_OK(add(ep, p[0], EPOLLIN, 1));
    CHECK_NERR(add(ep, p[0], EPOLLIN, 1), EEXIST);
    CHECK_NERR(mod(ep, p[1], EPOLLOUT, 2), ENOENT);
    CHECK_NERR(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL), ENOENT);
    CHECK_NERR(add(ep, 1000, EPOLLIN, 3), EBADF);
    CHECK_NERR(add(1000, p[0], EPOLLIN, 3), EBADF);
    CHECK_NERR(add(ep, ep, EPOLLIN, 3), EINVAL);
    CHECK_NERR(add(ep, f, EPOLLIN, 3), EPERM);
    CHECK_NERR(add(p[1], p[0], EPOLLIN, 3), EINVAL);
    struct epoll_event bad_op = {EPOLLIN, {0}};
    CHECK_NERR(epoll_ctl(ep, 99, p[0], &bad_op), EINVAL);
    CHECK_OK(add(e0, ep, EPOLLIN, 4));
    CHECK_NERR(add(ep, e0, EPOLLIN, 5), ELOOP);
    struct epoll_event evs[4];
    CHECK_NERR(epoll_wait(ep, evs, 0, 0), EINVAL);
    CHECK_NERR(epoll_wait(p[0], evs, 4, 0), EINVAL);
    CHECK_NERR(epoll_wait(1000, evs, 4, 0), EBADF);
    printf("epoll_ctl: EEXIST twice, ENOENT mod/del of an unknown fd, EBADF, EINVAL for itself, EPERM for a "
           "regular file, EINVAL for a non-epoll epfd and a bad op, ELOOP for a cycle; epoll_wait EINVAL/EBADF\n");
    CHECK_OK(epoll_ctl(e0, EPOLL_CTL_DEL, ep, NULL));

    /* Level-triggered: reported at every wait while data is there. */
    CHECK_EQ(ready(ep, 4, 0)[0], '0');
    CHECK_EQ(write(p[1], "abc", 3), 3);
    printf("level: %s; %s; %s\n", ready(ep, 4, 0), ready(ep, 4, 0), ready(ep, 4, 0));
    char buf[64];
    CHECK_EQ(read(p[0], buf, sizeof buf), 3);
    printf("level: drained %s\n", ready(ep, 4, 0));
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));

    /* EPOLLET: once per arrival, even if not drained. */
    CHECK_OK(add(ep, p[0], EPOLLIN | EPOLLET, 7));
    CHECK_EQ(write(p[1], "abcd", 4), 4);
    const char *a = ready(ep, 4, 0), *b = ready(ep, 4, 0);
    CHECK_EQ(read(p[0], buf, 1), 1);
    const char *c = ready(ep, 4, 0);
    CHECK_EQ(write(p[1], "e", 1), 1);
    printf("edge: %s; again %s; after a partial read %s; after a new write %s\n", a, b, c, ready(ep, 4, 0));
    CHECK_EQ(read(p[0], buf, sizeof buf), 4);

    /* EPOLLONESHOT. */
    CHECK_OK(mod(ep, p[0], EPOLLIN | EPOLLONESHOT, 8));
    CHECK_EQ(write(p[1], "x", 1), 1);
    a = ready(ep, 4, 0);
    CHECK_EQ(write(p[1], "y", 1), 1);
    b = ready(ep, 4, 0);
    CHECK_NERR(add(ep, p[0], EPOLLIN, 8), EEXIST);
    CHECK_OK(mod(ep, p[0], EPOLLIN | EPOLLONESHOT, 9));
    printf("oneshot: %s; after more data %s; still registered (EEXIST); re-armed by MOD %s\n", a, b,
           ready(ep, 4, 0));
    CHECK_EQ(read(p[0], buf, sizeof buf), 2);
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));

    /* maxevents: three ready, two at a time. */
    int q[3][2];
    int lt = epoll_create1(0), et = epoll_create1(0);
    for (int i = 0; i < 3; i++) {
        CHECK_OK(pipe(q[i]));
        CHECK_OK(add(lt, q[i][0], EPOLLIN, 10 + i));
        CHECK_OK(add(et, q[i][0], EPOLLIN | EPOLLET, 10 + i));
        CHECK_EQ(write(q[i][1], "z", 1), 1);
    }
    struct epoll_event e2[2], e3[2];
    int m1 = epoll_wait(et, e2, 2, 0), m2 = epoll_wait(et, e3, 2, 0);
    c = ready(et, 2, 0);
    CHECK(m1 == 2 && m2 == 1);
    uint32_t all = 0;
    for (int i = 0; i < m1 && i < 2; i++) all |= 1u << (e2[i].data.u32 - 10);
    for (int i = 0; i < m2 && i < 2; i++) all |= 1u << (e3[i].data.u32 - 10);
    printf("maxevents 2 of 3 ready (edge): %d, then %d, then %s; every one reported once: %s\n", m1, m2, c,
           all == 7 ? "yes" : "no");
    int n1 = epoll_wait(lt, e2, 2, 0), n2 = epoll_wait(lt, e3, 2, 0);
    CHECK(n1 == 2 && n2 == 2);
    uint32_t seen = 0;
    for (int i = 0; i < n1; i++) seen |= 1u << (e2[i].data.u32 - 10);
    uint32_t left = 7 & ~seen, second = 0;
    for (int i = 0; i < n2; i++) second |= 1u << (e3[i].data.u32 - 10);
    printf("maxevents 2 of 3 ready (level): %d then %d, the one left out comes next: %s\n", n1, n2,
           (second & left) ? "yes" : "no");
    for (int i = 0; i < 3; i++) close(q[i][0]), close(q[i][1]);
    CHECK_OK(close(lt));
    CHECK_OK(close(et));

    /* data.u64 comes back whole. */
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLOUT;
    ev.data.u64 = 0x0123456789abcdefULL;
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev));
    memset(&ev, 0, sizeof ev);
    CHECK_EQ(epoll_wait(ep, &ev, 1, 0), 1);
    CHECK(ev.data.u64 == 0x0123456789abcdefULL);
    printf("data.u64 0x0123456789abcdef: %s, events %s\n", ev.data.u64 == 0x0123456789abcdefULL ? "kept" : "lost",
           ev_str(ev.events));
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL));

    /* Hang-ups on pipes, with only EPOLLIN/EPOLLOUT asked. */
    CHECK_OK(add(ep, p[0], EPOLLIN, 30));
    CHECK_EQ(write(p[1], "w", 1), 1);
    CHECK_OK(close(p[1]));
    a = ready(ep, 4, 0);
    CHECK_EQ(read(p[0], buf, sizeof buf), 1);
    printf("pipe writer closed: with data %s; drained %s\n", a, ready(ep, 4, 0));
    CHECK_OK(close(p[0]));
    CHECK_OK(pipe(p));
    CHECK_OK(add(ep, p[1], EPOLLOUT, 31));
    CHECK_OK(close(p[0]));
    printf("pipe reader closed: %s\n", ready(ep, 4, 0));
    CHECK_OK(close(p[1]));
    printf("closed fds are gone from the set: %s\n", ready(ep, 4, 0));

    /* A registration is of the open file: a dup keeps it alive. */
    CHECK_OK(pipe(p));
    CHECK_OK(add(ep, p[0], EPOLLIN, 40));
    int d = dup(p[0]);
    CHECK(d >= 0);
    CHECK_OK(close(p[0]));
    CHECK_EQ(write(p[1], "k", 1), 1);
    a = ready(ep, 4, 0);
    CHECK_NERR(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), EBADF);
    CHECK_NERR(epoll_ctl(ep, EPOLL_CTL_DEL, d, NULL), ENOENT);
    CHECK_OK(close(d));
    printf("registered fd closed, a dup open: %s; DEL of the closed number EBADF, of the dup ENOENT; "
           "dup closed too: %s\n", a, ready(ep, 4, 0));

    /* An epoll inside an epoll. */
    int inner = epoll_create1(0);
    CHECK_OK(add(inner, p[1], EPOLLOUT, 50));
    CHECK_OK(add(ep, inner, EPOLLIN, 51));
    printf("nested: outer %s; poll on the inner %s\n", ready(ep, 4, 0), revents_str(poll_fd(inner, POLLIN | POLLOUT, 0)));
    CHECK_OK(epoll_ctl(inner, EPOLL_CTL_DEL, p[1], NULL));
    printf("nested, inner empty: outer %s; poll on the inner %s\n", ready(ep, 4, 0),
           revents_str(poll_fd(inner, POLLIN | POLLOUT, 0)));
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_DEL, inner, NULL));
    CHECK_OK(close(inner));
    CHECK_OK(close(p[1]));

    /* Timeouts. */
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK_EQ(epoll_wait(ep, evs, 4, 20), 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    CHECK(ms >= 15);
    printf("timeouts: 0 ms %s, 20 ms on nothing ready %d, took at least 20 ms: %s\n", ready(ep, 4, 0), 0,
           ms >= 15 ? "yes" : "no");

    sockets(ep);
    eventfds();
    CHECK_OK(close(ep));
    CHECK_OK(close(e0));
    CHECK_OK(close(f));
    return test_done();
}
