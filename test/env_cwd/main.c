/* env_cwd: what a spawned child inherits besides descriptors: the
 * environment given as envp (or environ with the parent's setenv, unsetenv
 * and putenv changes), the working directory after chdir and fchdir, and
 * the umask. Paths are compared here, printed relative to the test
 * directory. */
#include <sys/stat.h>

#include "proc.h"

/* child_cwd returns what print_cwd prints, without the newline. */
static const char *child_cwd(void) {
    static char buf[PATH_MAX + 2];
    char *av[] = {"print_cwd", NULL};
    if (spawn_capture(av[0], av, NULL, buf, sizeof buf) != 0) return "(failed)";
    size_t n = strlen(buf);
    if (n > 0 && buf[n - 1] == '\n') buf[n - 1] = '\0';
    return buf;
}

/* relative gives path relative to base ("." for base itself). */
static const char *relative(const char *path, const char *base) {
    size_t n = strlen(base);
    if (strncmp(path, base, n) != 0) return path;
    if (path[n] == '\0') return ".";
    return path[n] == '/' ? path + n + 1 : path;
}

int main(int argc, char **argv) {
    test_init("env_cwd", argc, argv);
    proc_init();
    char buf[4096], cwd[PATH_MAX], base[PATH_MAX];

    /* envp: exactly what was given. */
    char *env[] = {"ONE=1", "SPACES=a b  c", "EQUALS=x=y=z", "EMPTY=", "UTF8=h\xc3\xa9", NULL};
    char *print_env[] = {"print_env", NULL};
    CHECK_STATUS(spawn_capture(print_env[0], print_env, env, buf, sizeof buf), "exited 0");
    CHECK_STR(buf, "env: [EMPTY=]\nenv: [EQUALS=x=y=z]\nenv: [ONE=1]\nenv: [SPACES=a b  c]\n"
                   "env: [UTF8=h\xc3\xa9]\nenv: 5 entries\n");
    printf("envp given:\n%s", buf);

    /* environ, with the parent's changes. */
    CHECK_OK(setenv("ENVCWD_A", "a", 1));
    CHECK_OK(setenv("ENVCWD_B", "b", 1));
    CHECK_OK(setenv("ENVCWD_A", "a2", 1));
    CHECK_OK(unsetenv("ENVCWD_B"));
    static char put[] = "ENVCWD_C=from putenv";
    CHECK_OK(putenv(put));
    char *print_mine[] = {"print_env", "ENVCWD_", NULL};
    CHECK_STATUS(spawn_capture(print_mine[0], print_mine, NULL, buf, sizeof buf), "exited 0");
    CHECK_STR(buf, "env: [ENVCWD_A=a2]\nenv: [ENVCWD_C=from putenv]\nenv: 2 entries\n");
    printf("environ after setenv/unsetenv/putenv:\n%s", buf);

    /* The working directory. */
    CHECK_OK(chdir(test_dir));
    CHECK(getcwd(base, sizeof base) != NULL);
    CHECK_STR(child_cwd(), base);
    printf("child cwd after chdir(test dir): %s\n", relative(child_cwd(), base));
    CHECK_OK(mkdir("sub", 0755));
    CHECK_OK(mkdir("sub/deeper", 0755));
    CHECK_OK(chdir("sub/deeper"));
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    CHECK_STR(child_cwd(), cwd);
    printf("child cwd after chdir(sub/deeper): %s\n", relative(child_cwd(), base));
    CHECK_OK(chdir(".."));
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    CHECK_STR(child_cwd(), cwd);
    printf("child cwd after chdir(..): %s\n", relative(child_cwd(), base));
    int dfd = open(P("sub/deeper"), O_RDONLY | O_DIRECTORY);
    CHECK(dfd >= 0);
    CHECK_OK(chdir(base));
    CHECK_OK(fchdir(dfd));
    CHECK_OK(close(dfd));
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    CHECK_STR(child_cwd(), cwd);
    printf("child cwd after fchdir: %s\n", relative(child_cwd(), base));
    /* Relative paths in the parent resolve against the new cwd. */
    CHECK_OK(write_file("here.txt", "here\n"));
    CHECK_STR(content(P("sub/deeper/here.txt")), "here\n");
    CHECK_OK(chdir(base));

    /* The umask. */
    char *print_umask[] = {"print_umask", NULL};
    mode_t masks[] = {022, 027, 077, 0, 0777};
    for (size_t i = 0; i < sizeof masks / sizeof masks[0]; i++) {
        umask(masks[i]);
        CHECK_STATUS(spawn_capture(print_umask[0], print_umask, NULL, buf, sizeof buf), "exited 0");
        char want[32];
        snprintf(want, sizeof want, "umask %03o\n", (unsigned)masks[i]);
        CHECK_STR(buf, want);
        printf("parent umask %03o: child %s", (unsigned)masks[i], buf);
    }
    /* The child's umask(0) did not change the parent's. */
    CHECK_EQ(umask(022), 0777);
    printf("a child's umask change stays in the child\n");
    return test_done();
}
