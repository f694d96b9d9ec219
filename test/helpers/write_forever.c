/* write_forever: writes to stdout until a write fails. Killed by SIGPIPE
 * when nobody reads and SIGPIPE has its default action; exits 3 when the
 * write fails with EPIPE (SIGPIPE ignored), 4 on any other error. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

int main(void) {
    static char buf[4096];
    memset(buf, 'w', sizeof buf);
    for (;;) {
        ssize_t w = write(1, buf, sizeof buf);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) return errno == EPIPE ? 3 : 4;
    }
}
