/* sock_poll: poll, select, ppoll and pselect on a regular file (always
 * readable and writable), pipes (empty, with data, writer gone with and
 * without data left, reader gone), a closed descriptor (POLLNVAL; EBADF
 * in select), a negative descriptor (ignored, revents 0), timeouts (0,
 * and 50 ms that elapse without events, the timeval select leaves),
 * sockets (fresh, connected, after the peer's shutdown: POLLRDHUP, after
 * both shutdowns: POLLHUP; a listener readable while a connection is
 * pending), and ppoll/pselect with a signal mask: a pending SIGUSR1 the
 * mask blocks does not interrupt, one it unblocks does (EINTR, the
 * handler ran, the old mask back). */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/select.h>
#include <time.h>

#include "proc.h"
#include "net.h"

static volatile sig_atomic_t usr1;

static void on_usr1(int sig) {
    (void)sig;
    usr1++;
}

static long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* sel runs select on one descriptor for reading and writing with a zero
 * timeout and says what it reports: "r", "w", "rw", "none" or an error. */
static const char *sel(int fd) {
    static char bufs[4][16];
    static int next;
    char *b = bufs[next++ % 4];
    fd_set r, w, e;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_ZERO(&e);
    FD_SET(fd, &r);
    FD_SET(fd, &w);
    FD_SET(fd, &e);
    struct timeval tv = {0, 0};
    int n = select(fd + 1, &r, &w, &e, &tv);
    if (n < 0) return net_errno_name(errno);
    snprintf(b, sizeof bufs[0], "%s%s%s%s", FD_ISSET(fd, &r) ? "r" : "", FD_ISSET(fd, &w) ? "w" : "",
             FD_ISSET(fd, &e) ? "e" : "", n == 0 ? "none" : "");
    return b;
}

static const int all_ev = POLLIN | POLLOUT | POLLRDHUP;

static void sockets(void) {
    struct sockaddr_in la;
    int l = socket(AF_INET, SOCK_STREAM, 0);
    CHECK_OK(bind(l, (struct sockaddr *)&la, loopback4(&la, 0)));
    socklen_t len = sizeof la;
    CHECK_OK(getsockname(l, (struct sockaddr *)&la, &len));
    int c = socket(AF_INET, SOCK_STREAM, 0);
    printf("poll: fresh TCP socket: %s\n", revents_str(poll_fd(c, all_ev, 0)));
    CHECK_OK(listen(l, 4));
    CHECK_EQ(poll_fd(l, POLLIN | POLLOUT, 0), 0);
    printf("poll: listener, nothing pending: %s, select %s\n", revents_str(poll_fd(l, all_ev, 0)), sel(l));
    CHECK_OK(connect(c, (struct sockaddr *)&la, sizeof la));
    int rev = wait_for_events(l, POLLIN);
    printf("poll: listener with a connection pending: %s, select %s\n", revents_str(rev), sel(l));
    int s = accept(l, NULL, NULL);
    CHECK(s >= 0);
    printf("poll: listener after accept: %s\n", revents_str(poll_fd(l, POLLIN, 0)));
    printf("poll: connected TCP socket, nothing to read: %s, select %s\n", revents_str(poll_fd(c, all_ev, 0)),
           sel(c));
    CHECK_EQ(send(s, "x", 1, 0), 1);
    rev = wait_for_events(c, POLLIN);
    printf("poll: connected TCP socket with data: %s\n", revents_str(poll_fd(c, all_ev, 0)));
    CHECK_OK(shutdown(s, SHUT_WR));
    rev = wait_for_events(c, POLLRDHUP);
    CHECK(rev & POLLRDHUP);
    printf("poll: TCP peer shutdown(SHUT_WR), data left: %s, select %s\n", revents_str(poll_fd(c, all_ev, 0)),
           sel(c));
    char buf[8];
    CHECK_EQ(recv(c, buf, sizeof buf, 0), 1);
    printf("poll: TCP peer shutdown(SHUT_WR), drained: %s\n", revents_str(poll_fd(c, all_ev, 0)));
    CHECK_OK(shutdown(c, SHUT_WR));
    printf("poll: TCP after the own shutdown(SHUT_WR) too: %s\n", revents_str(poll_fd(c, all_ev, 0)));
    CHECK_OK(close(s));
    CHECK_OK(close(c));
    CHECK_OK(close(l));

    int sv[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    printf("poll: unix socketpair: %s\n", revents_str(poll_fd(sv[0], all_ev, 0)));
    CHECK_OK(shutdown(sv[1], SHUT_WR));
    printf("poll: unix peer shutdown(SHUT_WR): %s, select %s\n", revents_str(poll_fd(sv[0], all_ev, 0)),
           sel(sv[0]));
    CHECK_OK(shutdown(sv[0], SHUT_WR));
    printf("poll: unix after the own shutdown(SHUT_WR) too: %s\n", revents_str(poll_fd(sv[0], all_ev, 0)));
    CHECK_OK(close(sv[0]));
    CHECK_OK(close(sv[1]));
}

static void sigmasks(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigemptyset(&sa.sa_mask);
    CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
    sigset_t block, none, cur;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigemptyset(&none);
    CHECK_OK(sigprocmask(SIG_BLOCK, &block, NULL));
    int p[2];
    CHECK_OK(pipe(p));

    CHECK_OK(raise(SIGUSR1));
    CHECK_EQ(usr1, 0);
    struct pollfd pf = {p[0], POLLIN, 0};
    struct timespec short_ts = {0, 20 * 1000000L}, long_ts = {10, 0};
    int r = ppoll(&pf, 1, &short_ts, &block);
    CHECK_EQ(r, 0);
    CHECK_EQ(usr1, 0);
    printf("ppoll: SIGUSR1 pending, blocked by the mask: returned %d, handler ran %d times\n", r, (int)usr1);
    errno = 0;
    r = ppoll(&pf, 1, &long_ts, &none);
    int e = errno;
    CHECK(r == -1 && e == EINTR);
    CHECK_EQ(usr1, 1);
    CHECK_OK(sigprocmask(SIG_BLOCK, NULL, &cur));
    CHECK(sigismember(&cur, SIGUSR1) == 1);
    CHECK_OK(sigpending(&cur));
    CHECK(sigismember(&cur, SIGUSR1) == 0);
    printf("ppoll: the mask unblocks it: %s, handler ran %d time, SIGUSR1 blocked again after\n",
           r < 0 ? net_errno_name(e) : "no error", (int)usr1);

    usr1 = 0;
    CHECK_OK(raise(SIGUSR1));
    fd_set rs;
    FD_ZERO(&rs);
    FD_SET(p[0], &rs);
    r = pselect(p[0] + 1, &rs, NULL, NULL, &short_ts, &block);
    CHECK_EQ(r, 0);
    CHECK_EQ(usr1, 0);
    printf("pselect: SIGUSR1 pending, blocked by the mask: returned %d, handler ran %d times\n", r, (int)usr1);
    FD_ZERO(&rs);
    FD_SET(p[0], &rs);
    errno = 0;
    r = pselect(p[0] + 1, &rs, NULL, NULL, &long_ts, &none);
    e = errno;
    CHECK(r == -1 && e == EINTR);
    CHECK_EQ(usr1, 1);
    CHECK_OK(sigprocmask(SIG_BLOCK, NULL, &cur));
    CHECK(sigismember(&cur, SIGUSR1) == 1);
    printf("pselect: the mask unblocks it: %s, handler ran %d time, SIGUSR1 blocked again after\n",
           r < 0 ? net_errno_name(e) : "no error", (int)usr1);

    /* With data ready and no signal: ppoll and pselect report it. */
    CHECK_EQ(write(p[1], "d", 1), 1);
    CHECK_EQ(ppoll(&pf, 1, NULL, &none), 1);
    FD_ZERO(&rs);
    FD_SET(p[0], &rs);
    CHECK_EQ(pselect(p[0] + 1, &rs, NULL, NULL, NULL, &none), 1);
    printf("ppoll/pselect with data ready: 1\n");
    CHECK_OK(sigprocmask(SIG_UNBLOCK, &block, NULL));
    CHECK_OK(close(p[0]));
    CHECK_OK(close(p[1]));
}

int main(int argc, char **argv) {
    test_init("sock_poll", argc, argv);
    proc_init();
    CHECK(signal(SIGPIPE, SIG_IGN) != SIG_ERR);

    /* A regular file is always ready. */
    int f = open(P("file.txt"), O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK(f >= 0);
    CHECK_EQ(poll_fd(f, POLLIN | POLLOUT, 0), POLLIN | POLLOUT);
    printf("poll: empty regular file: %s, select %s\n", revents_str(poll_fd(f, POLLIN | POLLOUT, 0)), sel(f));
    CHECK_OK(close(f));

    /* Pipes. */
    int p[2];
    CHECK_OK(pipe(p));
    printf("poll: empty pipe: read end %s (select %s), write end %s (select %s)\n",
           revents_str(poll_fd(p[0], POLLIN | POLLOUT, 0)), sel(p[0]), revents_str(poll_fd(p[1], POLLIN | POLLOUT, 0)),
           sel(p[1]));
    CHECK_EQ(write(p[1], "abc", 3), 3);
    printf("poll: pipe with data: read end %s (select %s)\n", revents_str(poll_fd(p[0], POLLIN | POLLOUT, 0)),
           sel(p[0]));
    /* A negative descriptor is skipped, its revents zeroed; the count
     * covers the others only. */
    struct pollfd three[3] = {{-1, POLLIN, (short)0x7fff}, {p[0], POLLIN, 0}, {-5, POLLOUT, 0}};
    int n = poll(three, 3, 0);
    CHECK_EQ(n, 1);
    CHECK_EQ(three[0].revents, 0);
    CHECK_EQ(three[2].revents, 0);
    printf("poll: fds -1, pipe, -5: returned %d, revents %s, %s, %s\n", n, revents_str(three[0].revents),
           revents_str(three[1].revents), revents_str(three[2].revents));
    CHECK_OK(close(p[1]));
    printf("poll: writer closed, data left: %s (select %s)\n", revents_str(poll_fd(p[0], POLLIN | POLLOUT, 0)),
           sel(p[0]));
    char buf[8];
    CHECK_EQ(read(p[0], buf, sizeof buf), 3);
    printf("poll: writer closed, drained: %s (select %s)\n", revents_str(poll_fd(p[0], POLLIN | POLLOUT, 0)),
           sel(p[0]));
    CHECK_OK(close(p[0]));
    CHECK_OK(pipe(p));
    CHECK_OK(close(p[0]));
    printf("poll: reader closed: write end %s (select %s)\n", revents_str(poll_fd(p[1], POLLIN | POLLOUT, 0)),
           sel(p[1]));
    CHECK_OK(close(p[1]));

    /* A closed descriptor. */
    struct pollfd bad = {p[1], POLLIN, 0};
    n = poll(&bad, 1, 0);
    CHECK_EQ(n, 1);
    CHECK_EQ(bad.revents, POLLNVAL);
    fd_set rs;
    FD_ZERO(&rs);
    FD_SET(p[1], &rs);
    struct timeval tv = {0, 0};
    CHECK_NERR(select(p[1] + 1, &rs, NULL, NULL, &tv), EBADF);
    printf("poll: closed descriptor: returned %d, %s; select EBADF\n", n, revents_str(bad.revents));

    /* Timeouts. */
    CHECK_OK(pipe(p));
    struct pollfd pf = {p[0], POLLIN, 0};
    CHECK_EQ(poll(&pf, 1, 0), 0);
    long t0 = now_ms();
    n = poll(&pf, 1, 50);
    long dt = now_ms() - t0;
    CHECK_EQ(n, 0);
    CHECK(dt >= 45);
    CHECK_EQ(pf.revents, 0);
    t0 = now_ms();
    CHECK_EQ(poll(NULL, 0, 20), 0);
    CHECK(now_ms() - t0 >= 15);
    printf("poll: timeout 0: 0; timeout 50 ms on an empty pipe: %d, took at least 50 ms: %s; no fds, 20 ms: 0\n",
           n, dt >= 45 ? "yes" : "no");
    FD_ZERO(&rs);
    FD_SET(p[0], &rs);
    tv.tv_sec = 0, tv.tv_usec = 50000;
    t0 = now_ms();
    n = select(p[0] + 1, &rs, NULL, NULL, &tv);
    dt = now_ms() - t0;
    CHECK_EQ(n, 0);
    CHECK(dt >= 45);
    printf("select: 50 ms on an empty pipe: %d, the set cleared: %s, took at least 50 ms: %s, "
           "timeval left %s\n", n, FD_ISSET(p[0], &rs) ? "no" : "yes", dt >= 45 ? "yes" : "no",
           tv.tv_sec == 0 && tv.tv_usec == 0 ? "zero" : "unchanged or other");
    tv.tv_sec = 0, tv.tv_usec = 20000;
    CHECK_EQ(select(0, NULL, NULL, NULL, &tv), 0);
    /* Several at once: the count is of ready descriptors per set. */
    CHECK_EQ(write(p[1], "x", 1), 1);
    fd_set ws;
    FD_ZERO(&rs);
    FD_ZERO(&ws);
    FD_SET(p[0], &rs);
    FD_SET(p[1], &rs);
    FD_SET(p[0], &ws);
    FD_SET(p[1], &ws);
    tv.tv_sec = 0, tv.tv_usec = 0;
    n = select((p[0] > p[1] ? p[0] : p[1]) + 1, &rs, &ws, NULL, &tv);
    printf("select: pipe with data, both ends in both sets: %d (read end readable %s, write end writable %s)\n", n,
           FD_ISSET(p[0], &rs) ? "yes" : "no", FD_ISSET(p[1], &ws) ? "yes" : "no");
    CHECK_EQ(n, 2);
    CHECK_OK(close(p[0]));
    CHECK_OK(close(p[1]));

    sockets();
    sigmasks();
    return test_done();
}
