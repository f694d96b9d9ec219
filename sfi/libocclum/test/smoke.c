/*
 * smoke: libocclum end to end. An ordinary POSIX program (it builds with cc
 * on Linux, which is its oracle, and unchanged with occlum-gcc) that uses
 * posix_spawn, waitpid, pipes, dup2, signals, kill, getcwd/chdir, execve and
 * "#!" scripts. Children are this same program, started with a mode
 * argument, so it needs nothing else in the image; the system() and popen()
 * checks run only when /bin/sh exists. Installed as .../sh, it is a shell
 * just big enough for those checks (sh -c 'exit N', sh -c 'echo words'),
 * for LibOS images without a real one.
 *
 *   smoke [workdir]      run every check; prints "ok <check>" lines and
 *                        "smoke: PASS", exit status 0; or "FAIL ..." and 1.
 *                        workdir (default /tmp) must be writable.
 *
 * Inside the LibOS: put it in the image (e.g. /bin/smoke) and run
 * `occlum run /bin/smoke`. It spawns itself by argv[0] (made absolute
 * against the starting cwd), so start it by a path, not through PATH.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static const char *self;
static int failures;

#define CHECK(cond, ...)                                                   \
	do {                                                               \
		if (!(cond)) {                                             \
			printf("FAIL %s:%d: ", __func__, __LINE__);        \
			printf(__VA_ARGS__);                               \
			printf(" (errno %d: %s)\n", errno, strerror(errno)); \
			failures++;                                        \
		}                                                          \
	} while (0)

/* ---- children: smoke <mode> [args] ---- */

static int child(int argc, char **argv)
{
	const char *mode = argv[1];
	if (!strcmp(mode, "hello")) {
		printf("hello from %d, parent %d\n", (int)getpid(), (int)getppid());
		return 0;
	}
	if (!strcmp(mode, "exit") && argc > 2)
		return atoi(argv[2]);
	if (!strcmp(mode, "pause")) {
		for (;;)
			pause();
	}
	if (!strcmp(mode, "cat") && argc > 2) { /* print a file, path as given */
		FILE *f = fopen(argv[2], "r");
		if (!f) {
			printf("cannot open %s: %s\n", argv[2], strerror(errno));
			return 1;
		}
		char line[256];
		while (fgets(line, sizeof line, f))
			fputs(line, stdout);
		fclose(f);
		return 0;
	}
	if (!strcmp(mode, "cwd")) {
		char buf[4096];
		printf("%s\n", getcwd(buf, sizeof buf) ? buf : "(error)");
		return 0;
	}
	if (!strcmp(mode, "isclosed") && argc > 2) { /* exit 0 iff fd is not open */
		errno = 0;
		return fcntl(atoi(argv[2]), F_GETFD) == -1 && errno == EBADF ? 0 : 1;
	}
	if (!strcmp(mode, "pgrp")) {
		printf("%d %d\n", (int)getpid(), (int)getpgrp());
		return 0;
	}
	if (!strcmp(mode, "masked")) { /* exit 0 iff SIGUSR1 is blocked */
		sigset_t m;
		sigprocmask(SIG_BLOCK, NULL, &m);
		return sigismember(&m, SIGUSR1) ? 0 : 1;
	}
	if (!strcmp(mode, "exec-a")) { /* print pid, become exec-b */
		printf("%d\n", (int)getpid());
		fflush(stdout);
		char *av[] = {(char *)self, "exec-b", NULL};
		execv(self, av);
		printf("execv: %s\n", strerror(errno));
		return 1;
	}
	if (!strcmp(mode, "exec-b")) {
		printf("%d\n", (int)getpid());
		return 9;
	}
	if (!strcmp(mode, "script") && argc > 2) /* run as "#!smoke script" */
		return 5;
	fprintf(stderr, "smoke: unknown mode %s\n", mode);
	return 2;
}

/* ---- helpers ---- */

/* spawn runs this program with args, its stdout captured in out, and waits.
 * fa/attr may be NULL; the capture's dup2 is added to a copy of nothing:
 * callers that pass fa add their own actions first. Returns the wait
 * status, or -1. */
static int spawn(char *const args[], posix_spawn_file_actions_t *fa, posix_spawnattr_t *attr,
	char *out, size_t outlen, pid_t *pidp)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		CHECK(0, "pipe2");
		return -1;
	}
	posix_spawn_file_actions_t local;
	if (!fa) {
		posix_spawn_file_actions_init(&local);
		fa = &local;
	}
	posix_spawn_file_actions_adddup2(fa, p[1], 1);
	char *argv[16];
	int n = 0;
	argv[n++] = (char *)self;
	for (int i = 0; args[i] && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	pid_t pid;
	int e = posix_spawn(&pid, self, fa, attr, argv, environ);
	if (fa == &local)
		posix_spawn_file_actions_destroy(&local);
	close(p[1]);
	if (e) {
		close(p[0]);
		errno = e;
		CHECK(0, "posix_spawn %s %s", self, args[0]);
		return -1;
	}
	if (pidp)
		*pidp = pid;
	size_t got = 0;
	ssize_t r;
	while (got + 1 < outlen && (r = read(p[0], out + got, outlen - 1 - got)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			CHECK(0, "read from child");
			break;
		}
		got += (size_t)r;
	}
	out[got] = 0;
	close(p[0]);
	int status;
	pid_t w;
	while ((w = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
		;
	CHECK(w == pid, "waitpid returned %d, want %d", (int)w, (int)pid);
	return w == pid ? status : -1;
}

static void ok(const char *what)
{
	printf("ok %s\n", what);
	fflush(stdout);
}

/* ---- checks ---- */

static void check_ids(void)
{
	CHECK(getpid() > 0, "getpid");
	CHECK(getppid() >= 0, "getppid");
	CHECK(getpgid(0) > 0, "getpgid");
	struct utsname u;
	CHECK(uname(&u) == 0 && u.sysname[0], "uname");
	struct rlimit rl;
	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur > 3, "getrlimit");
	mode_t old = umask(027);
	CHECK(umask(old) == 027, "umask round trip");
	ok("ids");
}

static void check_spawn_pipe(void)
{
	char out[256];
	char *args[] = {"hello", NULL};
	pid_t pid;
	int st = spawn(args, NULL, NULL, out, sizeof out, &pid);
	char want[128];
	snprintf(want, sizeof want, "hello from %d, parent %d\n", (int)pid, (int)getpid());
	CHECK(st == 0, "status %#x", st);
	CHECK(!strcmp(out, want), "child said %s want %s", out, want);
	ok("spawn+pipe+dup2+wait");
}

static void check_exit_status(void)
{
	char out[16];
	char *args[] = {"exit", "7", NULL};
	int st = spawn(args, NULL, NULL, out, sizeof out, NULL);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7, "status %#x", st);
	ok("exit status");
}

static void check_kill_child(void)
{
	char *argv[] = {(char *)self, "pause", NULL};
	pid_t pid;
	int e = posix_spawn(&pid, self, NULL, NULL, argv, environ);
	CHECK(e == 0, "spawn pause: %s", strerror(e));
	if (e)
		return;
	CHECK(kill(pid, 0) == 0, "kill 0");
	CHECK(kill(pid, SIGTERM) == 0, "kill SIGTERM");
	int st;
	CHECK(waitpid(pid, &st, 0) == pid, "waitpid");
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "status %#x", st);
	ok("kill child");
}

static volatile sig_atomic_t got_usr1, got_usr2, got_chld, info_signo, info_code;

static void on_usr1(int sig) { got_usr1 = sig; }
static void on_usr2(int sig) { got_usr2 = sig; }
static void on_chld(int sig) { got_chld = sig; }
static void on_info(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	info_signo = si->si_signo == sig ? sig : -1;
	info_code = si->si_code;
}

static void check_signals(void)
{
	CHECK(signal(SIGUSR1, on_usr1) != SIG_ERR, "signal");
	CHECK(kill(getpid(), SIGUSR1) == 0, "kill self");
	CHECK(got_usr1 == SIGUSR1, "handler did not run");

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr2;
	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGUSR2, &sa, NULL) == 0, "sigaction");
	CHECK(raise(SIGUSR2) == 0, "raise");
	CHECK(got_usr2 == SIGUSR2, "raise: handler did not run");

	/* blocked: pending until unblocked */
	sigset_t block, pend;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	got_usr1 = 0;
	CHECK(sigprocmask(SIG_BLOCK, &block, NULL) == 0, "sigprocmask block");
	kill(getpid(), SIGUSR1);
	CHECK(got_usr1 == 0, "blocked signal delivered");
	CHECK(sigpending(&pend) == 0 && sigismember(&pend, SIGUSR1) == 1, "sigpending");
	CHECK(sigprocmask(SIG_UNBLOCK, &block, NULL) == 0, "sigprocmask unblock");
	getpid(); /* a syscall boundary */
	CHECK(got_usr1 == SIGUSR1, "unblocked signal not delivered");

	/* ignored, and the old handler comes back */
	CHECK(signal(SIGUSR1, SIG_IGN) == on_usr1, "signal returns the old handler");
	got_usr1 = 0;
	kill(getpid(), SIGUSR1);
	CHECK(got_usr1 == 0, "ignored signal ran the handler");
	struct sigaction old;
	CHECK(sigaction(SIGUSR1, NULL, &old) == 0 && old.sa_handler == SIG_IGN, "SIG_IGN reads back");
	signal(SIGUSR1, SIG_DFL);

	/* SA_SIGINFO */
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_info;
	sa.sa_flags = SA_SIGINFO;
	CHECK(sigaction(SIGUSR2, &sa, NULL) == 0, "sigaction SA_SIGINFO");
	kill(getpid(), SIGUSR2); /* raise() is tgkill in glibc: si_code SI_TKILL */
	CHECK(info_signo == SIGUSR2 && info_code == SI_USER, "siginfo handler: %d %d", (int)info_signo, (int)info_code);
	CHECK(sigaction(SIGUSR2, NULL, &old) == 0 && (old.sa_flags & SA_SIGINFO) && old.sa_sigaction == on_info,
		"SA_SIGINFO reads back");
	signal(SIGUSR2, SIG_DFL);

	errno = 0;
	CHECK(kill(getpid(), 1000) == -1 && errno == EINVAL, "kill with a bad signal");
	errno = 0;
	CHECK(sigaction(SIGKILL, &sa, NULL) == -1 && errno == EINVAL, "sigaction SIGKILL");

	/* SIGCHLD on a child's exit */
	signal(SIGCHLD, on_chld);
	char out[16];
	char *args[] = {"exit", "0", NULL};
	spawn(args, NULL, NULL, out, sizeof out, NULL);
	CHECK(got_chld == SIGCHLD, "no SIGCHLD");
	signal(SIGCHLD, SIG_DFL);
	ok("signals");
}

static void check_errors(void)
{
	int st;
	errno = 0;
	CHECK(waitpid(-1, &st, WNOHANG) == -1 && errno == ECHILD, "waitpid without children");
	errno = 0;
	CHECK(waitpid(1 << 22, &st, 0) == -1 && errno == ECHILD, "waitpid on a non-child");
	pid_t pid;
	char *argv[] = {"nope", NULL};
	CHECK(posix_spawn(&pid, "/nonexistent/program", NULL, NULL, argv, environ) == ENOENT, "spawn of a missing file");
	CHECK(posix_spawnp(&pid, "no-such-program-anywhere", NULL, NULL, argv, environ) == ENOENT, "spawnp of a missing file");
	errno = 0;
	CHECK(dup2(12345, 5) == -1 && errno == EBADF, "dup2 of a closed fd");
	errno = 0;
	CHECK(open("", O_RDONLY) == -1 && errno == ENOENT, "open of the empty path");
	ok("errors");
}

static void check_cwd(const char *workdir)
{
	char dir[512], buf[4096], out[4096];
	snprintf(dir, sizeof dir, "%s/occlum-smoke-%d", workdir, (int)getpid());
	CHECK(mkdir(dir, 0755) == 0, "mkdir %s", dir);
	char start[4096];
	CHECK(getcwd(start, sizeof start) != NULL, "getcwd");

	CHECK(chdir(dir) == 0, "chdir %s", dir);
	CHECK(getcwd(buf, sizeof buf) && !strcmp(buf, dir), "getcwd %s, want %s", buf, dir);
	errno = 0;
	CHECK(getcwd(buf, 2) == NULL && errno == ERANGE, "getcwd with a small buffer");
	FILE *f = fopen("rel.txt", "w"); /* relative: inside dir */
	CHECK(f != NULL, "create rel.txt");
	if (f) {
		fputs("relative content\n", f);
		fclose(f);
	}
	snprintf(buf, sizeof buf, "%s/rel.txt", dir);
	struct stat st;
	CHECK(stat(buf, &st) == 0, "rel.txt is not in %s", dir);

	/* the child inherits the cwd and resolves relative paths against it */
	char *cat[] = {"cat", "rel.txt", NULL};
	int s = spawn(cat, NULL, NULL, out, sizeof out, NULL);
	CHECK(s == 0 && !strcmp(out, "relative content\n"), "child read %s (status %#x)", out, s);

	/* the chdir file action */
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addchdir_np(&fa, "/");
	char *cwd[] = {"cwd", NULL};
	s = spawn(cwd, &fa, NULL, out, sizeof out, NULL);
	posix_spawn_file_actions_destroy(&fa);
	CHECK(s == 0 && !strcmp(out, "/\n"), "child in / says %s", out);

	/* fchdir and .. */
	int dfd = open(".", O_RDONLY | O_DIRECTORY);
	CHECK(dfd >= 0, "open .");
	CHECK(chdir("..") == 0, "chdir ..");
	CHECK(getcwd(buf, sizeof buf) && strcmp(buf, dir) != 0, "chdir .. stayed in %s", buf);
	if (dfd >= 0) {
		CHECK(fchdir(dfd) == 0, "fchdir");
		CHECK(getcwd(buf, sizeof buf) && !strcmp(buf, dir), "after fchdir: %s", buf);
		close(dfd);
	}
	errno = 0;
	CHECK(chdir("rel.txt") == -1 && errno == ENOTDIR, "chdir to a file");
	errno = 0;
	CHECK(chdir("no-such-dir") == -1 && errno == ENOENT, "chdir to nothing");

	unlink("rel.txt");
	CHECK(chdir(start) == 0, "chdir back");
	CHECK(rmdir(dir) == 0, "rmdir %s", dir);
	ok("cwd");
}

static void check_fds(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0, "open O_CLOEXEC");
	CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC, "O_CLOEXEC not set");
	int fd2 = dup(fd);
	CHECK(fd2 > fd && fcntl(fd2, F_GETFD) == 0, "dup keeps FD_CLOEXEC");
	int fd3 = fcntl(fd, F_DUPFD_CLOEXEC, 20);
	CHECK(fd3 >= 20 && fcntl(fd3, F_GETFD) == FD_CLOEXEC, "F_DUPFD_CLOEXEC");
	CHECK(dup2(fd, 30) == 30 && fcntl(30, F_GETFD) == 0, "dup2");
	CHECK((fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY, "F_GETFL access mode");
	int wfd = open("/dev/null", O_WRONLY | O_APPEND);
	CHECK(wfd >= 0 && (fcntl(wfd, F_GETFL) & (O_ACCMODE | O_APPEND)) == (O_WRONLY | O_APPEND), "F_GETFL O_WRONLY|O_APPEND");
	close(wfd);

	/* the child sees 30 and fd2 but not fd and fd3 */
	char out[16], num[16];
	char *args[] = {"isclosed", num, NULL};
	snprintf(num, sizeof num, "%d", fd);
	CHECK(spawn(args, NULL, NULL, out, sizeof out, NULL) == 0, "FD_CLOEXEC fd %d leaked into the child", fd);
	snprintf(num, sizeof num, "%d", fd3);
	CHECK(spawn(args, NULL, NULL, out, sizeof out, NULL) == 0, "F_DUPFD_CLOEXEC fd %d leaked", fd3);
	snprintf(num, sizeof num, "%d", 30);
	CHECK(spawn(args, NULL, NULL, out, sizeof out, NULL) != 0, "fd 30 not inherited");

	/* file actions: close and open */
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addclose(&fa, 30);
	CHECK(spawn(args, &fa, NULL, out, sizeof out, NULL) == 0, "close action");
	posix_spawn_file_actions_destroy(&fa);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 31, "/dev/null", O_RDONLY, 0);
	snprintf(num, sizeof num, "%d", 31);
	CHECK(spawn(args, &fa, NULL, out, sizeof out, NULL) != 0, "open action");
	posix_spawn_file_actions_destroy(&fa);

	close(fd);
	close(fd2);
	close(fd3);
	close(30);

	/* a pipe: EOF once the writer is gone */
	int p[2];
	CHECK(pipe(p) == 0, "pipe");
	CHECK(write(p[1], "x", 1) == 1, "write");
	close(p[1]);
	char c;
	CHECK(read(p[0], &c, 1) == 1 && c == 'x', "read");
	CHECK(read(p[0], &c, 1) == 0, "no EOF");
	close(p[0]);
	ok("fds");
}

static void check_exec(void)
{
	char out[64];
	char *args[] = {"exec-a", NULL};
	pid_t pid;
	int st = spawn(args, NULL, NULL, out, sizeof out, &pid);
	char want[64];
	snprintf(want, sizeof want, "%d\n%d\n", (int)pid, (int)pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 9, "status %#x", st);
	CHECK(!strcmp(out, want), "exec: %s want %s", out, want);
	ok("execve");
}

static void check_attrs(void)
{
	posix_spawnattr_t attr;
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&attr, 0);
	char out[64];
	char *pg[] = {"pgrp", NULL};
	pid_t pid;
	int st = spawn(pg, NULL, &attr, out, sizeof out, &pid);
	int a = -1, b = -2;
	sscanf(out, "%d %d", &a, &b);
	CHECK(st == 0 && a == pid && b == pid, "SETPGROUP: %s", out);
	posix_spawnattr_destroy(&attr);

	/* a new group, killed as a group */
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
	char *pz[] = {(char *)self, "pause", NULL};
	int e = posix_spawn(&pid, self, NULL, &attr, pz, environ);
	CHECK(e == 0, "spawn pause");
	if (!e) {
		CHECK(kill(-pid, SIGKILL) == 0, "kill -pgrp");
		CHECK(waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "status %#x", st);
	}
	posix_spawnattr_destroy(&attr);

	/* SETSIGMASK */
	posix_spawnattr_init(&attr);
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	posix_spawnattr_setsigmask(&attr, &m);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
	char *mk[] = {"masked", NULL};
	CHECK(spawn(mk, NULL, &attr, out, sizeof out, NULL) == 0, "SETSIGMASK");
	posix_spawnattr_destroy(&attr);
	ok("spawn attributes");
}

static void check_script(const char *workdir)
{
	char path[512];
	snprintf(path, sizeof path, "%s/occlum-smoke-script-%d", workdir, (int)getpid());
	FILE *f = fopen(path, "w");
	CHECK(f != NULL, "create %s", path);
	if (!f)
		return;
	fprintf(f, "#!%s script\n", self);
	fclose(f);
	pid_t pid;
	char *argv[] = {path, NULL};
	/* Without an execute bit, not even root may run it. */
	int e = posix_spawn(&pid, path, NULL, NULL, argv, environ);
	CHECK(e == EACCES, "spawn a script without execute bits: %s", strerror(e));
	CHECK(chmod(path, 0755) == 0, "chmod %s: %s", path, strerror(errno));
	e = posix_spawn(&pid, path, NULL, NULL, argv, environ);
	CHECK(e == 0, "spawn a #! script: %s", strerror(e));
	if (!e) {
		int st;
		CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 5, "script status %#x", st);
	}
	unlink(path);
	ok("#! script");
}

static jmp_buf jump_env;

static void jump_away(int depth)
{
	if (depth < 0)
		return;
	if (depth == 0)
		longjmp(jump_env, 5);
	jump_away(depth - 1);
}

/* setjmp/longjmp through frames (occlum.unwind and the env invokes). */
static void check_longjmp(void)
{
	volatile int passes = 0;
	int r = setjmp(jump_env);
	passes++;
	if (r == 0)
		jump_away(8);
	CHECK(r == 5 && passes == 2, "setjmp returned %d after %d passes, want 5 after 2", r, (int)passes);
}

static void check_shell(void)
{
	struct stat st;
	if (stat("/bin/sh", &st) != 0) {
		printf("skip system/popen: no /bin/sh\n");
		return;
	}
	int s = system("exit 3");
	CHECK(WIFEXITED(s) && WEXITSTATUS(s) == 3, "system: %#x", s);
	FILE *p = popen("echo popen works", "r");
	CHECK(p != NULL, "popen");
	if (p) {
		char line[64] = "";
		CHECK(fgets(line, sizeof line, p) && !strcmp(line, "popen works\n"), "popen read %s", line);
		CHECK(pclose(p) == 0, "pclose");
	}
	ok("system+popen");
}

/* sh -c 'exit N' | sh -c 'echo words...' */
static int mini_sh(int argc, char **argv)
{
	if (argc != 3 || strcmp(argv[1], "-c") != 0) {
		fprintf(stderr, "sh: only -c 'exit N' and -c 'echo ...'\n");
		return 2;
	}
	const char *cmd = argv[2];
	if (!strncmp(cmd, "exit ", 5))
		return atoi(cmd + 5);
	if (!strncmp(cmd, "echo ", 5)) {
		printf("%s\n", cmd + 5);
		return 0;
	}
	fprintf(stderr, "sh: %s: not found\n", cmd);
	return 127;
}

int main(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/');
	if (!strcmp(base ? base + 1 : argv[0], "sh"))
		return mini_sh(argc, argv);
	self = argv[0];
	static char abs_self[4096];
	if (self[0] != '/' && getcwd(abs_self, sizeof abs_self - 1 - strlen(self) - 1)) {
		strcat(abs_self, "/");
		strcat(abs_self, self);
		self = abs_self;
	}
	if (argc > 1 && strcmp(argv[1], "-") != 0 && argv[1][0] != '/')
		return child(argc, argv);
	const char *workdir = argc > 1 && argv[1][0] == '/' ? argv[1] : "/tmp";
	setvbuf(stdout, NULL, _IONBF, 0);

	check_ids();
	check_spawn_pipe();
	check_exit_status();
	check_kill_child();
	check_signals();
	check_errors();
	check_cwd(workdir);
	check_fds();
	check_exec();
	check_attrs();
	check_script(workdir);
	check_shell();
	check_longjmp();

	if (failures) {
		printf("smoke: FAIL (%d)\n", failures);
		return 1;
	}
	printf("smoke: PASS\n");
	return 0;
}
