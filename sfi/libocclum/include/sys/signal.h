/* libocclum: <sys/signal.h> is <signal.h> (wasi-libc's prints a warning). */
#include <signal.h>
