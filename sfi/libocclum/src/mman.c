/* mmap and friends over the heap (include/sys/mman.h says what works).
 *
 * Every mapping is one block of the heap, page aligned, recorded in a list
 * so that munmap, mprotect and msync can tell mapped ranges from others.
 * munmap of part of a mapping forgets that part (it is no longer mapped for
 * msync and mprotect); the block is freed when nothing of it is mapped. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE ((size_t)PAGESIZE)

struct mapping {
	char *block;       /* what aligned_alloc returned */
	char *start, *end; /* the part still mapped */
	struct mapping *next;
};
static struct mapping *mappings;

static size_t round_up(size_t n)
{
	return (n + PAGE - 1) & ~(PAGE - 1);
}

void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset)
{
	(void)addr; /* a hint only, as Linux treats it without MAP_FIXED */
	int type = flags & MAP_TYPE;
	if (length == 0 || (type != MAP_PRIVATE && type != MAP_SHARED) || offset < 0 ||
	    (uint64_t)offset % PAGE != 0) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	if (flags & MAP_FIXED) {
		errno = ENOMEM; /* no address can be chosen in a linear memory heap */
		return MAP_FAILED;
	}
	int anonymous = (flags & MAP_ANONYMOUS) != 0;
	if (!anonymous && type == MAP_SHARED) {
		errno = ENODEV; /* see include/sys/mman.h */
		return MAP_FAILED;
	}
	(void)prot;
	size_t size = round_up(length);
	if (size < length) {
		errno = ENOMEM;
		return MAP_FAILED;
	}
	struct mapping *m = malloc(sizeof *m);
	char *block = m != NULL ? aligned_alloc(PAGE, size) : NULL;
	if (block == NULL) {
		free(m);
		errno = ENOMEM;
		return MAP_FAILED;
	}
	memset(block, 0, size);
	if (!anonymous) {
		size_t done = 0;
		while (done < length) {
			ssize_t n = pread(fd, block + done, length - done, offset + (off_t)done);
			if (n < 0) {
				int e = errno == EISDIR ? ENODEV : errno;
				free(block);
				free(m);
				errno = e;
				return MAP_FAILED;
			}
			if (n == 0)
				break; /* past the end of the file: zeroes */
			done += (size_t)n;
		}
	}
	m->block = m->start = block;
	m->end = block + size;
	m->next = mappings;
	mappings = m;
	return block;
}

/* mapped reports whether [p, p+len) lies in mapped ranges. */
static int mapped(char *p, size_t len)
{
	size_t size = round_up(len);
	if (size < len || (uintptr_t)p + size < (uintptr_t)p)
		return 0; /* past the end of memory */
	char *end = p + size;
	while (p < end) {
		struct mapping *m = mappings;
		while (m != NULL && !(p >= m->start && p < m->end))
			m = m->next;
		if (m == NULL)
			return 0;
		p = m->end;
	}
	return 1;
}

int munmap(void *addr, size_t length)
{
	char *p = addr;
	if ((uintptr_t)p % PAGE != 0 || length == 0) {
		errno = EINVAL;
		return -1;
	}
	size_t size = round_up(length);
	if (size < length || (uintptr_t)p + size < (uintptr_t)p) {
		errno = EINVAL;
		return -1;
	}
	char *end = p + size;
	for (struct mapping **pm = &mappings; *pm != NULL;) {
		struct mapping *m = *pm;
		if (p <= m->start && end >= m->end) { /* all of it */
			*pm = m->next;
			free(m->block);
			free(m);
			continue;
		}
		if (p <= m->start && end > m->start)
			m->start = end; /* its head */
		else if (p > m->start && p < m->end && end >= m->end)
			m->end = p; /* its tail */
		/* A hole in the middle keeps the whole block mapped. */
		pm = &m->next;
	}
	return 0; /* unmapping what is not mapped is not an error (Linux) */
}

int mprotect(void *addr, size_t length, int prot)
{
	(void)prot;
	if ((uintptr_t)addr % PAGE != 0) {
		errno = EINVAL;
		return -1;
	}
	if (!mapped(addr, length)) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

int msync(void *addr, size_t length, int flags)
{
	if ((uintptr_t)addr % PAGE != 0 || (flags & ~(MS_ASYNC | MS_SYNC | MS_INVALIDATE)) != 0 ||
	    (flags & (MS_ASYNC | MS_SYNC)) == (MS_ASYNC | MS_SYNC)) {
		errno = EINVAL;
		return -1;
	}
	if (round_up(length) == 0)
		return 0; /* as Linux: a length that rounds up to nothing */
	if (!mapped(addr, length)) {
		errno = ENOMEM;
		return -1;
	}
	return 0; /* private and anonymous mappings have nothing to write back */
}

int madvise(void *addr, size_t length, int advice)
{
	(void)addr;
	(void)length;
	(void)advice;
	return 0;
}

int posix_madvise(void *addr, size_t length, int advice)
{
	return madvise(addr, length, advice);
}

int mlock(const void *addr, size_t length)
{
	(void)addr;
	(void)length;
	return 0; /* a linear memory is never swapped out by the LibOS */
}

int munlock(const void *addr, size_t length)
{
	(void)addr;
	(void)length;
	return 0;
}

int mlockall(int flags)
{
	(void)flags;
	return 0;
}

int munlockall(void)
{
	return 0;
}
