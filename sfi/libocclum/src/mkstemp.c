/* mkstemp, mkostemp, mkstemps, mkostemps and mkdtemp (wasi-libc declares
 * them but defines none): the last six characters before the suffix must
 * be "XXXXXX" (else EINVAL, template unchanged); they are replaced with
 * random letters and digits until a name is free (O_EXCL, mode 0600;
 * directories 0700), up to 100 tries (then EEXIST). */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

#include "internal.h"

#define TRIES 100

static const char letters[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/* xs returns where the six X's are, or NULL (errno EINVAL). */
static char *xs(char *tmpl, int suffix)
{
	size_t n = strlen(tmpl);
	if (suffix < 0 || (size_t)suffix > n || n - (size_t)suffix < 6 ||
	    memcmp(tmpl + n - suffix - 6, "XXXXXX", 6) != 0) {
		errno = EINVAL;
		return NULL;
	}
	return tmpl + n - suffix - 6;
}

static int fill(char *x)
{
	unsigned char r[6];
	__wasi_errno_t e = __wasi_random_get(r, sizeof r);
	if (e != 0) {
		errno = e;
		return -1;
	}
	for (int i = 0; i < 6; i++)
		x[i] = letters[r[i] % (sizeof letters - 1)];
	return 0;
}

int mkostemps(char *tmpl, int suffix, int flags)
{
	char *x = xs(tmpl, suffix);
	if (!x)
		return -1;
	if (flags & ~(O_APPEND | O_CLOEXEC | O_SYNC | O_DSYNC | O_RSYNC)) {
		errno = EINVAL;
		return -1;
	}
	for (int i = 0; i < TRIES; i++) {
		if (fill(x) < 0)
			break;
		int fd = open(tmpl, O_RDWR | O_CREAT | O_EXCL | flags, 0600);
		if (fd >= 0)
			return fd;
		if (errno != EEXIST)
			break;
	}
	memcpy(x, "XXXXXX", 6);
	return -1;
}

int mkstemp(char *tmpl) { return mkostemps(tmpl, 0, 0); }
int mkostemp(char *tmpl, int flags) { return mkostemps(tmpl, 0, flags); }
int mkstemps(char *tmpl, int suffix) { return mkostemps(tmpl, suffix, 0); }

char *mkdtemp(char *tmpl)
{
	char *x = xs(tmpl, 0);
	if (!x)
		return NULL;
	for (int i = 0; i < TRIES; i++) {
		if (fill(x) < 0)
			break;
		if (mkdir(tmpl, 0700) == 0)
			return tmpl;
		if (errno != EEXIST)
			break;
	}
	memcpy(x, "XXXXXX", 6);
	return NULL;
}
