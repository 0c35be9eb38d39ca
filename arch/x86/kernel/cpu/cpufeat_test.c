// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the x86 side of cpufeat.  Included by cpufeat.c.
 *
 * - The table of feature registers, against KVM's independent copy of which
 *   CPUID registers report features (arch/x86/kvm/reverse_cpuid.h).
 * - What a program with a restricted view reads of CPUID, fed registers
 *   with every bit set, against the SDM's and the APM's list of the
 *   registers that report features: named features of the view and
 *   documented non-feature bits only.
 * - The dependencies, against what programs rely on: glibc's usability
 *   rules (sysdeps/x86/cpu-features.c), GCC's and LLVM's implied features
 *   and the x86-64 psABI micro-architecture levels.
 */

#include <kunit/test.h>
#include <linux/string.h>

#include "../../kvm/reverse_cpuid.h"

/* The first entry of cpufeat_x86_regs[] for a CPUID register, or NULL. */
static const struct cpufeat_x86_reg *cpufeat_x86_test_find(u32 leaf,
							   u32 subleaf, u8 reg)
{
	const struct cpufeat_x86_reg *r;

	for (r = cpufeat_x86_regs;
	     r < cpufeat_x86_regs + ARRAY_SIZE(cpufeat_x86_regs); r++)
		if (r->leaf == leaf && r->reg == reg &&
		    (r->subleaf == CPUFEAT_ANY_SUBLEAF || r->subleaf == subleaf))
			return r;
	return NULL;
}

/* Every register a capability word mirrors is the one KVM says it is. */
static void cpufeat_x86_test_words(struct kunit *test)
{
	const struct cpufeat_x86_reg *r;
	u32 subleaf;

	for (r = cpufeat_x86_regs;
	     r < cpufeat_x86_regs + ARRAY_SIZE(cpufeat_x86_regs); r++) {
		if (r->word == CPUFEAT_X86_NO_WORD)
			continue;
		KUNIT_ASSERT_LT(test, r->word, ARRAY_SIZE(reverse_cpuid));
		subleaf = r->subleaf == CPUFEAT_ANY_SUBLEAF ? 0 : r->subleaf;
		KUNIT_EXPECT_EQ_MSG(test, r->leaf,
				    reverse_cpuid[r->word].function,
				    "word %u", r->word);
		KUNIT_EXPECT_EQ_MSG(test, subleaf,
				    reverse_cpuid[r->word].index,
				    "word %u", r->word);
		KUNIT_EXPECT_EQ_MSG(test, r->reg, reverse_cpuid[r->word].reg,
				    "word %u", r->word);
	}
}

/*
 * Every CPUID register in which KVM knows features, its own leaves
 * included, is a feature register here, not one read as the CPU answers.
 */
static void cpufeat_x86_test_kvm_registers(struct kunit *test)
{
	const struct cpufeat_x86_reg *r;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(reverse_cpuid); i++) {
		const struct cpuid_reg *c = &reverse_cpuid[i];

		/* Linux-defined words; Transmeta made no 64-bit CPU. */
		if (!c->function || c->function == 0x80860001)
			continue;
		r = cpufeat_x86_test_find(c->function, c->index, c->reg);
		KUNIT_EXPECT_TRUE_MSG(test, r && r->pass != U32_MAX,
				      "CPUID %#x.%u register %d", c->function,
				      c->index, c->reg);
	}
}

/* No entry is hidden behind an earlier one for the same register. */
static void cpufeat_x86_test_reachable(struct kunit *test)
{
	const struct cpufeat_x86_reg *r, *e;

	for (r = cpufeat_x86_regs;
	     r < cpufeat_x86_regs + ARRAY_SIZE(cpufeat_x86_regs); r++)
		for (e = cpufeat_x86_regs; e < r; e++)
			KUNIT_EXPECT_FALSE_MSG(test, e->leaf == r->leaf &&
					       e->reg == r->reg &&
					       (e->subleaf == CPUFEAT_ANY_SUBLEAF ||
						e->subleaf == r->subleaf),
					       "CPUID %#x.%u register %u",
					       r->leaf, r->subleaf, r->reg);
}

/* Only features of registers a capability word mirrors have names. */
static void cpufeat_x86_test_names(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < CPUFEAT_NR_FEATURES; i++) {
		if (!cpufeat_x86_names[i])
			continue;
		KUNIT_EXPECT_TRUE_MSG(test, cpufeat_x86_cpuid_word(i / 32),
				      "%s", cpufeat_x86_names[i]);
		KUNIT_EXPECT_STREQ(test, cpufeat_x86_names[i], x86_cap_flags[i]);
	}
	/* Linux-defined words are not controllable. */
	KUNIT_EXPECT_NULL(test, cpufeat_x86_names[X86_FEATURE_CONSTANT_TSC]);
	KUNIT_EXPECT_STREQ(test, cpufeat_x86_names[X86_FEATURE_AVX], "avx");
}

/* The index of the feature named @name, or -1. */
static int cpufeat_x86_test_feature(const char *name)
{
	unsigned int i;

	for (i = 0; i < CPUFEAT_NR_FEATURES; i++)
		if (cpufeat_x86_names[i] && !strcmp(cpufeat_x86_names[i], name))
			return i;
	return -1;
}

/* Take from @visible every feature that needs one it does not have. */
static void cpufeat_x86_test_close(unsigned long *visible)
{
	const struct cpufeat_dep *d;
	bool changed;

	do {
		changed = false;
		for (d = cpufeat_x86_table.deps;
		     d < cpufeat_x86_table.deps + cpufeat_x86_table.nr_deps; d++) {
			if (test_bit(d->feature, visible) &&
			    !test_bit(d->requires, visible)) {
				__clear_bit(d->feature, visible);
				changed = true;
			}
		}
	} while (changed);
}

/*
 * The view of a setting as cpufeat.hwcap takes it, over a machine that has
 * every named feature: "" for all of them, names for an allow-list, or
 * "-name" edits.  Fills @visible, closed under the dependencies.
 */
static void cpufeat_x86_test_view(struct kunit *test, const char *setting,
				  unsigned long *visible)
{
	char *buf = kunit_kstrdup(test, setting, GFP_KERNEL), *word;
	unsigned int i;
	int f;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	bitmap_zero(visible, CPUFEAT_NR_FEATURES);
	if (!*setting || *setting == '-')
		for (i = 0; i < CPUFEAT_NR_FEATURES; i++)
			if (cpufeat_x86_names[i])
				__set_bit(i, visible);
	while ((word = strsep(&buf, " "))) {
		if (!*word)
			continue;
		f = cpufeat_x86_test_feature(*word == '-' ? word + 1 : word);
		KUNIT_ASSERT_GE_MSG(test, f, 0, "no feature %s", word);
		if (*word == '-')
			__clear_bit(f, visible);
		else
			__set_bit(f, visible);
	}
	cpufeat_x86_test_close(visible);
}

/* Is the feature named @name in @visible? */
static bool cpufeat_x86_test_sees(struct kunit *test,
				  const unsigned long *visible,
				  const char *name)
{
	int f = cpufeat_x86_test_feature(name);

	KUNIT_ASSERT_GE_MSG(test, f, 0, "no feature %s", name);
	return test_bit(f, visible);
}

/* What a program whose view hides @hidden reads of CPUID (leaf, subleaf). */
static void cpufeat_x86_test_view_cpuid(const unsigned long *hidden, u32 leaf,
					u32 subleaf, u32 *regs)
{
	u32 masks[ARRAY_SIZE(cpufeat_x86_regs)];

	cpufeat_x86_view_masks(hidden, masks);
	cpufeat_x86_mask_cpuid(masks, leaf, subleaf, regs);
}

#define ANY	CPUFEAT_ANY_SUBLEAF

/*
 * The CPUID registers that report features, as the SDM (vol. 2A, CPUID)
 * and the APM (vol. 3, appendix E) define them, with what a program may
 * see of each besides the named features of its view: @fields, which are
 * not features, and @with_bits, which go with the feature @with; @mirror
 * for AMD's copies of CPUID 1 EDX.  Every other register reads as the CPU
 * answers.
 */
struct cpufeat_x86_spec {
	u32 leaf;
	u32 subleaf;
	u8 reg;
	u32 fields;
	u32 with_bits;
	const char *with;
	bool mirror;
};

/* @reg of a spec entry for every register of a leaf. */
#define CPUFEAT_X86_ALL_REGS	4

static const struct cpufeat_x86_spec cpufeat_x86_specs[] = {
	{ 0x1, ANY, CPUID_EDX },
	/* OSXSAVE */
	{ 0x1, ANY, CPUID_ECX, 0, BIT(27), "xsave" },
	{ 0x6, ANY, CPUID_EAX },
	/* 7.0 ECX bits 21:17: MAWAU, a number */
	{ 0x7, 0, CPUID_EBX }, { 0x7, 0, CPUID_ECX, GENMASK(21, 17) },
	{ 0x7, 0, CPUID_EDX },
	{ 0x7, 1, CPUID_EAX }, { 0x7, 1, CPUID_EBX }, { 0x7, 1, CPUID_ECX },
	{ 0x7, 1, CPUID_EDX },
	{ 0x7, 2, CPUID_EAX }, { 0x7, 2, CPUID_EBX }, { 0x7, 2, CPUID_ECX },
	{ 0x7, 2, CPUID_EDX },
	{ 0x7, 3, CPUID_EAX }, { 0x7, 3, CPUID_EBX }, { 0x7, 3, CPUID_ECX },
	{ 0x7, 3, CPUID_EDX },
	{ 0xd, 1, CPUID_EAX },
	/* Leaves that describe one feature each. */
	{ 0x12, 0, CPUFEAT_X86_ALL_REGS, 0, U32_MAX, "sgx" },
	{ 0x12, 2, CPUFEAT_X86_ALL_REGS, 0, U32_MAX, "sgx" },
	{ 0x14, 0, CPUFEAT_X86_ALL_REGS, 0, U32_MAX, "intel_pt" },
	{ 0x14, 1, CPUFEAT_X86_ALL_REGS, 0, U32_MAX, "intel_pt" },
	{ 0x19, 0, CPUFEAT_X86_ALL_REGS, 0, U32_MAX, NULL },	/* Key Locker */
	{ 0x1d, 0, CPUFEAT_X86_ALL_REGS, 0, U32_MAX, "amx_tile" },
	{ 0x1d, 1, CPUFEAT_X86_ALL_REGS, 0, U32_MAX, "amx_tile" },
	{ 0x1e, 0, CPUFEAT_X86_ALL_REGS, 0, U32_MAX, "amx_tile" },
	{ 0x24, 0, CPUFEAT_X86_ALL_REGS, 0, U32_MAX, NULL },	/* AVX10 */
	{ 0x80000001, ANY, CPUID_EDX, .mirror = true },
	{ 0x80000001, ANY, CPUID_ECX },
	{ 0x80000007, ANY, CPUID_EBX }, { 0x80000007, ANY, CPUID_EDX },
	{ 0x80000008, ANY, CPUID_EBX },
	{ 0x8000000a, ANY, CPUID_EDX },
	{ 0x8000001f, ANY, CPUID_EAX },
	{ 0x80000021, ANY, CPUID_EAX }, { 0x80000021, ANY, CPUID_ECX },
	{ 0x80000022, ANY, CPUID_EAX },
	{ 0xc0000001, ANY, CPUID_EDX },
};

/* APM: CPUID 0x80000001 EDX bits 0-9, 12-17, 23 and 24 repeat CPUID 1 EDX. */
#define CPUFEAT_X86_TEST_AMD_MIRROR	(GENMASK(9, 0) | GENMASK(17, 12) | \
					 GENMASK(24, 23))

/* Other (leaf, subleaf) pairs asked: not features, all as the CPU answers. */
static const u32 cpufeat_x86_other_queries[][2] = {
	{ 0x0, 0 }, { 0x4, 0 }, { 0xb, 0 }, { 0xb, 1 }, { 0xd, 0 }, { 0xd, 2 },
	{ 0x1f, 0 }, { 0x40000000, 0 }, { 0x40000001, 0 }, { 0x80000000, 0 },
	{ 0x80000002, 0 }, { 0x80000006, 0 },
};

/* The capability word KVM says mirrors a register, or -1. */
static int cpufeat_x86_test_word_of(u32 leaf, u32 subleaf, u8 reg)
{
	unsigned int i;

	for (i = 0; i < NCAPINTS; i++)
		if (reverse_cpuid[i].function == leaf &&
		    (subleaf == ANY || reverse_cpuid[i].index == subleaf) &&
		    reverse_cpuid[i].reg == reg)
			return i;
	return -1;
}

/* What the spec lets a program with @visible see of register @s. */
static u32 cpufeat_x86_test_expected(struct kunit *test,
				     const struct cpufeat_x86_spec *s,
				     const unsigned long *visible)
{
	int word = cpufeat_x86_test_word_of(s->leaf, s->subleaf, s->reg);
	u32 bits = s->fields;
	unsigned int b;

	for (b = 0; b < 32; b++) {
		if (word >= 0 && test_bit(word * 32 + b, visible))
			bits |= BIT(b);
		if (s->mirror && (CPUFEAT_X86_TEST_AMD_MIRROR & BIT(b)) &&
		    test_bit(CPUID_1_EDX * 32 + b, visible))
			bits |= BIT(b);
	}
	if (s->with && cpufeat_x86_test_sees(test, visible, s->with))
		bits |= s->with_bits;
	return bits;
}

/* The spec's entry for a register, or NULL for one that is not features. */
static const struct cpufeat_x86_spec *cpufeat_x86_test_spec(u32 leaf,
							    u32 subleaf,
							    u8 reg)
{
	const struct cpufeat_x86_spec *s;

	for (s = cpufeat_x86_specs;
	     s < cpufeat_x86_specs + ARRAY_SIZE(cpufeat_x86_specs); s++)
		if (s->leaf == leaf &&
		    (s->reg == reg || s->reg == CPUFEAT_X86_ALL_REGS) &&
		    (s->subleaf == ANY || s->subleaf == subleaf))
			return s;
	return NULL;
}

/* Ask (leaf, subleaf) with every bit set and check each register. */
static void cpufeat_x86_test_query(struct kunit *test, u32 leaf, u32 subleaf,
				   const unsigned long *visible,
				   const unsigned long *hidden)
{
	const struct cpufeat_x86_spec *s;
	u32 regs[4], want;
	u8 r;

	memset(regs, 0xff, sizeof(regs));
	cpufeat_x86_test_view_cpuid(hidden, leaf, subleaf, regs);
	for (r = CPUID_EAX; r <= CPUID_EDX; r++) {
		s = cpufeat_x86_test_spec(leaf, subleaf, r);
		want = s ? cpufeat_x86_test_expected(test, s, visible) : U32_MAX;
		KUNIT_EXPECT_EQ_MSG(test, regs[r], want,
				    "CPUID %#x.%#x register %u", leaf, subleaf,
				    r);
	}
}

static const char * const cpufeat_x86_views[] = {
	"",
	"-avx2",
	"-xsave",
	"-pku",
	"-mmx -fpu",
	"-amx_tile -intel_pt",
	/* x86-64 baseline (psABI v1), with the two OS-state features */
	"fpu cx8 cmov mmx fxsr sse sse2 syscall xsave pku ospke",
};

static void cpufeat_x86_view_desc(const char * const *view, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "\"%s\"", *view);
}

KUNIT_ARRAY_PARAM(cpufeat_x86_view, cpufeat_x86_views, cpufeat_x86_view_desc);

/*
 * A restricted program sees, of every register that reports features,
 * only the named features of its view and the documented non-feature
 * bits; unknown bits read 0, whatever the CPU answers.  Every other
 * register reads as the CPU answers.
 */
static void cpufeat_x86_test_default_deny(struct kunit *test)
{
	const char * const *view = test->param_value;
	DECLARE_BITMAP(visible, CPUFEAT_NR_FEATURES);
	DECLARE_BITMAP(hidden, CPUFEAT_NR_FEATURES);
	const struct cpufeat_x86_spec *s;
	unsigned int i;

	cpufeat_x86_test_view(test, *view, visible);
	for (i = 0; i < CPUFEAT_NR_FEATURES; i++)
		__assign_bit(i, hidden,
			     cpufeat_x86_names[i] && !test_bit(i, visible));
	for (s = cpufeat_x86_specs;
	     s < cpufeat_x86_specs + ARRAY_SIZE(cpufeat_x86_specs); s++) {
		cpufeat_x86_test_query(test, s->leaf,
				       s->subleaf == ANY ? 0 : s->subleaf,
				       visible, hidden);
		/* Junk in ECX for the leaves that ignore it. */
		if (s->subleaf == ANY)
			cpufeat_x86_test_query(test, s->leaf, 0x5a5a, visible,
					       hidden);
	}
	for (i = 0; i < ARRAY_SIZE(cpufeat_x86_other_queries); i++)
		cpufeat_x86_test_query(test, cpufeat_x86_other_queries[i][0],
				       cpufeat_x86_other_queries[i][1],
				       visible, hidden);
}

/*
 * Beyond the ranges it implements, the CPU answers as for its highest basic
 * leaf (Intel) or with 0 (AMD): the emulation masks such answers as that
 * leaf's.  A hypervisor's leaves are those the first of each block of 256
 * announces.
 */
static void cpufeat_x86_test_answering_leaf(struct kunit *test)
{
	u32 max = boot_cpu_data.cpuid_level;
	u32 ext = boot_cpu_data.extended_cpuid_level;
	bool centaur = boot_cpu_data.x86_vendor == X86_VENDOR_CENTAUR ||
		       boot_cpu_data.x86_vendor == X86_VENDOR_ZHAOXIN;
	bool hv = boot_cpu_has(X86_FEATURE_HYPERVISOR);
	/* The hypervisor's first block of leaves, and a far one. */
	u32 hv_last = hv ? cpuid_eax(0x40000000) : 0;
	bool hv_first = hv && hv_last - 0x40000000 <= 0xff;
	bool hv_far = hv && cpuid_eax(0x4000ff00) - 0x4000ff00 <= 0xff;

	KUNIT_EXPECT_EQ(test, cpufeat_x86_answering_leaf(0), 0);
	KUNIT_EXPECT_EQ(test, cpufeat_x86_answering_leaf(max), max);
	KUNIT_EXPECT_EQ(test, cpufeat_x86_answering_leaf(max + 1), max);
	KUNIT_EXPECT_EQ(test, cpufeat_x86_answering_leaf(0x3fffffff), max);
	KUNIT_EXPECT_EQ(test, cpufeat_x86_answering_leaf(0x40000000),
			hv_first ? 0x40000000 : max);
	if (hv_first && hv_last < 0x400000ff)
		KUNIT_EXPECT_EQ(test, cpufeat_x86_answering_leaf(hv_last + 1),
				max);
	KUNIT_EXPECT_EQ(test, cpufeat_x86_answering_leaf(0x4000ff00),
			hv_far ? 0x4000ff00 : max);
	KUNIT_EXPECT_EQ(test, cpufeat_x86_answering_leaf(0x7fffffff), max);
	KUNIT_EXPECT_EQ(test, cpufeat_x86_answering_leaf(ext), ext);
	KUNIT_EXPECT_EQ(test, cpufeat_x86_answering_leaf(ext + 1), max);
	KUNIT_EXPECT_EQ(test, cpufeat_x86_answering_leaf(0xc0000001),
			centaur ? 0xc0000001 : max);
	KUNIT_EXPECT_EQ(test, cpufeat_x86_answering_leaf(U32_MAX), max);
}

/*
 * "@feature needs @requires": hiding @requires must hide @feature, or a
 * program may use what it was told is gone.  Sources:
 *   glibc: sysdeps/x86/cpu-features.c, update_active(): a feature counts
 *	as usable only when the one it is nested under is;
 *   GCC: gcc/common/config/i386/i386-common.cc, OPTION_MASK_ISA_*_SET and
 *	_UNSET: what an -m option enables and -mno- disables with it;
 *   LLVM: llvm/lib/TargetParser/X86TargetParser.cpp, ImpliedFeatures*;
 *   SDM: the instructions use the register state of the feature.
 */
struct cpufeat_x86_dep_ref {
	const char *feature;
	const char *requires;
	const char *source;
};

static const struct cpufeat_x86_dep_ref cpufeat_x86_dep_refs[] = {
	/* The SSE ladder. */
	{ "sse2", "sse", "GCC, LLVM" },
	{ "pni", "sse2", "GCC, LLVM" },
	{ "ssse3", "pni", "GCC, LLVM" },
	{ "sse4_1", "ssse3", "GCC, LLVM" },
	{ "sse4_2", "sse4_1", "GCC, LLVM" },
	{ "avx", "sse4_2", "GCC, LLVM" },
	{ "sse4a", "pni", "GCC, LLVM" },
	{ "aes", "sse2", "GCC, LLVM" },
	{ "pclmulqdq", "sse2", "GCC, LLVM" },
	{ "sha_ni", "sse2", "GCC, LLVM" },
	{ "gfni", "sse2", "LLVM" },
	/* XSAVE and the state it manages. */
	{ "avx", "xsave", "glibc, GCC, SDM" },
	{ "xsaveopt", "xsave", "glibc, GCC, LLVM" },
	{ "xsavec", "xsave", "glibc, GCC, LLVM" },
	{ "xsaves", "xsave", "GCC, LLVM" },
	{ "xgetbv1", "xsave", "glibc" },
	{ "amx_tile", "xsave", "GCC, SDM" },
	{ "ospke", "pku", "glibc: PKU usable when OSPKE" },
	/* VEX-encoded vector instructions need AVX. */
	{ "avx2", "avx", "glibc, GCC, LLVM" },
	{ "fma", "avx", "glibc, GCC, LLVM" },
	{ "f16c", "avx", "glibc, GCC, LLVM, SDM" },
	{ "vaes", "avx", "glibc, LLVM" },
	{ "vpclmulqdq", "avx", "glibc, GCC, LLVM" },
	{ "avx_vnni", "avx", "glibc" },
	{ "xop", "avx", "glibc" },
	{ "fma4", "avx", "GCC, LLVM" },
	{ "fma4", "sse4a", "GCC, LLVM" },
	{ "xop", "fma4", "GCC, LLVM" },
	{ "avx_vnni", "avx2", "GCC, LLVM" },
	{ "vaes", "avx2", "LLVM" },
	{ "vaes", "aes", "LLVM" },
	{ "vpclmulqdq", "pclmulqdq", "GCC, LLVM" },
	/* AVX-512 */
	{ "avx512f", "avx2", "GCC, LLVM" },
	{ "avx512f", "fma", "LLVM" },
	{ "avx512f", "f16c", "LLVM" },
	{ "avx512cd", "avx512f", "glibc, GCC, LLVM" },
	{ "avx512dq", "avx512f", "glibc, GCC, LLVM" },
	{ "avx512bw", "avx512f", "glibc, GCC, LLVM" },
	{ "avx512vl", "avx512f", "glibc, GCC, LLVM" },
	{ "avx512er", "avx512f", "glibc, LLVM" },
	{ "avx512pf", "avx512f", "glibc, LLVM" },
	{ "avx512ifma", "avx512f", "glibc, GCC, LLVM" },
	{ "avx512_vnni", "avx512f", "glibc, GCC, LLVM" },
	{ "avx512_vpopcntdq", "avx512f", "glibc, GCC, LLVM" },
	{ "avx512_vp2intersect", "avx512f", "glibc, LLVM" },
	{ "avx512_4vnniw", "avx512f", "glibc" },
	{ "avx512_4fmaps", "avx512f", "glibc" },
	{ "avx512vbmi", "avx512bw", "GCC, LLVM" },
	{ "avx512_vbmi2", "avx512bw", "GCC, LLVM" },
	{ "avx512_bitalg", "avx512bw", "GCC, LLVM" },
	{ "avx512_bf16", "avx512bw", "LLVM" },
	{ "avx512_fp16", "avx512bw", "GCC, LLVM" },
	{ "avx512_fp16", "avx512dq", "LLVM" },
	{ "avx512_fp16", "avx512vl", "LLVM" },
	/* AMX instructions work on the tile registers. */
	{ "amx_bf16", "amx_tile", "glibc, GCC, LLVM, SDM" },
	{ "amx_int8", "amx_tile", "glibc, GCC, LLVM, SDM" },
	/* MMX and 3DNow! */
	{ "3dnow", "mmx", "GCC, LLVM" },
	{ "3dnowext", "3dnow", "GCC, LLVM" },
};

/* Every dependency of the references holds: hiding one hides the other. */
static void cpufeat_x86_test_deps_reference(struct kunit *test)
{
	const struct cpufeat_x86_dep_ref *d;
	DECLARE_BITMAP(visible, CPUFEAT_NR_FEATURES);
	char setting[32];

	for (d = cpufeat_x86_dep_refs;
	     d < cpufeat_x86_dep_refs + ARRAY_SIZE(cpufeat_x86_dep_refs); d++) {
		snprintf(setting, sizeof(setting), "-%s", d->requires);
		cpufeat_x86_test_view(test, setting, visible);
		KUNIT_EXPECT_FALSE_MSG(test,
				       cpufeat_x86_test_sees(test, visible,
							     d->feature),
				       "hiding %s leaves %s, which needs it (%s)",
				       d->requires, d->feature, d->source);
	}
}

/*
 * No more than that: features the references do not make depend on
 * another stay when it is hidden (GFNI, AES, PCLMULQDQ and SHA have SSE
 * forms; BMI1, BMI2 and MOVBE are VEX- or legacy-encoded on general
 * registers; AVX-512 is not needed by AVX2 or its companions).
 */
static const char * const cpufeat_x86_independent[][2] = {
	{ "avx", "gfni" }, { "avx", "aes" }, { "avx", "pclmulqdq" },
	{ "avx", "sha_ni" }, { "avx", "bmi1" }, { "avx", "bmi2" },
	{ "avx", "movbe" }, { "avx", "popcnt" }, { "avx", "abm" },
	{ "avx", "sse4_2" }, { "avx2", "fma" }, { "avx2", "f16c" },
	{ "avx512f", "avx2" }, { "avx512f", "vaes" },
	{ "avx512f", "vpclmulqdq" }, { "avx512f", "gfni" },
	{ "aes", "pclmulqdq" }, { "aes", "avx" }, { "xop", "fma4" },
	{ "amx_tile", "avx512f" },
};

static void cpufeat_x86_test_deps_not_more(struct kunit *test)
{
	DECLARE_BITMAP(visible, CPUFEAT_NR_FEATURES);
	char setting[32];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cpufeat_x86_independent); i++) {
		snprintf(setting, sizeof(setting), "-%s",
			 cpufeat_x86_independent[i][0]);
		cpufeat_x86_test_view(test, setting, visible);
		KUNIT_EXPECT_TRUE_MSG(test,
				      cpufeat_x86_test_sees(test, visible,
							    cpufeat_x86_independent[i][1]),
				      "hiding %s hides %s",
				      cpufeat_x86_independent[i][0],
				      cpufeat_x86_independent[i][1]);
	}
}

/*
 * The x86-64 psABI micro-architecture levels (x86-64-v1 to v4, as glibc's
 * get_isa_level() checks them; OSXSAVE, which v3 requires, as xsave):
 * allowing the features of the levels up to one keeps every one of them.
 */
static const char * const cpufeat_x86_levels[] = {
	"fpu cx8 cmov mmx fxsr sse sse2 syscall",
	"cx16 lahf_lm popcnt pni ssse3 sse4_1 sse4_2",
	"avx avx2 bmi1 bmi2 f16c fma abm movbe xsave",
	"avx512f avx512bw avx512cd avx512dq avx512vl",
};

static void cpufeat_x86_test_levels(struct kunit *test)
{
	DECLARE_BITMAP(visible, CPUFEAT_NR_FEATURES);
	char *setting = kunit_kzalloc(test, 512, GFP_KERNEL);
	char *names, *name;
	unsigned int level;

	KUNIT_ASSERT_NOT_NULL(test, setting);
	for (level = 0; level < ARRAY_SIZE(cpufeat_x86_levels); level++) {
		strlcat(setting, " ", 512);
		strlcat(setting, cpufeat_x86_levels[level], 512);
		cpufeat_x86_test_view(test, setting, visible);
		names = kunit_kstrdup(test, setting, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, names);
		while ((name = strsep(&names, " ")))
			if (*name)
				KUNIT_EXPECT_TRUE_MSG(test,
						      cpufeat_x86_test_sees(test, visible, name),
						      "x86-64-v%u loses %s",
						      level + 1, name);
	}
}

/* cpufeat's own dependencies are between named features, none repeated. */
static void cpufeat_x86_test_own_deps(struct kunit *test)
{
	const struct cpuid_dep *d;
	unsigned int i;

	for (d = cpufeat_x86_deps; d->feature; d++) {
		KUNIT_EXPECT_NOT_NULL(test, cpufeat_x86_names[d->feature]);
		KUNIT_EXPECT_NOT_NULL(test, cpufeat_x86_names[d->depends]);
		for (i = 0; cpuid_deps[i].feature; i++)
			KUNIT_EXPECT_FALSE_MSG(test,
					       cpuid_deps[i].feature == d->feature &&
					       cpuid_deps[i].depends == d->depends,
					       "%u needs %u is in cpuid_deps[]",
					       d->feature, d->depends);
	}
}

static struct kunit_case cpufeat_x86_test_cases[] = {
	KUNIT_CASE(cpufeat_x86_test_words),
	KUNIT_CASE(cpufeat_x86_test_kvm_registers),
	KUNIT_CASE(cpufeat_x86_test_reachable),
	KUNIT_CASE(cpufeat_x86_test_names),
	KUNIT_CASE_PARAM(cpufeat_x86_test_default_deny,
			 cpufeat_x86_view_gen_params),
	KUNIT_CASE(cpufeat_x86_test_answering_leaf),
	KUNIT_CASE(cpufeat_x86_test_deps_reference),
	KUNIT_CASE(cpufeat_x86_test_deps_not_more),
	KUNIT_CASE(cpufeat_x86_test_levels),
	KUNIT_CASE(cpufeat_x86_test_own_deps),
	{}
};

static struct kunit_suite cpufeat_x86_test_suite = {
	.name = "cpufeat_x86",
	.test_cases = cpufeat_x86_test_cases,
};

kunit_test_suite(cpufeat_x86_test_suite);
