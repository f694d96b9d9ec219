/* procfs: /proc as tools read it. The caller's own files (cmdline, comm,
 * stat's fields, status's lines, statm, fd/ and fdinfo/, cwd, root,
 * mounts), a child's through its lifetime (listed in /proc; cmdline, comm,
 * its parent in stat, S while it blocks in a read, its descriptors; Z once
 * it exited and before it is waited for, with an empty cmdline; gone from
 * /proc after waitpid), the system files' formats (meminfo, uptime,
 * loadavg, stat, cpuinfo, filesystems, sys/kernel), and the refusals that
 * root and other users get alike. Only facts that hold on Linux and in the
 * LibOS are printed: no pids, times, sizes or host paths. */
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>

#include "proc.h"

/* readfile returns path's content (up to 64 KiB, NUL-terminated) and its
 * length in *len, or NULL. The result lives until the next call. */
static char *readfile(const char *path, ssize_t *len) {
    static char buf[65536];
    ssize_t n = read_file(path, buf, sizeof buf);
    if (len) *len = n;
    return n < 0 ? NULL : buf;
}

/* stat_fields splits a /proc/<pid>/stat: f[0] the pid, f[1] the comm
 * (without parentheses), f[2]... the rest. Returns the field count. */
static int stat_fields(char *s, char **f, int max) {
    char *open = strchr(s, '('), *close = strrchr(s, ')');
    if (!open || !close || close < open) return 0;
    *open = 0;
    *close = 0;
    int n = 0;
    f[n++] = s;
    f[n++] = open + 1;
    for (char *t = strtok(close + 1, " \n"); t && n < max; t = strtok(NULL, " \n")) f[n++] = t;
    return n;
}

/* field returns the value of "Name:\t..." in a status file, or NULL. The
 * result lives until 4 more calls. */
static const char *field(const char *status, const char *name) {
    static char vals[4][256];
    static int next;
    char *val = vals[next++ % 4];
    size_t nl = strlen(name);
    for (const char *l = status; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        if (strncmp(l, name, nl) == 0 && l[nl] == ':') {
            const char *v = l + nl + 1;
            while (*v == '\t' || *v == ' ') v++;
            size_t n = strcspn(v, "\n");
            if (n >= sizeof vals[0]) n = sizeof vals[0] - 1;
            memcpy(val, v, n);
            val[n] = 0;
            return val;
        }
    }
    return NULL;
}

/* num is the number a status field starts with, or -1. */
static long num(const char *status, const char *name) {
    const char *v = field(status, name);
    return v ? atol(v) : -1;
}

/* kb reports whether a status field is a size in kB. */
static int kb(const char *status, const char *name) {
    const char *v = field(status, name);
    return v && strstr(v, " kB") != NULL;
}

/* mask is a status signal mask (hex). */
static unsigned long long mask(const char *status, const char *name) {
    const char *v = field(status, name);
    return v ? strtoull(v, NULL, 16) : 0;
}

/* listed reports whether directory dir has an entry called name. */
static int listed(const char *dir, const char *name) {
    DIR *d = opendir(dir);
    if (!d) return 0;
    struct dirent *e;
    int found = 0;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, name) == 0) found = 1;
    }
    closedir(d);
    return found;
}

/* child_state returns the state letter of pid ('?' when unreadable). */
static char child_state(pid_t pid) {
    char path[64], *f[64];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    char *s = readfile(path, NULL);
    if (!s || stat_fields(s, f, 64) < 3) return '?';
    return f[2][0];
}

/* wait_state polls until pid is in state want, for at most 10 s. */
static char wait_state(pid_t pid, char want) {
    char st = '?';
    for (int i = 0; i < 10000; i++) {
        st = child_state(pid);
        if (st == want) break;
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    return st;
}

static const char *yes(int b) { return b ? "yes" : "no"; }

static void on_term(int sig) { (void)sig; }

static void self_files(int argc, char **argv) {
    /* cmdline: argv, each string and its NUL. */
    ssize_t n;
    char *s = readfile("/proc/self/cmdline", &n);
    CHECK(s != NULL);
    char want[4096];
    size_t wn = 0;
    for (int i = 0; i < argc; i++) {
        size_t l = strlen(argv[i]) + 1;
        if (wn + l > sizeof want) break;
        memcpy(want + wn, argv[i], l);
        wn += l;
    }
    CHECK(s != NULL && n == (ssize_t)wn && memcmp(s, want, wn) == 0);
    printf("self cmdline is argv: %s\n", yes(s && n == (ssize_t)wn && memcmp(s, want, wn) == 0));
    if (s && argc > 2) {
        /* the arguments after the working directory, as bytes */
        const char *p = s + strlen(s) + 1;
        p += strlen(p) + 1;
        printf("self cmdline tail:");
        for (; p < s + n; p++) printf(*p ? " %02x" : " 00", (unsigned char)*p);
        printf("\n");
    }

    char comm[64];
    snprintf(comm, sizeof comm, "%s", content("/proc/self/comm"));
    printf("self comm: %s", comm);
    comm[strcspn(comm, "\n")] = 0;

    /* stat: 52 fields, the ids, R (it is running: it reads the file). */
    char *f[64];
    s = readfile("/proc/self/stat", NULL);
    int nf = s ? stat_fields(s, f, 64) : 0;
    printf("self stat: %d fields\n", nf);
    if (nf >= 52) {
        printf("self stat: pid %s, comm %s, state %s, ppid %s, pgrp %s, threads %s\n",
               yes(atoi(f[0]) == getpid()), yes(strcmp(f[1], comm) == 0), f[2],
               yes(atoi(f[3]) == getppid()), yes(atoi(f[4]) == getpgrp()), f[19]);
        printf("self stat: vsize > 0 %s, rss > 0 %s\n", yes(atoll(f[22]) > 0), yes(atoll(f[23]) > 0));
        /* signal masks, decimal: SIGUSR1 blocked, SIGUSR2 ignored,
         * SIGTERM caught */
        unsigned long long blocked = strtoull(f[31], NULL, 10), ign = strtoull(f[32], NULL, 10),
                           caught = strtoull(f[33], NULL, 10);
        printf("self stat: blocked USR1 %s, ignored USR2 %s, caught TERM %s, exit_signal %s\n",
               yes(blocked >> (SIGUSR1 - 1) & 1), yes(ign >> (SIGUSR2 - 1) & 1),
               yes(caught >> (SIGTERM - 1) & 1), f[37]);
    }

    /* status */
    s = readfile("/proc/self/status", NULL);
    CHECK(s != NULL);
    if (s) {
        const char *v = field(s, "Name");
        printf("self status: Name %s\n", yes(v && strcmp(v, comm) == 0));
        v = field(s, "State");
        printf("self status: State %s\n", v ? v : "(none)");
        printf("self status: Pid %s, Tgid %s, PPid %s\n", yes(num(s, "Pid") == getpid()),
               yes(num(s, "Tgid") == getpid()), yes(num(s, "PPid") == getppid()));
        printf("self status: Uid %s, Gid %s\n", yes(num(s, "Uid") == (long)getuid()),
               yes(num(s, "Gid") == (long)getgid()));
        v = field(s, "Threads");
        printf("self status: Threads %s\n", v ? v : "(none)");
        printf("self status: VmSize %s, VmRSS %s\n", yes(kb(s, "VmSize")), yes(kb(s, "VmRSS")));
        v = field(s, "SigBlk");
        printf("self status: SigBlk USR1 %s, SigIgn USR2 %s, SigCgt TERM %s, 16 hex digits %s\n",
               yes(mask(s, "SigBlk") >> (SIGUSR1 - 1) & 1), yes(mask(s, "SigIgn") >> (SIGUSR2 - 1) & 1),
               yes(mask(s, "SigCgt") >> (SIGTERM - 1) & 1), yes(v && strlen(v) == 16));
    }

    /* statm: seven numbers, the size first */
    s = readfile("/proc/self/statm", NULL);
    long a[7] = {0};
    int ns = s ? sscanf(s, "%ld %ld %ld %ld %ld %ld %ld", &a[0], &a[1], &a[2], &a[3], &a[4], &a[5], &a[6]) : 0;
    printf("self statm: %d numbers, size > 0 %s\n", ns, yes(a[0] > 0));

    /* links: cwd is the working directory, root is / */
    char cwd[PATH_MAX], link[PATH_MAX];
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    ssize_t l = readlink("/proc/self/cwd", link, sizeof link - 1);
    if (l >= 0) link[l] = 0;
    printf("self cwd is getcwd: %s\n", yes(l >= 0 && strcmp(link, cwd) == 0));
    l = readlink("/proc/self/root", link, sizeof link - 1);
    if (l >= 0) link[l] = 0;
    printf("self root: %s\n", l >= 0 ? link : errno_name(errno));
    l = readlink("/proc/self/exe", link, sizeof link - 1);
    if (l >= 0) link[l] = 0;
    const char *base = l >= 0 && strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
    printf("self exe is absolute, named as comm: %s\n", yes(l > 0 && link[0] == '/' && strcmp(base, comm) == 0));
    /* self is a link to the pid */
    l = readlink("/proc/self", link, sizeof link - 1);
    if (l >= 0) link[l] = 0;
    printf("/proc/self links to the pid: %s\n", yes(l > 0 && atoi(link) == getpid()));

    /* mounts lists /proc */
    s = readfile("/proc/self/mounts", NULL);
    int proc_mounted = 0;
    for (char *t = s ? strtok(s, "\n") : NULL; t; t = strtok(NULL, "\n")) {
        char src[256], dst[256];
        if (sscanf(t, "%255s %255s", src, dst) == 2 && strcmp(dst, "/proc") == 0) proc_mounted = 1;
    }
    printf("mounts lists /proc: %s\n", yes(proc_mounted));
    s = readfile("/proc/mounts", NULL);
    printf("/proc/mounts readable: %s\n", yes(s && strstr(s, " /proc ")));
}

static void fd_files(void) {
    int fd = open(P("data"), O_RDWR | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    CHECK(fd >= 0);
    CHECK_EQ(write(fd, "hello", 5), 5);
    char fds[32];
    snprintf(fds, sizeof fds, "%d", fd);
    printf("fd/ lists 0 1 2 and the file: %s\n",
           yes(listed("/proc/self/fd", "0") && listed("/proc/self/fd", "1") &&
               listed("/proc/self/fd", "2") && listed("/proc/self/fd", fds)));
    char path[PATH_MAX], link[PATH_MAX], real[PATH_MAX];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    ssize_t l = readlink(path, link, sizeof link - 1);
    if (l >= 0) link[l] = 0;
    CHECK(realpath(P("data"), real) != NULL);
    printf("fd link is the file's path: %s\n", yes(l > 0 && strcmp(link, real) == 0));
    struct stat st;
    printf("fd link is a symlink: %s\n", yes(lstat(path, &st) == 0 && S_ISLNK(st.st_mode)));
    /* through the link: the file */
    printf("read through the fd link: %s\n", content(path));
    printf("\n");
    /* fdinfo: offset, octal flags */
    snprintf(path, sizeof path, "/proc/self/fdinfo/%d", fd);
    char *s = readfile(path, NULL);
    const char *pos = s ? field(s, "pos") : NULL, *flags = s ? field(s, "flags") : NULL;
    printf("fdinfo pos: %s\n", pos ? pos : "(none)");
    printf("fdinfo flags: %s\n", flags ? flags : "(none)");
    CHECK_OK(close(fd));
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    errno = 0;
    printf("the link of a closed fd: %s\n", readlink(path, link, sizeof link) < 0 ? errno_name(errno) : "there");
}

static void child_files(void) {
    /* cat reading a pipe: it blocks in read until the pipe closes. */
    int p[2];
    CHECK_OK(pipe(p));
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, p[0], 0);
    posix_spawn_file_actions_addclose(&fa, p[0]);
    posix_spawn_file_actions_addclose(&fa, p[1]);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    char *av[] = {"cat", NULL};
    pid_t pid = spawnp("cat", &fa, NULL, av, NULL);
    posix_spawn_file_actions_destroy(&fa);
    CHECK(pid > 0);
    close(p[0]);
    fcntl(p[1], F_SETFD, FD_CLOEXEC);

    char dir[64], path[128], name[32];
    snprintf(dir, sizeof dir, "/proc/%d", (int)pid);
    snprintf(name, sizeof name, "%d", (int)pid);
    printf("child listed in /proc: %s\n", yes(listed("/proc", name)));
    printf("child sleeps in its read: %c\n", wait_state(pid, 'S'));
    ssize_t n;
    snprintf(path, sizeof path, "%s/cmdline", dir);
    char *s = readfile(path, &n);
    printf("child cmdline: %s\n", yes(s && n == 4 && memcmp(s, "cat", 4) == 0));
    snprintf(path, sizeof path, "%s/comm", dir);
    printf("child comm: %s", content(path));
    char *f[64];
    snprintf(path, sizeof path, "%s/stat", dir);
    s = readfile(path, NULL);
    int nf = s ? stat_fields(s, f, 64) : 0;
    printf("child stat: ppid is ours %s\n", yes(nf > 3 && atoi(f[3]) == getpid()));
    snprintf(path, sizeof path, "%s/fd", dir);
    printf("child fd/ lists 0 1 2: %s\n", yes(listed(path, "0") && listed(path, "1") && listed(path, "2")));
    char link[PATH_MAX];
    snprintf(path, sizeof path, "%s/fd/0", dir);
    ssize_t l = readlink(path, link, sizeof link - 1);
    if (l >= 0) link[l] = 0;
    printf("child stdin is a pipe: %s\n", yes(l > 0 && strncmp(link, "pipe:[", 6) == 0));
    snprintf(path, sizeof path, "%s/fd/1", dir);
    l = readlink(path, link, sizeof link - 1);
    if (l >= 0) link[l] = 0;
    printf("child stdout: %s\n", l >= 0 ? link : errno_name(errno));

    /* The pipe closes: cat exits, a zombie until waited for. */
    CHECK_OK(close(p[1]));
    printf("child after exit: %c\n", wait_state(pid, 'Z'));
    printf("zombie still listed: %s\n", yes(listed("/proc", name)));
    snprintf(path, sizeof path, "%s/cmdline", dir);
    s = readfile(path, &n);
    printf("zombie cmdline: %s\n", s && n == 0 ? "empty" : "not empty");
    snprintf(path, sizeof path, "%s/comm", dir);
    printf("zombie comm: %s", content(path));
    snprintf(path, sizeof path, "%s/cwd", dir);
    errno = 0;
    printf("zombie cwd: %s\n", readlink(path, link, sizeof link) < 0 ? errno_name(errno) : "a link");

    CHECK_STATUS(wait_for(pid), "exited 0");
    struct stat st;
    errno = 0;
    printf("after waitpid, stat %s: %s\n", "/proc/<pid>", stat(dir, &st) < 0 ? errno_name(errno) : "exists");
    printf("after waitpid, listed: %s\n", yes(listed("/proc", name)));
}

static void system_files(void) {
    char *s = readfile("/proc/meminfo", NULL);
    long total = s ? num(s, "MemTotal") : -1, free_ = s ? num(s, "MemFree") : -1,
         avail = s ? num(s, "MemAvailable") : -1;
    printf("meminfo: MemTotal > 0 %s, MemFree <= MemTotal %s, MemAvailable <= MemTotal %s, in kB %s\n",
           yes(total > 0), yes(free_ >= 0 && free_ <= total), yes(avail >= 0 && avail <= total),
           yes(s && strstr(s, "MemTotal:") == s && strstr(s, " kB\n")));
    s = readfile("/proc/uptime", NULL);
    double up = -1, idle = -1;
    printf("uptime: two numbers %s\n", yes(s && sscanf(s, "%lf %lf", &up, &idle) == 2 && up >= 0 && idle >= 0));
    s = readfile("/proc/loadavg", NULL);
    double l1, l5, l15;
    int running = 0, total_p = 0, last = 0;
    int nl = s ? sscanf(s, "%lf %lf %lf %d/%d %d", &l1, &l5, &l15, &running, &total_p, &last) : 0;
    printf("loadavg: %d fields, running <= total %s, total > 0 %s\n", nl, yes(running <= total_p), yes(total_p > 0));
    s = readfile("/proc/stat", NULL);
    printf("stat: cpu line %s, cpu0 %s, btime %s, processes %s, procs_running %s\n",
           yes(s && strncmp(s, "cpu ", 4) == 0), yes(s && strstr(s, "\ncpu0 ")),
           yes(s && strstr(s, "\nbtime ")), yes(s && strstr(s, "\nprocesses ")),
           yes(s && strstr(s, "\nprocs_running ")));
    s = readfile("/proc/cpuinfo", NULL);
    printf("cpuinfo: processor 0 %s, model name %s\n", yes(s && strncmp(s, "processor\t: 0\n", 14) == 0),
           yes(s && strstr(s, "\nmodel name\t: ")));
    s = readfile("/proc/filesystems", NULL);
    printf("filesystems: nodev entries %s\n", yes(s && strstr(s, "nodev\t")));
    for (const char *const *k = (const char *const[]){"hostname", "ostype", "osrelease", NULL}; *k; k++) {
        char path[64];
        ssize_t n;
        snprintf(path, sizeof path, "/proc/sys/kernel/%s", *k);
        s = readfile(path, &n);
        printf("sys/kernel/%s: one line %s\n", *k, yes(s && n > 1 && s[n - 1] == '\n' && strchr(s, '\n') == s + n - 1));
    }
}

static void refusals(void) {
    errno = 0;
    printf("mkdir /proc/x: %s\n", mkdir("/proc/x", 0755) < 0 ? errno_name(errno) : "made");
    int fd = open("/proc/x", O_WRONLY | O_CREAT, 0644);
    printf("create /proc/x: %s\n", fd < 0 ? errno_name(errno) : "made");
    if (fd >= 0) close(fd);
    printf("chmod /proc/self/stat: %s\n", chmod("/proc/self/stat", 0600) < 0 ? errno_name(errno) : "done");
    printf("open /proc/<no such pid>/stat: %s\n", open("/proc/2147483647/stat", O_RDONLY) < 0 ? errno_name(errno) : "opened");
}

int main(int argc, char **argv) {
    test_init("procfs", argc, argv);
    proc_init();
    /* What status and stat show of the signals: one of each kind. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    CHECK_OK(sigprocmask(SIG_BLOCK, &set, NULL));
    signal(SIGUSR2, SIG_IGN);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_term;
    CHECK_OK(sigaction(SIGTERM, &sa, NULL));

    self_files(argc, argv);
    fd_files();
    child_files();
    system_files();
    refusals();
    return test_done();
}
