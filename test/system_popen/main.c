/* system_popen: system() and popen()/pclose(), which run /bin/sh -c
 * (natively the host's shell, in the LibOS userland/sh) through
 * posix_spawn. Commands are kept trivial: echo, exit, a missing command
 * (127), and the cat helper found through PATH. */
#include "proc.h"

int main(int argc, char **argv) {
    test_init("system_popen", argc, argv);
    proc_init();
    char buf[256];

    CHECK(system(NULL) != 0);
    printf("system(NULL): a shell is there\n");

    fflush(stdout);
    int st = system("echo hi");
    CHECK_STATUS(st, "exited 0");
    printf("system(\"echo hi\"): %s\n", status_str(st));
    st = system("exit 3");
    CHECK_STATUS(st, "exited 3");
    printf("system(\"exit 3\"): %s\n", status_str(st));
    st = system("echo one; echo two");
    CHECK_STATUS(st, "exited 0");
    st = system("no_such_command_here 2>/dev/null");
    CHECK_STATUS(st, "exited 127");
    printf("system(missing command): %s\n", status_str(st));
    /* The shell's children inherit our stdout: cat copies a file. */
    CHECK_OK(write_file(P("in.txt"), "through cat\n"));
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "cat < %s", P("in.txt"));
    fflush(stdout);
    st = system(cmd);
    CHECK_STATUS(st, "exited 0");

    /* popen "r": the command's stdout. */
    FILE *f = popen("echo hi", "r");
    CHECK(f != NULL);
    if (f != NULL) {
        CHECK(fgets(buf, sizeof buf, f) != NULL);
        CHECK_STR(buf, "hi\n");
        CHECK(fgets(buf, sizeof buf, f) == NULL);
        st = pclose(f);
        CHECK_STATUS(st, "exited 0");
        printf("popen(\"echo hi\", \"r\"): read \"hi\", pclose %s\n", status_str(st));
    }
    f = popen("exit 5", "r");
    CHECK(f != NULL);
    if (f != NULL) {
        CHECK(fgets(buf, sizeof buf, f) == NULL);
        st = pclose(f);
        CHECK_STATUS(st, "exited 5");
        printf("popen(\"exit 5\"): pclose %s\n", status_str(st));
    }

    /* popen "w": the command's stdin; cat writes it to our stdout. */
    fflush(stdout);
    f = popen("cat", "w");
    CHECK(f != NULL);
    if (f != NULL) {
        CHECK(fputs("written through popen(\"cat\", \"w\")\n", f) >= 0);
        st = pclose(f);
        CHECK_STATUS(st, "exited 0");
        printf("popen(\"cat\", \"w\"): pclose %s\n", status_str(st));
    }
    /* Two at once. */
    FILE *a = popen("echo first", "r"), *b = popen("echo second", "r");
    CHECK(a != NULL && b != NULL);
    if (a != NULL && b != NULL) {
        CHECK(fgets(buf, sizeof buf, b) != NULL);
        CHECK_STR(buf, "second\n");
        CHECK(fgets(buf, sizeof buf, a) != NULL);
        CHECK_STR(buf, "first\n");
        CHECK_STATUS(pclose(a), "exited 0");
        CHECK_STATUS(pclose(b), "exited 0");
        printf("two popen streams at once: ok\n");
    }
    /* No child left behind. */
    CHECK_ERR(waitpid(-1, &st, WNOHANG), ECHILD);
    return test_done();
}
