/* libocclum: <setjmp.h>, with setjmp and longjmp that work.
 *
 * WebAssembly has no instruction that leaves several frames at once, so
 * occlum-gcc compiles every program with clang's Emscripten-style lowering
 * (-mllvm -enable-emscripten-sjlj): in a function that calls setjmp, the
 * calls that may longjmp go through the LibOS, which stops the unwind
 * there (docs/abi.md, `unwind`; sfi/nonlocal). Functions that do not call
 * setjmp are compiled as before and cost nothing.
 *
 * As everywhere, setjmp must be called directly (a macro is fine, a
 * function pointer is not), and only in the ways the C standard allows
 * (a whole expression statement, or a comparison in a condition).
 * sigsetjmp(env, 1) saves the signal mask and siglongjmp restores it;
 * longjmp leaves the mask alone (as glibc's longjmp and _longjmp do).
 *
 * The layout is musl's: jmp_buf and sigjmp_buf are one type. */
#ifndef _SETJMP_H
#define _SETJMP_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct __jmp_buf_tag {
	unsigned long __jb[4]; /* [0]: the id the lowering's tables know it by */
	unsigned long __fl;    /* sigsetjmp: the mask below was saved */
	unsigned long __ss[128 / sizeof(long)];
} jmp_buf[1];

typedef jmp_buf sigjmp_buf;

int setjmp(jmp_buf) __attribute__((__returns_twice__));
_Noreturn void longjmp(jmp_buf, int);

#define _setjmp(env) setjmp(env)
_Noreturn void _longjmp(jmp_buf, int);

/* Saves the mask into env if savemask, then is setjmp. */
int __occlum_sigsetjmp_mask(struct __jmp_buf_tag *, int);
#define sigsetjmp(env, savemask) \
	(__occlum_sigsetjmp_mask((env), (savemask)), setjmp(env))
_Noreturn void siglongjmp(sigjmp_buf, int);

#ifdef __cplusplus
}
#endif

#endif
