/* locker FILE OP [START LEN]: one lock operation on FILE from a process
 * of its own (test/locks), printed as "locker OP: RESULT". OP:
 *   trylock-r, trylock-w   F_SETLK of a read / write lock: ok or errno
 *   wait-w                 F_SETLKW of a write lock: ok once it is held
 *   getlk-w                F_GETLK for a write lock: none, or the
 *                          conflicting lock (type, range, whether it is
 *                          the parent's)
 *   hold-w-then-wait SECOND-START  lock [START,+LEN) for writing, say so,
 *                          then F_SETLKW [SECOND-START,+1)
 *   flock-ex-nb, flock-sh-nb  flock with LOCK_NB on a new open file
 * The process exits when done: its locks go with it. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "test.h"

static const char *res(int r) { return r == 0 ? "ok" : errno_name(errno); }

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: locker FILE OP [START LEN]\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *op = argv[2];
    int fd = open(argv[1], O_RDWR);
    if (fd < 0) {
        printf("locker %s: open: %s\n", op, errno_name(errno));
        return 1;
    }
    struct flock fl = {0};
    fl.l_whence = SEEK_SET;
    fl.l_start = argc > 3 ? atoll(argv[3]) : 0;
    fl.l_len = argc > 4 ? atoll(argv[4]) : 0;
    if (strcmp(op, "trylock-r") == 0 || strcmp(op, "trylock-w") == 0) {
        fl.l_type = op[8] == 'r' ? F_RDLCK : F_WRLCK;
        printf("locker %s %s %s: %s\n", op, argv[3], argv[4], res(fcntl(fd, F_SETLK, &fl)));
    } else if (strcmp(op, "wait-w") == 0) {
        fl.l_type = F_WRLCK;
        printf("locker %s: %s\n", op, res(fcntl(fd, F_SETLKW, &fl)));
    } else if (strcmp(op, "getlk-w") == 0) {
        fl.l_type = F_WRLCK;
        if (fcntl(fd, F_GETLK, &fl) != 0) {
            printf("locker %s: %s\n", op, errno_name(errno));
        } else if (fl.l_type == F_UNLCK) {
            printf("locker %s %s %s: none\n", op, argv[3], argv[4]);
        } else {
            printf("locker %s %s %s: %s lock %lld+%lld, %s\n", op, argv[3], argv[4],
                   fl.l_type == F_WRLCK ? "write" : "read", (long long)fl.l_start, (long long)fl.l_len,
                   fl.l_pid == getppid() ? "the parent's" : "someone else's");
        }
    } else if (strcmp(op, "hold-w-then-wait") == 0) {
        fl.l_type = F_WRLCK;
        printf("locker holds %s: %s\n", argv[3], res(fcntl(fd, F_SETLK, &fl)));
        fl.l_start = atoll(argv[5]);
        fl.l_len = 1;
        printf("locker waited for %s: %s\n", argv[5], res(fcntl(fd, F_SETLKW, &fl)));
    } else if (strcmp(op, "flock-ex-nb") == 0 || strcmp(op, "flock-sh-nb") == 0) {
        int how = (op[6] == 'e' ? LOCK_EX : LOCK_SH) | LOCK_NB;
        int r = flock(fd, how);
        printf("locker %s: %s\n", op, r == 0 ? "ok" : (errno == EWOULDBLOCK ? "EWOULDBLOCK" : errno_name(errno)));
    } else {
        fprintf(stderr, "locker: unknown op %s\n", op);
        return 2;
    }
    return 0;
}
