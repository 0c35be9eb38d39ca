// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the cpufeat controller: its interface files, the hierarchy, and
 * what the programs exec'd in a cgroup are told about the CPU.
 *
 * The generic tests are here; each architecture's file (cpufeat_x86.c,
 * cpufeat_arm64.c) adds its own and the names they use.  The programs the
 * tests run in cgroups are cpufeat_probe, found next to this program or on
 * the PATH (cpufeat_util.c).
 */
#define _GNU_SOURCE

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../kselftest.h"
#include "cpufeat_util.h"

/*
 * The interface files exist where they should, with the right modes:
 * cpufeat.hwcap and cpufeat.stat only below the root.
 */
static int test_cpufeat_files(const char *root)
{
	static const struct {
		const char *name;
		mode_t root_mode;	/* 0: absent */
		mode_t mode;
	} files[] = {
		{ "cpufeat.hwcap",		0,	0644 },
		{ "cpufeat.hwcap.effective",	0444,	0444 },
		{ "cpufeat.stat",		0,	0444 },
	};
	const struct fixture_params params = { .name = "cpufeat_test_files" };
	char path[PATH_MAX];
	struct fixture *f;
	struct stat st;
	int ret, i, j;
	mode_t mode;

	ret = fixture_setup(&f, root, &params);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		for (j = 0; j < 2; j++) {
			mode = j ? files[i].mode : files[i].root_mode;
			snprintf(path, sizeof(path), "%s/%s", j ? f->cg : root,
				 files[i].name);
			if (stat(path, &st)) {
				if (!mode && errno == ENOENT)
					continue;
				ksft_print_msg("%s: %s\n", path,
					       strerror(errno));
				goto cleanup;
			}
			if (!mode) {
				ksft_print_msg("%s should not exist\n", path);
				goto cleanup;
			}
			if (!S_ISREG(st.st_mode) ||
			    (st.st_mode & 07777) != mode) {
				ksft_print_msg("%s: mode %o, expected %o\n",
					       path, st.st_mode, mode);
				goto cleanup;
			}
		}
	}

	if (stat("/proc/self/cpufeat", &st)) {
		ksft_print_msg("/proc/self/cpufeat: %s\n", strerror(errno));
		goto cleanup;
	}
	if ((st.st_mode & 07777) != 0400) {
		ksft_print_msg("/proc/self/cpufeat: mode %o, expected 400\n",
			       st.st_mode & 07777);
		goto cleanup;
	}
	ret = KSFT_PASS;
cleanup:
	return fixture_teardown(f, ret);
}

/*
 * A new cgroup allows everything ("max") and offers what the root offers;
 * the root offers something.
 */
static int test_cpufeat_defaults(const char *root)
{
	const struct fixture_params params = {
		.name = "cpufeat_test_defaults",
		.subtree = true,
	};
	struct fixture *f;
	char *child;
	int ret;

	ret = fixture_setup(&f, root, &params);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;
	if (!list_count(f->machine)) {
		ksft_print_msg("the root's effective set is empty\n");
		goto cleanup;
	}
	child = fixture_cgroup(f, f->cg, "child", NULL, NULL);
	if (!child)
		goto cleanup;

	if (!list_is(f->cg, "cpufeat.hwcap", "max") ||
	    !effective_is(f->cg, f->machine) ||
	    !list_is(child, "cpufeat.hwcap", "max") ||
	    !effective_is(child, f->machine))
		goto cleanup;
	if (stat_all_zero(f->cg))
		ret = KSFT_PASS;
cleanup:
	return fixture_teardown(f, ret);
}

/*
 * Every name the kernel knows reads back as "max".  What they are: "-first"
 * on max leaves all the others, which the machine's names complete.
 */
static bool all_names_read_max(const char *cg, const char *machine,
			       const char *first, char *known)
{
	char buf[2 * LIST_SIZE];

	snprintf(buf, sizeof(buf), "-%s", first);
	if (write_hwcap(cg, "max") || write_hwcap(cg, buf) ||
	    read_hwcap(cg, known))
		return false;
	snprintf(buf, sizeof(buf), "%s %s", known, first);
	if (list_has(known, first) || !list_subset(machine, buf)) {
		ksft_print_msg("after -%s the setting is \"%s\"\n", first,
			       known);
		return false;
	}
	return !write_hwcap(cg, buf) && list_is(cg, "cpufeat.hwcap", "max");
}

/*
 * A name the kernel knows (in @known) and the machine lacks is accepted,
 * with @first: it reads back, and only @first can be offered.
 */
static bool lacking_name_accepted(const char *cg, const char *machine,
				  const char *known, const char *first)
{
	char buf[LIST_SIZE], lacking[64] = "";
	int i;

	for (i = 0; !lacking[0] && i < list_count(known); i++)
		if (!list_has(machine, list_word(known, i)))
			snprintf(lacking, sizeof(lacking), "%s",
				 list_word(known, i));
	if (!lacking[0]) {
		ksft_print_msg("the machine has every feature the kernel knows\n");
		return true;
	}
	snprintf(buf, sizeof(buf), "%s %s", lacking, first);
	if (write_hwcap(cg, buf) || read_hwcap(cg, buf))
		return false;
	if (list_count(buf) != 2 || !list_has(buf, lacking) ||
	    !list_has(buf, first)) {
		ksft_print_msg("\"%s %s\" reads back as \"%s\"\n", lacking,
			       first, buf);
		return false;
	}
	return effective_within(cg, first, buf);
}

/*
 * A list of names reads back in table order; what was read can be written
 * back; "max" restores the default; all names read back as "max"; names of
 * features the machine lacks are accepted.
 */
static int test_cpufeat_set_read_back(const char *root)
{
	const struct fixture_params params = {
		.name = "cpufeat_test_set_read_back",
	};
	char buf[2 * LIST_SIZE], expected[LIST_SIZE], known[LIST_SIZE];
	char first[64], middle[64], last[64];
	struct fixture *f;
	const char *cg;
	int ret, n;

	ret = fixture_setup(&f, root, &params);
	if (ret != KSFT_PASS)
		goto cleanup;
	cg = f->cg;
	n = list_count(f->machine);
	if (n < 3) {
		ksft_print_msg("the machine has fewer than 3 features\n");
		ret = KSFT_SKIP;
		goto cleanup;
	}
	ret = KSFT_FAIL;
	snprintf(first, sizeof(first), "%s", list_word(f->machine, 0));
	snprintf(middle, sizeof(middle), "%s", list_word(f->machine, n / 2));
	snprintf(last, sizeof(last), "%s", list_word(f->machine, n - 1));

	/* Out of order, with white space around and between the names. */
	snprintf(buf, sizeof(buf), " %s\t%s\n %s%s\n", last, first, middle, "  ");
	if (write_hwcap(cg, buf))
		goto cleanup;
	snprintf(expected, sizeof(expected), "%s %s %s", first, middle, last);
	if (!list_is(cg, "cpufeat.hwcap", expected))
		goto cleanup;
	/* Dependencies may take away some, never add. */
	if (read_effective(cg, buf))
		goto cleanup;
	if (!list_subset(buf, expected)) {
		ksft_print_msg("effective \"%s\" not within \"%s\"\n", buf,
			       expected);
		goto cleanup;
	}

	/* What was read, written back, is the same setting. */
	if (read_state(cg, &f->before) || write_hwcap(cg, f->before.hwcap) ||
	    !state_unchanged(cg, &f->before))
		goto cleanup;

	if (write_hwcap(cg, "  max\n") ||
	    !list_is(cg, "cpufeat.hwcap", "max") ||
	    !effective_is(cg, f->machine))
		goto cleanup;

	/*
	 * Every feature of the machine: "max" if the machine has every name
	 * the kernel knows, else those names.  Either way nothing is hidden.
	 */
	if (write_hwcap(cg, f->machine) || read_hwcap(cg, buf))
		goto cleanup;
	if (strcmp(buf, "max") && strcmp(buf, f->machine)) {
		ksft_print_msg("all features read back as \"%s\"\n", buf);
		goto cleanup;
	}
	if (!effective_is(cg, f->machine))
		goto cleanup;

	if (all_names_read_max(cg, f->machine, first, known) &&
	    lacking_name_accepted(cg, f->machine, known, first))
		ret = KSFT_PASS;
cleanup:
	return fixture_teardown(f, ret);
}

/*
 * "-name" hides a feature and the features that need it, "+name" shows
 * them again; edits apply to "max" and to lists alike.
 */
static int test_cpufeat_edits(const char *root)
{
	const char * const *hide = cpufeat_arch.hide_set;
	const struct fixture_params params = {
		.needs = hide,
		.name = "cpufeat_test_edits",
	};
	char buf[LIST_SIZE], expected[LIST_SIZE];
	const char *x = hide[0], *y, *cg;
	const char * const *p;
	struct fixture *f;
	int ret;

	ret = fixture_setup(&f, root, &params);
	if (ret != KSFT_PASS)
		goto cleanup;
	cg = f->cg;
	y = list_first_of(f->machine, cpufeat_arch.independent);
	if (!y) {
		ksft_print_msg("the machine has no feature independent of %s\n",
			       x);
		ret = KSFT_SKIP;
		goto cleanup;
	}
	ret = KSFT_FAIL;

	/* -x on max: the setting lacks x only, the effective set its users. */
	snprintf(buf, sizeof(buf), "-%s", x);
	if (write_hwcap(cg, buf) || !effective_hides(cg, f->machine, hide) ||
	    read_hwcap(cg, buf))
		goto cleanup;
	if (list_has(buf, x) || !list_has(buf, y)) {
		ksft_print_msg("setting after -%s: \"%s\"\n", x, buf);
		goto cleanup;
	}
	for (p = hide + 1; *p; p++) {
		if (!list_has(buf, *p)) {
			ksft_print_msg("-%s removed %s from the setting\n", x,
				       *p);
			goto cleanup;
		}
	}
	if (read_effective(cg, buf) || !list_has(buf, y)) {
		ksft_print_msg("-%s hid %s\n", x, y);
		goto cleanup;
	}

	/* +x: back to everything, which reads as "max". */
	snprintf(buf, sizeof(buf), "+%s", x);
	if (write_hwcap(cg, buf) || !list_is(cg, "cpufeat.hwcap", "max") ||
	    !effective_is(cg, f->machine))
		goto cleanup;

	/* Several edits at once, then one by one. */
	snprintf(buf, sizeof(buf), "-%s\t-%s\n", y, x);
	if (write_hwcap(cg, buf) || !effective_hides(cg, f->machine, hide) ||
	    read_effective(cg, buf))
		goto cleanup;
	if (list_has(buf, y)) {
		ksft_print_msg("-%s did not hide it\n", y);
		goto cleanup;
	}
	snprintf(buf, sizeof(buf), "+%s", y);
	if (write_hwcap(cg, buf) || !effective_hides(cg, f->machine, hide) ||
	    read_effective(cg, buf))
		goto cleanup;
	if (!list_has(buf, y)) {
		ksft_print_msg("+%s did not show it again\n", y);
		goto cleanup;
	}
	snprintf(buf, sizeof(buf), "+%s", x);
	if (write_hwcap(cg, buf) || !list_is(cg, "cpufeat.hwcap", "max"))
		goto cleanup;

	/* Edits of a list of names. */
	if (write_hwcap(cg, y))
		goto cleanup;
	snprintf(buf, sizeof(buf), "+%s", x);
	if (write_hwcap(cg, buf))
		goto cleanup;
	snprintf(buf, sizeof(buf), "%s %s", x, y);
	list_ordered(f->machine, buf, expected, sizeof(expected));
	if (!list_is(cg, "cpufeat.hwcap", expected))
		goto cleanup;
	snprintf(buf, sizeof(buf), "-%s", y);
	if (!write_hwcap(cg, buf) && list_is(cg, "cpufeat.hwcap", x))
		ret = KSFT_PASS;
cleanup:
	return fixture_teardown(f, ret);
}

/*
 * A cgroup offers no more than its parent: hiding a feature in a parent
 * hides it below, whatever the children say, and showing it again shows it
 * where the children allow it.  Three levels, and a cgroup created below
 * one that is already restricted.
 */
static int test_cpufeat_hierarchy(const char *root)
{
	const char * const *hide = cpufeat_arch.hide_set;
	const struct fixture_params params = {
		.needs = hide,
		.name = "cpufeat_test_hierarchy",
		.subtree = true,
	};
	char buf[LIST_SIZE], parent_eff[LIST_SIZE];
	char *parent, *child, *grandchild = NULL, *late;
	const char *hide_y[2] = { NULL }, *machine, *x = hide[0];
	struct fixture *f;
	int ret;

	ret = fixture_setup(&f, root, &params);
	if (ret != KSFT_PASS)
		goto cleanup;
	parent = f->cg;
	machine = f->machine;
	hide_y[0] = list_first_of(machine, cpufeat_arch.independent);
	if (!hide_y[0]) {
		ret = KSFT_SKIP;
		goto cleanup;
	}
	ret = KSFT_FAIL;
	child = fixture_cgroup(f, parent, "child", NULL, NULL);
	if (child && !cg_write(child, "cgroup.subtree_control", "+cpufeat"))
		grandchild = fixture_cgroup(f, child, "grandchild", NULL, NULL);
	if (!grandchild)
		goto cleanup;

	/* Parent hides x: so do child and grandchild, which allow all. */
	snprintf(buf, sizeof(buf), "-%s", x);
	if (write_hwcap(parent, buf) ||
	    !effective_hides(parent, machine, hide) ||
	    read_effective(parent, parent_eff) ||
	    !effective_is(child, parent_eff) ||
	    !effective_is(grandchild, parent_eff))
		goto cleanup;

	/* Naming x in the child does not bring it back. */
	if (write_hwcap(child, machine) ||
	    !effective_is(child, parent_eff) ||
	    !effective_is(grandchild, parent_eff))
		goto cleanup;

	/* Parent back to max: the child, which names x, offers it again. */
	if (write_hwcap(parent, "max") ||
	    !effective_is(child, machine) ||
	    !effective_is(grandchild, machine))
		goto cleanup;

	/* ...unless the child's own setting excludes it. */
	snprintf(buf, sizeof(buf), "-%s", hide_y[0]);
	if (write_hwcap(child, buf) ||
	    !effective_hides(child, machine, hide_y) ||
	    read_effective(child, buf) ||
	    !effective_is(grandchild, buf) ||
	    !list_has(buf, x)) {
		ksft_print_msg("child hiding %s: effective \"%s\"\n", hide_y[0],
			       buf);
		goto cleanup;
	}

	/* Both levels restrict: the grandchild sees neither. */
	snprintf(buf, sizeof(buf), "-%s", x);
	if (write_hwcap(parent, buf) ||
	    read_effective(parent, parent_eff) ||
	    !effective_hides(child, parent_eff, hide_y) ||
	    !effective_hides(child, parent_eff, hide) ||
	    read_effective(child, buf) ||
	    !effective_hides(grandchild, buf, hide) ||
	    !effective_hides(grandchild, buf, hide_y))
		goto cleanup;

	/* A cgroup created below a restricted one starts restricted. */
	late = fixture_cgroup(f, child, "late", NULL, NULL);
	if (!late || !list_is(late, "cpufeat.hwcap", "max") ||
	    read_effective(child, buf) ||
	    !effective_is(late, buf))
		goto cleanup;

	/* Everything back to max. */
	if (!write_hwcap(parent, "max") && !write_hwcap(child, "max") &&
	    effective_is(grandchild, machine) &&
	    effective_is(late, machine))
		ret = KSFT_PASS;
cleanup:
	return fixture_teardown(f, ret);
}

/*
 * A write skips the subtrees whose sets it leaves as they were, and goes
 * on with the cgroups after them: a child that already hides what its
 * parent now hides keeps its set, and so does its own child; a sibling
 * after it follows the parent; a child whose parent changes by what its
 * own setting excludes keeps its set too.
 */
static int test_cpufeat_write_skips_kept_subtrees(const char *root)
{
	const char * const *hide = cpufeat_arch.hide_set;
	const struct fixture_params params = {
		.needs = hide,
		.name = "cpufeat_test_skips",
		.subtree = true,
	};
	char a_eff[LIST_SIZE], a1_eff[LIST_SIZE], parent_eff[LIST_SIZE];
	char hide_x[64], hide_y[64], *a, *a1 = NULL, *b;
	const char *y, *writes[] = { NULL, "max", NULL, "max" };
	struct fixture *f;
	int ret, i;

	ret = fixture_setup(&f, root, &params);
	if (ret != KSFT_PASS)
		goto cleanup;
	y = list_first_of(f->machine, cpufeat_arch.independent);
	if (!y) {
		ret = KSFT_SKIP;
		goto cleanup;
	}
	ret = KSFT_FAIL;
	snprintf(hide_x, sizeof(hide_x), "-%s", hide[0]);
	snprintf(hide_y, sizeof(hide_y), "-%s", y);
	/* a hides x; a/a1 hides y as well; b, made after a, hides nothing. */
	a = fixture_cgroup(f, f->cg, "a", hide_x, a_eff);
	if (a && !cg_write(a, "cgroup.subtree_control", "+cpufeat"))
		a1 = fixture_cgroup(f, a, "a1", hide_y, a1_eff);
	b = fixture_cgroup(f, f->cg, "b", NULL, NULL);
	if (!a1 || !b)
		goto cleanup;

	/*
	 * The parent hides x, then shows it again: a and a1 keep their sets,
	 * b follows.  The parent hides y: a hides x and y now, as a1 did,
	 * which keeps; and shows it again.
	 */
	writes[0] = hide_x;
	writes[2] = hide_y;
	for (i = 0; i < ARRAY_SIZE(writes); i++)
		if (write_hwcap(f->cg, writes[i]) ||
		    read_effective(f->cg, parent_eff) ||
		    !effective_is(a, writes[i] == hide_y ? a1_eff : a_eff) ||
		    !effective_is(a1, a1_eff) ||
		    !effective_is(b, parent_eff))
			goto cleanup;
	ret = KSFT_PASS;
cleanup:
	return fixture_teardown(f, ret);
}

/*
 * The set-up of the tests of a program's view: the machine has the hide set,
 * and cgroup @name hides its first feature (and so the rest); the view of
 * a probe in the root goes to @full.
 */
static int view_setup(struct fixture **f, const char *root, const char *name,
		      bool subtree, struct view *full)
{
	const char * const *hide = cpufeat_arch.hide_set;
	const char * const first[] = { hide[0], NULL };
	const struct fixture_params params = {
		.needs = hide,
		.name = name,
		.subtree = subtree,
		.hide = first,
	};
	int ret;

	ret = fixture_setup(f, root, &params);
	if (ret == KSFT_PASS && full && run_probe(root, "r", full, 1))
		ret = KSFT_FAIL;
	return ret;
}

/*
 * A program exec'd in a cgroup that hides a feature is not told about it:
 * its AT_HWCAP bit is clear and /proc/self/cpufeat lacks it; the same
 * program in the root cgroup or in an unrestricted cgroup is told.
 */
static int test_cpufeat_exec_view(const char *root)
{
	const char * const *hide = cpufeat_arch.hide_set;
	struct view *full, *masked, *unmasked;
	const char * const *p;
	char *unrestricted;
	struct fixture *f;
	int ret, word, bit;

	ret = view_setup(&f, root, "cpufeat_test_exec_view", false, NULL);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;
	full = &f->r[0].views[0];
	masked = &f->r[1].views[0];
	unmasked = &f->r[2].views[0];
	unrestricted = fixture_cgroup(f, NULL, "cpufeat_test_exec_view_max",
				      NULL, NULL);
	if (!unrestricted || run_probe(root, "r", full, 1))
		goto cleanup;
	if (strcmp(full->cpufeat, f->machine)) {
		print_list_diff("/proc/self/cpufeat in the root", f->machine,
				full->cpufeat);
		goto cleanup;
	}
	for (p = hide; *p; p++) {
		if (hwcap_bit(*p, &word, &bit) &&
		    !view_has_bit(full, word, bit)) {
			ksft_print_msg("the machine has %s but its AT_HWCAP%s bit %d is clear\n",
				       *p, word ? "2" : "", bit);
			ret = KSFT_SKIP;
			goto cleanup;
		}
	}

	if (run_probe(f->cg, "r", masked, 1) ||
	    !view_matches(masked, full, f->machine, f->eff))
		goto cleanup;
	for (p = hide; *p; p++) {
		if (list_has(masked->cpufeat, *p) ||
		    (hwcap_bit(*p, &word, &bit) &&
		     view_has_bit(masked, word, bit))) {
			ksft_print_msg("the program was told about %s\n", *p);
			goto cleanup;
		}
	}
	if (masked->secure) {
		ksft_print_msg("AT_SECURE is set\n");
		goto cleanup;
	}
	if (!run_probe(unrestricted, "r", unmasked, 1) &&
	    same_view(full, unmasked))
		ret = KSFT_PASS;
cleanup:
	return fixture_teardown(f, ret);
}

/*
 * A program's view is fixed at execve: changing its cgroup's setting or
 * moving it to another cgroup changes nothing until it execs again.
 */
static int test_cpufeat_view_latched_at_exec(const char *root)
{
	char eff[LIST_SIZE], buf[64];
	struct view *views, *full;
	struct fixture *f;
	struct probe *p;
	char *other;
	int ret;

	ret = view_setup(&f, root, "cpufeat_test_latched", false, NULL);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;
	views = f->r[0].views;
	full = &f->r[1].views[0];
	p = &f->probe[0];
	snprintf(buf, sizeof(buf), "-%s", cpufeat_arch.hide_set[0]);
	other = fixture_cgroup(f, NULL, "cpufeat_test_latched_other", buf, eff);
	if (!other || run_probe(root, "r", full, 1))
		goto cleanup;

	/* Started restricted; the cgroup goes back to max meanwhile. */
	if (probe_start(p, f->cg, NULL, 0, "rwr") || probe_read(p, &views[0]) ||
	    !view_matches(&views[0], full, f->machine, f->eff))
		goto cleanup;
	if (write_hwcap(f->cg, "max") || probe_continue(p) ||
	    probe_read(p, &views[1]) || probe_finish(p))
		goto cleanup;
	if (!same_view(&views[0], &views[1])) {
		ksft_print_msg("the view changed with the cgroup's setting\n");
		goto cleanup;
	}
	/* A new program there sees everything now. */
	if (run_probe(f->cg, "r", &views[0], 1) || !same_view(full, &views[0]))
		goto cleanup;

	/* Started in the root, moved into a restricted cgroup, then execs. */
	views = f->r[2].views;
	if (probe_start(p, root, NULL, 0, "rwrxr") || probe_read(p, &views[0]) ||
	    !same_view(full, &views[0]))
		goto cleanup;
	if (cg_enter(other, p->pid)) {
		ksft_print_msg("can't move the probe to %s\n", other);
		goto cleanup;
	}
	if (probe_continue(p) || probe_read(p, &views[0]) ||
	    probe_read(p, &views[1]) || probe_finish(p))
		goto cleanup;
	if (!same_view(full, &views[0])) {
		ksft_print_msg("moving the program changed its view\n");
		goto cleanup;
	}
	if (!view_matches(&views[1], full, f->machine, eff)) {
		ksft_print_msg("exec after the move did not restrict the view\n");
		goto cleanup;
	}
	ret = KSFT_PASS;
cleanup:
	return fixture_teardown(f, ret);
}

/*
 * A child forked (without exec) by a restricted program has its parent's
 * view, even when the cgroup has stopped restricting since.
 */
static int test_cpufeat_fork_inherits(const char *root)
{
	struct view *views, full;
	struct fixture *f;
	struct probe *p;
	int ret;

	ret = view_setup(&f, root, "cpufeat_test_fork_inherits", false, &full);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;
	views = f->r[0].views;
	p = &f->probe[0];
	if (probe_start(p, f->cg, NULL, 0, "rwf") || probe_read(p, &views[0]) ||
	    !view_matches(&views[0], &full, f->machine, f->eff))
		goto cleanup;
	if (write_hwcap(f->cg, "max") || probe_continue(p) ||
	    probe_read(p, &views[1]) || probe_finish(p))
		goto cleanup;
	if (!same_view(&views[0], &views[1])) {
		ksft_print_msg("the forked child's view differs\n");
		goto cleanup;
	}
	ret = KSFT_PASS;
cleanup:
	return fixture_teardown(f, ret);
}

/*
 * As nobody: root's program's /proc/PID/cpufeat (@path) can't be opened,
 * the reader's own /proc/self/cpufeat can be read.
 */
static int unprivileged_reads(const void *arg)
{
	const char *path = arg;
	char buf[LIST_SIZE];
	int fd;

	/* Dumpable again, so that its own /proc files are its own. */
	if (prctl(PR_SET_DUMPABLE, 1))
		return 1;
	fd = open(path, O_RDONLY);
	if (fd >= 0 || errno != EACCES) {
		ksft_print_msg("unprivileged open(%s): %s, expected EACCES\n",
			       path, fd >= 0 ? "success" : strerror(errno));
		return 1;
	}
	if (read_text("/proc/self/cpufeat", buf, sizeof(buf)) < 0) {
		ksft_print_msg("unprivileged read of /proc/self/cpufeat: %s\n",
			       strerror(errno));
		return 1;
	}
	return 0;
}

/*
 * /proc/PID/cpufeat shows another program's view to whoever may read its
 * /proc/PID/auxv: root may, an unprivileged user may not read root's.
 */
static int test_cpufeat_proc_pid_cpufeat(const char *root)
{
	char buf[LIST_SIZE], path[64];
	struct fixture *f;
	struct probe *p;
	struct view *v;
	int ret;

	ret = view_setup(&f, root, "cpufeat_test_proc_pid_cpufeat", false,
			 NULL);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;
	v = &f->r[0].views[0];
	p = &f->probe[0];
	if (probe_start(p, f->cg, NULL, 0, "rw") || probe_read(p, v))
		goto cleanup;

	/* Root reads the probe's view; the cgroup's setting doesn't matter. */
	snprintf(path, sizeof(path), "/proc/%d/cpufeat", p->pid);
	if (write_hwcap(f->cg, "max") || read_text(path, buf, sizeof(buf)) < 0) {
		ksft_print_msg("can't read %s: %s\n", path, strerror(errno));
		goto cleanup;
	}
	buf[strcspn(buf, "\n")] = '\0';
	if (strcmp(buf, v->cpufeat)) {
		ksft_print_msg("%s: \"%s\", the program sees \"%s\"\n", path,
			       buf, v->cpufeat);
		goto cleanup;
	}

	/* Nobody can't read root's program's, but its own. */
	if (run_as(NOBODY, unprivileged_reads, path) && !probe_continue(p) &&
	    !probe_finish(p))
		ret = KSFT_PASS;
cleanup:
	return fixture_teardown(f, ret);
}

/*
 * /proc/PID/cpufeat shows the program the process runs when the file is
 * read: one opened before the process executed a program in a masked
 * cgroup shows that program's view, not the one before.
 */
static int test_cpufeat_proc_pid_cpufeat_after_exec(const char *root)
{
	char buf[LIST_SIZE], path[64];
	struct view *before, *after;
	struct fixture *f;
	struct probe *p;
	int fd = -1, ret;
	ssize_t len;

	ret = view_setup(&f, root, "cpufeat_test_proc_after_exec", false,
			 NULL);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;
	before = &f->r[0].views[0];
	after = &f->r[1].views[0];
	p = &f->probe[0];
	/* Report, wait, execute itself, report and wait. */
	if (probe_start(p, root, NULL, 0, "rwxrw") || probe_read(p, before))
		goto cleanup;
	snprintf(path, sizeof(path), "/proc/%d/cpufeat", p->pid);
	fd = open(path, O_RDONLY);
	if (fd < 0 || cg_enter(f->cg, p->pid) || probe_continue(p) ||
	    probe_read(p, after))
		goto cleanup;
	if (!strcmp(before->cpufeat, after->cpufeat)) {
		ksft_print_msg("the program in %s sees what it saw before\n",
			       f->cg);
		goto cleanup;
	}
	len = read(fd, buf, sizeof(buf) - 1);
	if (len < 0) {
		ksft_print_msg("read %s: %s\n", path, strerror(errno));
		goto cleanup;
	}
	buf[len] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (strcmp(buf, after->cpufeat)) {
		print_list_diff(path, after->cpufeat, buf);
		goto cleanup;
	}
	if (!probe_continue(p) && !probe_finish(p))
		ret = KSFT_PASS;
cleanup:
	if (fd >= 0)
		close(fd);
	return fixture_teardown(f, ret);
}

static long restricted_execs(const char *cgroup)
{
	return cg_read_key_long(cgroup, "cpufeat.stat", "restricted_execs ");
}

/*
 * cpufeat.stat counts the execs in the cgroup itself that got a restricted
 * view: not those in descendants, not those in unrestricted cgroups.
 */
static int test_cpufeat_stat(const char *root)
{
	char *leaf, *unrestricted;
	struct fixture *f;
	struct view *views;
	long before;
	int ret;

	ret = view_setup(&f, root, "cpufeat_test_stat", true, NULL);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;
	views = f->r[0].views;
	unrestricted = fixture_cgroup(f, NULL, "cpufeat_test_stat_max", NULL,
				      NULL);
	leaf = fixture_cgroup(f, f->cg, "leaf", NULL, NULL);
	if (!unrestricted || !leaf)
		goto cleanup;
	before = restricted_execs(leaf);
	if (before < 0)
		goto cleanup;

	/* Four execs: two probes, and one that execs itself once more. */
	if (run_probe(leaf, "r", views, 1) || run_probe(leaf, "r", views, 1) ||
	    run_probe(leaf, "rxr", views, 2))
		goto cleanup;
	if (restricted_execs(leaf) != before + 4) {
		ksft_print_msg("restricted_execs went from %ld to %ld after 4 execs\n",
			       before, restricted_execs(leaf));
		goto cleanup;
	}
	if (restricted_execs(f->cg)) {
		ksft_print_msg("the parent counted its descendant's execs\n");
		goto cleanup;
	}

	if (run_probe(unrestricted, "rxr", views, 2))
		goto cleanup;
	if (restricted_execs(unrestricted)) {
		ksft_print_msg("an unrestricted cgroup counted execs\n");
		goto cleanup;
	}

	/* Back to max: execs there are not restricted any more. */
	if (write_hwcap(f->cg, "max") || run_probe(leaf, "r", views, 1))
		goto cleanup;
	if (restricted_execs(leaf) != before + 4) {
		ksft_print_msg("an exec under max was counted\n");
		goto cleanup;
	}
	ret = KSFT_PASS;
cleanup:
	return fixture_teardown(f, ret);
}

/*
 * The set-up of the EPERM tests: cgroup @name, which must end as it
 * started, and in @setting a write that would change it.
 */
static int eperm_setup(struct fixture **f, const char *root, const char *name,
		       char *setting, size_t size)
{
	const struct fixture_params params = {
		.name = name,
		.unchanged = true,
	};
	int ret = fixture_setup(f, root, &params);

	if (ret == KSFT_PASS)
		snprintf(setting, size, "-%s",
			 list_word((*f)->machine, list_count((*f)->machine) - 1));
	return ret;
}

/*
 * What counts is who opened the file: root writing through a file an
 * unprivileged user opened gets EPERM.  The fd travels over SCM_RIGHTS, or
 * by pidfd_getfd() on kernels without AF_UNIX.
 */
static int test_cpufeat_eperm_passed_fd(const char *root)
{
	struct fd_opener c = FD_OPENER_INIT;
	char path[PATH_MAX], setting[80];
	struct fixture *f;
	int ret, fd = -1;

	ret = eperm_setup(&f, root, "cpufeat_test_eperm_fd", setting,
			  sizeof(setting));
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;
	snprintf(path, sizeof(path), "%s/cpufeat.hwcap", f->cg);
	if (chown(path, NOBODY, NOBODY))
		goto cleanup;
	fd = fd_opened_as(&c, NOBODY, path, O_WRONLY);
	if (fd == -2) {
		ret = KSFT_SKIP;
		goto cleanup;
	}
	if (fd < 0) {
		ksft_print_msg("didn't get the child's fd: %s\n",
			       strerror(errno));
		goto cleanup;
	}
	if (write_expecting_eperm(fd, setting) != WRITER_GOT_EPERM ||
	    !state_unchanged(f->cg, &f->before))
		goto cleanup;

	/* Opened by root itself, the same write works. */
	if (!write_hwcap(f->cg, setting) && !write_hwcap(f->cg, "max"))
		ret = KSFT_PASS;
cleanup:
	if (fd >= 0)
		close(fd);
	if (!fd_opener_end(&c)) {
		ksft_print_msg("the child that opened the file failed\n");
		ret = KSFT_FAIL;
	}
	return fixture_teardown(f, ret);
}

/*
 * Run a writer that enters a context with @enter (a WRITER_* code, 0 when
 * done), then opens cpufeat.hwcap of a cgroup and must get EPERM writing
 * it; the cgroup must be unchanged.
 */
static int eperm_writer_test(const char *root, const char *name,
			     int (*enter)(const char *cg))
{
	struct fixture *f;
	char setting[80];
	pid_t pid;
	int ret;

	ret = eperm_setup(&f, root, name, setting, sizeof(setting));
	if (ret != KSFT_PASS)
		goto cleanup;
	fflush(stdout);
	pid = fork();
	if (!pid) {
		ret = enter(f->cg);
		_exit(ret ?: open_and_write(f->cg, setting));
	}
	ret = wait_writer(pid);
cleanup:
	return fixture_teardown(f, ret);
}

/*
 * Owning cpufeat.hwcap through delegation is not enough to write it: an
 * unprivileged owner opens it but the write fails with EPERM.
 */
static int test_cpufeat_eperm_delegated_owner(const char *root)
{
	return eperm_writer_test(root, "cpufeat_test_eperm_owner",
				 enter_as_owner);
}

/* Root without CAP_SYS_ADMIN opens cpufeat.hwcap but can't write it. */
static int test_cpufeat_eperm_without_cap_sys_admin(const char *root)
{
	return eperm_writer_test(root, "cpufeat_test_eperm_caps",
				 enter_without_cap_sys_admin);
}

/* Root inside a new cgroup namespace can't write cpufeat.hwcap. */
static int test_cpufeat_eperm_cgroup_namespace(const char *root)
{
	return eperm_writer_test(root, "cpufeat_test_eperm_cgroupns",
				 enter_cgroup_namespace);
}

/*
 * Root in a new user namespace, mapped to root outside so that it still
 * owns the file, has every capability there but none in the initial one:
 * it opens cpufeat.hwcap for writing and the write fails with EPERM.
 */
static int test_cpufeat_eperm_user_namespace(const char *root)
{
	return eperm_writer_test(root, "cpufeat_test_eperm_userns",
				 enter_user_namespace);
}

/*
 * Is what the program that gained privilege was told (@secure) what it
 * should be: the plain one's view (@plain, which is @eff) and the
 * protected features of the machine?
 */
static bool keeps_protected(const struct view *plain,
			    const struct view *secure, const char *machine,
			    const char *eff)
{
	const char * const *p;
	int word, bit;

	if (strcmp(plain->cpufeat, eff)) {
		print_list_diff("the view of the program that gains nothing",
				eff, plain->cpufeat);
		return false;
	}
	if (!list_subset(plain->cpufeat, secure->cpufeat) ||
	    !list_subset(secure->cpufeat, machine)) {
		ksft_print_msg("the setuid program sees \"%s\"\n",
			       secure->cpufeat);
		return false;
	}
	for (p = cpufeat_arch.protected_set; *p; p++) {
		if (!list_has(machine, *p))
			continue;
		if (!list_has(secure->cpufeat, *p)) {
			ksft_print_msg("the setuid program lost %s\n", *p);
			return false;
		}
		if (!hwcap_bit(*p, &word, &bit))
			continue;
		if (!view_has_bit(secure, word, bit) ||
		    view_has_bit(plain, word, bit)) {
			ksft_print_msg("AT_HWCAP%s bit %d (%s): %d with set-user-ID, %d without\n",
				       word ? "2" : "", bit, *p,
				       view_has_bit(secure, word, bit),
				       view_has_bit(plain, word, bit));
			return false;
		}
	}
	return true;
}

/*
 * The set-up of the secure view's tests: cgroup @name hides the protected
 * features the machine has (SKIP if it has none), its effective set goes
 * to @eff.
 */
static int secure_setup(struct fixture **fp, const char *root,
			const char *name, char *eff, char **cg)
{
	const char * const *protected = cpufeat_arch.protected_set;
	const struct fixture_params params = { 0 };
	char edits[256];
	int ret;

	ret = fixture_setup(fp, root, &params);
	if (ret != KSFT_PASS)
		return ret;
	hide_edits(protected, (*fp)->machine, edits, sizeof(edits));
	if (!edits[0]) {
		ksft_print_msg("the machine has none of the protected features\n");
		return KSFT_SKIP;
	}
	*cg = fixture_cgroup(*fp, NULL, name, edits, eff);
	if (!*cg || !effective_hides(*cg, (*fp)->machine, protected))
		return KSFT_FAIL;
	return KSFT_PASS;
}

/*
 * A run of a copy of the probe (copy_setuid_capable()), owned by @uid and
 * @gid with @mode, by a user that @become(@arg) makes.
 */
struct secure_run {
	uid_t uid;
	gid_t gid;
	mode_t mode;
	int (*become)(const void *arg);
	const void *arg;
};

/*
 * A test of the secure view: the @plain run gains no privilege and gets
 * the cgroup's view, the @secure run gains privilege and keeps the
 * protected features; AT_SECURE is 1 for @secure, and @plain_secure for
 * @plain.
 */
struct secure_test {
	const char *cgroup;
	struct secure_run plain, secure;
	unsigned long plain_secure;
};

static int secure_test(const char *root, const struct secure_test *t)
{
	const struct secure_run *runs[2] = { &t->plain, &t->secure };
	char eff[LIST_SIZE], *cg, *copy[2] = { NULL, NULL };
	struct view *v[2];
	struct fixture *f;
	int ret, i;

	ret = secure_setup(&f, root, t->cgroup, eff, &cg);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;
	for (i = 0; i < 2; i++) {
		v[i] = &f->r[i].views[0];
		copy[i] = copy_setuid_capable(PROBE_NAME);
		if (!copy[i] || chown(copy[i], runs[i]->uid, runs[i]->gid) ||
		    chmod(copy[i], runs[i]->mode) ||
		    probe_view_as(&f->probe[0], cg, copy[i], runs[i]->become,
				  runs[i]->arg, v[i]))
			goto cleanup;
	}
	if (v[0]->secure != t->plain_secure || v[1]->secure != 1)
		ksft_print_msg("AT_SECURE: %lu and %lu, expected %lu and 1\n",
			       v[0]->secure, v[1]->secure, t->plain_secure);
	else if (keeps_protected(v[0], v[1], f->machine, eff))
		ret = KSFT_PASS;
cleanup:
	for (i = 0; i < 2; i++)
		remove_copy(copy[i]);
	return fixture_teardown(f, ret);
}

/*
 * A program that gains privilege at execve (here: set-user-ID root, run by
 * an unprivileged user) keeps the hardening features even where the cgroup
 * hides them; a program that does not gain privilege doesn't.
 */
static int test_cpufeat_secureexec_keeps_protected(const char *root)
{
	static const struct secure_test t = {
		"cpufeat_test_secureexec",
		{ 0, 0, 0755, become_nobody },
		{ 0, 0, 04755, become_nobody },
		0,
	};

	return secure_test(root, &t);
}

/*
 * The secure view is for a gain of privilege, not for AT_SECURE: a user in
 * group G running a set-group-ID G program gains nothing and gets the
 * cgroup's view, so that chgrp and chmod g+s cannot widen what the user's
 * own programs see; a user outside G gains G and gets the secure view.
 */
static int test_cpufeat_secureexec_own_group(const char *root)
{
	static const struct secure_test t = {
		"cpufeat_test_own_group",
		{ 0, OWN_GROUP, 02755, become_member },
		{ 0, OWN_GROUP, 02755, become_nobody },
		1,
	};

	return secure_test(root, &t);
}

/*
 * In a user namespace that an unprivileged user made, that user holds
 * every id: a set-user-ID program of the namespace's root (the user
 * outside), run by another of its users, gains nothing and gets the
 * cgroup's view.  In one that root made, the same gains root and gets the
 * secure view.
 */
static int test_cpufeat_secureexec_user_namespace(const char *root)
{
	static const uid_t users = NOBODY, roots;
	static const struct secure_test t = {
		"cpufeat_test_secure_userns",
		{ NOBODY, NOBODY, 04755, become_ns_user, &users },
		{ 0, 0, 04755, become_ns_user, &roots },
		1,
	};

	return secure_test(root, &t);
}

/* As nobody: turn cpufeat off and on again below the delegated @arg. */
static int toggle_cpufeat(const void *arg)
{
	const char *cg = arg;

	return cg_write(cg, "cgroup.subtree_control", "-cpufeat") ||
	       cg_write(cg, "cgroup.subtree_control", "+cpufeat");
}

/*
 * A delegatee can undo what was set below its delegation point: turning
 * cpufeat off and on again in the delegated cgroup's subtree_control
 * brings a child's setting back to "max", and its set back to the
 * delegated cgroup's, never beyond (the guide's "Who May Write").
 */
static int test_cpufeat_delegatee_resets_below(const char *root)
{
	const char * const *hide = cpufeat_arch.hide_set;
	const struct fixture_params params = {
		.needs = hide,
		.name = "cpufeat_test_delegatee",
		.subtree = true,
	};
	char eff[LIST_SIZE], edit[64], *child;
	const char *y[2] = { NULL };
	struct fixture *f;
	int ret;

	ret = fixture_setup(&f, root, &params);
	if (ret != KSFT_PASS)
		goto cleanup;
	y[0] = list_first_of(f->machine, cpufeat_arch.independent);
	if (!y[0]) {
		ret = KSFT_SKIP;
		goto cleanup;
	}
	ret = KSFT_FAIL;
	/* Root hides y at the delegation point, and x below it. */
	snprintf(edit, sizeof(edit), "-%s", y[0]);
	if (write_hwcap(f->cg, edit) || read_effective(f->cg, eff))
		goto cleanup;
	snprintf(edit, sizeof(edit), "-%s", hide[0]);
	child = fixture_cgroup(f, f->cg, "below", edit, NULL);
	if (!child || !effective_hides(child, eff, hide) ||
	    chown_cgroup(f->cg, NOBODY) ||
	    !run_as(NOBODY, toggle_cpufeat, f->cg))
		goto cleanup;
	/* The child is back to max: it hides y, as the delegated cgroup. */
	if (list_is(child, "cpufeat.hwcap", "max") &&
	    effective_is(child, eff) &&
	    effective_hides(f->cg, f->machine, y))
		ret = KSFT_PASS;
cleanup:
	return fixture_teardown(f, ret);
}

/* Is every line of cpufeat.filters (@buf) one of the keys, each once? */
static bool filters_well_formed(char *buf)
{
	const struct filter_key *keys = cpufeat_arch.filter_keys;
	int i, n, seen[8] = { 0 }, nr = cpufeat_arch.nr_filter_keys;
	char key[32], value[32], *line, *pos = buf;
	int more;

	while ((more = split_line(&pos, &line, "cpufeat.filters")) > 0) {
		n = 0;
		if (sscanf(line, "%31[a-z] %31[a-z]%n", key, value, &n) != 2 ||
		    line[n] || strlen(key) + 1 + strlen(value) != n) {
			ksft_print_msg("cpufeat.filters: \"%s\" is not \"key value\"\n",
				       line);
			return false;
		}
		for (i = 0; i < nr; i++)
			if (!strcmp(key, keys[i].key))
				break;
		if (i == nr || seen[i]++ || !list_has(keys[i].values, value)) {
			ksft_print_msg("cpufeat.filters: unexpected \"%s\"\n",
				       line);
			return false;
		}
	}
	if (more < 0)
		return false;
	for (i = 0; i < nr; i++) {
		if (!seen[i]) {
			ksft_print_msg("cpufeat.filters has no \"%s\" line\n",
				       keys[i].key);
			return false;
		}
	}
	return true;
}

/* As nobody: cpufeat.filters can be read, not opened to write. */
static int filters_read_only(const void *root)
{
	char buf[256];

	if (cg_open(root, "cpufeat.filters", O_WRONLY) >= 0 ||
	    errno != EACCES) {
		ksft_print_msg("unprivileged open of cpufeat.filters for writing: %s\n",
			       strerror(errno));
		return 1;
	}
	if (cg_read(root, "cpufeat.filters", buf, sizeof(buf))) {
		ksft_print_msg("unprivileged read of cpufeat.filters: %s\n",
			       strerror(errno));
		return 1;
	}
	return 0;
}

/*
 * cpufeat.filters, only in the root, read-only, says what the kernel
 * filters on this machine.  x86_64: "auxv yes", "cpuid yes" or "cpuid no"
 * (without CPUID faulting, as ARCH_SET_CPUID then fails too), "cpuinfo
 * yes".  arm64: "auxv yes", "mrs yes" or "mrs no", "cpuinfo yes" or
 * "cpuinfo no".
 */
static int test_cpufeat_filters_file(const char *root)
{
	const struct fixture_params params = { .name = "cpufeat_test_filters" };
	char path[PATH_MAX], buf[256];
	struct fixture *f;
	struct stat st;
	int ret;

	if (!cpufeat_arch.nr_filter_keys) {
		ksft_print_msg("no cpufeat.filters keys for this architecture\n");
		return KSFT_SKIP;
	}
	snprintf(path, sizeof(path), "%s/cpufeat.filters", root);
	if (stat(path, &st)) {
		ksft_print_msg("%s: %s\n", path, strerror(errno));
		return KSFT_FAIL;
	}
	if (!S_ISREG(st.st_mode) || (st.st_mode & 07777) != 0444) {
		ksft_print_msg("%s: mode %o, expected 444\n", path,
			       st.st_mode);
		return KSFT_FAIL;
	}
	ret = fixture_setup(&f, root, &params);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;
	snprintf(path, sizeof(path), "%s/cpufeat.filters", f->cg);
	if (!stat(path, &st) || errno != ENOENT) {
		ksft_print_msg("%s exists: it should only be in the root\n",
			       path);
		goto cleanup;
	}
	if (cg_read(root, "cpufeat.filters", buf, sizeof(buf)) ||
	    !filters_well_formed(buf))
		goto cleanup;
	if (cpufeat_arch.filters_agree && !cpufeat_arch.filters_agree(root))
		goto cleanup;
	if (!cannot_write(root, "cpufeat.filters", O_WRONLY) ||
	    !cannot_write(root, "cpufeat.filters", O_RDWR))
		goto cleanup;
	if (run_as(NOBODY, filters_read_only, root))
		ret = KSFT_PASS;
cleanup:
	return fixture_teardown(f, ret);
}

/*
 * Does the feature line of /proc/cpuinfo the masked reader read (@masked)
 * agree with its view @v: the unmasked reader's line (@full) without the
 * features of the machine the view lacks, and every feature there if and
 * only if the view has it?
 */
static bool cpuinfo_agrees(const char *full, const char *masked,
			   const struct view *v, const char *machine)
{
	const char *key = cpufeat_arch.cpuinfo_key;
	char expected[LIST_SIZE] = "", word[64], what[128];
	size_t pos = 0;
	bool ok = true;

	while (list_next(full, &pos, word, sizeof(word)))
		if (!list_has(machine, word) || list_has(v->cpufeat, word))
			list_append(expected, sizeof(expected), word);
	if (strcmp(masked, expected)) {
		snprintf(what, sizeof(what),
			 "the masked reader's /proc/cpuinfo %s", key);
		print_list_diff(what, expected, masked);
		ok = false;
	}
	pos = 0;
	while (list_next(machine, &pos, word, sizeof(word))) {
		if (list_has(masked, word) == list_has(v->cpufeat, word))
			continue;
		ksft_print_msg("%s: %s the reader's view, %s its /proc/cpuinfo %s\n",
			       word, list_has(v->cpufeat, word) ? "in" :
			       "not in", list_has(masked, word) ? "in" :
			       "not in", key);
		ok = false;
	}
	return ok;
}

/*
 * The "flags" ("Features" on arm64) of /proc/cpuinfo, as a masked program
 * reads them, lack the features its view lacks; every flag that is a
 * cpufeat feature is there if and only if the view has it; the other flags
 * are those an unmasked reader sees, in the same order.  Needs no CPUID
 * faulting.
 */
static int test_cpufeat_cpuinfo_flags(const char *root)
{
	const struct fixture_params params = {
		.filter = "cpuinfo",
		.name = "cpufeat_test_cpuinfo",
		.hide = cpufeat_arch.wide_hide_set,
	};
	struct reports *r;
	struct fixture *f;
	int ret, processors;
	bool ok = true;

	ret = fixture_setup(&f, root, &params);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;
	r = f->r;
	if (run_reports(root, NULL, "p", &r[0], 0, 0) ||
	    run_reports(f->cg, NULL, "rp", &r[1], 1, 0))
		goto cleanup;
	processors = r[0].processors;
	if (processors < 1 || r[1].processors != processors) {
		ksft_print_msg("/proc/cpuinfo: %d processors unmasked, %d masked\n",
			       processors, r[1].processors);
		goto cleanup;
	}
	if (r[0].same == processors && r[1].same != processors) {
		ksft_print_msg("masked: %d of %d processors differ from the first\n",
			       processors - r[1].same, processors);
		ok = false;
	}
	if (!cpuinfo_agrees(r[0].flags, r[1].flags, &r[1].views[0],
			    f->machine))
		ok = false;
	if (!view_is(&r[1].views[0], f->eff))
		ok = false;
	if (ok)
		ret = KSFT_PASS;
cleanup:
	return fixture_teardown(f, ret);
}

/* The generic tests; each architecture's file lists its own. */
static const struct cpufeat_test tests[] = {
	CPUFEAT_TEST(test_cpufeat_files),
	CPUFEAT_TEST(test_cpufeat_defaults),
	CPUFEAT_TEST(test_cpufeat_set_read_back),
	CPUFEAT_TEST(test_cpufeat_edits),
	CPUFEAT_TEST(test_cpufeat_rejected_writes),
	CPUFEAT_TEST(test_cpufeat_read_only_files),
	CPUFEAT_TEST(test_cpufeat_hierarchy),
	CPUFEAT_TEST(test_cpufeat_write_skips_kept_subtrees),
	CPUFEAT_TEST(test_cpufeat_exec_view),
	CPUFEAT_TEST(test_cpufeat_view_latched_at_exec),
	CPUFEAT_TEST(test_cpufeat_fork_inherits),
	CPUFEAT_TEST(test_cpufeat_proc_pid_cpufeat),
	CPUFEAT_TEST(test_cpufeat_proc_pid_cpufeat_after_exec),
	CPUFEAT_TEST(test_cpufeat_stat),
	CPUFEAT_TEST(test_cpufeat_eperm_delegated_owner),
	CPUFEAT_TEST(test_cpufeat_eperm_passed_fd),
	CPUFEAT_TEST(test_cpufeat_eperm_without_cap_sys_admin),
	CPUFEAT_TEST(test_cpufeat_eperm_cgroup_namespace),
	CPUFEAT_TEST(test_cpufeat_eperm_user_namespace),
	CPUFEAT_TEST(test_cpufeat_secureexec_keeps_protected),
	CPUFEAT_TEST(test_cpufeat_secureexec_own_group),
	CPUFEAT_TEST(test_cpufeat_secureexec_user_namespace),
	CPUFEAT_TEST(test_cpufeat_delegatee_resets_below),
	CPUFEAT_TEST(test_cpufeat_filters_file),
	CPUFEAT_TEST(test_cpufeat_cpuinfo_flags),
	CPUFEAT_TEST(test_cpufeat_allocation_failures),
};

static void report(const struct cpufeat_test *t, const char *root)
{
	switch (t->fn(root)) {
	case KSFT_PASS:
		ksft_test_result_pass("%s\n", t->name);
		break;
	case KSFT_SKIP:
		ksft_test_result_skip("%s\n", t->name);
		break;
	default:
		ksft_test_result_fail("%s\n", t->name);
		break;
	}
}

int main(int argc, char **argv)
{
	char root[PATH_MAX], *probe;
	int i;

	ksft_print_header();
	ksft_set_plan(ARRAY_SIZE(tests) + cpufeat_arch.nr_tests);
	if (cg_find_unified_root(root, sizeof(root), NULL))
		ksft_exit_skip("cgroup v2 isn't mounted\n");

	if (cg_read_strstr(root, "cgroup.controllers", "cpufeat"))
		ksft_exit_skip("cpufeat controller isn't available\n");

	if (cg_read_strstr(root, "cgroup.subtree_control", "cpufeat"))
		if (cg_write(root, "cgroup.subtree_control", "+cpufeat"))
			ksft_exit_skip("Failed to set cpufeat controller\n");

	probe = find_program(PROBE_NAME, NULL);
	if (!probe)
		ksft_exit_fail_msg("%s is neither next to %s nor on the PATH\n",
				   PROBE_NAME, argv[0]);
	ksft_print_msg("probe: %s\n", probe);
	free(probe);

	for (i = 0; i < ARRAY_SIZE(tests); i++)
		report(&tests[i], root);
	for (i = 0; i < cpufeat_arch.nr_tests; i++)
		report(&cpufeat_arch.tests[i], root);
	ksft_finished();
}
