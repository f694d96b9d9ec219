/* h_errno, herror and hstrerror (glibc's messages). */
#define _GNU_SOURCE
#include <netdb.h>
#include <stdio.h>

static int h_errno_value;

int *__h_errno_location(void)
{
	return &h_errno_value;
}

const char *hstrerror(int e)
{
	switch (e) {
	case NETDB_INTERNAL:
		return "Resolver internal error";
	case 0:
		return "Resolver Error 0 (no error)";
	case HOST_NOT_FOUND:
		return "Unknown host";
	case TRY_AGAIN:
		return "Host name lookup failure";
	case NO_RECOVERY:
		return "Unknown server error";
	case NO_DATA:
		return "No address associated with name";
	}
	return "Unknown resolver error";
}

void herror(const char *s)
{
	if (s && *s)
		fprintf(stderr, "%s: ", s);
	fprintf(stderr, "%s\n", hstrerror(h_errno));
}
