/* libocclum: <sys/poll.h> is <poll.h> (without wasi-libc's warning). */
#include <poll.h>
