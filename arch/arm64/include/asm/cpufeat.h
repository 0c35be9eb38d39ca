/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_ARM64_CPUFEAT_H
#define _ASM_ARM64_CPUFEAT_H

#include <linux/cpufeature.h>

/* cpufeat feature indices are KERNEL_HWCAP_* numbers. */
#define CPUFEAT_NR_FEATURES	MAX_CPU_FEATURES

#endif /* _ASM_ARM64_CPUFEAT_H */
