/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_X86_CPUFEAT_H
#define _ASM_X86_CPUFEAT_H

#include <asm/cpufeatures.h>

/* cpufeat feature indices are X86_FEATURE_* numbers. */
#define CPUFEAT_NR_FEATURES	(NCAPINTS * 32)

#endif /* _ASM_X86_CPUFEAT_H */
