/* The adversarial review's escape, as a guest: with /host mapped to the
 * instance directory (an old Occlum.json) and /up to its parent, try to
 * read the signing keys, rewrite the signed build and the measured config,
 * and plant an executable where the host will run it. Every step must be
 * refused; the program prints each result and exits 0 only if all were. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int failures;

static void refused(const char *what, int ok) {
    printf("%s: %s\n", what, ok ? "refused" : "ALLOWED");
    if (!ok) failures++;
}

static int cannot_open(const char *p, int flags) {
    int fd = open(p, flags, 0755);
    if (fd >= 0) { close(fd); return 0; }
    return errno == EACCES;
}

int main(void) {
    refused("read the legacy developer key", cannot_open("/host/.occlum/dev_sign_key.pem", O_RDONLY));
    refused("read the user's developer key", cannot_open("/up/user/dev_sign_key.pem", O_RDONLY));
    refused("read a trusted signer record", cannot_open("/up/user/signers", O_RDONLY | O_DIRECTORY));
    refused("write the signature", cannot_open("/host/build/sigstruct.json", O_WRONLY | O_TRUNC));
    refused("write Occlum.json", cannot_open("/host/Occlum.json", O_WRONLY | O_TRUNC));
    refused("write the image", cannot_open("/host/image/bin/hello", O_WRONLY | O_TRUNC));
    refused("create in build/bin", cannot_open("/host/build/bin/planted", O_WRONLY | O_CREAT));
    refused("read the compile cache", cannot_open("/up/cache", O_RDONLY | O_DIRECTORY));

    /* posix_spawn's open action honoured mode 0755: it made executables. */
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/host/build/bin/by-spawn", O_WRONLY | O_CREAT, 0755);
    pid_t pid;
    char *argv[] = {"/bin/true", NULL};
    int r = posix_spawn(&pid, "/bin/true", &fa, NULL, argv, NULL);
    if (r == 0) {
        int st;
        waitpid(pid, &st, 0);
    }
    refused("spawn with an open action into build/bin", r == EACCES);

    int fd = open("/host/host/evil", O_WRONLY | O_CREAT | O_TRUNC, 06755);
    if (fd < 0) { perror("create /host/host/evil"); return 2; }
    write(fd, "\0asm", 4);
    close(fd);
    struct stat st;
    stat("/host/host/evil", &st);
    refused("set-uid and execute bits on a host file", (st.st_mode & 07777) == 0644);
    refused("rename over the LibOS binary", rename("/host/host/evil", "/host/build/bin/occlum-libos") != 0 && errno == EACCES);
    refused("rename the build away", rename("/host/build", "/host/host/build.old") != 0 && errno == EACCES);
    refused("remove Occlum.json", unlink("/host/Occlum.json") != 0 && errno == EACCES);
    refused("hard link to the config", link("/host/Occlum.json", "/host/host/cfg") != 0 && errno == EACCES);
    return failures ? 1 : 0;
}
