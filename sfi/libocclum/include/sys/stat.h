/* libocclum: wasi-libc's <sys/stat.h> plus umask(), with the stat family
 * redirected to libocclum, which reports permission bits, owners, device
 * numbers and block counts (WASI's filestat has none of them). */
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

#ifdef __cplusplus
}
#endif

#endif
