/* in6addr_any and in6addr_loopback (wasi-libc's would do, with the same
 * 16 bytes; ours keep <netinet/in.h>'s type). */
#include <netinet/in.h>

const struct in6_addr in6addr_any = IN6ADDR_ANY_INIT;
const struct in6_addr in6addr_loopback = IN6ADDR_LOOPBACK_INIT;
