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
 *
 * A program that hides hwcaps also reads a masked view of the ID registers
 * (MRS from EL0 traps and is emulated): each field a hidden hwcap tests is
 * capped below that hwcap's level, and the registers gated on a hidden
 * hwcap read as zero.  The hwcaps the kernel would compute from that view
 * are exactly the visible ones, so the auxiliary vector, MRS and
 * /proc/cpuinfo cannot disagree.
 */

#include <linux/bitmap.h>
#include <linux/bitops.h>
#include <linux/cgroup_cpufeat.h>
#include <linux/cpufeature.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include <asm/hwcap.h>
#include <asm/pointer_auth.h>
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

static const struct cpufeat_filter cpufeat_arm64_filters[] = {
	{ .path = "auxv", .filtered = true },
	{ .path = "mrs", .filtered = true },
	{ .path = "cpuinfo", .filtered = true },
};

static void cpufeat_arm64_view_init(const unsigned long *hidden, u64 *data);

static const char *cpufeat_arm64_names[CPUFEAT_NR_FEATURES] __ro_after_init;
static struct cpufeat_table cpufeat_arm64_table __ro_after_init = {
	.nr = CPUFEAT_NR_FEATURES,
	.names = cpufeat_arm64_names,
	.protected = cpufeat_arm64_protected,
	.nr_protected = ARRAY_SIZE(cpufeat_arm64_protected),
	.emulation_stat = "emulated_mrs",
	.filters = cpufeat_arm64_filters,
	.nr_filters = ARRAY_SIZE(cpufeat_arm64_filters),
	.view_init = cpufeat_arm64_view_init,
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

/* Is @c, an entry of the hwcap table or of a match list, on @sys_reg's @pos? */
static bool __init
cpufeat_arm64_same_field(const struct arm64_cpu_capabilities *c, u32 sys_reg,
			 u8 pos)
{
	return c->sys_reg == sys_reg && c->field_pos == pos;
}

/* Does hwcap @b need hwcap @a?  If so, put the dependency in @dep. */
static bool __init cpufeat_arm64_needs(const struct arm64_cpu_capabilities *b,
				       const struct arm64_cpu_capabilities *a,
				       struct cpufeat_dep *dep)
{
	unsigned int i;

	dep->feature = b->hwcap;
	if (cpufeat_arm64_same_field(a, b->sys_reg, b->field_pos) &&
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

/*
 * The highest level of @f's field that some hwcap tests, below @f's own
 * level; the field's "not implemented" value when there is none.  Only
 * levels that a hwcap names are used, so the cap is always a level the
 * architecture defines.
 */
static int __init
cpufeat_arm64_level_below(const struct arm64_cpu_capabilities *f)
{
	const struct arm64_cpu_capabilities *c, *e;
	int level = cpufeat_arm64_level(f);
	int cap = f->sign ? -1 : 0;

	for (c = arm64_elf_hwcap_caps(); c->matches; c++) {
		for (e = c->match_list ?: c; e->matches; e++) {
			if (cpufeat_arm64_same_field(e, f->sys_reg, f->field_pos) &&
			    cpufeat_arm64_level(e) < level &&
			    cpufeat_arm64_level(e) > cap)
				cap = cpufeat_arm64_level(e);
			if (!c->match_list)
				break;
		}
	}
	return cap;
}

/**
 * struct cpufeat_arm64_field_cap - what hiding a hwcap does to one field
 * @hwcap: the hwcap
 * @field: the entry of the hwcap table (or of its match list) that tests
 *	the field
 * @cap: the highest value the field reads while @hwcap is hidden
 */
struct cpufeat_arm64_field_cap {
	unsigned int hwcap;
	const struct arm64_cpu_capabilities *field;
	int cap;
};

/* Computed once: the MRS emulation only looks them up. */
static struct cpufeat_arm64_field_cap *cpufeat_arm64_caps __ro_after_init;
static unsigned int cpufeat_arm64_nr_caps __ro_after_init;

/**
 * struct cpufeat_arm64_reg - the field caps of one ID register
 * @sys_reg: the register
 * @first: its first entry in cpufeat_arm64_caps, which is sorted by register
 * @nr: its number of entries there
 * @hwcaps: the hwcaps of those entries: an MRS of a register none of whose
 *	hwcaps the program hides costs one bitmap test
 */
struct cpufeat_arm64_reg {
	u32 sys_reg;
	unsigned int first;
	unsigned int nr;
	DECLARE_BITMAP(hwcaps, CPUFEAT_NR_FEATURES);
};

static struct cpufeat_arm64_reg *cpufeat_arm64_regs __ro_after_init;
static unsigned int cpufeat_arm64_nr_regs __ro_after_init;

/*
 * The ID registers a view can change, those with a field some hwcap tests
 * and those gated on a hwcap, carried by each view as its programs read
 * them (see cpufeat_arm64_view_init()).  cpufeat_arm64_slot[], indexed by
 * cpufeat_arm64_id_index(), holds the register's word in a view's data,
 * 0 for the others: word 0 holds CPUFEAT_ARM64_* flags.
 */
#define CPUFEAT_ARM64_ID_REGS		64
#define CPUFEAT_ARM64_MRS_REFUSED	BIT_ULL(0)

static u32 cpufeat_arm64_view_regs[CPUFEAT_ARM64_ID_REGS] __ro_after_init;
static unsigned int cpufeat_arm64_nr_view_regs __ro_after_init;
static u8 cpufeat_arm64_slot[CPUFEAT_ARM64_ID_REGS] __ro_after_init;

/* Every field a hwcap tests, with its cap.  With @caps NULL only count. */
static unsigned int __init
cpufeat_arm64_fill_caps(struct cpufeat_arm64_field_cap *caps)
{
	const struct arm64_cpu_capabilities *c, *e;
	unsigned int n = 0;

	for (c = arm64_elf_hwcap_caps(); c->matches; c++) {
		if (c->hwcap_type != CAP_HWCAP)
			continue;
		for (e = c->match_list ?: c; e->matches; e++) {
			if (e->sys_reg && caps) {
				caps[n].hwcap = c->hwcap;
				caps[n].field = e;
				caps[n].cap = cpufeat_arm64_level_below(e);
			}
			n += !!e->sys_reg;
			if (!c->match_list)
				break;
		}
	}
	return n;
}

static int __init cpufeat_arm64_cmp_caps(const void *a, const void *b)
{
	u32 ra = ((const struct cpufeat_arm64_field_cap *)a)->field->sys_reg;
	u32 rb = ((const struct cpufeat_arm64_field_cap *)b)->field->sys_reg;

	return ra < rb ? -1 : ra > rb;
}

/*
 * Sort the field caps by register and index them per register.  The order
 * of the caps of one register does not matter: each only lowers a field.
 */
static bool __init cpufeat_arm64_index_caps(void)
{
	struct cpufeat_arm64_field_cap *caps = cpufeat_arm64_caps;
	struct cpufeat_arm64_reg *r = NULL;
	unsigned int i, n = 0;

	sort(caps, cpufeat_arm64_nr_caps, sizeof(*caps),
	     cpufeat_arm64_cmp_caps, NULL);
	for (i = 0; i < cpufeat_arm64_nr_caps; i++)
		n += !i || caps[i].field->sys_reg != caps[i - 1].field->sys_reg;
	cpufeat_arm64_regs = kcalloc(n, sizeof(*r), GFP_KERNEL);
	if (!cpufeat_arm64_regs)
		return false;
	for (i = 0; i < cpufeat_arm64_nr_caps; i++) {
		if (!r || caps[i].field->sys_reg != r->sys_reg) {
			r = &cpufeat_arm64_regs[cpufeat_arm64_nr_regs++];
			r->sys_reg = caps[i].field->sys_reg;
			r->first = i;
		}
		r->nr++;
		__set_bit(caps[i].hwcap, r->hwcaps);
	}
	return true;
}

/*
 * Where an ID register's entry is in cpufeat_arm64_slot[], or -1: the ID
 * registers are sys_reg(3, 0, 0, CRm, Op2), CRm < 8, so the index is
 * CRm * 8 + Op2.
 */
static int cpufeat_arm64_id_index(u32 sys_reg)
{
	u32 first = sys_reg(3, 0, 0, 0, 0);

	if (sys_reg < first || sys_reg - first >= sys_reg(0, 0, 0, 8, 0))
		return -1;
	return (sys_reg - first) / sys_reg(0, 0, 0, 0, 1);
}

static void __init cpufeat_arm64_add_view_reg(u32 sys_reg)
{
	int i = cpufeat_arm64_id_index(sys_reg);

	if (WARN_ON(i < 0) || cpufeat_arm64_slot[i])
		return;
	cpufeat_arm64_view_regs[cpufeat_arm64_nr_view_regs++] = sys_reg;
	cpufeat_arm64_slot[i] = cpufeat_arm64_nr_view_regs;
}

/* Every register cpufeat_arm64_mask_reg() can change gets a slot. */
static void __init cpufeat_arm64_index_view_regs(void)
{
	unsigned int i;

	for (i = 0; i < cpufeat_arm64_nr_regs; i++)
		cpufeat_arm64_add_view_reg(cpufeat_arm64_regs[i].sys_reg);
	for (i = 0; i < ARRAY_SIZE(cpufeat_arm64_gated); i++)
		cpufeat_arm64_add_view_reg(cpufeat_arm64_gated[i].sys_reg);
}

/**
 * cpufeat_arch_table() - the features cpufeat controls on arm64
 *
 * Return: the table, built at late_initcall time, or NULL without memory
 * for it.
 */
const struct cpufeat_table * __init cpufeat_arch_table(void)
{
	struct cpufeat_dep *deps;
	unsigned int i, n;

	/* Without the field caps, MRS would show what views hide. */
	n = cpufeat_arm64_fill_caps(NULL);
	cpufeat_arm64_caps = kcalloc(n, sizeof(*cpufeat_arm64_caps),
				     GFP_KERNEL);
	if (!cpufeat_arm64_caps)
		return NULL;
	cpufeat_arm64_nr_caps = cpufeat_arm64_fill_caps(cpufeat_arm64_caps);
	if (!cpufeat_arm64_index_caps())
		return NULL;
	cpufeat_arm64_index_view_regs();
	/* A word of flags and one per ID register a view can change. */
	cpufeat_arm64_table.view_words = 1 + cpufeat_arm64_nr_view_regs;

	for (i = 0; i < CPUFEAT_NR_FEATURES; i++)
		cpufeat_arm64_names[i] = arm64_hwcap_name(i);

	n = cpufeat_arm64_fill_deps(NULL);
	deps = kcalloc(n, sizeof(*deps), GFP_KERNEL);
	if (!deps)
		return NULL;
	cpufeat_arm64_fill_deps(deps);
	cpufeat_arm64_table.deps = deps;
	cpufeat_arm64_table.nr_deps = n;
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

/* Lower @f's field in @val to at most @cap; never raise it. */
static u64 cpufeat_arm64_cap_field(const struct arm64_cpu_capabilities *f,
				   u64 val, int cap)
{
	u64 mask = GENMASK_ULL(f->field_pos + f->field_width - 1, f->field_pos);
	int cur = cpuid_feature_extract_field_width(val, f->field_pos,
						    f->field_width, f->sign);

	if (cur <= cap)
		return val;
	return (val & ~mask) | (((u64)cap << f->field_pos) & mask);
}

/**
 * cpufeat_arm64_mask_reg() - an ID register as a program with hidden hwcaps
 *	reads it
 * @hidden: the hwcaps hidden from the program, closed under dependencies
 * @sys_reg: the register
 * @val: its value as every program reads it
 *
 * Return: @val with the fields of the hidden hwcaps capped, or 0 for a
 * register whose every hwcap is gated on a hidden one (ZFR0 without sve).
 */
static u64 cpufeat_arm64_mask_reg(const unsigned long *hidden, u32 sys_reg,
				  u64 val)
{
	const struct cpufeat_arm64_field_cap *fc, *end;
	const struct cpufeat_arm64_reg *r;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cpufeat_arm64_gated); i++)
		if (cpufeat_arm64_gated[i].sys_reg == sys_reg &&
		    test_bit(cpufeat_arm64_gated[i].requires, hidden))
			return 0;
	for (r = cpufeat_arm64_regs;
	     r < cpufeat_arm64_regs + cpufeat_arm64_nr_regs; r++)
		if (r->sys_reg == sys_reg)
			break;
	if (r == cpufeat_arm64_regs + cpufeat_arm64_nr_regs ||
	    !bitmap_intersects(r->hwcaps, hidden, CPUFEAT_NR_FEATURES))
		return val;
	end = cpufeat_arm64_caps + r->first + r->nr;
	for (fc = cpufeat_arm64_caps + r->first; fc < end; fc++)
		if (test_bit(fc->hwcap, hidden))
			val = cpufeat_arm64_cap_field(fc->field, val, fc->cap);
	return val;
}

/**
 * cpufeat_arm64_view_init() - the ID registers as a view's programs read them
 * @hidden: the view's hidden features
 * @data: the table's view_words words: CPUFEAT_ARM64_MRS_REFUSED if the
 *	view hides cpuid, then the masked value of each ID register a view
 *	can change, in cpufeat_arm64_view_regs[] order
 *
 * Computed once when the view is made, so that an emulated MRS of a
 * program with a restricted view only looks its register up.  The values
 * every program reads are final once the system's features are.
 */
static void cpufeat_arm64_view_init(const unsigned long *hidden, u64 *data)
{
	unsigned int i;
	u32 reg;
	u64 val;

	data[0] = test_bit(KERNEL_HWCAP_CPUID, hidden) ?
		  CPUFEAT_ARM64_MRS_REFUSED : 0;
	for (i = 0; i < cpufeat_arm64_nr_view_regs; i++) {
		reg = cpufeat_arm64_view_regs[i];
		if (arm64_read_user_sys_reg(reg, &val))
			val = 0;
		data[1 + i] = cpufeat_arm64_mask_reg(hidden, reg, val);
	}
}

/*
 * @sys_reg as a program whose view carries @data reads it; @val is what
 * every program reads.
 */
static u64 cpufeat_arm64_view_read(const u64 *data, u32 sys_reg, u64 val)
{
	int i = cpufeat_arm64_id_index(sys_reg);

	if (i < 0 || !cpufeat_arm64_slot[i])
		return val;
	return data[cpufeat_arm64_slot[i]];
}

/**
 * cpufeat_filter_mrs() - filter an emulated MRS of an ID register
 * @sys_reg: the register
 * @valp: in, what every program reads; out, what this program reads
 *
 * Called for every MRS from EL0 that the kernel emulates.  A program that
 * hides cpuid gets SIGILL, as on a kernel that does not emulate the reads.
 * The masked value comes from the program's view, computed when the view
 * was made.
 *
 * Return: 0, or -EINVAL to refuse the read.
 */
int cpufeat_filter_mrs(u32 sys_reg, u64 *valp)
{
	const u64 *data = cpufeat_view_arch(current->mm);

	if (!data)
		return 0;
	if (data[0] & CPUFEAT_ARM64_MRS_REFUSED)
		return -EINVAL;
	*valp = cpufeat_arm64_view_read(data, sys_reg, *valp);
	cpufeat_count_emulation();
	return 0;
}

/**
 * cpufeat_hides_sve() - may the current program not use SVE?
 *
 * SVE is the feature the kernel can switch off for one program: its SVE
 * instructions trap (CPACR_EL1.ZEN) until the kernel enables SVE for it.
 * A program whose view hides sve gets the SIGILL that it would get on a
 * machine without SVE, and cannot set a vector length either.
 *
 * Return: true if the current program's view hides sve.
 */
bool cpufeat_hides_sve(void)
{
	const unsigned long *hidden = cpufeat_hidden(current->mm);

	return hidden && test_bit(KERNEL_HWCAP_SVE, hidden);
}

/**
 * cpufeat_exec_ptrauth() - turn off the PAC keys of a program hiding paca
 *
 * Called at execve() once the new program's keys are set up.  Address
 * authentication instructions of a program whose view hides paca then
 * leave pointers as they are: the program does not use a feature it was
 * not told about, whatever its code does.  PR_PAC_SET_ENABLED_KEYS can
 * still turn the keys back on.
 */
void cpufeat_exec_ptrauth(void)
{
	const unsigned long *hidden = cpufeat_hidden(current->mm);

	if (hidden && test_bit(KERNEL_HWCAP_PACA, hidden) &&
	    system_supports_address_auth())
		WARN_ON_ONCE(ptrauth_set_enabled_keys(current,
						      PR_PAC_ENABLED_KEYS_MASK,
						      0));
}

#if IS_ENABLED(CONFIG_CGROUP_CPUFEAT_KUNIT_TEST)
#include "cpufeat_test.c"
#endif
