/* orphan_child WFD SYNCFD PARENT_PID: checks that its parent is
 * PARENT_PID, tells it so through SYNCFD (the parent then exits), waits
 * until getppid() changes (at most 30 s) and writes three ints to WFD:
 * whether the first getppid() was PARENT_PID, whether it then changed, and
 * the new parent pid (the test compares that one, never prints it). */
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 4) return 2;
    int wfd = atoi(argv[1]), sfd = atoi(argv[2]);
    pid_t parent = (pid_t)atol(argv[3]);
    int rec[3] = {getppid() == parent, 0, 0};
    if (write(sfd, "s", 1) != 1) return 3;
    close(sfd);
    for (int i = 0; i < 30000 && getppid() == parent; i++) {
        struct timespec ts = {0, 1000000L};
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
        }
    }
    rec[1] = getppid() != parent;
    rec[2] = (int)getppid();
    if (write(wfd, rec, sizeof rec) != (ssize_t)sizeof rec) return 4;
    return 0;
}
