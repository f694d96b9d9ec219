/* fcntl() for user code (<fcntl.h> redirects it here; wasi-libc's own
 * fcntl keeps serving wasi-libc's internal callers). F_GETFL and F_SETFL
 * translate between wasi-libc's O_* values and the ABI's Linux ones; the
 * record-lock commands pass their struct flock's address. */
#include <fcntl.h>
#include <stdarg.h>

#include "internal.h"

OCCLUM_NEEDS_CLOEXEC; /* F_GETFD must see O_CLOEXEC opens */

_Static_assert(sizeof(struct flock) == 32, "struct flock");
_Static_assert(offsetof(struct flock, l_start) == 8, "flock.l_start");
_Static_assert(offsetof(struct flock, l_len) == 16, "flock.l_len");
_Static_assert(offsetof(struct flock, l_pid) == 24, "flock.l_pid");

int __occlum_fcntl(int fd, int cmd, ...)
{
	va_list ap;
	va_start(ap, cmd);
	int arg;
	switch (cmd) {
	case F_GETLK: case F_SETLK: case F_SETLKW:
	case F_OFD_GETLK: case F_OFD_SETLK: case F_OFD_SETLKW:
		/* The LibOS reads and writes the struct flock where it is. */
		arg = (int)(intptr_t)va_arg(ap, struct flock *);
		break;
	default:
		arg = va_arg(ap, int);
	}
	va_end(ap);

	switch (cmd) {
	case F_GETFL: arg = 0; break;
	case F_SETFL: arg = (int)__occlum_oflags_to_linux(arg) & (LINUX_O_APPEND | LINUX_O_NONBLOCK); break;
	case F_GETFD: arg = 0; break;
	}
	int32_t v = 0;
	if (__occlum_ret(__occlum_sys_fcntl(fd, cmd, arg, &v)) < 0)
		return -1;
	if (cmd == F_GETFL)
		return __occlum_oflags_from_linux((uint32_t)v);
	return v;
}
