/* The state clang's Emscripten-style lowering of setjmp/longjmp and C++
 * exceptions shares with its runtime (setjmp.c, cxa_exception.c).
 *
 * After every env.invoke_* call (a call that may be jumped or thrown out
 * of), the lowered code reads and clears __THREW__: 0 when the call
 * returned normally; the jmp_buf of a longjmp in flight, with __threwValue
 * its value; 1 with __threwValue 0 for a C++ exception. A multi-word
 * result of a runtime call is returned half in "tempRet0". */
#include "internal.h"

int __THREW__;
int __threwValue;
static int temp_ret0;

int getTempRet0(void)
{
	return temp_ret0;
}

void setTempRet0(int value)
{
	temp_ret0 = value;
}

/* Records a longjmp (threw = its jmp_buf) or an exception (threw = 1,
 * value 0) and unwinds to the innermost invoke. Returns only when no
 * invoke is running: nothing can catch it. */
void __occlum_throw(int threw, int value)
{
	__THREW__ = threw;
	__threwValue = value;
	__occlum_sys_unwind();
	__THREW__ = 0;
	__threwValue = 0;
}
