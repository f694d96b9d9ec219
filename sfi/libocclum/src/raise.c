/* raise() is kill(getpid()) through the LibOS, so handlers, masks and
 * default actions apply (WASI's proc_raise only knows default actions). */
#include <signal.h>
#include <unistd.h>

#include "internal.h"

int raise(int sig)
{
	return kill(getpid(), sig);
}
