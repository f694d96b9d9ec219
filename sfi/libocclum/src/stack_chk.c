/* The stack protector's runtime (-fstack-protector, -fstack-protector-strong,
 * which ordinary Makefiles pass): the canary that guarded functions keep
 * below their arrays, random per process, and the report when a function
 * finds it overwritten. wasi-libc has neither. The canary is set before
 * main by a constructor of high priority; the frames that run before it
 * (the C runtime's start) check against 0, consistently. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <unistd.h>

uintptr_t __stack_chk_guard;

__attribute__((constructor(101))) static void init_guard(void)
{
	uintptr_t g = 0;
	if (getrandom(&g, sizeof g, 0) != (ssize_t)sizeof g || g == 0)
		g = (uintptr_t)0xff0a0000u; /* a terminator canary */
	/* A zero low byte stops string copies short of the rest, as glibc. */
	__stack_chk_guard = g & ~(uintptr_t)0xff;
}

_Noreturn void __stack_chk_fail(void)
{
	static const char msg[] = "*** stack smashing detected ***: terminated\n";
	write(2, msg, sizeof msg - 1);
	abort();
}
