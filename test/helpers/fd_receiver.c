/* fd_receiver: receives one descriptor over the UNIX socket on its stdin
 * (SCM_RIGHTS), writes "passed across processes\n" to it and exits 0;
 * exits 3 if no descriptor came. */
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

int main(void) {
    char byte;
    struct iovec iov = {&byte, 1};
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(sizeof(int))];
    } ctl;
    struct msghdr m = {0};
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = ctl.buf;
    m.msg_controllen = sizeof ctl.buf;
    if (recvmsg(0, &m, 0) != 1)
        return 3;
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    if (c == NULL || c->cmsg_type != SCM_RIGHTS)
        return 3;
    int fd;
    memcpy(&fd, CMSG_DATA(c), sizeof fd);
    const char msg[] = "passed across processes\n";
    if (write(fd, msg, sizeof msg - 1) != (ssize_t)(sizeof msg - 1))
        return 4;
    return 0;
}
