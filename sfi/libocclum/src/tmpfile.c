/* tmpfile: a new file in /tmp, open for update ("w+"), already unlinked,
 * so it goes when it is closed (or the process exits). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "internal.h"

FILE *tmpfile(void)
{
	char name[] = "/tmp/tmpfile-XXXXXX";
	int fd = mkostemp(name, O_CLOEXEC);
	if (fd < 0)
		return NULL;
	unlink(name);
	FILE *f = fdopen(fd, "w+");
	if (!f) {
		int e = errno;
		close(fd);
		errno = e;
	}
	return f;
}
