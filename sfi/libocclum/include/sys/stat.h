/* libocclum: wasi-libc's <sys/stat.h> plus umask(). */
#include_next <sys/stat.h>

#ifndef __occlum_sys_stat_h
#define __occlum_sys_stat_h

#ifdef __cplusplus
extern "C" {
#endif

mode_t umask(mode_t);

#ifdef __cplusplus
}
#endif

#endif
