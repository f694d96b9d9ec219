/* libocclum: the wait status macros, shared by <sys/wait.h> and <stdlib.h>.
 * Statuses are Linux's: exit code << 8, or the terminating signal in the
 * low 7 bits (docs/abi.md, wait4). */
#ifndef __occlum_waitstatus_h
#define __occlum_waitstatus_h

#define WEXITSTATUS(s) (((s) & 0xff00) >> 8)
#define WTERMSIG(s) ((s) & 0x7f)
#define WSTOPSIG(s) WEXITSTATUS(s)
#define WCOREDUMP(s) ((s) & 0x80)
#define WIFEXITED(s) (!WTERMSIG(s))
#define WIFSTOPPED(s) ((short)((((s) & 0xffff) * 0x10001U) >> 8) > 0x7f00)
#define WIFSIGNALED(s) (((s) & 0xffff) - 1U < 0xffu)
#define WIFCONTINUED(s) ((s) == 0xffff)

#endif
