// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 side of the cpufeat cgroup controller: which features it can control.
 *
 * Features are the ELF hwcaps: a feature's index is its KERNEL_HWCAP_*
 * number and its name is what /proc/cpuinfo prints.  Dependencies are
 * derived from arm64_elf_hwcaps[], the table the hwcaps themselves are
 * computed from: a higher level of an ID register field needs the lower
 * levels (pmull needs aes), and every SVE hwcap needs sve.  The few
 * architectural pairings that no single field expresses are listed below.
 */

#include <linux/bitmap.h>
#include <linux/bitops.h>
#include <linux/cgroup_cpufeat.h>
#include <linux/cpufeature.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include <asm/hwcap.h>
#include <asm/sysreg.h>

/* Requirements that no single ID register field expresses. */
static const struct cpufeat_dep cpufeat_arm64_pairs[] = {
	/* AdvSIMD must match FP (FEAT_FP and FEAT_AdvSIMD go together). */
	{ KERNEL_HWCAP_FP,		KERNEL_HWCAP_ASIMD },
	{ KERNEL_HWCAP_ASIMD,		KERNEL_HWCAP_FP },
	{ KERNEL_HWCAP_FPHP,		KERNEL_HWCAP_ASIMDHP },
	{ KERNEL_HWCAP_ASIMDHP,		KERNEL_HWCAP_FPHP },
	/* SVE extends the FP/SIMD register file. */
	{ KERNEL_HWCAP_SVE,		KERNEL_HWCAP_ASIMD },
	/* The SVE2 crypto and bit permutation instructions are SVE2. */
	{ KERNEL_HWCAP_SVEAES,		KERNEL_HWCAP_SVE2 },
	{ KERNEL_HWCAP_SVEPMULL,	KERNEL_HWCAP_SVE2 },
	{ KERNEL_HWCAP_SVEBITPERM,	KERNEL_HWCAP_SVE2 },
	{ KERNEL_HWCAP_SVESHA3,		KERNEL_HWCAP_SVE2 },
	{ KERNEL_HWCAP_SVESM4,		KERNEL_HWCAP_SVE2 },
	/* Address and generic pointer authentication are one feature. */
	{ KERNEL_HWCAP_PACA,		KERNEL_HWCAP_PACG },
	{ KERNEL_HWCAP_PACG,		KERNEL_HWCAP_PACA },
};

/* Registers whose every hwcap is gated on another hwcap. */
static const struct {
	u32 sys_reg;
	unsigned int requires;
} cpufeat_arm64_gated[] = {
	{ SYS_ID_AA64ZFR0_EL1, KERNEL_HWCAP_SVE },
	{ SYS_ID_AA64SMFR0_EL1, KERNEL_HWCAP_SME },
};

/* Kept visible to secureexec programs: hiding them weakens hardening. */
static const unsigned int cpufeat_arm64_protected[] = {
	KERNEL_HWCAP_PACA,
	KERNEL_HWCAP_PACG,
	KERNEL_HWCAP_BTI,
	KERNEL_HWCAP_MTE,
	KERNEL_HWCAP_MTE3,
};

static const char *cpufeat_arm64_names[CPUFEAT_NR_FEATURES] __ro_after_init;
static struct cpufeat_table cpufeat_arm64_table __ro_after_init = {
	.nr = CPUFEAT_NR_FEATURES,
	.names = cpufeat_arm64_names,
	.protected = cpufeat_arm64_protected,
	.nr_protected = ARRAY_SIZE(cpufeat_arm64_protected),
};

/* Does this hwcap come from one ID register field (not a match list)? */
static bool __init cpufeat_arm64_is_field(const struct arm64_cpu_capabilities *c)
{
	return c->hwcap_type == CAP_HWCAP && c->sys_reg && !c->match_list;
}

static int __init cpufeat_arm64_level(const struct arm64_cpu_capabilities *c)
{
	if (c->sign)
		return sign_extend32(c->min_field_value, c->field_width - 1);
	return c->min_field_value;
}

/* Does hwcap @b need hwcap @a?  If so, put the dependency in @dep. */
static bool __init cpufeat_arm64_needs(const struct arm64_cpu_capabilities *b,
				       const struct arm64_cpu_capabilities *a,
				       struct cpufeat_dep *dep)
{
	unsigned int i;

	dep->feature = b->hwcap;
	if (a->sys_reg == b->sys_reg && a->field_pos == b->field_pos &&
	    cpufeat_arm64_level(a) < cpufeat_arm64_level(b)) {
		dep->requires = a->hwcap;
		return true;
	}
	for (i = 0; i < ARRAY_SIZE(cpufeat_arm64_gated); i++) {
		if (b->sys_reg == cpufeat_arm64_gated[i].sys_reg &&
		    a->hwcap == cpufeat_arm64_gated[i].requires) {
			dep->requires = a->hwcap;
			return true;
		}
	}
	return false;
}

/*
 * Walk every pair of field-based hwcaps, then the fixed pairings.  With
 * @deps NULL only count.
 */
static unsigned int __init cpufeat_arm64_fill_deps(struct cpufeat_dep *deps)
{
	const struct arm64_cpu_capabilities *caps = arm64_elf_hwcap_caps();
	const struct arm64_cpu_capabilities *a, *b;
	struct cpufeat_dep dep;
	unsigned int i, n = 0;

	for (b = caps; b->matches; b++) {
		if (!cpufeat_arm64_is_field(b))
			continue;
		for (a = caps; a->matches; a++) {
			if (a == b || a->hwcap_type != CAP_HWCAP ||
			    !cpufeat_arm64_needs(b, a, &dep))
				continue;
			if (deps)
				deps[n] = dep;
			n++;
		}
	}
	for (i = 0; i < ARRAY_SIZE(cpufeat_arm64_pairs); i++) {
		if (deps)
			deps[n] = cpufeat_arm64_pairs[i];
		n++;
	}
	return n;
}

/**
 * cpufeat_arch_table() - the features cpufeat controls on arm64
 *
 * Return: the table, built at late_initcall time.
 */
const struct cpufeat_table * __init cpufeat_arch_table(void)
{
	struct cpufeat_dep *deps;
	unsigned int i, n;

	for (i = 0; i < CPUFEAT_NR_FEATURES; i++)
		cpufeat_arm64_names[i] = arm64_hwcap_name(i);

	n = cpufeat_arm64_fill_deps(NULL);
	deps = kcalloc(n, sizeof(*deps), GFP_KERNEL);
	if (deps) {
		cpufeat_arm64_fill_deps(deps);
		cpufeat_arm64_table.deps = deps;
		cpufeat_arm64_table.nr_deps = n;
	}
	return &cpufeat_arm64_table;
}

/**
 * cpufeat_arch_has() - does this machine offer a hwcap to user space?
 * @feature: a KERNEL_HWCAP_* number
 *
 * Return: true if the system-wide hwcaps include it.
 */
bool __init cpufeat_arch_has(unsigned int feature)
{
	return cpu_have_feature(feature);
}

/**
 * cpufeat_arch_hwcap() - clear the AT_HWCAP* bits of hidden features
 * @hidden: the features hidden from the program
 * @type: AT_HWCAP or AT_HWCAP2
 * @hwcap: the kernel's value
 * @compat: AArch32 hwcaps are a different table and are left alone
 *
 * Return: @hwcap without the hidden features.
 */
unsigned long cpufeat_arch_hwcap(const unsigned long *hidden,
				 unsigned int type, unsigned long hwcap,
				 bool compat)
{
	if (compat)
		return hwcap;
	switch (type) {
	case AT_HWCAP:
		return hwcap & ~bitmap_read(hidden, 0, BITS_PER_LONG);
	case AT_HWCAP2:
		return hwcap & ~bitmap_read(hidden, 64, BITS_PER_LONG);
	}
	return hwcap;
}

/**
 * cpufeat_arch_show_filters() - which discovery paths honour the views
 * @sf: the root's cpufeat.filters
 *
 * Only the auxiliary vector so far: MRS reads of the ID registers and
 * /proc/cpuinfo still show the whole machine.
 */
void cpufeat_arch_show_filters(struct seq_file *sf)
{
	seq_puts(sf, "auxv yes\nmrs no\ncpuinfo no\n");
}
