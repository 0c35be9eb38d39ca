// SPDX-License-Identifier: GPL-2.0
/*
 * CPU feature visibility controller for cgroups.
 *
 * A container that is checkpointed on one machine and restored on another
 * must only have discovered the CPU features that both machines have.  This
 * controller lets a container manager decide which features the programs in
 * a cgroup are told about:
 *
 *   cpufeat.hwcap            the cgroup's setting: "max" or allowed names
 *   cpufeat.hwcap.effective  setting & parent's effective & machine, closed
 *                            under the architecture's dependencies
 *   cpufeat.stat             restricted_execs and emulated instructions
 *   cpufeat.filters          (root) which discovery paths are filtered
 *
 * Every distinct effective set is an immutable, refcounted &struct
 * cpufeat_view, precomputed when a setting changes and shared by all the
 * cgroups whose effective sets are equal (views are interned by the set
 * they hide).  At execve() the new program takes a
 * reference to its cgroup's view and keeps it in its mm for its whole life:
 * fork shares it, the next execve replaces it.  Programs in cgroups that
 * hide nothing get no view (NULL), and until the first cgroup hides
 * anything a static key keeps exec free of any work.
 */

#include <linux/binfmts.h>
#include <linux/bitmap.h>
#include <linux/capability.h>
#include <linux/cgroup.h>
#include <linux/cgroup_cpufeat.h>
#include <linux/cred.h>
#include <linux/init.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/rbtree.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/user_namespace.h>

#include "cgroup-internal.h"

/* Longest accepted write to cpufeat.hwcap; kernfs fails longer ones E2BIG. */
#define CPUFEAT_MAX_WRITE	8192
#define CPUFEAT_SEPARATORS	" \t\n"

/**
 * struct cpufeat_view - an immutable set of features hidden from programs
 * @ref: references from cgroups, from the mms of programs and from the
 *	views whose @secure variant this is
 * @node: in cpufeat_views, the one view of each hidden set
 * @rcu: frees the view after the last reference is gone
 * @secure: the view for programs that gain privilege at execve; it keeps the
 *	protected (hardening) features visible.  Points to the view itself
 *	(without a reference) when the two are equal.
 * @hidden: the features the program is not told about: every named feature
 *	outside its view, those the kernel does not offer included
 * @restricted: @hidden is not empty (tested on every emulated instruction)
 * @arch: what the architecture derives from @hidden when the view is made,
 *	the @view_words words of its table (filled by its @view_init)
 */
struct cpufeat_view {
	refcount_t ref;
	struct rb_node node;
	struct rcu_head rcu;
	struct cpufeat_view *secure;
	DECLARE_BITMAP(hidden, CPUFEAT_NR_FEATURES);
	bool restricted;
	u64 arch[];
};

/**
 * struct cpufeat_setting - what cpufeat.hwcap says
 * @max: no limit
 * @allowed: the allowed features when !@max
 */
struct cpufeat_setting {
	bool max;
	DECLARE_BITMAP(allowed, CPUFEAT_NR_FEATURES);
};

/**
 * struct cpufeat_cgroup - the controller's state of one cgroup
 * @css: the cgroup subsystem state
 * @setting: the cgroup's own setting, NULL for "max": most cgroups have
 *	none of their own, and without it the structure fits in 256 bytes
 * @view: the effective view, NULL when nothing is hidden
 * @pending: the next @view while an update is being prepared
 * @updating: @pending is valid and the css is pinned for the update
 * @online: @view has been set up by css_online(); updates skip a cgroup
 *	until then, or they would race with it
 * @restricted_execs: execve()s in this cgroup that got a restricted view
 * @emulations: instructions emulated for programs running in this cgroup
 *
 * @setting, @pending, @updating and @online are protected by cpufeat_mutex;
 * @view is changed under cpufeat_mutex and read under RCU.
 */
struct cpufeat_cgroup {
	struct cgroup_subsys_state css;
	const struct cpufeat_setting *setting;
	struct cpufeat_view __rcu *view;
	struct cpufeat_view *pending;
	bool updating;
	bool online;
	atomic64_t restricted_execs;
	atomic64_t emulations;
};

static DEFINE_MUTEX(cpufeat_mutex);
static const struct cpufeat_table *cpufeat_table __ro_after_init;
static DECLARE_BITMAP(cpufeat_machine, CPUFEAT_NR_FEATURES) __ro_after_init;
static DECLARE_BITMAP(cpufeat_named, CPUFEAT_NR_FEATURES) __ro_after_init;

DEFINE_STATIC_KEY_FALSE(cpufeat_restricting);

/*
 * Every view, ordered by its hidden set, so that equal sets share one.
 * Views are added under cpufeat_mutex; the last reference to a view may be
 * dropped in atomic context (the last mmdrop() of a program), which removes
 * it under cpufeat_views_lock.
 */
static struct rb_root cpufeat_views = RB_ROOT;
static DEFINE_SPINLOCK(cpufeat_views_lock);

static const struct cpufeat_setting cpufeat_setting_max = { .max = true };

static struct cpufeat_cgroup *css_cpufeat(struct cgroup_subsys_state *css)
{
	return container_of(css, struct cpufeat_cgroup, css);
}

/* A cgroup's setting; the caller holds cpufeat_mutex. */
static const struct cpufeat_setting *
cpufeat_cg_setting(struct cpufeat_cgroup *cg)
{
	return cg->setting ?: &cpufeat_setting_max;
}

/*
 * Pure feature-set logic.  These functions only use the table they are
 * given, so that KUnit can drive them with tables of its own.
 */

static int cpufeat_find(const struct cpufeat_table *t, const char *name)
{
	unsigned int i;

	for (i = 0; i < t->nr; i++)
		if (t->names[i] && !strcmp(t->names[i], name))
			return i;
	return -EINVAL;
}

/* Every feature @t can control. */
static void cpufeat_known(const struct cpufeat_table *t, unsigned long *set)
{
	unsigned int i;

	bitmap_zero(set, CPUFEAT_NR_FEATURES);
	for (i = 0; i < t->nr; i++)
		if (t->names[i])
			__set_bit(i, set);
}

/* Remove from @set every feature that needs one not in @set. */
static void cpufeat_close(const struct cpufeat_table *t, unsigned long *set)
{
	const struct cpufeat_dep *d;
	bool changed;

	do {
		changed = false;
		for (d = t->deps; d < t->deps + t->nr_deps; d++) {
			if (test_bit(d->feature, set) &&
			    !test_bit(d->requires, set)) {
				__clear_bit(d->feature, set);
				changed = true;
			}
		}
	} while (changed);
}

/* What a cgroup offers: its parent's effective set narrowed by @s. */
static void cpufeat_effective(const struct cpufeat_table *t,
			      const unsigned long *parent,
			      const struct cpufeat_setting *s,
			      unsigned long *eff)
{
	bitmap_copy(eff, parent, CPUFEAT_NR_FEATURES);
	if (s->max)
		return;
	bitmap_and(eff, eff, s->allowed, CPUFEAT_NR_FEATURES);
	cpufeat_close(t, eff);
}

/*
 * What a program that gains privilege at execve sees: @visible plus the
 * protected features of @machine and everything they need.
 */
static void cpufeat_secure(const struct cpufeat_table *t,
			   const unsigned long *machine,
			   const unsigned long *visible, unsigned long *secure)
{
	const struct cpufeat_dep *d;
	unsigned int i;
	bool changed;

	bitmap_copy(secure, visible, CPUFEAT_NR_FEATURES);
	for (i = 0; i < t->nr_protected; i++)
		if (test_bit(t->protected[i], machine))
			__set_bit(t->protected[i], secure);
	do {
		changed = false;
		for (d = t->deps; d < t->deps + t->nr_deps; d++) {
			if (test_bit(d->feature, secure) &&
			    !test_bit(d->requires, secure) &&
			    test_bit(d->requires, machine)) {
				__set_bit(d->requires, secure);
				changed = true;
			}
		}
	} while (changed);
}

/**
 * cpufeat_parse() - apply a write to cpufeat.hwcap to a setting
 * @t: the feature table
 * @buf: the NUL-terminated text written; it is modified
 * @s: the current setting; replaced by the new one on success only
 *
 * Accepts "max", a list of names (the allowed set becomes exactly those) or
 * a list of "+name"/"-name" edits of @s.
 *
 * Return: 0, or -EINVAL for anything malformed: nothing but white space,
 * "max" with other words, names mixed with edits, an unknown or repeated
 * name, or a result that allows no feature at all.
 */
static int cpufeat_parse(const struct cpufeat_table *t, char *buf,
			 struct cpufeat_setting *s)
{
	DECLARE_BITMAP(allowed, CPUFEAT_NR_FEATURES);
	DECLARE_BITMAP(known, CPUFEAT_NR_FEATURES);
	DECLARE_BITMAP(seen, CPUFEAT_NR_FEATURES);
	enum { NOTHING, MAX, NAMES, EDITS } form = NOTHING;
	char *word;
	int f;

	cpufeat_known(t, known);
	bitmap_zero(seen, CPUFEAT_NR_FEATURES);
	if (s->max)
		bitmap_copy(allowed, known, CPUFEAT_NR_FEATURES);
	else
		bitmap_copy(allowed, s->allowed, CPUFEAT_NR_FEATURES);

	while ((word = strsep(&buf, CPUFEAT_SEPARATORS))) {
		char op = 0;

		if (!*word)
			continue;
		if (form == MAX)
			return -EINVAL;
		if (!strcmp(word, "max")) {
			if (form != NOTHING)
				return -EINVAL;
			form = MAX;
			continue;
		}
		if (*word == '+' || *word == '-')
			op = *word++;
		if (form == NOTHING) {
			form = op ? EDITS : NAMES;
			if (form == NAMES)
				bitmap_zero(allowed, CPUFEAT_NR_FEATURES);
		} else if ((form == EDITS) != !!op) {
			return -EINVAL;
		}
		f = cpufeat_find(t, word);
		if (f < 0 || __test_and_set_bit(f, seen))
			return -EINVAL;
		if (op == '-')
			__clear_bit(f, allowed);
		else
			__set_bit(f, allowed);
	}

	if (form == NOTHING)
		return -EINVAL;
	if (form == MAX) {
		s->max = true;
		return 0;
	}
	if (bitmap_empty(allowed, CPUFEAT_NR_FEATURES))
		return -EINVAL;
	s->max = bitmap_equal(allowed, known, CPUFEAT_NR_FEATURES);
	bitmap_copy(s->allowed, allowed, CPUFEAT_NR_FEATURES);
	return 0;
}

static bool cpufeat_setting_equal(const struct cpufeat_setting *a,
				  const struct cpufeat_setting *b)
{
	if (a->max || b->max)
		return a->max == b->max;
	return bitmap_equal(a->allowed, b->allowed, CPUFEAT_NR_FEATURES);
}

/* One line of names, in table order. */
static void cpufeat_print(struct seq_file *sf, const struct cpufeat_table *t,
			  const unsigned long *set)
{
	const char *sep = "";
	unsigned int i;

	for_each_set_bit(i, set, t->nr) {
		if (!t->names[i])
			continue;
		seq_printf(sf, "%s%s", sep, t->names[i]);
		sep = " ";
	}
	seq_putc(sf, '\n');
}

/* Views */

/* The features @view lets a program see; a NULL view hides nothing. */
static void cpufeat_visible(const struct cpufeat_view *view,
			    unsigned long *visible)
{
	if (view)
		bitmap_andnot(visible, cpufeat_machine, view->hidden,
			      CPUFEAT_NR_FEATURES);
	else
		bitmap_copy(visible, cpufeat_machine, CPUFEAT_NR_FEATURES);
}

static int cpufeat_view_cmp(const void *hidden, const struct rb_node *node)
{
	const struct cpufeat_view *view = rb_entry(node, struct cpufeat_view,
						   node);

	return memcmp(hidden, view->hidden, sizeof(view->hidden));
}

static bool cpufeat_view_less(struct rb_node *a, const struct rb_node *b)
{
	return cpufeat_view_cmp(rb_entry(a, struct cpufeat_view, node)->hidden,
				b) < 0;
}

/* The view that hides @hidden, with a new reference, or NULL if none. */
static struct cpufeat_view *cpufeat_view_find(const unsigned long *hidden)
{
	struct cpufeat_view *view = NULL;
	struct rb_node *node;
	unsigned long flags;

	spin_lock_irqsave(&cpufeat_views_lock, flags);
	node = rb_find(hidden, &cpufeat_views, cpufeat_view_cmp);
	if (node) {
		/* A view drops to no reference under the lock, and leaves. */
		view = rb_entry(node, struct cpufeat_view, node);
		refcount_inc(&view->ref);
	}
	spin_unlock_irqrestore(&cpufeat_views_lock, flags);
	return view;
}

static void cpufeat_view_add(struct cpufeat_view *view)
{
	unsigned long flags;

	spin_lock_irqsave(&cpufeat_views_lock, flags);
	rb_add(&view->node, &cpufeat_views, cpufeat_view_less);
	spin_unlock_irqrestore(&cpufeat_views_lock, flags);
}

static struct cpufeat_view *cpufeat_view_alloc(const unsigned long *hidden)
{
	struct cpufeat_view *view;

	view = kzalloc(struct_size(view, arch, cpufeat_table->view_words),
		       GFP_KERNEL);
	if (!view)
		return NULL;
	refcount_set(&view->ref, 1);
	view->secure = view;
	bitmap_copy(view->hidden, hidden, CPUFEAT_NR_FEATURES);
	view->restricted = !bitmap_empty(hidden, CPUFEAT_NR_FEATURES);
	if (cpufeat_table->view_init)
		cpufeat_table->view_init(view->hidden, view->arch);
	return view;
}

/**
 * cpufeat_view_get() - take a reference to a view
 * @view: the view, not NULL
 */
void cpufeat_view_get(struct cpufeat_view *view)
{
	refcount_inc(&view->ref);
}

/**
 * cpufeat_view_put() - drop a reference to a view
 * @view: the view or NULL
 *
 * May be called in atomic context (the last mmdrop of a program).
 */
void cpufeat_view_put(struct cpufeat_view *view)
{
	unsigned long flags;

	if (!view || !refcount_dec_and_lock_irqsave(&view->ref,
						    &cpufeat_views_lock,
						    &flags))
		return;
	rb_erase(&view->node, &cpufeat_views);
	spin_unlock_irqrestore(&cpufeat_views_lock, flags);
	if (view->secure != view)
		cpufeat_view_put(view->secure);
	kfree_rcu(view, rcu);
}

/*
 * The view of @visible, shared with every cgroup and program that sees the
 * same set, together with its secureexec variant: a new reference, or NULL
 * without memory.
 */
static struct cpufeat_view *cpufeat_view_get_set(const unsigned long *visible)
{
	DECLARE_BITMAP(hidden, CPUFEAT_NR_FEATURES);
	DECLARE_BITMAP(secure, CPUFEAT_NR_FEATURES);
	struct cpufeat_view *view;

	/* Only this function adds views: no other can add this one. */
	lockdep_assert_held(&cpufeat_mutex);

	bitmap_andnot(hidden, cpufeat_named, visible, CPUFEAT_NR_FEATURES);
	view = cpufeat_view_find(hidden);
	if (view)
		return view;
	view = cpufeat_view_alloc(hidden);
	if (!view)
		return NULL;
	/* The variant of the variant is itself: no deeper recursion. */
	cpufeat_secure(cpufeat_table, cpufeat_machine, visible, secure);
	if (!bitmap_equal(secure, visible, CPUFEAT_NR_FEATURES)) {
		view->secure = cpufeat_view_get_set(secure);
		if (!view->secure) {
			kfree(view);
			return NULL;
		}
	}
	cpufeat_view_add(view);
	return view;
}

/*
 * The view a cgroup with setting @s gets below a parent with @parent_view:
 * the parent's own when they are equal (NULL, which hides nothing, below a
 * parent that hides nothing), otherwise the one view of that set.  Returns
 * a new reference, NULL or an ERR_PTR.
 */
static struct cpufeat_view *
cpufeat_view_for(const struct cpufeat_setting *s,
		 struct cpufeat_view *parent_view)
{
	DECLARE_BITMAP(parent, CPUFEAT_NR_FEATURES);
	DECLARE_BITMAP(eff, CPUFEAT_NR_FEATURES);
	struct cpufeat_view *view;

	cpufeat_visible(parent_view, parent);
	cpufeat_effective(cpufeat_table, parent, s, eff);
	if (bitmap_equal(eff, parent, CPUFEAT_NR_FEATURES)) {
		if (parent_view)
			cpufeat_view_get(parent_view);
		return parent_view;
	}
	view = cpufeat_view_get_set(eff);
	if (!view)
		return ERR_PTR(-ENOMEM);
	if (!static_key_enabled(&cpufeat_restricting))
		static_branch_enable(&cpufeat_restricting);
	return view;
}

static struct cpufeat_view *cpufeat_current_view(struct cpufeat_cgroup *cg)
{
	return rcu_dereference_protected(cg->view,
					 lockdep_is_held(&cpufeat_mutex));
}

static struct cpufeat_view *cpufeat_replace_view(struct cpufeat_cgroup *cg,
						 struct cpufeat_view *view)
{
	return rcu_replace_pointer(cg->view, view,
				   lockdep_is_held(&cpufeat_mutex));
}

/* The parent's view as it will be once the update in progress is done. */
static struct cpufeat_view *cpufeat_parent_view(struct cpufeat_cgroup *cg)
{
	struct cpufeat_cgroup *parent = css_cpufeat(cg->css.parent);

	return parent->updating ? parent->pending :
				  cpufeat_current_view(parent);
}

/*
 * The features that an update being prepared adds to or removes from
 * @parent's set.
 */
static void cpufeat_changed(struct cpufeat_cgroup *parent,
			    unsigned long *changed)
{
	DECLARE_BITMAP(after, CPUFEAT_NR_FEATURES);

	cpufeat_visible(cpufeat_current_view(parent), changed);
	cpufeat_visible(parent->pending, after);
	bitmap_xor(changed, changed, after, CPUFEAT_NR_FEATURES);
}

/*
 * Does @d keep its set in the update of @cg being prepared?  Its set is its
 * parent's narrowed by its own setting, then closed: if the setting allows
 * none of the features the update adds to or removes from the parent's
 * set, the narrowed set and so its closure stay the same, which this tells
 * without computing them.  @changed holds those features for the parent
 * @changed_of, the last one asked about.
 */
static bool cpufeat_set_kept(struct cpufeat_cgroup *d,
			     struct cpufeat_cgroup *cg,
			     struct cpufeat_cgroup **changed_of,
			     unsigned long *changed)
{
	struct cpufeat_cgroup *parent = css_cpufeat(d->css.parent);
	const struct cpufeat_setting *s = cpufeat_cg_setting(d);

	if (d == cg)
		return false;
	/* A parent that keeps its set (a dying one) keeps its children's. */
	if (!parent->updating)
		return true;
	if (s->max)
		return false;
	if (parent != *changed_of) {
		cpufeat_changed(parent, changed);
		*changed_of = parent;
	}
	return !bitmap_intersects(changed, s->allowed, CPUFEAT_NR_FEATURES);
}

/*
 * Give @cg the setting @s and recompute the views of @cg and its
 * descendants.  Either every view changes or, on failure, none does.  A
 * cgroup whose set stays the same keeps its view, and so do all its
 * descendants, whose sets follow from it: their subtree is skipped, as
 * cpuset's update_cpumasks_hier() does.
 */
static int cpufeat_update(struct cpufeat_cgroup *cg,
			  const struct cpufeat_setting *s)
{
	struct cpufeat_cgroup *changed_of = NULL;
	DECLARE_BITMAP(changed, CPUFEAT_NR_FEATURES);
	struct cpufeat_setting *copy = NULL;
	struct cgroup_subsys_state *pos;
	struct cpufeat_view *view;
	int ret = 0;

	lockdep_assert_held(&cpufeat_mutex);

	if (!s->max) {
		copy = kmemdup(s, sizeof(*s), GFP_KERNEL);
		if (!copy)
			return -ENOMEM;
	}

	/* Prepare every view; allocation may sleep, so pin and unlock. */
	rcu_read_lock();
	css_for_each_descendant_pre(pos, &cg->css) {
		struct cpufeat_cgroup *d = css_cpufeat(pos);

		/* A child not yet online takes its parent's view when it is. */
		if (!d->online)
			continue;
		if (cpufeat_set_kept(d, cg, &changed_of, changed)) {
			pos = css_rightmost_descendant(pos);
			continue;
		}
		if (!css_tryget(pos))
			continue;
		rcu_read_unlock();
		view = cpufeat_view_for(d == cg ? s : cpufeat_cg_setting(d),
					cpufeat_parent_view(d));
		rcu_read_lock();
		if (IS_ERR(view)) {
			css_put(pos);
			ret = PTR_ERR(view);
			break;
		}
		/* Equal sets have one view: the pointers tell. */
		if (view == cpufeat_current_view(d)) {
			cpufeat_view_put(view);
			pos = css_rightmost_descendant(pos);
			css_put(&d->css);
			continue;
		}
		d->pending = view;
		d->updating = true;
	}
	rcu_read_unlock();

	/* Commit them all, or drop them all. */
	rcu_read_lock();
	css_for_each_descendant_pre(pos, &cg->css) {
		struct cpufeat_cgroup *d = css_cpufeat(pos);

		if (!d->updating)
			continue;
		if (!ret)
			d->pending = cpufeat_replace_view(d, d->pending);
		cpufeat_view_put(d->pending);
		d->pending = NULL;
		d->updating = false;
		css_put(pos);
	}
	rcu_read_unlock();

	if (ret) {
		kfree(copy);
		return ret;
	}
	kfree(cg->setting);
	cg->setting = copy;
	return 0;
}

/* Exec */

/* May the holder of @c act as @uid without executing anything? */
static bool cpufeat_holds_uid(const struct cred *c, kuid_t uid)
{
	return uid_eq(uid, c->uid) || uid_eq(uid, c->euid) ||
	       uid_eq(uid, c->suid) || cap_raised(c->cap_permitted, CAP_SETUID);
}

/* May the holder of @c act as group @gid without executing anything? */
static bool cpufeat_holds_gid(const struct cred *c, kgid_t gid)
{
	return gid_eq(gid, c->gid) || gid_eq(gid, c->egid) ||
	       gid_eq(gid, c->sgid) || groups_search(c->group_info, gid) ||
	       cap_raised(c->cap_permitted, CAP_SETGID);
}

/*
 * Is @ns, or a namespace above it, one that a user without privilege may
 * have made?  Its owner holds every id and capability in it, so nothing
 * gained inside it is privilege that user did not hold.
 */
static bool cpufeat_user_ns_of_user(const struct user_namespace *ns)
{
	for (; ns != &init_user_ns; ns = ns->parent)
		if (!uid_eq(ns->owner, GLOBAL_ROOT_UID))
			return true;
	return false;
}

/**
 * cpufeat_gains_privilege() - does an execve() raise its caller's privilege?
 * @old: the caller's credentials
 * @new: the credentials the new program runs with
 *
 * Only such programs get the secure view, which keeps the hardening
 * features a cgroup hides: a user who could choose it would widen the view
 * of their own programs.  AT_SECURE is not enough: a set-group-ID program
 * of one of the caller's own groups gets it too.  A gain is an effective
 * uid or gid that @old neither has (real, effective, saved, supplementary)
 * nor may take (CAP_SETUID, CAP_SETGID), or permitted capabilities beyond
 * @old's.  In a user namespace that an unprivileged user may have made
 * (owned by someone other than root, or below one) nothing counts: its
 * owner holds every id and capability in it, and may have made its
 * set-user-ID programs and file capabilities.
 *
 * Return: true if @new holds privilege that @old did not.
 */
static bool cpufeat_gains_privilege(const struct cred *old,
				    const struct cred *new)
{
	if (cpufeat_user_ns_of_user(new->user_ns))
		return false;
	return !cpufeat_holds_uid(old, new->euid) ||
	       !cpufeat_holds_gid(old, new->egid) ||
	       !cap_issubset(new->cap_permitted, old->cap_permitted);
}

/**
 * __cpufeat_exec() - latch the view of the program being executed
 * @bprm: the execve() in progress; its new mm is not installed yet
 *
 * The view comes from the cgroup the task is in now.  Programs that gain
 * privilege (cpufeat_gains_privilege()) get the variant that keeps the
 * hardening features.  Called before the new credentials are committed.
 */
void __cpufeat_exec(struct linux_binprm *bprm)
{
	struct cpufeat_cgroup *cg;
	struct cpufeat_view *view;

	rcu_read_lock();
	cg = css_cpufeat(task_css(current, cpufeat_cgrp_id));
	do {
		view = rcu_dereference(cg->view);
	} while (view && !refcount_inc_not_zero(&view->ref));
	if (view)
		atomic64_inc(&cg->restricted_execs);
	rcu_read_unlock();

	if (view && view->secure != view && bprm->secureexec &&
	    cpufeat_gains_privilege(current_cred(), bprm->cred)) {
		struct cpufeat_view *secure = view->secure;

		cpufeat_view_get(secure);
		cpufeat_view_put(view);
		view = secure;
	}
	bprm->mm->cpufeat_view = view;
}

/**
 * __cpufeat_elf_hwcap() - filter an AT_HWCAP* word for the current program
 * @type: AT_HWCAP, AT_HWCAP2, ...
 * @hwcap: the kernel's value
 * @compat: the program is a compat (32-bit) ELF
 *
 * Called while the ELF loader builds the auxiliary vector, after the new mm
 * is installed.
 *
 * Return: @hwcap without the bits of features hidden from the program.
 */
unsigned long __cpufeat_elf_hwcap(unsigned int type, unsigned long hwcap,
				  bool compat)
{
	struct cpufeat_view *view = current->mm->cpufeat_view;

	if (!view)
		return hwcap;
	return cpufeat_arch_hwcap(view->hidden, type, hwcap, compat);
}

/**
 * __cpufeat_hidden() - the features hidden from a program
 * @mm: the program's mm
 *
 * Return: the bitmap of its view, or NULL if the view hides nothing.
 */
const unsigned long *__cpufeat_hidden(struct mm_struct *mm)
{
	struct cpufeat_view *view = mm->cpufeat_view;

	if (!view || !view->restricted)
		return NULL;
	return view->hidden;
}

/**
 * __cpufeat_view_arch() - what the architecture derived for a program's view
 * @mm: the program's mm
 *
 * Return: the view's words for the architecture, as its table's @view_init
 * filled them when the view was made, or NULL if the view hides nothing.
 */
const u64 *__cpufeat_view_arch(struct mm_struct *mm)
{
	struct cpufeat_view *view = mm->cpufeat_view;

	if (!view || !view->restricted)
		return NULL;
	return view->arch;
}

/**
 * cpufeat_count_emulation() - count an instruction emulated for current
 *
 * The architecture emulates instructions (x86 CPUID) so that they answer
 * with the program's view; cpufeat.stat of the task's cgroup counts them.
 */
void cpufeat_count_emulation(void)
{
	struct cpufeat_cgroup *cg;

	rcu_read_lock();
	cg = css_cpufeat(task_css(current, cpufeat_cgrp_id));
	atomic64_inc(&cg->emulations);
	rcu_read_unlock();
}

/**
 * cpufeat_show_mm() - print the features a program is told about
 * @m: where to print one line of names
 * @mm: the program's mm, pinned by the caller
 *
 * Backs /proc/PID/cpufeat, so that checkpointers can see each program's view.
 */
void cpufeat_show_mm(struct seq_file *m, struct mm_struct *mm)
{
	DECLARE_BITMAP(visible, CPUFEAT_NR_FEATURES);

	if (!cpufeat_table)
		return;
	cpufeat_visible(mm->cpufeat_view, visible);
	cpufeat_print(m, cpufeat_table, visible);
}

/* Interface files */

static int cpufeat_hwcap_show(struct seq_file *sf, void *v)
{
	struct cpufeat_cgroup *cg = css_cpufeat(seq_css(sf));
	const struct cpufeat_setting *s;

	mutex_lock(&cpufeat_mutex);
	s = cpufeat_cg_setting(cg);
	if (s->max)
		seq_puts(sf, "max\n");
	else
		cpufeat_print(sf, cpufeat_table, s->allowed);
	mutex_unlock(&cpufeat_mutex);
	return 0;
}

/*
 * Like cgroup v1's release_agent: what a program sees is a security matter,
 * so only the initial namespaces' CAP_SYS_ADMIN may set it, judged by the
 * credentials of whoever opened the file.
 */
static bool cpufeat_may_write(struct kernfs_open_file *of)
{
	struct cgroup_file_ctx *ctx = of->priv;

	return ctx->ns == &init_cgroup_ns &&
	       file_ns_capable(of->file, &init_user_ns, CAP_SYS_ADMIN);
}

static ssize_t cpufeat_hwcap_write(struct kernfs_open_file *of, char *buf,
				   size_t nbytes, loff_t off)
{
	struct cpufeat_cgroup *cg = css_cpufeat(of_css(of));
	struct cpufeat_setting s;
	int ret;

	if (!cpufeat_may_write(of))
		return -EPERM;
	if (strlen(buf) != nbytes || !cpufeat_table)
		return -EINVAL;

	mutex_lock(&cpufeat_mutex);
	s = *cpufeat_cg_setting(cg);
	ret = cpufeat_parse(cpufeat_table, buf, &s);
	if (!ret && !cpufeat_setting_equal(&s, cpufeat_cg_setting(cg)))
		ret = cpufeat_update(cg, &s);
	mutex_unlock(&cpufeat_mutex);

	return ret ?: nbytes;
}

static int cpufeat_effective_show(struct seq_file *sf, void *v)
{
	struct cpufeat_cgroup *cg = css_cpufeat(seq_css(sf));
	DECLARE_BITMAP(visible, CPUFEAT_NR_FEATURES);

	if (!cpufeat_table)
		return 0;
	rcu_read_lock();
	cpufeat_visible(rcu_dereference(cg->view), visible);
	rcu_read_unlock();
	cpufeat_print(sf, cpufeat_table, visible);
	return 0;
}

static int cpufeat_stat_show(struct seq_file *sf, void *v)
{
	struct cpufeat_cgroup *cg = css_cpufeat(seq_css(sf));

	seq_printf(sf, "restricted_execs %lld\n",
		   (long long)atomic64_read(&cg->restricted_execs));
	if (cpufeat_table && cpufeat_table->emulation_stat)
		seq_printf(sf, "%s %lld\n", cpufeat_table->emulation_stat,
			   (long long)atomic64_read(&cg->emulations));
	return 0;
}

static int cpufeat_filters_show(struct seq_file *sf, void *v)
{
	const struct cpufeat_filter *f;

	if (!cpufeat_table)
		return 0;
	for (f = cpufeat_table->filters;
	     f < cpufeat_table->filters + cpufeat_table->nr_filters; f++)
		seq_printf(sf, "%s %s\n", f->path, f->filtered ? "yes" : "no");
	return 0;
}

static struct cftype cpufeat_files[] = {
	{
		.name = "hwcap",
		.flags = CFTYPE_NOT_ON_ROOT,
		.seq_show = cpufeat_hwcap_show,
		.write = cpufeat_hwcap_write,
		.max_write_len = CPUFEAT_MAX_WRITE,
	},
	{
		.name = "hwcap.effective",
		.seq_show = cpufeat_effective_show,
	},
	{
		.name = "stat",
		.flags = CFTYPE_NOT_ON_ROOT,
		.seq_show = cpufeat_stat_show,
	},
	{
		.name = "filters",
		.flags = CFTYPE_ONLY_ON_ROOT,
		.seq_show = cpufeat_filters_show,
	},
	{ }	/* terminate */
};

/* Life cycle */

static struct cgroup_subsys_state *
cpufeat_css_alloc(struct cgroup_subsys_state *parent_css)
{
	struct cpufeat_cgroup *cg = kzalloc(sizeof(*cg), GFP_KERNEL);

	if (!cg)
		return ERR_PTR(-ENOMEM);
	return &cg->css;
}

static int cpufeat_css_online(struct cgroup_subsys_state *css)
{
	struct cpufeat_cgroup *cg = css_cpufeat(css);
	struct cpufeat_view *view;

	if (!css->parent)
		return 0;

	mutex_lock(&cpufeat_mutex);
	view = cpufeat_view_for(cpufeat_cg_setting(cg), cpufeat_parent_view(cg));
	if (!IS_ERR(view)) {
		rcu_assign_pointer(cg->view, view);
		cg->online = true;
	}
	mutex_unlock(&cpufeat_mutex);

	return PTR_ERR_OR_ZERO(view);
}

static void cpufeat_css_free(struct cgroup_subsys_state *css)
{
	struct cpufeat_cgroup *cg = css_cpufeat(css);

	cpufeat_view_put(rcu_dereference_protected(cg->view, true));
	kfree(cg->setting);
	kfree(cg);
}

struct cgroup_subsys cpufeat_cgrp_subsys = {
	.css_alloc = cpufeat_css_alloc,
	.css_online = cpufeat_css_online,
	.css_free = cpufeat_css_free,
	.dfl_cftypes = cpufeat_files,
};

/* The machine's features are final once the secondary CPUs are up. */
static int __init cpufeat_init(void)
{
	const struct cpufeat_table *t = cpufeat_arch_table();
	unsigned int i;

	/* Without its dependencies a view would offer what it cannot. */
	if (!t) {
		pr_err("cpufeat: no feature table (out of memory): cgroups cannot hide features\n");
		return -ENOMEM;
	}
	if (WARN_ON(t->nr > CPUFEAT_NR_FEATURES))
		return -EINVAL;
	for (i = 0; i < t->nr; i++) {
		if (!t->names[i])
			continue;
		__set_bit(i, cpufeat_named);
		if (cpufeat_arch_has(i))
			__set_bit(i, cpufeat_machine);
	}
	cpufeat_close(t, cpufeat_machine);
	cpufeat_table = t;
	return 0;
}
late_initcall(cpufeat_init);

#if IS_ENABLED(CONFIG_CGROUP_CPUFEAT_KUNIT_TEST)
#include "cpufeat_test.c"
#endif
