/* env: argv and environ as the harness passes them:
 *   argv = {<program>, <dir>, "alpha", "two words", "", "-x=1"}
 *   TEST_ENV_A=hello  TEST_ENV_B="with spaces = and equals"  TEST_ENV_EMPTY=
 * plus setenv/unsetenv inside the process. */
#include <stdlib.h>
#include <unistd.h>

#include "test.h"

extern char **environ;

int main(int argc, char **argv) {
    test_init("env", argc, argv);

    CHECK_EQ(argc, 6);
    CHECK(argv[0] != NULL && argv[0][0] != '\0');
    CHECK(argv[argc] == NULL);
    if (argc == 6) {
        CHECK_STR(argv[2], "alpha");
        CHECK_STR(argv[3], "two words");
        CHECK_STR(argv[4], "");
        CHECK_STR(argv[5], "-x=1");
    }
    for (int i = 2; i < argc; i++) printf("argv[%d] = \"%s\"\n", i, argv[i]);

    CHECK_STR(getenv("TEST_ENV_A"), "hello");
    CHECK_STR(getenv("TEST_ENV_B"), "with spaces = and equals");
    CHECK_STR(getenv("TEST_ENV_EMPTY"), "");
    CHECK(getenv("TEST_ENV_UNSET") == NULL);

    /* environ holds exactly the TEST_ variables given, each once. */
    int n = 0, a = 0, b = 0, empty = 0;
    for (char **e = environ; *e != NULL; e++) {
        if (strncmp(*e, "TEST_", 5) != 0) continue;
        n++;
        a += strcmp(*e, "TEST_ENV_A=hello") == 0;
        b += strcmp(*e, "TEST_ENV_B=with spaces = and equals") == 0;
        empty += strcmp(*e, "TEST_ENV_EMPTY=") == 0;
    }
    CHECK_EQ(n, 3);
    CHECK(a == 1 && b == 1 && empty == 1);
    printf("environ: %d TEST_ variables\n", n);

    /* The environment is the process's own to change. */
    CHECK_OK(setenv("TEST_ENV_NEW", "v1", 0));
    CHECK_STR(getenv("TEST_ENV_NEW"), "v1");
    CHECK_OK(setenv("TEST_ENV_NEW", "v2", 0));
    CHECK_STR(getenv("TEST_ENV_NEW"), "v1");
    CHECK_OK(setenv("TEST_ENV_NEW", "v2", 1));
    CHECK_STR(getenv("TEST_ENV_NEW"), "v2");
    CHECK_OK(unsetenv("TEST_ENV_A"));
    CHECK(getenv("TEST_ENV_A") == NULL);
    printf("setenv/unsetenv: ok\n");
    return test_done();
}
