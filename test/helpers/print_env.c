/* print_env [PREFIX]: prints the environment entries starting with PREFIX
 * (all when absent), sorted, then their count. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

static int cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv) {
    const char *prefix = argc > 1 ? argv[1] : "";
    size_t n = 0;
    for (char **e = environ; e != NULL && *e != NULL; e++) n++;
    char **v = calloc(n + 1, sizeof *v);
    if (v == NULL) return 2;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (strncmp(environ[i], prefix, strlen(prefix)) == 0) v[k++] = environ[i];
    }
    qsort(v, k, sizeof *v, cmp);
    for (size_t i = 0; i < k; i++) printf("env: [%s]\n", v[i]);
    printf("env: %zu entries\n", k);
    return 0;
}
