#include <arpa/inet.h>
#include <sys/socket.h>

char *inet_ntoa(struct in_addr in)
{
	static char buf[INET_ADDRSTRLEN];
	return (char *)inet_ntop(AF_INET, &in, buf, sizeof buf);
}
