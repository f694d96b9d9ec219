/* libocclum: <wait.h> is <sys/wait.h>, as in glibc. */
#include <sys/wait.h>
