/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_X86_CPUFEAT_H
#define _ASM_X86_CPUFEAT_H

#include <linux/types.h>

#include <asm/cpufeatures.h>

/* cpufeat feature indices are X86_FEATURE_* numbers. */
#define CPUFEAT_NR_FEATURES	(NCAPINTS * 32)

struct mm_struct;
struct pt_regs;

#ifdef CONFIG_CGROUP_CPUFEAT
bool cpufeat_filters_cpuid(struct mm_struct *mm);
bool cpufeat_fixup_cpuid(struct pt_regs *regs, unsigned long error_code);
#else
static inline bool cpufeat_filters_cpuid(struct mm_struct *mm)
{
	return false;
}

static inline bool cpufeat_fixup_cpuid(struct pt_regs *regs,
				       unsigned long error_code)
{
	return false;
}
#endif

#endif /* _ASM_X86_CPUFEAT_H */
