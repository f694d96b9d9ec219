/* vars.c: shell variables, the environment handed to children, positional
 * parameters and functions. */
#include "sh.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct var {
	char *name;
	char *value; /* NULL: declared (export X) but unset */
	int flags;
	struct var *next;
};

#define NBUCKET 64
static struct var *table[NBUCKET];
static char **env_cache;
static int env_dirty = 1;

char **posv;
int posc;

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p) {
		fprintf(stderr, "sh: out of memory\n");
		exit(2);
	}
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		fprintf(stderr, "sh: out of memory\n");
		exit(2);
	}
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

int is_name(const char *s, size_t n)
{
	if (n == 0 || !(s[0] == '_' || (s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return 0;
	for (size_t i = 1; i < n; i++) {
		char c = s[i];
		if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
			return 0;
	}
	return 1;
}

static unsigned hash(const char *s)
{
	unsigned h = 5381;
	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h % NBUCKET;
}

static struct var *lookup(const char *name)
{
	for (struct var *v = table[hash(name)]; v; v = v->next)
		if (strcmp(v->name, name) == 0)
			return v;
	return NULL;
}

static struct var *create(const char *name)
{
	struct var *v = lookup(name);
	if (v)
		return v;
	v = xmalloc(sizeof *v);
	v->name = xstrdup(name);
	v->value = NULL;
	v->flags = 0;
	unsigned h = hash(name);
	v->next = table[h];
	table[h] = v;
	return v;
}

const char *var_get(const char *name)
{
	struct var *v = lookup(name);
	return v ? v->value : NULL;
}

int var_flags(const char *name)
{
	struct var *v = lookup(name);
	return v ? v->flags : 0;
}

int var_set(const char *name, const char *value, int flags)
{
	struct var *v = create(name);
	if (v->flags & V_READONLY) {
		sh_error("%s: is read only", name);
		return -1;
	}
	char *nv = value ? xstrdup(value) : NULL;
	free(v->value);
	v->value = nv;
	v->flags |= flags;
	if (v->flags & V_EXPORT)
		env_dirty = 1;
	return 0;
}

void var_export(const char *name)
{
	struct var *v = create(name);
	v->flags |= V_EXPORT;
	env_dirty = 1;
}

int var_unset(const char *name)
{
	unsigned h = hash(name);
	for (struct var **p = &table[h]; *p; p = &(*p)->next) {
		struct var *v = *p;
		if (strcmp(v->name, name) != 0)
			continue;
		if (v->flags & V_READONLY) {
			sh_error("unset: %s: is read only", name);
			return -1;
		}
		if (v->flags & V_EXPORT)
			env_dirty = 1;
		*p = v->next;
		free(v->name);
		free(v->value);
		free(v);
		return 0;
	}
	return 0;
}

void var_import(char **envp)
{
	for (; envp && *envp; envp++) {
		const char *eq = strchr(*envp, '=');
		if (!eq || !is_name(*envp, eq - *envp))
			continue;
		char *name = xstrndup(*envp, eq - *envp);
		var_set(name, eq + 1, V_EXPORT);
		free(name);
	}
}

char **var_environ(void)
{
	if (!env_dirty)
		return env_cache;
	if (env_cache) {
		for (char **e = env_cache; *e; e++)
			free(*e);
		free(env_cache);
	}
	int n = 0;
	for (int i = 0; i < NBUCKET; i++)
		for (struct var *v = table[i]; v; v = v->next)
			if ((v->flags & V_EXPORT) && v->value)
				n++;
	env_cache = xmalloc((n + 1) * sizeof *env_cache);
	n = 0;
	for (int i = 0; i < NBUCKET; i++)
		for (struct var *v = table[i]; v; v = v->next)
			if ((v->flags & V_EXPORT) && v->value) {
				size_t a = strlen(v->name), b = strlen(v->value);
				char *s = xmalloc(a + b + 2);
				memcpy(s, v->name, a);
				s[a] = '=';
				memcpy(s + a + 1, v->value, b + 1);
				env_cache[n++] = s;
			}
	env_cache[n] = NULL;
	env_dirty = 0;
	return env_cache;
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* export -p / export without arguments, in dash's format */
void var_print_exports(void)
{
	struct strv s = {0};
	for (int i = 0; i < NBUCKET; i++)
		for (struct var *v = table[i]; v; v = v->next)
			if (v->flags & V_EXPORT)
				sv_push(&s, v->name);
	qsort(s.v, s.n, sizeof *s.v, cmpstr);
	for (int i = 0; i < s.n; i++) {
		const char *val = var_get(s.v[i]);
		if (!val) {
			printf("export %s\n", s.v[i]);
			continue;
		}
		printf("export %s='", s.v[i]);
		for (const char *p = val; *p; p++) {
			if (*p == '\'')
				fputs("'\"'\"'", stdout);
			else
				putchar(*p);
		}
		printf("'\n");
	}
	free(s.v);
}

/* Snapshots implement the variable side of emulated subshells. */
struct varsnap {
	struct var *vars;
	char **posv;
	int posc;
	char *cwd;
};

struct varsnap *var_snapshot(void)
{
	struct varsnap *s = xmalloc(sizeof *s);
	s->vars = NULL;
	for (int i = 0; i < NBUCKET; i++)
		for (struct var *v = table[i]; v; v = v->next) {
			struct var *c = xmalloc(sizeof *c);
			c->name = xstrdup(v->name);
			c->value = v->value ? xstrdup(v->value) : NULL;
			c->flags = v->flags;
			c->next = s->vars;
			s->vars = c;
		}
	s->posc = posc;
	s->posv = xmalloc((posc + 1) * sizeof *s->posv);
	for (int i = 0; i < posc; i++)
		s->posv[i] = xstrdup(posv[i]);
	s->posv[posc] = NULL;
	s->cwd = NULL;
	char buf[4096];
	if (getcwd(buf, sizeof buf))
		s->cwd = xstrdup(buf);
	return s;
}

void var_restore(struct varsnap *s)
{
	for (int i = 0; i < NBUCKET; i++) {
		struct var *v = table[i];
		while (v) {
			struct var *n = v->next;
			free(v->name);
			free(v->value);
			free(v);
			v = n;
		}
		table[i] = NULL;
	}
	struct var *v = s->vars;
	while (v) {
		struct var *n = v->next;
		unsigned h = hash(v->name);
		v->next = table[h];
		table[h] = v;
		v = n;
	}
	env_dirty = 1;
	for (int i = 0; i < posc; i++)
		free(posv[i]);
	free(posv);
	posv = s->posv;
	posc = s->posc;
	if (s->cwd) {
		if (chdir(s->cwd) != 0) {
			/* the directory went away; stay where we are */
		}
		free(s->cwd);
	}
	free(s);
}

void pos_set(char **v, int n)
{
	char **nv = xmalloc((n + 1) * sizeof *nv);
	for (int i = 0; i < n; i++)
		nv[i] = xstrdup(v[i]);
	nv[n] = NULL;
	for (int i = 0; i < posc; i++)
		free(posv[i]);
	free(posv);
	posv = nv;
	posc = n;
}

/* functions */
struct func {
	char *name;
	struct node *body;
	struct func *next;
};
static struct func *funcs;

struct node *func_get(const char *name)
{
	for (struct func *f = funcs; f; f = f->next)
		if (strcmp(f->name, name) == 0)
			return f->body;
	return NULL;
}

void func_set(const char *name, struct node *body)
{
	for (struct func *f = funcs; f; f = f->next)
		if (strcmp(f->name, name) == 0) {
			f->body = body;
			return;
		}
	struct func *f = xmalloc(sizeof *f);
	f->name = xstrdup(name);
	f->body = body;
	f->next = funcs;
	funcs = f;
}
