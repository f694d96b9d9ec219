/* common.h: helpers shared by the securefs test programs. */
#ifndef SECUREFS_COMMON_H
#define SECUREFS_COMMON_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define BLOCK 4096

static inline const char *errno_name(int e) {
    switch (e) {
    case EIO: return "EIO";
    case ENOENT: return "ENOENT";
    case EACCES: return "EACCES";
    case EROFS: return "EROFS";
    case ENOSPC: return "ENOSPC";
    case EINVAL: return "EINVAL";
    case EBADF: return "EBADF";
    case EEXIST: return "EEXIST";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case EPERM: return "EPERM";
    case ENOMEM: return "ENOMEM";
    default: return "E?";
    }
}

/* fail prints "NAME: PATH: <ERRNO NAME> (strerror)" and returns 1. */
static inline int fail(const char *call, const char *path) {
    int e = errno;
    fprintf(stderr, "%s: %s: %s (%s)\n", call, path, errno_name(e), strerror(e));
    return 1;
}

/* fill_marked fills buf[0:size) so that 4 KiB block i holds
 * "MARKER-blk<i>." repeated: every block's plaintext is recognisable. */
static inline void fill_marked(char *buf, long size, const char *marker) {
    char unit[256];
    for (long b = 0; b * BLOCK < size; b++) {
        int len = snprintf(unit, sizeof unit, "%s-blk%ld.", marker, b);
        for (long i = b * BLOCK; i < size && i < (b + 1) * BLOCK; i++) {
            buf[i] = unit[(i - b * BLOCK) % len];
        }
    }
}

/* write_all writes buf[0:size) at off with pwrite, retrying short writes. */
static inline int write_all(int fd, const char *buf, long size, long off) {
    long done = 0;
    while (done < size) {
        ssize_t n = pwrite(fd, buf + done, (size_t)(size - done), off + done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        done += n;
    }
    return 0;
}

#endif
