/* crash_abort: calls abort() (SIGABRT; in wasm the trap abort() executes
 * is reported as SIGABRT too). */
#include <stdlib.h>
#if defined(__linux__)
#include <sys/resource.h>
#endif

int main(void) {
#if defined(__linux__)
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
#endif
    abort();
}
