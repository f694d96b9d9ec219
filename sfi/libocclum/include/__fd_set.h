/* libocclum: shadows wasi-libc's __fd_set.h (an fd_set that lists
 * descriptors): fd_set is Linux's bit array, from <sys/select.h>. */
#include <sys/select.h>
