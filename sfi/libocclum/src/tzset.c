/* tzset, tzname, daylight, timezone: wasi-libc has no time-zone tables and
 * its localtime() is UTC, which is what these say. */
#define _GNU_SOURCE
#include <time.h>

#include "internal.h"

static char utc[] = "UTC";
char *tzname[2] = {utc, utc};
int daylight;
long timezone;

void tzset(void)
{
}
