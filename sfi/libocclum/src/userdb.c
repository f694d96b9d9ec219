/* The line databases of <pwd.h> and <grp.h> (/etc/passwd, /etc/group):
 * reading entries, finding one by name or id, and the static entry the
 * non-reentrant calls share. The parsers and matchers are passwd.c's and
 * group.c's. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int __occlum_db_next(const struct __occlum_db *db, FILE *f, void *ent, char *buf, size_t size)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int r = ENOENT;
	while ((n = getline(&line, &cap, f)) >= 0) {
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = 0;
		r = db->parse(line, (size_t)n, ent, buf, size);
		if (r != EINVAL)
			break;
		r = ENOENT; /* a malformed line: skipped */
	}
	if (n < 0 && ferror(f))
		r = errno ? errno : EIO;
	free(line);
	return r;
}

int __occlum_db_find(const struct __occlum_db *db, const char *name, unsigned id, void *ent, char *buf,
		     size_t size, void **res)
{
	*res = NULL;
	FILE *f = fopen(db->path, "re");
	if (!f)
		return (errno == ENOENT || errno == EACCES) ? 0 : errno;
	int r;
	while ((r = __occlum_db_next(db, f, ent, buf, size)) == 0) {
		if (db->match(ent, name, id)) {
			*res = ent;
			break;
		}
	}
	fclose(f);
	return r == ENOENT ? 0 : r;
}

void *__occlum_db_static(struct __occlum_db *db, const char *name, unsigned id, FILE *f)
{
	for (;;) {
		if (!db->buf) {
			db->size = 1024;
			if (!(db->buf = malloc(db->size)))
				return NULL;
		}
		void *res = NULL;
		int r;
		if (f) {
			long at = ftell(f);
			r = __occlum_db_next(db, f, db->ent, db->buf, db->size);
			if (r == 0)
				res = db->ent;
			else if (r == ERANGE && at >= 0)
				fseek(f, at, SEEK_SET); /* read that line again, bigger */
			else if (r == ENOENT)
				r = 0;
		} else {
			r = __occlum_db_find(db, name, id, db->ent, db->buf, db->size, &res);
		}
		if (r == ERANGE) {
			char *b = realloc(db->buf, db->size * 2);
			if (!b)
				return NULL;
			db->buf = b;
			db->size *= 2;
			continue;
		}
		if (r != 0)
			errno = r;
		return res;
	}
}

void *__occlum_db_getent(struct __occlum_db *db)
{
	if (!db->file && !(db->file = fopen(db->path, "re")))
		return NULL;
	return __occlum_db_static(db, NULL, 0, db->file);
}

void __occlum_db_rewind(struct __occlum_db *db)
{
	if (db->file)
		rewind(db->file);
}

void __occlum_db_close(struct __occlum_db *db)
{
	if (db->file)
		fclose(db->file);
	db->file = NULL;
}
