/* hello_world: the smallest program; prints and exits 0. */
#include <stdio.h>

int main(void) {
    printf("Hello World!\n");
    return 0;
}
