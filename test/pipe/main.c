/* pipe: in-process pipes (data in order, end of file once every writer is
 * closed, EPIPE with SIGPIPE ignored), O_NONBLOCK (EAGAIN on an empty read
 * and a full write), poll() on both ends (POLLIN, POLLOUT, POLLHUP,
 * POLLERR), pipes to children (a child killed by SIGPIPE, or failing with
 * EPIPE when SIGPIPE is ignored, when nobody reads), and 16 MiB through a
 * child cat and back with the same checksum. */
#include <stdint.h>

#include "proc.h"

/* revents_str names the poll bits the test looks at. */
static const char *revents_str(short r) {
    static char buf[64];
    buf[0] = '\0';
    if (r & POLLIN) strcat(buf, " POLLIN");
    if (r & POLLOUT) strcat(buf, " POLLOUT");
    if (r & POLLHUP) strcat(buf, " POLLHUP");
    if (r & POLLERR) strcat(buf, " POLLERR");
    if (r & POLLNVAL) strcat(buf, " POLLNVAL");
    return buf[0] ? buf + 1 : "none";
}

static short poll1(int fd, short events) {
    struct pollfd p = {fd, events, 0};
    int r = poll(&p, 1, 0);
    return r < 0 ? -1 : r == 0 ? 0 : p.revents;
}

/* fill writes to a non-blocking fd until EAGAIN and returns the count. */
static long fill(int fd) {
    static char chunk[4096];
    long total = 0;
    for (;;) {
        ssize_t w = write(fd, chunk, sizeof chunk);
        if (w < 0) return errno == EAGAIN ? total : -1;
        total += w;
        if (total > (64L << 20)) return -1;
    }
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint64_t next_rand(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* fnv updates an FNV-1a checksum. */
static uint64_t fnv(uint64_t h, const unsigned char *p, size_t n) {
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

int main(int argc, char **argv) {
    test_init("pipe", argc, argv);
    proc_init();
    int p[2];
    char buf[65536];

    /* Basic: data in order, partial reads, then EOF after the writer
     * closes. */
    CHECK_OK(pipe(p));
    CHECK(p[0] >= 0 && p[1] >= 0 && p[0] != p[1]);
    CHECK_EQ(write(p[1], "hello ", 6), 6);
    CHECK_EQ(write(p[1], "world", 5), 5);
    CHECK_EQ(read(p[0], buf, 3), 3);
    CHECK(memcmp(buf, "hel", 3) == 0);
    CHECK_EQ(read(p[0], buf, sizeof buf), 8);
    CHECK(memcmp(buf, "lo world", 8) == 0);
    CHECK_EQ(write(p[1], "tail", 4), 4);
    CHECK_OK(close(p[1]));
    CHECK_EQ(read(p[0], buf, sizeof buf), 4);
    CHECK_EQ(read(p[0], buf, sizeof buf), 0);
    CHECK_EQ(read(p[0], buf, sizeof buf), 0);
    CHECK_OK(close(p[0]));
    printf("basic: in order, then EOF after the writer closes\n");

    /* Wrong directions: the read end is not writable and vice versa. */
    CHECK_OK(pipe(p));
    CHECK_ERR(write(p[0], "x", 1), EBADF);
    CHECK_ERR(read(p[1], buf, 1), EBADF);
    CHECK_ERR(lseek(p[0], 0, SEEK_CUR), ESPIPE);
    /* EOF only once every write end is closed, dup'ed ones included. */
    int w2 = dup(p[1]);
    CHECK(w2 >= 0);
    CHECK_OK(close(p[1]));
    CHECK_OK(fcntl(p[0], F_SETFL, O_NONBLOCK));
    CHECK_ERR(read(p[0], buf, 1), EAGAIN);
    CHECK_OK(close(w2));
    CHECK_EQ(read(p[0], buf, 1), 0);
    CHECK_OK(close(p[0]));
    printf("EOF waits for every write end: ok\n");

    /* EPIPE with SIGPIPE ignored, here and in a child. */
    CHECK(signal(SIGPIPE, SIG_IGN) != SIG_ERR);
    CHECK_OK(pipe(p));
    CHECK_OK(close(p[0]));
    CHECK_ERR(write(p[1], "x", 1), EPIPE);
    CHECK_ERR(write(p[1], buf, sizeof buf), EPIPE);
    CHECK_OK(close(p[1]));
    printf("write without readers, SIGPIPE ignored: EPIPE\n");
    CHECK_OK(pipe(p));
    CHECK_OK(fcntl(p[0], F_SETFD, FD_CLOEXEC));
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, p[1], 1);
    posix_spawn_file_actions_addclose(&fa, p[1]);
    char *wf[] = {"write_forever", NULL};
    pid_t pid = spawnp("write_forever", &fa, NULL, wf, NULL);
    CHECK(pid > 0);
    CHECK_OK(close(p[1]));
    CHECK_EQ(read(p[0], buf, 1), 1);
    CHECK_OK(close(p[0]));
    int st = wait_for(pid);
    CHECK_STATUS(st, "exited 3");
    printf("child writing without readers, SIGPIPE ignored (inherited): %s\n", status_str(st));
    /* With SIGPIPE at its default action, the child dies of it. */
    CHECK(signal(SIGPIPE, SIG_DFL) != SIG_ERR);
    CHECK_OK(pipe(p));
    CHECK_OK(fcntl(p[0], F_SETFD, FD_CLOEXEC));
    pid = spawnp("write_forever", &fa, NULL, wf, NULL);
    CHECK(pid > 0);
    CHECK_OK(close(p[1]));
    CHECK_EQ(read(p[0], buf, 1), 1);
    CHECK_OK(close(p[0]));
    st = wait_for(pid);
    CHECK_STATUS(st, "killed by SIGPIPE");
    printf("child writing without readers, SIGPIPE default: %s\n", status_str(st));
    /* The same through SETSIGDEF while the parent ignores SIGPIPE. */
    CHECK(signal(SIGPIPE, SIG_IGN) != SIG_ERR);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    posix_spawnattr_setsigdefault(&attr, &set);
    CHECK_OK(pipe(p));
    CHECK_OK(fcntl(p[0], F_SETFD, FD_CLOEXEC));
    pid = spawnp("write_forever", &fa, &attr, wf, NULL);
    CHECK(pid > 0);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&fa);
    CHECK_OK(close(p[1]));
    CHECK_EQ(read(p[0], buf, 1), 1);
    CHECK_OK(close(p[0]));
    st = wait_for(pid);
    CHECK_STATUS(st, "killed by SIGPIPE");
    printf("SIGPIPE ignored in the parent, SETSIGDEF in the child: %s\n", status_str(st));

    /* O_NONBLOCK: EAGAIN reading an empty pipe, writing a full one. */
    CHECK_OK(pipe(p));
    CHECK_OK(fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_NONBLOCK));
    CHECK_OK(fcntl(p[1], F_SETFL, fcntl(p[1], F_GETFL) | O_NONBLOCK));
    CHECK((fcntl(p[0], F_GETFL) & O_NONBLOCK) != 0);
    CHECK_ERR(read(p[0], buf, sizeof buf), EAGAIN);
    long cap = fill(p[1]);
    CHECK(cap >= 4096);
    CHECK_ERR(write(p[1], "x", 1), EAGAIN);
    printf("O_NONBLOCK: empty read EAGAIN, full write EAGAIN\n");
    /* poll on a full pipe: the read end is readable, the write end not
     * writable; after draining, writable again. */
    CHECK_EQ(poll1(p[0], POLLIN), POLLIN);
    CHECK_EQ(poll1(p[1], POLLOUT), 0);
    printf("poll full: read end %s, write end %s\n", revents_str(poll1(p[0], POLLIN | POLLOUT)),
           revents_str(poll1(p[1], POLLIN | POLLOUT)));
    long drained = 0;
    for (;;) {
        ssize_t r = read(p[0], buf, sizeof buf);
        if (r <= 0) break;
        drained += r;
    }
    CHECK_EQ(drained, cap);
    CHECK_ERR(read(p[0], buf, 1), EAGAIN);
    /* Non-blocking writes of at most PIPE_BUF are all or nothing. */
    CHECK_EQ(poll1(p[1], POLLOUT), POLLOUT);
    CHECK_EQ(poll1(p[0], POLLIN), 0);
    printf("poll empty: read end %s, write end %s\n", revents_str(poll1(p[0], POLLIN | POLLOUT)),
           revents_str(poll1(p[1], POLLIN | POLLOUT)));
    CHECK_EQ(write(p[1], "data", 4), 4);
    printf("poll with data: read end %s\n", revents_str(poll1(p[0], POLLIN)));
    /* The writer goes: POLLHUP, with POLLIN while data remains. */
    CHECK_OK(close(p[1]));
    printf("writer closed, data left: read end %s\n", revents_str(poll1(p[0], POLLIN)));
    CHECK_EQ(read(p[0], buf, sizeof buf), 4);
    short r = poll1(p[0], POLLIN);
    CHECK((r & POLLHUP) != 0);
    /* Linux reports POLLHUP alone; wasi-libc's poll() adds POLLIN (a read
     * would not block: it returns 0). Both are POSIX; only POLLHUP is
     * checked. */
    printf("writer closed, empty: read end %s\n", (r & POLLHUP) ? "POLLHUP" : revents_str(r));
    CHECK_EQ(read(p[0], buf, 1), 0);
    CHECK_OK(close(p[0]));
    /* The reader goes: the write end reports POLLERR. */
    CHECK_OK(pipe(p));
    CHECK_OK(close(p[0]));
    r = poll1(p[1], POLLOUT);
    CHECK((r & POLLERR) != 0);
    printf("reader closed: write end has POLLERR: %s\n", (r & POLLERR) ? "yes" : "no");
    CHECK_OK(close(p[1]));
    /* A closed descriptor: POLLNVAL. */
    CHECK_EQ(poll1(p[1], POLLIN), POLLNVAL);
    /* poll with a timeout on an empty pipe times out. */
    CHECK_OK(pipe(p));
    struct pollfd pf = {p[0], POLLIN, 0};
    CHECK_EQ(poll(&pf, 1, 30), 0);
    /* Several descriptors at once. */
    CHECK_EQ(write(p[1], "z", 1), 1);
    struct pollfd two[2] = {{p[0], POLLIN, 0}, {p[1], POLLOUT, 0}};
    CHECK_EQ(poll(two, 2, -1), 2);
    CHECK(two[0].revents == POLLIN && two[1].revents == POLLOUT);
    CHECK_OK(close(p[0]));
    CHECK_OK(close(p[1]));
    printf("poll timeout and several descriptors: ok\n");

    /* A write of at most PIPE_BUF (4096) bytes is never split by a
     * concurrent reader; a blocking read returns what is there. */
    CHECK_OK(pipe(p));
    memset(buf, 'a', 4096);
    CHECK_EQ(write(p[1], buf, 4096), 4096);
    CHECK_EQ(read(p[0], buf, sizeof buf), 4096);
    CHECK_OK(close(p[0]));
    CHECK_OK(close(p[1]));

    /* 16 MiB to a child cat and back, through poll with non-blocking
     * writes (neither side may deadlock), checksums compared. */
    int in[2], out[2];
    CHECK_OK(pipe(in));
    CHECK_OK(pipe(out));
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_addclose(&fa, in[0]);
    posix_spawn_file_actions_addclose(&fa, in[1]);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    posix_spawn_file_actions_addclose(&fa, out[1]);
    char *cat[] = {"cat", NULL};
    pid = spawnp("cat", &fa, NULL, cat, NULL);
    posix_spawn_file_actions_destroy(&fa);
    CHECK(pid > 0);
    CHECK_OK(close(in[0]));
    CHECK_OK(close(out[1]));
    CHECK_OK(fcntl(in[1], F_SETFL, O_NONBLOCK));
    const size_t total = 16u << 20;
    static unsigned char src[65536];
    size_t sent = 0, recvd = 0, pending = 0, off = 0;
    uint64_t hsent = 0xcbf29ce484222325ull, hrecv = hsent;
    int wfd = in[1];
    while (recvd < total) {
        if (wfd >= 0 && pending == 0) {
            if (sent == total) {
                close(wfd);
                wfd = -1;
            } else {
                size_t n = total - sent < sizeof src ? total - sent : sizeof src;
                for (size_t i = 0; i + 8 <= n; i += 8) {
                    uint64_t v = next_rand();
                    memcpy(src + i, &v, 8);
                }
                hsent = fnv(hsent, src, n);
                pending = n;
                off = 0;
            }
        }
        struct pollfd fds[2] = {{out[0], POLLIN, 0}, {wfd, POLLOUT, 0}};
        int n = poll(fds, wfd >= 0 ? 2 : 1, 10000);
        if (n <= 0) break;
        if (wfd >= 0 && (fds[1].revents & (POLLOUT | POLLERR))) {
            ssize_t w = write(wfd, src + off, pending);
            if (w < 0 && errno != EAGAIN) break;
            if (w > 0) {
                off += (size_t)w;
                pending -= (size_t)w;
                sent += (size_t)w;
            }
        }
        if (fds[0].revents & (POLLIN | POLLHUP)) {
            ssize_t got = read(out[0], buf, sizeof buf);
            if (got <= 0) break;
            hrecv = fnv(hrecv, (unsigned char *)buf, (size_t)got);
            recvd += (size_t)got;
        }
    }
    if (wfd >= 0) close(wfd);
    CHECK_EQ(sent, total);
    CHECK_EQ(recvd, total);
    CHECK(hsent == hrecv);
    CHECK_EQ(read(out[0], buf, sizeof buf), 0);
    CHECK_OK(close(out[0]));
    CHECK_STATUS(wait_for(pid), "exited 0");
    printf("16 MiB through a child cat and back: %s\n",
           recvd == total && hsent == hrecv ? "checksums match" : "MISMATCH");

    /* A child writing without end into a pipe that nobody reads blocks
     * once the pipe is full, and is killed while blocked. */
    {
        int q[2];
        CHECK_OK(pipe(q));
        CHECK_OK(fcntl(q[0], F_SETFD, FD_CLOEXEC));
        posix_spawn_file_actions_t fq;
        posix_spawn_file_actions_init(&fq);
        posix_spawn_file_actions_adddup2(&fq, q[1], 1);
        posix_spawn_file_actions_addclose(&fq, q[1]);
        char *wq[] = {"write_forever", NULL};
        pid_t w = spawnp("write_forever", &fq, NULL, wq, NULL);
        posix_spawn_file_actions_destroy(&fq);
        CHECK(w > 0);
        CHECK_OK(close(q[1]));
        struct timespec nap = {0, 50 * 1000 * 1000};
        nanosleep(&nap, NULL); /* long enough to fill the pipe and block */
        CHECK_OK(kill(w, SIGKILL));
        int ws = wait_for(w);
        CHECK_STATUS(ws, "killed by SIGKILL");
        CHECK_OK(close(q[0]));
        printf("writer blocked on a pipe nobody reads: %s\n", status_str(ws));
    }
    return test_done();
}
