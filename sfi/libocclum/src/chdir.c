#include <string.h>
#include <unistd.h>

#include "internal.h"

int chdir(const char *path)
{
	if (__occlum_ret(__occlum_sys_chdir(path, strlen(path))) < 0)
		return -1;
	__occlum_cwd_sync();
	return 0;
}
