#include <stdio.h>
#include <string.h>
int main(int argc, char **argv) { char b[64]; memset(b, 'x', sizeof b); for (int i = 0; i < argc; i++) printf("%s %d\n", argv[i], (int)strlen(argv[i])); return b[3] == 'x' ? 0 : 1; }
