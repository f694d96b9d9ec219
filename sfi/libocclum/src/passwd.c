/* The user database (<pwd.h>): /etc/passwd, one "name:passwd:uid:gid:
 * gecos:dir:shell" line per user. Malformed lines (a field missing, an id
 * that is not a decimal number below 2^32) are skipped, as musl does. The
 * non-reentrant calls share one static entry, overwritten by the next
 * call. */
#include <errno.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define PASSWD_FILE "/etc/passwd"

/* parse_pw splits line (len bytes, no newline) into pw, its strings in
 * buf: 0, ERANGE (buf too small), or EINVAL (malformed). */
static int parse_pw(const char *line, size_t len, struct passwd *pw, char *buf, size_t size)
{
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

/* next_pw reads f's next well-formed entry into pw/buf: 0, ENOENT at the
 * end, ERANGE, or an I/O errno. */
static int next_pw(FILE *f, struct passwd *pw, char *buf, size_t size)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int r = ENOENT;
	while ((n = getline(&line, &cap, f)) >= 0) {
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = 0;
		r = parse_pw(line, (size_t)n, pw, buf, size);
		if (r != EINVAL)
			break;
		r = ENOENT;
	}
	if (n < 0 && ferror(f))
		r = errno ? errno : EIO;
	free(line);
	return r;
}

/* find_pw looks for the entry with name (if set) or uid: 0 with *res set
 * or NULL when there is none; an errno otherwise. */
static int find_pw(const char *name, uid_t uid, struct passwd *pw, char *buf, size_t size, struct passwd **res)
{
	*res = NULL;
	FILE *f = fopen(PASSWD_FILE, "re");
	if (!f)
		return (errno == ENOENT || errno == EACCES) ? 0 : errno;
	int r;
	while ((r = next_pw(f, pw, buf, size)) == 0) {
		if (name ? strcmp(pw->pw_name, name) == 0 : pw->pw_uid == uid) {
			*res = pw;
			break;
		}
	}
	fclose(f);
	return r == ENOENT ? 0 : r;
}

int getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t size, struct passwd **res)
{
	return find_pw(name, 0, pw, buf, size, res);
}

int getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t size, struct passwd **res)
{
	return find_pw(NULL, uid, pw, buf, size, res);
}

static struct passwd pw_static;
static char *pw_buf;
static size_t pw_size;
static FILE *pw_file;

/* with_static calls fn with the static entry, growing its buffer on
 * ERANGE; NULL with errno set (or kept) when there is no entry. */
static struct passwd *with_static(const char *name, uid_t uid, FILE *f)
{
	for (;;) {
		if (!pw_buf) {
			pw_size = 1024;
			if (!(pw_buf = malloc(pw_size)))
				return NULL;
		}
		struct passwd *res = NULL;
		int r;
		if (f) {
			long at = ftell(f);
			r = next_pw(f, &pw_static, pw_buf, pw_size);
			if (r == 0)
				res = &pw_static;
			else if (r == ERANGE && at >= 0)
				fseek(f, at, SEEK_SET);
			else if (r == ENOENT)
				r = 0;
		} else {
			r = find_pw(name, uid, &pw_static, pw_buf, pw_size, &res);
		}
		if (r == ERANGE) {
			char *b = realloc(pw_buf, pw_size * 2);
			if (!b)
				return NULL;
			pw_buf = b;
			pw_size *= 2;
			continue;
		}
		if (r != 0)
			errno = r;
		return res;
	}
}

struct passwd *getpwnam(const char *name) { return with_static(name, 0, NULL); }
struct passwd *getpwuid(uid_t uid) { return with_static(NULL, uid, NULL); }
struct passwd *fgetpwent(FILE *f) { return with_static(NULL, 0, f); }

void setpwent(void)
{
	if (pw_file)
		rewind(pw_file);
}

void endpwent(void)
{
	if (pw_file)
		fclose(pw_file);
	pw_file = NULL;
}

struct passwd *getpwent(void)
{
	if (!pw_file && !(pw_file = fopen(PASSWD_FILE, "re")))
		return NULL;
	return with_static(NULL, 0, pw_file);
}
