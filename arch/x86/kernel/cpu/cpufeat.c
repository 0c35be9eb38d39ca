// SPDX-License-Identifier: GPL-2.0
/*
 * x86 side of the cpufeat cgroup controller.
 *
 * A feature is controllable when its capability word mirrors a CPUID
 * register, so that what programs are told agrees with what the CPUID
 * instruction answers.  Its name is the /proc/cpuinfo flag (x86_cap_flags[])
 * and its dependencies are cpuid_deps[] and the few of cpufeat_x86_deps[]
 * that only programs need.
 *
 * Programs whose view hides features run with CPUID faulting on (see
 * arch_setup_new_exec()): their CPUID raises #GP(0), and
 * cpufeat_fixup_cpuid() executes it on their behalf.  In the feature
 * registers of cpufeat_x86_regs[] such a program sees only the named
 * features of its view and the few bits that are not features: everything
 * else, bits this kernel has no name for included, reads 0.
 */

#include <linux/bitmap.h>
#include <linux/cgroup_cpufeat.h>
#include <linux/cpufeature.h>
#include <linux/elf.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/mm.h>
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
#include <asm/traps.h>

/* The subleaf of a leaf that does not look at ECX, or of any other subleaf. */
#define CPUFEAT_ANY_SUBLEAF	U32_MAX
/* A register no capability word mirrors. */
#define CPUFEAT_X86_NO_WORD	U8_MAX
/* No feature: what would follow it is never shown. */
#define CPUFEAT_X86_NO_FEATURE	U16_MAX

/**
 * struct cpufeat_x86_reg - a CPUID register that reports CPU features
 * @leaf: CPUID leaf (EAX input)
 * @subleaf: CPUID subleaf (ECX input), or CPUFEAT_ANY_SUBLEAF
 * @reg: the output register (enum cpuid_regs_idx)
 * @word: the capability word (enum cpuid_leafs) that mirrors it, or
 *	CPUFEAT_X86_NO_WORD for a register the kernel tracks no feature of
 * @mirror: with @mirror_bits, the capability word these bits repeat
 * @mirror_bits: bits that repeat the same bits of capability word @mirror
 *	(AMD's copies of CPUID 1 EDX in CPUID 0x80000001 EDX)
 * @follows: with @follow_bits, the feature they go with
 * @follow_bits: bits that read as the CPU answers when @follows is in
 *	the view: the state the OS enabled for it, or the leaf that
 *	describes it
 * @pass: bits that are not features (documented fields): always as the CPU
 *	answers
 *
 * For a program whose view is restricted, a bit of such a register reads
 * as the CPU answers only when it is a named feature in the view or one of
 * the bits above, and 0 otherwise: unknown bits and features the kernel
 * has no name for are denied.  The first entry that matches a CPUID
 * query's leaf, subleaf and register applies; registers no entry matches
 * (topology, caches, XSAVE sizes, brand string, hypervisor leaves ...)
 * read as the CPU answers.
 */
struct cpufeat_x86_reg {
	u32 leaf;
	u32 subleaf;
	u8 reg;
	u8 word;
	u8 mirror;
	u16 follows;
	u32 mirror_bits;
	u32 follow_bits;
	u32 pass;
};

/* A register that a capability word mirrors. */
#define CPUFEAT_X86_WORD(w, l, s, r, ...)				\
	{ .leaf = (l), .subleaf = (s), .reg = (r), .word = (w),		\
	  .follows = CPUFEAT_X86_NO_FEATURE, __VA_ARGS__ }
/* A register of a feature leaf that is not a feature: as the CPU answers. */
#define CPUFEAT_X86_FIELD(l, s, r)					\
	{ .leaf = (l), .subleaf = (s), .reg = (r),			\
	  .word = CPUFEAT_X86_NO_WORD, .follows = CPUFEAT_X86_NO_FEATURE, \
	  .pass = U32_MAX }
/* A register of features the kernel has no name for: all denied. */
#define CPUFEAT_X86_UNNAMED(l, s, r)					\
	{ .leaf = (l), .subleaf = (s), .reg = (r),			\
	  .word = CPUFEAT_X86_NO_WORD, .follows = CPUFEAT_X86_NO_FEATURE }
/* A register of a leaf that describes one feature @f in detail. */
#define CPUFEAT_X86_LEAF_REG(f, l, r)					\
	{ .leaf = (l), .subleaf = CPUFEAT_ANY_SUBLEAF, .reg = (r),	\
	  .word = CPUFEAT_X86_NO_WORD, .follows = (f),			\
	  .follow_bits = U32_MAX }

/* CPUID 0x80000001 EDX bits 0-9, 12-17, 23 and 24 are CPUID 1 EDX's. */
#define CPUFEAT_X86_AMD_MIRROR	(GENMASK(9, 0) | GENMASK(17, 12) |	\
				 GENMASK(24, 23))
/* CPUID 7.0 ECX bits 17-21: MAWAU, the MPX address width in 64-bit mode. */
#define CPUFEAT_X86_MAWAU	GENMASK(21, 17)

static const struct cpufeat_x86_reg cpufeat_x86_regs[] = {
	CPUFEAT_X86_WORD(CPUID_1_EDX, 0x00000001, CPUFEAT_ANY_SUBLEAF,
			 CPUID_EDX),
	/* OSXSAVE: the OS enabled XSAVE (CR4.OSXSAVE). */
	CPUFEAT_X86_WORD(CPUID_1_ECX, 0x00000001, CPUFEAT_ANY_SUBLEAF,
			 CPUID_ECX, .follows = X86_FEATURE_XSAVE,
			 .follow_bits = BIT(X86_FEATURE_OSXSAVE % 32)),
	CPUFEAT_X86_WORD(CPUID_6_EAX, 0x00000006, CPUFEAT_ANY_SUBLEAF,
			 CPUID_EAX),
	CPUFEAT_X86_WORD(CPUID_7_0_EBX, 0x00000007, 0, CPUID_EBX),
	CPUFEAT_X86_WORD(CPUID_7_ECX, 0x00000007, 0, CPUID_ECX,
			 .pass = CPUFEAT_X86_MAWAU),
	CPUFEAT_X86_WORD(CPUID_7_EDX, 0x00000007, 0, CPUID_EDX),
	CPUFEAT_X86_WORD(CPUID_7_1_EAX, 0x00000007, 1, CPUID_EAX),
	/* Leaf 7: 7.0 EAX is the highest subleaf, the rest are features. */
	CPUFEAT_X86_FIELD(0x00000007, 0, CPUID_EAX),
	CPUFEAT_X86_UNNAMED(0x00000007, CPUFEAT_ANY_SUBLEAF, CPUID_EAX),
	CPUFEAT_X86_UNNAMED(0x00000007, CPUFEAT_ANY_SUBLEAF, CPUID_EBX),
	CPUFEAT_X86_UNNAMED(0x00000007, CPUFEAT_ANY_SUBLEAF, CPUID_ECX),
	CPUFEAT_X86_UNNAMED(0x00000007, CPUFEAT_ANY_SUBLEAF, CPUID_EDX),
	CPUFEAT_X86_WORD(CPUID_D_1_EAX, 0x0000000d, 1, CPUID_EAX),
	CPUFEAT_X86_LEAF_REG(X86_FEATURE_SGX, 0x00000012, CPUID_EAX),
	CPUFEAT_X86_LEAF_REG(X86_FEATURE_SGX, 0x00000012, CPUID_EBX),
	CPUFEAT_X86_LEAF_REG(X86_FEATURE_SGX, 0x00000012, CPUID_ECX),
	CPUFEAT_X86_LEAF_REG(X86_FEATURE_SGX, 0x00000012, CPUID_EDX),
	CPUFEAT_X86_LEAF_REG(X86_FEATURE_INTEL_PT, 0x00000014, CPUID_EAX),
	CPUFEAT_X86_LEAF_REG(X86_FEATURE_INTEL_PT, 0x00000014, CPUID_EBX),
	CPUFEAT_X86_LEAF_REG(X86_FEATURE_INTEL_PT, 0x00000014, CPUID_ECX),
	CPUFEAT_X86_LEAF_REG(X86_FEATURE_INTEL_PT, 0x00000014, CPUID_EDX),
	/* Key Locker: no name in this kernel. */
	CPUFEAT_X86_LEAF_REG(CPUFEAT_X86_NO_FEATURE, 0x00000019, CPUID_EAX),
	CPUFEAT_X86_LEAF_REG(CPUFEAT_X86_NO_FEATURE, 0x00000019, CPUID_EBX),
	CPUFEAT_X86_LEAF_REG(CPUFEAT_X86_NO_FEATURE, 0x00000019, CPUID_ECX),
	CPUFEAT_X86_LEAF_REG(CPUFEAT_X86_NO_FEATURE, 0x00000019, CPUID_EDX),
	CPUFEAT_X86_LEAF_REG(X86_FEATURE_AMX_TILE, 0x0000001d, CPUID_EAX),
	CPUFEAT_X86_LEAF_REG(X86_FEATURE_AMX_TILE, 0x0000001d, CPUID_EBX),
	CPUFEAT_X86_LEAF_REG(X86_FEATURE_AMX_TILE, 0x0000001d, CPUID_ECX),
	CPUFEAT_X86_LEAF_REG(X86_FEATURE_AMX_TILE, 0x0000001d, CPUID_EDX),
	CPUFEAT_X86_LEAF_REG(X86_FEATURE_AMX_TILE, 0x0000001e, CPUID_EAX),
	CPUFEAT_X86_LEAF_REG(X86_FEATURE_AMX_TILE, 0x0000001e, CPUID_EBX),
	CPUFEAT_X86_LEAF_REG(X86_FEATURE_AMX_TILE, 0x0000001e, CPUID_ECX),
	CPUFEAT_X86_LEAF_REG(X86_FEATURE_AMX_TILE, 0x0000001e, CPUID_EDX),
	/* AVX10: no name in this kernel. */
	CPUFEAT_X86_LEAF_REG(CPUFEAT_X86_NO_FEATURE, 0x00000024, CPUID_EAX),
	CPUFEAT_X86_LEAF_REG(CPUFEAT_X86_NO_FEATURE, 0x00000024, CPUID_EBX),
	CPUFEAT_X86_LEAF_REG(CPUFEAT_X86_NO_FEATURE, 0x00000024, CPUID_ECX),
	CPUFEAT_X86_LEAF_REG(CPUFEAT_X86_NO_FEATURE, 0x00000024, CPUID_EDX),
	CPUFEAT_X86_WORD(CPUID_8000_0001_EDX, 0x80000001, CPUFEAT_ANY_SUBLEAF,
			 CPUID_EDX, .mirror = CPUID_1_EDX,
			 .mirror_bits = CPUFEAT_X86_AMD_MIRROR),
	CPUFEAT_X86_WORD(CPUID_8000_0001_ECX, 0x80000001, CPUFEAT_ANY_SUBLEAF,
			 CPUID_ECX),
	CPUFEAT_X86_WORD(CPUID_8000_0007_EBX, 0x80000007, CPUFEAT_ANY_SUBLEAF,
			 CPUID_EBX),
	/* Power management: invariant TSC and others, no names. */
	CPUFEAT_X86_UNNAMED(0x80000007, CPUFEAT_ANY_SUBLEAF, CPUID_EDX),
	CPUFEAT_X86_WORD(CPUID_8000_0008_EBX, 0x80000008, CPUFEAT_ANY_SUBLEAF,
			 CPUID_EBX),
	CPUFEAT_X86_WORD(CPUID_8000_000A_EDX, 0x8000000a, CPUFEAT_ANY_SUBLEAF,
			 CPUID_EDX),
	CPUFEAT_X86_WORD(CPUID_8000_001F_EAX, 0x8000001f, CPUFEAT_ANY_SUBLEAF,
			 CPUID_EAX),
	CPUFEAT_X86_WORD(CPUID_8000_0021_EAX, 0x80000021, CPUFEAT_ANY_SUBLEAF,
			 CPUID_EAX),
	CPUFEAT_X86_UNNAMED(0x80000021, CPUFEAT_ANY_SUBLEAF, CPUID_ECX),
	CPUFEAT_X86_UNNAMED(0x80000022, CPUFEAT_ANY_SUBLEAF, CPUID_EAX),
	/* Centaur and Zhaoxin (PadLock). */
	CPUFEAT_X86_WORD(CPUID_C000_0001_EDX, 0xc0000001, CPUFEAT_ANY_SUBLEAF,
			 CPUID_EDX),
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
static void cpufeat_x86_view_init(const unsigned long *hidden, u64 *data);

static struct cpufeat_table cpufeat_x86_table __ro_after_init = {
	.nr = CPUFEAT_NR_FEATURES,
	.names = cpufeat_x86_names,
	.protected = cpufeat_x86_protected,
	.nr_protected = ARRAY_SIZE(cpufeat_x86_protected),
	.emulation_stat = "emulated_cpuid",
	.filters = cpufeat_x86_filters,
	.nr_filters = ARRAY_SIZE(cpufeat_x86_filters),
};

/*
 * Dependencies programs rely on that cpuid_deps[] does not have, because
 * the kernel itself never needs them.  Compilers enable the required
 * feature with the dependent one (GCC's -m options, LLVM's implied
 * features), so code that a program selects by the dependent bit may use
 * the required feature's instructions too; glibc takes the OS-state bit
 * OSPKE for "protection keys usable".  Hiding the required feature hides
 * the dependent one.
 */
static const struct cpuid_dep cpufeat_x86_deps[] = {
	/* Each SSE level's compiler option enables the level below. */
	{ X86_FEATURE_SSSE3,		X86_FEATURE_XMM3 },
	{ X86_FEATURE_XMM4_1,		X86_FEATURE_SSSE3 },
	{ X86_FEATURE_XMM4_2,		X86_FEATURE_XMM4_1 },
	{ X86_FEATURE_AVX,		X86_FEATURE_XMM4_2 },
	{ X86_FEATURE_SSE4A,		X86_FEATURE_XMM3 },
	/* AMD's FMA4 builds on SSE4A, XOP on FMA4. */
	{ X86_FEATURE_FMA4,		X86_FEATURE_SSE4A },
	{ X86_FEATURE_XOP,		X86_FEATURE_FMA4 },
	/* 256-bit integer instructions, and the vector AES and CLMUL. */
	{ X86_FEATURE_AVX_VNNI,		X86_FEATURE_AVX2 },
	{ X86_FEATURE_VAES,		X86_FEATURE_AVX2 },
	{ X86_FEATURE_VAES,		X86_FEATURE_AES },
	{ X86_FEATURE_VPCLMULQDQ,	X86_FEATURE_PCLMULQDQ },
	/* AVX-512 builds on AVX2, FMA and F16C; its byte/word forms on BW. */
	{ X86_FEATURE_AVX512F,		X86_FEATURE_AVX2 },
	{ X86_FEATURE_AVX512F,		X86_FEATURE_FMA },
	{ X86_FEATURE_AVX512F,		X86_FEATURE_F16C },
	{ X86_FEATURE_AVX512VBMI,	X86_FEATURE_AVX512BW },
	{ X86_FEATURE_AVX512_VBMI2,	X86_FEATURE_AVX512BW },
	{ X86_FEATURE_AVX512_BITALG,	X86_FEATURE_AVX512BW },
	{ X86_FEATURE_AVX512_BF16,	X86_FEATURE_AVX512BW },
	{ X86_FEATURE_AVX512_FP16,	X86_FEATURE_AVX512DQ },
	{ X86_FEATURE_AVX512_FP16,	X86_FEATURE_AVX512VL },
	/* 3DNow! works on the MMX registers. */
	{ X86_FEATURE_3DNOW,		X86_FEATURE_MMX },
	{ X86_FEATURE_3DNOWEXT,		X86_FEATURE_3DNOW },
	/* The OS enabled protection keys: meaningless without them. */
	{ X86_FEATURE_OSPKE,		X86_FEATURE_PKU },
	{}
};

/* The dependencies cpufeat follows, each terminated by an empty entry. */
static const struct cpuid_dep * const cpufeat_x86_dep_tables[] = {
	cpuid_deps, cpufeat_x86_deps,
};

/* Longest chain of features cpufeat cannot control in the tables. */
#define CPUFEAT_X86_DEP_DEPTH	4

static bool __init cpufeat_x86_cpuid_word(unsigned int word)
{
	const struct cpufeat_x86_reg *r;

	for (r = cpufeat_x86_regs;
	     r < cpufeat_x86_regs + ARRAY_SIZE(cpufeat_x86_regs); r++)
		if (r->word == word)
			return true;
	return false;
}

static bool __init cpufeat_x86_controllable(unsigned int feature)
{
	return feature < CPUFEAT_NR_FEATURES && cpufeat_x86_names[feature];
}

/*
 * Record in @deps (when not NULL) at @n that @feature needs @requires; when
 * cpufeat cannot control @requires (AMX_TILE needs XFD, which has no name),
 * what @requires needs instead, so that hiding that hides @feature too.
 * Return the new number of entries.
 */
static unsigned int __init cpufeat_x86_add_dep(struct cpufeat_dep *deps,
					       unsigned int n,
					       unsigned int feature,
					       unsigned int requires,
					       unsigned int depth)
{
	const struct cpuid_dep *d;
	unsigned int t;

	if (cpufeat_x86_controllable(requires)) {
		if (deps) {
			deps[n].feature = feature;
			deps[n].requires = requires;
		}
		return n + 1;
	}
	if (!depth)
		return n;
	for (t = 0; t < ARRAY_SIZE(cpufeat_x86_dep_tables); t++)
		for (d = cpufeat_x86_dep_tables[t]; d->feature; d++)
			if (d->feature == requires)
				n = cpufeat_x86_add_dep(deps, n, feature,
							d->depends, depth - 1);
	return n;
}

/* Fill @deps (when not NULL) from the tables; return how many there are. */
static unsigned int __init cpufeat_x86_collect_deps(struct cpufeat_dep *deps)
{
	const struct cpuid_dep *d;
	unsigned int t, n = 0;

	for (t = 0; t < ARRAY_SIZE(cpufeat_x86_dep_tables); t++)
		for (d = cpufeat_x86_dep_tables[t]; d->feature; d++)
			if (cpufeat_x86_controllable(d->feature))
				n = cpufeat_x86_add_dep(deps, n, d->feature,
							d->depends,
							CPUFEAT_X86_DEP_DEPTH);
	return n;
}

/* cpuid_deps[], which clear_cpu_cap() also follows, and cpufeat's own. */
static bool __init cpufeat_x86_init_deps(void)
{
	unsigned int n = cpufeat_x86_collect_deps(NULL);
	struct cpufeat_dep *deps;

	deps = kcalloc(n, sizeof(*deps), GFP_KERNEL);
	if (!deps)
		return false;
	cpufeat_x86_table.deps = deps;
	cpufeat_x86_table.nr_deps = cpufeat_x86_collect_deps(deps);
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
	/* One mask per feature register for each view. */
	cpufeat_x86_table.view_words =
		DIV_ROUND_UP(ARRAY_SIZE(cpufeat_x86_regs) * sizeof(u32),
			     sizeof(u64));
	cpufeat_x86_table.view_init = cpufeat_x86_view_init;
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

/* Is @feature in the view that hides @hidden?  Unnamed ones never are. */
static bool cpufeat_x86_visible(const unsigned long *hidden,
				unsigned int feature)
{
	return feature < CPUFEAT_NR_FEATURES && cpufeat_x86_names[feature] &&
	       !test_bit(feature, hidden);
}

/* The named features of capability word @word in the view, as its bits. */
static u32 cpufeat_x86_word_visible(const unsigned long *hidden,
				    unsigned int word)
{
	unsigned int bit;
	u32 bits = 0;

	for (bit = 0; bit < 32; bit++)
		if (cpufeat_x86_visible(hidden, word * 32 + bit))
			bits |= BIT(bit);
	return bits;
}

/* The bits of register @r that a program with the view may see. */
static u32 cpufeat_x86_reg_mask(const struct cpufeat_x86_reg *r,
				const unsigned long *hidden)
{
	u32 mask = r->pass;

	if (r->word != CPUFEAT_X86_NO_WORD)
		mask |= cpufeat_x86_word_visible(hidden, r->word);
	if (r->mirror_bits)
		mask |= r->mirror_bits &
			cpufeat_x86_word_visible(hidden, r->mirror);
	if (cpufeat_x86_visible(hidden, r->follows))
		mask |= r->follow_bits;
	return mask;
}

/* One mask per entry of cpufeat_x86_regs[], for the view hiding @hidden. */
static void cpufeat_x86_view_masks(const unsigned long *hidden, u32 *masks)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cpufeat_x86_regs); i++)
		masks[i] = cpufeat_x86_reg_mask(&cpufeat_x86_regs[i], hidden);
}

/*
 * A restricted program's CPUID is emulated on every execution: compute,
 * once per view, which bits of each feature register it may see, one mask
 * per entry of cpufeat_x86_regs[] in @data.
 */
static void cpufeat_x86_view_init(const unsigned long *hidden, u64 *data)
{
	cpufeat_x86_view_masks(hidden, (u32 *)data);
}

/* Is @leaf among the leaves that the first leaf of its 256 announces? */
static bool cpufeat_x86_leaf_announced(u32 leaf)
{
	u32 first = leaf & ~0xffU, last = cpuid_eax(first);

	return last >= leaf && last - first <= 0xff;
}

/*
 * The leaf whose answer the CPU gives to a query of @leaf: @leaf itself in
 * the ranges it implements, else its highest basic leaf, as Intel CPUs
 * answer (AMD CPUs answer 0, which masking leaves 0).  Hypervisor leaves
 * come in blocks of 256 whose first leaf announces the last; Centaur's
 * range exists on Centaur and Zhaoxin CPUs only.
 */
static u32 cpufeat_x86_answering_leaf(u32 leaf)
{
	const struct cpuinfo_x86 *c = &boot_cpu_data;

	switch (leaf & 0xf0000000) {
	case 0x00000000:
		if (leaf <= (u32)c->cpuid_level)
			return leaf;
		break;
	case 0x40000000:
		if (boot_cpu_has(X86_FEATURE_HYPERVISOR) &&
		    leaf < 0x40010000 && cpufeat_x86_leaf_announced(leaf))
			return leaf;
		break;
	case 0x80000000:
		if (leaf <= c->extended_cpuid_level)
			return leaf;
		break;
	case 0xc0000000:
		if ((c->x86_vendor == X86_VENDOR_CENTAUR ||
		     c->x86_vendor == X86_VENDOR_ZHAOXIN) &&
		    cpufeat_x86_leaf_announced(leaf))
			return leaf;
		break;
	}
	return c->cpuid_level;
}

/**
 * cpufeat_x86_mask_cpuid() - deny what a program may not see in CPUID
 * @masks: the view's masks, one per entry of cpufeat_x86_regs[]
 * @leaf: the CPUID leaf whose answer @regs is
 * @subleaf: the CPUID subleaf (ECX input)
 * @regs: the CPUID output, indexed by enum cpuid_regs_idx
 *
 * Each register the first matching entry of cpufeat_x86_regs[] describes
 * keeps only the bits of its mask; the others are left as the CPU
 * answered.
 */
static void cpufeat_x86_mask_cpuid(const u32 *masks, u32 leaf, u32 subleaf,
				   u32 *regs)
{
	unsigned int i, done = 0;

	for (i = 0; i < ARRAY_SIZE(cpufeat_x86_regs); i++) {
		const struct cpufeat_x86_reg *r = &cpufeat_x86_regs[i];

		if (r->leaf != leaf || (done & BIT(r->reg)) ||
		    (r->subleaf != CPUFEAT_ANY_SUBLEAF && r->subleaf != subleaf))
			continue;
		regs[r->reg] &= masks[i];
		done |= BIT(r->reg);
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

/*
 * Read the instruction at the user's IP.  With protection keys, the memory
 * of a program that made its code execute-only (mprotect(PROT_EXEC)) denies
 * data reads, the kernel's too: then read it as a debugger would.
 */
static int cpufeat_fetch_user_insn(struct pt_regs *regs, unsigned char *buf)
{
	unsigned long ip;
	int nr;

	nr = insn_fetch_from_user(regs, buf);
	if (nr > 0)
		return nr;
	if (insn_get_effective_ip(regs, &ip))
		return 0;
	return access_process_vm(current, ip, buf, MAX_INSN_SIZE, FOLL_FORCE);
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

	nr = cpufeat_fetch_user_insn(regs, buf);
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
 * ids stay true), deny what the program may not see and complete it as the
 * CPU would have (single-step trap, breakpoints).  A task that turned CPUID
 * off itself (ARCH_SET_CPUID) gets its SIGSEGV.
 *
 * Return: true if the CPUID was emulated.
 */
bool cpufeat_fixup_cpuid(struct pt_regs *regs, unsigned long error_code)
{
	u32 leaf = regs->ax, subleaf = regs->cx, out[4];
	const u32 *masks;
	int len;

	if (error_code || !test_thread_flag(TIF_CPUID_FILTER) ||
	    test_thread_flag(TIF_NOCPUID))
		return false;
	len = cpufeat_user_cpuid_length(regs);
	if (!len)
		return false;

	cpuid_count(leaf, subleaf, &out[CPUID_EAX], &out[CPUID_EBX],
		    &out[CPUID_ECX], &out[CPUID_EDX]);
	masks = (const u32 *)cpufeat_view_arch(current->mm);
	if (masks)
		cpufeat_x86_mask_cpuid(masks, cpufeat_x86_answering_leaf(leaf),
				       subleaf, out);
	regs->ax = out[CPUID_EAX];
	regs->bx = out[CPUID_EBX];
	regs->cx = out[CPUID_ECX];
	regs->dx = out[CPUID_EDX];
	user_insn_emulated(regs, len);
	cpufeat_count_emulation();
	return true;
}

#if IS_ENABLED(CONFIG_CGROUP_CPUFEAT_KUNIT_TEST)
#include "cpufeat_test.c"
#endif
