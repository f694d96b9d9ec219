/* exit_codes: a child's exit code reaches the parent's wait status as
 * code & 0xff, for every code 0..255 and past it (256 -> 0, 257 -> 1,
 * -1 -> 255), through exit(), _exit() and a return from main. */
#include "proc.h"

/* code_of spawns exit_with CODE HOW and returns WEXITSTATUS, or -1 if the
 * child did not exit normally. */
static int code_of(int code, const char *how) {
    char num[16];
    snprintf(num, sizeof num, "%d", code);
    char *av[] = {"exit_with", num, (char *)how, NULL};
    pid_t pid = spawnp("exit_with", NULL, NULL, av, NULL);
    if (pid < 0) return -1;
    int st = wait_for(pid);
    if (st < 0 || !WIFEXITED(st) || WIFSIGNALED(st)) return -1;
    return WEXITSTATUS(st);
}

int main(int argc, char **argv) {
    test_init("exit_codes", argc, argv);
    proc_init();

    int bad = 0;
    for (int code = 0; code <= 255; code++) {
        int got = code_of(code, "exit");
        if (got != code) {
            bad++;
            fprintf(stderr, "exit(%d): child exited with %d\n", code, got);
        }
    }
    CHECK_EQ(bad, 0);
    printf("exit(0..255): each code seen by the parent\n");

    const char *hows[] = {"exit", "_exit", "return"};
    for (size_t h = 0; h < 3; h++) {
        int codes[] = {0, 1, 42, 127, 128, 255, 256, 257, 511, 4096 + 7, -1, -128};
        for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
            int got = code_of(codes[i], hows[h]);
            CHECK_EQ(got, codes[i] & 0xff);
            printf("%s(%d): exited %d\n", hows[h], codes[i], got);
        }
    }

    /* The status word itself: exit code << 8, nothing else. */
    char *av[] = {"exit_with", "42", NULL};
    pid_t pid = spawnp("exit_with", NULL, NULL, av, NULL);
    int st = wait_for(pid);
    CHECK_EQ(st, 42 << 8);
    CHECK(WIFEXITED(st) && !WIFSIGNALED(st) && !WIFSTOPPED(st));
    printf("status word of exit(42): 0x%x\n", st);
    return test_done();
}
