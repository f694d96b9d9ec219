/* crash_segv [write|read]: dereferences a wild pointer. Natively that is
 * NULL; in wasm address 0 is ordinary linear memory, so the pointer is one
 * far beyond the end of memory: both die of SIGSEGV. */
#include <stdint.h>
#include <string.h>
#if defined(__linux__)
#include <sys/resource.h>
#endif

int main(int argc, char **argv) {
#if defined(__linux__)
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
#endif
#if defined(__wasm__)
    volatile int *volatile p = (volatile int *)(uintptr_t)0xFFFFFFF0u;
#else
    volatile int *volatile p = (volatile int *)(uintptr_t)0;
#endif
    if (argc > 1 && strcmp(argv[1], "read") == 0) {
        int x = *p;
        return x == 12345 ? 3 : 4;
    }
    *p = 1;
    return 5;
}
