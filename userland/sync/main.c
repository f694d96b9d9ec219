/* sync: make every file system's changes durable (sync(2); in the LibOS,
 * sefs layers commit). With FILE arguments, fsync each (-d: fdatasync),
 * as GNU coreutils' sync does; -f syncs the file systems holding them. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int data = 0, fs = 0, i = 1, status = 0;
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		for (const char *p = argv[i] + 1; *p; p++) {
			if (*p == 'd')
				data = 1;
			else if (*p == 'f')
				fs = 1;
			else {
				fprintf(stderr, "sync: invalid option -- '%c'\nusage: sync [-d|-f] [FILE]...\n", *p);
				return 1;
			}
		}
	}
	if (i == argc) {
		sync();
		return 0;
	}
	for (; i < argc; i++) {
		int fd = open(argv[i], O_RDONLY | O_NONBLOCK);
		if (fd < 0) {
			fprintf(stderr, "sync: error opening '%s': %s\n", argv[i], strerror(errno));
			status = 1;
			continue;
		}
		int r = fs ? syncfs(fd) : data ? fdatasync(fd) : fsync(fd);
		if (r < 0) {
			fprintf(stderr, "sync: error syncing '%s': %s\n", argv[i], strerror(errno));
			status = 1;
		}
		close(fd);
	}
	return status;
}
