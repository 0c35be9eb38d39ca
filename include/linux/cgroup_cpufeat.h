/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cpufeat: which CPU features the programs in a cgroup are told about.
 *
 * At execve() a program's view is latched from its cgroup's effective set
 * into its mm; the auxiliary vector (and, per architecture, other discovery
 * paths) then report only what the view allows.
 */
#ifndef _LINUX_CGROUP_CPUFEAT_H
#define _LINUX_CGROUP_CPUFEAT_H

#include <linux/jump_label.h>
#include <linux/mm_types.h>
#include <linux/types.h>

struct linux_binprm;
struct mm_struct;
struct seq_file;

/**
 * struct cpufeat_dep - a feature that cannot be offered without another
 * @feature: the dependent feature
 * @requires: the feature it needs; hiding @requires hides @feature
 */
struct cpufeat_dep {
	unsigned int feature;
	unsigned int requires;
};

/**
 * struct cpufeat_filter - a way programs discover features
 * @path: its name in cpufeat.filters ("auxv", "cpuid", ...)
 * @filtered: it answers with each program's view on this machine
 */
struct cpufeat_filter {
	const char *path;
	bool filtered;
};

/**
 * struct cpufeat_table - the features an architecture lets cpufeat control
 * @nr: number of feature indices; feature sets are bitmaps of @nr bits
 * @names: @nr entries: the /proc/cpuinfo name of each feature, or NULL for
 *	indices that cannot be controlled
 * @deps: @nr_deps dependencies between controllable features
 * @nr_deps: number of entries in @deps
 * @protected: @nr_protected hardening features that programs gaining
 *	privilege at execve (secureexec) always see
 * @nr_protected: number of entries in @protected
 * @emulation_stat: the cpufeat.stat key counting the instructions the
 *	architecture emulates to answer with a program's view, or NULL
 * @filters: @nr_filters ways programs discover features, as cpufeat.filters
 *	lists them
 * @nr_filters: number of entries in @filters
 * @view_words: number of u64 words the architecture derives for each view
 *	(see cpufeat_view_arch()), 0 for none
 * @view_init: fills the @view_words words of a view from the features it
 *	hides when the view is made, or NULL if @view_words is 0
 */
struct cpufeat_table {
	unsigned int nr;
	const char * const *names;
	const struct cpufeat_dep *deps;
	unsigned int nr_deps;
	const unsigned int *protected;
	unsigned int nr_protected;
	const char *emulation_stat;
	const struct cpufeat_filter *filters;
	unsigned int nr_filters;
	unsigned int view_words;
	void (*view_init)(const unsigned long *hidden, u64 *data);
};

#ifdef CONFIG_CGROUP_CPUFEAT

#include <asm/cpufeat.h>

/*
 * Architecture interface, see arch/<arch>/kernel/.../cpufeat.c.  These are
 * called after the boot CPU features are final (late_initcall).
 */
const struct cpufeat_table *cpufeat_arch_table(void);
bool cpufeat_arch_has(unsigned int feature);
unsigned long cpufeat_arch_hwcap(const unsigned long *hidden,
				 unsigned int type, unsigned long hwcap,
				 bool compat);

DECLARE_STATIC_KEY_FALSE(cpufeat_restricting);

void __cpufeat_exec(struct linux_binprm *bprm);
void cpufeat_view_get(struct cpufeat_view *view);
void cpufeat_view_put(struct cpufeat_view *view);
unsigned long __cpufeat_elf_hwcap(unsigned int type, unsigned long hwcap,
				  bool compat);
void cpufeat_show_mm(struct seq_file *m, struct mm_struct *mm);
const unsigned long *__cpufeat_hidden(struct mm_struct *mm);
const u64 *__cpufeat_view_arch(struct mm_struct *mm);
void cpufeat_count_emulation(void);

/**
 * cpufeat_hidden() - the features hidden from a program
 * @mm: the program's mm, or NULL for a kernel thread
 *
 * Return: a bitmap of CPUFEAT_NR_FEATURES bits, valid as long as @mm is,
 * or NULL when the program is not told less than the machine has.
 */
static inline const unsigned long *cpufeat_hidden(struct mm_struct *mm)
{
	if (static_branch_unlikely(&cpufeat_restricting) && mm)
		return __cpufeat_hidden(mm);
	return NULL;
}

/**
 * cpufeat_view_arch() - what the architecture derived for a program's view
 * @mm: the program's mm, or NULL for a kernel thread
 *
 * Return: the architecture table's @view_words words, filled by its
 * @view_init when the view was made, valid as long as @mm is, or NULL when
 * the program is not told less than the machine has.
 */
static inline const u64 *cpufeat_view_arch(struct mm_struct *mm)
{
	if (static_branch_unlikely(&cpufeat_restricting) && mm)
		return __cpufeat_view_arch(mm);
	return NULL;
}

/**
 * cpufeat_exec() - latch the new program's feature view
 * @bprm: the execve() in progress, before its mm is installed
 *
 * Costs nothing until some cgroup restricts features.
 */
static inline void cpufeat_exec(struct linux_binprm *bprm)
{
	if (static_branch_unlikely(&cpufeat_restricting))
		__cpufeat_exec(bprm);
}

/**
 * cpufeat_elf_hwcap() - filter an AT_HWCAP* word for the current program
 * @type: AT_HWCAP, AT_HWCAP2, ...
 * @hwcap: the kernel's value for @type
 * @compat: the program is a compat (32-bit) ELF
 *
 * Return: @hwcap without the features hidden from the current program.
 */
static inline unsigned long cpufeat_elf_hwcap(unsigned int type,
					      unsigned long hwcap, bool compat)
{
	if (static_branch_unlikely(&cpufeat_restricting))
		return __cpufeat_elf_hwcap(type, hwcap, compat);
	return hwcap;
}

/* fork: a copied mm shares its parent's view. */
static inline void cpufeat_mm_init(struct mm_struct *mm)
{
	if (mm->cpufeat_view)
		cpufeat_view_get(mm->cpufeat_view);
}

static inline void cpufeat_mm_drop(struct mm_struct *mm)
{
	if (mm->cpufeat_view)
		cpufeat_view_put(mm->cpufeat_view);
}

#else /* !CONFIG_CGROUP_CPUFEAT */

static inline void cpufeat_exec(struct linux_binprm *bprm) {}
static inline unsigned long cpufeat_elf_hwcap(unsigned int type,
					      unsigned long hwcap, bool compat)
{
	return hwcap;
}

static inline void cpufeat_mm_init(struct mm_struct *mm) {}
static inline void cpufeat_mm_drop(struct mm_struct *mm) {}
static inline const unsigned long *cpufeat_hidden(struct mm_struct *mm)
{
	return NULL;
}

static inline void cpufeat_count_emulation(void) {}

#endif /* CONFIG_CGROUP_CPUFEAT */

#endif /* _LINUX_CGROUP_CPUFEAT_H */
