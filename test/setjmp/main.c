/* setjmp: setjmp/longjmp and sigsetjmp/siglongjmp as C programs use them,
 * where Linux and the LibOS (clang's Emscripten-style lowering, libocclum's
 * setjmp.c, the LibOS's invokes) must agree: a longjmp through many frames
 * and past functions that called setjmp themselves, volatile locals kept,
 * longjmp(env, 0) returning 1, nested and repeated setjmp in one function,
 * a longjmp out of a libc callback (qsort's comparator), a Lua-style
 * protected call nested many deep, a hundred thousand round trips without
 * the C stack growing, siglongjmp out of a signal handler with and
 * without the saved mask, and out of a handler that interrupted a blocking
 * pipe read (which must let go of the pipe). */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proc.h"
#include "test.h"

static jmp_buf outer, inner;

static int deep(int n, jmp_buf where, int val) {
    char buf[128]; /* each frame uses the C stack */
    memset(buf, n, sizeof buf);
    if (n == 0) longjmp(where, val);
    return deep(n - 1, where, val) + buf[n % sizeof buf];
}

static int middle(void) {
    if (setjmp(inner) == 0) {
        deep(20, outer, 7); /* past this function's own setjmp */
        return -1;
    }
    return -2;
}

static void through_frames(void) {
    volatile int returns = 0;
    volatile int kept = 1;
    int r = setjmp(outer);
    returns++;
    if (r == 0) {
        kept = 42;
        middle();
        CHECK(0 && "middle returned");
    }
    CHECK_EQ(r, 7);
    CHECK_EQ(returns, 2);
    CHECK_EQ(kept, 42);
    printf("longjmp through 21 frames and a nested setjmp: %d, volatile kept %d\n", r, (int)kept);
}

static int zero_value(void) {
    jmp_buf b;
    int r = setjmp(b);
    if (r == 0) longjmp(b, 0);
    return r;
}

static void nested_in_one_function(void) {
    jmp_buf a, b;
    volatile int order = 0;
    int ra = setjmp(a);
    if (ra == 0) {
        int rb = setjmp(b);
        if (rb == 0) deep(2, b, 3);
        CHECK_EQ(rb, 3);
        order = order * 10 + rb;
        deep(3, a, 4);
    }
    CHECK_EQ(ra, 4);
    order = order * 10 + ra;
    CHECK_EQ(order, 34);
    printf("two setjmps in one function: inner %d then outer %d\n", 3, ra);
}

static jmp_buf cmp_env;
static int cmp_calls;
static int bad_cmp(const void *x, const void *y) {
    if (++cmp_calls == 5) longjmp(cmp_env, 9);
    return *(const int *)x - *(const int *)y;
}

static void out_of_libc(void) {
    int v[64];
    for (int i = 0; i < 64; i++) v[i] = 64 - i;
    int r = setjmp(cmp_env);
    if (r == 0) {
        qsort(v, 64, sizeof v[0], bad_cmp);
        CHECK(0 && "qsort returned");
    }
    CHECK_EQ(r, 9);
    CHECK_EQ(cmp_calls, 5);
    printf("longjmp out of qsort's comparator: %d after %d calls\n", r, cmp_calls);
}

/* A Lua-style protected call: each level runs f under its own jmp_buf;
 * an error longjmps to the innermost one. */
struct pcall { jmp_buf env; struct pcall *prev; };
static struct pcall *handler;
static void raise_error(int code) { longjmp(handler->env, code); }
static int pcall(void (*f)(int), int arg) {
    struct pcall p;
    p.prev = handler;
    handler = &p;
    int status = setjmp(p.env);
    if (status == 0) f(arg);
    handler = p.prev;
    return status;
}
static int recorded[64];
static void level(int n) {
    if (n == 0) raise_error(100);
    int st = pcall(level, n - 1);
    recorded[n] = st;
    if (n % 3 == 0) raise_error(n); /* caught one level up */
}

static void protected_calls(void) {
    int st = pcall(level, 40);
    int sum = 0;
    for (int i = 1; i <= 40; i++) sum += recorded[i];
    CHECK_EQ(recorded[1], 100);
    CHECK_EQ(recorded[4], 3);
    printf("protected calls 40 deep: outermost status %d, statuses sum %d\n", st, sum);
}

__attribute__((noinline)) static uintptr_t stack_probe(void) {
    volatile char here = 0;
    return (uintptr_t)&here;
}

static void round_trips(void) {
    uintptr_t before = stack_probe();
    long total = 0;
    for (int i = 0; i < 100000; i++) {
        jmp_buf b;
        int r = setjmp(b);
        if (r == 0) deep(3, b, i % 7 + 1);
        total += r;
    }
    uintptr_t after = stack_probe();
    CHECK_EQ(total, 399995L);
    CHECK(before == after);
    printf("100000 round trips: sum %ld, C stack where it was: %s\n", total, before == after ? "yes" : "no");
}

static sigjmp_buf sigenv;
static void on_usr1(int sig) { siglongjmp(sigenv, sig); }

static int blocked(int sig) {
    sigset_t set;
    sigprocmask(SIG_BLOCK, NULL, &set);
    return sigismember(&set, sig);
}

static void out_of_handler(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    CHECK_OK(sigaction(SIGUSR1, &sa, NULL));

    int s = sigsetjmp(sigenv, 1);
    if (s == 0) {
        raise(SIGUSR1);
        CHECK(0 && "handler returned");
    }
    CHECK_EQ(s, SIGUSR1);
    CHECK_EQ(blocked(SIGUSR1), 0);
    printf("siglongjmp out of a handler, mask saved: %d, SIGUSR1 blocked after: %d\n", s, blocked(SIGUSR1));

    s = sigsetjmp(sigenv, 0);
    if (s == 0) {
        raise(SIGUSR1);
        CHECK(0 && "handler returned");
    }
    CHECK_EQ(blocked(SIGUSR1), 1); /* the handler's mask stays */
    printf("siglongjmp out of a handler, mask not saved: %d, SIGUSR1 blocked after: %d\n", s, blocked(SIGUSR1));
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    CHECK_OK(sigprocmask(SIG_UNBLOCK, &set, NULL));
}

/* siglongjmp out of a handler that interrupts a blocking pipe read: the
 * read's hold on the pipe goes with it. Once the reader closes its end,
 * a write gets EPIPE — not so if the interrupted read still held it. */
static sigjmp_buf readenv;
static void on_usr2(int sig) { siglongjmp(readenv, sig); }

static void out_of_blocking_read(void) {
    int data[2], stop[2];
    CHECK_OK(pipe(data));
    CHECK_OK(pipe(stop));
    for (int i = 0; i < 2; i++) {
        CHECK_OK(fcntl(data[i], F_SETFD, FD_CLOEXEC));
        CHECK_OK(fcntl(stop[i], F_SETFD, FD_CLOEXEC));
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr2;
    sa.sa_flags = SA_RESTART; /* the read restarts after a handler that returns */
    CHECK_OK(sigaction(SIGUSR2, &sa, NULL));
    /* Blocked until readenv is set: the helper starts sending at once. */
    sigset_t usr2;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    CHECK_OK(sigprocmask(SIG_BLOCK, &usr2, NULL));
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, stop[0], 0);
    char *sp[] = {"signal_parent", "USR2", NULL};
    pid_t pid = spawnp("signal_parent", &fa, NULL, sp, NULL);
    posix_spawn_file_actions_destroy(&fa);
    CHECK(pid > 0);
    CHECK_OK(close(stop[0]));
    volatile int jumped = 0;
    char c;
    if (sigsetjmp(readenv, 1) == 0) {
        CHECK_OK(sigprocmask(SIG_UNBLOCK, &usr2, NULL));
        (void)!read(data[0], &c, 1); /* nothing ever comes */
        CHECK(0 && "read returned");
    } else {
        jumped = 1;
    }
    signal(SIGUSR2, SIG_IGN); /* the helper keeps sending until stop closes */
    CHECK_OK(sigprocmask(SIG_UNBLOCK, &usr2, NULL));
    CHECK_OK(close(stop[1]));
    int status;
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK_OK(close(data[0]));
    signal(SIGPIPE, SIG_IGN);
    errno = 0;
    ssize_t w = write(data[1], "x", 1);
    CHECK(w == -1 && errno == EPIPE);
    CHECK_OK(close(data[1]));
    printf("siglongjmp out of a blocking read: jumped %d; a write after the reader closed: %s\n",
           (int)jumped, w == -1 ? errno_name(errno) : "accepted");
}

int main(int argc, char **argv) {
    test_init("setjmp", argc, argv);
    through_frames();
    int z = zero_value();
    CHECK_EQ(z, 1);
    printf("longjmp(env, 0) makes setjmp return %d\n", z);
    nested_in_one_function();
    out_of_libc();
    protected_calls();
    round_trips();
    out_of_handler();
    out_of_blocking_read();
    return test_done();
}
