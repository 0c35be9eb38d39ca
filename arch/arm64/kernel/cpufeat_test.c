// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the arm64 side of cpufeat: the masked view of the ID
 * registers that a program with hidden hwcaps reads, as its emulated MRS
 * reads it (from what its view carries).  The hwcaps the kernel's own
 * matching code finds in that view must be exactly the visible ones, and
 * no field may rise.  Included by cpufeat.c.
 */

#include <kunit/test.h>
#include <linux/prandom.h>

#define CPUFEAT_ARM64_TEST_SETS	200

/* The hwcaps of this machine, as a bitmap. */
static const unsigned long *cpufeat_arm64_test_machine(void)
{
	static DECLARE_BITMAP(machine, CPUFEAT_NR_FEATURES);
	unsigned int i;

	for (i = 0; i < CPUFEAT_NR_FEATURES; i++)
		__assign_bit(i, machine, cpu_have_feature(i));
	return machine;
}

/*
 * @sys_reg as the emulated MRS of a program hiding @hidden reads it: from
 * the data a view of @hidden carries, as cpufeat_filter_mrs() reads it.
 */
static u64 cpufeat_arm64_test_read(const unsigned long *hidden, u32 sys_reg,
				   u64 val)
{
	u64 data[1 + CPUFEAT_ARM64_ID_REGS];

	cpufeat_arm64_view_init(hidden, data);
	return cpufeat_arm64_view_read(data, sys_reg, val);
}

/* Close @hidden: whatever needs a hidden hwcap is hidden too. */
static void cpufeat_arm64_test_close(unsigned long *hidden)
{
	const struct cpufeat_table *t = &cpufeat_arm64_table;
	unsigned int i;
	bool changed;

	do {
		changed = false;
		for (i = 0; i < t->nr_deps; i++)
			if (test_bit(t->deps[i].requires, hidden) &&
			    !__test_and_set_bit(t->deps[i].feature, hidden))
				changed = true;
	} while (changed);
}

/* Does table entry @c match the registers as masked by @hidden? */
static bool cpufeat_arm64_test_matches(const struct arm64_cpu_capabilities *c,
				       const unsigned long *hidden)
{
	const struct arm64_cpu_capabilities *e;
	u64 val;

	if (!c->sys_reg)
		return !test_bit(c->hwcap, hidden);
	for (e = c->match_list ?: c; e->matches; e++) {
		if (!arm64_read_user_sys_reg(e->sys_reg, &val)) {
			val = cpufeat_arm64_test_read(hidden, e->sys_reg, val);
			if (arm64_cap_matches_value(e, val))
				return true;
		}
		if (!c->match_list)
			break;
	}
	return false;
}

/* @f's field in @reg, sign-extended where the field is signed. */
static int cpufeat_arm64_test_field(const struct arm64_cpu_capabilities *f,
				    u64 reg)
{
	return cpuid_feature_extract_field_width(reg, f->field_pos,
						 f->field_width, f->sign);
}

/* No field that a hwcap tests is higher in the masked view. */
static void cpufeat_arm64_test_no_rise(struct kunit *test,
				       const unsigned long *hidden)
{
	const struct arm64_cpu_capabilities *c, *e;
	u64 val, masked;

	for (c = arm64_elf_hwcap_caps(); c->matches; c++) {
		for (e = c->match_list ?: c; e->matches && e->sys_reg; e++) {
			if (arm64_read_user_sys_reg(e->sys_reg, &val))
				break;
			masked = cpufeat_arm64_test_read(hidden, e->sys_reg, val);
			KUNIT_EXPECT_LE_MSG(test,
					    cpufeat_arm64_test_field(e, masked),
					    cpufeat_arm64_test_field(e, val),
					    "%s: field at bit %u of %#x rose",
					    c->desc, e->field_pos, e->sys_reg);
			if (!c->match_list)
				break;
		}
	}
}

/*
 * The hwcaps found in the view masked by @hidden are the machine's minus
 * @hidden: every hidden one is gone, every other one is still there.
 */
static void cpufeat_arm64_test_view(struct kunit *test,
				    const unsigned long *hidden,
				    const char *what)
{
	const struct arm64_cpu_capabilities *c;
	DECLARE_BITMAP(found, CPUFEAT_NR_FEATURES);
	DECLARE_BITMAP(tested, CPUFEAT_NR_FEATURES);
	unsigned int i;

	bitmap_zero(found, CPUFEAT_NR_FEATURES);
	bitmap_zero(tested, CPUFEAT_NR_FEATURES);
	for (c = arm64_elf_hwcap_caps(); c->matches; c++) {
		if (c->hwcap_type != CAP_HWCAP)
			continue;
		__set_bit(c->hwcap, tested);
		if (cpufeat_arm64_test_matches(c, hidden))
			__set_bit(c->hwcap, found);
	}
	/* cpuid and evtstrm are set apart from the table: no register. */
	bitmap_andnot(tested, cpufeat_arm64_test_machine(), tested,
		      CPUFEAT_NR_FEATURES);
	bitmap_andnot(tested, tested, hidden, CPUFEAT_NR_FEATURES);
	bitmap_or(found, found, tested, CPUFEAT_NR_FEATURES);
	for (i = 0; i < CPUFEAT_NR_FEATURES; i++) {
		bool seen = test_bit(i, found), visible = !test_bit(i, hidden);

		if (!cpu_have_feature(i) || !cpufeat_arm64_names[i])
			continue;
		KUNIT_EXPECT_EQ_MSG(test, seen, visible, "%s with %s hidden",
				    cpufeat_arm64_names[i], what);
	}
	cpufeat_arm64_test_no_rise(test, hidden);
}

/* Nothing hidden: the view is the machine's. */
static void cpufeat_arm64_test_nothing_hidden(struct kunit *test)
{
	DECLARE_BITMAP(hidden, CPUFEAT_NR_FEATURES);

	bitmap_zero(hidden, CPUFEAT_NR_FEATURES);
	cpufeat_arm64_test_view(test, hidden, "nothing");
}

/* Each hwcap of the machine hidden on its own, with what needs it. */
static void cpufeat_arm64_test_each_hwcap(struct kunit *test)
{
	DECLARE_BITMAP(hidden, CPUFEAT_NR_FEATURES);
	unsigned int i;

	for (i = 0; i < CPUFEAT_NR_FEATURES; i++) {
		if (!cpu_have_feature(i) || !cpufeat_arm64_names[i])
			continue;
		bitmap_zero(hidden, CPUFEAT_NR_FEATURES);
		__set_bit(i, hidden);
		cpufeat_arm64_test_close(hidden);
		cpufeat_arm64_test_view(test, hidden, cpufeat_arm64_names[i]);
	}
}

/* Random sets of the machine's hwcaps, from a fixed seed. */
static void cpufeat_arm64_test_random_sets(struct kunit *test)
{
	DECLARE_BITMAP(hidden, CPUFEAT_NR_FEATURES);
	struct rnd_state rnd;
	unsigned int i, n;
	char what[32];

	prandom_seed_state(&rnd, 0x63707566656174ULL);
	for (n = 0; n < CPUFEAT_ARM64_TEST_SETS; n++) {
		bitmap_zero(hidden, CPUFEAT_NR_FEATURES);
		for (i = 0; i < CPUFEAT_NR_FEATURES; i++)
			if (cpu_have_feature(i) && cpufeat_arm64_names[i] &&
			    !(prandom_u32_state(&rnd) % 8))
				__set_bit(i, hidden);
		cpufeat_arm64_test_close(hidden);
		snprintf(what, sizeof(what), "random set %u", n);
		cpufeat_arm64_test_view(test, hidden, what);
	}
}

/* ID_AA64ISAR0_EL1.AES as a program hiding @hwcap (if any) reads it. */
static int cpufeat_arm64_test_aes_field(unsigned int hwcap)
{
	DECLARE_BITMAP(hidden, CPUFEAT_NR_FEATURES);
	u64 val;

	bitmap_zero(hidden, CPUFEAT_NR_FEATURES);
	if (hwcap < CPUFEAT_NR_FEATURES)
		__set_bit(hwcap, hidden);
	cpufeat_arm64_test_close(hidden);
	if (arm64_read_user_sys_reg(SYS_ID_AA64ISAR0_EL1, &val))
		return -1;
	val = cpufeat_arm64_test_read(hidden, SYS_ID_AA64ISAR0_EL1, val);
	return SYS_FIELD_GET(ID_AA64ISAR0_EL1, AES, val);
}

/* Levels of one field: hiding pmull keeps aes, hiding aes drops both. */
static void cpufeat_arm64_test_levels(struct kunit *test)
{
	if (!cpu_have_feature(KERNEL_HWCAP_PMULL))
		kunit_skip(test, "no pmull");
	KUNIT_EXPECT_EQ(test, cpufeat_arm64_test_aes_field(CPUFEAT_NR_FEATURES),
			ID_AA64ISAR0_EL1_AES_PMULL);
	KUNIT_EXPECT_EQ(test, cpufeat_arm64_test_aes_field(KERNEL_HWCAP_PMULL),
			ID_AA64ISAR0_EL1_AES_AES);
	KUNIT_EXPECT_EQ(test, cpufeat_arm64_test_aes_field(KERNEL_HWCAP_AES),
			ID_AA64ISAR0_EL1_AES_NI);
}

static struct kunit_case cpufeat_arm64_test_cases[] = {
	KUNIT_CASE(cpufeat_arm64_test_nothing_hidden),
	KUNIT_CASE(cpufeat_arm64_test_each_hwcap),
	KUNIT_CASE(cpufeat_arm64_test_random_sets),
	KUNIT_CASE(cpufeat_arm64_test_levels),
	{}
};

static struct kunit_suite cpufeat_arm64_test_suite = {
	.name = "cpufeat_arm64",
	.test_cases = cpufeat_arm64_test_cases,
};

kunit_test_suite(cpufeat_arm64_test_suite);
