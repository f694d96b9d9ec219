/* syslog: RFC 3164 messages ("<PRI>Mmm dd hh:mm:ss ident[pid]: text") on
 * the AF_UNIX datagram socket /dev/log, as musl and glibc send them; with
 * LOG_PERROR the text also goes to standard error, and with LOG_CONS to
 * /dev/console when the socket cannot take it. No syslogd runs in the LibOS
 * unless the image starts one, so without LOG_PERROR messages are usually
 * dropped, as on a Linux system without syslogd. One thread: no lock. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

static char log_ident[32];
static int log_opt;
static int log_facility = LOG_USER;
static int log_mask = 0xff;
static int log_fd = -1;

static const struct sockaddr_un log_addr = {.sun_family = AF_UNIX, .sun_path = _PATH_LOG};

static void log_connect(void)
{
	if (log_fd < 0)
		log_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (log_fd >= 0)
		connect(log_fd, (const struct sockaddr *)&log_addr, sizeof log_addr);
}

void openlog(const char *ident, int opt, int facility)
{
	if (ident) {
		size_t n = strnlen(ident, sizeof log_ident - 1);
		memcpy(log_ident, ident, n);
		log_ident[n] = 0;
	} else {
		log_ident[0] = 0;
	}
	log_opt = opt;
	log_facility = facility & LOG_FACMASK;
	if ((opt & LOG_NDELAY) && log_fd < 0)
		log_connect();
}

void closelog(void)
{
	if (log_fd >= 0)
		close(log_fd);
	log_fd = -1;
}

int setlogmask(int mask)
{
	int old = log_mask;
	if (mask)
		log_mask = mask;
	return old;
}

static int lost_connection(int e)
{
	return e == ECONNREFUSED || e == ECONNRESET || e == ENOTCONN || e == EPIPE ||
	       e == EDESTADDRREQ;
}

void vsyslog(int priority, const char *message, va_list ap)
{
	if (!(log_mask & LOG_MASK(priority & LOG_PRIMASK)) || (priority & ~(LOG_PRIMASK | LOG_FACMASK)))
		return;
	int errno_save = errno; /* for %m */
	char stamp[16], buf[1024];
	time_t now = time(0);
	struct tm tm;
	if (!localtime_r(&now, &tm) || !strftime(stamp, sizeof stamp, "%b %e %T", &tm))
		stamp[0] = 0;
	if (!(priority & LOG_FACMASK))
		priority |= log_facility;
	int pid = (log_opt & LOG_PID) ? getpid() : 0;
	int hlen = 0;
	int l = snprintf(buf, sizeof buf, "<%d>%s %n%s%s%.0d%s: ", priority, stamp, &hlen,
	                 log_ident, pid ? "[" : "", pid, pid ? "]" : "");
	if (l < 0 || (size_t)l >= sizeof buf)
		return;
	errno = errno_save;
	int l2 = vsnprintf(buf + l, sizeof buf - l, message, ap);
	if (l2 < 0)
		return;
	if ((size_t)l2 >= sizeof buf - l)
		l = sizeof buf - 1;
	else
		l += l2;
	if (buf[l - 1] != '\n')
		buf[l++] = '\n';

	if (log_fd < 0)
		log_connect();
	if (log_fd < 0 || send(log_fd, buf, l, MSG_NOSIGNAL) < 0) {
		int sent = 0;
		if (log_fd >= 0 && lost_connection(errno)) {
			log_connect();
			sent = send(log_fd, buf, l, MSG_NOSIGNAL) >= 0;
		}
		if (!sent && (log_opt & LOG_CONS)) {
			int fd = open("/dev/console", O_WRONLY | O_NOCTTY | O_CLOEXEC);
			if (fd >= 0) {
				dprintf(fd, "%.*s", l - hlen, buf + hlen);
				close(fd);
			}
		}
	}
	if (log_opt & LOG_PERROR)
		dprintf(2, "%.*s", l - hlen, buf + hlen);
	errno = errno_save;
}

void syslog(int priority, const char *message, ...)
{
	va_list ap;
	va_start(ap, message);
	vsyslog(priority, message, ap);
	va_end(ap);
}
