/* sysinfo: the ABI's u64 figures in wasm32's 32-bit struct sysinfo.
 * Memory figures that do not fit are scaled, with mem_unit, as Linux does
 * for 32-bit programs. */
#include <string.h>
#include <sys/sysinfo.h>

#include "internal.h"

int sysinfo(struct sysinfo *info)
{
	struct occlum_sysinfo s;
	if (__occlum_ret(__occlum_sys_sysinfo(&s)) < 0)
		return -1;
	uint64_t unit = s.mem_unit ? s.mem_unit : 1;
	uint64_t *mem[] = {&s.totalram, &s.freeram, &s.sharedram, &s.bufferram, &s.totalswap, &s.freeswap};
	for (;;) {
		int fits = 1;
		for (size_t i = 0; i < sizeof mem / sizeof mem[0]; i++)
			fits &= *mem[i] <= 0xffffffffu;
		if (fits)
			break;
		for (size_t i = 0; i < sizeof mem / sizeof mem[0]; i++)
			*mem[i] >>= 1;
		unit <<= 1;
	}
	memset(info, 0, sizeof *info);
	info->uptime = s.uptime > 0xffffffffu ? 0xffffffffu : (unsigned long)s.uptime;
	for (int i = 0; i < 3; i++)
		info->loads[i] = (unsigned long)s.loads[i];
	info->totalram = (unsigned long)s.totalram;
	info->freeram = (unsigned long)s.freeram;
	info->sharedram = (unsigned long)s.sharedram;
	info->bufferram = (unsigned long)s.bufferram;
	info->totalswap = (unsigned long)s.totalswap;
	info->freeswap = (unsigned long)s.freeswap;
	info->procs = s.procs > 0xffff ? 0xffff : (unsigned short)s.procs;
	info->mem_unit = (unsigned)unit;
	return 0;
}
