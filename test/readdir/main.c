/* readdir: opendir, readdir (names and d_type), rewinddir, closedir, and
 * the errors of opendir. Names are printed sorted. */
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"

#define MAX_ENTRIES 64

struct entry {
    char name[256];
    unsigned char type;
};

static int by_name(const void *a, const void *b) {
    return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

/* list reads the directory into es, sorted; returns the count or -1. */
static int list(DIR *d, struct entry *es) {
    int n = 0;
    struct dirent *de;
    errno = 0;
    while ((de = readdir(d)) != NULL) {
        if (n == MAX_ENTRIES) return -1;
        snprintf(es[n].name, sizeof es[n].name, "%s", de->d_name);
        es[n].type = de->d_type;
        n++;
    }
    if (errno != 0) return -1;
    qsort(es, (size_t)n, sizeof es[0], by_name);
    return n;
}

static const char *type_name(unsigned char t) {
    switch (t) {
    case DT_REG: return "file";
    case DT_DIR: return "dir";
    case DT_LNK: return "symlink";
    case DT_UNKNOWN: return "unknown";
    default: return "other";
    }
}

static void print_list(const char *title, struct entry *es, int n) {
    printf("%s:", title);
    for (int i = 0; i < n; i++) printf(" %s(%s)", es[i].name, type_name(es[i].type));
    printf("\n");
}

int main(int argc, char **argv) {
    test_init("readdir", argc, argv);
    struct entry es[MAX_ENTRIES];

    CHECK_OK(mkdir(P("d"), 0755));
    CHECK_OK(write_file(P("d/b.txt"), "b"));
    CHECK_OK(write_file(P("d/a.txt"), "a"));
    CHECK_OK(write_file(P("d/c"), ""));
    CHECK_OK(mkdir(P("d/sub"), 0755));
    CHECK_OK(symlink("a.txt", P("d/link")));

    DIR *d = opendir(P("d"));
    CHECK(d != NULL);
    if (d == NULL) return test_done();
    int n = list(d, es);
    CHECK_EQ(n, 7);
    if (n > 0) print_list("d", es, n);
    const char *want[] = {".", "..", "a.txt", "b.txt", "c", "link", "sub"};
    unsigned char want_type[] = {DT_DIR, DT_DIR, DT_REG, DT_REG, DT_REG, DT_LNK, DT_DIR};
    for (int i = 0; i < 7 && i < n; i++) {
        CHECK_STR(es[i].name, want[i]);
        CHECK_EQ(es[i].type, want_type[i]);
    }

    /* rewinddir starts over; entries created since may or may not show up,
     * so compare after removing one. */
    CHECK_OK(unlink(P("d/c")));
    rewinddir(d);
    n = list(d, es);
    CHECK_EQ(n, 6);
    if (n > 0) print_list("d after unlink", es, n);
    CHECK_OK(closedir(d));

    /* An empty directory holds only . and .. */
    d = opendir(P("d/sub"));
    CHECK(d != NULL);
    if (d != NULL) {
        n = list(d, es);
        CHECK_EQ(n, 2);
        if (n > 0) print_list("d/sub", es, n);
        CHECK_OK(closedir(d));
    }

    /* Many entries: the directory stream spans several reads. */
    CHECK_OK(mkdir(P("many"), 0755));
    char name[64];
    for (int i = 0; i < 50; i++) {
        snprintf(name, sizeof name, "many/entry-with-a-long-name-%02d", i);
        CHECK_OK(write_file(P(name), "x"));
    }
    d = opendir(P("many"));
    CHECK(d != NULL);
    if (d != NULL) {
        n = list(d, es);
        CHECK_EQ(n, 52);
        int ok = n == 52;
        for (int i = 0; ok && i < 50; i++) {
            snprintf(name, sizeof name, "entry-with-a-long-name-%02d", i);
            ok = strcmp(es[i + 2].name, name) == 0;
        }
        CHECK(ok);
        printf("many: %d entries\n", n);
        CHECK_OK(closedir(d));
    }

    errno = 0;
    CHECK(opendir(P("missing")) == NULL && errno == ENOENT);
    errno = 0;
    CHECK(opendir(P("d/a.txt")) == NULL && errno == ENOTDIR);
    return test_done();
}
