// SPDX-License-Identifier: GPL-2.0
/*
 * The cpufeat tests of what a cgroup's cpufeat.hwcap must refuse or take:
 * malformed, unknown and oversized writes (each refused with its errno and
 * nothing changed), writes padded with white space (taken), and the
 * read-only files; and writes, mkdirs and execs surviving allocation
 * failures (fault injection).  Part of test_cpufeat (test_cpufeat.c lists
 * the tests).
 */
#define _GNU_SOURCE

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../kselftest.h"
#include "cpufeat_util.h"

/* Copy @pattern to @out with @a, @b and @A replaced; the length. */
static size_t expand(const char *pattern, const char *a, const char *b,
		     const char *upper, char *out, size_t size)
{
	size_t len = 0;

	out[0] = '\0';
	for (; *pattern && len < size; pattern++) {
		const char *s = NULL;

		if (pattern[0] == '@' && pattern[1] == 'a')
			s = a;
		else if (pattern[0] == '@' && pattern[1] == 'b')
			s = b;
		else if (pattern[0] == '@' && pattern[1] == 'A')
			s = upper;
		if (s)
			pattern++;
		len += snprintf(out + len, size - len, "%.*s",
				s ? (int)strlen(s) : 1, s ?: pattern);
	}
	return len;
}

/*
 * A cgroup and its child, which hostile writes must leave as they were.
 * What the kernel logs meanwhile is for the runner to check.
 */
struct hostile {
	const char *cg[2];
	struct cg_state before[2];
	int writes;
};

/* Are both cgroups as they were? */
static bool hostile_unchanged(struct hostile *h, const char *what)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(h->cg); i++) {
		if (!state_unchanged(h->cg[i], &h->before[i])) {
			ksft_print_msg("after %s\n", what);
			return false;
		}
	}
	return true;
}

/*
 * Write @len bytes of @buf to @file of @cgroup; true if that fails with
 * errno @expected (when opening the file or writing it) and changes nothing.
 */
static bool hostile_write(struct hostile *h, const char *cgroup,
			  const char *file, const char *buf, size_t len,
			  int expected, const char *what)
{
	int err = write_raw(cgroup, file, buf, len);

	h->writes++;
	if (err != -expected) {
		ksft_print_msg("%s (%zu bytes to %s/%s): %s, expected %s\n",
			       what, len, cgroup, file,
			       err ? strerror(-err) : "accepted",
			       strerror(expected));
		return false;
	}
	return hostile_unchanged(h, what);
}

/*
 * Write @len bytes of @buf to cpufeat.hwcap of the first cgroup; true if
 * that succeeds, the setting reads back as @expected, and writing the former
 * setting back restores everything.
 */
static bool accepted_write(struct hostile *h, const char *buf, size_t len,
			   const char *expected, const char *what)
{
	int err = write_raw(h->cg[0], "cpufeat.hwcap", buf, len);

	if (err) {
		ksft_print_msg("%s (%zu bytes): %s, expected success\n", what,
			       len, strerror(-err));
		return false;
	}
	if (!list_is(h->cg[0], "cpufeat.hwcap", expected) ||
	    write_hwcap(h->cg[0], h->before[0].hwcap)) {
		ksft_print_msg("after %s\n", what);
		return false;
	}
	return hostile_unchanged(h, what);
}

/* The largest hostile write: 1 MiB. */
#define HOSTILE_BIG	(1024 * 1024)

/* In the patterns, @a and @b stand for two names, @A for @a in upper case. */
static const struct {
	const char *what;
	const char *pattern;
	const char *after_nul;	/* written after a NUL byte */
} malformed[] = {
	{ "white space only", " \t\n" },
	{ "a space", " " },
	{ "a tab", "\t" },
	{ "a newline", "\n" },
	{ "newlines", "\n\n\n" },
	{ "white space around nothing", "  \t\t\n \t\n\t" },
	{ "max with a name", "max @a" },
	{ "a name with max", "@a max" },
	{ "max and an edit", "max -@a" },
	{ "an edit and max", "+@a max" },
	{ "max among white space and a name", "\n@a\tmax\n" },
	{ "max twice", "max max" },
	{ "MAX", "MAX" },
	{ "Max", "Max" },
	{ "mAX", "mAX" },
	{ "max\\r", "max\r" },
	{ "max\\r\\n", "max\r\n" },
	{ "\\rmax", "\rmax" },
	{ "max\\v", "max\v" },
	{ "max\\f", "max\f" },
	{ "max\\x01", "max\x01" },
	{ "\\x01 alone", "\x01" },
	{ "names separated by \\r", "@a\r@b" },
	{ "names separated by \\v", "@a\v@b" },
	{ "names separated by \\f", "@a\f@b" },
	{ "a name and DEL", "@a\x7f" },
	{ "an escape sequence and a name", "\x1b[0m@a" },
	{ "upper case name", "@A" },
	{ "names mixed with edits", "@a +@b" },
	{ "edits mixed with names", "-@a @b" },
	{ "an edit and a name", "+@a @b" },
	{ "unknown name", "@a no_such_feature" },
	{ "unknown edit", "-no_such_feature" },
	{ "a name and !", "@a!" },
	{ "a name and a comma", "@a," },
	{ "a name and a semicolon", "@a;" },
	{ "names separated by a comma", "@a,@b" },
	{ "names separated by a semicolon", "@a;@b" },
	{ "names separated by |", "@a|@b" },
	{ "edits separated by a comma", "+@a,-@b" },
	{ "edits run together", "+@a-@b" },
	{ "!name", "!@a" },
	{ "=name", "=@a" },
	{ "lone +", "+" },
	{ "lone -", "-" },
	{ "edit and lone -", "+@a -" },
	{ "+ apart from its name", "+ @a" },
	{ "- apart from its name", "- @a" },
	{ "+-name", "+-@a" },
	{ "--name", "--@a" },
	{ "-+name", "-+@a" },
	{ "++name", "++@a" },
	{ "duplicate name", "@a @a" },
	{ "a name twice among others", "@a @b @a" },
	{ "duplicate edit", "-@a -@a" },
	{ "duplicate + edit", "+@a +@a" },
	{ "contradicting edits", "-@a +@a" },
	{ "a name and UTF-8", "@a\xc3\xa9" },
	{ "a UTF-8 byte order mark and max", "\xef\xbb\xbfmax" },
	{ "max and a UTF-8 no-break space", "max\xc2\xa0" },
	{ "0xff bytes", "\xff\xff\xff" },
	{ "a name and 0xff", "@a\xff" },
	{ "embedded NUL", "@a", "@b" },
	{ "trailing NUL", "max", "" },
	{ "NUL only", "", "" },
	{ "NUL before max", "", "max" },
	{ "NUL among white space", " ", "\n" },
	{ "allows nothing", "-@a -@b" },
};

/* A write to another file, or to cpufeat.hwcap of the root, and its errno. */
struct wrong_write {
	const char *file;
	const char *data;
	int expected;
};

/* In the root. */
static const struct wrong_write root_writes[] = {
	{ "cpufeat.hwcap", "max", ENOENT },
	{ "cpufeat.hwcap", "-no_such_feature", ENOENT },
	{ "cpufeat.stat", "restricted_execs 0", ENOENT },
	{ "cpufeat.hwcap.effective", "max", EINVAL },
	{ "cpufeat.filters", "max", EINVAL },
	{ "cpufeat.filters", "cpuid no", EINVAL },
	{ "cpufeat.filters", "auxv no\ncpuinfo no\n", EINVAL },
};

/* In the test's cgroup. */
static const struct wrong_write cgroup_writes[] = {
	{ "cpufeat.filters", "cpuid no", ENOENT },
	{ "cpufeat.hwcap.effective", "max", EINVAL },
	{ "cpufeat.stat", "restricted_execs 0", EINVAL },
};

/* In its child. */
static const struct wrong_write child_writes[] = {
	{ "cpufeat.hwcap.effective", "\n", EINVAL },
	{ "cpufeat.stat", "max", EINVAL },
};

/* The @n writes @w to files of @cgroup. */
static bool wrong_writes_rejected(struct hostile *h, const char *cgroup,
				  const struct wrong_write *w, size_t n)
{
	char what[64];

	for (; n; n--, w++) {
		snprintf(what, sizeof(what), "writing %s", w->file);
		if (!hostile_write(h, cgroup, w->file, w->data,
				   strlen(w->data), w->expected, what))
			return false;
	}
	return true;
}

/* The malformed[] writes to cpufeat.hwcap, with names @a and @b. */
static bool malformed_rejected(struct hostile *h, const char *a,
			       const char *b)
{
	char buf[256], upper[64];
	size_t len;
	int i;

	for (i = 0; a[i] && i < sizeof(upper) - 1; i++)
		upper[i] = toupper(a[i]);
	upper[i] = '\0';
	for (i = 0; i < ARRAY_SIZE(malformed); i++) {
		len = expand(malformed[i].pattern, a, b, upper, buf,
			     sizeof(buf));
		if (malformed[i].after_nul)
			len += 1 + expand(malformed[i].after_nul, a, b, upper,
					  buf + len + 1, sizeof(buf) - len - 1);
		if (!hostile_write(h, h->cg[0], "cpufeat.hwcap", buf, len,
				   EINVAL, malformed[i].what))
			return false;
	}
	return true;
}

/*
 * Long writes to cpufeat.hwcap, in @big (HOSTILE_BIG bytes), with @a and
 * @known, every name the kernel knows: all of them taken away, overlong
 * words, more than a page of names, junk at the edges of the limit, and
 * more than the limit, which kernfs fails with E2BIG, also for other files.
 */
static bool long_writes_rejected(struct hostile *h, const char *a,
				 const char *known, char *big)
{
	const char *cg = h->cg[0];
	int i, nr_known = list_count(known);
	size_t pos, len;
	char word[64];

	/* Every name the kernel knows taken away: nothing is left. */
	len = snprintf(big, MAX_WRITE + 1, "-%s", a);
	for (pos = 0; list_next(known, &pos, word, sizeof(word)) &&
	     len < MAX_WRITE;)
		len += snprintf(big + len, MAX_WRITE + 1 - len, " -%s", word);
	if (len > MAX_WRITE)
		ksft_print_msg("too many names to take them all away in one write\n");
	else if (!hostile_write(h, cg, "cpufeat.hwcap", big, len, EINVAL,
				"\"-\" every name"))
		return false;

	/* One word of 300 bytes, and a name running on for 300 bytes. */
	memset(big, 'x', 300);
	if (!hostile_write(h, cg, "cpufeat.hwcap", big, 300, EINVAL,
			   "a word of 300 bytes"))
		return false;
	len = snprintf(big, HOSTILE_BIG, "+%s", a);
	memset(big + len, 'x', 300);
	if (!hostile_write(h, cg, "cpufeat.hwcap", big, len + 300, EINVAL,
			   "an edit running on for 300 bytes"))
		return false;

	/* More than a page of names, one of them twice. */
	for (len = 0, pos = 0, i = 0; len < 5000 && i <= nr_known;) {
		if (!list_next(known, &pos, word, sizeof(word))) {
			pos = 0;
			i = nr_known;	/* went round once */
			continue;
		}
		len += snprintf(big + len, HOSTILE_BIG - len, "%s ", word);
	}
	len += snprintf(big + len, HOSTILE_BIG - len, "%s",
			list_word(known, 0));
	if (!hostile_write(h, cg, "cpufeat.hwcap", big, len, EINVAL,
			   "more than a page of names with a duplicate"))
		return false;

	/* More than a page of names the kernel doesn't know. */
	for (len = 0, i = 0; len < 5000; i++)
		len += snprintf(big + len, HOSTILE_BIG - len, "no_such_%04d ", i);
	if (!hostile_write(h, cg, "cpufeat.hwcap", big, len, EINVAL,
			   "more than a page of unknown names"))
		return false;

	/* Junk just after the first page, and in the last byte allowed. */
	memset(big, ' ', HOSTILE_BIG);
	memcpy(big, "max", 3);
	big[4096] = 'x';
	if (!hostile_write(h, cg, "cpufeat.hwcap", big, 4097, EINVAL,
			   "max and junk after 4093 spaces"))
		return false;
	big[4096] = ' ';
	big[MAX_WRITE - 1] = 'x';
	if (!hostile_write(h, cg, "cpufeat.hwcap", big, MAX_WRITE, EINVAL,
			   "max and junk in the last byte allowed"))
		return false;
	big[MAX_WRITE - 1] = ' ';

	/*
	 * Longer than 8192 bytes: E2BIG from kernfs, whatever the cgroup.
	 * Other cgroup files take writes of up to a page, and fail longer ones
	 * with E2BIG before anything else; the read-only ones fail the others
	 * with EINVAL (root may open them for writing, whatever their mode).
	 */
	return hostile_write(h, cg, "cpufeat.hwcap", big, MAX_WRITE + 1, E2BIG,
			     "\"max\" padded to one byte too many") &&
	       hostile_write(h, cg, "cpufeat.hwcap", big, HOSTILE_BIG, E2BIG,
			     "\"max\" padded to 1 MiB") &&
	       hostile_write(h, h->cg[1], "cpufeat.hwcap", big, HOSTILE_BIG,
			     E2BIG, "\"max\" padded to 1 MiB, to the child") &&
	       hostile_write(h, cg, "cpufeat.stat", big, 4096, EINVAL,
			     "\"max\" padded to 4096 bytes, to cpufeat.stat") &&
	       hostile_write(h, cg, "cpufeat.stat", big, HOSTILE_BIG, E2BIG,
			     "\"max\" padded to 1 MiB, to cpufeat.stat");
}

/*
 * Accepted: "max" and names amid spaces, tabs and newlines; a write of
 * nothing, which cgroup files complete without calling the controller;
 * every name in more than a page, and "max" padded to the limit.
 */
static bool padded_writes_accepted(struct hostile *h, const char *a,
				   const char *b, const char *known, char *big)
{
	static const char * const max_forms[] = {
		"max\n", "max ", " max", "max\t", "max\n\n", "\t\n max\t\n ",
	};
	char buf[256];
	size_t len;
	int i;

	for (i = 0; i < ARRAY_SIZE(max_forms); i++) {
		snprintf(buf, sizeof(buf), "accepted form %d of max", i);
		if (!accepted_write(h, max_forms[i], strlen(max_forms[i]),
				    "max", buf))
			return false;
	}
	len = snprintf(buf, sizeof(buf), "\n %s\t\t%s\t\n", b, a);
	if (!accepted_write(h, buf, len, h->before[0].hwcap,
			    "names amid white space") ||
	    !accepted_write(h, "", 0, h->before[0].hwcap, "a write of 0 bytes"))
		return false;
	len = snprintf(big, HOSTILE_BIG, "%s %s", known, a);
	if (len < 5000) {
		memset(big + len, '\n', 5000 - len);
		len = 5000;
	}
	if (len > MAX_WRITE)
		ksft_print_msg("too many names to list them all in one write\n");
	else if (!accepted_write(h, big, len, "max",
				 "every name in more than a page"))
		return false;
	memset(big, ' ', MAX_WRITE);
	memcpy(big, "max", 3);
	return accepted_write(h, big, MAX_WRITE, "max",
			      "\"max\" padded to 8192 bytes");
}

/*
 * Malformed writes to cpufeat.hwcap fail with EINVAL, or E2BIG when longer
 * than 8192 bytes; writes to the read-only files fail with EINVAL, and to
 * files a cgroup lacks (cpufeat.hwcap of the root) with ENOENT.  None of
 * them changes the cgroup or its child.  Forms of "max" and of lists that
 * white space dresses up are accepted.
 */
int test_cpufeat_rejected_writes(const char *root)
{
	const struct fixture_params params = {
		.name = "cpufeat_test_rejected_writes",
		.subtree = true,
	};
	char known[LIST_SIZE], a[64], b[64], buf[256];
	struct hostile *h = NULL;
	struct fixture *f;
	char *big = NULL;
	int ret;

	ret = fixture_setup(&f, root, &params);
	if (ret != KSFT_PASS)
		goto cleanup;
	if (list_count(f->machine) < 2) {
		ksft_print_msg("the machine has fewer than 2 features\n");
		ret = KSFT_SKIP;
		goto cleanup;
	}
	ret = KSFT_FAIL;
	snprintf(a, sizeof(a), "%s", list_word(f->machine, 0));
	snprintf(b, sizeof(b), "%s", list_word(f->machine, 1));
	h = calloc(1, sizeof(*h));
	big = malloc(HOSTILE_BIG);
	if (!h || !big)
		goto cleanup;
	h->cg[0] = f->cg;
	h->cg[1] = fixture_cgroup(f, f->cg, "child", NULL, NULL);
	if (!h->cg[1])
		goto cleanup;

	/* "-a" on max leaves every other name the kernel knows. */
	snprintf(buf, sizeof(buf), "-%s", a);
	if (write_hwcap(f->cg, buf) || read_hwcap(f->cg, known))
		goto cleanup;

	/* Start from a setting other than the default: exactly a and b. */
	snprintf(buf, sizeof(buf), "%s %s", a, b);
	if (write_hwcap(f->cg, buf) || read_state(h->cg[0], &h->before[0]) ||
	    read_state(h->cg[1], &h->before[1]))
		goto cleanup;

	if (!malformed_rejected(h, a, b) ||
	    !long_writes_rejected(h, a, known, big))
		goto cleanup;
	if (!wrong_writes_rejected(h, root, root_writes,
				   ARRAY_SIZE(root_writes)) ||
	    !wrong_writes_rejected(h, h->cg[0], cgroup_writes,
				   ARRAY_SIZE(cgroup_writes)) ||
	    !wrong_writes_rejected(h, h->cg[1], child_writes,
				   ARRAY_SIZE(child_writes)))
		goto cleanup;
	ksft_print_msg("%d hostile writes, all rejected with their errno, state unchanged\n",
		       h->writes);

	if (!padded_writes_accepted(h, a, b, known, big))
		goto cleanup;

	/* Nor did the root change. */
	if (read_effective(root, known) || strcmp(known, f->machine)) {
		ksft_print_msg("the root's effective set changed\n");
		goto cleanup;
	}
	ret = KSFT_PASS;
cleanup:
	free(big);
	free(h);
	return fixture_teardown(f, ret);
}

/* As nobody: the files of @arg, [3][2] cgroup and file, can't be opened. */
static int cannot_open_all(const void *arg)
{
	const char * const (*files)[2] = arg;
	int i, fd;

	for (i = 0; i < 3; i++) {
		fd = cg_open(files[i][0], files[i][1], O_WRONLY);
		if (fd >= 0 || errno != EACCES) {
			ksft_print_msg("unprivileged open(%s/%s): %s, expected EACCES\n",
				       files[i][0], files[i][1],
				       fd >= 0 ? "success" : strerror(errno));
			return 1;
		}
	}
	return 0;
}

/*
 * Nobody can write cpufeat.hwcap.effective or cpufeat.stat: not root, and
 * without privilege not even open them for writing.
 */
int test_cpufeat_read_only_files(const char *root)
{
	const struct fixture_params params = {
		.name = "cpufeat_test_read_only_files",
	};
	static const int modes[] = { O_WRONLY, O_RDWR };
	char eff[LIST_SIZE];
	const char *files[3][2];
	struct fixture *f;
	int ret, i, j;

	ret = fixture_setup(&f, root, &params);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;
	files[0][0] = root;
	files[0][1] = "cpufeat.hwcap.effective";
	files[1][0] = f->cg;
	files[1][1] = "cpufeat.hwcap.effective";
	files[2][0] = f->cg;
	files[2][1] = "cpufeat.stat";

	for (i = 0; i < ARRAY_SIZE(files); i++)
		for (j = 0; j < ARRAY_SIZE(modes); j++)
			if (!cannot_write(files[i][0], files[i][1], modes[j]))
				goto cleanup;

	if (!run_as(NOBODY, cannot_open_all, files))
		goto cleanup;

	if (!read_effective(root, eff) && !strcmp(eff, f->machine) &&
	    effective_is(f->cg, f->machine))
		ret = KSFT_PASS;
cleanup:
	return fixture_teardown(f, ret);
}

/*
 * Allocation failures: /proc/thread-self/fail-nth makes the n-th
 * fault-injection point (slab or page allocation) of the calling task fail
 * (Documentation/fault-injection/fault-injection.rst).  The failslab and
 * fail_page_alloc knobs below make them cover allocations that may sleep,
 * and keep their reports off the console; they are restored afterwards.
 */
#define FAIL_NTH	"/proc/thread-self/fail-nth"
#define FAULT_DEBUGFS	"/sys/kernel/debug"
#define FAULT_MAX_NTH	1000

static const struct {
	const char *path;
	const char *value;
} fault_knobs[] = {
	{ FAULT_DEBUGFS "/failslab/ignore-gfp-wait",		"N" },
	{ FAULT_DEBUGFS "/failslab/verbose",			"0" },
	{ FAULT_DEBUGFS "/fail_page_alloc/ignore-gfp-wait",	"N" },
	{ FAULT_DEBUGFS "/fail_page_alloc/verbose",		"0" },
};

struct fault_state {
	char saved[ARRAY_SIZE(fault_knobs)][16];
	int nth;		/* the task's fail-nth file */
};

static int fault_file(const char *path, char *buf, size_t size,
		      const char *value)
{
	int fd = open(path, value ? O_WRONLY : O_RDONLY);
	ssize_t len;

	if (fd < 0)
		return -1;
	if (value)
		len = write(fd, value, strlen(value));
	else
		len = read(fd, buf, size - 1);
	close(fd);
	if (len < 0)
		return -1;
	if (!value)
		buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static void fault_knobs_restore(struct fault_state *s, int n)
{
	while (n-- > 0)
		if (fault_file(fault_knobs[n].path, NULL, 0, s->saved[n]))
			ksft_print_msg("can't restore %s\n",
				       fault_knobs[n].path);
}

/* Arm fault injection for the task, or say why it can't be. */
static int fault_setup(struct fault_state *s)
{
	int i;

	memset(s, 0, sizeof(*s));
	s->nth = open(FAIL_NTH, O_RDWR | O_CLOEXEC);
	if (s->nth < 0) {
		ksft_print_msg("%s: %s (no CONFIG_FAULT_INJECTION)\n",
			       FAIL_NTH, strerror(errno));
		return KSFT_SKIP;
	}
	if (access(FAULT_DEBUGFS "/failslab", F_OK))
		mount("debugfs", FAULT_DEBUGFS, "debugfs", 0, NULL);
	for (i = 0; i < ARRAY_SIZE(fault_knobs); i++) {
		if (fault_file(fault_knobs[i].path, s->saved[i],
			       sizeof(s->saved[i]), NULL) ||
		    fault_file(fault_knobs[i].path, NULL, 0,
			       fault_knobs[i].value)) {
			ksft_print_msg("%s: %s (no failslab, fail_page_alloc debugfs)\n",
				       fault_knobs[i].path, strerror(errno));
			fault_knobs_restore(s, i);
			close(s->nth);
			return KSFT_SKIP;
		}
	}
	return KSFT_PASS;
}

static void fault_teardown(struct fault_state *s)
{
	fault_knobs_restore(s, ARRAY_SIZE(fault_knobs));
	close(s->nth);
}

/* Fail the @n-th allocation of this task from now on. */
static int fault_arm(int nth, int n)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%d", n);
	return pwrite(nth, buf, strlen(buf), 0) < 0 ? -1 : 0;
}

/*
 * Was the failure armed on @nth injected?  1: yes, 0: no (and it is
 * disarmed), -1: can't tell.
 */
static int fault_injected(int nth)
{
	char buf[16] = "";
	int left;

	if (pread(nth, buf, sizeof(buf) - 1, 0) <= 0)
		return -1;
	left = atoi(buf);
	if (left && pwrite(nth, "0", 1, 0) < 0)
		return -1;
	return !left;
}

/* @cgroups' states are still @before. */
static bool states_unchanged(char * const *cgroups,
			     const struct cg_state *before, int n)
{
	bool same = true;
	int i;

	for (i = 0; i < n; i++)
		if (!state_unchanged(cgroups[i], &before[i]))
			same = false;
	return same;
}

/*
 * Write "max" to the cpufeat.hwcap of @cg[0] with the @n-th allocation
 * failing: it works, or fails with ENOMEM and changes nothing in @cg.
 * Then set @setting back.  1: the failure was injected, 0: it was not
 * reached, -1: the test failed.
 */
static int fault_write(struct fault_state *s, char * const *cg,
		       const struct cg_state *before, int ncg,
		       const char *setting, int n)
{
	int fd, injected, ret, err;

	fd = cg_open(cg[0], "cpufeat.hwcap", O_WRONLY);
	if (fd < 0 || fault_arm(s->nth, n)) {
		ksft_print_msg("can't open %s or arm the failure\n", cg[0]);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	ret = write(fd, "max", 3);
	err = errno;
	injected = fault_injected(s->nth);
	close(fd);
	if (ret < 0 && err != ENOMEM) {
		ksft_print_msg("write with allocation %d failing: %s\n", n,
			       strerror(err));
		return -1;
	}
	if (ret >= 0 && write_hwcap(cg[0], setting))
		return -1;
	if (!states_unchanged(cg, before, ncg)) {
		ksft_print_msg("the state changed (allocation %d failing, the write %s)\n",
			       n, ret < 0 ? "failed" : "worked");
		return -1;
	}
	return injected;
}

/*
 * mkdir of a cgroup in @parent with the @n-th allocation failing: it
 * works and the new cgroup offers @eff, or fails with ENOMEM leaving no
 * cgroup; @parent is unchanged.  Returns as fault_write().
 */
static int fault_mkdir(struct fault_state *s, char *parent,
		       const struct cg_state *before, const char *eff, int n)
{
	char path[PATH_MAX], got[LIST_SIZE];
	int injected, ret, err;
	struct stat st;

	snprintf(path, sizeof(path), "%s/fault_child", parent);
	if (fault_arm(s->nth, n))
		return -1;
	ret = mkdir(path, 0755);
	err = errno;
	injected = fault_injected(s->nth);
	if (ret && err != ENOMEM) {
		ksft_print_msg("mkdir with allocation %d failing: %s\n", n,
			       strerror(err));
		return -1;
	}
	if (ret && (!stat(path, &st) || errno != ENOENT)) {
		ksft_print_msg("the failed mkdir left %s\n", path);
		return -1;
	}
	if (!ret) {
		if (read_effective(path, got) || strcmp(got, eff)) {
			print_list_diff(path, eff, got);
			return -1;
		}
		if (rmdir(path)) {
			ksft_print_msg("rmdir %s: %s\n", path, strerror(errno));
			return -1;
		}
	}
	if (!states_unchanged(&parent, before, 1))
		return -1;
	return injected;
}

/*
 * The errors an exec may fail with when an allocation fails: ENOMEM; E2BIG
 * when copy_strings() cannot have a page for the arguments; ENOEXEC when
 * load_elf_binary() cannot allocate the program headers (load_elf_phdrs()
 * returns NULL for any failure, read as "not an ELF program").
 */
static bool exec_failed_cleanly(int err)
{
	return err == ENOMEM || err == E2BIG || err == ENOEXEC;
}

/*
 * In the child: exec cat of the fail-nth file in @cg, failing at @n.  What
 * kept the exec from happening goes to @report, which the exec closes: an
 * errno, or 0 if the child could not get as far as the exec.  Once the exec
 * happened, fail-nth stays armed in the new program, which may then fail
 * itself (the dynamic loader's mprotect(), say): that is its own business.
 */
static void fault_exec_child(const char *cg, const char *cat, int out,
			     int report, int n)
{
	char path[64];
	int nth, err = 0;

	if (dup2(out, STDOUT_FILENO) < 0 || cg_enter_current(cg))
		goto fail;
	nth = open(FAIL_NTH, O_RDWR);
	if (nth < 0)
		goto fail;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", nth);
	if (fault_arm(nth, n))
		goto fail;
	execl(cat, "cat", path, NULL);
	err = errno;
fail:
	if (write(report, &err, sizeof(err)) != sizeof(err))
		_exit(2);
	_exit(1);
}

/*
 * Exec a program in @cg with the @n-th allocation failing: the exec happens
 * (the program may then fail of the same failure), or it fails
 * (exec_failed_cleanly()); then a program exec'd there is told @eff.  The
 * program is cat, which prints what is left of the task's fail-nth: not 0,
 * the failure was not reached.
 * Returns as fault_write().
 */
static int fault_exec(const char *cg, const char *cat, const char *eff,
		      int n)
{
	int out[2], report[2], status, err, injected = 1;
	char buf[16] = "";
	ssize_t len = -1, got = 0;
	struct view v;
	pid_t pid;

	if (pipe(out))
		return -1;
	if (pipe2(report, O_CLOEXEC)) {
		close(out[0]);
		close(out[1]);
		return -1;
	}
	pid = fork();
	if (!pid)
		fault_exec_child(cg, cat, out[1], report[1], n);
	close(out[1]);
	close(report[1]);
	if (pid > 0) {
		len = read(out[0], buf, sizeof(buf) - 1);
		got = read(report[0], &err, sizeof(err));
	}
	close(out[0]);
	close(report[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	if (got == sizeof(err) && !err) {
		ksft_print_msg("the child could not set up the exec\n");
		return -1;
	}
	if (got == sizeof(err) && !exec_failed_cleanly(err)) {
		ksft_print_msg("exec with allocation %d failing: %s\n", n,
			       strerror(err));
		return -1;
	}
	if (!got && WIFEXITED(status) && !WEXITSTATUS(status) && len > 0)
		injected = !atoi(buf);
	if (run_probe(cg, "r", &v, 1) || !view_is(&v, eff))
		return -1;
	return injected;
}

/* What fault_cases() runs, for n = 1, 2, ... until it isn't reached. */
enum fault_op { FAULT_WRITE, FAULT_MKDIR, FAULT_EXEC, FAULT_OPS };

static const char * const fault_op_names[] = {
	"write", "mkdir", "exec",
};

static int fault_case(struct fault_state *s, struct fixture *f,
		      char * const *cg, const struct cg_state *before,
		      const char *cat, enum fault_op op, int n)
{
	switch (op) {
	case FAULT_WRITE:
		return fault_write(s, cg, before, 2, f->edits, n);
	case FAULT_MKDIR:
		return fault_mkdir(s, cg[0], before, f->eff, n);
	default:
		/* Tasks may only join the leaf. */
		return fault_exec(cg[1], cat, before[1].effective, n);
	}
}

/*
 * Writes of cpufeat.hwcap above a restricted cgroup, mkdir below a
 * restricted cgroup and exec in one survive the failure of any of their
 * allocations: a clean ENOMEM (or a failed exec) and nothing changed.
 */
int test_cpufeat_allocation_failures(const char *root)
{
	const char * const *hide = cpufeat_arch.hide_set;
	const char * const first[] = { hide[0], NULL };
	const struct fixture_params params = {
		.needs = hide,
		.name = "cpufeat_test_allocation_failures",
		.subtree = true,
		.hide = first,
		.unchanged = true,
	};
	const char *indep = cpufeat_arch.independent[0];
	struct cg_state before[2];
	struct fault_state s;
	char edit[64], *cg[2], *cat = NULL;
	struct fixture *f;
	int ret, op, n, injected;

	ret = fault_setup(&s);
	if (ret != KSFT_PASS)
		return ret;
	ret = fixture_setup(&f, root, &params);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;
	snprintf(edit, sizeof(edit), "-%s", indep);
	cat = find_program("cat", NULL);
	cg[0] = f->cg;
	cg[1] = fixture_cgroup(f, f->cg, "child",
			       list_has(f->machine, indep) ? edit : NULL, NULL);
	if (!cat || !cg[1] || read_state(cg[0], &before[0]) ||
	    read_state(cg[1], &before[1]))
		goto cleanup;
	for (op = 0; op < FAULT_OPS; op++) {
		injected = 1;
		for (n = 1; n < FAULT_MAX_NTH && injected > 0; n++)
			injected = fault_case(&s, f, cg, before, cat, op, n);
		if (injected < 0) {
			ksft_print_msg("%s: failed with allocation %d failing\n",
				       fault_op_names[op], n - 1);
			goto cleanup;
		}
		if (injected) {
			ksft_print_msg("%s: still reaching allocation %d\n",
				       fault_op_names[op], n - 1);
			goto cleanup;
		}
		ksft_print_msg("%s: survived the failure of each of its %d allocations\n",
			       fault_op_names[op], n - 2);
	}
	ret = KSFT_PASS;
cleanup:
	free(cat);
	fault_teardown(&s);
	return fixture_teardown(f, ret);
}
