/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by test_cpufeat, its architecture files (cpufeat_x86.c,
 * cpufeat_arm64.c, cpufeat_noarch.c: the Makefile links one) and the
 * program the tests run in cgroups, cpufeat_probe.
 */
#ifndef __CPUFEAT_UTIL_H
#define __CPUFEAT_UTIL_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cgroup_util.h"

/* Room for any cpufeat file or /proc/PID/cpufeat: a line of names. */
#define LIST_SIZE	16384

/* cpufeat.hwcap accepts writes of up to this many bytes. */
#define MAX_WRITE	8192

#define NOBODY		TEST_UID

/* Lists of names: one line, names separated by single spaces. */
bool list_has(const char *list, const char *name);
bool list_next(const char *list, size_t *pos, char *word, size_t size);
int list_count(const char *list);
const char *list_word(const char *list, int i);
bool list_subset(const char *sub, const char *list);
bool list_has_all(const char *list, const char * const *names);
const char *list_first_of(const char *list, const char * const *names);
void list_append(char *list, size_t size, const char *word);
void list_ordered(const char *order, const char *set, char *out, size_t size);
void print_list_diff(const char *what, const char *expected, const char *got);

/* The cpufeat files of a cgroup. */
int read_list(const char *cgroup, const char *control, char *buf);
int read_hwcap(const char *cgroup, char *buf);
int read_effective(const char *cgroup, char *buf);
int write_raw(const char *cgroup, const char *control, const char *buf,
	      size_t len);
int write_hwcap(const char *cgroup, const char *setting);
bool list_is(const char *cgroup, const char *control, const char *expected);
bool effective_is(const char *cgroup, const char *expected);
bool effective_within(const char *cgroup, const char *allowed, char *eff);
bool effective_hides(const char *cgroup, const char *parent_effective,
		     const char * const *hidden);
bool cannot_write(const char *cgroup, const char *file, int flags);
int split_line(char **pos, char **line, const char *file);
bool stat_all_zero(const char *cgroup);
int read_filter(const char *root, const char *key, char *value, size_t size);
int filter_on(const char *root, const char *key);

/* A cgroup's whole cpufeat state, to see that a write changed nothing. */
struct cg_state {
	char hwcap[LIST_SIZE];
	char effective[LIST_SIZE];
};

int read_state(const char *cgroup, struct cg_state *s);
bool state_unchanged(const char *cgroup, const struct cg_state *before);

char *create_cgroup(const char *parent, const char *name, bool subtree);
void destroy_cgroup(char *cgroup);

/* Privileges, and programs. */
int become_user(uid_t uid);
bool run_as(uid_t uid, int (*fn)(const void *arg), const void *arg);
int chown_cgroup(const char *cgroup, uid_t uid);
int send_fd(int sock, int fd);
int receive_fd(int sock);
int drop_cap_sys_admin(void);
char *find_program(const char *name, const char *env);
char *copy_setuid_capable(const char *name);
void remove_copy(char *copy);

/* The supplementary group the tests give the unprivileged user. */
#define OWN_GROUP	4242

/* Credentials for probe_start_with() and probe_view_as(). */
int become_nobody(const void *arg);
int become_member(const void *arg);
int become_ns_user(const void *arg);

/* How a child that tries to write cpufeat.hwcap ends. */
enum {
	WRITER_GOT_EPERM,
	WRITER_WROTE,
	WRITER_OTHER_ERROR,
	WRITER_SETUP_FAILED,
	WRITER_UNSUPPORTED,
};

int write_expecting_eperm(int fd, const char *setting);
int wait_writer(pid_t pid);
int open_and_write(const char *cg, const char *setting);

/* Contexts a writer enters before open_and_write(). */
int enter_as_owner(const char *cg);
int enter_without_cap_sys_admin(const char *cg);
int enter_cgroup_namespace(const char *cg);
int enter_user_namespace(const char *cg);

/* A child that opens a file as another user, for fd_opened_as(). */
struct fd_opener {
	int sock[2];
	int ready[2];
	int done[2];
	bool unix_sockets;
	pid_t pid;
};

#define FD_OPENER_INIT	{ { -1, -1 }, { -1, -1 }, { -1, -1 }, false, -1 }

int fd_opened_as(struct fd_opener *c, uid_t uid, const char *path, int flags);
bool fd_opener_end(struct fd_opener *c);

/*
 * The program that the tests run in cgroups: "cpufeat_probe --script
 * SCRIPT" reports what it is told about the CPU on stdout, one line per
 * report, doing what each character of SCRIPT says (cpufeat_probe.c).
 */
#define PROBE_NAME	"cpufeat_probe"
#define PROBE_SCRIPT	"--script"

/* A program's view, as a probe reports it ("r"). */
struct view {
	unsigned long hwcap;
	unsigned long hwcap2;
	unsigned long secure;
	char cpufeat[LIST_SIZE];
};

/* The reports only an architecture knows (CPUID or MRS dumps...). */
struct arch_reports;

/* Everything a probe reported, by kind, in order. */
struct reports {
	int nviews;
	struct view views[2];
	int nother;		/* reports of the architecture's own */
	int processors;		/* "p": -1 if none */
	int same;
	char flags[LIST_SIZE];
	struct arch_reports *arch;
};

/* A running probe. */
struct probe {
	pid_t pid;		/* -1: none */
	int control;		/* a byte written here lets "w" go on */
	FILE *reports;
};

int probe_start(struct probe *p, const char *cgroup, const char *exe,
		uid_t uid, const char *script);
int probe_start_with(struct probe *p, const char *cgroup, const char *exe,
		     int (*become)(const void *arg), const void *arg,
		     const char *script);
int probe_read(struct probe *p, struct view *v);
int view_of_pid(pid_t pid, struct view *v);
int probe_view_as(struct probe *p, const char *cg, const char *exe,
		  int (*become)(const void *arg), const void *arg,
		  struct view *v);
int probe_continue(struct probe *p);
int probe_finish(struct probe *p);
int probe_next(struct probe *p, struct reports *r);
int probe_next_n(struct probe *p, struct reports *r, int n);
int probe_collect(struct probe *p, struct reports *r);
int run_probe(const char *cgroup, const char *script, struct view *views,
	      int n);
int run_moved(const char *from, const char *to, const char *script,
	      struct reports *r);
struct reports *reports_alloc(int n);
void reports_free(struct reports *r, int n);
void reports_clear(struct reports *r);
int run_reports(const char *cgroup, const char *exe, const char *script,
		struct reports *r, int views, int others);

/* Views and the AT_HWCAP words. */
bool hwcap_bit(const char *name, int *word, int *bit);
bool view_has_bit(const struct view *v, int word, int bit);
bool view_matches(const struct view *v, const struct view *full,
		  const char *machine, const char *effective);
bool same_view(const struct view *a, const struct view *b);
bool view_is(const struct view *v, const char *eff);
void hide_edits(const char * const *names, const char *machine, char *out,
		size_t size);
int machine_has(const char *root, char *machine, const char * const *names);
int emulations_counted(const char *root, const char *cg, struct reports *r,
		       const char *key, long loops);

/* The reports and probes a fixture makes room for. */
#define FIXTURE_REPORTS	4
#define FIXTURE_PROBES	2
#define FIXTURE_CGROUPS	3

struct fixture;
struct arch_state;	/* what a variant's set-up keeps, per architecture */

/*
 * What a test needs, and the cgroup it works in.  Everything is optional:
 * the root's effective set is always read.
 */
struct fixture_params {
	const char *filter;		/* a cpufeat.filters key, "yes" or SKIP */
	const char * const *needs;	/* features the machine must have, or SKIP */
	bool pin;			/* run on one CPU, so that dumps compare */
	const char *name;		/* the test's cgroup (NULL: none) */
	bool subtree;			/* with cpufeat enabled below it */
	const char * const *hide;	/* hidden there: those the machine has */
	bool unchanged;			/* the cgroup must end as set up */
	int (*prepare)(struct fixture *f);	/* the variant's own set-up */
};

/* One test's set-up, torn down by fixture_teardown(). */
struct fixture {
	const char *root;
	char machine[LIST_SIZE];	/* the root's effective set */
	bool cpuinfo;			/* with .filter: /proc/cpuinfo filtered */
	char *cg;			/* the test's cgroup */
	char edits[512];		/* what .hide wrote to its cpufeat.hwcap */
	char eff[LIST_SIZE];		/* its effective set after that */
	struct cg_state before;		/* its state after the set-up */
	bool unchanged;			/* checked again at teardown */
	struct reports *r;		/* FIXTURE_REPORTS, for the probes */
	struct probe probe[FIXTURE_PROBES];	/* finished at teardown */
	char *extra[FIXTURE_CGROUPS];	/* fixture_cgroup()'s */
	struct arch_state *arch;	/* .prepare's, freed at teardown */
	cpu_set_t cpus;			/* the CPUs to go back to */
	bool pinned;
};

int fixture_setup(struct fixture **fp, const char *root,
		  const struct fixture_params *params);
char *fixture_cgroup(struct fixture *f, const char *parent, const char *name,
		     const char *setting, char *eff);
int fixture_teardown(struct fixture *f, int ret);

/* A test, and its name in the results. */
struct cpufeat_test {
	int (*fn)(const char *root);
	const char *name;
};

#define CPUFEAT_TEST(fn)	{ fn, #fn }

/* An option of cpufeat_probe that only some architectures have. */
struct probe_mode {
	const char *option;
	int (*fn)(unsigned long hwcap);
};

/* A key of cpufeat.filters, and the values it may have. */
struct filter_key {
	const char *key;
	const char *values;
};

/*
 * What an architecture's file tells the rest: its names, the features the
 * generic tests hide, its part of the probe, its tests.  NULL-terminated
 * lists; a NULL function is one the architecture doesn't need.
 */
struct cpufeat_arch {
	/* The names of the AT_HWCAP and AT_HWCAP2 bits (NULL: unnamed). */
	const char * const *hwcap_names[2];
	/* The line of /proc/cpuinfo that names the features. */
	const char *cpuinfo_key;
	/* A feature to hide first, and what hiding it hides too. */
	const char * const *hide_set;
	/* Features independent of the first of hide_set. */
	const char * const *independent;
	/* Hardening features that programs gaining privilege keep. */
	const char * const *protected_set;
	/* Features to hide together, across many words or registers. */
	const char * const *wide_hide_set;
	/* The keys of cpufeat.filters. */
	const struct filter_key *filter_keys;
	int nr_filter_keys;
	/* Does cpufeat.filters say what the machine does? */
	bool (*filters_agree)(const char *root);

	/* cpufeat_probe: features --cpuinfo looks for, in this order. */
	const char * const *selection;
	/* Its options and script commands of this architecture. */
	const struct probe_mode *probe_modes;
	int (*probe_command)(char c);
	/* --check: the selection's instruction answers agree with @view. */
	int (*probe_check)(const char *view, bool restricted);

	/* Parse a report line of this architecture into @r. */
	bool (*parse_report)(const char *line, struct arch_reports *r);
	size_t reports_size;

	const struct cpufeat_test *tests;
	int nr_tests;
};

extern const struct cpufeat_arch cpufeat_arch;

/*
 * cpufeat_writes.c: what cpufeat.hwcap refuses and takes, read-only files,
 * allocation failures.
 */
int test_cpufeat_rejected_writes(const char *root);
int test_cpufeat_read_only_files(const char *root);
int test_cpufeat_allocation_failures(const char *root);

#endif /* __CPUFEAT_UTIL_H */
