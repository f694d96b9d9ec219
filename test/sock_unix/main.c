/* sock_unix: AF_UNIX sockets inside one process. socketpair(SOCK_STREAM)
 * both ways (a byte stream: writes coalesce; EOF and EPIPE once the peer
 * closes, and what poll says then); socketpair(SOCK_DGRAM) keeps message
 * boundaries (MSG_TRUNC when the buffer is short); a stream listener bound
 * to a relative path in the working directory (stat: a socket), connect
 * and accept by path, the addresses each side reports; connect errors
 * (ENOENT, ECONNREFUSED from a socket that does not listen, from a
 * listener gone, from a regular file; EPROTOTYPE); EADDRINUSE on an
 * existing path, unlink and bind again; abstract names (getsockname gives
 * the name and its length back); SO_PEERCRED; SCM_RIGHTS (a pipe's read
 * end passed and used, MSG_CMSG_CLOEXEC, two at once); MSG_CTRUNC when
 * the control buffer is missing or too small, without leaking a
 * descriptor. */
#define _GNU_SOURCE
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "proc.h"
#include "net.h"

/* un_path fills sun with a path name and returns the length to pass
 * (the terminating NUL included); un_abstract fills it with an abstract
 * name (a NUL, then the name's bytes, none after). */
static socklen_t un_path(struct sockaddr_un *sun, const char *path) {
    memset(sun, 0, sizeof *sun);
    sun->sun_family = AF_UNIX;
    snprintf(sun->sun_path, sizeof sun->sun_path, "%s", path);
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
}

static socklen_t un_abstract(struct sockaddr_un *sun, const char *name) {
    memset(sun, 0, sizeof *sun);
    sun->sun_family = AF_UNIX;
    memcpy(sun->sun_path + 1, name, strlen(name));
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
}

/* un_str describes an AF_UNIX address of len bytes: "unnamed",
 * "path srv.sock (len base+9)", "abstract (len base+n)". */
static const char *un_str(const struct sockaddr_un *sun, socklen_t len) {
    static char bufs[4][160];
    static int next;
    char *b = bufs[next++ % 4];
    int base = (int)offsetof(struct sockaddr_un, sun_path);
    if (sun->sun_family != AF_UNIX) {
        snprintf(b, sizeof bufs[0], "family %d len %d", sun->sun_family, (int)len);
    } else if ((int)len <= base) {
        snprintf(b, sizeof bufs[0], "unnamed (len %s)", (int)len == base ? "base" : "short");
    } else if (sun->sun_path[0] == '\0') {
        snprintf(b, sizeof bufs[0], "abstract (len base+%d)", (int)len - base);
    } else {
        snprintf(b, sizeof bufs[0], "path %.100s (len base+%d)", sun->sun_path, (int)len - base);
    }
    return b;
}

/* send_fds sends one byte with n descriptors attached. */
static ssize_t send_fds(int s, const int *fds, int n) {
    char c = 'F';
    struct iovec iov = {&c, 1};
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(4 * sizeof(int))];
    } u;
    memset(&u, 0, sizeof u);
    struct msghdr mh;
    memset(&mh, 0, sizeof mh);
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = u.buf;
    mh.msg_controllen = CMSG_SPACE(n * sizeof(int));
    struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(n * sizeof(int));
    memcpy(CMSG_DATA(cm), fds, n * sizeof(int));
    return sendmsg(s, &mh, 0);
}

/* recv_fds receives one byte and up to 4 descriptors with a control
 * buffer of ctl bytes (0: none); it stores them in fds and returns how
 * many, or -1; *flags gets msg_flags. */
static int recv_fds(int s, size_t ctl, int rflags, int *fds, int *flags) {
    char c;
    struct iovec iov = {&c, 1};
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(4 * sizeof(int))];
    } u;
    memset(&u, 0, sizeof u);
    struct msghdr mh;
    memset(&mh, 0, sizeof mh);
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = ctl ? u.buf : NULL;
    mh.msg_controllen = ctl;
    if (recvmsg(s, &mh, rflags) != 1 || c != 'F') return -1;
    *flags = mh.msg_flags;
    int n = 0;
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm)) {
        if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS) return -1;
        int k = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        memcpy(fds + n, CMSG_DATA(cm), k * sizeof(int));
        n += k;
    }
    return n;
}

static void peercred(const char *what, int s) {
    struct ucred uc;
    socklen_t len = sizeof uc;
    CHECK_OK(getsockopt(s, SOL_SOCKET, SO_PEERCRED, &uc, &len));
    CHECK_EQ(len, sizeof uc);
    CHECK(uc.pid == getpid() && uc.uid == getuid() && uc.gid == getgid());
    printf("unix: SO_PEERCRED (%s): pid is getpid(): %s, uid is getuid(): %s, gid is getgid(): %s\n", what,
           uc.pid == getpid() ? "yes" : "no", uc.uid == getuid() ? "yes" : "no", uc.gid == getgid() ? "yes" : "no");
}

int main(int argc, char **argv) {
    test_init("sock_unix", argc, argv);
    CHECK_OK(chdir(test_dir));
    char buf[256];
    int sv[2];

    /* socketpair(SOCK_STREAM). */
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    CHECK_EQ(getsockopt_int(sv[0], SOL_SOCKET, SO_TYPE), SOCK_STREAM);
    CHECK_EQ(getsockopt_int(sv[0], SOL_SOCKET, SO_DOMAIN), AF_UNIX);
    CHECK_EQ(write(sv[0], "ab", 2), 2);
    CHECK_EQ(write(sv[0], "cd", 2), 2);
    memset(buf, 0, sizeof buf);
    CHECK_EQ(read(sv[1], buf, sizeof buf), 4);
    CHECK_EQ(send(sv[1], "back", 4, 0), 4);
    char back[8] = {0};
    CHECK_EQ(recv(sv[0], back, sizeof back, 0), 4);
    printf("unix: stream socketpair: two writes read as \"%s\", other way \"%s\"\n", buf, back);
    struct sockaddr_un sa;
    socklen_t len = sizeof sa;
    CHECK_OK(getsockname(sv[0], (struct sockaddr *)&sa, &len));
    printf("unix: socketpair getsockname: %s", un_str(&sa, len));
    len = sizeof sa;
    CHECK_OK(getpeername(sv[0], (struct sockaddr *)&sa, &len));
    printf(", getpeername: %s\n", un_str(&sa, len));
    peercred("socketpair", sv[0]);
    CHECK_EQ(write(sv[1], "last", 4), 4);
    CHECK_OK(close(sv[1]));
    int rev = poll_fd(sv[0], POLLIN | POLLOUT | POLLRDHUP, 0);
    CHECK_EQ(read(sv[0], buf, sizeof buf), 4);
    CHECK_EQ(read(sv[0], buf, sizeof buf), 0);
    CHECK_NERR(send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
    printf("unix: stream peer closed: poll %s; data left read, then EOF; send EPIPE\n", revents_str(rev));
    CHECK_OK(close(sv[0]));

    /* socketpair(SOCK_DGRAM): boundaries. */
    CHECK_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    CHECK_EQ(send(sv[0], "one", 3, 0), 3);
    CHECK_EQ(send(sv[0], "three", 5, 0), 5);
    CHECK_EQ(send(sv[0], "", 0, 0), 0);
    CHECK_EQ(send(sv[0], "truncated", 9, 0), 9);
    ssize_t d1 = recv(sv[1], buf, sizeof buf, 0);
    ssize_t d2 = recv(sv[1], buf, sizeof buf, 0);
    ssize_t d3 = recv(sv[1], buf, sizeof buf, 0);
    CHECK(d1 == 3 && d2 == 5 && d3 == 0);
    struct iovec iov = {buf, 4};
    struct msghdr mh;
    memset(&mh, 0, sizeof mh);
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    ssize_t d4 = recvmsg(sv[1], &mh, 0);
    CHECK_EQ(d4, 4);
    CHECK_NERR(recv(sv[1], buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
    printf("unix: dgram socketpair: sizes %zd, %zd, %zd; 9 bytes into 4: %zd, MSG_TRUNC %s\n", d1, d2, d3, d4,
           (mh.msg_flags & MSG_TRUNC) ? "set" : "clear");
    CHECK_OK(close(sv[0]));
    CHECK_OK(close(sv[1]));

    /* A listener on a relative path. */
    struct sockaddr_un srv;
    socklen_t srvlen = un_path(&srv, "srv.sock");
    int l = socket(AF_UNIX, SOCK_STREAM, 0);
    CHECK_OK(bind(l, (struct sockaddr *)&srv, srvlen));
    struct stat st;
    CHECK_OK(stat("srv.sock", &st));
    printf("unix: bind(\"srv.sock\"): the path exists, S_ISSOCK %s\n", S_ISSOCK(st.st_mode) ? "yes" : "no");
    len = sizeof sa;
    CHECK_OK(getsockname(l, (struct sockaddr *)&sa, &len));
    printf("unix: listener getsockname: %s\n", un_str(&sa, len));
    CHECK_OK(listen(l, 8));
    int c = socket(AF_UNIX, SOCK_STREAM, 0);
    CHECK_OK(connect(c, (struct sockaddr *)&srv, srvlen));
    struct sockaddr_un from;
    socklen_t flen = sizeof from;
    memset(&from, 0xff, sizeof from);
    int s = accept(l, (struct sockaddr *)&from, &flen);
    CHECK(s >= 0);
    printf("unix: accept: the client is %s", un_str(&from, flen));
    len = sizeof sa;
    CHECK_OK(getsockname(s, (struct sockaddr *)&sa, &len));
    printf("; accepted getsockname %s", un_str(&sa, len));
    len = sizeof sa;
    CHECK_OK(getpeername(c, (struct sockaddr *)&sa, &len));
    printf("; client getpeername %s\n", un_str(&sa, len));
    CHECK_EQ(send(c, "by path", 7, 0), 7);
    memset(buf, 0, sizeof buf);
    CHECK_EQ(recv(s, buf, sizeof buf, 0), 7);
    printf("unix: connected by path: \"%s\"\n", buf);
    peercred("by path", s);
    CHECK_OK(close(c));
    CHECK_OK(close(s));

    /* Connect errors. */
    int t = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un x;
    CHECK_NERR(connect(t, (struct sockaddr *)&x, un_path(&x, "nobody.sock")), ENOENT);
    int idle = socket(AF_UNIX, SOCK_STREAM, 0);
    CHECK_OK(bind(idle, (struct sockaddr *)&x, un_path(&x, "idle.sock")));
    CHECK_NERR(connect(t, (struct sockaddr *)&x, un_path(&x, "idle.sock")), ECONNREFUSED);
    CHECK_OK(write_file("plain.txt", "not a socket"));
    errno = 0;
    int r = connect(t, (struct sockaddr *)&x, un_path(&x, "plain.txt"));
    printf("unix: connect to a missing path: ENOENT; to a bound socket not listening: ECONNREFUSED; "
           "to a regular file: %s\n", ret_str(r));
    int dg = socket(AF_UNIX, SOCK_DGRAM, 0);
    errno = 0;
    r = connect(dg, (struct sockaddr *)&srv, srvlen);
    CHECK(r == -1 && errno == EPROTOTYPE);
    printf("unix: SOCK_DGRAM connect to a stream listener: %s\n", err_of(r));
    CHECK_OK(close(dg));
    CHECK_OK(close(t));

    /* The path is taken while it exists, even after the socket is gone. */
    t = socket(AF_UNIX, SOCK_STREAM, 0);
    CHECK_NERR(bind(t, (struct sockaddr *)&srv, srvlen), EADDRINUSE);
    CHECK_OK(close(l));
    CHECK_OK(stat("srv.sock", &st));
    CHECK_NERR(bind(t, (struct sockaddr *)&srv, srvlen), EADDRINUSE);
    c = socket(AF_UNIX, SOCK_STREAM, 0);
    CHECK_NERR(connect(c, (struct sockaddr *)&srv, srvlen), ECONNREFUSED);
    CHECK_OK(unlink("srv.sock"));
    CHECK_OK(bind(t, (struct sockaddr *)&srv, srvlen));
    CHECK_OK(listen(t, 1));
    CHECK_OK(connect(c, (struct sockaddr *)&srv, srvlen));
    printf("unix: bind to an existing path: EADDRINUSE (also after its socket closed: the file stays, "
           "connect ECONNREFUSED); unlink, bind again, connect: ok\n");
    CHECK_OK(close(c));
    CHECK_OK(close(t));
    CHECK_OK(close(idle));

    /* Abstract names: nothing in the file system; the name is exactly the
     * bytes given (no NUL terminator counted). */
    char name[64];
    snprintf(name, sizeof name, "occlum-sock_unix-%d", (int)getpid());
    struct sockaddr_un ab;
    socklen_t ablen = un_abstract(&ab, name);
    l = socket(AF_UNIX, SOCK_STREAM, 0);
    CHECK_OK(bind(l, (struct sockaddr *)&ab, ablen));
    CHECK_OK(listen(l, 4));
    len = sizeof sa;
    memset(&sa, 0, sizeof sa);
    CHECK_OK(getsockname(l, (struct sockaddr *)&sa, &len));
    int same = len == ablen && memcmp(&sa, &ab, ablen) == 0;
    CHECK(same);
    printf("unix: abstract bind: getsockname %s, the same name: %s\n",
           len == ablen ? "has the length given" : un_str(&sa, len), same ? "yes" : "no");
    t = socket(AF_UNIX, SOCK_STREAM, 0);
    CHECK_NERR(bind(t, (struct sockaddr *)&ab, ablen), EADDRINUSE);
    CHECK_OK(close(t));
    c = socket(AF_UNIX, SOCK_STREAM, 0);
    CHECK_OK(connect(c, (struct sockaddr *)&ab, ablen));
    s = accept(l, NULL, NULL);
    CHECK(s >= 0);
    len = sizeof sa;
    memset(&sa, 0, sizeof sa);
    CHECK_OK(getpeername(c, (struct sockaddr *)&sa, &len));
    same = len == ablen && memcmp(&sa, &ab, ablen) == 0;
    CHECK(same);
    CHECK_EQ(write(c, "abstract", 8), 8);
    memset(buf, 0, sizeof buf);
    CHECK_EQ(read(s, buf, sizeof buf), 8);
    printf("unix: abstract connect: getpeername is the name: %s; \"%s\"; EADDRINUSE for a second bind\n",
           same ? "yes" : "no", buf);
    CHECK_OK(close(c));
    CHECK_OK(close(s));
    CHECK_OK(close(l));
    c = socket(AF_UNIX, SOCK_STREAM, 0);
    CHECK_NERR(connect(c, (struct sockaddr *)&ab, ablen), ECONNREFUSED);
    CHECK_OK(close(c));
    printf("unix: abstract name after its listener closed: connect ECONNREFUSED\n");

    /* SCM_RIGHTS: a pipe's read end through a socketpair. */
    int p[2], got[4], flags = 0;
    CHECK_OK(pipe(p));
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    CHECK_EQ(send_fds(sv[0], &p[0], 1), 1);
    CHECK_OK(close(p[0]));
    int n = recv_fds(sv[1], CMSG_SPACE(sizeof(int)), 0, got, &flags);
    CHECK_EQ(n, 1);
    CHECK_EQ(write(p[1], "via fd", 6), 6);
    memset(buf, 0, sizeof buf);
    CHECK_EQ(read(got[0], buf, sizeof buf), 6);
    printf("unix: SCM_RIGHTS: %d descriptor, MSG_CTRUNC %s, FD_CLOEXEC %s; the pipe reads \"%s\"\n", n,
           (flags & MSG_CTRUNC) ? "set" : "clear", (fcntl(got[0], F_GETFD) & FD_CLOEXEC) ? "set" : "clear", buf);
    CHECK_OK(close(p[1]));
    CHECK_EQ(read(got[0], buf, sizeof buf), 0);
    CHECK_OK(close(got[0]));
    /* MSG_CMSG_CLOEXEC; two at once. */
    CHECK_OK(pipe(p));
    CHECK_EQ(send_fds(sv[0], p, 2), 1);
    n = recv_fds(sv[1], CMSG_SPACE(2 * sizeof(int)), MSG_CMSG_CLOEXEC, got, &flags);
    CHECK_EQ(n, 2);
    int ce = n == 2 && (fcntl(got[0], F_GETFD) & FD_CLOEXEC) && (fcntl(got[1], F_GETFD) & FD_CLOEXEC);
    CHECK(ce);
    CHECK_EQ(write(got[1], "pair", 4), 4);
    memset(buf, 0, sizeof buf);
    CHECK_EQ(read(got[0], buf, sizeof buf), 4);
    printf("unix: two descriptors with MSG_CMSG_CLOEXEC: %d received, FD_CLOEXEC %s, \"%s\" through them\n", n,
           ce ? "set" : "clear", buf);
    CHECK_OK(close(got[0]));
    CHECK_OK(close(got[1]));

    /* MSG_CTRUNC: no control buffer, then room for one of two (a
     * control buffer of CMSG_LEN(sizeof(int)) bytes). The
     * descriptors that do not fit are closed, not installed. */
    int lowest = lowest_free_fd();
    CHECK_EQ(send_fds(sv[0], p, 2), 1);
    n = recv_fds(sv[1], 0, 0, got, &flags);
    CHECK_EQ(n, 0);
    CHECK((flags & MSG_CTRUNC) != 0);
    CHECK_EQ(lowest_free_fd(), lowest);
    printf("unix: no control buffer: data received, %d descriptors, MSG_CTRUNC %s, none installed: %s\n", n,
           (flags & MSG_CTRUNC) ? "set" : "clear", lowest_free_fd() == lowest ? "yes" : "no");
    CHECK_EQ(send_fds(sv[0], p, 2), 1);
    n = recv_fds(sv[1], CMSG_LEN(sizeof(int)), 0, got, &flags);
    CHECK_EQ(n, 1);
    CHECK((flags & MSG_CTRUNC) != 0);
    if (n >= 1) CHECK_OK(close(got[0]));
    CHECK_EQ(lowest_free_fd(), lowest);
    printf("unix: room for one of two: %d received, MSG_CTRUNC %s, the other not installed: %s\n", n,
           (flags & MSG_CTRUNC) ? "set" : "clear", lowest_free_fd() == lowest ? "yes" : "no");
    CHECK_OK(close(p[0]));
    CHECK_OK(close(p[1]));
    CHECK_OK(close(sv[0]));
    CHECK_OK(close(sv[1]));
    /* FIONREAD: the bytes a read would return now (stream), the next
     * datagram's length (datagram). */
    {
        int fr[2], n = -1;
        CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, fr));
        CHECK_OK(ioctl(fr[1], FIONREAD, &n));
        int empty = n;
        CHECK_EQ(write(fr[0], "hello", 5), 5);
        CHECK_EQ(write(fr[0], "!", 1), 1);
        CHECK_OK(ioctl(fr[1], FIONREAD, &n));
        printf("FIONREAD stream: %d when empty, %d after 5+1 bytes\n", empty, n);
        CHECK_OK(close(fr[0]));
        CHECK_OK(close(fr[1]));
        CHECK_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, fr));
        CHECK_EQ(write(fr[0], "abc", 3), 3);
        CHECK_EQ(write(fr[0], "defgh", 5), 5);
        CHECK_OK(ioctl(fr[1], FIONREAD, &n));
        printf("FIONREAD datagram: %d (the first of a 3- and a 5-byte datagram)\n", n);
        CHECK_OK(close(fr[0]));
        CHECK_OK(close(fr[1]));
    }
    return test_done();
}
