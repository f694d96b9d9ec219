/* setjmp and longjmp: the runtime half of clang's Emscripten-style lowering
 * (include/setjmp.h says how it works; unwind.c holds the shared state).
 *
 * The lowered code keeps, for every activation of a function that calls
 * setjmp, a table of (id, label) pairs ended by a 0 id, with room for
 * `size` pairs (2 * size + 1 words, malloc'ed by the lowered code, which
 * frees it when the function returns). saveSetjmp gives a jmp_buf a fresh
 * id and records it with the label of its setjmp call; after an invoke
 * that a longjmp ended, testSetjmp looks the jmp_buf's id up in the
 * activation's table: its label, or 0 when the setjmp belongs to a caller
 * (the lowered code then longjmps on).
 *
 * A jmp_buf that is set again in the same activation keeps its id and
 * entry (only the label changes): a setjmp in a loop does not grow the
 * table, nor make every longjmp of the loop scan more. */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

void setTempRet0(int);
void __occlum_throw(int threw, int value);

static uint32_t last_id;

uint32_t *saveSetjmp(struct __jmp_buf_tag *env, uint32_t label, uint32_t *table, uint32_t size)
{
	uint32_t old = env->__jb[0];
	uint32_t i = 0;
	for (; i < size && table[2 * i] != 0; i++) {
		if (old != 0 && table[2 * i] == old) {
			table[2 * i + 1] = label;
			setTempRet0((int)size);
			return table;
		}
	}
	uint32_t id = ++last_id;
	if (id == 0)
		id = ++last_id;
	env->__jb[0] = id;
	if (i == size) {
		uint32_t grown = size * 2;
		uint32_t *t = realloc(table, (2 * (size_t)grown + 1) * sizeof *table);
		if (t == NULL || grown < size) {
			fputs("setjmp: out of memory for the setjmp table\n", stderr);
			abort();
		}
		table = t;
		size = grown;
	}
	table[2 * i] = id;
	table[2 * i + 1] = label;
	table[2 * i + 2] = 0;
	setTempRet0((int)size);
	return table;
}

uint32_t testSetjmp(uint32_t id, const uint32_t *table, uint32_t size)
{
	for (uint32_t i = 0; i < size && table[2 * i] != 0; i++)
		if (table[2 * i] == id)
			return table[2 * i + 1];
	return 0;
}

_Noreturn void emscripten_longjmp(struct __jmp_buf_tag *env, int value)
{
	__occlum_throw((int)(uintptr_t)env, value != 0 ? value : 1);
	/* No invoke is running: the setjmp of env is in no active function. */
	fputs("longjmp: the function that called setjmp on this jmp_buf has returned\n", stderr);
	abort();
}

_Noreturn void longjmp(jmp_buf env, int value)
{
	emscripten_longjmp(env, value);
}

_Noreturn void _longjmp(jmp_buf env, int value)
{
	emscripten_longjmp(env, value);
}

int __occlum_sigsetjmp_mask(struct __jmp_buf_tag *env, int savemask)
{
	env->__fl = savemask != 0;
	if (savemask)
		sigprocmask(SIG_BLOCK, NULL, (sigset_t *)env->__ss);
	return 0;
}

_Noreturn void siglongjmp(sigjmp_buf env, int value)
{
	if (env->__fl)
		sigprocmask(SIG_SETMASK, (const sigset_t *)env->__ss, NULL);
	emscripten_longjmp(env, value);
}
