/* spawn: posix_spawn and posix_spawnp of the helper programs: PATH search,
 * absolute and relative paths, argv and envp passing, the parent/child
 * relation, several children alive at once, and the errors for a missing
 * file (ENOENT), a directory (EACCES) and files that are not programs
 * (text, empty, a broken wasm module, a fake ELF header, a wasm module
 * with a foreign import: ENOEXEC natively and in the LibOS; EACCES
 * accepted too, as for a file on a noexec mount, printed as one word).
 * After every failure the parent goes on and spawns again. */
#include <sys/stat.h>

#include "proc.h"

/* not_a_program normalizes the errors for a file that is not a program. */
static const char *not_a_program(int e) {
    return e == ENOEXEC || e == EACCES ? "rejected" : errno_name(e);
}

/* spawn_empty_ok checks that the parent can still spawn and reap. */
static void spawn_empty_ok(int line) {
    char *av[] = {"empty", NULL};
    pid_t pid = spawnp("empty", NULL, NULL, av, NULL);
    int st = pid > 0 ? wait_for(pid) : -1;
    if (st != 0) {
        fprintf(stderr, "line %d: ", line);
    }
    CHECK_STATUS(st, "exited 0");
}

int main(int argc, char **argv) {
    test_init("spawn", argc, argv);
    proc_init();
    char buf[4096];
    int st;

    /* posix_spawnp finds a helper through PATH. */
    char *empty[] = {"empty", NULL};
    pid_t pid = spawnp("empty", NULL, NULL, empty, NULL);
    CHECK(pid > 0);
    CHECK(pid != getpid());
    st = wait_for(pid);
    CHECK_STATUS(st, "exited 0");
    printf("posix_spawnp empty: %s\n", status_str(st));

    /* posix_spawn takes a path, absolute ... */
    pid = spawn_path(helper_path("empty"), NULL, NULL, empty, NULL);
    CHECK(pid > 0);
    st = wait_for(pid);
    CHECK_STATUS(st, "exited 0");
    printf("posix_spawn by absolute path: %s\n", status_str(st));

    /* ... or relative to the working directory. */
    char cwd[PATH_MAX];
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    CHECK_OK(chdir(test_bin()));
    pid = spawn_path("./empty", NULL, NULL, empty, NULL);
    CHECK(pid > 0);
    st = wait_for(pid);
    CHECK_STATUS(st, "exited 0");
    printf("posix_spawn by relative path: %s\n", status_str(st));
    /* posix_spawnp does not search PATH for a name with a slash. */
    pid = spawnp("./empty", NULL, NULL, empty, NULL);
    st = pid > 0 ? wait_for(pid) : -1;
    CHECK_STATUS(st, "exited 0");
    CHECK_OK(chdir(cwd));
    CHECK_ERR(spawnp("./empty", NULL, NULL, empty, NULL), ENOENT);
    printf("posix_spawnp with a slash: no PATH search\n");

    /* argv is passed verbatim, argv[0] included. */
    char *args[] = {"custom-argv0", "one", "two words", "", "-x=1", "tab\there", NULL};
    fflush(stdout);
    pid = spawnp("print_args", NULL, NULL, args, NULL);
    CHECK(pid > 0);
    st = wait_for(pid);
    CHECK_STATUS(st, "exited 0");
    /* Through the capture pipe too, and compared here. */
    st = spawn_capture("print_args", args, NULL, buf, sizeof buf);
    CHECK_STATUS(st, "exited 0");
    CHECK_STR(buf, "argc=6\nargv[0]=[custom-argv0]\nargv[1]=[one]\nargv[2]=[two words]\n"
                   "argv[3]=[]\nargv[4]=[-x=1]\nargv[5]=[tab\there]\n");
    char *noargs[] = {"print_args", NULL};
    st = spawn_capture(noargs[0], noargs, NULL, buf, sizeof buf);
    CHECK_STR(buf, "argc=1\nargv[0]=[print_args]\n");
    printf("argv passed verbatim\n");

    /* envp is the child's whole environment. */
    char *env[] = {"A=1", "B=two words = and equals", "EMPTY=", "Z_LAST=z", NULL};
    char *print_env[] = {"print_env", NULL};
    fflush(stdout);
    pid = spawnp("print_env", NULL, NULL, print_env, env);
    CHECK(pid > 0);
    st = wait_for(pid);
    CHECK_STATUS(st, "exited 0");
    char *noenv[] = {NULL};
    st = spawn_capture(print_env[0], print_env, noenv, buf, sizeof buf);
    CHECK_STATUS(st, "exited 0");
    CHECK_STR(buf, "env: 0 entries\n");
    printf("empty envp: %s", buf);
    /* environ by default, with the parent's own changes. */
    CHECK_OK(setenv("SPAWN_TEST_VAR", "set by the parent", 1));
    char *print_spawn_env[] = {"print_env", "SPAWN_TEST_", NULL};
    st = spawn_capture(print_spawn_env[0], print_spawn_env, NULL, buf, sizeof buf);
    CHECK_STR(buf, "env: [SPAWN_TEST_VAR=set by the parent]\nenv: 1 entries\n");
    printf("environ inherited: %s", buf);

    /* The child's parent is the caller; its group is the caller's. */
    char ppid[16], ppgid[16];
    snprintf(ppid, sizeof ppid, "%d", (int)getpid());
    snprintf(ppgid, sizeof ppgid, "%d", (int)getpgrp());
    char *ids[] = {"print_ids", ppid, ppgid, NULL};
    st = spawn_capture(ids[0], ids, NULL, buf, sizeof buf);
    CHECK_STATUS(st, "exited 0");
    CHECK_STR(buf, "ppid: parent\npgid: parent's\n");
    printf("child's parent and group: %s", buf);

    /* Eight children alive at once have distinct pids, none the caller's. */
    enum { N = 8 };
    pid_t kids[N];
    int wfds[N];
    char *cat[] = {"cat", NULL};
    for (int i = 0; i < N; i++) {
        int p[2];
        CHECK_OK(pipe(p));
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, p[0], 0);
        posix_spawn_file_actions_addclose(&fa, p[0]);
        posix_spawn_file_actions_addclose(&fa, p[1]);
        /* Earlier children's pipes must not reach this one. */
        for (int j = 0; j < i; j++) posix_spawn_file_actions_addclose(&fa, wfds[j]);
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
        kids[i] = spawnp("cat", &fa, NULL, cat, NULL);
        posix_spawn_file_actions_destroy(&fa);
        CHECK(kids[i] > 0);
        close(p[0]);
        wfds[i] = p[1];
    }
    int distinct = 1;
    for (int i = 0; i < N; i++) {
        if (kids[i] == getpid() || kids[i] <= 0) distinct = 0;
        for (int j = 0; j < i; j++) distinct &= kids[i] != kids[j];
    }
    CHECK(distinct);
    for (int i = 0; i < N; i++) {
        CHECK_EQ(write(wfds[i], "x\n", 2), 2);
        close(wfds[i]);
    }
    int all_ok = 1;
    for (int i = 0; i < N; i++) all_ok &= wait_for(kids[i]) == 0;
    CHECK(all_ok);
    printf("%d children at once: distinct pids, all exited 0\n", N);

    /* Errors: a missing file, through PATH or not. */
    CHECK_ERR(spawn_path("/no/such/dir/prog", NULL, NULL, empty, NULL), ENOENT);
    CHECK_ERR(spawn_path(helper_path("no_such_helper"), NULL, NULL, empty, NULL), ENOENT);
    CHECK_ERR(spawnp("no_such_helper", NULL, NULL, empty, NULL), ENOENT);
    printf("missing program: ENOENT\n");
    spawn_empty_ok(__LINE__);

    /* A directory. */
    CHECK_ERR(spawn_path(test_dir, NULL, NULL, empty, NULL), EACCES);
    CHECK_ERR(spawn_path(test_bin(), NULL, NULL, empty, NULL), EACCES);
    printf("directory: EACCES\n");
    spawn_empty_ok(__LINE__);

    /* Files that are not programs, created with every permission bit
     * (there is no chmod in WASI; the umask lets them through). */
    umask(022);
    struct {
        const char *name, *content;
        size_t len;
    } junk[] = {
#define JUNK(name, s) {name, s, sizeof s - 1}
        JUNK("text.prog", "hello, I am not a program\n"),
        JUNK("empty.prog", ""),
        JUNK("badwasm.prog", "\0asm\1\0\0\0\xff\xff\xff garbage"),
        JUNK("elfish.prog", "\x7f" "ELF\2\1\1\0 not really"),
        /* A valid wasm module whose only import is not the LibOS's. */
        JUNK("foreign_import.prog",
             "\x00\x61\x73\x6d\x01\x00\x00\x00\x01\x04\x01\x60\x00\x00\x02\x1d"
             "\x01\x12\x6e\x6f\x74\x5f\x61\x5f\x6c\x69\x62\x6f\x73\x5f\x6d\x6f"
             "\x64\x75\x6c\x65\x06\x6c\x61\x75\x6e\x63\x68\x00\x00\x03\x02\x01"
             "\x00\x05\x03\x01\x00\x01\x07\x13\x02\x06\x5f\x73\x74\x61\x72\x74"
             "\x00\x01\x06\x6d\x65\x6d\x6f\x72\x79\x02\x00\x0a\x06\x01\x04\x00"
             "\x10\x00\x0b"),
#undef JUNK
    };
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
        int fd = open(P(junk[i].name), O_WRONLY | O_CREAT | O_TRUNC, 0755);
        CHECK(fd >= 0);
        if (fd < 0) continue;
        CHECK_EQ(write(fd, junk[i].content, junk[i].len), (long)junk[i].len);
        CHECK_OK(close(fd));
        errno = 0;
        pid = spawn_path(P(junk[i].name), NULL, NULL, empty, NULL);
        int e = errno;
        CHECK(pid == -1);
        if (pid > 0) wait_for(pid);
        CHECK(e == ENOEXEC || e == EACCES);
        printf("not a program (%s): %s\n", junk[i].name, not_a_program(e));
        spawn_empty_ok(__LINE__);
    }

    spawn_empty_ok(__LINE__);
    printf("parent still spawns after every failure\n");
    return test_done();
}
