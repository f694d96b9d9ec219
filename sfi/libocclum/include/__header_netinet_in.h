/* libocclum: shadows wasi-libc's __header_netinet_in.h (its sockaddr_in
 * and sockaddr_in6 are not Linux's). */
#include <netinet/in.h>
