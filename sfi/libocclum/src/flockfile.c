/* flockfile, ftrylockfile, funlockfile: a process of the LibOS has one
 * thread, so a stream is never locked by another; they do nothing (and
 * ftrylockfile always succeeds). */
#include <stdio.h>

#include "internal.h"

void flockfile(FILE *f) { (void)f; }

int ftrylockfile(FILE *f)
{
	(void)f;
	return 0;
}

void funlockfile(FILE *f) { (void)f; }
