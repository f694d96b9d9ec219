/* libocclum: shadows wasi-libc's __header_sys_socket.h (WASI's AF_*,
 * SOCK_*, SOL_SOCKET). */
#include <sys/socket.h>
