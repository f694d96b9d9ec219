/* fdcheck NAME=FD...: prints "NAME: open" or "NAME: closed" for each
 * descriptor (closed: fcntl(F_GETFD) fails with EBADF). Names keep fd
 * numbers, which differ natively and in the LibOS, out of the output. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (eq == NULL) return 2;
        int fd = atoi(eq + 1);
        errno = 0;
        int r = fcntl(fd, F_GETFD);
        const char *state = r >= 0 ? "open" : errno == EBADF ? "closed" : "error";
        printf("%.*s: %s\n", (int)(eq - argv[i]), argv[i], state);
    }
    return 0;
}
