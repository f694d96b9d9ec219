/* fill PATH: writes 64 KiB chunks to PATH until a write fails, then fsyncs
 * it, and prints "fill: write <ERRNO NAME> fsync <ERRNO NAME or OK>" (a
 * file system that buffers may take the error at either). Exits 0 when
 * the error was ENOSPC, 1 otherwise. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

int main(int argc, char **argv) {
    static char buf[65536];
    if (argc != 2) {
        fprintf(stderr, "usage: fill PATH\n");
        return 2;
    }
    int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return fail("open", argv[1]);
    long long total = 0;
    int werr = 0;
    for (int i = 0; total < (1LL << 34); i++) {
        fill_marked(buf, sizeof buf, "FILL");
        ssize_t n = write(fd, buf, sizeof buf);
        if (n < 0) {
            werr = errno;
            break;
        }
        total += n;
    }
    int serr = fsync(fd) == 0 ? 0 : errno;
    printf("fill: write %s fsync %s\n", werr ? errno_name(werr) : "OK", serr ? errno_name(serr) : "OK");
    fprintf(stderr, "fill: %lld bytes written\n", total);
    close(fd);
    return (werr == ENOSPC || serr == ENOSPC) ? 0 : 1;
}
