// SPDX-License-Identifier: GPL-2.0
/*
 * x86 side of the cpufeat cgroup controller.
 *
 * A feature is controllable when its capability word mirrors a CPUID
 * register, so that what programs are told agrees with what the CPUID
 * instruction answers.  Its name is the /proc/cpuinfo flag (x86_cap_flags[])
 * and its dependencies are cpuid_deps[]: the kernel's own tables, nothing
 * restated here.
 *
 * Programs whose view hides features run with CPUID faulting on (see
 * arch_setup_new_exec()): their CPUID raises #GP(0), and
 * cpufeat_fixup_cpuid() executes it on their behalf and clears the bits
 * they may not see in the registers of cpufeat_x86_words[].
 */

#include <linux/bitmap.h>
#include <linux/cgroup_cpufeat.h>
#include <linux/cpufeature.h>
#include <linux/elf.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/processor.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <asm/cpufeat.h>
#include <asm/cpuid.h>
#include <asm/hwcap2.h>
#include <asm/insn.h>
#include <asm/insn-eval.h>
#include <asm/ptrace.h>

/* The subleaf of a leaf that does not look at ECX. */
#define CPUFEAT_ANY_SUBLEAF	U32_MAX

/**
 * struct cpufeat_x86_word - a capability word that mirrors a CPUID register
 * @word: the capability word (enum cpuid_leafs)
 * @leaf: CPUID leaf
 * @subleaf: CPUID subleaf (ECX input), or CPUFEAT_ANY_SUBLEAF
 * @reg: the output register (enum cpuid_regs_idx)
 */
struct cpufeat_x86_word {
	u8 word;
	u32 leaf;
	u32 subleaf;
	u8 reg;
};

static const struct cpufeat_x86_word cpufeat_x86_words[] = {
	{ CPUID_1_EDX,		0x00000001, CPUFEAT_ANY_SUBLEAF, CPUID_EDX },
	{ CPUID_8000_0001_EDX,	0x80000001, CPUFEAT_ANY_SUBLEAF, CPUID_EDX },
	{ CPUID_1_ECX,		0x00000001, CPUFEAT_ANY_SUBLEAF, CPUID_ECX },
	{ CPUID_8000_0001_ECX,	0x80000001, CPUFEAT_ANY_SUBLEAF, CPUID_ECX },
	{ CPUID_7_0_EBX,	0x00000007, 0, CPUID_EBX },
	{ CPUID_D_1_EAX,	0x0000000d, 1, CPUID_EAX },
	{ CPUID_7_1_EAX,	0x00000007, 1, CPUID_EAX },
	{ CPUID_8000_0008_EBX,	0x80000008, CPUFEAT_ANY_SUBLEAF, CPUID_EBX },
	{ CPUID_6_EAX,		0x00000006, CPUFEAT_ANY_SUBLEAF, CPUID_EAX },
	{ CPUID_8000_000A_EDX,	0x8000000a, CPUFEAT_ANY_SUBLEAF, CPUID_EDX },
	{ CPUID_7_ECX,		0x00000007, 0, CPUID_ECX },
	{ CPUID_8000_0007_EBX,	0x80000007, CPUFEAT_ANY_SUBLEAF, CPUID_EBX },
	{ CPUID_7_EDX,		0x00000007, 0, CPUID_EDX },
	{ CPUID_8000_001F_EAX,	0x8000001f, CPUFEAT_ANY_SUBLEAF, CPUID_EAX },
	{ CPUID_8000_0021_EAX,	0x80000021, CPUFEAT_ANY_SUBLEAF, CPUID_EAX },
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

/*
 * Kept visible to secureexec programs: hiding them weakens hardening.
 * Shadow stacks (X86_FEATURE_SHSTK) have no /proc/cpuinfo name, so
 * cpufeat cannot hide them in the first place.
 */
static const unsigned int cpufeat_x86_protected[] = {
	X86_FEATURE_IBT,
};

/* CPUID is filtered where the CPU can make it fault (set at init). */
#define CPUFEAT_X86_FILTER_CPUID	1

static struct cpufeat_filter cpufeat_x86_filters[] __ro_after_init = {
	{ .path = "auxv", .filtered = true },
	[CPUFEAT_X86_FILTER_CPUID] = { .path = "cpuid" },
	{ .path = "cpuinfo", .filtered = true },
};

static const char *cpufeat_x86_names[CPUFEAT_NR_FEATURES] __ro_after_init;
static struct cpufeat_table cpufeat_x86_table __ro_after_init = {
	.nr = CPUFEAT_NR_FEATURES,
	.names = cpufeat_x86_names,
	.protected = cpufeat_x86_protected,
	.nr_protected = ARRAY_SIZE(cpufeat_x86_protected),
	.emulation_stat = "emulated_cpuid",
	.filters = cpufeat_x86_filters,
	.nr_filters = ARRAY_SIZE(cpufeat_x86_filters),
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

static bool __init cpufeat_x86_init_deps(void)
{
	struct cpufeat_dep *deps;
	unsigned int i, n = 0;

	for (i = 0; cpuid_deps[i].feature; i++)
		;
	deps = kcalloc(i, sizeof(*deps), GFP_KERNEL);
	if (!deps)
		return false;
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
	return true;
}

/**
 * cpufeat_arch_table() - the features cpufeat controls on x86
 *
 * Return: the table, built on first use at late_initcall time, or NULL
 * without memory for it.
 */
const struct cpufeat_table * __init cpufeat_arch_table(void)
{
	unsigned int i;

	for (i = 0; i < CPUFEAT_NR_FEATURES; i++) {
		if (!cpufeat_x86_cpuid_word(i / 32) || !x86_cap_flags[i] ||
		    !*x86_cap_flags[i])
			continue;
		cpufeat_x86_names[i] = x86_cap_flags[i];
	}
	cpufeat_x86_filters[CPUFEAT_X86_FILTER_CPUID].filtered =
		boot_cpu_has(X86_FEATURE_CPUID_FAULT);
	return cpufeat_x86_init_deps() ? &cpufeat_x86_table : NULL;
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

/* Is @leaf within the range of leaves the CPU implements? */
static bool cpufeat_x86_leaf_implemented(u32 leaf)
{
	if (leaf < 0x80000000)
		return leaf <= boot_cpu_data.cpuid_level;
	return leaf <= boot_cpu_data.extended_cpuid_level;
}

/**
 * cpufeat_x86_mask_cpuid() - clear what a program may not see in CPUID
 * @hidden: the features hidden from the program
 * @leaf: the CPUID leaf (EAX input)
 * @subleaf: the CPUID subleaf (ECX input)
 * @regs: the CPUID output, indexed by enum cpuid_regs_idx
 *
 * In each register that mirrors a capability word, clear the bits of the
 * @hidden features.  Every other bit and register is left as the CPU
 * answered.
 */
static void cpufeat_x86_mask_cpuid(const unsigned long *hidden, u32 leaf,
				   u32 subleaf, u32 *regs)
{
	const struct cpufeat_x86_word *w;

	for (w = cpufeat_x86_words;
	     w < cpufeat_x86_words + ARRAY_SIZE(cpufeat_x86_words); w++) {
		if (w->leaf != leaf ||
		    (w->subleaf != CPUFEAT_ANY_SUBLEAF && w->subleaf != subleaf))
			continue;
		regs[w->reg] &= ~bitmap_read(hidden, w->word * 32, 32);
	}
}

/**
 * cpufeat_filters_cpuid() - should a program's CPUID be filtered?
 * @mm: the program's mm
 *
 * Return: true if its view hides features and the CPU can fault CPUID.
 */
bool cpufeat_filters_cpuid(struct mm_struct *mm)
{
	return boot_cpu_has(X86_FEATURE_CPUID_FAULT) && cpufeat_hidden(mm);
}

/* Is the instruction at the user's IP a CPUID (prefixes allowed)? */
static int cpufeat_user_cpuid_length(struct pt_regs *regs)
{
	unsigned char buf[MAX_INSN_SIZE];
	struct insn insn;
	u16 opcode;
	int nr;

	/*
	 * The common case, a bare CPUID in 64-bit code, where CS has no base:
	 * two bytes tell, without the instruction decoder.
	 */
	if (user_64bit_mode(regs) &&
	    !get_user(opcode, (const u16 __user *)regs->ip) &&
	    opcode == 0xa20f)
		return 2;

	nr = insn_fetch_from_user(regs, buf);
	if (nr <= 0 || !insn_decode_from_regs(&insn, regs, buf, nr))
		return 0;
	if (insn.opcode.nbytes != 2 || insn.opcode.bytes[0] != 0x0f ||
	    insn.opcode.bytes[1] != 0xa2)
		return 0;
	return insn.length;
}

/**
 * cpufeat_fixup_cpuid() - answer a user-mode CPUID that faulted
 * @regs: the user registers at the #GP
 * @error_code: the #GP error code
 *
 * Programs whose CPUID is filtered run with CPUID faulting on, so their
 * CPUID raises #GP(0).  Execute it on this CPU (per-CPU values such as APIC
 * ids stay true), clear what the program may not see and step over it.
 * A task that turned CPUID off itself (ARCH_SET_CPUID) gets its SIGSEGV.
 *
 * Return: true if the CPUID was emulated.
 */
bool cpufeat_fixup_cpuid(struct pt_regs *regs, unsigned long error_code)
{
	const unsigned long *hidden;
	u32 out[4];
	int len;

	if (error_code || !test_thread_flag(TIF_CPUID_FILTER) ||
	    test_thread_flag(TIF_NOCPUID))
		return false;
	len = cpufeat_user_cpuid_length(regs);
	if (!len)
		return false;

	cpuid_count(regs->ax, regs->cx, &out[CPUID_EAX], &out[CPUID_EBX],
		    &out[CPUID_ECX], &out[CPUID_EDX]);
	hidden = cpufeat_hidden(current->mm);
	if (hidden && cpufeat_x86_leaf_implemented(regs->ax))
		cpufeat_x86_mask_cpuid(hidden, regs->ax, regs->cx, out);
	regs->ax = out[CPUID_EAX];
	regs->bx = out[CPUID_EBX];
	regs->cx = out[CPUID_ECX];
	regs->dx = out[CPUID_EDX];
	regs->ip += len;
	cpufeat_count_emulation();
	return true;
}

#if IS_ENABLED(CONFIG_CGROUP_CPUFEAT_KUNIT_TEST)
#include "cpufeat_test.c"
#endif
