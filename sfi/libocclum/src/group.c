/* The group database (<grp.h>): /etc/group, one "name:passwd:gid:
 * user,user" line per group (read by src/userdb.c). Malformed lines are
 * skipped, as musl does. The non-reentrant calls share one static entry,
 * overwritten by the next call. */
#include <errno.h>
#include <grp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* parse_gr puts the strings, then the member array (aligned), in buf. */
static int parse_gr(const char *line, size_t len, void *ent, char *buf, size_t size)
{
	struct group *gr = ent;
	size_t members = 1;
	for (size_t i = 0; i < len; i++)
		if (line[i] == ',')
			members++;
	size_t strs = (len + 1 + sizeof(char *) - 1) / sizeof(char *) * sizeof(char *);
	size_t pad = (sizeof(char *) - (uintptr_t)buf % sizeof(char *)) % sizeof(char *);
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

static int match_gr(const void *ent, const char *name, unsigned id)
{
	const struct group *gr = ent;
	return name ? strcmp(gr->gr_name, name) == 0 : gr->gr_gid == id;
}

static struct group gr_static;
static struct __occlum_db db = {"/etc/group", parse_gr, match_gr, &gr_static, NULL, 0, NULL};

int getgrnam_r(const char *name, struct group *gr, char *buf, size_t size, struct group **res)
{
	return __occlum_db_find(&db, name, 0, gr, buf, size, (void **)res);
}

int getgrgid_r(gid_t gid, struct group *gr, char *buf, size_t size, struct group **res)
{
	return __occlum_db_find(&db, NULL, gid, gr, buf, size, (void **)res);
}

struct group *getgrnam(const char *name) { return __occlum_db_static(&db, name, 0, NULL); }
struct group *getgrgid(gid_t gid) { return __occlum_db_static(&db, NULL, gid, NULL); }
struct group *fgetgrent(FILE *f) { return __occlum_db_static(&db, NULL, 0, f); }
struct group *getgrent(void) { return __occlum_db_getent(&db); }
void setgrent(void) { __occlum_db_rewind(&db); }
void endgrent(void) { __occlum_db_close(&db); }

/* getgrouplist: gid first, then every group listing user; returns the
 * count, or -1 with *n set to the count needed when groups is too small. */
int getgrouplist(const char *user, gid_t gid, gid_t *groups, int *n)
{
	int count = 0;
	if (count < *n)
		groups[count] = gid;
	count++;
	FILE *f = fopen(db.path, "re");
	if (f) {
		struct group gr;
		size_t size = 1024;
		char *buf = malloc(size);
		long at = ftell(f);
		int r;
		while (buf && (r = __occlum_db_next(&db, f, &gr, buf, size)) != ENOENT) {
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
