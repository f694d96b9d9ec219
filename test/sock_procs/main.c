/* sock_procs: sockets between processes. A socket as a child's stdin and
 * stdout (cat echoes through it; a half-close ends it); SCM_RIGHTS to a
 * spawned process (it writes through a pipe end it received); a peer
 * killed mid-transfer (the survivor reads the rest, then end of stream,
 * and lives on); a reader killed while we write (the write fails with
 * EPIPE or ECONNRESET, SIGPIPE ignored). */
#define _GNU_SOURCE
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "proc.h"

/* tcp_pair connects two TCP sockets over 127.0.0.1. */
static void tcp_pair(int sv[2]) {
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int l = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(l >= 0);
    CHECK_OK(bind(l, (struct sockaddr *)&a, sizeof a));
    socklen_t len = sizeof a;
    CHECK_OK(getsockname(l, (struct sockaddr *)&a, &len));
    CHECK_OK(listen(l, 1));
    sv[0] = socket(AF_INET, SOCK_STREAM, 0);
    CHECK_OK(connect(sv[0], (struct sockaddr *)&a, sizeof a));
    sv[1] = accept(l, NULL, NULL);
    CHECK(sv[1] >= 0);
    CHECK_OK(close(l));
}

/* spawn_on runs a helper with fd as its stdin and stdout. */
static pid_t spawn_on(const char *helper, int fd, int other) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fd, 0);
    posix_spawn_file_actions_adddup2(&fa, fd, 1);
    posix_spawn_file_actions_addclose(&fa, fd);
    if (other >= 0)
        posix_spawn_file_actions_addclose(&fa, other);
    char *argv[] = {(char *)helper, NULL};
    pid_t pid = spawnp(helper, &fa, NULL, argv, NULL);
    posix_spawn_file_actions_destroy(&fa);
    CHECK(pid > 0);
    return pid;
}

static ssize_t read_full(int fd, char *buf, size_t n) {
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r <= 0)
            return r < 0 ? r : (ssize_t)got;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

int main(int argc, char **argv) {
    test_init("sock_procs", argc, argv);
    signal(SIGPIPE, SIG_IGN);
    char buf[65536];

    /* An echo through a child's stdin and stdout, for each kind of
     * connected stream. */
    for (int kind = 0; kind < 2; kind++) {
        int sv[2];
        if (kind == 0)
            CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
        else
            tcp_pair(sv);
        pid_t pid = spawn_on("cat", sv[1], sv[0]);
        CHECK_OK(close(sv[1]));
        CHECK_EQ(write(sv[0], "ping\n", 5), 5);
        CHECK_OK(shutdown(sv[0], SHUT_WR));
        memset(buf, 0, sizeof buf);
        CHECK_EQ(read_full(sv[0], buf, 5), 5);
        CHECK_EQ(read(sv[0], buf + 5, 10), 0);
        CHECK_STATUS(wait_for(pid), "exited 0");
        printf("%s: cat echoed \"%.4s\" through its stdin and stdout, ended by a half-close\n",
               kind == 0 ? "unix" : "tcp", buf);
        CHECK_OK(close(sv[0]));
    }

    /* SCM_RIGHTS to another process. */
    int sv[2], p[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    CHECK_OK(pipe(p));
    pid_t pid = spawn_on("fd_receiver", sv[1], sv[0]);
    CHECK_OK(close(sv[1]));
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(sizeof(int))];
    } ctl;
    memset(&ctl, 0, sizeof ctl);
    struct iovec iov = {"x", 1};
    struct msghdr m = {0};
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = ctl.buf;
    m.msg_controllen = sizeof ctl.buf;
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &p[1], sizeof(int));
    CHECK_EQ(sendmsg(sv[0], &m, 0), 1);
    CHECK_OK(close(p[1]));
    CHECK_STATUS(wait_for(pid), "exited 0");
    memset(buf, 0, sizeof buf);
    ssize_t n = read_full(p[0], buf, sizeof buf - 1);
    printf("scm_rights: the child wrote %zd bytes through the pipe end it received: %s", n, buf);
    CHECK_OK(close(p[0]));
    CHECK_OK(close(sv[0]));

    /* A writer killed mid-transfer: the survivor reads what was sent,
     * then end of stream, and goes on. */
    for (int kind = 0; kind < 2; kind++) {
        if (kind == 0)
            CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
        else
            tcp_pair(sv);
        pid = spawn_on("write_forever", sv[1], sv[0]);
        CHECK_OK(close(sv[1]));
        CHECK_EQ(read_full(sv[0], buf, 100000 > sizeof buf ? sizeof buf : 100000), (ssize_t)sizeof buf);
        CHECK_OK(kill(pid, SIGKILL));
        CHECK_STATUS(wait_for(pid), "killed by SIGKILL");
        ssize_t r;
        long long rest = 0;
        while ((r = read(sv[0], buf, sizeof buf)) > 0)
            rest += r;
        printf("%s: writer killed: the reader gets %s, and lives on\n", kind == 0 ? "unix" : "tcp",
               r == 0 ? "end of stream" : errno == ECONNRESET ? "ECONNRESET" : "another error");
        CHECK_OK(close(sv[0]));
    }

    /* A reader killed while we write: EPIPE or ECONNRESET, not a death by
     * SIGPIPE (ignored). */
    for (int kind = 0; kind < 2; kind++) {
        if (kind == 0)
            CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
        else
            tcp_pair(sv);
        pid = spawn_on("cat", sv[1], sv[0]);
        CHECK_OK(close(sv[1]));
        CHECK_EQ(write(sv[0], "x", 1), 1);
        CHECK_OK(kill(pid, SIGKILL));
        CHECK_STATUS(wait_for(pid), "killed by SIGKILL");
        memset(buf, 'y', sizeof buf);
        ssize_t w;
        int tries = 0;
        while ((w = write(sv[0], buf, sizeof buf)) > 0 && tries++ < 1000)
            ;
        int e = errno;
        printf("%s: reader killed: writes fail with %s\n", kind == 0 ? "unix" : "tcp",
               w < 0 && (e == EPIPE || e == ECONNRESET) ? "EPIPE or ECONNRESET" : "something else");
        CHECK_OK(close(sv[0]));
    }
    return test_done();
}
