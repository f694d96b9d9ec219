/* libocclum: <sys/mman.h> without wasi-libc's emulation flag.
 *
 * A LibOS process is one WebAssembly linear memory: a mapping is memory of
 * that heap (src/mman.c). Anonymous mappings and private file mappings
 * (the file's bytes read in at mmap) work; shared file mappings, whose
 * writes and other processes' writes would have to show through, fail
 * with ENODEV (sqlite, for one, then reads and writes the file instead).
 * mprotect records nothing and enforces nothing: every byte stays readable
 * and writable. The constants are wasi-libc's (musl's, Linux's). */
#ifndef _OCCLUM_SYS_MMAN_H
#define _OCCLUM_SYS_MMAN_H

#ifndef _WASI_EMULATED_MMAN
#define _WASI_EMULATED_MMAN
#define __OCCLUM_MMAN_DEFINED_EMULATION
#endif
#include_next <sys/mman.h>
#ifdef __OCCLUM_MMAN_DEFINED_EMULATION
#undef _WASI_EMULATED_MMAN
#undef __OCCLUM_MMAN_DEFINED_EMULATION
#endif

#endif
