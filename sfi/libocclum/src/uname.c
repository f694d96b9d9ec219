#include <sys/utsname.h>

#include "internal.h"

_Static_assert(sizeof(struct utsname) == 6 * 65, "utsname is six 65-byte fields");

int uname(struct utsname *buf)
{
	return __occlum_ret(__occlum_sys_uname(buf));
}
