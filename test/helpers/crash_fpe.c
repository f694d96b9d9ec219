/* crash_fpe: an integer division by zero: SIGFPE on x86 Linux, a trap that
 * the LibOS reports as SIGFPE in wasm. */
#if defined(__linux__)
#include <signal.h>
#include <sys/resource.h>
#endif

int main(void) {
#if defined(__linux__)
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
#endif
    volatile int num = 1, den = 0;
    int q = num / den;
#if defined(__linux__)
    /* CPUs whose division does not trap (arm64) raise it by hand. */
    raise(SIGFPE);
#endif
    return q == 0 ? 3 : 4;
}
