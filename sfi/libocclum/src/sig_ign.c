/* The value of SIG_IGN (see <signal.h>): a function of its own, so that no
 * real handler can compare equal to it. Never called by the LibOS, which is
 * told "ignore" (1) instead. */
#include <signal.h>

void __occlum_SIG_IGN(int sig)
{
	(void)sig;
}
