/* parser.c: recursive descent over the tokens of lexer.c, building the tree
 * of sh.h. Grammar (POSIX XCU 2.10, without aliases):
 *   complete_command: and_or ((';'|'&') and_or)* NEWLINE
 *   and_or:   pipeline (('&&'|'||') linebreak pipeline)*
 *   pipeline: ['!'] command ('|' linebreak command)*
 *   command:  simple | compound redirect* | NAME '(' ')' linebreak command
 */
#include "sh.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct node *and_or(struct lexer *lx);
static struct node *compound_list(struct lexer *lx);
static struct node *command(struct lexer *lx);

static struct node *mknode(enum ntype t, int line)
{
	struct node *n = xmalloc(sizeof *n);
	memset(n, 0, sizeof *n);
	n->type = t;
	n->line = line;
	return n;
}

static struct node *bin(enum ntype t, struct node *a, struct node *b)
{
	struct node *n = mknode(t, a->line);
	n->a = a;
	n->b = b;
	return n;
}

static void unexpected(struct lexer *lx, const char *expecting)
{
	char msg[128];
	enum tok t = lex_peek(lx);
	const char *what = t == T_WORD ? lx->text : tok_name(t);
	if (t == T_EOF && expecting)
		snprintf(msg, sizeof msg, "end of file unexpected (expecting \"%s\")", expecting);
	else if (t == T_EOF)
		snprintf(msg, sizeof msg, "end of file unexpected");
	else if (t == T_NEWLINE)
		snprintf(msg, sizeof msg, "newline unexpected");
	else
		snprintf(msg, sizeof msg, "\"%s\" unexpected", what);
	if (!lx->error) {
		cur_line = lx->tokline;
		sh_error("Syntax error: %s", msg);
	}
	lx->error = 1;
	lx->eof_error = t == T_EOF;
}

static int is_word(struct lexer *lx, const char *w)
{
	return lex_peek(lx) == T_WORD && strcmp(lx->text, w) == 0;
}

static char *take_word(struct lexer *lx)
{
	char *w = lx->text;
	lx->text = NULL;
	lex_next(lx);
	return w;
}

static int expect_word(struct lexer *lx, const char *w)
{
	if (lx->error)
		return -1;
	if (!is_word(lx, w)) {
		unexpected(lx, w);
		return -1;
	}
	lex_next(lx);
	return 0;
}

static void linebreak(struct lexer *lx)
{
	while (lex_peek(lx) == T_NEWLINE)
		lex_next(lx);
}

static const char *const reserved[] = {
	"if", "then", "else", "elif", "fi", "do", "done", "case", "esac",
	"while", "until", "for", "{", "}", "!", "in", NULL,
};

static int is_reserved(const char *w)
{
	for (int i = 0; reserved[i]; i++)
		if (strcmp(w, reserved[i]) == 0)
			return 1;
	return 0;
}

/* A word that ends a compound list. */
static int at_list_end(struct lexer *lx)
{
	enum tok t = lex_peek(lx);
	if (t == T_EOF || t == T_RPAREN || t == T_DSEMI)
		return 1;
	if (t != T_WORD)
		return 0;
	static const char *const ends[] = {"then", "else", "elif", "fi", "do", "done", "esac", "}", NULL};
	for (int i = 0; ends[i]; i++)
		if (strcmp(lx->text, ends[i]) == 0)
			return 1;
	return 0;
}

static int is_redir_tok(enum tok t)
{
	return t == T_LESS || t == T_GREAT || t == T_DGREAT || t == T_LESSAND ||
	       t == T_GREATAND || t == T_LESSGREAT || t == T_CLOBBER || t == T_DLESS ||
	       t == T_DLESSDASH;
}

static struct redir *redirect(struct lexer *lx)
{
	int fd = -1;
	if (lex_peek(lx) == T_IONUM) {
		fd = atoi(lx->text);
		lex_next(lx);
	}
	enum tok t = lex_peek(lx);
	lex_next(lx);
	struct redir *r = xmalloc(sizeof *r);
	memset(r, 0, sizeof *r);
	switch (t) {
	case T_LESS: r->type = R_IN; break;
	case T_GREAT: case T_CLOBBER: r->type = R_OUT; break;
	case T_DGREAT: r->type = R_APPEND; break;
	case T_LESSAND: r->type = R_DUPIN; break;
	case T_GREATAND: r->type = R_DUPOUT; break;
	case T_LESSGREAT: r->type = R_RDWR; break;
	default: r->type = R_HEREDOC; r->strip = t == T_DLESSDASH; break;
	}
	if (fd < 0)
		fd = (r->type == R_IN || r->type == R_DUPIN || r->type == R_RDWR || r->type == R_HEREDOC) ? 0 : 1;
	r->fd = fd;
	if (lex_peek(lx) != T_WORD) {
		unexpected(lx, NULL);
		free(r);
		return NULL;
	}
	r->word = take_word(lx);
	if (r->type == R_HEREDOC) {
		/* the delimiter is quote-removed; any quote disables expansion */
		char *d = r->word, *o = d;
		for (char *p = d; *p; p++) {
			if (*p == '\'' || *p == '"') {
				r->quoted = 1;
				continue;
			}
			if (*p == '\\') {
				r->quoted = 1;
				if (p[1])
					p++;
			}
			*o++ = *p;
		}
		*o = 0;
		lex_heredoc(lx, r);
	}
	return r;
}

static void add_redir(struct node *n, struct redir *r)
{
	struct redir **p = &n->redirs;
	while (*p)
		p = &(*p)->next;
	*p = r;
}

static int redirects(struct lexer *lx, struct node *n)
{
	while (!lx->error && (lex_peek(lx) == T_IONUM || is_redir_tok(lex_peek(lx)))) {
		struct redir *r = redirect(lx);
		if (!r)
			return -1;
		add_redir(n, r);
	}
	return lx->error ? -1 : 0;
}

static void push_arg(struct node *n, char *w)
{
	n->args = xrealloc(n->args, (n->nargs + 2) * sizeof *n->args);
	n->args[n->nargs++] = w;
	n->args[n->nargs] = NULL;
}

static int is_assignment(const char *w)
{
	const char *eq = strchr(w, '=');
	return eq && eq != w && is_name(w, eq - w);
}

static struct node *simple(struct lexer *lx)
{
	struct node *n = mknode(N_CMD, lx->tokline);
	for (;;) {
		enum tok t = lex_peek(lx);
		if (lx->error)
			return NULL;
		if (t == T_IONUM || is_redir_tok(t)) {
			struct redir *r = redirect(lx);
			if (!r)
				return NULL;
			add_redir(n, r);
			continue;
		}
		if (t != T_WORD)
			break;
		if (n->nargs == n->nassign && is_assignment(lx->text)) {
			push_arg(n, take_word(lx));
			n->nassign++;
			continue;
		}
		push_arg(n, take_word(lx));
		if (n->nargs == 1 && !n->redirs && lex_peek(lx) == T_LPAREN) {
			/* function definition */
			lex_next(lx);
			if (lex_peek(lx) != T_RPAREN) {
				unexpected(lx, ")");
				return NULL;
			}
			lex_next(lx);
			linebreak(lx);
			struct node *f = mknode(N_FUNC, n->line);
			f->name = n->args[0];
			f->a = command(lx);
			if (!f->a) {
				if (!lx->error)
					unexpected(lx, NULL);
				return NULL;
			}
			return f;
		}
	}
	if (n->nargs == 0 && !n->redirs) {
		unexpected(lx, NULL);
		return NULL;
	}
	return n;
}

static struct node *if_clause(struct lexer *lx, int line)
{
	struct node *n = mknode(N_IF, line);
	n->a = compound_list(lx);
	if (!n->a || expect_word(lx, "then") < 0)
		return NULL;
	n->b = compound_list(lx);
	if (!n->b)
		return NULL;
	if (is_word(lx, "elif")) {
		int l = lx->tokline;
		lex_next(lx);
		n->c = if_clause(lx, l);
		return n->c ? n : NULL; /* the nested if consumed "fi" */
	}
	if (is_word(lx, "else")) {
		lex_next(lx);
		n->c = compound_list(lx);
		if (!n->c)
			return NULL;
	}
	if (expect_word(lx, "fi") < 0)
		return NULL;
	return n;
}

static struct node *do_group(struct lexer *lx)
{
	if (expect_word(lx, "do") < 0)
		return NULL;
	struct node *b = compound_list(lx);
	if (!b || expect_word(lx, "done") < 0)
		return NULL;
	return b;
}

static struct node *for_clause(struct lexer *lx, int line)
{
	struct node *n = mknode(N_FOR, line);
	if (lex_peek(lx) != T_WORD || !is_name(lx->text, strlen(lx->text))) {
		unexpected(lx, NULL);
		return NULL;
	}
	n->name = take_word(lx);
	linebreak(lx);
	if (is_word(lx, "in")) {
		lex_next(lx);
		while (lex_peek(lx) == T_WORD)
			push_arg(n, take_word(lx));
		if (lex_peek(lx) != T_SEMI && lex_peek(lx) != T_NEWLINE) {
			unexpected(lx, "do");
			return NULL;
		}
		lex_next(lx);
	} else {
		n->forall = 1;
		if (lex_peek(lx) == T_SEMI)
			lex_next(lx);
	}
	linebreak(lx);
	n->b = do_group(lx);
	return n->b ? n : NULL;
}

static struct node *case_clause(struct lexer *lx, int line)
{
	struct node *n = mknode(N_CASE, line);
	if (lex_peek(lx) != T_WORD) {
		unexpected(lx, NULL);
		return NULL;
	}
	push_arg(n, take_word(lx));
	linebreak(lx);
	if (expect_word(lx, "in") < 0)
		return NULL;
	linebreak(lx);
	struct caseitem **tail = &n->items;
	while (!is_word(lx, "esac")) {
		struct caseitem *it = xmalloc(sizeof *it);
		memset(it, 0, sizeof *it);
		if (lex_peek(lx) == T_LPAREN)
			lex_next(lx);
		for (;;) {
			if (lex_peek(lx) != T_WORD) {
				unexpected(lx, NULL);
				return NULL;
			}
			it->pats = xrealloc(it->pats, (it->npats + 1) * sizeof *it->pats);
			it->pats[it->npats++] = take_word(lx);
			if (lex_peek(lx) == T_PIPE) {
				lex_next(lx);
				continue;
			}
			break;
		}
		if (lex_peek(lx) != T_RPAREN) {
			unexpected(lx, ")");
			return NULL;
		}
		lex_next(lx);
		linebreak(lx);
		if (lex_peek(lx) == T_DSEMI || is_word(lx, "esac")) {
			it->body = NULL;
		} else {
			it->body = compound_list(lx);
			if (!it->body)
				return NULL;
		}
		*tail = it;
		tail = &it->next;
		if (lex_peek(lx) == T_DSEMI) {
			lex_next(lx);
			linebreak(lx);
			continue;
		}
		if (!is_word(lx, "esac")) {
			unexpected(lx, "esac");
			return NULL;
		}
	}
	lex_next(lx);
	return n;
}

static struct node *command(struct lexer *lx)
{
	enum tok t = lex_peek(lx);
	if (lx->error)
		return NULL;
	int line = lx->tokline;
	struct node *n = NULL;
	if (t == T_LPAREN) {
		lex_next(lx);
		n = mknode(N_SUBSHELL, line);
		n->a = compound_list(lx);
		if (!n->a)
			return NULL;
		if (lex_peek(lx) != T_RPAREN) {
			unexpected(lx, ")");
			return NULL;
		}
		lex_next(lx);
	} else if (t == T_WORD && is_reserved(lx->text)) {
		char *w = xstrdup(lx->text);
		if (strcmp(w, "if") == 0) {
			lex_next(lx);
			n = if_clause(lx, line);
		} else if (strcmp(w, "while") == 0 || strcmp(w, "until") == 0) {
			lex_next(lx);
			n = mknode(w[0] == 'w' ? N_WHILE : N_UNTIL, line);
			n->a = compound_list(lx);
			if (n->a)
				n->b = do_group(lx);
			if (!n->a || !n->b)
				n = NULL;
		} else if (strcmp(w, "for") == 0) {
			lex_next(lx);
			n = for_clause(lx, line);
		} else if (strcmp(w, "case") == 0) {
			lex_next(lx);
			n = case_clause(lx, line);
		} else if (strcmp(w, "{") == 0) {
			lex_next(lx);
			n = mknode(N_BRACE, line);
			n->a = compound_list(lx);
			if (!n->a || expect_word(lx, "}") < 0)
				n = NULL;
		} else {
			unexpected(lx, NULL);
		}
		free(w);
		if (!n)
			return NULL;
	} else {
		return simple(lx);
	}
	if (redirects(lx, n) < 0)
		return NULL;
	return n;
}

static struct node *pipeline(struct lexer *lx)
{
	int neg = 0;
	while (is_word(lx, "!")) {
		lex_next(lx);
		neg = !neg;
	}
	struct node *c = command(lx);
	if (!c)
		return NULL;
	if (lex_peek(lx) == T_PIPE) {
		struct node *p = mknode(N_PIPE, c->line);
		p->kids = xmalloc(sizeof *p->kids);
		p->kids[p->nkids++] = c;
		while (lex_peek(lx) == T_PIPE) {
			lex_next(lx);
			linebreak(lx);
			c = command(lx);
			if (!c)
				return NULL;
			p->kids = xrealloc(p->kids, (p->nkids + 1) * sizeof *p->kids);
			p->kids[p->nkids++] = c;
		}
		c = p;
	}
	if (neg) {
		struct node *n = mknode(N_NOT, c->line);
		n->a = c;
		c = n;
	}
	return c;
}

static struct node *and_or(struct lexer *lx)
{
	struct node *n = pipeline(lx);
	while (n && (lex_peek(lx) == T_AND || lex_peek(lx) == T_OR)) {
		enum ntype t = lex_peek(lx) == T_AND ? N_AND : N_OR;
		lex_next(lx);
		linebreak(lx);
		struct node *r = pipeline(lx);
		if (!r)
			return NULL;
		n = bin(t, n, r);
	}
	return n;
}

/* A sequence of and_or lists separated by ; & or newlines, up to a reserved
 * word that closes the enclosing construct. */
static struct node *compound_list(struct lexer *lx)
{
	struct node *list = NULL;
	linebreak(lx);
	while (!lx->error && !at_list_end(lx)) {
		struct node *n = and_or(lx);
		if (!n)
			return NULL;
		enum tok t = lex_peek(lx);
		if (t == T_AMP) {
			struct node *b = mknode(N_BG, n->line);
			b->a = n;
			n = b;
		}
		list = list ? bin(N_SEQ, list, n) : n;
		if (t == T_SEMI || t == T_AMP || t == T_NEWLINE) {
			lex_next(lx);
			linebreak(lx);
		} else {
			break;
		}
	}
	if (lx->error)
		return NULL;
	if (!list) {
		unexpected(lx, NULL);
		return NULL;
	}
	return list;
}

struct node *parse_command(struct lexer *lx)
{
	linebreak(lx);
	if (lex_peek(lx) == T_EOF)
		return NULL;
	struct node *list = NULL;
	for (;;) {
		struct node *n = and_or(lx);
		if (!n)
			return NULL;
		enum tok t = lex_peek(lx);
		if (t == T_AMP) {
			struct node *b = mknode(N_BG, n->line);
			b->a = n;
			n = b;
		}
		list = list ? bin(N_SEQ, list, n) : n;
		if (t == T_SEMI || t == T_AMP) {
			lex_next(lx);
			t = lex_peek(lx);
			if (t == T_NEWLINE || t == T_EOF)
				break;
			continue;
		}
		if (t == T_NEWLINE || t == T_EOF)
			break;
		unexpected(lx, NULL);
		return NULL;
	}
	if (lex_peek(lx) == T_NEWLINE)
		lex_next(lx);
	return lx->error ? NULL : list;
}
