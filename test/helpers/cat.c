/* cat: copies stdin to stdout until end of file; exits 0, or 1 when a read
 * or write fails (3 for EPIPE). */
#include <errno.h>
#include <unistd.h>

int main(void) {
    static char buf[65536];
    for (;;) {
        ssize_t r = read(0, buf, sizeof buf);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return 1;
        if (r == 0) return 0;
        for (ssize_t off = 0; off < r;) {
            ssize_t w = write(1, buf + off, (size_t)(r - off));
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) return errno == EPIPE ? 3 : 1;
            off += w;
        }
    }
}
