/* libocclum: shadows wasi-libc's __header_poll.h (WASI's POLL* values). */
#include <poll.h>
