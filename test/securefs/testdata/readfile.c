/* readfile PATH...: prints "readfile: start", then copies each file to
 * stdout as it reads it (64 KiB at a time: whatever a read returns is
 * shown, so a leak of tampered data would be seen). A failing open or read
 * prints "readfile: PATH: <call>: <ERRNO NAME>" on stdout and exits 1. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

int main(int argc, char **argv) {
    static char buf[65536];
    printf("readfile: start\n");
    fflush(stdout);
    for (int i = 1; i < argc; i++) {
        int fd = open(argv[i], O_RDONLY);
        if (fd < 0) {
            printf("readfile: %s: open: %s\n", argv[i], errno_name(errno));
            return 1;
        }
        for (;;) {
            ssize_t n = read(fd, buf, sizeof buf);
            if (n < 0) {
                printf("readfile: %s: read: %s\n", argv[i], errno_name(errno));
                return 1;
            }
            if (n == 0) break;
            fwrite(buf, 1, (size_t)n, stdout);
            fflush(stdout);
        }
        close(fd);
    }
    return 0;
}
