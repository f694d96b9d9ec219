/* libocclum: sigset_t is a real signal set.
 *
 * wasi-libc's own definition is a one-byte placeholder. This file shadows it
 * (the overlay directory is searched before wasi-libc's) and uses musl's
 * layout: 128 bytes, bit (n-1) of the first 64 bits is signal n, which is
 * also the LibOS ABI's u64 signal set, byte for byte (wasm32 is little
 * endian). The include guard is wasi-libc's, so only one definition is ever
 * seen. */
#ifndef __wasilibc___typedef_sigset_t_h
#define __wasilibc___typedef_sigset_t_h

typedef struct __sigset_t {
	unsigned long __bits[128 / sizeof(long)];
} sigset_t;

#endif
