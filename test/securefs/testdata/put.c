/* put PATH MARKER SIZE: makes PATH hold SIZE bytes (no O_TRUNC: written in
 * place, then cut or extended to SIZE) whose 4 KiB block i holds
 * "MARKER-blk<i>." repeated, then fsyncs it. Exits 0, or 1 naming the call
 * that failed and its errno. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: put PATH MARKER SIZE\n");
        return 2;
    }
    const char *path = argv[1], *marker = argv[2];
    long size = atol(argv[3]);
    char *buf = malloc(size > 0 ? (size_t)size : 1);
    if (!buf) return fail("malloc", path);
    fill_marked(buf, size, marker);
    int fd = open(path, O_WRONLY | O_CREAT, 0644);
    if (fd < 0) return fail("open", path);
    if (write_all(fd, buf, size, 0) != 0) return fail("pwrite", path);
    if (ftruncate(fd, size) != 0) return fail("ftruncate", path);
    if (fsync(fd) != 0) return fail("fsync", path);
    if (close(fd) != 0) return fail("close", path);
    printf("put %s %ld\n", path, size);
    return 0;
}
