/*
 * sh: a small POSIX-subset shell for the Occlum LibOS.
 *
 * There is no fork() inside the LibOS: external commands are started with
 * posix_spawn (file actions for pipes and redirections), and everything that
 * dash would run in a forked subshell (builtins and compound commands in a
 * pipeline, ( ... ), $( ... )) runs inside this process with its fds, its
 * variables and its cwd saved before and restored after ("emulated
 * subshell").
 *
 * Files: lexer.c (tokens), parser.c (syntax tree), expand.c (words to fields,
 * arithmetic), exec.c (running the tree, posix_spawn), vars.c (variables,
 * positional parameters, functions), builtins.c (cd, exit, test, ...),
 * main.c (options, reading the script).
 */
#ifndef SH_H
#define SH_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stddef.h>
#include <sys/types.h>

/* ---- lexer ---- */

enum tok {
	T_EOF, T_WORD, T_NEWLINE, T_IONUM,
	T_SEMI, T_AMP, T_PIPE, T_AND, T_OR, T_LPAREN, T_RPAREN, T_DSEMI,
	T_LESS, T_GREAT, T_DGREAT, T_LESSAND, T_GREATAND, T_LESSGREAT,
	T_CLOBBER, T_DLESS, T_DLESSDASH,
};

struct redir;

struct lexer {
	const char *src; /* whole input */
	size_t len, pos;
	int line;
	/* one token of lookahead */
	int have;
	enum tok tok;
	char *text;	/* word text, raw (quotes kept) */
	int tokline;
	/* here-documents waiting for the next newline */
	struct redir *heredocs[16];
	int nheredocs;
	int error;	/* a syntax error was reported */
	int eof_error;	/* the error was an unexpected end of input */
};

void lex_init(struct lexer *lx, const char *src, size_t len, int line);
enum tok lex_peek(struct lexer *lx);
void lex_next(struct lexer *lx);	/* consume the peeked token */
const char *tok_name(enum tok t);
void lex_heredoc(struct lexer *lx, struct redir *r);

/* ---- syntax tree ---- */

enum ntype {
	N_CMD, N_PIPE, N_AND, N_OR, N_SEQ, N_BG, N_NOT,
	N_IF, N_WHILE, N_UNTIL, N_FOR, N_CASE, N_BRACE, N_SUBSHELL, N_FUNC,
};

enum rtype { R_IN, R_OUT, R_APPEND, R_RDWR, R_DUPIN, R_DUPOUT, R_HEREDOC };

struct redir {
	enum rtype type;
	int fd;
	char *word;	/* file name, fd number, or here-doc delimiter */
	char *body;	/* here-doc text */
	int quoted;	/* here-doc delimiter was quoted: no expansion */
	int strip;	/* <<- */
	struct redir *next;
};

struct caseitem {
	char **pats;
	int npats;
	struct node *body;
	struct caseitem *next;
};

struct node {
	enum ntype type;
	int line;
	struct redir *redirs;
	/* N_CMD: raw words (assignments first); N_FOR: word list; N_CASE: args[0] */
	char **args;
	int nargs;
	int nassign;	/* N_CMD: leading NAME=value words */
	/* N_PIPE: elements */
	struct node **kids;
	int nkids;
	/* binary ops, if (a=cond b=then c=else), loops (a=cond/list b=body) */
	struct node *a, *b, *c;
	char *name;	/* N_FOR variable, N_FUNC name */
	int forall;	/* N_FOR without "in": iterate "$@" */
	struct caseitem *items;
};

/* Parse one complete command (up to a newline at top level). Returns NULL
 * at end of input or on error (lx->error set). */
struct node *parse_command(struct lexer *lx);

/* ---- expansion ---- */

struct strv {
	char **v;
	int n, cap;
};
void sv_push(struct strv *s, char *str);
void sv_free(struct strv *s);

/* flags for expand */
#define EX_SPLIT 1	/* field splitting */
#define EX_GLOB 2	/* pathname expansion */
#define EX_TILDE 4

int expand_word(const char *raw, int flags, struct strv *out);
char *expand_one(const char *raw);	/* no splitting, no globbing */
char *expand_heredoc(const char *body);
char *unquote_pattern(const char *raw);	/* for case: glob chars kept special */
int arith_eval(const char *expr, long *result);

/* ---- variables ---- */

#define V_EXPORT 1
#define V_READONLY 2

const char *var_get(const char *name);
int var_set(const char *name, const char *value, int flags);
int var_unset(const char *name);
int var_flags(const char *name);
void var_export(const char *name);
char **var_environ(void);	/* cached; NULL-terminated */
void var_import(char **envp);
void var_print_exports(void);
int is_name(const char *s, size_t n);

struct varsnap;
struct varsnap *var_snapshot(void);
void var_restore(struct varsnap *s);

/* positional parameters */
extern char **posv;	/* $1..$n */
extern int posc;
void pos_set(char **v, int n);	/* copies */

/* functions */
struct node *func_get(const char *name);
void func_set(const char *name, struct node *body);

/* ---- exec ---- */

enum { P_NONE, P_BREAK, P_CONTINUE, P_RETURN, P_EXIT };
extern int pending;	/* control flow unwinding */
extern int pending_n;	/* break/continue level */
extern int last_status;
extern int cur_line;
extern int cond_depth;	/* inside if/while conditions, && || ! : no errexit */
extern int opt_errexit, opt_xtrace, opt_noglob, opt_nounset;
extern char *arg0;	/* $0, prefix of error messages */
extern char *shell_path;	/* path to re-run ourselves (script without #!) */
extern pid_t last_bg;
extern int interactive;

int run(struct node *n);
int run_string(const char *src, const char *what);
void sh_error(const char *fmt, ...);
char *capture(const char *src, int line);	/* $(...) output */
const char *signame_of(int sig);
void flushall(void);
void sh_exit(int status);

/* ---- builtins ---- */

typedef int (*builtin_fn)(int argc, char **argv);
builtin_fn builtin_lookup(const char *name, int *special);

/* small helpers */
void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
