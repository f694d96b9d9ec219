/* expand.c: word expansion (POSIX XCU 2.6): tilde, parameters, command
 * substitution, arithmetic, field splitting, pathname expansion and quote
 * removal. A word is first expanded into a buffer where every character
 * carries flags (quoted? produced by an expansion?), then split and globbed. */
#include "sh.h"

#include <ctype.h>
#include <fnmatch.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define Q_QUOTED 1 /* quoted: never split, never a glob character */
#define Q_EXP 2	   /* produced by an unquoted expansion: split on IFS */
#define Q_MARK 4   /* zero-width: the current field exists even if empty */
#define Q_BREAK 8  /* zero-width: end the current field (between "$@" words) */

struct xbuf {
	char *s;
	unsigned char *q;
	size_t n, cap;
};

static void xput(struct xbuf *b, char c, unsigned char q)
{
	if (b->n + 1 >= b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		b->s = xrealloc(b->s, b->cap);
		b->q = xrealloc(b->q, b->cap);
	}
	b->s[b->n] = c;
	b->q[b->n] = q;
	b->n++;
}

static void xputs(struct xbuf *b, const char *s, unsigned char q)
{
	while (*s)
		xput(b, *s++, q);
}

void sv_push(struct strv *s, char *str)
{
	if (s->n + 2 > s->cap) {
		s->cap = s->cap ? s->cap * 2 : 8;
		s->v = xrealloc(s->v, s->cap * sizeof *s->v);
	}
	s->v[s->n++] = str;
	s->v[s->n] = NULL;
}

void sv_free(struct strv *s)
{
	for (int i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

/* Index just past the construct that starts at s[i] ("...", '...', `...`,
 * ${...}, $(...)); i for anything else. */
static size_t skip_quoted(const char *s, size_t i);

static size_t skip_until(const char *s, size_t i, char open, char close)
{
	int depth = 1;
	while (s[i] && depth > 0) {
		if (s[i] == '\\' && s[i + 1]) {
			i += 2;
			continue;
		}
		if (s[i] == '\'' || s[i] == '"' || s[i] == '`' || (s[i] == '$' && (s[i + 1] == '{' || s[i + 1] == '('))) {
			i = skip_quoted(s, i);
			continue;
		}
		if (s[i] == open)
			depth++;
		else if (s[i] == close)
			depth--;
		i++;
	}
	return i;
}

static size_t skip_quoted(const char *s, size_t i)
{
	char c = s[i];
	if (c == '\'') {
		i++;
		while (s[i] && s[i] != '\'')
			i++;
		return s[i] ? i + 1 : i;
	}
	if (c == '"' || c == '`') {
		i++;
		while (s[i] && s[i] != c) {
			if (s[i] == '\\' && s[i + 1]) {
				i += 2;
				continue;
			}
			if (c == '"' && (s[i] == '`' || (s[i] == '$' && (s[i + 1] == '{' || s[i + 1] == '(')))) {
				i = skip_quoted(s, i);
				continue;
			}
			i++;
		}
		return s[i] ? i + 1 : i;
	}
	if (c == '$' && s[i + 1] == '{')
		return skip_until(s, i + 2, '{', '}');
	if (c == '$' && s[i + 1] == '(')
		return skip_until(s, i + 2, '(', ')');
	return i + 1;
}

static void parse(const char *s, size_t end, struct xbuf *b, int dq, int heredoc, int tilde);

static const char *ifs(void)
{
	const char *v = var_get("IFS");
	return v ? v : " \t\n";
}

/* insert an expansion's value */
static void add_value(struct xbuf *b, const char *v, int dq)
{
	xputs(b, v, dq ? Q_QUOTED : Q_EXP);
}

static char *numstr(long n)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%ld", n);
	return xstrdup(buf);
}

/* value of a special or named parameter; NULL if unset. Caller frees. */
static char *param(const char *name)
{
	if (strcmp(name, "?") == 0)
		return numstr(last_status);
	if (strcmp(name, "$") == 0)
		return numstr((long)getpid());
	if (strcmp(name, "#") == 0)
		return numstr(posc);
	if (strcmp(name, "!") == 0)
		return last_bg ? numstr((long)last_bg) : NULL;
	if (strcmp(name, "-") == 0) {
		char f[8], *p = f;
		if (opt_errexit)
			*p++ = 'e';
		if (opt_noglob)
			*p++ = 'f';
		if (opt_nounset)
			*p++ = 'u';
		if (opt_xtrace)
			*p++ = 'x';
		*p = 0;
		return xstrdup(f);
	}
	if (strcmp(name, "@") == 0 || strcmp(name, "*") == 0) {
		size_t len = 1;
		for (int i = 0; i < posc; i++)
			len += strlen(posv[i]) + 1;
		char *r = xmalloc(len), *p = r;
		char sep = ifs()[0];
		*p = 0;
		for (int i = 0; i < posc; i++) {
			if (i && sep)
				*p++ = sep;
			strcpy(p, posv[i]);
			p += strlen(p);
		}
		return r;
	}
	if (isdigit((unsigned char)name[0])) {
		int n = atoi(name);
		if (n == 0)
			return xstrdup(arg0);
		return n <= posc ? xstrdup(posv[n - 1]) : NULL;
	}
	const char *v = var_get(name);
	return v ? xstrdup(v) : NULL;
}

/* remove the shortest/longest prefix/suffix matching pat */
static char *trim(const char *v, const char *pat, int suffix, int longest)
{
	size_t n = strlen(v);
	char *tmp = xmalloc(n + 1);
	char *res = NULL;
	if (!suffix) {
		for (size_t k = 0; k <= n; k++) {
			size_t i = longest ? n - k : k;
			memcpy(tmp, v, i);
			tmp[i] = 0;
			if (fnmatch(pat, tmp, 0) == 0) {
				res = xstrdup(v + i);
				break;
			}
		}
	} else {
		for (size_t k = 0; k <= n; k++) {
			size_t i = longest ? k : n - k;
			if (fnmatch(pat, v + i, 0) == 0) {
				res = xstrndup(v, i);
				break;
			}
		}
	}
	free(tmp);
	return res ? res : xstrdup(v);
}

static void param_expand(const char *s, size_t *ip, struct xbuf *b, int dq)
{
	size_t i = *ip + 1; /* after $ */
	char name[256];
	if (s[i] == '{') {
		size_t end = skip_until(s, i + 1, '{', '}'); /* past } */
		size_t j = i + 1;
		int length = 0;
		if (s[j] == '#' && s[j + 1] != '}' && end - 1 > j + 1) {
			length = 1;
			j++;
		}
		size_t k = j;
		if (strchr("?$#!-@*", s[k]) && s[k])
			k++;
		else if (isdigit((unsigned char)s[k]))
			while (isdigit((unsigned char)s[k]))
				k++;
		else
			while (isalnum((unsigned char)s[k]) || s[k] == '_')
				k++;
		if (k == j || k - j >= sizeof name) {
			sh_error("%.*s: bad substitution", (int)(end - *ip), s + *ip);
			*ip = end;
			last_status = 2;
			return;
		}
		memcpy(name, s + j, k - j);
		name[k - j] = 0;
		char *v = param(name);
		if (length) {
			char *l = numstr(v ? (long)strlen(v) : 0);
			add_value(b, l, dq);
			free(l);
			free(v);
			*ip = end;
			return;
		}
		const char *op = s + k;
		size_t wend = end - 1; /* index of } */
		if (*op == '}') {
			if (v)
				add_value(b, v, dq);
			free(v);
			*ip = end;
			return;
		}
		int colon = 0;
		if (*op == ':') {
			colon = 1;
			op++;
		}
		size_t ws = (size_t)(op - s) + 1;
		int longest = 0;
		if ((*op == '#' || *op == '%') && op[1] == *op) {
			longest = 1;
			ws++;
		}
		char *word = xstrndup(s + ws, wend - ws);
		int isset = v && (!colon || *v);
		switch (*op) {
		case '-':
			if (isset)
				add_value(b, v, dq);
			else
				parse(word, strlen(word), b, dq, 0, 0);
			break;
		case '=': {
			if (isset) {
				add_value(b, v, dq);
				break;
			}
			char *w = expand_one(word);
			var_set(name, w, 0);
			add_value(b, w, dq);
			free(w);
			break;
		}
		case '+':
			if (isset)
				parse(word, strlen(word), b, dq, 0, 0);
			break;
		case '?':
			if (isset) {
				add_value(b, v, dq);
				break;
			}
			{
				char *w = expand_one(word);
				sh_error("%s: %s", name, *w ? w : "parameter not set");
				free(w);
				pending = P_EXIT;
				last_status = 2;
			}
			break;
		case '#':
		case '%': {
			char *pat = expand_one(word);
			char *r = trim(v ? v : "", pat, *op == '%', longest);
			add_value(b, r, dq);
			free(r);
			free(pat);
			break;
		}
		default:
			sh_error("%.*s: bad substitution", (int)(end - *ip), s + *ip);
			last_status = 2;
		}
		free(word);
		free(v);
		*ip = end;
		return;
	}
	size_t k = i;
	if (s[k] && strchr("?$#!-@*0123456789", s[k]))
		k++;
	else
		while (isalnum((unsigned char)s[k]) || s[k] == '_')
			k++;
	if (k == i) {
		xput(b, '$', dq ? Q_QUOTED : 0);
		*ip = i;
		return;
	}
	memcpy(name, s + i, k - i);
	name[k - i] = 0;
	*ip = k;
	if (name[0] == '@' || (name[0] == '*' && !dq)) {
		/* each positional parameter is its own field */
		for (int p = 0; p < posc; p++) {
			if (p)
				xput(b, 0, Q_BREAK);
			if (dq)
				xput(b, 0, Q_MARK);
			add_value(b, posv[p], dq);
		}
		return;
	}
	char *v = param(name);
	if (v)
		add_value(b, v, dq);
	free(v);
}

static void strip_newlines(char *s)
{
	size_t n = strlen(s);
	while (n > 0 && s[n - 1] == '\n')
		s[--n] = 0;
}

/* parse s[0:end] into b. dq: inside double quotes. heredoc: quotes are
 * ordinary characters. */
static void parse(const char *s, size_t end, struct xbuf *b, int dq, int heredoc, int tilde)
{
	size_t i = 0;
	if (tilde && s[0] == '~') {
		size_t k = 1;
		while (k < end && s[k] != '/')
			k++;
		if (k == 1) {
			const char *h = var_get("HOME");
			if (h) {
				xputs(b, h, Q_QUOTED);
				i = 1;
			}
		}
	}
	while (i < end) {
		char c = s[i];
		if (c == '\'' && !dq && !heredoc) {
			size_t j = skip_quoted(s, i);
			xput(b, 0, Q_MARK);
			for (size_t k = i + 1; k < j - 1; k++)
				xput(b, s[k], Q_QUOTED);
			i = j;
			continue;
		}
		if (c == '"' && !dq && !heredoc) {
			size_t j = skip_quoted(s, i);
			size_t before = b->n;
			int has_at = 0;
			for (size_t k = i + 1; k + 1 < j; k++)
				if (s[k] == '$' && (s[k + 1] == '@' || (s[k + 1] == '{' && s[k + 2] == '@')))
					has_at = 1;
			char *inner = xstrndup(s + i + 1, j - i - 2);
			parse(inner, strlen(inner), b, 1, 0, 0);
			free(inner);
			if (b->n == before && !has_at)
				xput(b, 0, Q_MARK);
			i = j;
			continue;
		}
		if (c == '\\') {
			char n = s[i + 1];
			if (!n) {
				xput(b, '\\', Q_QUOTED);
				i++;
				continue;
			}
			if ((dq || heredoc) && !strchr(heredoc ? "$`\\\n" : "$`\"\\\n", n)) {
				xput(b, '\\', Q_QUOTED);
				i++;
				continue;
			}
			if (n != '\n')
				xput(b, n, Q_QUOTED);
			i += 2;
			continue;
		}
		if (c == '$' && s[i + 1] == '(' && s[i + 2] == '(') {
			/* arithmetic: $(( ... )) */
			size_t j = skip_until(s, i + 3, '(', ')'); /* past the first ) */
			size_t inner_end = j - 1;		    /* index of that ) */
			if (s[j] == ')') {
				char *expr = xstrndup(s + i + 3, inner_end - (i + 3));
				char *e = expand_one(expr);
				long r = 0;
				if (arith_eval(e, &r) < 0) {
					last_status = 2;
					pending = P_EXIT;
				}
				free(e);
				free(expr);
				char *num = numstr(r);
				add_value(b, num, dq);
				free(num);
				i = j + 1;
				continue;
			}
			/* $( (...) ): a command substitution after all */
		}
		if (c == '$' && s[i + 1] == '(') {
			size_t j = skip_until(s, i + 2, '(', ')');
			char *src = xstrndup(s + i + 2, j - 1 - (i + 2));
			char *out = capture(src, cur_line);
			strip_newlines(out);
			add_value(b, out, dq);
			free(out);
			free(src);
			i = j;
			continue;
		}
		if (c == '$') {
			param_expand(s, &i, b, dq);
			continue;
		}
		if (c == '`') {
			size_t j = skip_quoted(s, i);
			/* inside backquotes, \$ \` \\ lose their backslash */
			char *src = xmalloc(j - i);
			size_t o = 0;
			for (size_t k = i + 1; k + 1 < j; k++) {
				if (s[k] == '\\' && strchr("$`\\", s[k + 1]))
					k++;
				src[o++] = s[k];
			}
			src[o] = 0;
			char *out = capture(src, cur_line);
			strip_newlines(out);
			add_value(b, out, dq);
			free(out);
			free(src);
			i = j;
			continue;
		}
		xput(b, c, dq ? Q_QUOTED : 0);
		i++;
	}
}

static int has_glob(const struct xbuf *f)
{
	for (size_t i = 0; i < f->n; i++)
		if (!(f->q[i] & Q_QUOTED) && (f->s[i] == '*' || f->s[i] == '?' || f->s[i] == '['))
			return 1;
	return 0;
}

/* pattern: quoted characters escaped with a backslash */
static char *pattern_of(const struct xbuf *f)
{
	char *p = xmalloc(2 * f->n + 1), *o = p;
	for (size_t i = 0; i < f->n; i++) {
		if ((f->q[i] & Q_QUOTED) && strchr("*?[]\\", f->s[i]))
			*o++ = '\\';
		*o++ = f->s[i];
	}
	*o = 0;
	return p;
}

static void emit(struct xbuf *f, int flags, struct strv *out)
{
	if ((flags & EX_GLOB) && !opt_noglob && has_glob(f)) {
		char *pat = pattern_of(f);
		glob_t g;
		memset(&g, 0, sizeof g);
		if (glob(pat, 0, NULL, &g) == 0 && g.gl_pathc > 0) {
			for (size_t i = 0; i < g.gl_pathc; i++)
				sv_push(out, xstrdup(g.gl_pathv[i]));
			globfree(&g);
			free(pat);
			f->n = 0;
			return;
		}
		globfree(&g);
		free(pat);
	}
	sv_push(out, xstrndup(f->s ? f->s : "", f->n));
	f->n = 0;
}

int expand_word(const char *raw, int flags, struct strv *out)
{
	struct xbuf b = {0};
	parse(raw, strlen(raw), &b, 0, 0, flags & EX_TILDE);
	const char *sep = ifs();
	struct xbuf f = {0};
	int exists = 0; /* current field exists (has content or a quote mark) */
	for (size_t i = 0; i < b.n; i++) {
		unsigned char q = b.q[i];
		char c = b.s[i];
		if (q & Q_MARK) {
			exists = 1;
			continue;
		}
		if (q & Q_BREAK) {
			if (exists || f.n) {
				emit(&f, flags, out);
				exists = 0;
			}
			continue;
		}
		if ((flags & EX_SPLIT) && (q & Q_EXP) && c && strchr(sep, c)) {
			if (c == ' ' || c == '\t' || c == '\n') {
				if (exists || f.n) {
					emit(&f, flags, out);
					exists = 0;
				}
			} else {
				emit(&f, flags, out);
				exists = 0;
			}
			continue;
		}
		xput(&f, c, q);
		exists = 1;
	}
	if (exists || f.n)
		emit(&f, flags, out);
	free(f.s);
	free(f.q);
	free(b.s);
	free(b.q);
	return 0;
}

char *expand_one(const char *raw)
{
	struct xbuf b = {0};
	parse(raw, strlen(raw), &b, 0, 0, 0);
	char *r = xmalloc(b.n + 1), *o = r;
	for (size_t i = 0; i < b.n; i++)
		if (!(b.q[i] & (Q_MARK | Q_BREAK)))
			*o++ = b.s[i];
		else if (b.q[i] & Q_BREAK)
			*o++ = ' ';
	*o = 0;
	free(b.s);
	free(b.q);
	return r;
}

char *unquote_pattern(const char *raw)
{
	struct xbuf b = {0}, f = {0};
	parse(raw, strlen(raw), &b, 0, 0, 0);
	for (size_t i = 0; i < b.n; i++)
		if (!(b.q[i] & (Q_MARK | Q_BREAK)))
			xput(&f, b.s[i], b.q[i]);
	char *p = pattern_of(&f);
	free(b.s);
	free(b.q);
	free(f.s);
	free(f.q);
	return p;
}

char *expand_heredoc(const char *body)
{
	struct xbuf b = {0};
	parse(body, strlen(body), &b, 0, 1, 0);
	char *r = xmalloc(b.n + 1), *o = r;
	for (size_t i = 0; i < b.n; i++)
		if (!(b.q[i] & (Q_MARK | Q_BREAK)))
			*o++ = b.s[i];
	*o = 0;
	free(b.s);
	free(b.q);
	return r;
}

/* ---- arithmetic: $(( )) with C precedence, integers only ---- */

struct arith {
	const char *p;
	int err;
};

static long a_expr(struct arith *a);

static void a_space(struct arith *a)
{
	while (*a->p == ' ' || *a->p == '\t' || *a->p == '\n')
		a->p++;
}

static int a_op(struct arith *a, const char *op)
{
	a_space(a);
	size_t n = strlen(op);
	if (strncmp(a->p, op, n) != 0)
		return 0;
	/* do not take "<" from "<<", "&" from "&&", "=" from "==", ... */
	if (n == 1 && (a->p[1] == op[0] || (a->p[1] == '=' && strchr("<>!=", op[0]))))
		return 0;
	if (n == 2 && op[0] == op[1] && (op[0] == '<' || op[0] == '>') && a->p[2] == '=')
		return 0;
	a->p += n;
	return 1;
}

static long a_var(const char *name)
{
	const char *v = var_get(name);
	if (!v || !*v)
		return 0;
	return strtol(v, NULL, 0);
}

static long a_primary(struct arith *a)
{
	a_space(a);
	if (*a->p == '(') {
		a->p++;
		long v = a_expr(a);
		a_space(a);
		if (*a->p != ')') {
			a->err = 1;
			return 0;
		}
		a->p++;
		return v;
	}
	if (a_op(a, "-"))
		return -a_primary(a);
	if (a_op(a, "+"))
		return a_primary(a);
	if (a_op(a, "!"))
		return !a_primary(a);
	if (a_op(a, "~"))
		return ~a_primary(a);
	if (isdigit((unsigned char)*a->p)) {
		char *e;
		long v = strtol(a->p, &e, 0);
		a->p = e;
		return v;
	}
	if (isalpha((unsigned char)*a->p) || *a->p == '_') {
		const char *s = a->p;
		while (isalnum((unsigned char)*a->p) || *a->p == '_')
			a->p++;
		char *name = xstrndup(s, a->p - s);
		a_space(a);
		long v = a_var(name);
		static const char *const asg[] = {"+=", "-=", "*=", "/=", "%=", "="};
		for (int i = 0; i < 6; i++) {
			size_t n = strlen(asg[i]);
			if (strncmp(a->p, asg[i], n) == 0 && !(n == 1 && a->p[1] == '=')) {
				a->p += n;
				long r = a_expr(a);
				switch (asg[i][0]) {
				case '+': v += r; break;
				case '-': v -= r; break;
				case '*': v *= r; break;
				case '/': if (r) v /= r; else a->err = 2; break;
				case '%': if (r) v %= r; else a->err = 2; break;
				default: v = r;
				}
				char *num = numstr(v);
				var_set(name, num, 0);
				free(num);
				break;
			}
		}
		free(name);
		return v;
	}
	a->err = 1;
	return 0;
}

static long a_mul(struct arith *a)
{
	long v = a_primary(a);
	for (;;) {
		if (a_op(a, "*"))
			v *= a_primary(a);
		else if (a_op(a, "/")) {
			long r = a_primary(a);
			if (r == 0) {
				a->err = 2;
				return 0;
			}
			v /= r;
		} else if (a_op(a, "%")) {
			long r = a_primary(a);
			if (r == 0) {
				a->err = 2;
				return 0;
			}
			v %= r;
		} else
			return v;
	}
}

static long a_add(struct arith *a)
{
	long v = a_mul(a);
	for (;;) {
		if (a_op(a, "+"))
			v += a_mul(a);
		else if (a_op(a, "-"))
			v -= a_mul(a);
		else
			return v;
	}
}

static long a_shift(struct arith *a)
{
	long v = a_add(a);
	for (;;) {
		if (a_op(a, "<<"))
			v <<= a_add(a);
		else if (a_op(a, ">>"))
			v >>= a_add(a);
		else
			return v;
	}
}

static long a_rel(struct arith *a)
{
	long v = a_shift(a);
	for (;;) {
		if (a_op(a, "<="))
			v = v <= a_shift(a);
		else if (a_op(a, ">="))
			v = v >= a_shift(a);
		else if (a_op(a, "<"))
			v = v < a_shift(a);
		else if (a_op(a, ">"))
			v = v > a_shift(a);
		else
			return v;
	}
}

static long a_eq(struct arith *a)
{
	long v = a_rel(a);
	for (;;) {
		if (a_op(a, "=="))
			v = v == a_rel(a);
		else if (a_op(a, "!="))
			v = v != a_rel(a);
		else
			return v;
	}
}

static long a_band(struct arith *a)
{
	long v = a_eq(a);
	while (a_op(a, "&"))
		v &= a_eq(a);
	return v;
}

static long a_bxor(struct arith *a)
{
	long v = a_band(a);
	while (a_op(a, "^"))
		v ^= a_band(a);
	return v;
}

static long a_bor(struct arith *a)
{
	long v = a_bxor(a);
	while (a_op(a, "|"))
		v |= a_bxor(a);
	return v;
}

static long a_land(struct arith *a)
{
	long v = a_bor(a);
	while (a_op(a, "&&")) {
		long r = a_bor(a);
		v = v && r;
	}
	return v;
}

static long a_lor(struct arith *a)
{
	long v = a_land(a);
	while (a_op(a, "||")) {
		long r = a_land(a);
		v = v || r;
	}
	return v;
}

static long a_expr(struct arith *a)
{
	long v = a_lor(a);
	if (a_op(a, "?")) {
		long x = a_expr(a);
		if (!a_op(a, ":")) {
			a->err = 1;
			return 0;
		}
		long y = a_expr(a);
		v = v ? x : y;
	}
	return v;
}

int arith_eval(const char *expr, long *result)
{
	struct arith a = {expr, 0};
	a_space(&a);
	if (!*a.p) {
		*result = 0;
		return 0;
	}
	*result = a_expr(&a);
	a_space(&a);
	if (a.err == 2) {
		sh_error("arithmetic expression: division by zero: \"%s\"", expr);
		return -1;
	}
	if (a.err || *a.p) {
		sh_error("arithmetic expression: expecting primary: \"%s\"", expr);
		return -1;
	}
	return 0;
}
