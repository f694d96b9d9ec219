/* sleep NUMBER[smhd]...: pause for the sum of the intervals (fractions
 * allowed), with nanosleep. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "%s: missing operand\nTry '%s --help' for more information.\n", argv[0], argv[0]);
		return 1;
	}
	double total = 0;
	int bad = 0;
	for (int i = 1; i < argc; i++) {
		char *end;
		double v = strtod(argv[i], &end);
		double mult = 1;
		if (*end && !end[1]) {
			switch (*end) {
			case 's': mult = 1; end++; break;
			case 'm': mult = 60; end++; break;
			case 'h': mult = 3600; end++; break;
			case 'd': mult = 86400; end++; break;
			}
		}
		if (end == argv[i] || *end || v < 0 || v != v) {
			fprintf(stderr, "%s: invalid time interval '%s'\n", argv[0], argv[i]);
			bad = 1;
			continue;
		}
		total += v * mult;
	}
	if (bad) {
		fprintf(stderr, "Try '%s --help' for more information.\n", argv[0]);
		return 1;
	}
	struct timespec ts;
	ts.tv_sec = (time_t)total;
	ts.tv_nsec = (long)((total - (double)ts.tv_sec) * 1e9);
	if (ts.tv_nsec >= 1000000000L)
		ts.tv_nsec = 999999999L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
	return 0;
}
