/* exec.c: running the tree. External commands start with posix_spawn; their
 * pipes and redirections are posix_spawn file actions. Builtins, functions
 * and compound commands run in this process; where dash would fork a
 * subshell for them (a pipeline element, ( ... ), $( ... )), the shell saves
 * its fds, variables and cwd and restores them afterwards. */
#include "sh.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int pending, pending_n, last_status, cur_line, cond_depth;
static int cmdsub_status = -1; /* status of the last $(...) of a command */
int opt_errexit, opt_xtrace, opt_noglob, opt_nounset;
char *arg0 = "sh";
char *shell_path;
pid_t last_bg;
int interactive;
int sigpipe_default = 1; /* children get SIGPIPE back to default */
static int loop_depth;

/* background processes not yet waited for */
static pid_t *bgpids;
static int nbg;

void flushall(void)
{
	fflush(stdout);
	fflush(stderr);
}

void sh_error(const char *fmt, ...)
{
	extern int quiet_errors;
	va_list ap;
	if (quiet_errors)
		return;
	fflush(stdout);
	fprintf(stderr, "%s: %d: ", arg0, cur_line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

void sh_exit(int status)
{
	flushall();
	exit(status & 0xff);
}

const char *signame_of(int sig)
{
	switch (sig) {
	case SIGHUP: return "Hangup";
	case SIGQUIT: return "Quit";
	case SIGILL: return "Illegal instruction";
	case SIGTRAP: return "Trace/breakpoint trap";
	case SIGABRT: return "Aborted";
	case SIGBUS: return "Bus error";
	case SIGFPE: return "Floating point exception";
	case SIGKILL: return "Killed";
	case SIGUSR1: return "User defined signal 1";
	case SIGSEGV: return "Segmentation fault";
	case SIGUSR2: return "User defined signal 2";
	case SIGALRM: return "Alarm clock";
	case SIGTERM: return "Terminated";
	}
	return NULL;
}

/* dash's wording for open/creat failures */
static const char *errmsg(int e, int creat)
{
	if (e != ENOENT && e != ENOTDIR)
		return strerror(e);
	return creat ? "Directory nonexistent" : "No such file";
}

/* ---- emulated subshells ---- */

struct subsh {
	struct varsnap *vars;
	int errexit, noglob, xtrace, loop_depth;
};

static void sub_enter(struct subsh *s)
{
	flushall();
	s->vars = var_snapshot();
	s->errexit = opt_errexit;
	s->noglob = opt_noglob;
	s->xtrace = opt_xtrace;
	s->loop_depth = loop_depth;
	loop_depth = 0;
}

static int sub_leave(struct subsh *s, int status)
{
	flushall();
	if (pending == P_EXIT)
		status = last_status;
	pending = P_NONE;
	var_restore(s->vars);
	opt_errexit = s->errexit;
	opt_noglob = s->noglob;
	opt_xtrace = s->xtrace;
	loop_depth = s->loop_depth;
	last_status = status;
	return status;
}

/* ---- redirections ---- */

static int tmpcounter;
static unsigned long long child_fds; /* fds already set up by file actions */

/* An fd open on a fresh unlinked temporary file. */
static int tmpfile_fd(void)
{
	const char *dir = var_get("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	for (int tries = 0; tries < 100; tries++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/.sh-%ld-%d", dir, (long)getpid(), tmpcounter++);
		int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0) {
			unlink(path);
			return fd;
		}
		if (errno != EEXIST) {
			sh_error("cannot create temp file %s: %s", path, strerror(errno));
			return -1;
		}
	}
	return -1;
}

static int writeall(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Move fd to >= 10 with FD_CLOEXEC, so it never collides with a target and
 * never leaks into a child (a leaked pipe end would hide EOF). */
static int highfd(int fd)
{
	if (fd < 0)
		return fd;
	if (fd >= 10) {
#if O_CLOEXEC == 0
		/* wasi-libc defines O_CLOEXEC as 0: open() and pipe2() did not
		 * set it */
		fcntl(fd, F_SETFD, FD_CLOEXEC);
#endif
		return fd;
	}
	int h = fcntl(fd, F_DUPFD_CLOEXEC, 10);
	close(fd);
	return h;
}

static int heredoc_fd(struct redir *r)
{
	char *text = r->quoted ? xstrdup(r->body ? r->body : "") : expand_heredoc(r->body ? r->body : "");
	size_t n = strlen(text);
	int fd;
	if (n <= 4096) {
		/* small: fits in any pipe buffer, no reader needed yet */
		int p[2];
		if (pipe2(p, O_CLOEXEC) < 0) {
			sh_error("pipe: %s", strerror(errno));
			free(text);
			return -1;
		}
		writeall(p[1], text, n);
		close(p[1]);
		fd = p[0];
	} else {
		fd = tmpfile_fd();
		if (fd >= 0) {
			writeall(fd, text, n);
			lseek(fd, 0, SEEK_SET);
		}
	}
	free(text);
	return highfd(fd);
}

/* The fd a redirection makes its target a copy of: a newly opened fd
 * (*opened = 1), an existing fd, or -2 for "close the target". */
static int redir_source(struct redir *r, int *opened)
{
	*opened = 0;
	if (r->type == R_HEREDOC) {
		*opened = 1;
		return heredoc_fd(r);
	}
	char *w = expand_one(r->word);
	int fd = -1;
	if (r->type == R_DUPIN || r->type == R_DUPOUT) {
		if (strcmp(w, "-") == 0) {
			free(w);
			return -2;
		}
		char *end;
		long n = strtol(w, &end, 10);
		if (!*w || *end || n < 0) {
			sh_error("Syntax error: Bad fd number");
			free(w);
			return -1;
		}
		if (!(n < 64 && (child_fds >> n) & 1) && fcntl((int)n, F_GETFD) < 0) {
			sh_error("%ld: Bad file descriptor", n);
			free(w);
			return -1;
		}
		free(w);
		return (int)n;
	}
	int flags = 0, creat = 0;
	switch (r->type) {
	case R_IN: flags = O_RDONLY; break;
	case R_OUT: flags = O_WRONLY | O_CREAT | O_TRUNC; creat = 1; break;
	case R_APPEND: flags = O_WRONLY | O_CREAT | O_APPEND; creat = 1; break;
	case R_RDWR: flags = O_RDWR | O_CREAT; creat = 1; break;
	default: break;
	}
	fd = open(w, flags | O_CLOEXEC, 0666);
	if (fd < 0) {
		sh_error("cannot %s %s: %s", creat ? "create" : "open", w, errmsg(errno, creat));
		free(w);
		return -1;
	}
	free(w);
	*opened = 1;
	return highfd(fd);
}

struct saved {
	int fd, copy; /* copy < 0: fd was closed */
};

struct savelist {
	struct saved s[64];
	int n;
};

static void save_fd(struct savelist *sl, int fd)
{
	for (int i = 0; i < sl->n; i++)
		if (sl->s[i].fd == fd)
			return;
	if (sl->n == 64)
		return;
	sl->s[sl->n].fd = fd;
	sl->s[sl->n].copy = fcntl(fd, F_DUPFD_CLOEXEC, 10);
	sl->n++;
}

static void restore_fds(struct savelist *sl)
{
	flushall();
	for (int i = sl->n - 1; i >= 0; i--) {
		if (sl->s[i].copy >= 0) {
			dup2(sl->s[i].copy, sl->s[i].fd);
			close(sl->s[i].copy);
		} else {
			close(sl->s[i].fd);
		}
	}
	sl->n = 0;
}

/* Make fd a copy of src in this process, remembering the old fd. */
static void move_fd(struct savelist *sl, int src, int fd)
{
	flushall();
	if (sl)
		save_fd(sl, fd);
	if (src == -2)
		close(fd);
	else if (src != fd)
		dup2(src, fd);
}

/* Apply redirections in this process. Returns -1 on failure (message
 * printed; whatever was applied stays in sl for restoring). */
static int apply_redirs(struct redir *r, struct savelist *sl)
{
	for (; r; r = r->next) {
		int opened;
		int src = redir_source(r, &opened);
		if (src == -1)
			return -1;
		move_fd(sl, src, r->fd);
		if (opened)
			close(src);
	}
	return 0;
}

/* ---- spawning ---- */

static char *cached_path;
struct pcache {
	char *name, *path;
	struct pcache *next;
};
static struct pcache *pcache;

static void pcache_check(void)
{
	const char *p = var_get("PATH");
	if (!p)
		p = "/bin";
	if (cached_path && strcmp(cached_path, p) == 0)
		return;
	free(cached_path);
	cached_path = xstrdup(p);
	while (pcache) {
		struct pcache *n = pcache->next;
		free(pcache->name);
		free(pcache->path);
		free(pcache);
		pcache = n;
	}
}

/* Search $PATH. Returns a malloc'd path, or NULL with *denied set if a
 * matching file exists but cannot be executed. */
static char *path_lookup(const char *name, int *denied)
{
	*denied = 0;
	pcache_check();
	for (struct pcache *c = pcache; c; c = c->next)
		if (strcmp(c->name, name) == 0)
			return xstrdup(c->path);
	const char *p = cached_path;
	size_t nl = strlen(name);
	char *found = NULL;
	for (;;) {
		const char *e = strchr(p, ':');
		size_t dl = e ? (size_t)(e - p) : strlen(p);
		char *full = xmalloc(dl + nl + 2);
		if (dl == 0) {
			memcpy(full, name, nl + 1);
		} else {
			memcpy(full, p, dl);
			full[dl] = '/';
			memcpy(full + dl + 1, name, nl + 1);
		}
		struct stat st;
		if (stat(full, &st) == 0 && S_ISREG(st.st_mode)) {
			if (access(full, X_OK) == 0) {
				found = full;
				break;
			}
			*denied = 1;
		}
		free(full);
		if (!e)
			break;
		p = e + 1;
	}
	if (found) {
		struct pcache *c = xmalloc(sizeof *c);
		c->name = xstrdup(name);
		c->path = xstrdup(found);
		c->next = pcache;
		pcache = c;
	}
	return found;
}

void path_forget(void)
{
	free(cached_path);
	cached_path = NULL;
}

/* One posix_spawn. fa: file actions prepared by the caller. */
static int do_spawn(pid_t *pid, const char *path, posix_spawn_file_actions_t *fa, char **argv)
{
	posix_spawnattr_t attr;
	posix_spawnattr_init(&attr);
	sigset_t def, mask;
	sigemptyset(&def);
	sigemptyset(&mask);
	short flags = POSIX_SPAWN_SETSIGMASK;
	if (sigpipe_default) {
		sigaddset(&def, SIGPIPE);
		flags |= POSIX_SPAWN_SETSIGDEF;
		posix_spawnattr_setsigdefault(&attr, &def);
	}
	posix_spawnattr_setsigmask(&attr, &mask);
	posix_spawnattr_setflags(&attr, flags);
	flushall();
	char **envp = var_environ();
	int rc = posix_spawn(pid, path, fa, &attr, argv, envp);
	if (rc == ENOEXEC && shell_path) {
		/* a script without #!: run it with this shell */
		int n = 0;
		while (argv[n])
			n++;
		char **av = xmalloc((n + 2) * sizeof *av);
		av[0] = arg0;
		av[1] = (char *)path;
		for (int i = 1; i <= n; i++)
			av[i + 1] = argv[i];
		rc = posix_spawn(pid, shell_path, fa, &attr, av, envp);
		free(av);
	}
	posix_spawnattr_destroy(&attr);
	return rc;
}

static int status_of(int st, int report)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st)) {
		int sig = WTERMSIG(st);
		const char *name = signame_of(sig);
		if (report && name) {
#ifdef WCOREDUMP
			if (WCOREDUMP(st))
				fprintf(stderr, "%s (core dumped)\n", name);
			else
#endif
				fprintf(stderr, "%s\n", name);
		}
		return 128 + sig;
	}
	return 1;
}

static int wait_pid(pid_t pid, int report)
{
	int st;
	for (;;) {
		pid_t r = waitpid(pid, &st, 0);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return 127;
	}
	for (int i = 0; i < nbg; i++)
		if (bgpids[i] == pid)
			bgpids[i] = bgpids[--nbg];
	return status_of(st, report);
}

int wait_builtin(int argc, char **argv)
{
	int status = 0;
	if (argc > 1) {
		for (int i = 1; i < argc; i++) {
			pid_t pid = (pid_t)atol(argv[i]);
			int known = 0;
			for (int k = 0; k < nbg; k++)
				if (bgpids[k] == pid)
					known = 1;
			status = known ? wait_pid(pid, 1) : 127;
		}
		return status;
	}
	while (nbg > 0)
		wait_pid(bgpids[0], 1);
	return 0;
}

/* ---- simple commands ---- */

enum kind { K_EXTERNAL, K_SPECIAL, K_FUNCTION, K_BUILTIN };

static enum kind cmd_kind(const char *name, builtin_fn *fn, struct node **fbody)
{
	int special = 0;
	*fn = builtin_lookup(name, &special);
	if (*fn && special)
		return K_SPECIAL;
	if ((*fbody = func_get(name)))
		return K_FUNCTION;
	if (*fn)
		return K_BUILTIN;
	return K_EXTERNAL;
}

struct tmpvar {
	char *name, *old;
	int flags, existed;
};

/* prefix assignments: permanent (perm) or until undo_assigns */
static struct tmpvar *do_assigns(struct node *n, int perm)
{
	struct tmpvar *t = perm ? NULL : xmalloc((n->nassign + 1) * sizeof *t);
	for (int i = 0; i < n->nassign; i++) {
		char *eq = strchr(n->args[i], '=');
		char *name = xstrndup(n->args[i], eq - n->args[i]);
		char *val = expand_one(eq + 1);
		if (opt_xtrace)
			fprintf(stderr, "+ %s=%s\n", name, val);
		if (t) {
			const char *o = var_get(name);
			t[i].name = xstrdup(name);
			t[i].old = o ? xstrdup(o) : NULL;
			t[i].existed = o != NULL || var_flags(name);
			t[i].flags = var_flags(name);
			var_set(name, val, V_EXPORT);
		} else if (var_set(name, val, 0) < 0 && !interactive) {
			pending = P_EXIT;
			last_status = 2;
		}
		free(name);
		free(val);
	}
	return t;
}

static void undo_assigns(struct node *n, struct tmpvar *t)
{
	if (!t)
		return;
	for (int i = n->nassign - 1; i >= 0; i--) {
		var_unset(t[i].name);
		if (t[i].existed) {
			var_set(t[i].name, t[i].old, t[i].flags);
		}
		free(t[i].name);
		free(t[i].old);
	}
	free(t);
}

static void xtrace(char **argv)
{
	if (!opt_xtrace)
		return;
	fputc('+', stderr);
	for (; *argv; argv++)
		fprintf(stderr, " %s", *argv);
	fputc('\n', stderr);
}

static int call_function(struct node *body, int argc, char **argv)
{
	char **oldv = posv;
	int oldc = posc;
	posv = NULL;
	posc = 0;
	pos_set(argv + 1, argc - 1);
	int status = run(body);
	if (pending == P_RETURN) {
		pending = P_NONE;
		status = last_status;
	}
	for (int i = 0; i < posc; i++)
		free(posv[i]);
	free(posv);
	posv = oldv;
	posc = oldc;
	return status;
}

/*
 * Spawn an external command with stdin/stdout from infd/outfd (-1: inherit)
 * and the node's redirections as file actions. Returns 0 and sets *pid, or
 * the exit status to report (126, 127, 2) when nothing was started.
 */
static int spawn_external(struct node *n, char **argv, int infd, int outfd, pid_t *pid)
{
	char *path;
	if (strchr(argv[0], '/')) {
		path = xstrdup(argv[0]);
	} else {
		int denied;
		path = path_lookup(argv[0], &denied);
		if (!path) {
			sh_error("%s: %s", argv[0], denied ? "Permission denied" : "not found");
			return denied ? 126 : 127;
		}
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	if (infd >= 0)
		posix_spawn_file_actions_adddup2(&fa, infd, 0);
	if (outfd >= 0)
		posix_spawn_file_actions_adddup2(&fa, outfd, 1);
	int opened[64], nopened = 0, status = 0;
	child_fds = 0;
	for (struct redir *r = n ? n->redirs : NULL; r; r = r->next) {
		int o;
		int src = redir_source(r, &o);
		if (r->fd < 64)
			child_fds |= 1ULL << r->fd;
		if (src == -1) {
			status = 2;
			break;
		}
		if (o && nopened < 64)
			opened[nopened++] = src;
		if (src == -2)
			posix_spawn_file_actions_addclose(&fa, r->fd);
		else if (src != r->fd)
			posix_spawn_file_actions_adddup2(&fa, src, r->fd);
	}
	if (status == 0) {
		int rc = do_spawn(pid, path, &fa, argv);
		if (rc != 0) {
			if (rc == ENOENT || rc == ENOTDIR) {
				sh_error("%s: not found", argv[0]);
				status = 127;
			} else if (rc == EACCES || rc == EISDIR) {
				sh_error("%s: Permission denied", argv[0]);
				status = 126;
			} else {
				sh_error("%s: %s", argv[0], strerror(rc));
				status = 126;
			}
		}
	}
	child_fds = 0;
	for (int i = 0; i < nopened; i++)
		close(opened[i]);
	posix_spawn_file_actions_destroy(&fa);
	free(path);
	return status;
}

static void expand_args(struct node *n, struct strv *args)
{
	for (int i = n->nassign; i < n->nargs; i++)
		expand_word(n->args[i], EX_SPLIT | EX_GLOB | EX_TILDE, args);
}

/*
 * Run a simple command whose words are already expanded. If pid is not NULL
 * and the command is external, it is only started (*pid set) with
 * stdin/stdout from infd/outfd; otherwise the caller has set up fds 0 and 1.
 */
static int exec_simple(struct node *n, struct strv *args, int infd, int outfd, pid_t *pid)
{
	cur_line = n->line;
	if (pid)
		*pid = 0;
	if (args->n == 0) {
		/* assignments and redirections only */
		do_assigns(n, 1);
		if (pending == P_EXIT)
			return 2;
		struct savelist sl = {0};
		int failed = apply_redirs(n->redirs, &sl) < 0;
		restore_fds(&sl);
		return failed ? 2 : cmdsub_status >= 0 ? cmdsub_status : 0;
	}
	builtin_fn fn;
	struct node *body = NULL;
	enum kind k = cmd_kind(args->v[0], &fn, &body);
	if (k == K_EXTERNAL) {
		struct tmpvar *t = n->nassign ? do_assigns(n, 0) : NULL;
		xtrace(args->v);
		pid_t p = 0;
		int status = spawn_external(n, args->v, infd, outfd, &p);
		undo_assigns(n, t);
		if (status != 0 || p == 0)
			return status;
		if (pid) {
			*pid = p;
			return 0;
		}
		return wait_pid(p, 1);
	}
	struct tmpvar *t = NULL;
	if (k == K_SPECIAL)
		do_assigns(n, 1);
	else if (n->nassign)
		t = do_assigns(n, 0);
	xtrace(args->v);
	struct savelist sl = {0};
	int status;
	if (k == K_SPECIAL && args->n == 1 && strcmp(args->v[0], "exec") == 0) {
		/* exec with redirections only: they stay */
		if (apply_redirs(n->redirs, NULL) < 0) {
			pending = P_EXIT;
			last_status = 2;
			return 2;
		}
		return 0;
	}
	if (apply_redirs(n->redirs, &sl) < 0) {
		status = 2;
		if (k == K_SPECIAL && !interactive) {
			pending = P_EXIT;
			last_status = 2;
		}
	} else if (k == K_FUNCTION) {
		status = call_function(body, args->n, args->v);
	} else {
		status = fn(args->n, args->v);
		fflush(stdout);
	}
	restore_fds(&sl);
	undo_assigns(n, t);
	return status;
}

static int run_simple(struct node *n)
{
	struct strv args = {0};
	cmdsub_status = -1; /* $(...) in the words sets it */
	cur_line = n->line;
	expand_args(n, &args);
	int status = pending == P_EXIT ? last_status : exec_simple(n, &args, -1, -1, NULL);
	sv_free(&args);
	return status;
}

/* ---- pipelines ---- */

static int run_in_subshell(struct node *n)
{
	struct subsh s;
	sub_enter(&s);
	int status = run(n);
	return sub_leave(&s, status);
}

static int run_pipeline(struct node *p, int bg)
{
	int k = p->nkids;
	struct node **kids = p->kids;
	struct node *single[1];
	if (p->type != N_PIPE) {
		single[0] = p;
		kids = single;
		k = 1;
	}
	int (*pipes)[2] = xmalloc(k * sizeof *pipes);
	pid_t *pids = xmalloc(k * sizeof *pids);
	struct strv *args = xmalloc(k * sizeof *args);
	int *status = xmalloc(k * sizeof *status);
	int *deferred = xmalloc(k * sizeof *deferred);
	memset(args, 0, k * sizeof *args);
	int devnull = -1;
	if (bg) {
		devnull = highfd(open("/dev/null", O_RDONLY | O_CLOEXEC));
	}
	for (int i = 0; i < k; i++) {
		pipes[i][0] = pipes[i][1] = -1;
		if (i < k - 1 && pipe2(pipes[i], O_CLOEXEC) < 0) {
			sh_error("pipe: %s", strerror(errno));
			pipes[i][0] = pipes[i][1] = -1;
		}
		pipes[i][0] = highfd(pipes[i][0]);
		pipes[i][1] = highfd(pipes[i][1]);
	}
	/* pass 1: start the external commands, left to right */
	for (int i = 0; i < k; i++) {
		int in = i > 0 ? pipes[i - 1][0] : devnull;
		int out = i < k - 1 ? pipes[i][1] : -1;
		pids[i] = 0;
		status[i] = 0;
		deferred[i] = 1;
		if (kids[i]->type != N_CMD)
			continue;
		struct node *n = kids[i];
		builtin_fn fn;
		struct node *body;
		cur_line = n->line;
		expand_args(n, &args[i]);
		if (args[i].n == 0 || cmd_kind(args[i].v[0], &fn, &body) != K_EXTERNAL)
			continue;
		deferred[i] = 0;
		status[i] = exec_simple(n, &args[i], in, out, &pids[i]);
		/* the child has its copies now */
		if (i > 0) {
			close(pipes[i - 1][0]);
			pipes[i - 1][0] = -1;
		}
		if (out >= 0) {
			close(pipes[i][1]);
			pipes[i][1] = -1;
		}
	}
	/* pass 2: everything else runs here, as an emulated subshell */
	for (int i = 0; i < k; i++) {
		if (!deferred[i])
			continue;
		int in = i > 0 ? pipes[i - 1][0] : devnull;
		int out = i < k - 1 ? pipes[i][1] : -1;
		struct savelist sl = {0};
		if (in >= 0)
			move_fd(&sl, in, 0);
		if (out >= 0)
			move_fd(&sl, out, 1);
		if (k == 1 && !bg) {
			status[i] = kids[i]->type == N_CMD ? exec_simple(kids[i], &args[i], -1, -1, NULL) : run(kids[i]);
		} else {
			struct subsh s;
			sub_enter(&s);
			int st = kids[i]->type == N_CMD ? exec_simple(kids[i], &args[i], -1, -1, NULL) : run(kids[i]);
			status[i] = sub_leave(&s, st);
		}
		restore_fds(&sl);
		if (i > 0 && pipes[i - 1][0] >= 0) {
			close(pipes[i - 1][0]);
			pipes[i - 1][0] = -1;
		}
		if (out >= 0) {
			close(pipes[i][1]);
			pipes[i][1] = -1;
		}
	}
	for (int i = 0; i < k; i++) {
		if (pipes[i][0] >= 0)
			close(pipes[i][0]);
		if (pipes[i][1] >= 0)
			close(pipes[i][1]);
	}
	if (devnull >= 0)
		close(devnull);
	for (int i = 0; i < k; i++) {
		if (!pids[i])
			continue;
		if (bg) {
			bgpids = xrealloc(bgpids, (nbg + 1) * sizeof *bgpids);
			bgpids[nbg++] = pids[i];
			last_bg = pids[i];
		} else {
			status[i] = wait_pid(pids[i], i == k - 1);
		}
	}
	int result = bg ? 0 : status[k - 1];
	for (int i = 0; i < k; i++)
		sv_free(&args[i]);
	free(pipes);
	free(pids);
	free(args);
	free(status);
	free(deferred);
	return result;
}

/* ---- compound commands ---- */

static int loop_control(void)
{
	/* returns 1 if the loop must stop */
	if (pending == P_BREAK) {
		if (--pending_n <= 0)
			pending = P_NONE;
		return 1;
	}
	if (pending == P_CONTINUE) {
		if (--pending_n <= 0) {
			pending = P_NONE;
			return 0;
		}
		return 1;
	}
	return pending != P_NONE;
}

int loop_levels(void)
{
	return loop_depth;
}

static int run_cond(struct node *n)
{
	cond_depth++;
	int s = run(n);
	cond_depth--;
	return s;
}

static int run_compound(struct node *n)
{
	int status = 0;
	switch (n->type) {
	case N_IF: {
		int c = run_cond(n->a);
		if (pending)
			return c;
		if (c == 0)
			status = run(n->b);
		else if (n->c)
			status = run(n->c);
		else
			status = 0;
		break;
	}
	case N_WHILE:
	case N_UNTIL:
		loop_depth++;
		for (;;) {
			int c = run_cond(n->a);
			if (pending) {
				if (loop_control())
					break;
				continue;
			}
			if ((c == 0) != (n->type == N_WHILE))
				break;
			status = run(n->b);
			if (pending && loop_control())
				break;
		}
		loop_depth--;
		break;
	case N_FOR: {
		struct strv words = {0};
		if (n->forall) {
			for (int i = 0; i < posc; i++)
				sv_push(&words, xstrdup(posv[i]));
		} else {
			cur_line = n->line;
			for (int i = 0; i < n->nargs; i++)
				expand_word(n->args[i], EX_SPLIT | EX_GLOB | EX_TILDE, &words);
		}
		loop_depth++;
		for (int i = 0; i < words.n; i++) {
			if (var_set(n->name, words.v[i], 0) < 0) {
				status = 2;
				break;
			}
			status = run(n->b);
			if (pending && loop_control())
				break;
		}
		loop_depth--;
		sv_free(&words);
		break;
	}
	case N_CASE: {
		cur_line = n->line;
		char *w = expand_one(n->args[0]);
		for (struct caseitem *it = n->items; it; it = it->next) {
			int match = 0;
			for (int i = 0; i < it->npats && !match; i++) {
				char *p = unquote_pattern(it->pats[i]);
				match = fnmatch(p, w, 0) == 0;
				free(p);
			}
			if (match) {
				status = it->body ? run(it->body) : 0;
				break;
			}
		}
		free(w);
		break;
	}
	case N_BRACE:
		status = run(n->a);
		break;
	case N_SUBSHELL:
		status = run_in_subshell(n->a);
		break;
	default:
		break;
	}
	return status;
}

int run(struct node *n)
{
	if (!n || pending)
		return last_status;
	int status = 0;
	switch (n->type) {
	case N_CMD:
		status = run_simple(n);
		break;
	case N_PIPE:
		status = run_pipeline(n, 0);
		break;
	case N_BG:
		status = run_pipeline(n->a, 1);
		break;
	case N_SEQ:
		run(n->a);
		status = pending ? last_status : run(n->b);
		break;
	case N_AND:
	case N_OR: {
		int s = run_cond(n->a);
		if (pending) {
			status = s;
			break;
		}
		if ((s == 0) == (n->type == N_AND))
			status = run(n->b);
		else
			status = s;
		break;
	}
	case N_NOT:
		status = !run_cond(n->a);
		break;
	case N_FUNC:
		func_set(n->name, n->a);
		status = 0;
		break;
	default: {
		struct savelist sl = {0};
		if (n->redirs && apply_redirs(n->redirs, &sl) < 0) {
			status = 2;
		} else {
			status = run_compound(n);
			if (pending == P_EXIT)
				status = last_status;
		}
		restore_fds(&sl);
		break;
	}
	}
	if (pending == P_EXIT || pending == P_RETURN)
		return last_status;
	last_status = status;
	if (status != 0 && opt_errexit && cond_depth == 0 &&
	    (n->type == N_CMD || n->type == N_PIPE || n->type == N_SUBSHELL))
		pending = P_EXIT;
	return status;
}

/* ---- sources of commands ---- */

int run_string(const char *src, const char *what)
{
	(void)what;
	struct lexer lx;
	lex_init(&lx, src, strlen(src), cur_line > 0 ? cur_line : 1);
	int status = 0;
	for (;;) {
		struct node *n = parse_command(&lx);
		if (lx.error) {
			last_status = 2;
			if (!interactive)
				pending = P_EXIT;
			status = 2;
			break;
		}
		if (!n)
			break;
		status = run(n);
		if (pending)
			break;
	}
	free(lx.text);
	return status;
}

/* $(...): run src as an emulated subshell with stdout to a temporary file,
 * then read the file back. */
char *capture(const char *src, int line)
{
	int fd = tmpfile_fd();
	if (fd < 0)
		return xstrdup("");
	fd = highfd(fd);
	struct savelist sl = {0};
	move_fd(&sl, fd, 1);
	struct subsh s;
	sub_enter(&s);
	int saved_line = cur_line;
	cur_line = line;
	int saved_status = last_status;
	int st = run_string(src, "$(...)");
	st = sub_leave(&s, st);
	cur_line = saved_line;
	restore_fds(&sl);
	last_status = saved_status;
	cmdsub_status = st;
	off_t size = lseek(fd, 0, SEEK_END);
	lseek(fd, 0, SEEK_SET);
	char *out = xmalloc(size > 0 ? (size_t)size + 1 : 1);
	size_t got = 0;
	while (size > 0 && got < (size_t)size) {
		ssize_t r = read(fd, out + got, (size_t)size - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	out[got] = 0;
	close(fd);
	return out;
}

/* exec builtin with a command: replace the image (execve keeps the pid
 * and the fds). Without a command, exec_simple makes the redirections
 * permanent instead. */
int exec_builtin(int argc, char **argv)
{
	if (argc < 2)
		return 0;
	char *path;
	int denied = 0;
	if (strchr(argv[1], '/'))
		path = xstrdup(argv[1]);
	else
		path = path_lookup(argv[1], &denied);
	if (!path) {
		sh_error("exec: %s: %s", argv[1], denied ? "Permission denied" : "not found");
		sh_exit(denied ? 126 : 127);
	}
	flushall();
	execve(path, argv + 1, var_environ());
	int e = errno;
	sh_error("exec: %s: %s", argv[1], e == ENOENT ? "not found" : "Permission denied");
	sh_exit(e == ENOENT ? 127 : 126);
	return 127;
}
