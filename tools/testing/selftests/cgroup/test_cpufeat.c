// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the cpufeat controller: its interface files, the hierarchy, and
 * what the programs exec'd in a cgroup are told about the CPU.
 *
 * The test binary is also the program that the tests run in cgroups.
 * Started as "test_cpufeat --cpufeat-helper SCRIPT" it reports its view of
 * the CPU on stdout, one line per report, doing what SCRIPT says:
 *
 *   r  report: AT_HWCAP, AT_HWCAP2 and AT_SECURE from /proc/self/auxv,
 *      and /proc/self/cpufeat
 *   w  wait for a byte on stdin
 *   f  fork; the child reports and exits (no exec), the parent waits
 *   x  exec itself with the rest of SCRIPT
 *
 * and on x86_64 also:
 *
 *   c  dump what CPUID answers (catching the SIGSEGV of a faulting CPUID)
 *   F  fork; the child dumps CPUID and exits, the parent waits
 *   t  start threads on the CPUs it may use; report each one's CPUID dump
 *   p  report the "flags" of /proc/cpuinfo
 *   g  report what arch_prctl(ARCH_GET_CPUID) returns
 *   d  arch_prctl(ARCH_SET_CPUID, 0): CPUID raises SIGSEGV from now on
 *   e  arch_prctl(ARCH_SET_CPUID, 1)
 *   n  execute CPUID 1000 times
 *   v  dump CPUID, then dump it 200 times more; report the first dump
 *      that differs from the first, if one does
 *
 * and on arm64 also:
 *
 *   m  dump the ID registers that MRS reads (catching the SIGILL of a
 *      faulting MRS)
 *   p  report the "Features" of /proc/cpuinfo
 *   n  read ID_AA64ISAR0_EL1 with MRS 1000 times
 *
 * The auxiliary vector is read from /proc/self/auxv, not with getauxval():
 * a static glibc on x86-64 answers getauxval(AT_HWCAP) with its own value.
 */
#define _GNU_SOURCE

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/limits.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/klog.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <setjmp.h>
#include <signal.h>
#include <unistd.h>

#if defined(__x86_64__)
#include <asm/prctl.h>
#include <cpuid.h>
#include <pthread.h>
#endif

#include "../kselftest.h"
#include "cgroup_util.h"

#define HELPER_ARG	"--cpufeat-helper"

/* Room for any cpufeat file or /proc/PID/cpufeat: a line of names. */
#define LIST_SIZE	16384

/* cpufeat.hwcap accepts writes of up to this many bytes. */
#define MAX_WRITE	8192

#define NOBODY		TEST_UID

#ifndef SYS_pidfd_open
#define SYS_pidfd_open	434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd	438
#endif

/*
 * Per architecture: the names of the AT_HWCAP and AT_HWCAP2 bits that are
 * cpufeat features (NULL for the others), a feature to hide together with
 * the features that hiding it hides too, features independent of it, and
 * the hardening features that programs gaining privilege at execve keep.
 */
#ifdef __x86_64__

/* AT_HWCAP is CPUID 1 EDX, capability word 0. */
static const char * const hwcap_names[64] = {
	"fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce",
	"cx8", "apic", NULL, "sep", "mtrr", "pge", "mca", "cmov",
	"pat", "pse36", "pn", "clflush", NULL, "dts", "acpi", "mmx",
	"fxsr", "sse", "sse2", "ss", "ht", "tm", "ia64", "pbe",
};

/* Bit 0, ring3mwait, is Linux-defined: cpufeat does not control it. */
static const char * const hwcap2_names[64] = {
	[1] = "fsgsbase",
};

static const char * const hide_set[] = { "fxsr", "sse", "sse2", NULL };
static const char * const independent[] = { "pse", "tsc", "cx8", "de", NULL };
static const char * const protected_set[] = { "ibt", NULL };

/* The line of /proc/cpuinfo that names the features. */
#define CPUINFO_KEY	"flags"

#elif defined(__aarch64__)

/* AT_HWCAP bit n is KERNEL_HWCAP n, AT_HWCAP2 bit n is hwcap 64 + n. */
static const char * const hwcap_names[64] = {
	"fp", "asimd", "evtstrm", "aes", "pmull", "sha1", "sha2", "crc32",
	"atomics", "fphp", "asimdhp", "cpuid", "asimdrdm", "jscvt", "fcma",
	"lrcpc", "dcpop", "sha3", "sm3", "sm4", "asimddp", "sha512", "sve",
	"asimdfhm", "dit", "uscat", "ilrcpc", "flagm", "ssbs", "sb", "paca",
	"pacg",
};

static const char * const hwcap2_names[64] = {
	"dcpodp", "sve2", "sveaes", "svepmull", "svebitperm", "svesha3",
	"svesm4", "flagm2", "frint", "svei8mm", "svef32mm", "svef64mm",
	"svebf16", "i8mm", "bf16", "dgh", "rng", "bti", "mte", "ecv", "afp",
	"rpres", "mte3", "sme", "smei16i64", "smef64f64", "smei8i32",
	"smef16f32", "smeb16f32", "smef32f32", "smefa64", "wfxt", "ebf16",
	"sveebf16", "cssc", "rprfm", "sve2p1", "sme2", "sme2p1", "smei16i32",
	"smebi32i32", "smeb16b16", "smef16f16", "mops", "hbc", "sveb16b16",
	"lrcpc3", "lse128", "fpmr", "lut", "faminmax", "f8cvt", "f8fma",
	"f8dp4", "f8dp2", "f8e4m3", "f8e5m2", "smelutv2", "smef8f16",
	"smef8f32", "smesf8fma", "smesf8dp4", "smesf8dp2", "poe",
};

static const char * const hide_set[] = { "aes", "pmull", NULL };
static const char * const independent[] = { "sha1", "crc32", "atomics", NULL };
static const char * const protected_set[] = {
	"paca", "pacg", "bti", "mte", "mte3", NULL
};

#define CPUINFO_KEY	"Features"

#else

static const char * const hwcap_names[64];
static const char * const hwcap2_names[64];
static const char * const hide_set[] = { NULL };
static const char * const independent[] = { NULL };
static const char * const protected_set[] = { NULL };

#endif

/* Lists of names: one line, names separated by single spaces. */

/* Is @name one of the words of @list? */
static bool list_has(const char *list, const char *name)
{
	size_t len = strlen(name);
	const char *p;

	for (p = list; (p = strstr(p, name)); p++)
		if ((p == list || isspace(p[-1])) &&
		    (!p[len] || isspace(p[len])))
			return true;
	return false;
}

/* Copy the word of @list at or after *@pos to @word; false at the end. */
static bool list_next(const char *list, size_t *pos, char *word, size_t size)
{
	size_t len;

	while (list[*pos] && isspace(list[*pos]))
		(*pos)++;
	len = strcspn(list + *pos, " \t\n");
	if (!len || len >= size)
		return false;
	memcpy(word, list + *pos, len);
	word[len] = '\0';
	*pos += len;
	return true;
}

static int list_count(const char *list)
{
	char word[64];
	size_t pos = 0;
	int n = 0;

	while (list_next(list, &pos, word, sizeof(word)))
		n++;
	return n;
}

/* The @i-th word of @list, in a static buffer; "" when there is none. */
static const char *list_word(const char *list, int i)
{
	static char word[64];
	size_t pos = 0;

	while (list_next(list, &pos, word, sizeof(word)))
		if (!i--)
			return word;
	return "";
}

/* Is every word of @sub a word of @list? */
static bool list_subset(const char *sub, const char *list)
{
	char word[64];
	size_t pos = 0;

	while (list_next(sub, &pos, word, sizeof(word)))
		if (!list_has(list, word))
			return false;
	return true;
}

/* Does @list have all of the NULL-terminated @names? */
static bool list_has_all(const char *list, const char * const *names)
{
	for (; *names; names++)
		if (!list_has(list, *names))
			return false;
	return true;
}

/* The first of @names that @list has, or NULL. */
static const char *list_first_of(const char *list, const char * const *names)
{
	for (; *names; names++)
		if (list_has(list, *names))
			return *names;
	return NULL;
}

/*
 * The words of @order that @set has, in the order of @order: how the kernel
 * prints a set of names, @order being the root's effective list.
 */
static void list_ordered(const char *order, const char *set, char *out,
			 size_t size)
{
	char word[64];
	size_t pos = 0;

	out[0] = '\0';
	while (list_next(order, &pos, word, sizeof(word))) {
		if (!list_has(set, word))
			continue;
		if (out[0])
			strncat(out, " ", size - strlen(out) - 1);
		strncat(out, word, size - strlen(out) - 1);
	}
}

/* Is @raw, as read from a file, one line of names separated by spaces? */
static bool list_well_formed(const char *raw)
{
	size_t len = strlen(raw);

	if (!len || raw[len - 1] != '\n' || strchr(raw, '\n') != raw + len - 1)
		return false;
	if (len == 1)
		return true;
	return raw[0] != ' ' && raw[len - 2] != ' ' && !strstr(raw, "  ") &&
	       !strchr(raw, '\t');
}

/*
 * Say how list @what, @got, differs from @expected; briefly, as lists can
 * be long: what it has that it shouldn't (+) and what it lacks (-).
 */
static void print_list_diff(const char *what, const char *expected,
			    const char *got)
{
	char word[64], diff[160] = "";
	size_t pos, len = 0;
	int pass;

	if (!strcmp(expected, got))
		return;
	if (strlen(expected) + strlen(got) < 200) {
		ksft_print_msg("%s is \"%s\", expected \"%s\"\n", what, got,
			       expected);
		return;
	}
	if (!strcmp(expected, "max") || !strcmp(got, "max")) {
		ksft_print_msg("%s is %s, expected %s\n", what,
			       strcmp(got, "max") ? "a list of names" : "max",
			       strcmp(expected, "max") ? "a list" : "max");
		return;
	}
	for (pass = 0; pass < 2; pass++) {
		const char *from = pass ? expected : got;
		const char *other = pass ? got : expected;

		pos = 0;
		while (list_next(from, &pos, word, sizeof(word)) &&
		       len < sizeof(diff))
			if (!list_has(other, word))
				len += snprintf(diff + len, sizeof(diff) - len,
						" %c%s", pass ? '-' : '+', word);
	}
	ksft_print_msg("%s has %d names, expected %d:%s%s\n", what,
		       list_count(got), list_count(expected), diff,
		       len >= sizeof(diff) ? "..." : "");
}

/* Read a cgroup file holding a list, without its newline. */
static int read_list(const char *cgroup, const char *control, char *buf)
{
	size_t len;

	if (cg_read(cgroup, control, buf, LIST_SIZE)) {
		ksft_print_msg("can't read %s/%s: %s\n", cgroup, control,
			       strerror(errno));
		return -1;
	}
	if (!list_well_formed(buf)) {
		ksft_print_msg("%s/%s: not one line of names: \"%s\"\n",
			       cgroup, control, buf);
		return -1;
	}
	len = strlen(buf);
	buf[len - 1] = '\0';
	return 0;
}

static int read_hwcap(const char *cgroup, char *buf)
{
	return read_list(cgroup, "cpufeat.hwcap", buf);
}

static int read_effective(const char *cgroup, char *buf)
{
	return read_list(cgroup, "cpufeat.hwcap.effective", buf);
}

/* Write @len bytes of @buf in one write(2); 0 or -errno. */
static int write_raw(const char *cgroup, const char *control, const char *buf,
		     size_t len)
{
	ssize_t ret;
	int fd;

	fd = cg_open(cgroup, control, O_WRONLY);
	if (fd < 0)
		return -errno;
	ret = write(fd, buf, len);
	if (ret < 0)
		ret = -errno;
	else
		ret = ret == len ? 0 : -EIO;
	close(fd);
	return ret;
}

static int write_hwcap(const char *cgroup, const char *setting)
{
	int ret = write_raw(cgroup, "cpufeat.hwcap", setting, strlen(setting));

	if (ret)
		ksft_print_msg("writing \"%s\" to %s/cpufeat.hwcap: %s\n",
			       setting, cgroup, strerror(-ret));
	return ret;
}

/* Does @cgroup's file @control read exactly @expected (plus newline)? */
static bool list_is(const char *cgroup, const char *control,
		    const char *expected)
{
	char buf[LIST_SIZE], what[PATH_MAX];

	if (read_list(cgroup, control, buf))
		return false;
	if (strcmp(buf, expected)) {
		snprintf(what, sizeof(what), "%s/%s", cgroup, control);
		print_list_diff(what, expected, buf);
		return false;
	}
	return true;
}

/* Does @cgroup offer no more than @parent_effective and none of @hidden? */
static bool effective_hides(const char *cgroup, const char *parent_effective,
			    const char * const *hidden)
{
	char eff[LIST_SIZE];

	if (read_effective(cgroup, eff))
		return false;
	if (!list_subset(eff, parent_effective)) {
		ksft_print_msg("%s: effective \"%s\" not within \"%s\"\n",
			       cgroup, eff, parent_effective);
		return false;
	}
	for (; *hidden; hidden++) {
		if (list_has(eff, *hidden)) {
			ksft_print_msg("%s: effective still has %s\n", cgroup,
				       *hidden);
			return false;
		}
	}
	return true;
}

/* A cgroup's whole cpufeat state, to see that a write changed nothing. */
struct cg_state {
	char hwcap[LIST_SIZE];
	char effective[LIST_SIZE];
};

static int read_state(const char *cgroup, struct cg_state *s)
{
	return read_hwcap(cgroup, s->hwcap) ?: read_effective(cgroup,
							      s->effective);
}

static bool state_unchanged(const char *cgroup, const struct cg_state *before)
{
	struct cg_state *now = malloc(sizeof(*now));
	char what[PATH_MAX];
	bool same;

	if (!now || read_state(cgroup, now)) {
		free(now);
		return false;
	}
	snprintf(what, sizeof(what), "%s/cpufeat.hwcap", cgroup);
	print_list_diff(what, before->hwcap, now->hwcap);
	snprintf(what, sizeof(what), "%s/cpufeat.hwcap.effective", cgroup);
	print_list_diff(what, before->effective, now->effective);
	same = !strcmp(now->hwcap, before->hwcap) &&
	       !strcmp(now->effective, before->effective);
	free(now);
	return same;
}

/* Create @name under @parent; with @subtree, enable cpufeat for children. */
static char *create_cgroup(const char *parent, const char *name, bool subtree)
{
	char *cgroup = cg_name(parent, name);

	if (!cgroup)
		return NULL;
	if (cg_create(cgroup)) {
		ksft_print_msg("can't create %s: %s\n", cgroup,
			       strerror(errno));
		free(cgroup);
		return NULL;
	}
	if (subtree && cg_write(cgroup, "cgroup.subtree_control", "+cpufeat")) {
		ksft_print_msg("can't enable cpufeat below %s\n", cgroup);
		cg_destroy(cgroup);
		free(cgroup);
		return NULL;
	}
	return cgroup;
}

static void destroy_cgroup(char *cgroup)
{
	if (cgroup)
		cg_destroy(cgroup);
	free(cgroup);
}

/* A program's view, as the helper reports it. */
struct view {
	unsigned long hwcap;
	unsigned long hwcap2;
	unsigned long secure;
	char cpufeat[LIST_SIZE];
};

/* Helper side: print one report line. */
static void helper_report(void)
{
	unsigned long auxv[256], hwcap = 0, hwcap2 = 0, secure = 0;
	char cpufeat[LIST_SIZE];
	ssize_t len;
	size_t i;
	int fd;

	fd = open("/proc/self/auxv", O_RDONLY);
	len = fd < 0 ? -1 : read(fd, auxv, sizeof(auxv));
	if (len < 0) {
		dprintf(STDOUT_FILENO, "error: /proc/self/auxv: %s\n",
			strerror(errno));
		return;
	}
	close(fd);
	for (i = 0; i + 1 < len / sizeof(auxv[0]); i += 2) {
		if (auxv[i] == AT_HWCAP)
			hwcap = auxv[i + 1];
		else if (auxv[i] == AT_HWCAP2)
			hwcap2 = auxv[i + 1];
		else if (auxv[i] == AT_SECURE)
			secure = auxv[i + 1];
	}

	len = read_text("/proc/self/cpufeat", cpufeat, sizeof(cpufeat));
	if (len < 0) {
		dprintf(STDOUT_FILENO, "error: /proc/self/cpufeat: %s\n",
			strerror(-len));
		return;
	}
	cpufeat[strcspn(cpufeat, "\n")] = '\0';
	dprintf(STDOUT_FILENO,
		"view hwcap=%#lx hwcap2=%#lx secure=%lu cpufeat=%s\n",
		hwcap, hwcap2, secure, cpufeat);
}

#if defined(__x86_64__) || defined(__aarch64__)

/*
 * "cpuinfo processors=N same=M flags=..." : how many processors
 * /proc/cpuinfo lists, how many of them have the feature line (CPUINFO_KEY)
 * of the first, and that line.
 */
static void helper_cpuinfo(void)
{
	int processors = 0, same = 0;
	char *line = NULL, *first = NULL, *p;
	size_t size = 0;
	FILE *f;

	f = fopen("/proc/cpuinfo", "r");
	if (!f) {
		dprintf(STDOUT_FILENO, "error: /proc/cpuinfo: %s\n",
			strerror(errno));
		return;
	}
	while (getline(&line, &size, f) > 0) {
		p = strchr(line, ':');
		if (strncmp(line, CPUINFO_KEY, strlen(CPUINFO_KEY)) || !p)
			continue;
		for (p++; *p == ' '; p++)
			;
		p[strcspn(p, "\n")] = '\0';
		processors++;
		if (!first)
			first = strdup(p);
		if (first && !strcmp(first, p))
			same++;
	}
	fclose(f);
	dprintf(STDOUT_FILENO, "cpuinfo processors=%d same=%d flags=%s\n",
		processors, same, first ?: "");
	free(first);
	free(line);
}

#endif

#if defined(__x86_64__)

/*
 * The CPUID instruction, on x86_64: what the "c" report dumps, the (leaf,
 * subleaf) pairs below, in this order.  cpufeat_cpuid32.c asks the same in
 * 32-bit mode: keep the two lists equal.  Leaves 1, 6 and 0x80000001 do not
 * look at ECX; they are asked with junk there too, as programs that don't
 * clear ECX first do.
 */
struct cpuid_query {
	unsigned int leaf;
	unsigned int subleaf;
};

static const struct cpuid_query cpuid_queries[] = {
	{ 0x0, 0 }, { 0x1, 0 }, { 0x1, 0x5a5a }, { 0x4, 0 }, { 0x4, 1 },
	{ 0x6, 0 }, { 0x6, 0x3c }, { 0x7, 0 }, { 0x7, 1 }, { 0x7, 2 },
	{ 0xb, 0 }, { 0xb, 1 }, { 0xd, 0 }, { 0xd, 1 }, { 0xd, 2 },
	{ 0x1f, 0 }, { 0x80000000, 0 }, { 0x80000001, 0 },
	{ 0x80000001, 0xa5a5 }, { 0x80000006, 0 }, { 0x80000007, 0 },
	{ 0x80000008, 0 }, { 0x8000000a, 0 }, { 0x8000001f, 0 },
	{ 0x80000021, 0 },
};

#define NR_CPUID_QUERIES	ARRAY_SIZE(cpuid_queries)

enum { CPUID_EAX, CPUID_EBX, CPUID_ECX, CPUID_EDX };

static const char * const cpuid_reg_names[] = { "EAX", "EBX", "ECX", "EDX" };

/* What CPUID answered, on which CPU; or that it raised SIGSEGV. */
struct cpuid_dump {
	int cpu;
	bool fault;
	unsigned int regs[NR_CPUID_QUERIES][4];
};

/* Threads the "t" report starts. */
#define HELPER_THREADS	4

/* CPUIDs the "n" command executes. */
#define CPUID_LOOPS	1000

/* Dumps the "v" command compares with its first. */
#define CPUID_ROUNDS	200

static __thread sigjmp_buf cpuid_jmp;
static __thread bool cpuid_catching;

static void cpuid_segv(int sig)
{
	if (cpuid_catching)
		siglongjmp(cpuid_jmp, 1);
	/* Not from CPUID: die of it. */
	signal(SIGSEGV, SIG_DFL);
}

/*
 * CPUID with a DS segment override and a REX.W prefix: four bytes, which
 * the kernel must decode to step over the whole instruction.
 */
static void cpuid_prefixed(unsigned int leaf, unsigned int subleaf,
			   unsigned int *regs)
{
	asm volatile(".byte 0x3e, 0x48, 0x0f, 0xa2"
		     : "=a" (regs[CPUID_EAX]), "=b" (regs[CPUID_EBX]),
		       "=c" (regs[CPUID_ECX]), "=d" (regs[CPUID_EDX])
		     : "a" (leaf), "c" (subleaf));
}

/*
 * Ask CPUID every query (with @prefixed, in cpuid_prefixed()'s encoding),
 * catching the SIGSEGV of a faulting CPUID.
 */
static void cpuid_run_encoded(struct cpuid_dump *d, bool prefixed)
{
	struct sigaction sa = { .sa_handler = cpuid_segv };
	unsigned int i;

	d->cpu = sched_getcpu();
	d->fault = false;
	sigaction(SIGSEGV, &sa, NULL);
	if (sigsetjmp(cpuid_jmp, 1)) {
		cpuid_catching = false;
		d->fault = true;
		return;
	}
	cpuid_catching = true;
	/* Keep the flag's stores on their side of the CPUIDs. */
	asm volatile("" : : : "memory");
	for (i = 0; i < NR_CPUID_QUERIES; i++) {
		if (prefixed)
			cpuid_prefixed(cpuid_queries[i].leaf,
				       cpuid_queries[i].subleaf, d->regs[i]);
		else
			__cpuid_count(cpuid_queries[i].leaf,
				      cpuid_queries[i].subleaf,
				      d->regs[i][CPUID_EAX],
				      d->regs[i][CPUID_EBX],
				      d->regs[i][CPUID_ECX],
				      d->regs[i][CPUID_EDX]);
	}
	asm volatile("" : : : "memory");
	cpuid_catching = false;
}

static void cpuid_run(struct cpuid_dump *d)
{
	cpuid_run_encoded(d, false);
}

/* "cpuid cpu=N LEAF.SUBLEAF:EAX:EBX:ECX:EDX ..." or "cpuid fault". */
static void cpuid_print(const struct cpuid_dump *d)
{
	char line[32 + NR_CPUID_QUERIES * 56];
	size_t len, i;

	if (d->fault) {
		dprintf(STDOUT_FILENO, "cpuid fault\n");
		return;
	}
	len = snprintf(line, sizeof(line), "cpuid cpu=%d", d->cpu);
	for (i = 0; i < NR_CPUID_QUERIES && len < sizeof(line); i++)
		len += snprintf(line + len, sizeof(line) - len,
				" %x.%x:%x:%x:%x:%x", cpuid_queries[i].leaf,
				cpuid_queries[i].subleaf, d->regs[i][0],
				d->regs[i][1], d->regs[i][2], d->regs[i][3]);
	dprintf(STDOUT_FILENO, "%s\n", line);
}

struct helper_thread {
	pthread_t thread;
	int cpu;		/* where to run, -1: anywhere */
	struct cpuid_dump dump;
};

static void *helper_thread_fn(void *arg)
{
	struct helper_thread *t = arg;
	cpu_set_t set;

	if (t->cpu >= 0) {
		CPU_ZERO(&set);
		CPU_SET(t->cpu, &set);
		sched_setaffinity(0, sizeof(set), &set);
	}
	cpuid_run(&t->dump);
	return NULL;
}

/*
 * Start HELPER_THREADS threads, spread over the CPUs the program may use,
 * each dumping CPUID; report their dumps in thread order.
 */
static int helper_threads(void)
{
	struct helper_thread threads[HELPER_THREADS];
	int cpus[HELPER_THREADS], n = 0, i, cpu;
	cpu_set_t allowed;

	if (sched_getaffinity(0, sizeof(allowed), &allowed))
		CPU_ZERO(&allowed);
	for (cpu = 0; cpu < CPU_SETSIZE && n < HELPER_THREADS; cpu++)
		if (CPU_ISSET(cpu, &allowed))
			cpus[n++] = cpu;
	for (i = 0; i < HELPER_THREADS; i++) {
		threads[i].cpu = n ? cpus[i % n] : -1;
		if (pthread_create(&threads[i].thread, NULL, helper_thread_fn,
				   &threads[i])) {
			dprintf(STDOUT_FILENO, "error: pthread_create\n");
			return -1;
		}
	}
	for (i = 0; i < HELPER_THREADS; i++)
		pthread_join(threads[i].thread, NULL);
	for (i = 0; i < HELPER_THREADS; i++)
		cpuid_print(&threads[i].dump);
	return 0;
}

/* The x86_64 commands of the helper: 0, or -1 to stop with an error. */
static int helper_arch_command(char c)
{
	struct cpuid_dump dump, again;
	unsigned int i;
	pid_t pid;
	long ret;

	switch (c) {
	case 'c':
		cpuid_run(&dump);
		cpuid_print(&dump);
		return 0;
	case 'F':
		pid = fork();
		if (pid < 0)
			return -1;
		if (!pid) {
			cpuid_run(&dump);
			cpuid_print(&dump);
			_exit(0);
		}
		return waitpid(pid, NULL, 0) == pid ? 0 : -1;
	case 'P':
		cpuid_run_encoded(&dump, true);
		cpuid_print(&dump);
		return 0;
	case 't':
		return helper_threads();
	case 'p':
		helper_cpuinfo();
		return 0;
	case 'g':
		ret = syscall(SYS_arch_prctl, ARCH_GET_CPUID, 0);
		dprintf(STDOUT_FILENO, "archcpuid %ld\n", ret < 0 ? -errno : ret);
		return 0;
	case 'd':
	case 'e':
		if (syscall(SYS_arch_prctl, ARCH_SET_CPUID, c == 'e')) {
			dprintf(STDOUT_FILENO, "error: ARCH_SET_CPUID %d: %s\n",
				c == 'e', strerror(errno));
			return -1;
		}
		return 0;
	case 'v':
		cpuid_run(&dump);
		cpuid_print(&dump);
		for (i = 0; i < CPUID_ROUNDS; i++) {
			cpuid_run(&again);
			if (again.fault != dump.fault ||
			    memcmp(again.regs, dump.regs, sizeof(dump.regs))) {
				cpuid_print(&again);
				break;
			}
		}
		return 0;
	case 'n':
		for (i = 0; i < CPUID_LOOPS; i++)
			__cpuid_count(1, 0, dump.regs[0][0], dump.regs[0][1],
				      dump.regs[0][2], dump.regs[0][3]);
		return 0;
	default:
		return -1;
	}
}

#elif defined(__aarch64__)

/*
 * The ID registers that an EL0 MRS reads, which the kernel emulates: what
 * the "m" report dumps, in this order.  Encodings and fields are those of
 * arch/arm64/tools/sysreg.
 */
enum {
	ID_PFR0, ID_PFR1, ID_ZFR0, ID_ISAR0, ID_ISAR1, ID_ISAR2, ID_MMFR0,
	ID_MMFR1, ID_MMFR2, NR_ID_REGS
};

static const char * const id_reg_names[NR_ID_REGS] = {
	"PFR0", "PFR1", "ZFR0", "ISAR0", "ISAR1", "ISAR2", "MMFR0", "MMFR1",
	"MMFR2",
};

/* MRSs the "n" command executes. */
#define MRS_LOOPS	1000

/* What MRS read, or that it raised SIGILL. */
struct mrs_dump {
	bool fault;
	unsigned long regs[NR_ID_REGS];
};

/*
 * Read the ID register of encoding @reg, as S3_0_C0_Cn_m.  The memory
 * clobber keeps mrs_catching's stores on their side of the MRS.
 */
#define read_id_reg(reg)					\
({								\
	unsigned long __val;					\
								\
	asm volatile("mrs %0, " #reg : "=r" (__val) : : "memory");	\
	__val;							\
})

static sigjmp_buf mrs_jmp;
static bool mrs_catching;

static void mrs_sigill(int sig)
{
	if (mrs_catching)
		siglongjmp(mrs_jmp, 1);
	/* Not from MRS: die of it. */
	signal(SIGILL, SIG_DFL);
}

/* Read every ID register, catching the SIGILL of a faulting MRS. */
static void mrs_run(struct mrs_dump *d)
{
	struct sigaction sa = { .sa_handler = mrs_sigill };

	d->fault = false;
	sigaction(SIGILL, &sa, NULL);
	if (sigsetjmp(mrs_jmp, 1)) {
		mrs_catching = false;
		d->fault = true;
		return;
	}
	mrs_catching = true;
	d->regs[ID_PFR0] = read_id_reg(S3_0_C0_C4_0);
	d->regs[ID_PFR1] = read_id_reg(S3_0_C0_C4_1);
	d->regs[ID_ZFR0] = read_id_reg(S3_0_C0_C4_4);
	d->regs[ID_ISAR0] = read_id_reg(S3_0_C0_C6_0);
	d->regs[ID_ISAR1] = read_id_reg(S3_0_C0_C6_1);
	d->regs[ID_ISAR2] = read_id_reg(S3_0_C0_C6_2);
	d->regs[ID_MMFR0] = read_id_reg(S3_0_C0_C7_0);
	d->regs[ID_MMFR1] = read_id_reg(S3_0_C0_C7_1);
	d->regs[ID_MMFR2] = read_id_reg(S3_0_C0_C7_2);
	mrs_catching = false;
}

/* "mrs PFR0:V PFR1:V ..." or "mrs fault". */
static void mrs_print(const struct mrs_dump *d)
{
	char line[32 + NR_ID_REGS * 32];
	size_t len = 0;
	int i;

	if (d->fault) {
		dprintf(STDOUT_FILENO, "mrs fault\n");
		return;
	}
	for (i = 0; i < NR_ID_REGS && len < sizeof(line); i++)
		len += snprintf(line + len, sizeof(line) - len, " %s:%lx",
				id_reg_names[i], d->regs[i]);
	dprintf(STDOUT_FILENO, "mrs%s\n", line);
}

/* Parse an "m" report, without its "mrs ". */
static bool mrs_parse(const char *s, struct mrs_dump *d)
{
	char name[16];
	int i, n = 0;

	d->fault = !strcmp(s, "fault");
	if (d->fault)
		return true;
	for (i = 0; i < NR_ID_REGS; i++) {
		s += n;
		n = 0;
		if (sscanf(s, " %15[A-Z0-9]:%lx%n", name, &d->regs[i],
			   &n) != 2 || !n || strcmp(name, id_reg_names[i]))
			return false;
	}
	return !s[n];
}

/* The vector length RDVL reads, or -1 if it raises SIGILL. */
static long sve_rdvl(void)
{
	struct sigaction sa = { .sa_handler = mrs_sigill };
	unsigned long vl;

	sigaction(SIGILL, &sa, NULL);
	if (sigsetjmp(mrs_jmp, 1)) {
		mrs_catching = false;
		return -1;
	}
	mrs_catching = true;
	/* rdvl x0, #1: an SVE instruction, whatever the assembler knows */
	asm volatile(".inst 0x04bf5020\n\tmov %0, x0"
		     : "=r" (vl) : : "x0", "memory");
	mrs_catching = false;
	return vl;
}

/* "sve rdvl=N prctl=M": can the program use SVE? */
static void sve_report(void)
{
	long vl = sve_rdvl();
	int ret = prctl(PR_SVE_GET_VL, 0, 0, 0, 0);

	dprintf(STDOUT_FILENO, "sve rdvl=%ld prctl=%d\n", vl,
		ret < 0 ? -errno : ret);
}

/*
 * "pac keys=N signed=B": the enabled pointer authentication keys, and
 * whether PACIA, which leaves a pointer alone while its key is off,
 * changed one.
 */
static void pac_report(void)
{
	int keys = prctl(PR_PAC_GET_ENABLED_KEYS, 0, 0, 0, 0);
	unsigned long pointer, out;
	int i, changed = 0;

	keys = keys < 0 ? -errno : keys;
	/*
	 * A PAC can happen to be 0 (a few bits wide, with top-byte ignore):
	 * sign several pointers, and count those that changed.
	 */
	for (i = 0; i < 8; i++) {
		pointer = 0x0000aaaaaaaa1230UL + i * 0x1010UL;
		/* pacia x0, x1: not a hint, so it needs FEAT_PAuth */
		asm volatile("mov x0, %1\n\tmov x1, %2\n\t"
			     ".inst 0xdac10020\n\tmov %0, x0"
			     : "=r" (out) : "r" (pointer), "r" (i + 1UL)
			     : "x0", "x1");
		changed += out != pointer;
	}
	dprintf(STDOUT_FILENO, "pac keys=%d signed=%d\n", keys, changed);
}

/* The arm64 commands of the helper: 0, or -1 to stop with an error. */
static int helper_arch_command(char c)
{
	struct mrs_dump dump;
	int i;

	switch (c) {
	case 'm':
		mrs_run(&dump);
		mrs_print(&dump);
		return 0;
	case 'p':
		helper_cpuinfo();
		return 0;
	case 'V':
		sve_report();
		return 0;
	case 'K':
		pac_report();
		return 0;
	case 'n':
		for (i = 0; i < MRS_LOOPS; i++)
			dump.regs[ID_ISAR0] = read_id_reg(S3_0_C0_C6_0);
		return 0;
	default:
		return -1;
	}
}

#else

static int helper_arch_command(char c)
{
	return -1;
}

#endif

static int helper_main(const char *script)
{
	pid_t pid;
	char c;

	for (; *script; script++) {
		switch (*script) {
		case 'r':
			helper_report();
			break;
		case 'w':
			if (read(STDIN_FILENO, &c, 1) != 1)
				return 1;
			break;
		case 'f':
			pid = fork();
			if (pid < 0)
				return 1;
			if (!pid) {
				helper_report();
				_exit(0);
			}
			if (waitpid(pid, NULL, 0) != pid)
				return 1;
			break;
		case 'x':
			execl("/proc/self/exe", "test_cpufeat", HELPER_ARG,
			      script + 1, NULL);
			return 1;
		default:
			if (helper_arch_command(*script))
				return 1;
			break;
		}
	}
	return 0;
}

/* Drop root for good: no supplementary groups, no capabilities. */
static int become_user(uid_t uid)
{
	return setgroups(0, NULL) || setresgid(uid, uid, uid) ||
	       setresuid(uid, uid, uid) ? -1 : 0;
}

/* How a helper child ends when it does not get to run the helper. */
enum {
	HELPER_EXEC_FAILED = 124,
	HELPER_NO_USER,
	HELPER_NO_CGROUP,
	HELPER_NO_PIPES,
};

static const char * const helper_errors[] = {
	"exec failed",
	"could not change user",
	"could not join the cgroup",
	"could not set up its stdin and stdout",
};

/* Test side: a running helper. */
struct helper {
	pid_t pid;
	int control;		/* a byte written here lets "w" go on */
	FILE *reports;
};

/*
 * Start @exe (NULL: this test binary) with @script in @cgroup, as user @uid
 * (0: stay root).
 */
static int helper_start(struct helper *h, const char *cgroup, const char *exe,
			uid_t uid, const char *script)
{
	int to_helper[2], from_helper[2];

	if (pipe(to_helper))
		return -1;
	if (pipe(from_helper)) {
		close(to_helper[0]);
		close(to_helper[1]);
		return -1;
	}
	fflush(stdout);
	h->pid = fork();
	if (!h->pid) {
		if (dup2(to_helper[0], STDIN_FILENO) < 0 ||
		    dup2(from_helper[1], STDOUT_FILENO) < 0)
			_exit(HELPER_NO_PIPES);
		close(to_helper[0]);
		close(to_helper[1]);
		close(from_helper[0]);
		close(from_helper[1]);
		if (cgroup && cg_enter_current(cgroup))
			_exit(HELPER_NO_CGROUP);
		if (uid && become_user(uid))
			_exit(HELPER_NO_USER);
		execl(exe ?: "/proc/self/exe", "test_cpufeat", HELPER_ARG,
		      script, NULL);
		_exit(HELPER_EXEC_FAILED);
	}
	close(to_helper[0]);
	close(from_helper[1]);
	h->control = to_helper[1];
	h->reports = h->pid < 0 ? NULL : fdopen(from_helper[0], "r");
	if (!h->reports) {
		ksft_print_msg("can't start the helper: %s\n", strerror(errno));
		close(from_helper[0]);
		close(h->control);
		if (h->pid > 0)
			waitpid(h->pid, NULL, 0);
		h->pid = -1;
		return -1;
	}
	return 0;
}

/* Read the helper's next report. */
static int helper_read(struct helper *h, struct view *v)
{
	char line[LIST_SIZE + 128];
	int n = 0;

	if (!fgets(line, sizeof(line), h->reports)) {
		ksft_print_msg("helper %d: no report\n", h->pid);
		return -1;
	}
	if (sscanf(line, "view hwcap=%lx hwcap2=%lx secure=%lu cpufeat=%n",
		   &v->hwcap, &v->hwcap2, &v->secure, &n) != 3 || !n) {
		ksft_print_msg("helper %d: %s", h->pid, line);
		return -1;
	}
	line[strcspn(line, "\n")] = '\0';
	snprintf(v->cpufeat, sizeof(v->cpufeat), "%s", line + n);
	return 0;
}

/* Let the helper go on from "w". */
static int helper_continue(struct helper *h)
{
	return write(h->control, "c", 1) == 1 ? 0 : -1;
}

/* Wait for the helper to end; 0 if it ended well. */
static int helper_finish(struct helper *h)
{
	pid_t pid = h->pid;
	int status;

	if (pid <= 0)
		return -1;
	h->pid = -1;
	close(h->control);
	fclose(h->reports);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFEXITED(status) && !WEXITSTATUS(status))
		return 0;
	if (!WIFEXITED(status))
		ksft_print_msg("helper killed by signal %d\n", WTERMSIG(status));
	else if (WEXITSTATUS(status) >= HELPER_EXEC_FAILED)
		ksft_print_msg("helper: %s\n",
			       helper_errors[WEXITSTATUS(status) -
					     HELPER_EXEC_FAILED]);
	else
		ksft_print_msg("helper exited with status %d\n",
			       WEXITSTATUS(status));
	return -1;
}

/* Run @script in @cgroup and collect its first @n reports. */
static int run_helper(const char *cgroup, const char *script,
		      struct view *views, int n)
{
	struct helper h;
	int i, ret = 0;

	if (helper_start(&h, cgroup, NULL, 0, script))
		return -1;
	for (i = 0; i < n && !ret; i++)
		ret = helper_read(&h, &views[i]);
	if (helper_finish(&h))
		ret = -1;
	return ret;
}

/* The AT_HWCAP word (0 or 1) and bit of feature @name, if it has one. */
static bool hwcap_bit(const char *name, int *word, int *bit)
{
	int i;

	for (i = 0; i < 64; i++) {
		if (hwcap_names[i] && !strcmp(hwcap_names[i], name)) {
			*word = 0;
			*bit = i;
			return true;
		}
		if (hwcap2_names[i] && !strcmp(hwcap2_names[i], name)) {
			*word = 1;
			*bit = i;
			return true;
		}
	}
	return false;
}

static bool view_has_bit(const struct view *v, int word, int bit)
{
	unsigned long value = word ? v->hwcap2 : v->hwcap;

	return bit < 8 * sizeof(value) && (value >> bit) & 1;
}

/*
 * Does @v, the view of a program exec'd in a cgroup with @effective, agree
 * with @full, the view of the same program where nothing is hidden?  Every
 * AT_HWCAP* bit of a feature the machine has (@machine) but @effective
 * lacks must be clear, every other bit as in @full; /proc/self/cpufeat
 * lists @effective.
 */
static bool view_matches(const struct view *v, const struct view *full,
			 const char *machine, const char *effective)
{
	bool ok = true;
	int word, bit;

	for (word = 0; word < 2; word++) {
		const char * const *names = word ? hwcap2_names : hwcap_names;

		for (bit = 0; bit < 8 * sizeof(long); bit++) {
			const char *name = names[bit];
			bool want = view_has_bit(full, word, bit);

			if (name && list_has(machine, name) &&
			    !list_has(effective, name))
				want = false;
			if (view_has_bit(v, word, bit) == want)
				continue;
			ksft_print_msg("AT_HWCAP%s bit %d (%s) is %d, expected %d\n",
				       word ? "2" : "", bit, name ?: "?",
				       !want, want);
			ok = false;
		}
	}
	if (strcmp(v->cpufeat, effective)) {
		print_list_diff("/proc/self/cpufeat", effective, v->cpufeat);
		ok = false;
	}
	return ok;
}

static bool same_view(const struct view *a, const struct view *b)
{
	if (a->hwcap == b->hwcap && a->hwcap2 == b->hwcap2 &&
	    !strcmp(a->cpufeat, b->cpufeat))
		return true;
	ksft_print_msg("view changed: AT_HWCAP %#lx -> %#lx, AT_HWCAP2 %#lx -> %#lx\n",
		       a->hwcap, b->hwcap, a->hwcap2, b->hwcap2);
	print_list_diff("/proc/self/cpufeat", a->cpufeat, b->cpufeat);
	return false;
}

/* "-a -b ..." for the NULL-terminated @names that @machine has. */
static void hide_edits(const char * const *names, const char *machine,
		       char *out, size_t size)
{
	out[0] = '\0';
	for (; *names; names++) {
		if (!list_has(machine, *names))
			continue;
		if (out[0])
			strncat(out, " ", size - strlen(out) - 1);
		strncat(out, "-", size - strlen(out) - 1);
		strncat(out, *names, size - strlen(out) - 1);
	}
}

/*
 * Read the root's effective set, and check that @names are in it: the
 * features a test hides must exist on this machine.
 */
static int machine_has(const char *root, char *machine,
		       const char * const *names)
{
	if (read_effective(root, machine))
		return KSFT_FAIL;
	if (!names[0]) {
		ksft_print_msg("no test features for this architecture\n");
		return KSFT_SKIP;
	}
	if (!list_has_all(machine, names)) {
		ksft_print_msg("the machine lacks some of %s%s%s\n", names[0],
			       names[1] ? " " : "", names[1] ?: "");
		return KSFT_SKIP;
	}
	return KSFT_PASS;
}

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
	int ret = KSFT_FAIL;
	char *cg = NULL;
	struct stat st;
	char path[PATH_MAX];
	int i, j;

	cg = create_cgroup(root, "cpufeat_test_files", false);
	if (!cg)
		goto cleanup;

	for (i = 0; i < ARRAY_SIZE(files); i++) {
		for (j = 0; j < 2; j++) {
			mode_t mode = j ? files[i].mode : files[i].root_mode;

			snprintf(path, sizeof(path), "%s/%s", j ? cg : root,
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
	destroy_cgroup(cg);
	return ret;
}

/*
 * Does @cgroup's cpufeat.stat have restricted_execs, and every counter in it
 * at 0?
 */
static bool stat_all_zero(const char *cgroup)
{
	char buf[1024], key[64], *line, *next;
	bool restricted = false;
	long long value;
	int n;

	if (cg_read(cgroup, "cpufeat.stat", buf, sizeof(buf))) {
		ksft_print_msg("can't read %s/cpufeat.stat: %s\n", cgroup,
			       strerror(errno));
		return false;
	}
	for (line = buf; *line; line = next) {
		next = strchr(line, '\n');
		if (!next) {
			ksft_print_msg("cpufeat.stat: \"%s\" has no newline\n",
				       line);
			return false;
		}
		*next++ = '\0';
		n = 0;
		if (sscanf(line, "%63s %lld%n", key, &value, &n) != 2 ||
		    line[n] || value) {
			ksft_print_msg("new cgroup's cpufeat.stat: \"%s\", not 0\n",
				       line);
			return false;
		}
		if (!strcmp(key, "restricted_execs"))
			restricted = true;
	}
	if (!restricted)
		ksft_print_msg("cpufeat.stat has no restricted_execs\n");
	return restricted;
}

/*
 * A new cgroup allows everything ("max") and offers what the root offers;
 * the root offers something.
 */
static int test_cpufeat_defaults(const char *root)
{
	char machine[LIST_SIZE];
	char *parent = NULL, *child = NULL;
	int ret = KSFT_FAIL;

	if (read_effective(root, machine))
		goto cleanup;
	if (!list_count(machine)) {
		ksft_print_msg("the root's effective set is empty\n");
		goto cleanup;
	}

	parent = create_cgroup(root, "cpufeat_test_defaults", true);
	if (!parent)
		goto cleanup;
	child = create_cgroup(parent, "child", false);
	if (!child)
		goto cleanup;

	if (!list_is(parent, "cpufeat.hwcap", "max") ||
	    !list_is(parent, "cpufeat.hwcap.effective", machine) ||
	    !list_is(child, "cpufeat.hwcap", "max") ||
	    !list_is(child, "cpufeat.hwcap.effective", machine))
		goto cleanup;
	if (!stat_all_zero(parent))
		goto cleanup;

	ret = KSFT_PASS;
cleanup:
	destroy_cgroup(child);
	destroy_cgroup(parent);
	return ret;
}

/*
 * A list of names reads back in table order; what was read can be written
 * back; "max" restores the default; all names read back as "max"; names of
 * features the machine lacks are accepted.
 */
static int test_cpufeat_set_read_back(const char *root)
{
	char machine[LIST_SIZE], buf[2 * LIST_SIZE], expected[LIST_SIZE];
	char known[LIST_SIZE], first[64], middle[64], last[64], lacking[64];
	struct cg_state *state = NULL;
	int ret = KSFT_FAIL, n, i;
	char *cg = NULL;

	if (read_effective(root, machine))
		goto cleanup;
	n = list_count(machine);
	if (n < 3) {
		ksft_print_msg("the machine has fewer than 3 features\n");
		ret = KSFT_SKIP;
		goto cleanup;
	}
	snprintf(first, sizeof(first), "%s", list_word(machine, 0));
	snprintf(middle, sizeof(middle), "%s", list_word(machine, n / 2));
	snprintf(last, sizeof(last), "%s", list_word(machine, n - 1));

	cg = create_cgroup(root, "cpufeat_test_set_read_back", false);
	state = malloc(sizeof(*state));
	if (!cg || !state)
		goto cleanup;

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
	if (read_state(cg, state) || write_hwcap(cg, state->hwcap) ||
	    !state_unchanged(cg, state))
		goto cleanup;

	if (write_hwcap(cg, "  max\n") ||
	    !list_is(cg, "cpufeat.hwcap", "max") ||
	    !list_is(cg, "cpufeat.hwcap.effective", machine))
		goto cleanup;

	/*
	 * Every feature of the machine: "max" if the machine has every name
	 * the kernel knows, else those names.  Either way nothing is hidden.
	 */
	if (write_hwcap(cg, machine) || read_hwcap(cg, buf))
		goto cleanup;
	if (strcmp(buf, "max") && strcmp(buf, machine)) {
		ksft_print_msg("all features read back as \"%s\"\n", buf);
		goto cleanup;
	}
	if (!list_is(cg, "cpufeat.hwcap.effective", machine))
		goto cleanup;

	/*
	 * Every name the kernel knows reads back as "max".  What they are:
	 * "-first" on max leaves all the others.
	 */
	snprintf(expected, sizeof(expected), "-%s", first);
	if (write_hwcap(cg, "max") || write_hwcap(cg, expected) ||
	    read_hwcap(cg, known))
		goto cleanup;
	snprintf(buf, sizeof(buf), "%s %s", known, first);
	if (list_has(known, first) || !list_subset(machine, buf)) {
		ksft_print_msg("after -%s the setting is \"%s\"\n", first,
			       known);
		goto cleanup;
	}
	if (write_hwcap(cg, buf) || !list_is(cg, "cpufeat.hwcap", "max"))
		goto cleanup;

	/* A name the kernel knows and the machine lacks is accepted. */
	lacking[0] = '\0';
	for (i = 0; !lacking[0] && i < list_count(known); i++)
		if (!list_has(machine, list_word(known, i)))
			snprintf(lacking, sizeof(lacking), "%s",
				 list_word(known, i));
	if (!lacking[0]) {
		ksft_print_msg("the machine has every feature the kernel knows\n");
	} else {
		snprintf(buf, sizeof(buf), "%s %s", lacking, first);
		if (write_hwcap(cg, buf) || read_hwcap(cg, buf))
			goto cleanup;
		if (list_count(buf) != 2 || !list_has(buf, lacking) ||
		    !list_has(buf, first)) {
			ksft_print_msg("\"%s %s\" reads back as \"%s\"\n",
				       lacking, first, buf);
			goto cleanup;
		}
		if (read_effective(cg, buf))
			goto cleanup;
		if (!list_subset(buf, first)) {
			ksft_print_msg("allowing %s and %s, the effective set is \"%s\"\n",
				       lacking, first, buf);
			goto cleanup;
		}
	}

	ret = KSFT_PASS;
cleanup:
	free(state);
	destroy_cgroup(cg);
	return ret;
}

/*
 * "-name" hides a feature and the features that need it, "+name" shows
 * them again; edits apply to "max" and to lists alike.
 */
static int test_cpufeat_edits(const char *root)
{
	char machine[LIST_SIZE], buf[LIST_SIZE], expected[LIST_SIZE];
	const char *x = hide_set[0], *y;
	const char * const *p;
	char *cg = NULL;
	int ret;

	ret = machine_has(root, machine, hide_set);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;
	y = list_first_of(machine, independent);
	if (!y) {
		ksft_print_msg("the machine has no feature independent of %s\n",
			       x);
		ret = KSFT_SKIP;
		goto cleanup;
	}

	cg = create_cgroup(root, "cpufeat_test_edits", false);
	if (!cg)
		goto cleanup;

	/* -x on max: the setting lacks x only, the effective set its users. */
	snprintf(buf, sizeof(buf), "-%s", x);
	if (write_hwcap(cg, buf) || !effective_hides(cg, machine, hide_set) ||
	    read_hwcap(cg, buf))
		goto cleanup;
	if (list_has(buf, x) || !list_has(buf, y)) {
		ksft_print_msg("setting after -%s: \"%s\"\n", x, buf);
		goto cleanup;
	}
	for (p = hide_set + 1; *p; p++) {
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
	    !list_is(cg, "cpufeat.hwcap.effective", machine))
		goto cleanup;

	/* Several edits at once, then one by one. */
	snprintf(buf, sizeof(buf), "-%s\t-%s\n", y, x);
	if (write_hwcap(cg, buf) || !effective_hides(cg, machine, hide_set) ||
	    read_effective(cg, buf))
		goto cleanup;
	if (list_has(buf, y)) {
		ksft_print_msg("-%s did not hide it\n", y);
		goto cleanup;
	}
	snprintf(buf, sizeof(buf), "+%s", y);
	if (write_hwcap(cg, buf) || !effective_hides(cg, machine, hide_set) ||
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
	list_ordered(machine, buf, expected, sizeof(expected));
	if (!list_is(cg, "cpufeat.hwcap", expected))
		goto cleanup;
	snprintf(buf, sizeof(buf), "-%s", y);
	if (write_hwcap(cg, buf) || !list_is(cg, "cpufeat.hwcap", x))
		goto cleanup;

	ret = KSFT_PASS;
cleanup:
	destroy_cgroup(cg);
	return ret;
}

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
 * The kernel log, to see that hostile writes make the kernel complain of
 * nothing: the records logged since the last look are read from /dev/kmsg
 * or, where it can't be opened, the alarming lines of the ring buffer are
 * counted with syslog(2).
 */
#ifndef SYSLOG_ACTION_READ_ALL
#define SYSLOG_ACTION_READ_ALL		3
#endif
#ifndef SYSLOG_ACTION_SIZE_BUFFER
#define SYSLOG_ACTION_SIZE_BUFFER	10
#endif

struct klog {
	int fd;		/* /dev/kmsg, after the records already looked at */
	int alarms;	/* without it: alarming lines in the ring buffer */
};

static bool klog_alarming(const char *line)
{
	static const char * const words[] = {
		"WARNING", "BUG", "Oops", "Call Trace", "cpufeat",
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(words); i++)
		if (strstr(line, words[i]))
			return true;
	return false;
}

/* The number of alarming lines in the kernel's ring buffer, or -1. */
static int klog_count_alarms(void)
{
	int size = klogctl(SYSLOG_ACTION_SIZE_BUFFER, NULL, 0);
	char *buf, *line, *save;
	int len, n = 0;

	if (size <= 0)
		return -1;
	buf = malloc(size + 1);
	if (!buf)
		return -1;
	len = klogctl(SYSLOG_ACTION_READ_ALL, buf, size);
	if (len < 0) {
		free(buf);
		return -1;
	}
	buf[len] = '\0';
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		n += klog_alarming(line);
	free(buf);
	return n;
}

static void klog_start(struct klog *k)
{
	k->fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (k->fd >= 0 && lseek(k->fd, 0, SEEK_END) < 0) {
		close(k->fd);
		k->fd = -1;
	}
	k->alarms = k->fd < 0 ? klog_count_alarms() : 0;
	if (k->fd < 0 && k->alarms < 0)
		ksft_print_msg("can't read the kernel log, not checking it\n");
}

/* Has the kernel logged nothing alarming since the last look? */
static bool klog_quiet(struct klog *k)
{
	bool quiet = true;
	char rec[8192];
	int alarms;
	ssize_t n;

	if (k->fd < 0) {
		if (k->alarms < 0)
			return true;
		alarms = klog_count_alarms();
		if (alarms > k->alarms) {
			ksft_print_msg("%d new alarming lines in the kernel log\n",
				       alarms - k->alarms);
			quiet = false;
		}
		if (alarms >= 0)
			k->alarms = alarms;
		return quiet;
	}
	for (;;) {
		n = read(k->fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* records were overwritten meanwhile */
		if (n <= 0)
			break;
		rec[n] = '\0';
		if (klog_alarming(rec)) {
			ksft_print_msg("kernel log: %s",
				       strchr(rec, ';') ? strchr(rec, ';') + 1 : rec);
			quiet = false;
		}
	}
	return quiet;
}

static void klog_stop(struct klog *k)
{
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
}

/* A cgroup and its child, which hostile writes must leave as they were. */
struct hostile {
	const char *cg[2];
	struct cg_state before[2];
	struct klog log;
	int writes;
};

/* Are both cgroups as they were, and is the kernel log quiet? */
static bool hostile_unchanged(struct hostile *h, const char *what)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(h->cg); i++) {
		if (!state_unchanged(h->cg[i], &h->before[i])) {
			ksft_print_msg("after %s\n", what);
			return false;
		}
	}
	if (!klog_quiet(&h->log)) {
		ksft_print_msg("after %s\n", what);
		return false;
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

/*
 * Malformed writes to cpufeat.hwcap fail with EINVAL, or E2BIG when longer
 * than 8192 bytes; writes to the read-only files fail with EINVAL, and to
 * files a cgroup lacks (cpufeat.hwcap of the root) with ENOENT.  None of
 * them changes the cgroup or its child, or makes the kernel log anything.
 * Forms of "max" and of lists that white space dresses up are accepted.
 */
static int test_cpufeat_rejected_writes(const char *root)
{
	/* In the patterns, @a and @b stand for two names, @A for @a in upper case. */
	static const struct {
		const char *what;
		const char *pattern;
		const char *after_nul;	/* written after a NUL byte */
	} writes[] = {
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
	/* Writes to other files, and to cpufeat.hwcap of the root. */
	static const struct {
		int cgroup;	/* 0: the root, 1: the test's cgroup, 2: its child */
		const char *file;
		const char *data;
		int expected;
	} files[] = {
		{ 0, "cpufeat.hwcap", "max", ENOENT },
		{ 0, "cpufeat.hwcap", "-no_such_feature", ENOENT },
		{ 0, "cpufeat.stat", "restricted_execs 0", ENOENT },
		{ 0, "cpufeat.hwcap.effective", "max", EINVAL },
		{ 0, "cpufeat.filters", "max", EINVAL },
		{ 0, "cpufeat.filters", "cpuid no", EINVAL },
		{ 0, "cpufeat.filters", "auxv no\ncpuinfo no\n", EINVAL },
		{ 1, "cpufeat.filters", "cpuid no", ENOENT },
		{ 1, "cpufeat.hwcap.effective", "max", EINVAL },
		{ 1, "cpufeat.stat", "restricted_execs 0", EINVAL },
		{ 2, "cpufeat.hwcap.effective", "\n", EINVAL },
		{ 2, "cpufeat.stat", "max", EINVAL },
	};
	static const char * const max_forms[] = {
		"max\n", "max ", " max", "max\t", "max\n\n", "\t\n max\t\n ",
	};
	char machine[LIST_SIZE], known[LIST_SIZE], a[64], b[64], upper[64];
	char *cg = NULL, *child = NULL, *big = NULL;
	int ret = KSFT_FAIL, i, nr_known;
	const char *cgroups[3];
	struct hostile *h;
	char buf[256];
	size_t pos, len;
	char word[64];

	h = calloc(1, sizeof(*h));
	if (!h)
		return KSFT_FAIL;
	h->log.fd = -1;
	if (read_effective(root, machine))
		goto cleanup;
	if (list_count(machine) < 2) {
		ksft_print_msg("the machine has fewer than 2 features\n");
		ret = KSFT_SKIP;
		goto cleanup;
	}
	snprintf(a, sizeof(a), "%s", list_word(machine, 0));
	snprintf(b, sizeof(b), "%s", list_word(machine, 1));
	for (i = 0; a[i]; i++)
		upper[i] = toupper(a[i]);
	upper[i] = '\0';

	cg = create_cgroup(root, "cpufeat_test_rejected_writes", true);
	if (cg)
		child = create_cgroup(cg, "child", false);
	big = malloc(HOSTILE_BIG);
	if (!cg || !child || !big)
		goto cleanup;

	/* "-a" on max leaves every other name the kernel knows. */
	snprintf(buf, sizeof(buf), "-%s", a);
	if (write_hwcap(cg, buf) || read_hwcap(cg, known))
		goto cleanup;
	nr_known = list_count(known);

	/* Start from a setting other than the default: exactly a and b. */
	snprintf(buf, sizeof(buf), "%s %s", a, b);
	h->cg[0] = cg;
	h->cg[1] = child;
	if (write_hwcap(cg, buf) || read_state(cg, &h->before[0]) ||
	    read_state(child, &h->before[1]))
		goto cleanup;
	klog_start(&h->log);

	for (i = 0; i < ARRAY_SIZE(writes); i++) {
		len = expand(writes[i].pattern, a, b, upper, buf, sizeof(buf));
		if (writes[i].after_nul)
			len += 1 + expand(writes[i].after_nul, a, b, upper,
					  buf + len + 1, sizeof(buf) - len - 1);
		if (!hostile_write(h, cg, "cpufeat.hwcap", buf, len, EINVAL,
				   writes[i].what))
			goto cleanup;
	}

	/* Every name the kernel knows taken away: nothing is left. */
	len = snprintf(big, MAX_WRITE + 1, "-%s", a);
	for (pos = 0; list_next(known, &pos, word, sizeof(word)) &&
	     len < MAX_WRITE;)
		len += snprintf(big + len, MAX_WRITE + 1 - len, " -%s", word);
	if (len > MAX_WRITE)
		ksft_print_msg("too many names to take them all away in one write\n");
	else if (!hostile_write(h, cg, "cpufeat.hwcap", big, len, EINVAL,
				"\"-\" every name"))
		goto cleanup;

	/* One word of 300 bytes, and a name running on for 300 bytes. */
	memset(big, 'x', 300);
	if (!hostile_write(h, cg, "cpufeat.hwcap", big, 300, EINVAL,
			   "a word of 300 bytes"))
		goto cleanup;
	len = snprintf(big, HOSTILE_BIG, "+%s", a);
	memset(big + len, 'x', 300);
	if (!hostile_write(h, cg, "cpufeat.hwcap", big, len + 300, EINVAL,
			   "an edit running on for 300 bytes"))
		goto cleanup;

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
		goto cleanup;

	/* More than a page of names the kernel doesn't know. */
	for (len = 0, i = 0; len < 5000; i++)
		len += snprintf(big + len, HOSTILE_BIG - len, "no_such_%04d ", i);
	if (!hostile_write(h, cg, "cpufeat.hwcap", big, len, EINVAL,
			   "more than a page of unknown names"))
		goto cleanup;

	/* Junk just after the first page, and in the last byte allowed. */
	memset(big, ' ', HOSTILE_BIG);
	memcpy(big, "max", 3);
	big[4096] = 'x';
	if (!hostile_write(h, cg, "cpufeat.hwcap", big, 4097, EINVAL,
			   "max and junk after 4093 spaces"))
		goto cleanup;
	big[4096] = ' ';
	big[MAX_WRITE - 1] = 'x';
	if (!hostile_write(h, cg, "cpufeat.hwcap", big, MAX_WRITE, EINVAL,
			   "max and junk in the last byte allowed"))
		goto cleanup;
	big[MAX_WRITE - 1] = ' ';

	/* Longer than 8192 bytes: E2BIG from kernfs, whatever the cgroup. */
	if (!hostile_write(h, cg, "cpufeat.hwcap", big, MAX_WRITE + 1, E2BIG,
			   "\"max\" padded to one byte too many") ||
	    !hostile_write(h, cg, "cpufeat.hwcap", big, HOSTILE_BIG, E2BIG,
			   "\"max\" padded to 1 MiB") ||
	    !hostile_write(h, child, "cpufeat.hwcap", big, HOSTILE_BIG, E2BIG,
			   "\"max\" padded to 1 MiB, to the child"))
		goto cleanup;

	/*
	 * Other cgroup files take writes of up to a page, and fail longer ones
	 * with E2BIG before anything else; the read-only ones fail the others
	 * with EINVAL (root may open them for writing, whatever their mode).
	 */
	if (!hostile_write(h, cg, "cpufeat.stat", big, 4096, EINVAL,
			   "\"max\" padded to 4096 bytes, to cpufeat.stat") ||
	    !hostile_write(h, cg, "cpufeat.stat", big, HOSTILE_BIG, E2BIG,
			   "\"max\" padded to 1 MiB, to cpufeat.stat"))
		goto cleanup;

	cgroups[0] = root;
	cgroups[1] = cg;
	cgroups[2] = child;
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(buf, sizeof(buf), "writing %s", files[i].file);
		if (!hostile_write(h, cgroups[files[i].cgroup], files[i].file,
				   files[i].data, strlen(files[i].data),
				   files[i].expected, buf))
			goto cleanup;
	}

	ksft_print_msg("%d hostile writes, all rejected with their errno, state unchanged\n",
		       h->writes);

	/*
	 * Accepted: "max" and names amid spaces, tabs and newlines; a write of
	 * nothing, which cgroup files complete without calling the controller;
	 * every name in more than a page, and "max" padded to the limit.
	 */
	for (i = 0; i < ARRAY_SIZE(max_forms); i++) {
		snprintf(buf, sizeof(buf), "accepted form %d of max", i);
		if (!accepted_write(h, max_forms[i], strlen(max_forms[i]),
				    "max", buf))
			goto cleanup;
	}
	len = snprintf(buf, sizeof(buf), "\n %s\t\t%s\t\n", b, a);
	if (!accepted_write(h, buf, len, h->before[0].hwcap,
			    "names amid white space") ||
	    !accepted_write(h, "", 0, h->before[0].hwcap, "a write of 0 bytes"))
		goto cleanup;
	len = snprintf(big, HOSTILE_BIG, "%s %s", known, a);
	if (len < 5000) {
		memset(big + len, '\n', 5000 - len);
		len = 5000;
	}
	if (len > MAX_WRITE) {
		ksft_print_msg("too many names to list them all in one write\n");
	} else if (!accepted_write(h, big, len, "max",
				   "every name in more than a page")) {
		goto cleanup;
	}
	memset(big, ' ', MAX_WRITE);
	memcpy(big, "max", 3);
	if (!accepted_write(h, big, MAX_WRITE, "max",
			    "\"max\" padded to 8192 bytes"))
		goto cleanup;

	/* Nor did the root change. */
	if (read_effective(root, known) || strcmp(known, machine)) {
		ksft_print_msg("the root's effective set changed\n");
		goto cleanup;
	}

	ret = KSFT_PASS;
cleanup:
	klog_stop(&h->log);
	free(h);
	free(big);
	destroy_cgroup(child);
	destroy_cgroup(cg);
	return ret;
}

/*
 * Try to write @file of @cgroup; true if that fails as it should.  Without
 * privilege the open fails with EACCES (mode 0444).  Root may open it (cgroup
 * files are not checked against their mode at open, unlike sysfs), but the
 * write then fails with EINVAL.
 */
static bool cannot_write(const char *cgroup, const char *file, int flags)
{
	int fd = cg_open(cgroup, file, flags);
	bool ok;

	if (fd < 0) {
		ok = errno == EACCES;
		if (!ok)
			ksft_print_msg("open(%s/%s): %s, expected EACCES\n",
				       cgroup, file, strerror(errno));
		return ok;
	}
	ok = write(fd, "max", 3) < 0 && errno == EINVAL;
	if (!ok)
		ksft_print_msg("write to %s/%s: %s, expected EINVAL\n",
			       cgroup, file, strerror(errno));
	close(fd);
	return ok;
}

/*
 * Nobody can write cpufeat.hwcap.effective or cpufeat.stat: not root, and
 * without privilege not even open them for writing.
 */
static int test_cpufeat_read_only_files(const char *root)
{
	static const int modes[] = { O_WRONLY, O_RDWR };
	char machine[LIST_SIZE], eff[LIST_SIZE];
	int ret = KSFT_FAIL, i, j, status;
	const char *files[3][2];
	char *cg = NULL;
	pid_t pid;

	cg = create_cgroup(root, "cpufeat_test_read_only_files", false);
	if (!cg || read_effective(root, machine))
		goto cleanup;
	files[0][0] = root;
	files[0][1] = "cpufeat.hwcap.effective";
	files[1][0] = cg;
	files[1][1] = "cpufeat.hwcap.effective";
	files[2][0] = cg;
	files[2][1] = "cpufeat.stat";

	for (i = 0; i < ARRAY_SIZE(files); i++)
		for (j = 0; j < ARRAY_SIZE(modes); j++)
			if (!cannot_write(files[i][0], files[i][1], modes[j]))
				goto cleanup;

	fflush(stdout);
	pid = fork();
	if (!pid) {
		if (become_user(NOBODY))
			_exit(1);
		for (i = 0; i < ARRAY_SIZE(files); i++) {
			int fd = cg_open(files[i][0], files[i][1], O_WRONLY);

			if (fd >= 0 || errno != EACCES) {
				ksft_print_msg("unprivileged open(%s/%s): %s, expected EACCES\n",
					       files[i][0], files[i][1],
					       fd >= 0 ? "success" :
					       strerror(errno));
				_exit(1);
			}
		}
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status)
		goto cleanup;

	if (read_effective(root, eff) || strcmp(eff, machine) ||
	    !list_is(cg, "cpufeat.hwcap.effective", machine))
		goto cleanup;

	ret = KSFT_PASS;
cleanup:
	destroy_cgroup(cg);
	return ret;
}

/*
 * A cgroup offers no more than its parent: hiding a feature in a parent
 * hides it below, whatever the children say, and showing it again shows it
 * where the children allow it.  Three levels, and a cgroup created below
 * one that is already restricted.
 */
static int test_cpufeat_hierarchy(const char *root)
{
	char machine[LIST_SIZE], buf[LIST_SIZE], parent_eff[LIST_SIZE];
	char *parent = NULL, *child = NULL, *grandchild = NULL, *late = NULL;
	const char *x = hide_set[0], *y;
	const char *hide_y[2] = { NULL };
	int ret;

	ret = machine_has(root, machine, hide_set);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;
	y = list_first_of(machine, independent);
	if (!y) {
		ret = KSFT_SKIP;
		goto cleanup;
	}
	hide_y[0] = y;

	parent = create_cgroup(root, "cpufeat_test_hierarchy", true);
	if (!parent)
		goto cleanup;
	child = create_cgroup(parent, "child", true);
	if (!child)
		goto cleanup;
	grandchild = create_cgroup(child, "grandchild", false);
	if (!grandchild)
		goto cleanup;

	/* Parent hides x: so do child and grandchild, which allow all. */
	snprintf(buf, sizeof(buf), "-%s", x);
	if (write_hwcap(parent, buf) ||
	    !effective_hides(parent, machine, hide_set) ||
	    read_effective(parent, parent_eff) ||
	    !list_is(child, "cpufeat.hwcap.effective", parent_eff) ||
	    !list_is(grandchild, "cpufeat.hwcap.effective", parent_eff))
		goto cleanup;

	/* Naming x in the child does not bring it back. */
	if (write_hwcap(child, machine) ||
	    !list_is(child, "cpufeat.hwcap.effective", parent_eff) ||
	    !list_is(grandchild, "cpufeat.hwcap.effective", parent_eff))
		goto cleanup;

	/* Parent back to max: the child, which names x, offers it again. */
	if (write_hwcap(parent, "max") ||
	    !list_is(child, "cpufeat.hwcap.effective", machine) ||
	    !list_is(grandchild, "cpufeat.hwcap.effective", machine))
		goto cleanup;

	/* ...unless the child's own setting excludes it. */
	snprintf(buf, sizeof(buf), "-%s", y);
	if (write_hwcap(child, buf) ||
	    !effective_hides(child, machine, hide_y) ||
	    read_effective(child, buf) ||
	    !list_is(grandchild, "cpufeat.hwcap.effective", buf) ||
	    !list_has(buf, x)) {
		ksft_print_msg("child hiding %s: effective \"%s\"\n", y, buf);
		goto cleanup;
	}

	/* Both levels restrict: the grandchild sees neither. */
	snprintf(buf, sizeof(buf), "-%s", x);
	if (write_hwcap(parent, buf) ||
	    read_effective(parent, parent_eff) ||
	    !effective_hides(child, parent_eff, hide_y) ||
	    !effective_hides(child, parent_eff, hide_set) ||
	    read_effective(child, buf) ||
	    !effective_hides(grandchild, buf, hide_set) ||
	    !effective_hides(grandchild, buf, hide_y))
		goto cleanup;

	/* A cgroup created below a restricted one starts restricted. */
	late = create_cgroup(child, "late", false);
	if (!late || !list_is(late, "cpufeat.hwcap", "max") ||
	    read_effective(child, buf) ||
	    !list_is(late, "cpufeat.hwcap.effective", buf))
		goto cleanup;

	/* Everything back to max. */
	if (write_hwcap(parent, "max") || write_hwcap(child, "max") ||
	    !list_is(grandchild, "cpufeat.hwcap.effective", machine) ||
	    !list_is(late, "cpufeat.hwcap.effective", machine))
		goto cleanup;

	ret = KSFT_PASS;
cleanup:
	destroy_cgroup(late);
	destroy_cgroup(grandchild);
	destroy_cgroup(child);
	destroy_cgroup(parent);
	return ret;
}

/*
 * A program exec'd in a cgroup that hides a feature is not told about it:
 * its AT_HWCAP bit is clear and /proc/self/cpufeat lacks it; the same
 * program in the root cgroup or in an unrestricted cgroup is told.
 */
static int test_cpufeat_exec_view(const char *root)
{
	char machine[LIST_SIZE], eff[LIST_SIZE], buf[64];
	struct view *full = NULL, *masked = NULL, *unmasked = NULL;
	char *cg = NULL, *unrestricted = NULL;
	const char * const *p;
	int ret, word, bit;

	ret = machine_has(root, machine, hide_set);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;

	full = malloc(sizeof(*full));
	masked = malloc(sizeof(*masked));
	unmasked = malloc(sizeof(*unmasked));
	cg = create_cgroup(root, "cpufeat_test_exec_view", false);
	unrestricted = create_cgroup(root, "cpufeat_test_exec_view_max", false);
	if (!full || !masked || !unmasked || !cg || !unrestricted)
		goto cleanup;

	if (run_helper(root, "r", full, 1))
		goto cleanup;
	if (strcmp(full->cpufeat, machine)) {
		print_list_diff("/proc/self/cpufeat in the root", machine,
				full->cpufeat);
		goto cleanup;
	}
	for (p = hide_set; *p; p++) {
		if (hwcap_bit(*p, &word, &bit) &&
		    !view_has_bit(full, word, bit)) {
			ksft_print_msg("the machine has %s but its AT_HWCAP%s bit %d is clear\n",
				       *p, word ? "2" : "", bit);
			ret = KSFT_SKIP;
			goto cleanup;
		}
	}

	snprintf(buf, sizeof(buf), "-%s", hide_set[0]);
	if (write_hwcap(cg, buf) || read_effective(cg, eff) ||
	    run_helper(cg, "r", masked, 1))
		goto cleanup;
	if (!view_matches(masked, full, machine, eff))
		goto cleanup;
	for (p = hide_set; *p; p++) {
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

	if (run_helper(unrestricted, "r", unmasked, 1) ||
	    !same_view(full, unmasked))
		goto cleanup;

	ret = KSFT_PASS;
cleanup:
	destroy_cgroup(unrestricted);
	destroy_cgroup(cg);
	free(unmasked);
	free(masked);
	free(full);
	return ret;
}

/*
 * A program's view is fixed at execve: changing its cgroup's setting or
 * moving it to another cgroup changes nothing until it execs again.
 */
static int test_cpufeat_view_latched_at_exec(const char *root)
{
	char machine[LIST_SIZE], eff[LIST_SIZE], buf[64];
	struct view *views = NULL, *full = NULL;
	char *cg = NULL, *other = NULL;
	struct helper h = { .pid = -1 };
	int ret;

	ret = machine_has(root, machine, hide_set);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;

	views = calloc(3, sizeof(*views));
	full = malloc(sizeof(*full));
	cg = create_cgroup(root, "cpufeat_test_latched", false);
	other = create_cgroup(root, "cpufeat_test_latched_other", false);
	if (!views || !full || !cg || !other)
		goto cleanup;
	if (run_helper(root, "r", full, 1))
		goto cleanup;

	/* Started restricted; the cgroup goes back to max meanwhile. */
	snprintf(buf, sizeof(buf), "-%s", hide_set[0]);
	if (write_hwcap(cg, buf) || read_effective(cg, eff) ||
	    helper_start(&h, cg, NULL, 0, "rwr") || helper_read(&h, &views[0]))
		goto cleanup;
	if (!view_matches(&views[0], full, machine, eff))
		goto cleanup;
	if (write_hwcap(cg, "max") || helper_continue(&h) ||
	    helper_read(&h, &views[1]) || helper_finish(&h))
		goto cleanup;
	if (!same_view(&views[0], &views[1])) {
		ksft_print_msg("the view changed with the cgroup's setting\n");
		goto cleanup;
	}
	/* A new program there sees everything now. */
	if (run_helper(cg, "r", &views[2], 1) || !same_view(full, &views[2]))
		goto cleanup;

	/* Started in the root, moved into a restricted cgroup, then execs. */
	snprintf(buf, sizeof(buf), "-%s", hide_set[0]);
	if (write_hwcap(other, buf) || read_effective(other, eff) ||
	    helper_start(&h, root, NULL, 0, "rwrxr") ||
	    helper_read(&h, &views[0]))
		goto cleanup;
	if (!same_view(full, &views[0]))
		goto cleanup;
	if (cg_enter(other, h.pid)) {
		ksft_print_msg("can't move the helper to %s\n", other);
		goto cleanup;
	}
	if (helper_continue(&h) || helper_read(&h, &views[1]) ||
	    helper_read(&h, &views[2]) || helper_finish(&h))
		goto cleanup;
	if (!same_view(full, &views[1])) {
		ksft_print_msg("moving the program changed its view\n");
		goto cleanup;
	}
	if (!view_matches(&views[2], full, machine, eff)) {
		ksft_print_msg("exec after the move did not restrict the view\n");
		goto cleanup;
	}

	ret = KSFT_PASS;
cleanup:
	if (h.pid > 0)
		helper_finish(&h);
	destroy_cgroup(other);
	destroy_cgroup(cg);
	free(full);
	free(views);
	return ret;
}

/*
 * A child forked (without exec) by a restricted program has its parent's
 * view, even when the cgroup has stopped restricting since.
 */
static int test_cpufeat_fork_inherits(const char *root)
{
	char machine[LIST_SIZE], eff[LIST_SIZE], buf[64];
	struct helper h = { .pid = -1 };
	struct view *views = NULL, *full = NULL;
	char *cg = NULL;
	int ret;

	ret = machine_has(root, machine, hide_set);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;

	views = calloc(2, sizeof(*views));
	full = malloc(sizeof(*full));
	cg = create_cgroup(root, "cpufeat_test_fork_inherits", false);
	if (!views || !full || !cg)
		goto cleanup;
	if (run_helper(root, "r", full, 1))
		goto cleanup;

	snprintf(buf, sizeof(buf), "-%s", hide_set[0]);
	if (write_hwcap(cg, buf) || read_effective(cg, eff) ||
	    helper_start(&h, cg, NULL, 0, "rwf") || helper_read(&h, &views[0]))
		goto cleanup;
	if (!view_matches(&views[0], full, machine, eff))
		goto cleanup;
	if (write_hwcap(cg, "max") || helper_continue(&h) ||
	    helper_read(&h, &views[1]) || helper_finish(&h))
		goto cleanup;
	if (!same_view(&views[0], &views[1])) {
		ksft_print_msg("the forked child's view differs\n");
		goto cleanup;
	}

	ret = KSFT_PASS;
cleanup:
	if (h.pid > 0)
		helper_finish(&h);
	destroy_cgroup(cg);
	free(full);
	free(views);
	return ret;
}

/*
 * /proc/PID/cpufeat shows another program's view to whoever may read its
 * /proc/PID/auxv: root may, an unprivileged user may not read root's.
 */
static int test_cpufeat_proc_pid_cpufeat(const char *root)
{
	char machine[LIST_SIZE], buf[LIST_SIZE], path[64];
	struct helper h = { .pid = -1 };
	struct view *view = NULL;
	int ret, status;
	char *cg = NULL;
	pid_t pid;

	ret = machine_has(root, machine, hide_set);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;

	view = malloc(sizeof(*view));
	cg = create_cgroup(root, "cpufeat_test_proc_pid_cpufeat", false);
	if (!view || !cg)
		goto cleanup;
	snprintf(buf, sizeof(buf), "-%s", hide_set[0]);
	if (write_hwcap(cg, buf) || helper_start(&h, cg, NULL, 0, "rw") ||
	    helper_read(&h, view))
		goto cleanup;

	/* Root reads the helper's view; the cgroup's setting doesn't matter. */
	snprintf(path, sizeof(path), "/proc/%d/cpufeat", h.pid);
	if (write_hwcap(cg, "max") || read_text(path, buf, sizeof(buf)) < 0) {
		ksft_print_msg("can't read %s: %s\n", path, strerror(errno));
		goto cleanup;
	}
	buf[strcspn(buf, "\n")] = '\0';
	if (strcmp(buf, view->cpufeat)) {
		ksft_print_msg("%s: \"%s\", the program sees \"%s\"\n", path,
			       buf, view->cpufeat);
		goto cleanup;
	}

	/* Nobody can't read root's program's, but its own. */
	fflush(stdout);
	pid = fork();
	if (!pid) {
		int fd;

		/* Dumpable again, so that its own /proc files are its own. */
		if (become_user(NOBODY) || prctl(PR_SET_DUMPABLE, 1))
			_exit(1);
		fd = open(path, O_RDONLY);
		if (fd >= 0 || errno != EACCES) {
			ksft_print_msg("unprivileged open(%s): %s, expected EACCES\n",
				       path, fd >= 0 ? "success" :
				       strerror(errno));
			_exit(1);
		}
		if (read_text("/proc/self/cpufeat", buf, sizeof(buf)) < 0) {
			ksft_print_msg("unprivileged read of /proc/self/cpufeat: %s\n",
				       strerror(errno));
			_exit(1);
		}
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status)
		goto cleanup;

	if (helper_continue(&h) || helper_finish(&h))
		goto cleanup;

	ret = KSFT_PASS;
cleanup:
	if (h.pid > 0)
		helper_finish(&h);
	destroy_cgroup(cg);
	free(view);
	return ret;
}

/*
 * cpufeat.stat counts the execs in the cgroup itself that got a restricted
 * view: not those in descendants, not those in unrestricted cgroups.
 */
static int test_cpufeat_stat(const char *root)
{
	char machine[LIST_SIZE], buf[64];
	char *parent = NULL, *leaf = NULL, *unrestricted = NULL;
	struct view *views = NULL;
	long before;
	int ret;

	ret = machine_has(root, machine, hide_set);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;

	views = calloc(2, sizeof(*views));
	parent = create_cgroup(root, "cpufeat_test_stat", true);
	unrestricted = create_cgroup(root, "cpufeat_test_stat_max", false);
	if (!views || !parent || !unrestricted)
		goto cleanup;
	leaf = create_cgroup(parent, "leaf", false);
	if (!leaf)
		goto cleanup;

	snprintf(buf, sizeof(buf), "-%s", hide_set[0]);
	if (write_hwcap(parent, buf))
		goto cleanup;
	before = cg_read_key_long(leaf, "cpufeat.stat", "restricted_execs ");
	if (before < 0)
		goto cleanup;

	/* Four execs: two helpers, and one that execs itself once more. */
	if (run_helper(leaf, "r", views, 1) ||
	    run_helper(leaf, "r", views, 1) ||
	    run_helper(leaf, "rxr", views, 2))
		goto cleanup;
	if (cg_read_key_long(leaf, "cpufeat.stat", "restricted_execs ") !=
	    before + 4) {
		ksft_print_msg("restricted_execs went from %ld to %ld after 4 execs\n",
			       before, cg_read_key_long(leaf, "cpufeat.stat",
							"restricted_execs "));
		goto cleanup;
	}
	if (cg_read_key_long(parent, "cpufeat.stat", "restricted_execs ")) {
		ksft_print_msg("the parent counted its descendant's execs\n");
		goto cleanup;
	}

	if (run_helper(unrestricted, "rxr", views, 2))
		goto cleanup;
	if (cg_read_key_long(unrestricted, "cpufeat.stat",
			     "restricted_execs ")) {
		ksft_print_msg("an unrestricted cgroup counted execs\n");
		goto cleanup;
	}

	/* Back to max: execs there are not restricted any more. */
	if (write_hwcap(parent, "max") || run_helper(leaf, "r", views, 1))
		goto cleanup;
	if (cg_read_key_long(leaf, "cpufeat.stat", "restricted_execs ") !=
	    before + 4) {
		ksft_print_msg("an exec under max was counted\n");
		goto cleanup;
	}

	ret = KSFT_PASS;
cleanup:
	destroy_cgroup(leaf);
	destroy_cgroup(parent);
	destroy_cgroup(unrestricted);
	free(views);
	return ret;
}

/* How a child that tries to write cpufeat.hwcap ends. */
enum {
	WRITER_GOT_EPERM,
	WRITER_WROTE,
	WRITER_OTHER_ERROR,
	WRITER_SETUP_FAILED,
	WRITER_UNSUPPORTED,
};

/* Write @setting to @fd, expecting EPERM: a WRITER_* code. */
static int write_expecting_eperm(int fd, const char *setting)
{
	if (write(fd, setting, strlen(setting)) >= 0) {
		ksft_print_msg("the write of \"%s\" succeeded\n", setting);
		return WRITER_WROTE;
	}
	if (errno != EPERM) {
		ksft_print_msg("the write failed with %s, expected EPERM\n",
			       strerror(errno));
		return WRITER_OTHER_ERROR;
	}
	return WRITER_GOT_EPERM;
}

/* Wait for a writer child: KSFT_PASS if it got EPERM. */
static int wait_writer(pid_t pid)
{
	int status;

	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return KSFT_FAIL;
	switch (WEXITSTATUS(status)) {
	case WRITER_GOT_EPERM:
		return KSFT_PASS;
	case WRITER_UNSUPPORTED:
		return KSFT_SKIP;
	default:
		return KSFT_FAIL;
	}
}

/* Give @cgroup and its files to @uid, as when delegating it. */
static int chown_cgroup(const char *cgroup, uid_t uid)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *dir;
	int ret = 0;

	dir = opendir(cgroup);
	if (!dir)
		return -1;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", cgroup, de->d_name);
		if (chown(path, uid, uid))
			ret = -1;
	}
	closedir(dir);
	return ret ?: chown(cgroup, uid, uid);
}

/*
 * Shared set-up of the EPERM tests: a cgroup in a state other than the
 * default, the state, and a write that would change it.
 */
struct eperm_test {
	char *cg;
	struct cg_state before;
	char setting[80];
};

static int eperm_setup(const char *root, const char *name,
		       struct eperm_test *t)
{
	char machine[LIST_SIZE];

	if (read_effective(root, machine))
		return -1;
	t->cg = create_cgroup(root, name, false);
	if (!t->cg)
		return -1;
	snprintf(t->setting, sizeof(t->setting), "-%s",
		 list_word(machine, list_count(machine) - 1));
	return read_state(t->cg, &t->before);
}

static int eperm_finish(struct eperm_test *t, int ret)
{
	if (t->cg && !state_unchanged(t->cg, &t->before))
		ret = KSFT_FAIL;
	destroy_cgroup(t->cg);
	return ret;
}

/*
 * Owning cpufeat.hwcap through delegation is not enough to write it: an
 * unprivileged owner opens it but the write fails with EPERM.
 */
static int test_cpufeat_eperm_delegated_owner(const char *root)
{
	struct eperm_test *t = calloc(1, sizeof(*t));
	int ret = KSFT_FAIL, fd;
	pid_t pid;

	if (!t || eperm_setup(root, "cpufeat_test_eperm_owner", t))
		goto cleanup;
	if (chown_cgroup(t->cg, NOBODY)) {
		ksft_print_msg("can't chown %s: %s\n", t->cg, strerror(errno));
		goto cleanup;
	}

	fflush(stdout);
	pid = fork();
	if (!pid) {
		if (become_user(NOBODY))
			_exit(WRITER_SETUP_FAILED);
		fd = cg_open(t->cg, "cpufeat.hwcap", O_WRONLY);
		if (fd < 0) {
			ksft_print_msg("the owner can't open cpufeat.hwcap: %s\n",
				       strerror(errno));
			_exit(WRITER_SETUP_FAILED);
		}
		_exit(write_expecting_eperm(fd, t->setting));
	}
	ret = wait_writer(pid);
cleanup:
	ret = t ? eperm_finish(t, ret) : KSFT_FAIL;
	free(t);
	return ret;
}

static int send_fd(int sock, int fd)
{
	char data = 'f', control[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control,
		.msg_controllen = sizeof(control),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);

	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static int receive_fd(int sock)
{
	char data, control[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control,
		.msg_controllen = sizeof(control),
	};
	struct cmsghdr *cmsg;
	int fd;

	if (recvmsg(sock, &msg, 0) != 1)
		return -1;
	cmsg = CMSG_FIRSTHDR(&msg);
	if (!cmsg || cmsg->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	return fd;
}

/* Where the fd-passing child keeps its fd for pidfd_getfd(). */
#define PASSED_FD	100

/* Is pidfd_getfd() implemented?  Given no pidfd, it fails with EBADF. */
static bool have_pidfd_getfd(void)
{
	return syscall(SYS_pidfd_getfd, -1, 0, 0) < 0 && errno == EBADF;
}

/*
 * What counts is who opened the file: root writing through a file an
 * unprivileged user opened gets EPERM.  The fd travels over SCM_RIGHTS, or
 * by pidfd_getfd() on kernels without AF_UNIX.
 */
static int test_cpufeat_eperm_passed_fd(const char *root)
{
	struct eperm_test *t = calloc(1, sizeof(*t));
	int sock[2] = { -1, -1 }, ready[2] = { -1, -1 }, done[2] = { -1, -1 };
	int ret = KSFT_FAIL, fd = -1, pidfd = -1;
	char path[PATH_MAX], c;
	bool unix_sockets;
	pid_t pid = -1;

	if (!t || eperm_setup(root, "cpufeat_test_eperm_fd", t))
		goto cleanup;
	snprintf(path, sizeof(path), "%s/cpufeat.hwcap", t->cg);
	if (chown(path, NOBODY, NOBODY) || pipe(ready) || pipe(done))
		goto cleanup;
	unix_sockets = !socketpair(AF_UNIX, SOCK_STREAM, 0, sock);

	fflush(stdout);
	pid = fork();
	if (!pid) {
		close(ready[0]);
		close(done[1]);
		if (become_user(NOBODY))
			_exit(WRITER_SETUP_FAILED);
		fd = open(path, O_WRONLY);
		if (fd < 0 || (unix_sockets ? send_fd(sock[1], fd) :
			       dup2(fd, PASSED_FD) != PASSED_FD))
			_exit(WRITER_SETUP_FAILED);
		/* Stay until the parent is done with the fd. */
		if (write(ready[1], "r", 1) != 1 || read(done[0], &c, 1) < 0)
			_exit(WRITER_SETUP_FAILED);
		_exit(0);
	}
	if (pid < 0 || read(ready[0], &c, 1) != 1)
		goto cleanup;

	if (unix_sockets) {
		fd = receive_fd(sock[0]);
	} else {
		pidfd = syscall(SYS_pidfd_open, pid, 0);
		if (pidfd >= 0)
			fd = syscall(SYS_pidfd_getfd, pidfd, PASSED_FD, 0);
		if (pidfd < 0 || (fd < 0 && !have_pidfd_getfd())) {
			ksft_print_msg("neither AF_UNIX nor pidfd_getfd()\n");
			ret = KSFT_SKIP;
			goto cleanup;
		}
	}
	if (fd < 0) {
		ksft_print_msg("didn't get the child's fd: %s\n",
			       strerror(errno));
		goto cleanup;
	}
	if (write_expecting_eperm(fd, t->setting) != WRITER_GOT_EPERM ||
	    !state_unchanged(t->cg, &t->before))
		goto cleanup;

	/* Opened by root itself, the same write works. */
	if (write_hwcap(t->cg, t->setting) || write_hwcap(t->cg, "max"))
		goto cleanup;

	ret = KSFT_PASS;
cleanup:
	if (fd >= 0)
		close(fd);
	if (pidfd >= 0)
		close(pidfd);
	for (c = 0; c < 2; c++) {
		if (sock[(int)c] >= 0)
			close(sock[(int)c]);
		if (ready[(int)c] >= 0)
			close(ready[(int)c]);
		if (done[(int)c] >= 0)
			close(done[(int)c]);
	}
	if (pid > 0 && wait_writer(pid) != KSFT_PASS) {
		ksft_print_msg("the child that opened the file failed\n");
		ret = KSFT_FAIL;
	}
	ret = t ? eperm_finish(t, ret) : KSFT_FAIL;
	free(t);
	return ret;
}

/* Drop CAP_SYS_ADMIN from the effective, permitted and inheritable sets. */
static int drop_cap_sys_admin(void)
{
	struct __user_cap_header_struct header = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	int i = CAP_TO_INDEX(CAP_SYS_ADMIN);
	__u32 mask = CAP_TO_MASK(CAP_SYS_ADMIN);

	if (syscall(SYS_capget, &header, data))
		return -1;
	data[i].effective &= ~mask;
	data[i].permitted &= ~mask;
	data[i].inheritable &= ~mask;
	if (syscall(SYS_capset, &header, data))
		return -1;
	if (syscall(SYS_capget, &header, data) ||
	    (data[i].effective | data[i].permitted) & mask)
		return -1;
	return 0;
}

/*
 * Run a writer that enters a context with @enter (a WRITER_* code, 0 when
 * done), then opens cpufeat.hwcap of a cgroup and must get EPERM writing
 * it; the cgroup must be unchanged.
 */
static int eperm_writer_test(const char *root, const char *name,
			     int (*enter)(void))
{
	struct eperm_test *t = calloc(1, sizeof(*t));
	int ret = KSFT_FAIL, fd;
	pid_t pid;

	if (!t || eperm_setup(root, name, t))
		goto cleanup;

	fflush(stdout);
	pid = fork();
	if (!pid) {
		ret = enter();
		if (ret)
			_exit(ret);
		fd = cg_open(t->cg, "cpufeat.hwcap", O_WRONLY);
		if (fd < 0) {
			ksft_print_msg("can't open cpufeat.hwcap: %s\n",
				       strerror(errno));
			_exit(WRITER_SETUP_FAILED);
		}
		_exit(write_expecting_eperm(fd, t->setting));
	}
	ret = wait_writer(pid);
cleanup:
	ret = t ? eperm_finish(t, ret) : KSFT_FAIL;
	free(t);
	return ret;
}

static int enter_without_cap_sys_admin(void)
{
	if (!drop_cap_sys_admin())
		return 0;
	ksft_print_msg("can't drop CAP_SYS_ADMIN: %s\n", strerror(errno));
	return WRITER_SETUP_FAILED;
}

/* Root without CAP_SYS_ADMIN opens cpufeat.hwcap but can't write it. */
static int test_cpufeat_eperm_without_cap_sys_admin(const char *root)
{
	return eperm_writer_test(root, "cpufeat_test_eperm_caps",
				 enter_without_cap_sys_admin);
}

static int enter_cgroup_namespace(void)
{
	if (!unshare(CLONE_NEWCGROUP))
		return 0;
	ksft_print_msg("unshare(CLONE_NEWCGROUP): %s\n", strerror(errno));
	return WRITER_UNSUPPORTED;
}

/* Root inside a new cgroup namespace can't write cpufeat.hwcap. */
static int test_cpufeat_eperm_cgroup_namespace(const char *root)
{
	return eperm_writer_test(root, "cpufeat_test_eperm_cgroupns",
				 enter_cgroup_namespace);
}

/* Write TEXT to the /proc/self file NAME; 0 or -1 with errno. */
static int write_proc_self(const char *name, const char *text)
{
	char path[64], buf[64];

	snprintf(path, sizeof(path), "/proc/self/%s", name);
	snprintf(buf, sizeof(buf), "%s", text);
	return write_text(path, buf, strlen(buf)) < 0 ? -1 : 0;
}

/* A new user namespace whose root is root outside. */
static int enter_user_namespace(void)
{
	if (unshare(CLONE_NEWUSER)) {
		ksft_print_msg("unshare(CLONE_NEWUSER): %s\n", strerror(errno));
		return WRITER_UNSUPPORTED;
	}
	if (write_proc_self("uid_map", "0 0 1") ||
	    write_proc_self("setgroups", "deny") ||
	    write_proc_self("gid_map", "0 0 1")) {
		ksft_print_msg("can't map root into the user namespace: %s\n",
			       strerror(errno));
		return WRITER_SETUP_FAILED;
	}
	return 0;
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
 * Copy this test binary to a file in a directory that honours set-user-ID
 * bits, owned by root, mode 0755.  Returns the path (to free) or NULL.
 */
static char *copy_test_binary(void)
{
	static const char * const dirs[] = { "/tmp", "/var/tmp", "/dev/shm",
					     "/" };
	char buf[65536], *path;
	struct statvfs sv;
	int in, out = -1;
	ssize_t len;
	int i;

	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		if (asprintf(&path, "%s/cpufeat_setuid_XXXXXX",
			     strcmp(dirs[i], "/") ? dirs[i] : "") < 0)
			return NULL;
		out = mkstemp(path);
		if (out >= 0 && !fstatvfs(out, &sv) && !(sv.f_flag & ST_NOSUID))
			break;
		if (out >= 0) {
			close(out);
			unlink(path);
			out = -1;
		}
		free(path);
	}
	if (out < 0) {
		ksft_print_msg("no writable directory allows setuid programs\n");
		return NULL;
	}

	in = open("/proc/self/exe", O_RDONLY);
	len = in < 0 ? -1 : 0;
	while (in >= 0 && (len = read(in, buf, sizeof(buf))) > 0) {
		if (write(out, buf, len) != len) {
			len = -1;
			break;
		}
	}
	if (len < 0 || fchown(out, 0, 0) || fchmod(out, 0755) || close(out)) {
		ksft_print_msg("copying the test binary to %s: %s\n", path,
			       strerror(errno));
		if (in >= 0)
			close(in);
		unlink(path);
		free(path);
		return NULL;
	}
	close(in);
	return path;
}

/*
 * A program that gains privilege at execve (here: set-user-ID root, run by
 * an unprivileged user) keeps the hardening features even where the cgroup
 * hides them; a program that does not gain privilege doesn't.
 */
static int test_cpufeat_secureexec_keeps_protected(const char *root)
{
	char machine[LIST_SIZE], edits[256], eff[LIST_SIZE];
	struct view *plain = NULL, *secure = NULL;
	struct helper h = { .pid = -1 };
	char *cg = NULL, *copy = NULL;
	const char * const *p;
	int ret = KSFT_FAIL, word, bit;

	if (read_effective(root, machine))
		goto cleanup;
	hide_edits(protected_set, machine, edits, sizeof(edits));
	if (!edits[0]) {
		for (p = protected_set; *p; p++)
			snprintf(edits + strlen(edits), sizeof(edits) -
				 strlen(edits), " %s", *p);
		ksft_print_msg("the machine has none of the protected features:%s\n",
			       edits);
		ret = KSFT_SKIP;
		goto cleanup;
	}

	plain = malloc(sizeof(*plain));
	secure = malloc(sizeof(*secure));
	cg = create_cgroup(root, "cpufeat_test_secureexec", false);
	copy = copy_test_binary();
	if (!plain || !secure || !cg || !copy)
		goto cleanup;
	if (write_hwcap(cg, edits) ||
	    !effective_hides(cg, machine, protected_set) ||
	    read_effective(cg, eff))
		goto cleanup;

	if (helper_start(&h, cg, copy, NOBODY, "r") || helper_read(&h, plain) ||
	    helper_finish(&h))
		goto cleanup;
	if (chmod(copy, 04755) ||
	    helper_start(&h, cg, copy, NOBODY, "r") || helper_read(&h, secure) ||
	    helper_finish(&h))
		goto cleanup;

	if (plain->secure || secure->secure != 1) {
		ksft_print_msg("AT_SECURE: %lu without set-user-ID, %lu with\n",
			       plain->secure, secure->secure);
		goto cleanup;
	}
	if (strcmp(plain->cpufeat, eff)) {
		print_list_diff("/proc/self/cpufeat without set-user-ID", eff,
				plain->cpufeat);
		goto cleanup;
	}
	if (!list_subset(plain->cpufeat, secure->cpufeat) ||
	    !list_subset(secure->cpufeat, machine)) {
		ksft_print_msg("the setuid program sees \"%s\"\n",
			       secure->cpufeat);
		goto cleanup;
	}
	for (p = protected_set; *p; p++) {
		if (!list_has(machine, *p))
			continue;
		if (!list_has(secure->cpufeat, *p)) {
			ksft_print_msg("the setuid program lost %s\n", *p);
			goto cleanup;
		}
		if (!hwcap_bit(*p, &word, &bit))
			continue;
		if (!view_has_bit(secure, word, bit) ||
		    view_has_bit(plain, word, bit)) {
			ksft_print_msg("AT_HWCAP%s bit %d (%s): %d with set-user-ID, %d without\n",
				       word ? "2" : "", bit, *p,
				       view_has_bit(secure, word, bit),
				       view_has_bit(plain, word, bit));
			goto cleanup;
		}
	}

	ret = KSFT_PASS;
cleanup:
	if (h.pid > 0)
		helper_finish(&h);
	if (copy)
		unlink(copy);
	free(copy);
	destroy_cgroup(cg);
	free(secure);
	free(plain);
	return ret;
}

#if defined(__x86_64__)

/*
 * CPUID filtering, x86_64 only.  A program exec'd in a cgroup that hides
 * features runs with CPUID faulting, and the kernel answers its CPUID with
 * the real one minus, in the registers that mirror Linux capability words
 * (cpuid_words[]), the bits of the features its view lacks.  Everything
 * else CPUID says is left alone.
 */

enum {
	W_1_EDX, W_8000_0001_EDX, W_1_ECX, W_8000_0001_ECX, W_7_0_EBX,
	W_D_1_EAX, W_7_1_EAX, W_8000_0008_EBX, W_6_EAX, W_8000_000A_EDX,
	W_7_0_ECX, W_8000_0007_EBX, W_7_0_EDX, W_8000_001F_EAX,
	W_8000_0021_EAX, NR_CPUID_WORDS
};

static const struct cpuid_word {
	unsigned int leaf;
	unsigned int subleaf;
	int reg;
} cpuid_words[NR_CPUID_WORDS] = {
	[W_1_EDX]		= { 0x00000001, 0, CPUID_EDX },
	[W_8000_0001_EDX]	= { 0x80000001, 0, CPUID_EDX },
	[W_1_ECX]		= { 0x00000001, 0, CPUID_ECX },
	[W_8000_0001_ECX]	= { 0x80000001, 0, CPUID_ECX },
	[W_7_0_EBX]		= { 0x00000007, 0, CPUID_EBX },
	[W_D_1_EAX]		= { 0x0000000d, 1, CPUID_EAX },
	[W_7_1_EAX]		= { 0x00000007, 1, CPUID_EAX },
	[W_8000_0008_EBX]	= { 0x80000008, 0, CPUID_EBX },
	[W_6_EAX]		= { 0x00000006, 0, CPUID_EAX },
	[W_8000_000A_EDX]	= { 0x8000000a, 0, CPUID_EDX },
	[W_7_0_ECX]		= { 0x00000007, 0, CPUID_ECX },
	[W_8000_0007_EBX]	= { 0x80000007, 0, CPUID_EBX },
	[W_7_0_EDX]		= { 0x00000007, 0, CPUID_EDX },
	[W_8000_001F_EAX]	= { 0x8000001f, 0, CPUID_EAX },
	[W_8000_0021_EAX]	= { 0x80000021, 0, CPUID_EAX },
};

/*
 * Where some features are in CPUID: architectural facts from the Intel SDM
 * and the AMD APM, not the kernel's numbering, under their /proc/cpuinfo
 * names.  CPUID 1 EDX is AT_HWCAP: its names are hwcap_names[].  The tests
 * only hide features listed here or in hwcap_names[], and what needs them.
 */
static const struct cpuid_bit {
	const char *name;
	int word;
	int bit;
} cpuid_bits[] = {
	{ "pclmulqdq",		W_1_ECX,		1 },
	{ "fma",		W_1_ECX,		12 },
	{ "sse4_2",		W_1_ECX,		20 },
	{ "aes",		W_1_ECX,		25 },
	{ "xsave",		W_1_ECX,		26 },
	{ "avx",		W_1_ECX,		28 },
	{ "f16c",		W_1_ECX,		29 },
	{ "pdpe1gb",		W_8000_0001_EDX,	26 },
	{ "lm",			W_8000_0001_EDX,	29 },
	{ "lahf_lm",		W_8000_0001_ECX,	0 },
	{ "fsgsbase",		W_7_0_EBX,		0 },
	{ "avx2",		W_7_0_EBX,		5 },
	{ "mpx",		W_7_0_EBX,		14 },
	{ "avx512f",		W_7_0_EBX,		16 },
	{ "avx512dq",		W_7_0_EBX,		17 },
	{ "avx512ifma",		W_7_0_EBX,		21 },
	{ "avx512pf",		W_7_0_EBX,		26 },
	{ "avx512er",		W_7_0_EBX,		27 },
	{ "avx512cd",		W_7_0_EBX,		28 },
	{ "avx512bw",		W_7_0_EBX,		30 },
	{ "avx512vl",		W_7_0_EBX,		31 },
	{ "xsaveopt",		W_D_1_EAX,		0 },
	{ "xsavec",		W_D_1_EAX,		1 },
	{ "xgetbv1",		W_D_1_EAX,		2 },
	{ "xsaves",		W_D_1_EAX,		3 },
	{ "avx_vnni",		W_7_1_EAX,		4 },
	{ "avx512_bf16",	W_7_1_EAX,		5 },
	{ "wbnoinvd",		W_8000_0008_EBX,	9 },
	{ "arat",		W_6_EAX,		2 },
	{ "npt",		W_8000_000A_EDX,	0 },
	{ "avx512vbmi",		W_7_0_ECX,		1 },
	{ "umip",		W_7_0_ECX,		2 },
	{ "pku",		W_7_0_ECX,		3 },
	{ "avx512_vbmi2",	W_7_0_ECX,		6 },
	{ "vaes",		W_7_0_ECX,		9 },
	{ "vpclmulqdq",		W_7_0_ECX,		10 },
	{ "avx512_vnni",	W_7_0_ECX,		11 },
	{ "avx512_bitalg",	W_7_0_ECX,		12 },
	{ "avx512_vpopcntdq",	W_7_0_ECX,		14 },
	{ "la57",		W_7_0_ECX,		16 },
	{ "enqcmd",		W_7_0_ECX,		29 },
	{ "succor",		W_8000_0007_EBX,	1 },
	{ "avx512_4vnniw",	W_7_0_EDX,		2 },
	{ "avx512_4fmaps",	W_7_0_EDX,		3 },
	{ "fsrm",		W_7_0_EDX,		4 },
	{ "avx512_vp2intersect", W_7_0_EDX,		8 },
	{ "avx512_fp16",	W_7_0_EDX,		23 },
	{ "sme",		W_8000_001F_EAX,	0 },
};

/*
 * Features to hide together, one or two in most capability words; nothing
 * outside cpuid_bits[] needs them.  The tests hide those the machine has.
 */
static const char * const cpuid_hide_set[] = {
	"pse36", "pdpe1gb", "avx", "sse4_2", "lahf_lm", "fsgsbase", "xsaveopt",
	"avx_vnni", "wbnoinvd", "arat", "npt", "umip", "succor", "fsrm", "sme",
	NULL
};

/* Does the answer of leaf @leaf depend on the subleaf in ECX? */
static bool cpuid_indexed(unsigned int leaf)
{
	return leaf == 0x7 || leaf == 0xd;
}

/* The capability word register @reg of query @q is, or -1. */
static int cpuid_word_of(const struct cpuid_query *q, int reg)
{
	int w;

	for (w = 0; w < NR_CPUID_WORDS; w++)
		if (cpuid_words[w].leaf == q->leaf && cpuid_words[w].reg == reg &&
		    (!cpuid_indexed(q->leaf) ||
		     cpuid_words[w].subleaf == q->subleaf))
			return w;
	return -1;
}

/*
 * Does the CPU of dump @d implement @leaf?  Above the highest leaf of its
 * range CPUID answers with some other leaf's values (Intel: the highest
 * basic leaf), which mirror no capability word: the kernel leaves them be.
 */
static bool cpuid_implemented(const struct cpuid_dump *d, unsigned int leaf)
{
	unsigned int base = leaf & 0x80000000;
	unsigned int i;

	for (i = 0; i < NR_CPUID_QUERIES; i++)
		if (cpuid_queries[i].leaf == base && !cpuid_queries[i].subleaf)
			return leaf <= d->regs[i][CPUID_EAX];
	return false;
}

/* Capability word register @reg of query @i of dump @d is, or -1. */
static int cpuid_dump_word_of(const struct cpuid_dump *d, unsigned int i,
			      int reg)
{
	if (!cpuid_implemented(d, cpuid_queries[i].leaf))
		return -1;
	return cpuid_word_of(&cpuid_queries[i], reg);
}

/* Capability word @w, as dumped in @d; 0 if the CPU lacks its leaf. */
static unsigned int cpuid_word_value(const struct cpuid_dump *d, int w)
{
	unsigned int i;

	if (!cpuid_implemented(d, cpuid_words[w].leaf))
		return 0;
	for (i = 0; i < NR_CPUID_QUERIES; i++)
		if (cpuid_queries[i].leaf == cpuid_words[w].leaf &&
		    cpuid_queries[i].subleaf == cpuid_words[w].subleaf)
			return d->regs[i][cpuid_words[w].reg];
	return 0;
}

/* Register @reg of the answer to (@leaf, @subleaf) in @d. */
static unsigned int cpuid_value(const struct cpuid_dump *d, unsigned int leaf,
				unsigned int subleaf, int reg)
{
	unsigned int i;

	for (i = 0; i < NR_CPUID_QUERIES; i++)
		if (cpuid_queries[i].leaf == leaf &&
		    cpuid_queries[i].subleaf == subleaf)
			return d->regs[i][reg];
	return 0;
}

/* Where feature @name is in CPUID, if this test knows. */
static bool cpuid_bit_of(const char *name, int *word, int *bit)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cpuid_bits); i++) {
		if (!strcmp(cpuid_bits[i].name, name)) {
			*word = cpuid_bits[i].word;
			*bit = cpuid_bits[i].bit;
			return true;
		}
	}
	for (i = 0; i < 32; i++) {
		if (hwcap_names[i] && !strcmp(hwcap_names[i], name)) {
			*word = W_1_EDX;
			*bit = i;
			return true;
		}
	}
	return false;
}

/* Hide bit @b of word @w in @hidden if feature @name is not in @view. */
static void cpuid_hide_unless(const char *name, const char *view, int w,
			      int b, unsigned int *hidden)
{
	if (name && !list_has(view, name))
		hidden[w] |= 1u << b;
}

/*
 * The CPUID bits, by capability word, that a program with view @view must
 * see clear: those of every feature this test knows that @view lacks,
 * including the ones the kernel doesn't support here (not in @machine):
 * the filtered CPUID never reports more than the kernel has.  -1 if
 * @machine has a feature outside @view whose bit the test doesn't know.
 */
static int cpuid_hidden_bits(const char *machine, const char *view,
			     unsigned int *hidden)
{
	char word[64];
	size_t pos = 0, i;
	int w, b, ret = 0;

	memset(hidden, 0, NR_CPUID_WORDS * sizeof(*hidden));
	for (i = 0; i < ARRAY_SIZE(cpuid_bits); i++)
		cpuid_hide_unless(cpuid_bits[i].name, view, cpuid_bits[i].word,
				  cpuid_bits[i].bit, hidden);
	for (i = 0; i < 32; i++)
		cpuid_hide_unless(hwcap_names[i], view, W_1_EDX, i, hidden);
	while (list_next(machine, &pos, word, sizeof(word))) {
		if (!list_has(view, word) && !cpuid_bit_of(word, &w, &b)) {
			ksft_print_msg("%s is hidden: add its CPUID bit to cpuid_bits[]\n",
				       word);
			ret = -1;
		}
	}
	return ret;
}

/*
 * Is @got what @full, a dump of a program that sees everything, says, but
 * for the @hidden bits (by capability word; NULL: none), which must be
 * clear?  Registers that are no capability word must be equal, when both
 * ran on the same CPU (the APIC ids differ between CPUs).  @what names
 * @got in messages; NULL: no messages.
 */
static bool cpuid_matches(const struct cpuid_dump *got,
			  const struct cpuid_dump *full,
			  const unsigned int *hidden, const char *what)
{
	unsigned int i, want, have;
	int reg, w, bad = 0;

	if (got->fault || full->fault) {
		if (what)
			ksft_print_msg("%s: CPUID raised SIGSEGV\n",
				       got->fault ? what : "unmasked program");
		return false;
	}
	for (i = 0; i < NR_CPUID_QUERIES; i++) {
		for (reg = 0; reg < 4; reg++) {
			w = cpuid_dump_word_of(full, i, reg);
			if (w < 0 && got->cpu != full->cpu)
				continue;
			want = full->regs[i][reg];
			if (w >= 0 && hidden)
				want &= ~hidden[w];
			have = got->regs[i][reg];
			if (have == want || ++bad > 6 || !what)
				continue;
			ksft_print_msg("%s: CPUID %#x.%#x %s is %#x, expected %#x%s\n",
				       what, cpuid_queries[i].leaf,
				       cpuid_queries[i].subleaf,
				       cpuid_reg_names[reg], have, want,
				       w < 0 ? " (not a feature word)" : "");
		}
	}
	if (bad > 6 && what)
		ksft_print_msg("%s: %d more registers differ\n", what, bad - 6);
	return !bad;
}

/* Parse a "c" report, without its "cpuid ". */
static bool cpuid_parse(const char *s, struct cpuid_dump *d)
{
	unsigned int i, leaf, subleaf;
	int n = 0;

	d->fault = !strcmp(s, "fault");
	if (d->fault)
		return true;
	if (sscanf(s, "cpu=%d%n", &d->cpu, &n) != 1)
		return false;
	for (i = 0; i < NR_CPUID_QUERIES; i++) {
		s += n;
		n = 0;
		if (sscanf(s, " %x.%x:%x:%x:%x:%x%n", &leaf, &subleaf,
			   &d->regs[i][0], &d->regs[i][1], &d->regs[i][2],
			   &d->regs[i][3], &n) != 6 || !n ||
		    leaf != cpuid_queries[i].leaf ||
		    subleaf != cpuid_queries[i].subleaf)
			return false;
	}
	return !s[n];
}

static const char * const *const cpuinfo_hide_set = cpuid_hide_set;

#elif defined(__aarch64__)

/*
 * Features to hide together, on several ID register fields; the tests hide
 * those the machine has.
 */
static const char * const mrs_hide_set[] = {
	"aes", "sha2", "atomics", "fphp", "sve2", "bf16", "ilrcpc", "dcpodp",
	NULL
};

static const char * const *const cpuinfo_hide_set = mrs_hide_set;

#endif

#if defined(__x86_64__) || defined(__aarch64__)

/* Everything a helper reported, by kind, in order. */
struct reports {
	int nviews;
	int ndumps;
	int narch;
	int processors;		/* "cpuinfo": -1 if none */
	int same;
	struct view views[2];
#if defined(__x86_64__)
	struct cpuid_dump dumps[8];
#else
	struct mrs_dump dumps[8];
#endif
	long arch[4];		/* "archcpuid": ARCH_GET_CPUID or -errno */
	bool sve;		/* an "sve" report came: */
	long sve_rdvl;		/* RDVL's vector length, -1 after SIGILL */
	long sve_prctl;		/* PR_SVE_GET_VL or -errno */
	bool pac;		/* a "pac" report came: */
	long pac_keys;		/* PR_PAC_GET_ENABLED_KEYS or -errno */
	int pac_signed;		/* how many of 8 pointers PACIA changed */
	char flags[LIST_SIZE];
};

static void reports_clear(struct reports *r)
{
	r->nviews = 0;
	r->ndumps = 0;
	r->narch = 0;
	r->processors = -1;
	r->sve = false;
	r->pac = false;
}

/* File a CPUID ("cpuid ") or MRS ("mrs ") dump in @r, if @line is one. */
static bool dump_parse(const char *line, struct reports *r)
{
	if (r->ndumps >= ARRAY_SIZE(r->dumps))
		return false;
#if defined(__x86_64__)
	if (strncmp(line, "cpuid ", 6) ||
	    !cpuid_parse(line + 6, &r->dumps[r->ndumps]))
		return false;
#else
	if (strncmp(line, "mrs ", 4) ||
	    !mrs_parse(line + 4, &r->dumps[r->ndumps]))
		return false;
#endif
	r->ndumps++;
	return true;
}

/* File the helper's next report in @r: 1, 0 at its end, -1 if bad. */
static int helper_next(struct helper *h, struct reports *r)
{
	char line[LIST_SIZE + 128];
	struct view *v;
	int n = 0;

	if (!fgets(line, sizeof(line), h->reports))
		return 0;
	line[strcspn(line, "\n")] = '\0';
	if (!strncmp(line, "view ", 5) && r->nviews < ARRAY_SIZE(r->views)) {
		v = &r->views[r->nviews];
		if (sscanf(line, "view hwcap=%lx hwcap2=%lx secure=%lu cpufeat=%n",
			   &v->hwcap, &v->hwcap2, &v->secure, &n) == 3 && n) {
			snprintf(v->cpufeat, sizeof(v->cpufeat), "%s",
				 line + n);
			r->nviews++;
			return 1;
		}
	} else if (dump_parse(line, r)) {
		return 1;
	} else if (!strncmp(line, "archcpuid ", 10) &&
		   r->narch < ARRAY_SIZE(r->arch)) {
		if (sscanf(line, "archcpuid %ld%n", &r->arch[r->narch],
			   &n) == 1 && !line[n]) {
			r->narch++;
			return 1;
		}
	} else if (!r->sve &&
		   sscanf(line, "sve rdvl=%ld prctl=%ld%n", &r->sve_rdvl,
			  &r->sve_prctl, &n) == 2 && !line[n]) {
		r->sve = true;
		return 1;
	} else if (!r->pac &&
		   sscanf(line, "pac keys=%ld signed=%d%n", &r->pac_keys,
			  &r->pac_signed, &n) == 2 && !line[n]) {
		r->pac = true;
		return 1;
	} else if (sscanf(line, "cpuinfo processors=%d same=%d flags=%n",
			  &r->processors, &r->same, &n) == 2 && n) {
		snprintf(r->flags, sizeof(r->flags), "%s", line + n);
		return 1;
	}
	ksft_print_msg("helper %d: unexpected report \"%.200s\"\n", h->pid,
		       line);
	return -1;
}

/* Read the rest of @h's reports into @r; 0 if it then ended well. */
static int helper_collect(struct helper *h, struct reports *r)
{
	int ret;

	while ((ret = helper_next(h, r)) == 1)
		;
	if (helper_finish(h))
		return -1;
	return ret;
}

/*
 * Run @script of @exe (NULL: this program) in @cgroup, and check that it
 * reported @views views, @dumps CPUID (MRS on arm64) dumps and @arch
 * ARCH_GET_CPUIDs.
 */
static int run_reports(const char *cgroup, const char *exe,
		       const char *script, struct reports *r, int views,
		       int dumps, int arch)
{
	struct helper h;

	reports_clear(r);
	if (helper_start(&h, cgroup, exe, 0, script) || helper_collect(&h, r))
		return -1;
	if (r->nviews != views || r->ndumps != dumps || r->narch != arch) {
		ksft_print_msg("\"%s\": %d views, %d dumps, %d archcpuid, not %d, %d, %d\n",
			       script, r->nviews, r->ndumps, r->narch, views,
			       dumps, arch);
		return -1;
	}
	return 0;
}

/* The count of @key ("emulated_cpuid ", ...) in @cgroup's cpufeat.stat. */
static long emulations(const char *cgroup, const char *key)
{
	char k[32];

	snprintf(k, sizeof(k), "%s ", key);
	return cg_read_key_long(cgroup, "cpufeat.stat", k);
}

/*
 * @key in cpufeat.stat of @cg, a cgroup that hides features, counts each
 * instruction the kernel emulated for its programs: a helper's start-up,
 * then that plus the @loops of its "n" command; a program in the root
 * adds nothing.  @r is room for the helpers' reports.
 */
static int emulations_counted(const char *root, const char *cg,
			      struct reports *r, const char *key, long loops)
{
	long before, startup, grown, after;

	before = emulations(cg, key);
	if (before < 0) {
		ksft_print_msg("%s/cpufeat.stat has no %s\n", cg, key);
		return KSFT_FAIL;
	}
	if (run_reports(cg, NULL, "", r, 0, 0, 0))
		return KSFT_FAIL;
	startup = emulations(cg, key) - before;
	if (run_reports(cg, NULL, "n", r, 0, 0, 0))
		return KSFT_FAIL;
	grown = emulations(cg, key) - before - startup;
	if (grown != startup + loops) {
		ksft_print_msg("%s: +%ld for a program, +%ld with %ld more\n",
			       key, startup, grown, loops);
		return KSFT_FAIL;
	}

	after = emulations(cg, key);
	if (run_reports(root, NULL, "n", r, 0, 0, 0))
		return KSFT_FAIL;
	if (emulations(cg, key) != after) {
		ksft_print_msg("programs in the root: %s %ld -> %ld\n", key,
			       after, emulations(cg, key));
		return KSFT_FAIL;
	}
	return KSFT_PASS;
}

/* Does the program's view @v list what its cgroup offers, @eff? */
static bool view_is(const struct view *v, const char *eff)
{
	if (!strcmp(v->cpufeat, eff))
		return true;
	print_list_diff("/proc/self/cpufeat", eff, v->cpufeat);
	return false;
}

/* The value of @key in the root's cpufeat.filters. */
static int read_filter(const char *root, const char *key, char *value,
		       size_t size)
{
	char buf[256], *line, *next;
	size_t len = strlen(key);

	if (cg_read(root, "cpufeat.filters", buf, sizeof(buf))) {
		ksft_print_msg("can't read %s/cpufeat.filters: %s\n", root,
			       strerror(errno));
		return -1;
	}
	for (line = buf; *line; line = next) {
		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		if (!strncmp(line, key, len) && line[len] == ' ') {
			snprintf(value, size, "%s", line + len + 1);
			return 0;
		}
	}
	ksft_print_msg("%s/cpufeat.filters has no \"%s\" line\n", root, key);
	return -1;
}

/*
 * Does the kernel filter @key ("cpuid", "mrs", "cpuinfo") here?  KSFT_PASS if
 * cpufeat.filters says "yes", KSFT_SKIP if "no", else KSFT_FAIL.
 */
static int filter_on(const char *root, const char *key)
{
	char value[32];

	if (read_filter(root, key, value, sizeof(value)))
		return KSFT_FAIL;
	if (!strcmp(value, "yes"))
		return KSFT_PASS;
	if (!strcmp(value, "no")) {
		ksft_print_msg("cpufeat.filters: \"%s no\": not filtered here%s\n",
			       key, strcmp(key, "cpuid") ? "" :
			       " (no CPUID faulting)");
		return KSFT_SKIP;
	}
	ksft_print_msg("cpufeat.filters: \"%s %s\", expected yes or no\n",
		       key, value);
	return KSFT_FAIL;
}

/* The keys of cpufeat.filters, and the values each may have. */
static const struct {
	const char *key;
	const char *values;
} filter_keys[] = {
#if defined(__x86_64__)
	{ "auxv", "yes" }, { "cpuid", "yes no" }, { "cpuinfo", "yes" },
#else
	{ "auxv", "yes" }, { "mrs", "yes no" }, { "cpuinfo", "yes no" },
#endif
};

/*
 * Does cpufeat.filters say what the machine does?  On x86_64, "cpuid yes"
 * if and only if there is CPUID faulting.
 */
static bool filters_agree(const char *root)
{
#if defined(__x86_64__)
	char value[32];
	bool set_cpuid;

	if (read_filter(root, "cpuid", value, sizeof(value)))
		return false;
	set_cpuid = !strcmp(value, "yes");
	if (set_cpuid != !syscall(SYS_arch_prctl, ARCH_SET_CPUID, 1)) {
		ksft_print_msg("cpufeat.filters says cpuid %s, but ARCH_SET_CPUID %s\n",
			       set_cpuid ? "yes" : "no",
			       set_cpuid ? "fails" : "works");
		return false;
	}
#endif
	return true;
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
	char path[PATH_MAX], buf[256], key[32], value[32], *line, *next;
	int ret = KSFT_FAIL, i, n, status;
	int seen[ARRAY_SIZE(filter_keys)] = { 0 };
	struct stat st;
	char *cg = NULL;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/cpufeat.filters", root);
	if (stat(path, &st)) {
		ksft_print_msg("%s: %s\n", path, strerror(errno));
		goto cleanup;
	}
	if (!S_ISREG(st.st_mode) || (st.st_mode & 07777) != 0444) {
		ksft_print_msg("%s: mode %o, expected 444\n", path,
			       st.st_mode);
		goto cleanup;
	}
	cg = create_cgroup(root, "cpufeat_test_filters", false);
	if (!cg)
		goto cleanup;
	snprintf(path, sizeof(path), "%s/cpufeat.filters", cg);
	if (!stat(path, &st) || errno != ENOENT) {
		ksft_print_msg("%s exists: it should only be in the root\n",
			       path);
		goto cleanup;
	}

	if (cg_read(root, "cpufeat.filters", buf, sizeof(buf)))
		goto cleanup;
	for (line = buf; *line; line = next) {
		next = strchr(line, '\n');
		if (!next) {
			ksft_print_msg("cpufeat.filters: \"%s\" has no newline\n",
				       line);
			goto cleanup;
		}
		*next++ = '\0';
		n = 0;
		if (sscanf(line, "%31[a-z] %31[a-z]%n", key, value, &n) != 2 ||
		    line[n] || strlen(key) + 1 + strlen(value) != n) {
			ksft_print_msg("cpufeat.filters: \"%s\" is not \"key value\"\n",
				       line);
			goto cleanup;
		}
		for (i = 0; i < ARRAY_SIZE(filter_keys); i++)
			if (!strcmp(key, filter_keys[i].key))
				break;
		if (i == ARRAY_SIZE(filter_keys) || seen[i]++ ||
		    !list_has(filter_keys[i].values, value)) {
			ksft_print_msg("cpufeat.filters: unexpected \"%s\"\n",
				       line);
			goto cleanup;
		}
	}
	for (i = 0; i < ARRAY_SIZE(filter_keys); i++) {
		if (!seen[i]) {
			ksft_print_msg("cpufeat.filters has no \"%s\" line\n",
				       filter_keys[i].key);
			goto cleanup;
		}
	}
	if (!filters_agree(root))
		goto cleanup;

	if (!cannot_write(root, "cpufeat.filters", O_WRONLY) ||
	    !cannot_write(root, "cpufeat.filters", O_RDWR))
		goto cleanup;
	fflush(stdout);
	pid = fork();
	if (!pid) {
		if (become_user(NOBODY))
			_exit(1);
		if (cg_open(root, "cpufeat.filters", O_WRONLY) >= 0 ||
		    errno != EACCES) {
			ksft_print_msg("unprivileged open of cpufeat.filters for writing: %s\n",
				       strerror(errno));
			_exit(1);
		}
		if (cg_read(root, "cpufeat.filters", buf, sizeof(buf))) {
			ksft_print_msg("unprivileged read of cpufeat.filters: %s\n",
				       strerror(errno));
			_exit(1);
		}
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status)
		goto cleanup;

	ret = KSFT_PASS;
cleanup:
	destroy_cgroup(cg);
	return ret;
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
	struct reports *r = calloc(2, sizeof(*r));
	char machine[LIST_SIZE], eff[LIST_SIZE], expected[LIST_SIZE];
	char edits[512], word[64];
	const struct view *v;
	int ret, processors;
	char *cg = NULL;
	size_t pos = 0;
	bool ok = true;

	ret = filter_on(root, "cpuinfo");
	if (ret != KSFT_PASS || !r)
		goto cleanup;
	ret = KSFT_FAIL;
	if (read_effective(root, machine))
		goto cleanup;
	hide_edits(cpuinfo_hide_set, machine, edits, sizeof(edits));
	if (!edits[0]) {
		ksft_print_msg("the machine has none of the features to hide\n");
		ret = KSFT_SKIP;
		goto cleanup;
	}
	cg = create_cgroup(root, "cpufeat_test_cpuinfo", false);
	if (!cg || write_hwcap(cg, edits) || read_effective(cg, eff) ||
	    run_reports(root, NULL, "p", &r[0], 0, 0, 0) ||
	    run_reports(cg, NULL, "rp", &r[1], 1, 0, 0))
		goto cleanup;
	v = &r[1].views[0];
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

	/* The unmasked reader's flags, without the hidden features. */
	expected[0] = '\0';
	while (list_next(r[0].flags, &pos, word, sizeof(word))) {
		if (list_has(machine, word) && !list_has(v->cpufeat, word))
			continue;
		if (expected[0])
			strncat(expected, " ", sizeof(expected) -
				strlen(expected) - 1);
		strncat(expected, word, sizeof(expected) - strlen(expected) - 1);
	}
	if (strcmp(r[1].flags, expected)) {
		print_list_diff("the masked reader's /proc/cpuinfo " CPUINFO_KEY,
				expected, r[1].flags);
		ok = false;
	}
	pos = 0;
	while (list_next(machine, &pos, word, sizeof(word))) {
		if (list_has(r[1].flags, word) == list_has(v->cpufeat, word))
			continue;
		ksft_print_msg("%s: %s the reader's view, %s its /proc/cpuinfo " CPUINFO_KEY "\n",
			       word, list_has(v->cpufeat, word) ? "in" :
			       "not in", list_has(r[1].flags, word) ? "in" :
			       "not in");
		ok = false;
	}
	if (!view_is(v, eff))
		ok = false;
	if (ok)
		ret = KSFT_PASS;
cleanup:
	destroy_cgroup(cg);
	free(r);
	return ret;
}

#endif

#if defined(__x86_64__)

/* Read @n reports of @h into @r. */
static int helper_next_n(struct helper *h, struct reports *r, int n)
{
	int ret;

	while (n--) {
		ret = helper_next(h, r);
		if (ret != 1) {
			if (!ret)
				ksft_print_msg("helper %d: no report\n",
					       h->pid);
			return -1;
		}
	}
	return 0;
}

/* Shared state of the CPUID tests. */
struct cpuid_test {
	char machine[LIST_SIZE];
	char eff[LIST_SIZE];
	char edits[512];
	unsigned int hidden[NR_CPUID_WORDS];
	cpu_set_t cpus;		/* the test's CPUs, while it is pinned */
	bool pinned;
	char *cg;
	struct reports *r;
};

/*
 * Start a CPUID test: CPUID must be filtered here and the machine have
 * @needed (else KSFT_SKIP); with @pin, run the test and so its helpers on
 * one CPU, so that their dumps compare; with @hide (NULL-terminated), make
 * cgroup @name hiding those of @hide the machine has, at least one.
 */
static int cpuid_test_start(const char *root, struct cpuid_test *t,
			    const char * const *needed, bool pin,
			    const char *name, const char * const *hide,
			    int nreports)
{
	cpu_set_t one;
	int ret, cpu;

	ret = filter_on(root, "cpuid");
	if (ret != KSFT_PASS)
		return ret;
	ret = needed[0] ? machine_has(root, t->machine, needed) :
			  read_effective(root, t->machine) ? KSFT_FAIL :
							     KSFT_PASS;
	if (ret != KSFT_PASS)
		return ret;

	t->r = calloc(nreports, sizeof(*t->r));
	if (!t->r)
		return KSFT_FAIL;

	if (pin) {
		if (sched_getaffinity(0, sizeof(t->cpus), &t->cpus))
			return KSFT_FAIL;
		for (cpu = 0; cpu < CPU_SETSIZE - 1; cpu++)
			if (CPU_ISSET(cpu, &t->cpus))
				break;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		if (sched_setaffinity(0, sizeof(one), &one)) {
			ksft_print_msg("can't pin the test to CPU %d: %s\n",
				       cpu, strerror(errno));
			return KSFT_FAIL;
		}
		t->pinned = true;
	}

	if (!hide)
		return KSFT_PASS;
	hide_edits(hide, t->machine, t->edits, sizeof(t->edits));
	if (!t->edits[0]) {
		ksft_print_msg("the machine has none of the features to hide\n");
		return KSFT_SKIP;
	}
	t->cg = create_cgroup(root, name, false);
	if (!t->cg || write_hwcap(t->cg, t->edits) ||
	    read_effective(t->cg, t->eff) ||
	    cpuid_hidden_bits(t->machine, t->eff, t->hidden))
		return KSFT_FAIL;
	return KSFT_PASS;
}

static int cpuid_test_end(struct cpuid_test *t, int ret)
{
	if (!t)
		return KSFT_FAIL;
	if (t->pinned && sched_setaffinity(0, sizeof(t->cpus), &t->cpus)) {
		ksft_print_msg("can't unpin the test: %s\n", strerror(errno));
		ret = KSFT_FAIL;
	}
	destroy_cgroup(t->cg);
	free(t->r);
	free(t);
	return ret;
}

/*
 * Is @name, which a cgroup offering @eff hides, hidden from the program
 * there: not in its view @v, clear wherever CPUID (@masked) has its bit?
 */
static bool feature_hidden(const char *name, const char *eff,
			   const struct view *v, const struct cpuid_dump *masked)
{
	bool ok = true;
	unsigned int i;
	int reg, w, b;

	if (list_has(eff, name)) {
		ksft_print_msg("%s is still offered: it should be hidden with what it needs\n",
			       name);
		ok = false;
	}
	if (list_has(v->cpufeat, name)) {
		ksft_print_msg("the program's /proc/self/cpufeat has %s\n",
			       name);
		ok = false;
	}
	if (!cpuid_bit_of(name, &w, &b)) {
		ksft_print_msg("the test doesn't know the CPUID bit of %s\n",
			       name);
		return false;
	}
	for (i = 0; i < NR_CPUID_QUERIES; i++) {
		for (reg = 0; reg < 4; reg++) {
			if (cpuid_dump_word_of(masked, i, reg) != w ||
			    !(masked->regs[i][reg] & 1u << b))
				continue;
			ksft_print_msg("CPUID %#x.%#x %s bit %d (%s) is set\n",
				       cpuid_queries[i].leaf,
				       cpuid_queries[i].subleaf,
				       cpuid_reg_names[reg], b, name);
			ok = false;
		}
	}
	return ok;
}

/*
 * Hiding avx hides it and what needs it from CPUID: clear in every answer
 * that has their bits (whatever junk ECX holds for leaves that ignore it),
 * and absent from the program's /proc/self/cpufeat.
 */
static int test_cpufeat_cpuid_hides_features(const char *root)
{
	static const char * const avx[] = { "avx", NULL };
	static const char * const avx_users[] = {
		"avx", "avx2", "fma", "f16c", "vaes", NULL
	};
	struct cpuid_test *t = calloc(1, sizeof(*t));
	const struct cpuid_dump *full, *masked;
	const char * const *p;
	const struct view *v;
	int ret = KSFT_FAIL, w, b;
	size_t pos = 0;
	char word[64];
	bool ok;

	if (!t)
		goto cleanup;
	ret = cpuid_test_start(root, t, avx, true, "cpufeat_test_cpuid_hides",
			       avx, 2);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;
	if (run_reports(root, NULL, "c", &t->r[0], 0, 1, 0) ||
	    run_reports(t->cg, NULL, "rc", &t->r[1], 1, 1, 0))
		goto cleanup;
	full = &t->r[0].dumps[0];
	masked = &t->r[1].dumps[0];
	v = &t->r[1].views[0];

	cpuid_bit_of("avx", &w, &b);
	if (!(cpuid_word_value(full, w) & 1u << b)) {
		ksft_print_msg("CPUID does not report avx, which the machine has\n");
		ret = KSFT_SKIP;
		goto cleanup;
	}

	ok = view_is(v, t->eff);
	for (p = avx_users; *p; p++)
		if (list_has(t->machine, *p) &&
		    !feature_hidden(*p, t->eff, v, masked))
			ok = false;
	while (list_next(t->machine, &pos, word, sizeof(word)))
		if (!strncmp(word, "avx512", 6) &&
		    !feature_hidden(word, t->eff, v, masked))
			ok = false;
	if (!cpuid_matches(masked, full, t->hidden, "hiding avx"))
		ok = false;
	if (ok)
		ret = KSFT_PASS;
cleanup:
	return cpuid_test_end(t, ret);
}

/*
 * Hiding features in many capability words changes nothing else: a masked
 * and an unmasked program on the same CPU get the same answers (vendor,
 * family and model, APIC id, caches, topology, XSAVE sizes...), but for
 * exactly the bits of the hidden features.
 */
static int test_cpufeat_cpuid_others_unchanged(const char *root)
{
	static const char * const none[] = { NULL };
	struct cpuid_test *t = calloc(1, sizeof(*t));
	int ret = KSFT_FAIL, w;
	bool some = false;

	if (!t)
		goto cleanup;
	ret = cpuid_test_start(root, t, none, true, "cpufeat_test_cpuid_others",
			       cpuid_hide_set, 2);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;
	if (run_reports(root, NULL, "c", &t->r[0], 0, 1, 0) ||
	    run_reports(t->cg, NULL, "rc", &t->r[1], 1, 1, 0))
		goto cleanup;

	for (w = 0; w < NR_CPUID_WORDS; w++)
		if (t->hidden[w] & cpuid_word_value(&t->r[0].dumps[0], w))
			some = true;
	if (!some) {
		ksft_print_msg("CPUID reports none of the features hidden (%s)\n",
			       t->edits);
		ret = KSFT_SKIP;
		goto cleanup;
	}
	if (view_is(&t->r[1].views[0], t->eff) &&
	    cpuid_matches(&t->r[1].dumps[0], &t->r[0].dumps[0], t->hidden,
			  t->edits))
		ret = KSFT_PASS;
cleanup:
	return cpuid_test_end(t, ret);
}

/*
 * The XSAVE area sizes (CPUID 0xd.0 EBX and ECX, 0xd.1 EBX) are never
 * smaller for a masked program, even with avx or xsave itself hidden: the
 * kernel still saves the state the hardware has.
 */
static int test_cpufeat_cpuid_xsave_sizes(const char *root)
{
	static const char * const xsave[] = { "xsave", NULL };
	static const struct {
		unsigned int subleaf;
		int reg;
	} sizes[] = {
		{ 0, CPUID_EBX }, { 0, CPUID_ECX }, { 1, CPUID_EBX },
	};
	static const char * const hides[] = { "avx", "xsave" };
	struct cpuid_test *t = calloc(1, sizeof(*t));
	unsigned int hidden[NR_CPUID_WORDS], got, want;
	char eff[LIST_SIZE], edit[16], name[64];
	int ret = KSFT_FAIL, i, j;
	char *cg = NULL;
	bool ok = true;

	if (!t)
		goto cleanup;
	ret = cpuid_test_start(root, t, xsave, true, NULL, NULL, 2);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;
	if (run_reports(root, NULL, "c", &t->r[0], 0, 1, 0))
		goto cleanup;

	for (i = 0; i < ARRAY_SIZE(hides); i++) {
		if (!list_has(t->machine, hides[i]))
			continue;
		snprintf(edit, sizeof(edit), "-%s", hides[i]);
		snprintf(name, sizeof(name), "cpufeat_test_cpuid_xsave_%s",
			 hides[i]);
		cg = create_cgroup(root, name, false);
		if (!cg || write_hwcap(cg, edit) || read_effective(cg, eff) ||
		    cpuid_hidden_bits(t->machine, eff, hidden) ||
		    run_reports(cg, NULL, "rc", &t->r[1], 1, 1, 0))
			goto cleanup;
		for (j = 0; j < ARRAY_SIZE(sizes); j++) {
			got = cpuid_value(&t->r[1].dumps[0], 0xd,
					  sizes[j].subleaf, sizes[j].reg);
			want = cpuid_value(&t->r[0].dumps[0], 0xd,
					   sizes[j].subleaf, sizes[j].reg);
			if (got == want)
				continue;
			ksft_print_msg("hiding %s: XSAVE size 0xd.%u %s %u, unmasked %u\n",
				       hides[i], sizes[j].subleaf,
				       cpuid_reg_names[sizes[j].reg], got,
				       want);
			ok = false;
		}
		if (!view_is(&t->r[1].views[0], eff) ||
		    !cpuid_matches(&t->r[1].dumps[0], &t->r[0].dumps[0],
				   hidden, edit))
			ok = false;
		destroy_cgroup(cg);
		cg = NULL;
	}
	if (ok)
		ret = KSFT_PASS;
cleanup:
	destroy_cgroup(cg);
	return cpuid_test_end(t, ret);
}

/*
 * Threads a masked program starts, on every CPU it may use, get masked
 * answers too: the same as the threads of an unmasked program on the same
 * CPUs, but for the hidden bits.
 */
static int test_cpufeat_cpuid_threads(const char *root)
{
	static const char * const none[] = { NULL };
	struct cpuid_test *t = calloc(1, sizeof(*t));
	const struct cpuid_dump *full, *masked;
	int ret = KSFT_FAIL, i, cpus = 0;
	char what[64];
	bool ok;

	if (!t)
		goto cleanup;
	ret = cpuid_test_start(root, t, none, false,
			       "cpufeat_test_cpuid_threads", cpuid_hide_set, 2);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;
	if (run_reports(root, NULL, "t", &t->r[0], 0, HELPER_THREADS, 0) ||
	    run_reports(t->cg, NULL, "rct", &t->r[1], 1, 1 + HELPER_THREADS,
			0))
		goto cleanup;
	ok = view_is(&t->r[1].views[0], t->eff) &&
	     cpuid_matches(&t->r[1].dumps[0], &t->r[0].dumps[0], t->hidden,
			   "main thread");
	for (i = 0; i < HELPER_THREADS; i++) {
		full = &t->r[0].dumps[i];
		masked = &t->r[1].dumps[1 + i];
		snprintf(what, sizeof(what), "thread %d on CPU %d", i,
			 masked->cpu);
		if (!cpuid_matches(masked, full, t->hidden, what))
			ok = false;
		if (masked->cpu != t->r[1].dumps[1].cpu)
			cpus = 2;
	}
	if (!cpus && sysconf(_SC_NPROCESSORS_ONLN) > 1)
		ksft_print_msg("note: the threads all ran on CPU %d\n",
			       t->r[1].dumps[1].cpu);
	if (ok)
		ret = KSFT_PASS;
cleanup:
	return cpuid_test_end(t, ret);
}

/*
 * A CPUID with prefixes is emulated like a plain one: same answers, and
 * the program goes on after the whole instruction.
 */
static int test_cpufeat_cpuid_prefixed(const char *root)
{
	static const char * const none[] = { NULL };
	struct cpuid_test *t = calloc(1, sizeof(*t));
	int ret = KSFT_FAIL;

	if (!t)
		goto cleanup;
	ret = cpuid_test_start(root, t, none, true,
			       "cpufeat_test_cpuid_prefixed", cpuid_hide_set,
			       2);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;
	if (run_reports(root, NULL, "c", &t->r[0], 0, 1, 0) ||
	    run_reports(t->cg, NULL, "cP", &t->r[1], 0, 2, 0))
		goto cleanup;
	if (cpuid_matches(&t->r[1].dumps[0], &t->r[0].dumps[0], t->hidden,
			  "plain CPUID") &&
	    cpuid_matches(&t->r[1].dumps[1], &t->r[0].dumps[0], t->hidden,
			  "CPUID with DS and REX.W prefixes"))
		ret = KSFT_PASS;
cleanup:
	return cpuid_test_end(t, ret);
}

/*
 * A masked and an unmasked program that take turns on one CPU each get
 * their own answers all along: CPUID faulting follows the task.
 */
static int test_cpufeat_cpuid_context_switch(const char *root)
{
	static const char * const none[] = { NULL };
	struct cpuid_test *t = calloc(1, sizeof(*t));
	struct helper masked = { .pid = -1 }, plain = { .pid = -1 };
	int ret = KSFT_FAIL, i;
	bool ok = true;

	if (!t)
		goto cleanup;
	ret = cpuid_test_start(root, t, none, true,
			       "cpufeat_test_cpuid_switch", cpuid_hide_set, 3);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;
	if (run_reports(root, NULL, "c", &t->r[0], 0, 1, 0))
		goto cleanup;
	reports_clear(&t->r[1]);
	reports_clear(&t->r[2]);
	if (helper_start(&masked, t->cg, NULL, 0, "wv") ||
	    helper_start(&plain, root, NULL, 0, "wv") ||
	    helper_continue(&masked) || helper_continue(&plain))
		goto cleanup;
	if (helper_collect(&masked, &t->r[1]) ||
	    helper_collect(&plain, &t->r[2]))
		goto cleanup;
	for (i = 1; i <= 2; i++) {
		if (t->r[i].ndumps == 2) {
			ksft_print_msg("the %s program's CPUID changed while it ran:\n",
				       i == 1 ? "masked" : "unmasked");
			cpuid_matches(&t->r[i].dumps[1], &t->r[i].dumps[0],
				      NULL, "then");
			ok = false;
		}
		if (!t->r[i].ndumps)
			goto cleanup;
	}
	if (!cpuid_matches(&t->r[1].dumps[0], &t->r[0].dumps[0], t->hidden,
			   "masked") ||
	    !cpuid_matches(&t->r[2].dumps[0], &t->r[0].dumps[0], NULL,
			   "unmasked"))
		ok = false;
	if (ok)
		ret = KSFT_PASS;
cleanup:
	if (masked.pid > 0)
		helper_finish(&masked);
	if (plain.pid > 0)
		helper_finish(&plain);
	return cpuid_test_end(t, ret);
}

/*
 * Start @script in @from, move the helper to @to after its first report
 * and collect the rest: "cwcxc" shows CPUID before and after the move,
 * and after the exec that follows.
 */
static int run_moved(const char *from, const char *to, const char *script,
		     struct reports *r)
{
	struct helper h;

	reports_clear(r);
	if (helper_start(&h, from, NULL, 0, script))
		return -1;
	if (helper_next_n(&h, r, 1) || cg_enter(to, h.pid) ||
	    helper_continue(&h)) {
		helper_finish(&h);
		return -1;
	}
	return helper_collect(&h, r);
}

/*
 * CPUID stays masked in a forked child and across an exec in the masked
 * cgroup; a program moved out of it stays masked until it execs, one moved
 * into it stays unmasked until it execs.
 */
static int test_cpufeat_cpuid_fork_exec(const char *root)
{
	static const char * const none[] = { NULL };
	static const char * const what[] = {
		"before the move", "moved, before exec", "after exec"
	};
	struct cpuid_test *t = calloc(1, sizeof(*t));
	const struct cpuid_dump *full;
	int ret = KSFT_FAIL, i;
	char msg[64];
	bool ok = true;

	if (!t)
		goto cleanup;
	ret = cpuid_test_start(root, t, none, true,
			       "cpufeat_test_cpuid_fork_exec", cpuid_hide_set,
			       4);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;
	if (run_reports(root, NULL, "c", &t->r[0], 0, 1, 0) ||
	    run_reports(t->cg, NULL, "cFxc", &t->r[1], 0, 3, 0) ||
	    run_moved(t->cg, root, "cwcxc", &t->r[2]) ||
	    run_moved(root, t->cg, "cwcxc", &t->r[3]))
		goto cleanup;
	full = &t->r[0].dumps[0];

	if (!cpuid_matches(&t->r[1].dumps[0], full, t->hidden, "masked") ||
	    !cpuid_matches(&t->r[1].dumps[1], full, t->hidden,
			   "forked child") ||
	    !cpuid_matches(&t->r[1].dumps[2], full, t->hidden,
			   "after exec in the masked cgroup"))
		ok = false;
	if (t->r[2].ndumps != 3 || t->r[3].ndumps != 3) {
		ksft_print_msg("the moved helpers reported %d and %d dumps, expected 3\n",
			       t->r[2].ndumps, t->r[3].ndumps);
		goto cleanup;
	}
	for (i = 0; i < 3; i++) {
		snprintf(msg, sizeof(msg), "moved to the root: %s", what[i]);
		if (!cpuid_matches(&t->r[2].dumps[i], full,
				   i < 2 ? t->hidden : NULL, msg))
			ok = false;
		snprintf(msg, sizeof(msg), "moved to the masked cgroup: %s",
			 what[i]);
		if (!cpuid_matches(&t->r[3].dumps[i], full,
				   i < 2 ? NULL : t->hidden, msg))
			ok = false;
	}
	if (ok)
		ret = KSFT_PASS;
cleanup:
	return cpuid_test_end(t, ret);
}

/* Did CPUID fault (@fault) or not, as it should? */
static bool cpuid_faulted(const struct cpuid_dump *d, bool fault,
			  const char *when)
{
	if (d->fault == fault)
		return true;
	ksft_print_msg("%s: CPUID %s\n", when,
		       fault ? "worked, expected SIGSEGV" : "raised SIGSEGV");
	return false;
}

static bool arch_cpuid_is(long got, long want, const char *when)
{
	if (got == want)
		return true;
	ksft_print_msg("%s: ARCH_GET_CPUID returned %ld, expected %ld\n", when,
		       got, want);
	return false;
}

/*
 * arch_prctl(ARCH_SET_CPUID) still works for masked programs, and takes
 * precedence: a masked program sees ARCH_GET_CPUID 1; after
 * ARCH_SET_CPUID(0) its CPUID raises SIGSEGV and ARCH_GET_CPUID says 0;
 * after ARCH_SET_CPUID(1) CPUID works, masked.  Exec resets it: a program
 * with CPUID off that execs, in the masked cgroup or moved there, gets
 * masked CPUID; in the root, plain CPUID.
 */
static int test_cpufeat_cpuid_arch_set_cpuid(const char *root)
{
	static const char * const none[] = { NULL };
	struct cpuid_test *t = calloc(1, sizeof(*t));
	const struct cpuid_dump *full;
	const struct reports *r;
	int ret = KSFT_FAIL;
	bool ok;

	if (!t)
		goto cleanup;
	ret = cpuid_test_start(root, t, none, true,
			       "cpufeat_test_cpuid_arch_set", cpuid_hide_set,
			       4);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;
	if (run_reports(root, NULL, "c", &t->r[0], 0, 1, 0) ||
	    run_reports(t->cg, NULL, "cgdgcegcdxcg", &t->r[1], 0, 4, 4) ||
	    run_moved(root, t->cg, "dcwxcg", &t->r[2]) ||
	    run_reports(root, NULL, "dxcg", &t->r[3], 0, 1, 1))
		goto cleanup;
	full = &t->r[0].dumps[0];

	r = &t->r[1];
	ok = cpuid_matches(&r->dumps[0], full, t->hidden, "masked") &&
	     arch_cpuid_is(r->arch[0], 1, "masked") &&
	     arch_cpuid_is(r->arch[1], 0, "after ARCH_SET_CPUID(0)") &&
	     cpuid_faulted(&r->dumps[1], true, "after ARCH_SET_CPUID(0)") &&
	     arch_cpuid_is(r->arch[2], 1, "after ARCH_SET_CPUID(1)") &&
	     cpuid_matches(&r->dumps[2], full, t->hidden,
			   "after ARCH_SET_CPUID(1)") &&
	     cpuid_matches(&r->dumps[3], full, t->hidden,
			   "ARCH_SET_CPUID(0), then exec") &&
	     arch_cpuid_is(r->arch[3], 1, "ARCH_SET_CPUID(0), then exec");

	r = &t->r[2];
	if (r->ndumps != 2 || r->narch != 1) {
		ksft_print_msg("\"dcwxcg\": %d dumps, %d archcpuid, not 2 and 1\n",
			       r->ndumps, r->narch);
		goto cleanup;
	}
	if (!cpuid_faulted(&r->dumps[0], true,
			   "unmasked, after ARCH_SET_CPUID(0)") ||
	    !cpuid_matches(&r->dumps[1], full, t->hidden,
			   "ARCH_SET_CPUID(0), moved to the masked cgroup, exec") ||
	    !arch_cpuid_is(r->arch[0], 1,
			   "ARCH_SET_CPUID(0), moved to the masked cgroup, exec"))
		ok = false;

	r = &t->r[3];
	if (!cpuid_matches(&r->dumps[0], full, NULL,
			   "ARCH_SET_CPUID(0) in the root, exec") ||
	    !arch_cpuid_is(r->arch[0], 1, "ARCH_SET_CPUID(0) in the root, exec"))
		ok = false;
	if (ok)
		ret = KSFT_PASS;
cleanup:
	return cpuid_test_end(t, ret);
}

/*
 * cpufeat.stat counts the CPUIDs the kernel emulated for the programs in
 * the cgroup, one each; unmasked programs elsewhere add nothing.
 */
static int test_cpufeat_cpuid_counted(const char *root)
{
	static const char * const none[] = { NULL };
	struct cpuid_test *t = calloc(1, sizeof(*t));
	int ret = KSFT_FAIL;

	if (!t)
		goto cleanup;
	ret = cpuid_test_start(root, t, none, false,
			       "cpufeat_test_cpuid_counted", cpuid_hide_set, 1);
	if (ret == KSFT_PASS)
		ret = emulations_counted(root, t->cg, t->r, "emulated_cpuid",
					 CPUID_LOOPS);
cleanup:
	return cpuid_test_end(t, ret);
}

/*
 * A 32-bit (ia32) program, cpufeat_cpuid32, masked: its AT_HWCAP and
 * CPUID lack the hidden features and say the rest as unmasked programs
 * are told.  It is next to this program, or where CPUFEAT_CPUID32 says.
 */
static int test_cpufeat_cpuid_compat(const char *root)
{
	static const char * const none[] = { NULL };
	struct cpuid_test *t = calloc(1, sizeof(*t));
	char exe[PATH_MAX], *env = getenv("CPUFEAT_CPUID32");
	const struct cpuid_dump *ref;
	int ret = KSFT_FAIL;
	ssize_t len;
	bool ok;

	if (!t)
		goto cleanup;
	if (env) {
		snprintf(exe, sizeof(exe), "%s", env);
	} else {
		len = readlink("/proc/self/exe", exe, sizeof(exe) - 32);
		if (len < 0)
			goto cleanup;
		exe[len] = '\0';
		snprintf(strrchr(exe, '/') ?: exe, 32, "/cpufeat_cpuid32");
	}
	if (access(exe, X_OK)) {
		ksft_print_msg("no 32-bit program %s: %s\n", exe,
			       strerror(errno));
		ret = KSFT_SKIP;
		goto cleanup;
	}
	ret = cpuid_test_start(root, t, none, true,
			       "cpufeat_test_cpuid_compat", cpuid_hide_set, 3);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;
	if (run_reports(root, NULL, "rc", &t->r[0], 1, 1, 0) ||
	    run_reports(root, exe, "", &t->r[1], 1, 1, 0) ||
	    run_reports(t->cg, exe, "", &t->r[2], 1, 1, 0))
		goto cleanup;

	/* The 64-bit answers, unless CPUID differs in 32-bit mode. */
	ref = &t->r[0].dumps[0];
	if (!cpuid_matches(&t->r[1].dumps[0], ref, NULL, NULL)) {
		ksft_print_msg("note: CPUID differs in 32-bit mode:\n");
		cpuid_matches(&t->r[1].dumps[0], ref, NULL, "32-bit unmasked");
		ref = &t->r[1].dumps[0];
	}
	ok = view_matches(&t->r[2].views[0], &t->r[1].views[0], t->machine,
			  t->eff);
	if (!cpuid_matches(&t->r[2].dumps[0], ref, t->hidden,
			   "32-bit masked"))
		ok = false;
	if (ok)
		ret = KSFT_PASS;
cleanup:
	return cpuid_test_end(t, ret);
}

#elif defined(__aarch64__)

/*
 * MRS filtering, arm64 only.  A program exec'd in a cgroup that hides
 * hwcaps reads, through the kernel's emulation of MRS, the ID registers
 * with the fields of the hidden hwcaps lowered: to the highest level that
 * a visible hwcap of the field names, else to "not implemented".  Hiding
 * sve makes ID_AA64ZFR0_EL1 read 0, hiding paca (with pacg) clears every
 * pointer authentication field, hiding cpuid makes MRS raise SIGILL.
 * Fields never rise.
 */

/* The ID register fields the tests look at. */
enum {
	F_FP, F_ADVSIMD, F_SVE, F_AES, F_APA, F_API, F_GPA, F_GPI, F_APA3,
	F_GPA3, F_SVEVER, F_ZAES, F_BITPERM, F_ZBF16, F_SHA3, F_SM4, F_ZI8MM,
	F_F32MM, F_F64MM, NR_FIELDS
};

static const struct id_field {
	const char *name;
	int reg;
	int shift;
} id_fields[NR_FIELDS] = {
	[F_FP]		= { "ID_AA64PFR0_EL1.FP",	ID_PFR0,	16 },
	[F_ADVSIMD]	= { "ID_AA64PFR0_EL1.AdvSIMD",	ID_PFR0,	20 },
	[F_SVE]		= { "ID_AA64PFR0_EL1.SVE",	ID_PFR0,	32 },
	[F_AES]		= { "ID_AA64ISAR0_EL1.AES",	ID_ISAR0,	4 },
	[F_APA]		= { "ID_AA64ISAR1_EL1.APA",	ID_ISAR1,	4 },
	[F_API]		= { "ID_AA64ISAR1_EL1.API",	ID_ISAR1,	8 },
	[F_GPA]		= { "ID_AA64ISAR1_EL1.GPA",	ID_ISAR1,	24 },
	[F_GPI]		= { "ID_AA64ISAR1_EL1.GPI",	ID_ISAR1,	28 },
	[F_APA3]	= { "ID_AA64ISAR2_EL1.APA3",	ID_ISAR2,	12 },
	[F_GPA3]	= { "ID_AA64ISAR2_EL1.GPA3",	ID_ISAR2,	8 },
	[F_SVEVER]	= { "ID_AA64ZFR0_EL1.SVEver",	ID_ZFR0,	0 },
	[F_ZAES]	= { "ID_AA64ZFR0_EL1.AES",	ID_ZFR0,	4 },
	[F_BITPERM]	= { "ID_AA64ZFR0_EL1.BitPerm",	ID_ZFR0,	16 },
	[F_ZBF16]	= { "ID_AA64ZFR0_EL1.BF16",	ID_ZFR0,	20 },
	[F_SHA3]	= { "ID_AA64ZFR0_EL1.SHA3",	ID_ZFR0,	32 },
	[F_SM4]		= { "ID_AA64ZFR0_EL1.SM4",	ID_ZFR0,	40 },
	[F_ZI8MM]	= { "ID_AA64ZFR0_EL1.I8MM",	ID_ZFR0,	44 },
	[F_F32MM]	= { "ID_AA64ZFR0_EL1.F32MM",	ID_ZFR0,	52 },
	[F_F64MM]	= { "ID_AA64ZFR0_EL1.F64MM",	ID_ZFR0,	56 },
};

/* The 4-bit field @f of dump @d. */
static unsigned int field_of(const struct mrs_dump *d, int f)
{
	return d->regs[id_fields[f].reg] >> id_fields[f].shift & 0xf;
}

/* Is field @f of @d @want? */
static bool field_is(const struct mrs_dump *d, int f, unsigned int want,
		     const char *what)
{
	if (field_of(d, f) == want)
		return true;
	ksft_print_msg("%s: %s is %#x, expected %#x\n", what, id_fields[f].name,
		       field_of(d, f), want);
	return false;
}

/* Is the 4-bit field at @shift of ID register @reg signed? */
static bool field_signed(int reg, int shift)
{
	/* PFR0 FP and AdvSIMD, MMFR0 TGran64 and TGran4. */
	return (reg == ID_PFR0 && (shift == 16 || shift == 20)) ||
	       (reg == ID_MMFR0 && (shift == 24 || shift == 28));
}

/*
 * Does @got read as @full, but where fields may be lowered: every field of
 * the registers in the bit mask @free_regs, and the fields of the
 * -1-terminated @free_fields?  No field may rise above @full's.
 */
static bool mrs_same_but(const struct mrs_dump *got,
			 const struct mrs_dump *full, unsigned int free_regs,
			 const int *free_fields, const char *what)
{
	unsigned long free_mask[NR_ID_REGS] = { 0 };
	int reg, shift, a, b, bad = 0;

	if (got->fault || full->fault) {
		ksft_print_msg("%s: MRS raised SIGILL\n", what);
		return false;
	}
	for (; *free_fields >= 0; free_fields++)
		free_mask[id_fields[*free_fields].reg] |=
			0xfUL << id_fields[*free_fields].shift;
	for (reg = 0; reg < NR_ID_REGS; reg++) {
		if (free_regs & 1u << reg)
			free_mask[reg] = ~0UL;
		for (shift = 0; shift < 64; shift += 4) {
			a = got->regs[reg] >> shift & 0xf;
			b = full->regs[reg] >> shift & 0xf;
			if (field_signed(reg, shift)) {
				a = a >= 8 ? a - 16 : a;
				b = b >= 8 ? b - 16 : b;
			}
			if (a == b || (a < b && free_mask[reg] >> shift & 1))
				continue;
			ksft_print_msg("%s: ID_AA64%s_EL1 bits %d:%d are %#x, unmasked %#x\n",
				       what, id_reg_names[reg], shift + 3, shift,
				       a & 0xf, b & 0xf);
			bad++;
		}
	}
	return !bad;
}

/*
 * Does the program that reported @r see feature @name as @want says: its
 * AT_HWCAP* bit, its /proc/self/cpufeat and, with @cpuinfo, the Features
 * line of /proc/cpuinfo it read?
 */
static bool sees(const struct reports *r, const char *name, bool want,
		 bool cpuinfo)
{
	const struct view *v = &r->views[0];
	bool ok = true;
	int word, bit;

	if (hwcap_bit(name, &word, &bit) &&
	    view_has_bit(v, word, bit) != want) {
		ksft_print_msg("AT_HWCAP%s bit %d (%s) is %d, expected %d\n",
			       word ? "2" : "", bit, name, !want, want);
		ok = false;
	}
	if (list_has(v->cpufeat, name) != want) {
		ksft_print_msg("/proc/self/cpufeat %s %s\n",
			       want ? "lacks" : "has", name);
		ok = false;
	}
	if (cpuinfo && list_has(r->flags, name) != want) {
		ksft_print_msg("/proc/cpuinfo Features %s %s\n",
			       want ? "lacks" : "has", name);
		ok = false;
	}
	return ok;
}

/* Shared state of the MRS tests. */
struct mrs_test {
	char machine[LIST_SIZE];
	char eff[LIST_SIZE];
	char edits[512];
	bool cpuinfo;		/* /proc/cpuinfo is filtered too */
	char *cg;
	struct reports *r;
};

/*
 * Start an MRS test: MRS must be filtered here and the machine have
 * @needed (else KSFT_SKIP); with @hide (NULL-terminated), make cgroup @name
 * hiding those of @hide the machine has, at least one.
 */
static int mrs_test_start(const char *root, struct mrs_test *t,
			  const char * const *needed, const char *name,
			  const char * const *hide, int nreports)
{
	char value[32];
	int ret;

	ret = filter_on(root, "mrs");
	if (ret != KSFT_PASS)
		return ret;
	if (read_filter(root, "cpuinfo", value, sizeof(value)))
		return KSFT_FAIL;
	t->cpuinfo = !strcmp(value, "yes");
	ret = needed[0] ? machine_has(root, t->machine, needed) :
			  read_effective(root, t->machine) ? KSFT_FAIL :
							     KSFT_PASS;
	if (ret != KSFT_PASS)
		return ret;

	t->r = calloc(nreports, sizeof(*t->r));
	if (!t->r)
		return KSFT_FAIL;
	if (!hide)
		return KSFT_PASS;
	hide_edits(hide, t->machine, t->edits, sizeof(t->edits));
	if (!t->edits[0]) {
		ksft_print_msg("the machine has none of the features to hide\n");
		return KSFT_SKIP;
	}
	t->cg = create_cgroup(root, name, false);
	if (!t->cg || write_hwcap(t->cg, t->edits) ||
	    read_effective(t->cg, t->eff))
		return KSFT_FAIL;
	return KSFT_PASS;
}

static int mrs_test_end(struct mrs_test *t, int ret)
{
	if (!t)
		return KSFT_FAIL;
	destroy_cgroup(t->cg);
	free(t->r);
	free(t);
	return ret;
}

/*
 * Run "rmp" (view, MRS dump, cpuinfo) in @cgroup into @r; with @full, the
 * unmasked program's reports, check its AT_HWCAP* bits and
 * /proc/self/cpufeat against what @cgroup offers, @eff.
 */
static int mrs_reports(struct mrs_test *t, const char *cgroup,
		       struct reports *r, const struct reports *full,
		       const char *eff)
{
	if (run_reports(cgroup, NULL, t->cpuinfo ? "rmp" : "rm", r, 1, 1, 0))
		return -1;
	if (full && !view_matches(&r->views[0], &full->views[0], t->machine,
				  eff))
		return -1;
	return 0;
}

/*
 * Hiding pmull keeps aes: ID_AA64ISAR0_EL1.AES reads 1 (AES) instead of 2
 * (PMULL).  Hiding aes hides both and AES reads 0.  Every other field
 * reads as an unmasked program reads it.
 */
static int test_cpufeat_mrs_levels(const char *root)
{
	static const char * const aes_pmull[] = { "aes", "pmull", NULL };
	static const char * const pmull[] = { "pmull", NULL };
	static const int aes_field[] = { F_AES, -1 };
	struct mrs_test *t = calloc(1, sizeof(*t));
	char eff_aes[LIST_SIZE];
	char *cg_aes = NULL;
	struct reports *r;
	int ret = KSFT_FAIL;
	bool ok = true;

	if (!t)
		goto cleanup;
	ret = mrs_test_start(root, t, aes_pmull, "cpufeat_test_mrs_pmull",
			     pmull, 3);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;
	r = t->r;
	cg_aes = create_cgroup(root, "cpufeat_test_mrs_aes", false);
	if (!cg_aes || write_hwcap(cg_aes, "-aes") ||
	    read_effective(cg_aes, eff_aes) ||
	    mrs_reports(t, root, &r[0], NULL, NULL))
		goto cleanup;
	if (!field_is(&r[0].dumps[0], F_AES, 2, "unmasked"))
		goto cleanup;
	if (mrs_reports(t, t->cg, &r[1], &r[0], t->eff) ||
	    mrs_reports(t, cg_aes, &r[2], &r[0], eff_aes))
		goto cleanup;

	if (!field_is(&r[1].dumps[0], F_AES, 1, "hiding pmull") ||
	    !mrs_same_but(&r[1].dumps[0], &r[0].dumps[0], 0, aes_field,
			  "hiding pmull") ||
	    !sees(&r[1], "aes", true, t->cpuinfo) ||
	    !sees(&r[1], "pmull", false, t->cpuinfo))
		ok = false;
	if (!field_is(&r[2].dumps[0], F_AES, 0, "hiding aes") ||
	    !mrs_same_but(&r[2].dumps[0], &r[0].dumps[0], 0, aes_field,
			  "hiding aes") ||
	    !sees(&r[2], "aes", false, t->cpuinfo) ||
	    !sees(&r[2], "pmull", false, t->cpuinfo))
		ok = false;
	if (ok)
		ret = KSFT_PASS;
cleanup:
	destroy_cgroup(cg_aes);
	return mrs_test_end(t, ret);
}

/* Is @name an SVE hwcap ("sve", "sve2", "svebf16"...)? */
static bool is_sve_name(const char *name)
{
	return name && !strncmp(name, "sve", 3);
}

/*
 * Hiding sve: ID_AA64PFR0_EL1.SVE reads 0, ID_AA64ZFR0_EL1 reads 0, and no
 * SVE hwcap is left in AT_HWCAP*, /proc/self/cpufeat or /proc/cpuinfo.
 */
static int test_cpufeat_mrs_sve(const char *root)
{
	static const char * const sve[] = { "sve", NULL };
	static const int sve_field[] = { F_SVE, -1 };
	struct mrs_test *t = calloc(1, sizeof(*t));
	const struct mrs_dump *masked;
	int ret = KSFT_FAIL, bit, w, b;
	char word[64];
	size_t pos = 0;
	bool ok = true;

	if (!t)
		goto cleanup;
	ret = mrs_test_start(root, t, sve, "cpufeat_test_mrs_sve", sve, 2);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;
	if (mrs_reports(t, root, &t->r[0], NULL, NULL) ||
	    mrs_reports(t, t->cg, &t->r[1], &t->r[0], t->eff))
		goto cleanup;
	masked = &t->r[1].dumps[0];

	if (!field_of(&t->r[0].dumps[0], F_SVE)) {
		ksft_print_msg("unmasked: %s is 0 on a machine with sve\n",
			       id_fields[F_SVE].name);
		goto cleanup;
	}
	if (!field_is(masked, F_SVE, 0, "hiding sve") ||
	    !mrs_same_but(masked, &t->r[0].dumps[0], 1u << ID_ZFR0,
			  sve_field, "hiding sve"))
		ok = false;
	if (masked->regs[ID_ZFR0]) {
		ksft_print_msg("hiding sve: ID_AA64ZFR0_EL1 is %#lx, not 0\n",
			       masked->regs[ID_ZFR0]);
		ok = false;
	}
	for (bit = 0; bit < 64; bit++) {
		if (is_sve_name(hwcap_names[bit]) &&
		    !sees(&t->r[1], hwcap_names[bit], false, t->cpuinfo))
			ok = false;
		if (is_sve_name(hwcap2_names[bit]) &&
		    !sees(&t->r[1], hwcap2_names[bit], false, t->cpuinfo))
			ok = false;
	}
	while (t->cpuinfo &&
	       list_next(t->r[1].flags, &pos, word, sizeof(word))) {
		/* Those with an AT_HWCAP* bit were looked at above. */
		if (is_sve_name(word) && !hwcap_bit(word, &w, &b)) {
			ksft_print_msg("hiding sve: /proc/cpuinfo Features has %s\n",
				       word);
			ok = false;
		}
	}
	if (ok)
		ret = KSFT_PASS;
cleanup:
	return mrs_test_end(t, ret);
}

/*
 * Hiding sve also switches it off: the program's first SVE instruction
 * raises SIGILL, and PR_SVE_GET_VL fails with EINVAL, as on a machine
 * without SVE.  A program in the root uses SVE as before.
 */
static int test_cpufeat_sve_enforced(const char *root)
{
	static const char * const sve[] = { "sve", NULL };
	struct mrs_test *t = calloc(1, sizeof(*t));
	const struct reports *full, *masked;
	int ret = KSFT_FAIL;

	if (!t)
		goto cleanup;
	ret = mrs_test_start(root, t, sve, "cpufeat_test_sve_enforced", sve,
			     2);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;
	full = &t->r[0];
	masked = &t->r[1];
	if (run_reports(root, NULL, "V", &t->r[0], 0, 0, 0) ||
	    run_reports(t->cg, NULL, "V", &t->r[1], 0, 0, 0))
		goto cleanup;
	if (!full->sve || !masked->sve) {
		ksft_print_msg("no \"sve\" report\n");
		goto cleanup;
	}
	if (full->sve_rdvl <= 0 || full->sve_prctl <= 0) {
		ksft_print_msg("in the root: RDVL %ld, PR_SVE_GET_VL %ld\n",
			       full->sve_rdvl, full->sve_prctl);
		goto cleanup;
	}
	if (masked->sve_rdvl != -1 || masked->sve_prctl != -EINVAL) {
		ksft_print_msg("hiding sve: RDVL %ld, PR_SVE_GET_VL %ld\n",
			       masked->sve_rdvl, masked->sve_prctl);
		ksft_print_msg("expected -1 (SIGILL) and %d (EINVAL)\n",
			       -EINVAL);
		goto cleanup;
	}
	ret = KSFT_PASS;
cleanup:
	return mrs_test_end(t, ret);
}

/*
 * Hiding paca also turns the program's address keys off: PACIA leaves a
 * pointer as it is, and PR_PAC_GET_ENABLED_KEYS says no key is on.  A
 * program in the root has every key on.
 */
static int test_cpufeat_pac_keys_off(const char *root)
{
	static const char * const paca[] = { "paca", NULL };
	struct mrs_test *t = calloc(1, sizeof(*t));
	const struct reports *full, *masked;
	int ret = KSFT_FAIL;

	if (!t)
		goto cleanup;
	ret = mrs_test_start(root, t, paca, "cpufeat_test_pac_keys_off",
			     paca, 2);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;
	full = &t->r[0];
	masked = &t->r[1];
	if (run_reports(root, NULL, "K", &t->r[0], 0, 0, 0) ||
	    run_reports(t->cg, NULL, "K", &t->r[1], 0, 0, 0))
		goto cleanup;
	if (!full->pac || !masked->pac) {
		ksft_print_msg("no \"pac\" report\n");
		goto cleanup;
	}
	if (full->pac_keys <= 0 || !full->pac_signed) {
		ksft_print_msg("in the root: keys %#lx, PACIA changed %d of 8 pointers\n",
			       full->pac_keys, full->pac_signed);
		goto cleanup;
	}
	if (masked->pac_keys != 0 || masked->pac_signed) {
		ksft_print_msg("hiding paca: keys %#lx, PACIA changed %d of 8 pointers\n",
			       masked->pac_keys, masked->pac_signed);
		goto cleanup;
	}
	ret = KSFT_PASS;
cleanup:
	return mrs_test_end(t, ret);
}

/*
 * Hiding sve2 keeps sve: ID_AA64PFR0_EL1.SVE reads as unmasked, while
 * ID_AA64ZFR0_EL1.SVEver reads 0 and the fields of the SVE2 instructions
 * (AES, BitPerm, SHA3, SM4) read 0; the other ZFR0 fields are unchanged.
 */
static int test_cpufeat_mrs_sve2_only(const char *root)
{
	static const char * const sve2[] = { "sve", "sve2", NULL };
	static const char * const sve2_users[] = {
		"sve2", "sveaes", "svepmull", "svebitperm", "svesha3", "svesm4",
		"sve2p1", NULL
	};
	static const int sve2_fields[] = {
		F_SVEVER, F_ZAES, F_BITPERM, F_SHA3, F_SM4, -1
	};
	struct mrs_test *t = calloc(1, sizeof(*t));
	const struct mrs_dump *masked;
	const char * const *p;
	int ret = KSFT_FAIL;
	const int *f;
	bool ok = true;

	if (!t)
		goto cleanup;
	ret = mrs_test_start(root, t, sve2, "cpufeat_test_mrs_sve2",
			     sve2 + 1, 2);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;
	if (mrs_reports(t, root, &t->r[0], NULL, NULL) ||
	    mrs_reports(t, t->cg, &t->r[1], &t->r[0], t->eff))
		goto cleanup;
	masked = &t->r[1].dumps[0];

	if (!mrs_same_but(masked, &t->r[0].dumps[0], 0, sve2_fields,
			  "hiding sve2"))
		ok = false;
	for (f = sve2_fields; *f >= 0; f++)
		if (!field_is(masked, *f, 0, "hiding sve2"))
			ok = false;
	if (!sees(&t->r[1], "sve", true, t->cpuinfo))
		ok = false;
	for (p = sve2_users; *p; p++)
		if (!sees(&t->r[1], *p, false, t->cpuinfo))
			ok = false;
	if (ok)
		ret = KSFT_PASS;
cleanup:
	return mrs_test_end(t, ret);
}

/*
 * Hiding paca hides pacg too: every pointer authentication field, APA,
 * API, GPA and GPI of ID_AA64ISAR1_EL1, APA3 and GPA3 of ID_AA64ISAR2_EL1,
 * reads 0 for a program that does not gain privilege at exec.
 */
static int test_cpufeat_mrs_pac(const char *root)
{
	static const char * const paca[] = { "paca", NULL };
	static const int pac_fields[] = {
		F_APA, F_API, F_GPA, F_GPI, F_APA3, F_GPA3, -1
	};
	struct mrs_test *t = calloc(1, sizeof(*t));
	const struct mrs_dump *full, *masked;
	int ret = KSFT_FAIL;
	const int *f;
	bool ok = true;

	if (!t)
		goto cleanup;
	ret = mrs_test_start(root, t, paca, "cpufeat_test_mrs_pac", paca, 2);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;
	if (mrs_reports(t, root, &t->r[0], NULL, NULL) ||
	    mrs_reports(t, t->cg, &t->r[1], &t->r[0], t->eff))
		goto cleanup;
	full = &t->r[0].dumps[0];
	masked = &t->r[1].dumps[0];

	if (!field_of(full, F_APA) && !field_of(full, F_API) &&
	    !field_of(full, F_APA3)) {
		ksft_print_msg("unmasked: no address authentication field is set\n");
		goto cleanup;
	}
	if (!mrs_same_but(masked, full, 0, pac_fields, "hiding paca"))
		ok = false;
	for (f = pac_fields; *f >= 0; f++)
		if (!field_is(masked, *f, 0, "hiding paca"))
			ok = false;
	if (!sees(&t->r[1], "paca", false, t->cpuinfo) ||
	    !sees(&t->r[1], "pacg", false, t->cpuinfo))
		ok = false;
	if (ok)
		ret = KSFT_PASS;
cleanup:
	return mrs_test_end(t, ret);
}

/*
 * Hiding cpuid makes every emulated MRS raise SIGILL in the masked
 * program; an unmasked program's MRS still works.
 */
static int test_cpufeat_mrs_cpuid_sigill(const char *root)
{
	static const char * const cpuid[] = { "cpuid", NULL };
	struct mrs_test *t = calloc(1, sizeof(*t));
	int ret = KSFT_FAIL;
	bool ok = true;

	if (!t)
		goto cleanup;
	ret = mrs_test_start(root, t, cpuid, "cpufeat_test_mrs_cpuid", cpuid,
			     2);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;
	if (mrs_reports(t, root, &t->r[0], NULL, NULL) ||
	    mrs_reports(t, t->cg, &t->r[1], &t->r[0], t->eff))
		goto cleanup;
	if (t->r[0].dumps[0].fault) {
		ksft_print_msg("the unmasked program's MRS raised SIGILL\n");
		ok = false;
	}
	if (!t->r[1].dumps[0].fault) {
		ksft_print_msg("hiding cpuid: MRS did not raise SIGILL (ID_AA64ISAR0_EL1 %#lx)\n",
			       t->r[1].dumps[0].regs[ID_ISAR0]);
		ok = false;
	}
	if (!sees(&t->r[1], "cpuid", false, t->cpuinfo))
		ok = false;
	if (ok)
		ret = KSFT_PASS;
cleanup:
	return mrs_test_end(t, ret);
}

/*
 * A masked program hiding several features is told one story: AT_HWCAP and
 * AT_HWCAP2, /proc/self/cpufeat and the Features of /proc/cpuinfo, which
 * it reads itself, name the same cpufeat features; its ID registers never
 * read higher than an unmasked program's.
 */
static int test_cpufeat_mrs_consistent(const char *root)
{
	static const char * const no_names[] = { NULL };
	static const int none[] = { -1 };
	struct mrs_test *t = calloc(1, sizeof(*t));
	const struct reports *r;
	int ret = KSFT_FAIL, word, bit;
	bool ok = true, a, b, c;
	char name[64];
	size_t pos = 0;

	if (!t)
		goto cleanup;
	ret = mrs_test_start(root, t, no_names, "cpufeat_test_mrs_consistent",
			     mrs_hide_set, 2);
	if (ret != KSFT_PASS)
		goto cleanup;
	if (!t->cpuinfo) {
		ksft_print_msg("cpufeat.filters: \"cpuinfo no\"\n");
		ret = KSFT_SKIP;
		goto cleanup;
	}
	ret = KSFT_FAIL;
	if (mrs_reports(t, root, &t->r[0], NULL, NULL) ||
	    mrs_reports(t, t->cg, &t->r[1], &t->r[0], t->eff))
		goto cleanup;
	r = &t->r[1];

	if (!view_is(&r->views[0], t->eff) ||
	    !mrs_same_but(&r->dumps[0], &t->r[0].dumps[0], ~0u, none,
			  "masked"))
		ok = false;
	for (word = 0; word < 2; word++) {
		for (bit = 0; bit < 64; bit++) {
			const char *n = word ? hwcap2_names[bit] :
					       hwcap_names[bit];

			if (!n || !list_has(t->machine, n))
				continue;
			a = view_has_bit(&r->views[0], word, bit);
			b = list_has(r->views[0].cpufeat, n);
			c = list_has(r->flags, n);
			if (a == b && b == c)
				continue;
			ksft_print_msg("%s: AT_HWCAP%s %d, /proc/self/cpufeat %d, Features %d\n",
				       n, word ? "2" : "", a, b, c);
			ok = false;
		}
	}
	/* The features without an AT_HWCAP* bit. */
	while (list_next(t->machine, &pos, name, sizeof(name))) {
		b = list_has(r->views[0].cpufeat, name);
		c = list_has(r->flags, name);
		if (hwcap_bit(name, &word, &bit) || b == c)
			continue;
		ksft_print_msg("%s: in /proc/cpuinfo Features %d, in /proc/self/cpufeat %d\n",
			       name, c, b);
		ok = false;
	}
	if (ok)
		ret = KSFT_PASS;
cleanup:
	return mrs_test_end(t, ret);
}

/*
 * cpufeat.stat counts the MRSs the kernel emulated for the masked programs
 * in the cgroup, one each; unmasked programs elsewhere add nothing.
 */
static int test_cpufeat_mrs_counted(const char *root)
{
	struct mrs_test *t = calloc(1, sizeof(*t));
	int ret = KSFT_FAIL;

	if (!t)
		goto cleanup;
	ret = mrs_test_start(root, t, hide_set, "cpufeat_test_mrs_counted",
			     hide_set, 1);
	if (ret == KSFT_PASS)
		ret = emulations_counted(root, t->cg, t->r, "emulated_mrs",
					 MRS_LOOPS);
cleanup:
	return mrs_test_end(t, ret);
}

/*
 * Programs in the root, in a cgroup that hides nothing and this test
 * itself read the same, unmasked, ID registers and /proc/cpuinfo; the
 * root has no cpufeat.stat to count MRSs in.
 */
static int test_cpufeat_mrs_root_unmasked(const char *root)
{
	struct reports *r = calloc(2, sizeof(*r));
	char path[PATH_MAX], *cg = NULL;
	struct mrs_dump self;
	int ret = KSFT_FAIL, i;
	struct stat st;
	bool ok = true;

	if (!r)
		goto cleanup;
	cg = create_cgroup(root, "cpufeat_test_mrs_unmasked", false);
	if (!cg || run_reports(root, NULL, "rmp", &r[0], 1, 1, 0) ||
	    run_reports(cg, NULL, "rmp", &r[1], 1, 1, 0))
		goto cleanup;
	mrs_run(&self);
	signal(SIGILL, SIG_DFL);
	if (self.fault || r[0].dumps[0].fault || r[1].dumps[0].fault) {
		ksft_print_msg("MRS raised SIGILL: here %d, in the root %d, in %s %d\n",
			       self.fault, r[0].dumps[0].fault, cg,
			       r[1].dumps[0].fault);
		goto cleanup;
	}
	for (i = 0; i < NR_ID_REGS; i++) {
		if (r[0].dumps[0].regs[i] == self.regs[i] &&
		    r[1].dumps[0].regs[i] == self.regs[i])
			continue;
		ksft_print_msg("ID_AA64%s_EL1: %#lx here, %#lx in the root, %#lx in %s\n",
			       id_reg_names[i], self.regs[i],
			       r[0].dumps[0].regs[i], r[1].dumps[0].regs[i],
			       cg);
		ok = false;
	}
	if (!same_view(&r[0].views[0], &r[1].views[0]))
		ok = false;
	if (strcmp(r[0].flags, r[1].flags)) {
		print_list_diff("/proc/cpuinfo Features", r[0].flags,
				r[1].flags);
		ok = false;
	}
	snprintf(path, sizeof(path), "%s/cpufeat.stat", root);
	if (!stat(path, &st) || errno != ENOENT) {
		ksft_print_msg("%s exists: the root counts no MRSs\n", path);
		ok = false;
	}
	if (ok)
		ret = KSFT_PASS;
cleanup:
	destroy_cgroup(cg);
	free(r);
	return ret;
}

#endif

#define T(x) { x, #x }
struct cpufeat_test {
	int (*fn)(const char *root);
	const char *name;
} tests[] = {
	T(test_cpufeat_files),
	T(test_cpufeat_defaults),
	T(test_cpufeat_set_read_back),
	T(test_cpufeat_edits),
	T(test_cpufeat_rejected_writes),
	T(test_cpufeat_read_only_files),
	T(test_cpufeat_hierarchy),
	T(test_cpufeat_exec_view),
	T(test_cpufeat_view_latched_at_exec),
	T(test_cpufeat_fork_inherits),
	T(test_cpufeat_proc_pid_cpufeat),
	T(test_cpufeat_stat),
	T(test_cpufeat_eperm_delegated_owner),
	T(test_cpufeat_eperm_passed_fd),
	T(test_cpufeat_eperm_without_cap_sys_admin),
	T(test_cpufeat_eperm_cgroup_namespace),
	T(test_cpufeat_eperm_user_namespace),
	T(test_cpufeat_secureexec_keeps_protected),
#if defined(__x86_64__) || defined(__aarch64__)
	T(test_cpufeat_filters_file),
	T(test_cpufeat_cpuinfo_flags),
#endif
#if defined(__x86_64__)
	T(test_cpufeat_cpuid_hides_features),
	T(test_cpufeat_cpuid_others_unchanged),
	T(test_cpufeat_cpuid_xsave_sizes),
	T(test_cpufeat_cpuid_threads),
	T(test_cpufeat_cpuid_prefixed),
	T(test_cpufeat_cpuid_context_switch),
	T(test_cpufeat_cpuid_fork_exec),
	T(test_cpufeat_cpuid_arch_set_cpuid),
	T(test_cpufeat_cpuid_counted),
	T(test_cpufeat_cpuid_compat),
#elif defined(__aarch64__)
	T(test_cpufeat_mrs_levels),
	T(test_cpufeat_mrs_sve),
	T(test_cpufeat_sve_enforced),
	T(test_cpufeat_pac_keys_off),
	T(test_cpufeat_mrs_sve2_only),
	T(test_cpufeat_mrs_pac),
	T(test_cpufeat_mrs_cpuid_sigill),
	T(test_cpufeat_mrs_consistent),
	T(test_cpufeat_mrs_counted),
	T(test_cpufeat_mrs_root_unmasked),
#endif
};

#undef T

int main(int argc, char **argv)
{
	char root[PATH_MAX];
	int i;

	if (argc == 3 && !strcmp(argv[1], HELPER_ARG))
		return helper_main(argv[2]);

	ksft_print_header();
	ksft_set_plan(ARRAY_SIZE(tests));
	if (cg_find_unified_root(root, sizeof(root), NULL))
		ksft_exit_skip("cgroup v2 isn't mounted\n");

	if (cg_read_strstr(root, "cgroup.controllers", "cpufeat"))
		ksft_exit_skip("cpufeat controller isn't available\n");

	if (cg_read_strstr(root, "cgroup.subtree_control", "cpufeat"))
		if (cg_write(root, "cgroup.subtree_control", "+cpufeat"))
			ksft_exit_skip("Failed to set cpufeat controller\n");

	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		switch (tests[i].fn(root)) {
		case KSFT_PASS:
			ksft_test_result_pass("%s\n", tests[i].name);
			break;
		case KSFT_SKIP:
			ksft_test_result_skip("%s\n", tests[i].name);
			break;
		default:
			ksft_test_result_fail("%s\n", tests[i].name);
			break;
		}
	}

	ksft_finished();
}
