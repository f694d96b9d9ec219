/* mman: mmap and friends where Linux and the LibOS agree: anonymous
 * mappings (zeroed, writable, page aligned, many of them), private file
 * mappings (the file's bytes, zeroes past its end, the page offset;
 * writes stay private), munmap (whole, head and tail; of nothing),
 * mprotect and msync on mapped ranges (ENOMEM outside, EINVAL for bad
 * flags), madvise, mlock, and mmap's EINVAL cases. Shared file mappings
 * differ (the LibOS: ENODEV) and are not compared. (The stack protector's
 * runtime is exercised by cJSON in make test-programs, which builds with
 * -fstack-protector-strong.) */
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "test.h"

__attribute__((noinline)) static int guarded(const char *s) {
    char buf[64];
    strncpy(buf, s, sizeof buf - 1);
    buf[sizeof buf - 1] = 0;
    return (int)strlen(buf);
}

int main(int argc, char **argv) {
    test_init("mman", argc, argv);
    long page = sysconf(_SC_PAGESIZE);
    CHECK(page > 0);

    /* Anonymous mappings. */
    size_t len = 3 * (size_t)page + 100;
    unsigned char *a = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(a != MAP_FAILED);
    CHECK((unsigned long)a % (unsigned long)page == 0);
    int zero = 1;
    for (size_t i = 0; i < len; i++) zero &= a[i] == 0;
    CHECK(zero);
    memset(a, 0xab, len);
    CHECK_OK(mprotect(a, len, PROT_READ));
    CHECK_OK(msync(a, (size_t)page, MS_SYNC));
    CHECK_ERR(msync(a, (size_t)page, MS_SYNC | MS_ASYNC), EINVAL);
    CHECK_OK(madvise(a, len, MADV_DONTNEED == 4 ? MADV_NORMAL : MADV_NORMAL));
    CHECK_OK(mlock(a, (size_t)page));
    CHECK_OK(munlock(a, (size_t)page));
    /* Unmap the tail page, then the head page: the middle stays mapped. */
    CHECK_OK(munmap(a + 3 * page, (size_t)page));
    CHECK_ERR(msync(a + 3 * page, (size_t)page, MS_ASYNC), ENOMEM);
    CHECK_OK(munmap(a, (size_t)page));
    CHECK_ERR(mprotect(a, (size_t)page, PROT_READ), ENOMEM);
    CHECK_OK(msync(a + page, (size_t)page, MS_ASYNC));
    CHECK(a[page] == 0xab);
    CHECK_OK(munmap(a + page, 2 * (size_t)page));
    CHECK_OK(munmap(a, (size_t)page)); /* nothing mapped there: not an error */
    printf("anonymous: zeroed, aligned, partial unmaps\n");

    void *many[64];
    for (int i = 0; i < 64; i++) {
        many[i] = mmap(NULL, 1000, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        CHECK(many[i] != MAP_FAILED);
        memset(many[i], i, 1000);
    }
    int ok = 1;
    for (int i = 0; i < 64; i++) {
        ok &= ((unsigned char *)many[i])[999] == i;
        CHECK_OK(munmap(many[i], 1000));
    }
    CHECK(ok);
    printf("64 anonymous mappings kept apart\n");

    /* A private file mapping. */
    int fd = open("mapped.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0);
    char text[5000];
    for (int i = 0; i < (int)sizeof text; i++) text[i] = (char)('a' + i % 26);
    CHECK(write(fd, text, sizeof text) == (ssize_t)sizeof text);
    char *f = mmap(NULL, 2 * (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    CHECK(f != MAP_FAILED);
    CHECK(memcmp(f, text, sizeof text) == 0);
    CHECK(f[sizeof text] == 0 && f[2 * page - 1] == 0);
    f[0] = 'Z'; /* private: the file keeps 'a' */
    char first;
    CHECK(pread(fd, &first, 1, 0) == 1 && first == 'a');
    CHECK_OK(munmap(f, 2 * (size_t)page));
    printf("private file mapping: contents, zero fill, private writes\n");

    /* EINVAL cases. */
    CHECK(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED && errno == EINVAL);
    CHECK(mmap(NULL, 100, PROT_READ, MAP_ANONYMOUS, -1, 0) == MAP_FAILED && errno == EINVAL);
    CHECK(mmap(NULL, 100, PROT_READ, MAP_PRIVATE, fd, 1) == MAP_FAILED && errno == EINVAL);
    CHECK_ERR(munmap((char *)f + 1, 10), EINVAL);
    /* Wild lengths: a range past the end of memory. */
    void *b = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(b != MAP_FAILED);
    CHECK_ERR(munmap(b, (size_t)-1), EINVAL);
    CHECK_ERR(mprotect(b, (size_t)-1, PROT_READ), ENOMEM);
    CHECK_OK(msync(b, (size_t)-1, MS_ASYNC)); /* Linux: rounds up to nothing */
    CHECK_OK(munmap(b, (size_t)page));
    close(fd);
    unlink("mapped.txt");
    printf("EINVAL: zero length, no type, unaligned offset or address\n");

    printf("stack protector: %d\n", guarded("a string in a guarded frame"));
    return test_done();
}
