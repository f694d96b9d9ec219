/* libocclum: <grp.h> (wasi-libc has none): the group database is the
 * image's /etc/group, read at each call. */
#ifndef _GRP_H
#define _GRP_H

#define __NEED_size_t
#define __NEED_gid_t
#include <bits/alltypes.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

struct group {
	char *gr_name;
	char *gr_passwd;
	gid_t gr_gid;
	char **gr_mem;
};

void setgrent(void);
void endgrent(void);
struct group *getgrent(void);
struct group *fgetgrent(FILE *);
struct group *getgrgid(gid_t);
struct group *getgrnam(const char *);
int getgrgid_r(gid_t, struct group *, char *, size_t, struct group **);
int getgrnam_r(const char *, struct group *, char *, size_t, struct group **);
int getgrouplist(const char *, gid_t, gid_t *, int *);
#if defined(_GNU_SOURCE) || defined(_BSD_SOURCE)
/* One user, root: only root's group (0) can be set (src/ids.c). */
int setgroups(size_t, const gid_t *);
int initgroups(const char *, gid_t);
#endif

#ifdef __cplusplus
}
#endif

#endif
