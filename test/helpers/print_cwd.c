/* print_cwd: prints the working directory. */
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

int main(void) {
    char buf[PATH_MAX];
    if (getcwd(buf, sizeof buf) == NULL) return 2;
    printf("%s\n", buf);
    return 0;
}
