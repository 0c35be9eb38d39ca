// SPDX-License-Identifier: GPL-2.0
/*
 * x86 side of the cpufeat cgroup controller: which features it can control.
 *
 * A feature is controllable when its capability word mirrors a CPUID
 * register, so that what programs are told can later be made to agree with
 * what the CPUID instruction answers.  Its name is the /proc/cpuinfo flag
 * (x86_cap_flags[]) and its dependencies are cpuid_deps[]: the kernel's own
 * tables, nothing restated here.
 */

#include <linux/bitmap.h>
#include <linux/cgroup_cpufeat.h>
#include <linux/cpufeature.h>
#include <linux/elf.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/slab.h>

#include <asm/cpuid.h>
#include <asm/hwcap2.h>

/**
 * struct cpufeat_x86_word - a capability word that mirrors a CPUID register
 * @word: the capability word (enum cpuid_leafs)
 * @leaf: CPUID leaf
 * @subleaf: CPUID subleaf (ECX input)
 * @reg: the output register (enum cpuid_regs_idx)
 */
struct cpufeat_x86_word {
	u8 word;
	u32 leaf;
	u32 subleaf;
	u8 reg;
};

static const struct cpufeat_x86_word cpufeat_x86_words[] = {
	{ CPUID_1_EDX,		0x00000001, 0, CPUID_EDX },
	{ CPUID_8000_0001_EDX,	0x80000001, 0, CPUID_EDX },
	{ CPUID_1_ECX,		0x00000001, 0, CPUID_ECX },
	{ CPUID_8000_0001_ECX,	0x80000001, 0, CPUID_ECX },
	{ CPUID_7_0_EBX,	0x00000007, 0, CPUID_EBX },
	{ CPUID_D_1_EAX,	0x0000000d, 1, CPUID_EAX },
	{ CPUID_7_1_EAX,	0x00000007, 1, CPUID_EAX },
	{ CPUID_8000_0008_EBX,	0x80000008, 0, CPUID_EBX },
	{ CPUID_6_EAX,		0x00000006, 0, CPUID_EAX },
	{ CPUID_8000_000A_EDX,	0x8000000a, 0, CPUID_EDX },
	{ CPUID_7_ECX,		0x00000007, 0, CPUID_ECX },
	{ CPUID_8000_0007_EBX,	0x80000007, 0, CPUID_EBX },
	{ CPUID_7_EDX,		0x00000007, 0, CPUID_EDX },
	{ CPUID_8000_001F_EAX,	0x8000001f, 0, CPUID_EAX },
	{ CPUID_8000_0021_EAX,	0x80000021, 0, CPUID_EAX },
};

/**
 * struct cpufeat_x86_hwcap - AT_HWCAP* bits that mirror capability bits
 * @type: AT_HWCAP or AT_HWCAP2
 * @shift: the lowest of the bits in that word
 * @nbits: how many bits, mirroring consecutive features
 * @first: the feature behind the lowest bit
 */
struct cpufeat_x86_hwcap {
	unsigned int type;
	u8 shift;
	u8 nbits;
	u16 first;
};

/* AT_HWCAP is CPUID 1 EDX; of AT_HWCAP2 only FSGSBASE is a CPUID feature. */
static const struct cpufeat_x86_hwcap cpufeat_x86_hwcaps[] = {
	{ AT_HWCAP, 0, 32, CPUID_1_EDX * 32 },
	{ AT_HWCAP2, ilog2(HWCAP2_FSGSBASE), 1, X86_FEATURE_FSGSBASE },
};

/* Kept visible to secureexec programs: hiding them weakens hardening. */
static const unsigned int cpufeat_x86_protected[] = {
	X86_FEATURE_SHSTK,
	X86_FEATURE_IBT,
};

static const char *cpufeat_x86_names[CPUFEAT_NR_FEATURES] __ro_after_init;
static struct cpufeat_table cpufeat_x86_table __ro_after_init = {
	.nr = CPUFEAT_NR_FEATURES,
	.names = cpufeat_x86_names,
	.protected = cpufeat_x86_protected,
	.nr_protected = ARRAY_SIZE(cpufeat_x86_protected),
};

static bool __init cpufeat_x86_cpuid_word(unsigned int word)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cpufeat_x86_words); i++)
		if (cpufeat_x86_words[i].word == word)
			return true;
	return false;
}

static bool __init cpufeat_x86_controllable(unsigned int feature)
{
	return feature < CPUFEAT_NR_FEATURES && cpufeat_x86_names[feature];
}

static void __init cpufeat_x86_init_deps(void)
{
	struct cpufeat_dep *deps;
	unsigned int i, n = 0;

	for (i = 0; cpuid_deps[i].feature; i++)
		;
	deps = kcalloc(i, sizeof(*deps), GFP_KERNEL);
	if (!deps)
		return;
	for (i = 0; cpuid_deps[i].feature; i++) {
		/* A requirement that cannot be hidden never hides anything. */
		if (!cpufeat_x86_controllable(cpuid_deps[i].feature) ||
		    !cpufeat_x86_controllable(cpuid_deps[i].depends))
			continue;
		deps[n].feature = cpuid_deps[i].feature;
		deps[n].requires = cpuid_deps[i].depends;
		n++;
	}
	cpufeat_x86_table.deps = deps;
	cpufeat_x86_table.nr_deps = n;
}

/**
 * cpufeat_arch_table() - the features cpufeat controls on x86
 *
 * Return: the table, built on first use at late_initcall time.
 */
const struct cpufeat_table * __init cpufeat_arch_table(void)
{
	unsigned int i;

	for (i = 0; i < CPUFEAT_NR_FEATURES; i++)
		if (cpufeat_x86_cpuid_word(i / 32) && x86_cap_flags[i] &&
		    *x86_cap_flags[i])
			cpufeat_x86_names[i] = x86_cap_flags[i];
	cpufeat_x86_init_deps();
	return &cpufeat_x86_table;
}

/**
 * cpufeat_arch_has() - does this machine offer a feature to user space?
 * @feature: an X86_FEATURE_* number
 *
 * Return: true if the boot CPU has it (as /proc/cpuinfo reports).
 */
bool __init cpufeat_arch_has(unsigned int feature)
{
	return boot_cpu_has(feature);
}

/**
 * cpufeat_arch_hwcap() - clear the AT_HWCAP* bits of hidden features
 * @hidden: the features hidden from the program
 * @type: AT_HWCAP or AT_HWCAP2
 * @hwcap: the kernel's value
 * @compat: ia32 programs get the same words as 64-bit ones
 *
 * Return: @hwcap without the hidden features.
 */
unsigned long cpufeat_arch_hwcap(const unsigned long *hidden,
				 unsigned int type, unsigned long hwcap,
				 bool compat)
{
	const struct cpufeat_x86_hwcap *h;

	for (h = cpufeat_x86_hwcaps;
	     h < cpufeat_x86_hwcaps + ARRAY_SIZE(cpufeat_x86_hwcaps); h++)
		if (h->type == type)
			hwcap &= ~(bitmap_read(hidden, h->first, h->nbits) <<
				   h->shift);
	return hwcap;
}
