/* sigaction() and the trampoline the LibOS runs handlers through.
 *
 * The ABI's handler word is 0 (default), 1 (ignore) or a function-table
 * index, which the LibOS hands back to __occlum_sigtramp. In wasm32 a C
 * function pointer *is* its table index, so most handlers go over the wire
 * as they are. Two cases need a stand-in:
 *   - a handler whose table index happens to be 1 (the first
 *     address-taken function of the program) would read as "ignore": it is
 *     registered as call_index1, which calls it;
 *   - SA_SIGINFO handlers take three arguments and cannot be called as
 *     void (*)(int) (wasm checks the type of indirect calls): they are kept
 *     in a table here and registered as siginfo_dispatch. */
#include <signal.h>
#include <stdint.h>
#include <string.h>

#include "internal.h"

typedef void (*handler_t)(int);
typedef void (*action_t)(int, siginfo_t *, void *);

static action_t siginfo_actions[_NSIG];

static void call_index1(int sig)
{
	((handler_t)(uintptr_t)1)(sig);
}

static void siginfo_dispatch(int sig)
{
	action_t a = sig > 0 && sig < _NSIG ? siginfo_actions[sig] : 0;
	if (!a)
		return;
	siginfo_t si;
	memset(&si, 0, sizeof si);
	si.si_signo = sig;
	si.si_code = SI_USER;
	a(sig, &si, 0);
}

__attribute__((__export_name__("__occlum_sigtramp")))
void __occlum_sigtramp(uint32_t handler, int32_t sig)
{
	int saved = errno;
	((handler_t)(uintptr_t)handler)(sig);
	errno = saved;
}

static uint32_t to_wire(handler_t h)
{
	if (h == SIG_DFL)
		return 0;
	if (h == SIG_IGN)
		return 1;
	if ((uintptr_t)h == 1)
		return (uint32_t)(uintptr_t)call_index1;
	return (uint32_t)(uintptr_t)h;
}

static handler_t from_wire(uint32_t w)
{
	if (w == 0)
		return SIG_DFL;
	if (w == 1)
		return SIG_IGN;
	if (w == (uint32_t)(uintptr_t)call_index1)
		return (handler_t)(uintptr_t)1;
	return (handler_t)(uintptr_t)w;
}

int sigaction(int sig, const struct sigaction *__restrict act, struct sigaction *__restrict old)
{
	if (sig <= 0 || sig >= _NSIG) {
		errno = EINVAL;
		return -1;
	}
	struct occlum_sigaction a, o;
	memset(&a, 0, sizeof a);
	memset(&o, 0, sizeof o);
	action_t prev = siginfo_actions[sig];
	if (act) {
		if (act->sa_handler == SIG_ERR) {
			errno = EINVAL;
			return -1;
		}
		if ((act->sa_flags & SA_SIGINFO) && act->sa_handler != SIG_DFL && act->sa_handler != SIG_IGN) {
			a.handler = (uint32_t)(uintptr_t)siginfo_dispatch;
			siginfo_actions[sig] = act->sa_sigaction;
		} else {
			a.handler = to_wire(act->sa_handler);
		}
		a.flags = (uint32_t)act->sa_flags & OCCLUM_SA_ABI_FLAGS;
		a.mask = __occlum_sigset_get(&act->sa_mask);
	}
	int32_t e = __occlum_sys_sigaction(sig, act ? &a : 0, old ? &o : 0);
	if (e != 0) {
		siginfo_actions[sig] = prev;
		return __occlum_ret(e);
	}
	if (old) {
		memset(old, 0, sizeof *old);
		if (o.handler == (uint32_t)(uintptr_t)siginfo_dispatch) {
			old->sa_sigaction = prev;
			old->sa_flags = SA_SIGINFO;
		} else {
			old->sa_handler = from_wire(o.handler);
		}
		old->sa_flags |= (int)(o.flags & OCCLUM_SA_ABI_FLAGS);
		__occlum_sigset_put(&old->sa_mask, o.mask);
	}
	return 0;
}
