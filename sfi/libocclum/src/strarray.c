#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct occlum_str *__occlum_strarray(char *const *v, uint32_t *n)
{
	uint32_t c = 0;
	if (v)
		while (v[c])
			c++;
	struct occlum_str *a = malloc((c ? c : 1) * sizeof *a);
	if (!a) {
		errno = ENOMEM;
		return NULL;
	}
	for (uint32_t i = 0; i < c; i++) {
		a[i].ptr = v[i];
		a[i].len = strlen(v[i]);
	}
	*n = c;
	return a;
}
