/* libocclum: shadows wasi-libc's __typedef_fd_set.h: fd_set is Linux's
 * bit array, from <sys/select.h>. */
#include <sys/select.h>
