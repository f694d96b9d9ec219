/* print_umask: prints the inherited umask in octal. */
#include <stdio.h>
#include <sys/stat.h>

int main(void) {
    mode_t m = umask(0);
    printf("umask %03o\n", (unsigned)m);
    return 0;
}
