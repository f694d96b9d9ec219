/* exit_with N [exit|_exit|return]: ends with status N through exit() (the
 * default), _exit() or a return from main. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    int code = argc > 1 ? atoi(argv[1]) : 0;
    const char *how = argc > 2 ? argv[2] : "exit";
    if (strcmp(how, "_exit") == 0) _exit(code);
    if (strcmp(how, "return") == 0) return code;
    exit(code);
}
