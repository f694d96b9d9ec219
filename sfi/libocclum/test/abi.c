/*
 * abi: libocclum against a scripted mock of the `occlum` import module
 * (libocclum_test.go, TestAgainstMockABI). It calls the overlay's functions
 * with known arguments and prints what comes back; the Go test checks both
 * what reached the mock (pointers decoded, flags translated to Linux values,
 * structures laid out as docs/abi.md says) and this output. It is not a
 * POSIX program: the mock's answers are canned.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/file.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int got;
static void handler(int sig) { got = sig; }
static void info_handler(int sig, siginfo_t *si, void *ctx)
{
	got = 1000 + sig + (si->si_signo == sig) + (si->si_code == SI_USER) + (ctx == NULL);
}

static void show_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[128] = "";
	if (f && fgets(line, sizeof line, f))
		line[strcspn(line, "\n")] = 0;
	printf("read %s: %s\n", path, f ? line : strerror(errno));
	if (f)
		fclose(f);
}

int main(void)
{
	/* cwd: the first relative path asks the LibOS; chdir tells it. */
	show_file("data.txt");
	printf("chdir: %d\n", chdir("sub"));
	show_file("inner.txt");
	show_file("../data.txt");
	char buf[256];
	printf("getcwd: %s\n", getcwd(buf, sizeof buf));
	printf("fchdir: %d\n", fchdir(3));
	printf("chdir missing: %d %s\n", chdir("missing"), strerror(errno));
	errno = 0;
	printf("open empty: %d %d\n", open("", O_RDONLY), errno);

	/* O_CLOEXEC and fcntl */
	int fd = open("inner.txt", O_RDONLY | O_CLOEXEC);
	printf("open cloexec: %d\n", fd >= 0);
	int fl = fcntl(fd, F_GETFL);
	printf("F_GETFL: rdwr=%d append=%d nonblock=%d\n", (fl & O_ACCMODE) == O_RDWR, !!(fl & O_APPEND), !!(fl & O_NONBLOCK));
	fcntl(fd, F_SETFL, O_NONBLOCK | O_APPEND);
	printf("F_GETFD: %d\n", fcntl(fd, F_GETFD));
	close(fd);

	/* descriptors */
	int p[2];
	printf("pipe2: %d %d %d\n", pipe2(p, O_CLOEXEC | O_NONBLOCK), p[0], p[1]);
	printf("dup: %d\n", dup(p[0]));
	printf("dup2: %d\n", dup2(p[0], 20));
	errno = 0;
	printf("dup2 bad: %d %d\n", dup2(99, 5), errno == EBADF);
	printf("dup3: %d\n", dup3(p[0], 21, O_CLOEXEC));
	errno = 0;
	printf("dup3 bad flags: %d %d\n", dup3(p[0], 21, O_APPEND), errno == EINVAL);

	/* spawn with every file action and attribute */
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 5, "/out.txt", O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0640);
	posix_spawn_file_actions_addclose(&fa, 6);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_addchdir_np(&fa, "/tmp");
	posix_spawn_file_actions_addfchdir_np(&fa, 7);
	posix_spawnattr_t attr;
	posix_spawnattr_init(&attr);
	sigset_t mask, def;
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGRTMAX);
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	posix_spawnattr_setsigmask(&attr, &mask);
	posix_spawnattr_setsigdefault(&attr, &def);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSCHEDULER);
	char *argv[] = {"prog", "two words", "", NULL};
	char *envp[] = {"A=1", "EMPTY=", NULL};
	pid_t pid = 0;
	int e = posix_spawn(&pid, "/bin/prog", &fa, &attr, argv, envp);
	printf("posix_spawn: %d pid %d\n", e, (int)pid);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	printf("spawn missing: %d\n", posix_spawn(&pid, "/missing", NULL, NULL, argv, NULL) == ENOENT);

	/* "#!" scripts and PATH search */
	char *sargv[] = {"script.sh", "arg1", NULL};
	e = posix_spawn(&pid, "script.sh", NULL, NULL, sargv, NULL);
	printf("script: %d pid %d\n", e, (int)pid);
	setenv("PATH", "/nope:/bin", 1);
	e = posix_spawnp(&pid, "prog", NULL, NULL, argv, NULL);
	printf("spawnp: %d pid %d\n", e, (int)pid);

	/* wait */
	int st = 0;
	pid_t w = waitpid(77, &st, WNOHANG);
	printf("waitpid: %d exited=%d status=%d\n", (int)w, WIFEXITED(st), WEXITSTATUS(st));
	w = wait(&st);
	printf("wait: %d signaled=%d sig=%d\n", (int)w, WIFSIGNALED(st), WTERMSIG(st));
	siginfo_t si;
	printf("waitid: %d pid=%d code=%d status=%d\n", waitid(P_PID, 77, &si, WEXITED), (int)si.si_pid, si.si_code, si.si_status);

	/* exec */
	printf("execv: %d %s\n", execv("/bin/none", argv), strerror(errno));

	/* signals */
	printf("signal: %d\n", signal(SIGUSR1, handler) == SIG_DFL);
	printf("kill: %d got %d\n", kill(getpid(), SIGUSR1), got);
	printf("signal again: %d\n", signal(SIGUSR1, SIG_IGN) == handler);
	printf("signal ign: %d\n", signal(SIGUSR1, SIG_DFL) == SIG_IGN);
	struct sigaction sa, old;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = info_handler;
	sa.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_NOCLDSTOP;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGTERM);
	printf("sigaction: %d\n", sigaction(SIGUSR2, &sa, NULL));
	printf("raise: %d got %d\n", raise(SIGUSR2), got);
	printf("sigaction old: %d siginfo=%d resethand=%d\n", sigaction(SIGUSR2, NULL, &old),
		old.sa_sigaction == info_handler && (old.sa_flags & SA_SIGINFO), !!(old.sa_flags & SA_RESETHAND));
	sigset_t set, oset;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	printf("sigprocmask: %d\n", sigprocmask(SIG_BLOCK, &set, &oset));
	printf("old mask has SIGINT: %d\n", sigismember(&oset, SIGINT));
	printf("sigpending: %d has SIGHUP: %d\n", sigpending(&set), sigismember(&set, SIGHUP));
	printf("sigsuspend: %d %d\n", sigsuspend(&oset), errno == EINTR);
	printf("killpg: %d\n", killpg(5, SIGTERM));

	/* process groups, identity, system */
	printf("pids: %d %d %d\n", (int)getpid(), (int)getppid(), (int)getpgrp());
	printf("setpgid: %d\n", setpgid(0, 0));
	printf("ids: %d %d %d %d\n", (int)getuid(), (int)geteuid(), (int)getgid(), (int)getegid());
	printf("umask: %o\n", (unsigned)umask(077));
	printf("chown: %d %d\n", chown("/work/missing", 1, 2), errno == ENOENT);
	printf("lchown: %d %d\n", lchown("/work/missing", 1, 2), errno == ENOENT);
	printf("fchmodat: %d %d\n", fchmodat(AT_FDCWD, "/work/missing", 0600, 0), errno == ENOENT);
	printf("flock: %d\n", flock(1, LOCK_EX | LOCK_NB));
	sync();
	printf("syncfs: %d %d\n", syncfs(0), syncfs(-1) == -1 && errno == EBADF);
	struct utsname u;
	printf("uname: %d %s %s\n", uname(&u), u.sysname, u.machine);
	char host[65];
	printf("gethostname: %d %s\n", gethostname(host, sizeof host), host);
	struct sysinfo s;
	printf("sysinfo: %d totalram=%llu procs=%u\n", sysinfo(&s), (unsigned long long)s.totalram * s.mem_unit, (unsigned)s.procs);
	struct rlimit rl = {100, 200};
	printf("setrlimit: %d\n", setrlimit(RLIMIT_NOFILE, &rl));
	printf("getrlimit: %d %llu %llu\n", getrlimit(RLIMIT_NOFILE, &rl), rl.rlim_cur, rl.rlim_max);
	printf("prlimit: %d %llu\n", prlimit(0, RLIMIT_NPROC, NULL, &rl), rl.rlim_cur);
	printf("system: %#x\n", system("exit 3"));
	printf("fork: %d %d\n", (int)fork(), errno == ENOSYS);
	char *rp = realpath("../sub/./inner.txt", NULL);
	printf("realpath: %s\n", rp ? rp : strerror(errno));
	free(rp);
	printf("strsignal: %s\n", strsignal(SIGTERM));
	return 0;
}
