/* The user database (<pwd.h>): /etc/passwd, one "name:passwd:uid:gid:
 * gecos:dir:shell" line per user (read by src/userdb.c). Malformed lines
 * (a field missing, an id that is not a decimal number below 2^32) are
 * skipped, as musl does. The non-reentrant calls share one static entry,
 * overwritten by the next call. */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static int parse_pw(const char *line, size_t len, void *ent, char *buf, size_t size)
{
	struct passwd *pw = ent;
	if (len + 1 > size)
		return ERANGE;
	memcpy(buf, line, len);
	buf[len] = 0;
	char *f[7];
	char *p = buf;
	for (int i = 0; i < 7; i++) {
		f[i] = p;
		char *c = strchr(p, ':');
		if (i < 6) {
			if (!c)
				return EINVAL;
			*c = 0;
			p = c + 1;
		} else if (c) {
			return EINVAL;
		}
	}
	if (!__occlum_parse_id(f[2], &pw->pw_uid) || !__occlum_parse_id(f[3], &pw->pw_gid))
		return EINVAL;
	pw->pw_name = f[0];
	pw->pw_passwd = f[1];
	pw->pw_gecos = f[4];
	pw->pw_dir = f[5];
	pw->pw_shell = f[6];
	return 0;
}

static int match_pw(const void *ent, const char *name, unsigned id)
{
	const struct passwd *pw = ent;
	return name ? strcmp(pw->pw_name, name) == 0 : pw->pw_uid == id;
}

static struct passwd pw_static;
static struct __occlum_db db = {"/etc/passwd", parse_pw, match_pw, &pw_static, NULL, 0, NULL};

int getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t size, struct passwd **res)
{
	return __occlum_db_find(&db, name, 0, pw, buf, size, (void **)res);
}

int getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t size, struct passwd **res)
{
	return __occlum_db_find(&db, NULL, uid, pw, buf, size, (void **)res);
}

struct passwd *getpwnam(const char *name) { return __occlum_db_static(&db, name, 0, NULL); }
struct passwd *getpwuid(uid_t uid) { return __occlum_db_static(&db, NULL, uid, NULL); }
struct passwd *fgetpwent(FILE *f) { return __occlum_db_static(&db, NULL, 0, f); }
struct passwd *getpwent(void) { return __occlum_db_getent(&db); }
void setpwent(void) { __occlum_db_rewind(&db); }
void endpwent(void) { __occlum_db_close(&db); }
