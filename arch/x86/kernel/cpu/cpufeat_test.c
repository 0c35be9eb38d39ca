// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the x86 side of cpufeat: the table of capability words
 * and the CPUID registers they mirror, checked against KVM's independent
 * copy of the same facts, and the function that masks CPUID output.
 * Included by cpufeat.c.
 */

#include <kunit/test.h>

#include "../../kvm/reverse_cpuid.h"

/* Every word we filter mirrors the register KVM says it does. */
static void cpufeat_x86_test_words(struct kunit *test)
{
	const struct cpufeat_x86_word *w;
	u32 subleaf;

	for (w = cpufeat_x86_words;
	     w < cpufeat_x86_words + ARRAY_SIZE(cpufeat_x86_words); w++) {
		KUNIT_ASSERT_LT(test, w->word, ARRAY_SIZE(reverse_cpuid));
		subleaf = w->subleaf == CPUFEAT_ANY_SUBLEAF ? 0 : w->subleaf;
		KUNIT_EXPECT_EQ_MSG(test, w->leaf,
				    reverse_cpuid[w->word].function,
				    "word %u", w->word);
		KUNIT_EXPECT_EQ_MSG(test, subleaf,
				    reverse_cpuid[w->word].index,
				    "word %u", w->word);
		KUNIT_EXPECT_EQ_MSG(test, w->reg, reverse_cpuid[w->word].reg,
				    "word %u", w->word);
	}
}

/* Each word appears once, and only words of CPUID registers have names. */
static void cpufeat_x86_test_names(struct kunit *test)
{
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(cpufeat_x86_words); i++)
		for (j = i + 1; j < ARRAY_SIZE(cpufeat_x86_words); j++)
			KUNIT_EXPECT_NE(test, cpufeat_x86_words[i].word,
					cpufeat_x86_words[j].word);
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

struct cpufeat_x86_mask_case {
	const char *desc;
	unsigned int hide;	/* an X86_FEATURE_* */
	u32 leaf;
	u32 subleaf;
	u8 reg;			/* the register that loses a bit, or 4 */
	u32 bit;
};

static const struct cpufeat_x86_mask_case cpufeat_x86_mask_cases[] = {
	{ "sse2 in 1.EDX", X86_FEATURE_XMM2, 1, 0, CPUID_EDX, 26 },
	{ "sse2, any subleaf", X86_FEATURE_XMM2, 1, 5, CPUID_EDX, 26 },
	{ "avx in 1.ECX", X86_FEATURE_AVX, 1, 0, CPUID_ECX, 28 },
	{ "avx2 in 7.0.EBX", X86_FEATURE_AVX2, 7, 0, CPUID_EBX, 5 },
	{ "avx2 not in 7.1", X86_FEATURE_AVX2, 7, 1, 4, 0 },
	{ "avx_vnni in 7.1.EAX", X86_FEATURE_AVX_VNNI, 7, 1, CPUID_EAX, 4 },
	{ "vaes in 7.0.ECX", X86_FEATURE_VAES, 7, 0, CPUID_ECX, 9 },
	{ "xsaveopt in 0xd.1.EAX", X86_FEATURE_XSAVEOPT, 0xd, 1, CPUID_EAX, 0 },
	{ "xsaveopt not in 0xd.0", X86_FEATURE_XSAVEOPT, 0xd, 0, 4, 0 },
	{ "lm in 0x80000001.EDX", X86_FEATURE_LM, 0x80000001, 0, CPUID_EDX, 29 },
	{ "avx not in leaf 0", X86_FEATURE_AVX, 0, 0, 4, 0 },
};

static void cpufeat_x86_mask_desc(const struct cpufeat_x86_mask_case *c,
				  char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(cpufeat_x86_mask, cpufeat_x86_mask_cases,
		  cpufeat_x86_mask_desc);

/* Hiding one feature clears exactly its bit in its register. */
static void cpufeat_x86_test_mask(struct kunit *test)
{
	const struct cpufeat_x86_mask_case *c = test->param_value;
	DECLARE_BITMAP(hidden, CPUFEAT_NR_FEATURES);
	u32 regs[4], want[4];
	unsigned int r;

	bitmap_zero(hidden, CPUFEAT_NR_FEATURES);
	__set_bit(c->hide, hidden);
	for (r = 0; r < 4; r++) {
		regs[r] = U32_MAX;
		want[r] = U32_MAX;
	}
	if (c->reg < 4) {
		want[c->reg] &= ~BIT(c->bit);
		KUNIT_EXPECT_EQ(test, c->hide % 32, c->bit);
	}
	cpufeat_x86_mask_cpuid(hidden, c->leaf, c->subleaf, regs);
	for (r = 0; r < 4; r++)
		KUNIT_EXPECT_EQ_MSG(test, regs[r], want[r], "register %u", r);
}

/* Features of two words of one leaf are cleared; nothing else is. */
static void cpufeat_x86_test_mask_two_words(struct kunit *test)
{
	DECLARE_BITMAP(hidden, CPUFEAT_NR_FEATURES);
	u32 regs[4] = { 0x12345678, 0x9abcdef0, U32_MAX, U32_MAX };

	bitmap_zero(hidden, CPUFEAT_NR_FEATURES);
	__set_bit(X86_FEATURE_AES, hidden);
	__set_bit(X86_FEATURE_FPU, hidden);
	cpufeat_x86_mask_cpuid(hidden, 1, 0, regs);
	KUNIT_EXPECT_EQ(test, regs[CPUID_EAX], 0x12345678);
	KUNIT_EXPECT_EQ(test, regs[CPUID_EBX], 0x9abcdef0);
	KUNIT_EXPECT_EQ(test, regs[CPUID_ECX], (u32)~BIT(25));
	KUNIT_EXPECT_EQ(test, regs[CPUID_EDX], (u32)~BIT(0));
}

static struct kunit_case cpufeat_x86_test_cases[] = {
	KUNIT_CASE(cpufeat_x86_test_words),
	KUNIT_CASE(cpufeat_x86_test_names),
	KUNIT_CASE_PARAM(cpufeat_x86_test_mask, cpufeat_x86_mask_gen_params),
	KUNIT_CASE(cpufeat_x86_test_mask_two_words),
	{}
};

static struct kunit_suite cpufeat_x86_test_suite = {
	.name = "cpufeat_x86",
	.test_cases = cpufeat_x86_test_cases,
};

kunit_test_suite(cpufeat_x86_test_suite);
