/*
 * fsbench: file-system workloads, the same source natively (cc) and in the
 * LibOS (occlum-gcc). argv: DIR SIZE OPS FILES WORKLOAD... where DIR is made
 * if missing, SIZE is the big file's size in bytes (a multiple of 64 KiB),
 * OPS the number of random 4 KiB reads and of random 4 KiB writes, FILES the
 * number of small files. Workloads run in the order given, in one process:
 *
 *   seqwrite   DIR/big: open(O_CREAT|O_TRUNC), SIZE bytes in 64 KiB writes,
 *              fsync, close. ns: open to the last write returning (what the
 *              file system buffers); sync_ns: open to close, the fsync in
 *              it (the data durable).
 *   seqread    DIR/big: open, read to the end in 64 KiB reads (each chunk's
 *              stamp checked), close; all of it timed.
 *   randread   OPS preads of 4 KiB at 4 KiB-aligned offsets of DIR/big, from
 *              a fixed-seed generator; open and close are not timed.
 *   randwrite  OPS pwrites of 4 KiB the same way; ns: the pwrites; sync_ns:
 *              the pwrites and an fsync. Open and close are not timed.
 *   create     DIR/small/f00000...: FILES x (open(O_CREAT|O_EXCL), one 1 KiB
 *              write, close), all timed; no fsync (the files are left for
 *              the harness to remove with the directory).
 *
 * Each workload prints one line:
 *   fsbench WORKLOAD bytes=B ops=N ns=T sync_ns=T2
 * (sync_ns 0 where the workload has no fsync). Times are CLOCK_MONOTONIC.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (64 << 10)
#define BLOCK 4096
#define SMALL 1024

static unsigned char buf[CHUNK];
static char path[4096], dir_small[4096];

static long long now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rng(void) { /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dULL;
}

static void die(const char *what) {
    fprintf(stderr, "fsbench: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void report(const char *w, long long bytes, long long ops, long long ns, long long sync_ns) {
    printf("fsbench %s bytes=%lld ops=%lld ns=%lld sync_ns=%lld\n", w, bytes, ops, ns, sync_ns);
    fflush(stdout);
}

/* Every 64 KiB chunk starts with its offset, so reads can be checked and
 * no two chunks are alike. */
static void stamp(unsigned char *p, long long off) { memcpy(p, &off, sizeof off); }

static void seqwrite(long long size) {
    long long t0 = now();
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        die("open for writing");
    for (long long off = 0; off < size; off += CHUNK) {
        stamp(buf, off);
        if (write(fd, buf, CHUNK) != CHUNK)
            die("write");
    }
    long long t1 = now();
    if (fsync(fd) != 0)
        die("fsync");
    if (close(fd) != 0)
        die("close");
    report("seqwrite", size, size / CHUNK, t1 - t0, now() - t0);
}

static void seqread(long long size) {
    long long t0 = now(), total = 0;
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        die("open for reading");
    for (;;) {
        ssize_t n = 0;
        while (n < CHUNK) { /* a short read is legal: fill the chunk */
            ssize_t r = read(fd, buf + n, CHUNK - n);
            if (r < 0)
                die("read");
            if (r == 0)
                break;
            n += r;
        }
        if (n == 0)
            break;
        long long off;
        memcpy(&off, buf, sizeof off);
        if (n != CHUNK || off != total) {
            fprintf(stderr, "fsbench: seqread: chunk at %lld is wrong (%zd bytes, stamp %lld)\n", total, n, off);
            exit(1);
        }
        total += n;
    }
    close(fd);
    long long t1 = now();
    if (total != size) {
        fprintf(stderr, "fsbench: seqread: read %lld bytes, want %lld\n", total, size);
        exit(1);
    }
    report("seqread", total, total / CHUNK, t1 - t0, 0);
}

static void randio(long long size, long long ops, int writing) {
    int fd = open(path, writing ? O_WRONLY : O_RDONLY);
    if (fd < 0)
        die("open");
    long long blocks = size / BLOCK;
    long long t0 = now();
    for (long long i = 0; i < ops; i++) {
        off_t off = (off_t)(rng() % (uint64_t)blocks) * BLOCK;
        ssize_t n;
        if (writing) {
            stamp(buf, off);
            n = pwrite(fd, buf, BLOCK, off);
        } else {
            n = pread(fd, buf, BLOCK, off);
        }
        if (n != BLOCK)
            die(writing ? "pwrite" : "pread");
    }
    long long t1 = now(), t2 = 0;
    if (writing) {
        if (fsync(fd) != 0)
            die("fsync");
        t2 = now() - t0;
    }
    close(fd);
    report(writing ? "randwrite" : "randread", ops * BLOCK, ops, t1 - t0, t2);
}

static void create(long long files) {
    if (mkdir(dir_small, 0755) != 0 && errno != EEXIST)
        die("mkdir");
    long long t0 = now();
    for (long long i = 0; i < files; i++) {
        char name[4200];
        snprintf(name, sizeof name, "%s/f%05lld", dir_small, i);
        int fd = open(name, O_WRONLY | O_CREAT | O_EXCL, 0644);
        if (fd < 0)
            die("create");
        stamp(buf, i);
        if (write(fd, buf, SMALL) != SMALL)
            die("write");
        if (close(fd) != 0)
            die("close");
    }
    report("create", files * SMALL, files, now() - t0, 0);
}

int main(int argc, char **argv) {
    if (argc < 6) {
        fprintf(stderr, "usage: fsbench DIR SIZE OPS FILES WORKLOAD...\n");
        return 2;
    }
    const char *dir = argv[1];
    long long size = atoll(argv[2]), ops = atoll(argv[3]), files = atoll(argv[4]);
    if (size < CHUNK || size % CHUNK != 0 || ops < 1 || files < 1) {
        fprintf(stderr, "fsbench: SIZE must be a positive multiple of 64 KiB, OPS and FILES positive\n");
        return 2;
    }
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        die("mkdir");
    snprintf(path, sizeof path, "%s/big", dir);
    snprintf(dir_small, sizeof dir_small, "%s/small", dir);
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (unsigned char)(rng() >> 56);
    for (int i = 5; i < argc; i++) {
        const char *w = argv[i];
        if (!strcmp(w, "seqwrite"))
            seqwrite(size);
        else if (!strcmp(w, "seqread"))
            seqread(size);
        else if (!strcmp(w, "randread"))
            randio(size, ops, 0);
        else if (!strcmp(w, "randwrite"))
            randio(size, ops, 1);
        else if (!strcmp(w, "create"))
            create(files);
        else {
            fprintf(stderr, "fsbench: unknown workload %s\n", w);
            return 2;
        }
    }
    return 0;
}
