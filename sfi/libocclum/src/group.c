/* The group database (<grp.h>): /etc/group, one "name:passwd:gid:
 * user,user" line per group. Malformed lines are skipped, as musl does.
 * The non-reentrant calls share one static entry, overwritten by the next
 * call. */
#include <errno.h>
#include <grp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define GROUP_FILE "/etc/group"

/* parse_gr splits line (len bytes, no newline) into gr, its strings and
 * member array in buf: 0, ERANGE (buf too small), or EINVAL. */
static int parse_gr(const char *line, size_t len, struct group *gr, char *buf, size_t size)
{
	size_t members = 1;
	for (size_t i = 0; i < len; i++)
		if (line[i] == ',')
			members++;
	size_t strs = (len + 1 + sizeof(char *) - 1) / sizeof(char *) * sizeof(char *);
	uintptr_t base = (uintptr_t)buf;
	size_t pad = (sizeof(char *) - base % sizeof(char *)) % sizeof(char *);
	if (size < pad || size - pad < strs || (size - pad - strs) / sizeof(char *) < members + 1)
		return ERANGE;
	char *s = buf + pad;
	char **mem = (char **)(void *)(s + strs);
	memcpy(s, line, len);
	s[len] = 0;
	char *f[4];
	char *p = s;
	for (int i = 0; i < 4; i++) {
		f[i] = p;
		char *c = strchr(p, ':');
		if (i < 3) {
			if (!c)
				return EINVAL;
			*c = 0;
			p = c + 1;
		} else if (c) {
			return EINVAL;
		}
	}
	if (!__occlum_parse_id(f[2], &gr->gr_gid))
		return EINVAL;
	size_t n = 0;
	for (p = f[3]; *p;) {
		mem[n++] = p;
		char *c = strchr(p, ',');
		if (!c)
			break;
		*c = 0;
		p = c + 1;
	}
	mem[n] = NULL;
	gr->gr_name = f[0];
	gr->gr_passwd = f[1];
	gr->gr_mem = mem;
	return 0;
}

static int next_gr(FILE *f, struct group *gr, char *buf, size_t size)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int r = ENOENT;
	while ((n = getline(&line, &cap, f)) >= 0) {
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = 0;
		r = parse_gr(line, (size_t)n, gr, buf, size);
		if (r != EINVAL)
			break;
		r = ENOENT;
	}
	if (n < 0 && ferror(f))
		r = errno ? errno : EIO;
	free(line);
	return r;
}

static int find_gr(const char *name, gid_t gid, struct group *gr, char *buf, size_t size, struct group **res)
{
	*res = NULL;
	FILE *f = fopen(GROUP_FILE, "re");
	if (!f)
		return (errno == ENOENT || errno == EACCES) ? 0 : errno;
	int r;
	while ((r = next_gr(f, gr, buf, size)) == 0) {
		if (name ? strcmp(gr->gr_name, name) == 0 : gr->gr_gid == gid) {
			*res = gr;
			break;
		}
	}
	fclose(f);
	return r == ENOENT ? 0 : r;
}

int getgrnam_r(const char *name, struct group *gr, char *buf, size_t size, struct group **res)
{
	return find_gr(name, 0, gr, buf, size, res);
}

int getgrgid_r(gid_t gid, struct group *gr, char *buf, size_t size, struct group **res)
{
	return find_gr(NULL, gid, gr, buf, size, res);
}

static struct group gr_static;
static char *gr_buf;
static size_t gr_size;
static FILE *gr_file;

static struct group *with_static(const char *name, gid_t gid, FILE *f)
{
	for (;;) {
		if (!gr_buf) {
			gr_size = 1024;
			if (!(gr_buf = malloc(gr_size)))
				return NULL;
		}
		struct group *res = NULL;
		int r;
		if (f) {
			long at = ftell(f);
			r = next_gr(f, &gr_static, gr_buf, gr_size);
			if (r == 0)
				res = &gr_static;
			else if (r == ERANGE && at >= 0)
				fseek(f, at, SEEK_SET);
			else if (r == ENOENT)
				r = 0;
		} else {
			r = find_gr(name, gid, &gr_static, gr_buf, gr_size, &res);
		}
		if (r == ERANGE) {
			char *b = realloc(gr_buf, gr_size * 2);
			if (!b)
				return NULL;
			gr_buf = b;
			gr_size *= 2;
			continue;
		}
		if (r != 0)
			errno = r;
		return res;
	}
}

struct group *getgrnam(const char *name) { return with_static(name, 0, NULL); }
struct group *getgrgid(gid_t gid) { return with_static(NULL, gid, NULL); }
struct group *fgetgrent(FILE *f) { return with_static(NULL, 0, f); }

void setgrent(void)
{
	if (gr_file)
		rewind(gr_file);
}

void endgrent(void)
{
	if (gr_file)
		fclose(gr_file);
	gr_file = NULL;
}

struct group *getgrent(void)
{
	if (!gr_file && !(gr_file = fopen(GROUP_FILE, "re")))
		return NULL;
	return with_static(NULL, 0, gr_file);
}

/* getgrouplist: gid first, then every group listing user; returns the
 * count, or -1 with *n set to the count needed when groups is too small. */
int getgrouplist(const char *user, gid_t gid, gid_t *groups, int *n)
{
	int count = 0;
	if (count < *n)
		groups[count] = gid;
	count++;
	FILE *f = fopen(GROUP_FILE, "re");
	if (f) {
		struct group gr;
		size_t size = 1024;
		char *buf = malloc(size);
		int r;
		long at = ftell(f);
		while (buf && (r = next_gr(f, &gr, buf, size)) != ENOENT) {
			if (r == ERANGE) {
				/* A longer line than buf: read it again, bigger. */
				char *b = realloc(buf, size * 2);
				if (!b || at < 0 || fseek(f, at, SEEK_SET) != 0) {
					buf = b ? b : buf;
					break;
				}
				buf = b;
				size *= 2;
				continue;
			}
			at = ftell(f);
			if (r != 0)
				break;
			if (gr.gr_gid == gid)
				continue;
			for (char **m = gr.gr_mem; *m; m++) {
				if (strcmp(*m, user) == 0) {
					if (count < *n)
						groups[count] = gr.gr_gid;
					count++;
					break;
				}
			}
		}
		free(buf);
		fclose(f);
	}
	int ok = count <= *n;
	*n = count;
	return ok ? count : -1;
}
