/* readdir_mutate: a directory read while entries are created in it and
 * removed from it, between every two readdir calls. POSIX leaves open
 * whether the entries created or removed during the scan are returned;
 * what it does guarantee is checked and printed: every entry untouched
 * throughout is returned exactly once, no entry is returned twice, nothing
 * else shows up, and after rewinddir the stream shows the directory as it
 * is now. The directory "pre" is there before the program starts (on the
 * LibOS's secure root, in the image layer) with PRE_KEEP entries to keep
 * and PRE_GONE to remove; "up" is made here. */
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"

#define PRE_KEEP 60
#define PRE_GONE 60
#define UP_KEEP 300
#define UP_GONE 300
#define MAX_SEEN 4096

static char seen[MAX_SEEN][256];

static int by_name(const void *a, const void *b) { return strcmp(a, b); }

/* name_of formats entry i of a kind in the directory's naming scheme. */
static const char *name_of(char *buf, size_t n, const char *kind, int i) {
    snprintf(buf, n, "%s-entry-with-a-rather-long-name-to-fill-buffers-%04d", kind, i);
    return buf;
}

/* index_of returns i if name is entry i of kind, else -1. */
static int index_of(const char *name, const char *kind) {
    char buf[256];
    size_t k = strlen(kind);
    if (strncmp(name, kind, k) != 0 || name[k] != '-') return -1;
    int i = atoi(name + strlen(name) - 4);
    return strcmp(name, name_of(buf, sizeof buf, kind, i)) == 0 ? i : -1;
}

static const char *path_in(const char *dir, const char *name) {
    static char buf[2][PATH_MAX];
    static int next;
    char *b = buf[next++ % 2];
    snprintf(b, PATH_MAX, "%s/%s", dir, name);
    return b;
}

/* scan reads dir while creating new-i and removing gone-i after the i-th
 * readdir, then does the rest of the changes and reads it again after
 * rewinddir. */
static void scan(const char *title, const char *dir, int nkeep, int ngone, int nnew) {
    char name[256];
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    if (d == NULL) return;
    int n = 0, step = 0, created = 0, removed = 0;
    struct dirent *de;
    for (;;) {
        errno = 0;
        de = readdir(d);
        if (de == NULL) break;
        if (n < MAX_SEEN) snprintf(seen[n++], sizeof seen[0], "%s", de->d_name);
        if (created < nnew) {
            CHECK_OK(write_file(path_in(dir, name_of(name, sizeof name, "new", created++)), "n"));
        }
        if (removed < ngone) {
            CHECK_OK(unlink(path_in(dir, name_of(name, sizeof name, "gone", removed++))));
        }
        step++;
    }
    CHECK_EQ(errno, 0);

    /* What POSIX guarantees of that scan. */
    qsort(seen, (size_t)n, sizeof seen[0], by_name);
    int twice = 0, strange = 0, dots = 0;
    int *kept = calloc((size_t)nkeep, sizeof *kept);
    for (int i = 0; i < n; i++) {
        if (i > 0 && strcmp(seen[i], seen[i - 1]) == 0) {
            twice++;
            fprintf(stderr, "%s: %s returned twice\n", title, seen[i]);
        }
        int k = index_of(seen[i], "keep");
        if (k >= 0 && k < nkeep) {
            kept[k]++;
        } else if (strcmp(seen[i], ".") == 0 || strcmp(seen[i], "..") == 0) {
            dots++;
        } else if (!((k = index_of(seen[i], "new")) >= 0 && k < nnew) &&
                   !((k = index_of(seen[i], "gone")) >= 0 && k < ngone)) {
            strange++;
            fprintf(stderr, "%s: unexpected entry %s\n", title, seen[i]);
        }
    }
    int once = 0;
    for (int i = 0; i < nkeep; i++) {
        once += kept[i] == 1;
        if (kept[i] != 1) fprintf(stderr, "%s: keep %d returned %d times\n", title, i, kept[i]);
    }
    free(kept);
    CHECK_EQ(twice, 0);
    CHECK_EQ(strange, 0);
    CHECK_EQ(dots, 2);
    CHECK_EQ(once, nkeep);
    printf("%s: %d untouched entries returned once each; none twice, nothing else\n", title, once);

    /* The rest of the changes, then the stream from the start. */
    while (created < nnew) {
        CHECK_OK(write_file(path_in(dir, name_of(name, sizeof name, "new", created++)), "n"));
    }
    while (removed < ngone) {
        CHECK_OK(unlink(path_in(dir, name_of(name, sizeof name, "gone", removed++))));
    }
    rewinddir(d);
    n = 0;
    errno = 0;
    while ((de = readdir(d)) != NULL) {
        if (n < MAX_SEEN) snprintf(seen[n++], sizeof seen[0], "%s", de->d_name);
    }
    CHECK_EQ(errno, 0);
    CHECK_OK(closedir(d));
    qsort(seen, (size_t)n, sizeof seen[0], by_name);
    CHECK_EQ(n, 2 + nkeep + nnew);
    int want = 0;
    for (int i = 0; i < n; i++) {
        int k;
        want += strcmp(seen[i], ".") == 0 || strcmp(seen[i], "..") == 0 ||
                ((k = index_of(seen[i], "keep")) >= 0 && k < nkeep) ||
                ((k = index_of(seen[i], "new")) >= 0 && k < nnew);
    }
    CHECK_EQ(want, n);
    printf("%s after rewinddir: %d entries, all current\n", title, n);
}

int main(int argc, char **argv) {
    test_init("readdir_mutate", argc, argv);
    char name[256];

    /* A directory made here: entries created and removed in equal numbers. */
    CHECK_OK(mkdir(P("up"), 0755));
    for (int i = 0; i < UP_KEEP; i++) {
        CHECK_OK(write_file(path_in(P("up"), name_of(name, sizeof name, "keep", i)), "k"));
        CHECK_OK(write_file(path_in(P("up"), name_of(name, sizeof name, "gone", i)), "g"));
    }
    scan("up", P("up"), UP_KEEP, UP_GONE, UP_GONE);

    /* More created than removed, in a directory already there. */
    scan("pre", P("pre"), PRE_KEEP, PRE_GONE, 2 * PRE_GONE);

    /* Only removals: every entry but the kept ones goes. */
    CHECK_OK(mkdir(P("shrink"), 0755));
    for (int i = 0; i < 100; i++) {
        CHECK_OK(write_file(path_in(P("shrink"), name_of(name, sizeof name, "keep", i)), "k"));
        CHECK_OK(write_file(path_in(P("shrink"), name_of(name, sizeof name, "gone", i)), "g"));
    }
    scan("shrink", P("shrink"), 100, 100, 0);
    return test_done();
}
