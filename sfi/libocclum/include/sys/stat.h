/* libocclum: wasi-libc's <sys/stat.h> plus umask() and the chmod family,
 * with the stat family redirected to libocclum, which reports permission
 * bits, owners, device numbers and block counts (WASI's filestat has none
 * of them), and mkdir and mkdirat, which apply their mode. */
#include_next <sys/stat.h>

#ifndef __occlum_sys_stat_h
#define __occlum_sys_stat_h

#ifdef __cplusplus
extern "C" {
#endif

mode_t umask(mode_t);
int stat(const char *__restrict, struct stat *__restrict) __asm__("__occlum_stat");
int lstat(const char *__restrict, struct stat *__restrict) __asm__("__occlum_lstat");
int fstat(int, struct stat *) __asm__("__occlum_fstat");
int fstatat(int, const char *__restrict, struct stat *__restrict, int) __asm__("__occlum_fstatat");
int mkdir(const char *, mode_t) __asm__("__occlum_mkdir");
int mkdirat(int, const char *, mode_t) __asm__("__occlum_mkdirat");
int chmod(const char *, mode_t);
int fchmod(int, mode_t);
int fchmodat(int, const char *, mode_t, int);
int lchmod(const char *, mode_t);

#ifdef __cplusplus
}
#endif

#endif
