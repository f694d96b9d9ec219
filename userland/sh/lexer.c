/* lexer.c: the input text as tokens. Words keep their quotes; expansion and
 * quote removal happen later (expand.c), when the command runs. */
#include "sh.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lex_init(struct lexer *lx, const char *src, size_t len, int line)
{
	memset(lx, 0, sizeof *lx);
	lx->src = src;
	lx->len = len;
	lx->line = line;
}

const char *tok_name(enum tok t)
{
	switch (t) {
	case T_EOF: return "end of file";
	case T_WORD: return "word";
	case T_IONUM: return "word";
	case T_NEWLINE: return "newline";
	case T_SEMI: return ";";
	case T_AMP: return "&";
	case T_PIPE: return "|";
	case T_AND: return "&&";
	case T_OR: return "||";
	case T_LPAREN: return "(";
	case T_RPAREN: return ")";
	case T_DSEMI: return ";;";
	case T_LESS: return "<";
	case T_GREAT: return ">";
	case T_DGREAT: return ">>";
	case T_LESSAND: return "<&";
	case T_GREATAND: return ">&";
	case T_LESSGREAT: return "<>";
	case T_CLOBBER: return ">|";
	case T_DLESS: return "<<";
	case T_DLESSDASH: return "<<-";
	}
	return "?";
}

static int cur(struct lexer *lx)
{
	return lx->pos < lx->len ? (unsigned char)lx->src[lx->pos] : -1;
}

static int at(struct lexer *lx, size_t i)
{
	return i < lx->len ? (unsigned char)lx->src[i] : -1;
}

/* growing buffer */
struct buf {
	char *s;
	size_t n, cap;
};

static void bput(struct buf *b, int c)
{
	if (b->n + 2 > b->cap) {
		b->cap = b->cap ? b->cap * 2 : 32;
		b->s = xrealloc(b->s, b->cap);
	}
	b->s[b->n++] = (char)c;
	b->s[b->n] = 0;
}

static void syntax(struct lexer *lx, const char *msg, int eof)
{
	if (!lx->error) {
		cur_line = lx->line;
		sh_error("Syntax error: %s", msg);
	}
	lx->error = 1;
	lx->eof_error = eof;
}

/* Copy one character, tracking lines. */
static void take(struct lexer *lx, struct buf *b)
{
	int c = cur(lx);
	if (c == '\n')
		lx->line++;
	bput(b, c);
	lx->pos++;
}

static int scan_squote(struct lexer *lx, struct buf *b)
{
	take(lx, b); /* ' */
	while (cur(lx) != '\'') {
		if (cur(lx) < 0) {
			syntax(lx, "Unterminated quoted string", 1);
			return -1;
		}
		take(lx, b);
	}
	take(lx, b);
	return 0;
}

static int scan_dollar(struct lexer *lx, struct buf *b);
static int scan_bquote(struct lexer *lx, struct buf *b);

static int scan_dquote(struct lexer *lx, struct buf *b)
{
	take(lx, b); /* " */
	for (;;) {
		int c = cur(lx);
		if (c < 0) {
			syntax(lx, "Unterminated quoted string", 1);
			return -1;
		}
		if (c == '"') {
			take(lx, b);
			return 0;
		}
		if (c == '\\') {
			if (at(lx, lx->pos + 1) == '\n') {
				lx->pos += 2;
				lx->line++;
				continue;
			}
			take(lx, b);
			if (cur(lx) >= 0)
				take(lx, b);
			continue;
		}
		if (c == '$') {
			if (scan_dollar(lx, b) < 0)
				return -1;
			continue;
		}
		if (c == '`') {
			if (scan_bquote(lx, b) < 0)
				return -1;
			continue;
		}
		take(lx, b);
	}
}

static int scan_bquote(struct lexer *lx, struct buf *b)
{
	take(lx, b);
	while (cur(lx) != '`') {
		if (cur(lx) < 0) {
			syntax(lx, "EOF in backquote substitution", 1);
			return -1;
		}
		if (cur(lx) == '\\')
			take(lx, b);
		if (cur(lx) >= 0)
			take(lx, b);
	}
	take(lx, b);
	return 0;
}

/* $name, ${...}, $(...), $((...)): copied verbatim with nesting. */
static int scan_dollar(struct lexer *lx, struct buf *b)
{
	int c = at(lx, lx->pos + 1);
	if (c == '{') {
		take(lx, b);
		take(lx, b);
		int depth = 1;
		while (depth > 0) {
			c = cur(lx);
			if (c < 0) {
				syntax(lx, "Missing '}'", 1);
				return -1;
			}
			if (c == '\'') {
				if (scan_squote(lx, b) < 0)
					return -1;
				continue;
			}
			if (c == '"') {
				if (scan_dquote(lx, b) < 0)
					return -1;
				continue;
			}
			if (c == '\\') {
				take(lx, b);
				if (cur(lx) >= 0)
					take(lx, b);
				continue;
			}
			if (c == '$') {
				if (scan_dollar(lx, b) < 0)
					return -1;
				continue;
			}
			if (c == '{')
				depth++;
			if (c == '}')
				depth--;
			take(lx, b);
		}
		return 0;
	}
	if (c == '(') {
		take(lx, b);
		take(lx, b);
		int depth = 1;
		while (depth > 0) {
			c = cur(lx);
			if (c < 0) {
				syntax(lx, "end of file unexpected (expecting \")\")", 1);
				return -1;
			}
			if (c == '\'') {
				if (scan_squote(lx, b) < 0)
					return -1;
				continue;
			}
			if (c == '"') {
				if (scan_dquote(lx, b) < 0)
					return -1;
				continue;
			}
			if (c == '`') {
				if (scan_bquote(lx, b) < 0)
					return -1;
				continue;
			}
			if (c == '\\') {
				take(lx, b);
				if (cur(lx) >= 0)
					take(lx, b);
				continue;
			}
			if (c == '$') {
				if (scan_dollar(lx, b) < 0)
					return -1;
				continue;
			}
			if (c == '(')
				depth++;
			if (c == ')')
				depth--;
			take(lx, b);
		}
		return 0;
	}
	take(lx, b); /* $ alone or $name: the name is ordinary word text */
	return 0;
}

static int is_meta(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '&' ||
	       c == '|' || c == '<' || c == '>' || c == '(' || c == ')' || c < 0;
}

static void read_heredocs(struct lexer *lx)
{
	for (int i = 0; i < lx->nheredocs; i++) {
		struct redir *r = lx->heredocs[i];
		struct buf body = {0};
		bput(&body, 0);
		body.n = 0;
		for (;;) {
			if (lx->pos >= lx->len) {
				/* dash accepts a missing delimiter at end of file */
				break;
			}
			size_t s = lx->pos, e = s;
			while (e < lx->len && lx->src[e] != '\n')
				e++;
			size_t ls = s;
			if (r->strip)
				while (ls < e && lx->src[ls] == '\t')
					ls++;
			lx->pos = e < lx->len ? e + 1 : e;
			lx->line++;
			if (e - ls == strlen(r->word) && memcmp(lx->src + ls, r->word, e - ls) == 0)
				break;
			for (size_t k = ls; k < e; k++)
				bput(&body, lx->src[k]);
			bput(&body, '\n');
		}
		r->body = body.s;
	}
	lx->nheredocs = 0;
}

void lex_heredoc(struct lexer *lx, struct redir *r)
{
	if (lx->nheredocs < 16)
		lx->heredocs[lx->nheredocs++] = r;
}

static void scan(struct lexer *lx)
{
	free(lx->text);
	lx->text = NULL;
	for (;;) {
		int c = cur(lx);
		if (c == ' ' || c == '\t') {
			lx->pos++;
			continue;
		}
		if (c == '\\' && at(lx, lx->pos + 1) == '\n') {
			lx->pos += 2;
			lx->line++;
			continue;
		}
		if (c == '#') {
			while (cur(lx) >= 0 && cur(lx) != '\n')
				lx->pos++;
			continue;
		}
		break;
	}
	lx->tokline = lx->line;
	int c = cur(lx), d = at(lx, lx->pos + 1);
	if (c < 0) {
		lx->tok = T_EOF;
		return;
	}
	if (c == '\n') {
		lx->pos++;
		lx->line++;
		lx->tok = T_NEWLINE;
		if (lx->nheredocs)
			read_heredocs(lx);
		return;
	}
	struct {
		const char *s;
		enum tok t;
	} ops[] = {
		{"<<-", T_DLESSDASH}, {"&&", T_AND}, {"||", T_OR}, {";;", T_DSEMI},
		{"<<", T_DLESS}, {">>", T_DGREAT}, {"<&", T_LESSAND}, {">&", T_GREATAND},
		{"<>", T_LESSGREAT}, {">|", T_CLOBBER}, {";", T_SEMI}, {"&", T_AMP},
		{"|", T_PIPE}, {"(", T_LPAREN}, {")", T_RPAREN}, {"<", T_LESS}, {">", T_GREAT},
	};
	(void)d;
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		size_t n = strlen(ops[i].s);
		if (lx->pos + n <= lx->len && memcmp(lx->src + lx->pos, ops[i].s, n) == 0) {
			lx->pos += n;
			lx->tok = ops[i].t;
			return;
		}
	}
	struct buf b = {0};
	int alldigits = 1;
	while (!is_meta(cur(lx))) {
		c = cur(lx);
		if (c < '0' || c > '9')
			alldigits = 0;
		if (c == '\'') {
			if (scan_squote(lx, &b) < 0)
				goto fail;
		} else if (c == '"') {
			if (scan_dquote(lx, &b) < 0)
				goto fail;
		} else if (c == '`') {
			if (scan_bquote(lx, &b) < 0)
				goto fail;
		} else if (c == '$') {
			if (scan_dollar(lx, &b) < 0)
				goto fail;
		} else if (c == '\\') {
			if (at(lx, lx->pos + 1) == '\n') {
				lx->pos += 2;
				lx->line++;
				continue;
			}
			take(lx, &b);
			if (cur(lx) >= 0)
				take(lx, &b);
		} else {
			take(lx, &b);
		}
	}
	lx->text = b.s ? b.s : xstrdup("");
	lx->tok = T_WORD;
	if (alldigits && b.n > 0 && (cur(lx) == '<' || cur(lx) == '>'))
		lx->tok = T_IONUM;
	return;
fail:
	free(b.s);
	lx->tok = T_EOF;
}

enum tok lex_peek(struct lexer *lx)
{
	if (!lx->have) {
		scan(lx);
		lx->have = 1;
	}
	return lx->tok;
}

void lex_next(struct lexer *lx)
{
	lex_peek(lx);
	lx->have = 0;
}
