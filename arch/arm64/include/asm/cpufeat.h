/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_ARM64_CPUFEAT_H
#define _ASM_ARM64_CPUFEAT_H

#include <linux/cpufeature.h>
#include <linux/types.h>

/* cpufeat feature indices are KERNEL_HWCAP_* numbers. */
#define CPUFEAT_NR_FEATURES	MAX_CPU_FEATURES

#ifdef CONFIG_CGROUP_CPUFEAT
int cpufeat_filter_mrs(u32 sys_reg, u64 *valp);
bool cpufeat_hides_sve(void);
void cpufeat_exec_ptrauth(void);
#else
static inline int cpufeat_filter_mrs(u32 sys_reg, u64 *valp)
{
	return 0;
}

static inline bool cpufeat_hides_sve(void)
{
	return false;
}

static inline void cpufeat_exec_ptrauth(void) {}
#endif

#endif /* _ASM_ARM64_CPUFEAT_H */
