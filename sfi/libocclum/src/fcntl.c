/* fcntl() for user code (<fcntl.h> redirects it here; wasi-libc's own
 * fcntl keeps serving wasi-libc's internal callers). F_GETFL and F_SETFL
 * translate between wasi-libc's O_* values and the ABI's Linux ones. */
#include <fcntl.h>
#include <stdarg.h>

#include "internal.h"

OCCLUM_NEEDS_CLOEXEC; /* F_GETFD must see O_CLOEXEC opens */

int __occlum_fcntl(int fd, int cmd, ...)
{
	va_list ap;
	va_start(ap, cmd);
	int arg = va_arg(ap, int);
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
