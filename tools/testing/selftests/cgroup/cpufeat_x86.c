// SPDX-License-Identifier: GPL-2.0
/*
 * x86 part of test_cpufeat and cpufeat_probe: the AT_HWCAP names, where
 * features are in CPUID, the probe's CPUID reports and the CPUID tests.
 *
 * A program exec'd in a cgroup that hides features runs with CPUID
 * faulting, and the kernel answers its CPUID with the real one, in which
 * the registers that report features (feature_regs[]) keep only the bits
 * of the features in its view and the documented fields that are no
 * features.  Everything else CPUID says is left alone.
 *
 * The probe's commands ("cpufeat_probe --script SCRIPT") on x86:
 *
 *   c  dump what CPUID answers (catching the SIGSEGV of a faulting CPUID):
 *      "cpuid cpu=N LEAF.SUBLEAF:EAX:EBX:ECX:EDX ..." or "cpuid fault"
 *   P  the same with CPUID encoded with prefixes
 *   F  fork; the child dumps CPUID and exits, the parent waits
 *   t  start threads on the CPUs it may use; report each one's CPUID dump
 *   g  report what arch_prctl(ARCH_GET_CPUID) returns: "archcpuid N"
 *   d  arch_prctl(ARCH_SET_CPUID, 0): CPUID raises SIGSEGV from now on
 *   e  arch_prctl(ARCH_SET_CPUID, 1)
 *   n  execute CPUID 1000 times
 *   v  dump CPUID, then dump it 200 times more; report the first dump
 *      that differs from the first, if one does
 *   X  execute CPUID 0 in execute-only memory (mprotect(PROT_EXEC)):
 *      "xonly N" with N its EAX, -1 if it raised SIGSEGV, -2 if the page
 *      stays readable (no protection keys)
 *
 * A new test: a function returning KSFT_PASS, KSFT_FAIL or KSFT_SKIP that
 * sets up with cpuid_setup() (or fixture_setup()) and ends with
 * fixture_teardown(), listed in cpuid_tests[] at the end.
 */
#define _GNU_SOURCE

#include <asm/prctl.h>
#include <cpuid.h>
#include <errno.h>
#include <linux/limits.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

/* cgroup_util.h defines its own. */
#undef PAGE_SIZE

#include "../kselftest.h"
#include "cpufeat_util.h"
#include "cpufeat_x86.h"

/* AT_HWCAP is CPUID 1 EDX, capability word 0. */
static const char * const hwcap_names[64] = {
	"fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce",
	"cx8", "apic", NULL, "sep", "mtrr", "pge", "mca", "cmov",
	"pat", "pse36", "pn", "clflush", NULL, "dts", "acpi", "mmx",
	"fxsr", "sse", "sse2", "ss", "ht", "tm", "ia64", "pbe",
};

/*
 * Bit 0, ring3mwait, is Linux-defined: cpufeat does not control it (the
 * tests only look at the names in the root's effective set).
 */
static const char * const hwcap2_names[64] = {
	"ring3mwait", "fsgsbase",
};

/*
 * A feature to hide with the features that hiding it hides too, features
 * independent of it, and the hardening features that programs gaining
 * privilege at execve keep.
 */
static const char * const hide_set[] = { "fxsr", "sse", "sse2", NULL };
static const char * const independent[] = { "pse", "tsc", "cx8", "de", NULL };
static const char * const protected_set[] = { "ibt", NULL };

/*
 * Features to hide together, one or two in most capability words; nothing
 * outside cpuid_bits[] needs them.  The tests hide those the machine has.
 */
static const char * const cpuid_hide_set[] = {
	"pse36", "pdpe1gb", "avx", "sse4_2", "lahf_lm", "fsgsbase", "xsaveopt",
	"avx_vnni", "wbnoinvd", "arat", "npt", "umip", "succor", "fsrm", "sme",
	NULL
};

/* The well-known features that cpufeat_probe --cpuid and --cpuinfo show. */
static const char * const selection[] = {
	"sse", "sse2", "acpi", "ss", "pni", "pclmulqdq", "ssse3", "fma",
	"sse4_1", "sse4_2", "popcnt", "aes", "xsave", "avx", "f16c", "rdrand",
	"fsgsbase", "bmi1", "avx2", "bmi2", "avx512f", "adx", "sha_ni",
	"avx512bw", "avx512vl", "vaes", NULL
};

/* What CPUID answered, on which CPU; or that it raised SIGSEGV. */
struct cpuid_dump {
	int cpu;
	bool fault;
	unsigned int regs[NR_CPUID_QUERIES][4];
};

/* Threads the "t" report starts. */
#define PROBE_THREADS	4

/* CPUIDs the "n" command executes. */
#define CPUID_LOOPS	1000

/* Dumps the "v" command compares with its first. */
#define CPUID_ROUNDS	200

/* What a probe reported that only x86 knows. */
struct arch_reports {
	int ndumps;
	struct cpuid_dump dumps[8];
	int narch;
	long arch[4];		/* "archcpuid": ARCH_GET_CPUID or -errno */
	int nxonly;
	long xonly;		/* "xonly" */
};

/* What "xonly" reports besides CPUID 0 EAX. */
#define XONLY_FAULT	-1
#define XONLY_READABLE	-2

/* What the CPUID tests' fixture keeps: the bits the view hides. */
struct arch_state {
	unsigned int hidden[NR_CPUID_WORDS];
};

/* Where feature @name is in CPUID, if this file knows. */
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

/* File a "cpuid" or "archcpuid" report in @r, if @line is one. */
static bool x86_parse_report(const char *line, struct arch_reports *r)
{
	int n = 0;

	if (!strncmp(line, "cpuid ", 6) && r->ndumps < ARRAY_SIZE(r->dumps) &&
	    cpuid_parse(line + 6, &r->dumps[r->ndumps])) {
		r->ndumps++;
		return true;
	}
	if (!r->nxonly && sscanf(line, "xonly %ld%n", &r->xonly, &n) == 1 &&
	    !line[n]) {
		r->nxonly++;
		return true;
	}
	if (r->narch < ARRAY_SIZE(r->arch) &&
	    sscanf(line, "archcpuid %ld%n", &r->arch[r->narch], &n) == 1 &&
	    !line[n]) {
		r->narch++;
		return true;
	}
	return false;
}

struct probe_thread {
	pthread_t thread;
	int cpu;		/* where to run, -1: anywhere */
	struct cpuid_dump dump;
};

static void *probe_thread_fn(void *arg)
{
	struct probe_thread *t = arg;
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
 * Start PROBE_THREADS threads, spread over the CPUs the program may use,
 * each dumping CPUID; report their dumps in thread order.
 */
static int probe_threads(void)
{
	struct probe_thread threads[PROBE_THREADS];
	int cpus[PROBE_THREADS], n = 0, i, cpu;
	cpu_set_t allowed;

	if (sched_getaffinity(0, sizeof(allowed), &allowed))
		CPU_ZERO(&allowed);
	for (cpu = 0; cpu < CPU_SETSIZE && n < PROBE_THREADS; cpu++)
		if (CPU_ISSET(cpu, &allowed))
			cpus[n++] = cpu;
	for (i = 0; i < PROBE_THREADS; i++) {
		threads[i].cpu = n ? cpus[i % n] : -1;
		if (pthread_create(&threads[i].thread, NULL, probe_thread_fn,
				   &threads[i])) {
			dprintf(STDOUT_FILENO, "error: pthread_create\n");
			return -1;
		}
	}
	for (i = 0; i < PROBE_THREADS; i++)
		pthread_join(threads[i].thread, NULL);
	for (i = 0; i < PROBE_THREADS; i++)
		cpuid_print(&threads[i].dump);
	return 0;
}

/* "F": fork; the child dumps CPUID. */
static int probe_fork_dump(void)
{
	struct cpuid_dump dump;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid) {
		cpuid_run(&dump);
		cpuid_print(&dump);
		_exit(0);
	}
	return waitpid(pid, NULL, 0) == pid ? 0 : -1;
}

/* "v": does CPUID change while the program runs? */
static void probe_cpuid_varies(void)
{
	struct cpuid_dump dump, again;
	int i;

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
}

/*
 * unsigned int fn(unsigned int leaf): CPUID @leaf.0, its EAX.  push %rbx;
 * mov %edi,%eax; xor %ecx,%ecx; cpuid; pop %rbx; ret.
 */
static const unsigned char xonly_code[] = {
	0x53, 0x89, 0xf8, 0x31, 0xc9, 0x0f, 0xa2, 0x5b, 0xc3
};

/* Read a byte of @page, catching SIGSEGV: false if the read faulted. */
static bool xonly_readable(const unsigned char *page)
{
	if (sigsetjmp(cpuid_jmp, 1)) {
		cpuid_catching = false;
		return false;
	}
	cpuid_catching = true;
	asm volatile("" : : "r" (*page) : "memory");
	cpuid_catching = false;
	return true;
}

/* Call @fn for leaf 0, catching SIGSEGV: its EAX, or XONLY_FAULT. */
static long xonly_call(unsigned int (*fn)(unsigned int))
{
	long result;

	if (sigsetjmp(cpuid_jmp, 1)) {
		cpuid_catching = false;
		return XONLY_FAULT;
	}
	cpuid_catching = true;
	asm volatile("" : : : "memory");
	result = fn(0);
	cpuid_catching = false;
	return result;
}

/* "X": CPUID in execute-only memory. */
static int probe_execute_only(void)
{
	struct sigaction sa = { .sa_handler = cpuid_segv };
	unsigned char *page;
	long result;

	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		return -1;
	memcpy(page, xonly_code, sizeof(xonly_code));
	if (mprotect(page, 4096, PROT_EXEC)) {
		munmap(page, 4096);
		return -1;
	}
	sigaction(SIGSEGV, &sa, NULL);
	if (xonly_readable(page))
		result = XONLY_READABLE;
	else
		result = xonly_call((unsigned int (*)(unsigned int))page);
	dprintf(STDOUT_FILENO, "xonly %ld\n", result);
	munmap(page, 4096);
	return 0;
}

/* The x86 commands of the probe: 0, or -1 to stop with an error. */
static int x86_probe_command(char c)
{
	struct cpuid_dump dump;
	unsigned int i;
	long ret;

	switch (c) {
	case 'c':
	case 'P':
		cpuid_run_encoded(&dump, c == 'P');
		cpuid_print(&dump);
		return 0;
	case 'F':
		return probe_fork_dump();
	case 't':
		return probe_threads();
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
		probe_cpuid_varies();
		return 0;
	case 'X':
		return probe_execute_only();
	case 'n':
		for (i = 0; i < CPUID_LOOPS; i++)
			__cpuid_count(1, 0, dump.regs[0][0], dump.regs[0][1],
				      dump.regs[0][2], dump.regs[0][3]);
		return 0;
	default:
		return -1;
	}
}

/* CPUID @leaf.@subleaf, or all zeroes beyond the highest leaf there is. */
static void cpuid_leaf(unsigned int leaf, unsigned int subleaf,
		       unsigned int regs[4])
{
	unsigned int max[4];

	__cpuid_count(leaf & 0x80000000, 0, max[CPUID_EAX], max[CPUID_EBX],
		      max[CPUID_ECX], max[CPUID_EDX]);
	if (leaf > max[CPUID_EAX]) {
		memset(regs, 0, 4 * sizeof(regs[0]));
		return;
	}
	__cpuid_count(leaf, subleaf, regs[CPUID_EAX], regs[CPUID_EBX],
		      regs[CPUID_ECX], regs[CPUID_EDX]);
}

/* Does CPUID, executed here, report feature @name? */
static bool cpuid_reports_feature(const char *name)
{
	unsigned int regs[4];
	int w, b;

	if (!cpuid_bit_of(name, &w, &b))
		return false;
	cpuid_leaf(cpuid_words[w].leaf, cpuid_words[w].subleaf, regs);
	return regs[cpuid_words[w].reg] >> b & 1;
}

/* --cpuid: the selected features CPUID reports as present, in order. */
static int print_cpuid(unsigned long hwcap)
{
	char line[1024] = "";
	int i;

	for (i = 0; selection[i]; i++)
		if (cpuid_reports_feature(selection[i]))
			list_append(line, sizeof(line), selection[i]);
	printf("%s\n", line);
	return 0;
}

static int print_cpuid_raw(unsigned long hwcap)
{
	unsigned int l1[4], l7[4];

	cpuid_leaf(0x1, 0, l1);
	cpuid_leaf(0x7, 0, l7);
	printf("1:ECX=0x%08x EDX=0x%08x 7.0:EBX=0x%08x ECX=0x%08x EDX=0x%08x\n",
	       l1[CPUID_ECX], l1[CPUID_EDX], l7[CPUID_EBX], l7[CPUID_ECX],
	       l7[CPUID_EDX]);
	return 0;
}

/*
 * --check: the selected features whose CPUID bit disagrees with @view: one
 * in the view must be reported; one outside a restricted view must not be.
 */
static int check_cpuid(const char *view, bool restricted)
{
	bool set, in_view;
	int bad = 0, i;

	for (i = 0; selection[i]; i++) {
		set = cpuid_reports_feature(selection[i]);
		in_view = list_has(view, selection[i]);
		if (set == in_view || (set && !restricted))
			continue;
		fprintf(stderr, "cpufeat_probe: CPUID %s %s, but the view %s it\n",
			selection[i], set ? "set" : "clear",
			in_view ? "has" : "lacks");
		bad++;
	}
	return bad;
}

static const struct probe_mode x86_probe_modes[] = {
	{ "--cpuid", print_cpuid },
	{ "--cpuid-raw", print_cpuid_raw },
	{ NULL }
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

/* Capability word @w, as dumped in @d; 0 if the CPU lacks its leaf. */
static unsigned int cpuid_word_value(const struct cpuid_dump *d, int w)
{
	if (!cpuid_implemented(d, cpuid_words[w].leaf))
		return 0;
	return cpuid_value(d, cpuid_words[w].leaf, cpuid_words[w].subleaf,
			   cpuid_words[w].reg);
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

/* The feature whose CPUID bit is @b of capability word @w, if known. */
static const char *cpuid_name_at(int w, int b)
{
	size_t i;

	if (w == W_1_EDX)
		return hwcap_names[b];
	for (i = 0; i < ARRAY_SIZE(cpuid_bits); i++)
		if (cpuid_bits[i].word == w && cpuid_bits[i].bit == b)
			return cpuid_bits[i].name;
	return NULL;
}

/* The bits of capability word @w whose features this test knows. */
static unsigned int cpuid_known_bits(int w)
{
	unsigned int bits = 0;
	int b;

	for (b = 0; b < 32; b++)
		if (cpuid_name_at(w, b))
			bits |= 1u << b;
	return bits;
}

/* The entry of feature_regs[] for register @reg of @leaf.@subleaf. */
static const struct feature_reg *feature_reg_of(unsigned int leaf,
						unsigned int subleaf, int reg)
{
	const struct feature_reg *fr;

	for (fr = feature_regs; fr < feature_regs + ARRAY_SIZE(feature_regs);
	     fr++)
		if (fr->leaf == leaf &&
		    (fr->reg == reg || fr->reg == CPUID_ALL_REGS) &&
		    (fr->subleaf == ANY_SUBLEAF || fr->subleaf == subleaf))
			return fr;
	return NULL;
}

/*
 * The feature register that register @reg of query @i of dump @d is, or
 * NULL.  Beyond the range of its leaf, the CPU answers as for its highest
 * basic leaf (Intel) or with 0 (AMD).
 */
static const struct feature_reg *query_feature_reg(const struct cpuid_dump *d,
						   unsigned int i, int reg)
{
	unsigned int leaf = cpuid_queries[i].leaf;

	if (!cpuid_implemented(d, leaf))
		leaf = cpuid_value(d, 0, 0, CPUID_EAX);
	return feature_reg_of(leaf, cpuid_queries[i].subleaf, reg);
}

/* The capability word feature register @fr is, or -1. */
static int feature_reg_word(const struct feature_reg *fr)
{
	int w;

	for (w = 0; w < NR_CPUID_WORDS; w++)
		if (cpuid_words[w].leaf == fr->leaf &&
		    cpuid_words[w].reg == fr->reg &&
		    (fr->subleaf == ANY_SUBLEAF ||
		     cpuid_words[w].subleaf == fr->subleaf))
			return w;
	return -1;
}

/*
 * The bits of feature register @fr that a program whose view is @view may
 * see: features of @view whose bits this test knows, and the bits that
 * are no features or go with one of @view.
 */
static unsigned int feature_reg_allowed(const struct feature_reg *fr,
					const char *view)
{
	unsigned int bits = fr->pass;
	int w = feature_reg_word(fr), b;
	const char *name;

	if (fr->with && list_has(view, fr->with))
		bits |= fr->with_bits;
	for (b = 0; b < 32; b++) {
		name = w >= 0 ? cpuid_name_at(w, b) : NULL;
		if (name && list_has(view, name))
			bits |= 1u << b;
		name = fr->mirror && (AMD_MIRROR_BITS >> b & 1) ?
		       hwcap_names[b] : NULL;
		if (name && list_has(view, name))
			bits |= 1u << b;
	}
	return bits;
}

/*
 * What a restricted program may read in feature register @fr, where a
 * program that sees everything reads @full: @want, of which the bits
 * @exact must be as in @want; the others may read 0 too (features the
 * test has no name for, which the kernel denies unless they are in the
 * view).  @hidden: the bits the view hides, by capability word.
 */
static void feature_reg_expected(const struct feature_reg *fr,
				 unsigned int full, const unsigned int *hidden,
				 unsigned int *want, unsigned int *exact)
{
	int w = feature_reg_word(fr), ww, wb;

	*want = full;
	*exact = fr->pass;
	if (w >= 0) {
		*want &= ~hidden[w];
		*exact |= cpuid_known_bits(w);
	}
	if (fr->mirror) {
		*want &= ~(hidden[W_1_EDX] & AMD_MIRROR_BITS);
		*exact |= cpuid_known_bits(W_1_EDX) & AMD_MIRROR_BITS;
	}
	if (fr->with && cpuid_bit_of(fr->with, &ww, &wb)) {
		*exact |= fr->with_bits;
		if (hidden[ww] >> wb & 1)
			*want &= ~fr->with_bits;
	}
}

/*
 * Is @got what @full, a dump of a program that sees everything, says, but
 * for the @hidden bits (by capability word; NULL: none, and @got must be
 * the same as @full)?  In the registers that report features
 * (feature_regs[]) the hidden bits must be clear, those of visible
 * features this test knows and the fields that are no features as in
 * @full, and bits the test has no name for may read 0 but never 1 where
 * @full has 0.  Other registers must be equal, when both ran on the same
 * CPU (the APIC ids differ between CPUs).  @what names @got in messages;
 * NULL: no messages.
 */
static bool cpuid_matches(const struct cpuid_dump *got,
			  const struct cpuid_dump *full,
			  const unsigned int *hidden, const char *what)
{
	const struct feature_reg *fr;
	unsigned int i, want, have, exact;
	int reg, bad = 0;

	if (got->fault || full->fault) {
		if (what)
			ksft_print_msg("%s: CPUID raised SIGSEGV\n",
				       got->fault ? what : "unmasked program");
		return false;
	}
	for (i = 0; i < NR_CPUID_QUERIES; i++) {
		for (reg = 0; reg < 4; reg++) {
			fr = hidden ? query_feature_reg(full, i, reg) : NULL;
			if (!fr && got->cpu != full->cpu &&
			    cpuid_dump_word_of(full, i, reg) < 0)
				continue;
			want = full->regs[i][reg];
			exact = ~0u;
			if (fr)
				feature_reg_expected(fr, want, hidden, &want,
						     &exact);
			have = got->regs[i][reg];
			if ((!((have ^ want) & exact) && !(have & ~want)) ||
			    ++bad > 6 || !what)
				continue;
			ksft_print_msg("%s: CPUID %#x.%#x %s is %#x, expected %#x%s\n",
				       what, cpuid_queries[i].leaf,
				       cpuid_queries[i].subleaf,
				       cpuid_reg_names[reg], have, want,
				       fr ? " (or fewer unknown bits)" :
				       " (not a feature register)");
		}
	}
	if (bad > 6 && what)
		ksft_print_msg("%s: %d more registers differ\n", what, bad - 6);
	return !bad;
}

/*
 * Does cpufeat.filters say what the machine does: "cpuid yes" if and only
 * if there is CPUID faulting?
 */
static bool x86_filters_agree(const char *root)
{
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
	return true;
}

/* Dump @i of the reports @r. */
static const struct cpuid_dump *dump_of(const struct reports *r, int i)
{
	return &r->arch->dumps[i];
}

/* The bits the view of the fixture's cgroup hides. */
static const unsigned int *hidden_of(const struct fixture *f)
{
	return f->arch->hidden;
}

/*
 * Run @script of @exe (NULL: cpufeat_probe) in @cgroup, and check that it
 * reported @views views, @dumps CPUID dumps and @archs ARCH_GET_CPUIDs.
 */
static int run_cpuid(const char *cgroup, const char *exe, const char *script,
		     struct reports *r, int views, int dumps, int archs)
{
	if (run_reports(cgroup, exe, script, r, views, dumps + archs))
		return -1;
	if (r->arch->ndumps != dumps || r->arch->narch != archs) {
		ksft_print_msg("\"%s\": %d dumps, %d archcpuid, not %d, %d\n",
			       script, r->arch->ndumps, r->arch->narch, dumps,
			       archs);
		return -1;
	}
	return 0;
}

/* "c" in @root (the unmasked dump) into r[0], then @script in @cgroup. */
static int run_cpuid_pair(struct fixture *f, const char *root,
			  const char *cgroup, const char *script, int views,
			  int dumps, int archs)
{
	return run_cpuid(root, NULL, "c", &f->r[0], 0, 1, 0) ?:
	       run_cpuid(cgroup, NULL, script, &f->r[1], views, dumps, archs);
}

/* The CPUID tests' own set-up: the bits their cgroup's view hides. */
static int cpuid_prepare(struct fixture *f)
{
	f->arch = calloc(1, sizeof(*f->arch));
	if (!f->arch)
		return KSFT_FAIL;
	if (f->cg && cpuid_hidden_bits(f->machine, f->eff, f->arch->hidden))
		return KSFT_FAIL;
	return KSFT_PASS;
}

/*
 * Set a CPUID test up: CPUID must be filtered here and the machine have
 * @needs (NULL: nothing in particular), else KSFT_SKIP; with @pin, the
 * test and so its probes run on one CPU, so that their dumps compare; with
 * @hide, cgroup @name hides those of @hide the machine has, at least one.
 */
static int cpuid_setup(struct fixture **f, const char *root,
		       const char * const *needs, bool pin, const char *name,
		       const char * const *hide)
{
	const struct fixture_params params = {
		.filter = "cpuid",
		.needs = needs,
		.pin = pin,
		.name = hide ? name : NULL,
		.hide = hide,
		.prepare = cpuid_prepare,
	};

	return fixture_setup(f, root, &params);
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
	const struct cpuid_dump *full, *masked;
	const char * const *p;
	const struct view *v;
	struct fixture *f;
	size_t pos = 0;
	char word[64];
	int ret, w, b;
	bool ok;

	ret = cpuid_setup(&f, root, avx, true, "cpufeat_test_cpuid_hides", avx);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;
	if (run_cpuid_pair(f, root, f->cg, "rc", 1, 1, 0))
		goto cleanup;
	full = dump_of(&f->r[0], 0);
	masked = dump_of(&f->r[1], 0);
	v = &f->r[1].views[0];

	cpuid_bit_of("avx", &w, &b);
	if (!(cpuid_word_value(full, w) & 1u << b)) {
		ksft_print_msg("CPUID does not report avx, which the machine has\n");
		ret = KSFT_SKIP;
		goto cleanup;
	}

	ok = view_is(v, f->eff);
	for (p = avx_users; *p; p++)
		if (list_has(f->machine, *p) &&
		    !feature_hidden(*p, f->eff, v, masked))
			ok = false;
	while (list_next(f->machine, &pos, word, sizeof(word)))
		if (!strncmp(word, "avx512", 6) &&
		    !feature_hidden(word, f->eff, v, masked))
			ok = false;
	if (!cpuid_matches(masked, full, hidden_of(f), "hiding avx"))
		ok = false;
	if (ok)
		ret = KSFT_PASS;
cleanup:
	return fixture_teardown(f, ret);
}

/* Set bits of feature register @fr, query @i of @d, that @view may not see. */
static unsigned int denied_bits_seen(const struct cpuid_dump *d, unsigned int i,
				     int reg, const struct feature_reg *fr,
				     const char *view)
{
	unsigned int extra = d->regs[i][reg] & ~feature_reg_allowed(fr, view);
	int b;

	for (b = 0; b < 32; b++)
		if (extra >> b & 1)
			ksft_print_msg("CPUID %#x.%#x %s bit %d is set: not in the view\n",
				       cpuid_queries[i].leaf,
				       cpuid_queries[i].subleaf,
				       cpuid_reg_names[reg], b);
	return extra;
}

/*
 * Default deny: a program in a cgroup that allows a few features reads, in
 * every register that reports features (feature_regs[], from the SDM and
 * the APM), only the bits of features in its view and the fields that are
 * no features: nothing of features the kernel has no name for, or of the
 * leaves that describe features it does not track, or of CPUs newer than
 * it.  The features allowed are ones this test knows the bits of, so that
 * every other set bit is one the program may not see.
 */
static int test_cpufeat_cpuid_default_deny(const char *root)
{
	static const char allowed[] =
		"fpu cx8 cmov mmx fxsr sse sse2 syscall lm pni ssse3 sse4_1 sse4_2 xsave avx";
	const struct cpuid_dump *full, *masked;
	unsigned int i, denied = 0, seen = 0;
	const struct feature_reg *fr;
	char eff[LIST_SIZE];
	struct fixture *f;
	int ret, reg;
	char *cg;

	ret = cpuid_setup(&f, root, NULL, true, NULL, NULL);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;
	cg = fixture_cgroup(f, NULL, "cpufeat_test_cpuid_default_deny",
			    allowed, eff);
	if (!cg || run_cpuid_pair(f, root, cg, "rc", 1, 1, 0))
		goto cleanup;
	full = dump_of(&f->r[0], 0);
	masked = dump_of(&f->r[1], 0);
	if (masked->fault || full->fault || !view_is(&f->r[1].views[0], eff))
		goto cleanup;
	for (i = 0; i < NR_CPUID_QUERIES; i++) {
		for (reg = 0; reg < 4; reg++) {
			fr = query_feature_reg(full, i, reg);
			if (!fr)
				continue;
			seen |= denied_bits_seen(masked, i, reg, fr, eff);
			denied |= full->regs[i][reg] &
				  ~feature_reg_allowed(fr, eff);
		}
	}
	if (!denied) {
		ksft_print_msg("the CPU reports no feature outside \"%s\"\n",
			       allowed);
		ret = KSFT_SKIP;
	} else if (!seen) {
		ret = KSFT_PASS;
	}
cleanup:
	return fixture_teardown(f, ret);
}

/*
 * Hiding features in many capability words changes nothing else: a masked
 * and an unmasked program on the same CPU get the same answers (vendor,
 * family and model, APIC id, caches, topology, XSAVE sizes...), but for
 * exactly the bits of the hidden features.
 */
static int test_cpufeat_cpuid_others_unchanged(const char *root)
{
	struct fixture *f;
	bool some = false;
	int ret, w;

	ret = cpuid_setup(&f, root, NULL, true, "cpufeat_test_cpuid_others",
			  cpuid_hide_set);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;
	if (run_cpuid_pair(f, root, f->cg, "rc", 1, 1, 0))
		goto cleanup;

	for (w = 0; w < NR_CPUID_WORDS; w++)
		if (hidden_of(f)[w] & cpuid_word_value(dump_of(&f->r[0], 0), w))
			some = true;
	if (!some) {
		ksft_print_msg("CPUID reports none of the features hidden (%s)\n",
			       f->edits);
		ret = KSFT_SKIP;
		goto cleanup;
	}
	if (view_is(&f->r[1].views[0], f->eff) &&
	    cpuid_matches(dump_of(&f->r[1], 0), dump_of(&f->r[0], 0),
			  hidden_of(f), f->edits))
		ret = KSFT_PASS;
cleanup:
	return fixture_teardown(f, ret);
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
	unsigned int hidden[NR_CPUID_WORDS], got, want;
	char eff[LIST_SIZE], edit[16], name[64];
	const struct cpuid_dump *full, *masked;
	struct fixture *f;
	bool ok = true;
	int ret, i, j;
	char *cg;

	ret = cpuid_setup(&f, root, xsave, true, NULL, NULL);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;
	if (run_cpuid(root, NULL, "c", &f->r[0], 0, 1, 0))
		goto cleanup;
	full = dump_of(&f->r[0], 0);
	masked = dump_of(&f->r[1], 0);

	for (i = 0; i < ARRAY_SIZE(hides); i++) {
		if (!list_has(f->machine, hides[i]))
			continue;
		snprintf(edit, sizeof(edit), "-%s", hides[i]);
		snprintf(name, sizeof(name), "cpufeat_test_cpuid_xsave_%s",
			 hides[i]);
		cg = fixture_cgroup(f, NULL, name, edit, eff);
		if (!cg || cpuid_hidden_bits(f->machine, eff, hidden) ||
		    run_cpuid(cg, NULL, "rc", &f->r[1], 1, 1, 0))
			goto cleanup;
		for (j = 0; j < ARRAY_SIZE(sizes); j++) {
			got = cpuid_value(masked, 0xd, sizes[j].subleaf,
					  sizes[j].reg);
			want = cpuid_value(full, 0xd, sizes[j].subleaf,
					   sizes[j].reg);
			if (got == want)
				continue;
			ksft_print_msg("hiding %s: XSAVE size 0xd.%u %s %u, unmasked %u\n",
				       hides[i], sizes[j].subleaf,
				       cpuid_reg_names[sizes[j].reg], got,
				       want);
			ok = false;
		}
		if (!view_is(&f->r[1].views[0], eff) ||
		    !cpuid_matches(masked, full, hidden, edit))
			ok = false;
	}
	if (ok)
		ret = KSFT_PASS;
cleanup:
	return fixture_teardown(f, ret);
}

/*
 * Threads a masked program starts, on every CPU it may use, get masked
 * answers too: the same as the threads of an unmasked program on the same
 * CPUs, but for the hidden bits.
 */
static int test_cpufeat_cpuid_threads(const char *root)
{
	const struct cpuid_dump *full, *masked;
	int ret, i, cpus = 0;
	struct fixture *f;
	char what[64];
	bool ok;

	ret = cpuid_setup(&f, root, NULL, false, "cpufeat_test_cpuid_threads",
			  cpuid_hide_set);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;
	if (run_cpuid(root, NULL, "t", &f->r[0], 0, PROBE_THREADS, 0) ||
	    run_cpuid(f->cg, NULL, "rct", &f->r[1], 1, 1 + PROBE_THREADS, 0))
		goto cleanup;
	ok = view_is(&f->r[1].views[0], f->eff) &&
	     cpuid_matches(dump_of(&f->r[1], 0), dump_of(&f->r[0], 0),
			   hidden_of(f), "main thread");
	for (i = 0; i < PROBE_THREADS; i++) {
		full = dump_of(&f->r[0], i);
		masked = dump_of(&f->r[1], 1 + i);
		snprintf(what, sizeof(what), "thread %d on CPU %d", i,
			 masked->cpu);
		if (!cpuid_matches(masked, full, hidden_of(f), what))
			ok = false;
		if (masked->cpu != dump_of(&f->r[1], 1)->cpu)
			cpus = 2;
	}
	if (!cpus && sysconf(_SC_NPROCESSORS_ONLN) > 1)
		ksft_print_msg("note: the threads all ran on CPU %d\n",
			       dump_of(&f->r[1], 1)->cpu);
	if (ok)
		ret = KSFT_PASS;
cleanup:
	return fixture_teardown(f, ret);
}

/*
 * A CPUID with prefixes is emulated like a plain one: same answers, and
 * the program goes on after the whole instruction.
 */
static int test_cpufeat_cpuid_prefixed(const char *root)
{
	const struct cpuid_dump *full;
	struct fixture *f;
	int ret;

	ret = cpuid_setup(&f, root, NULL, true, "cpufeat_test_cpuid_prefixed",
			  cpuid_hide_set);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;
	if (run_cpuid_pair(f, root, f->cg, "cP", 0, 2, 0))
		goto cleanup;
	full = dump_of(&f->r[0], 0);
	if (cpuid_matches(dump_of(&f->r[1], 0), full, hidden_of(f),
			  "plain CPUID") &&
	    cpuid_matches(dump_of(&f->r[1], 1), full, hidden_of(f),
			  "CPUID with DS and REX.W prefixes"))
		ret = KSFT_PASS;
cleanup:
	return fixture_teardown(f, ret);
}

/*
 * A masked and an unmasked program that take turns on one CPU each get
 * their own answers all along: CPUID faulting follows the task.
 */
static int test_cpufeat_cpuid_context_switch(const char *root)
{
	struct probe *masked, *plain;
	struct reports *r;
	struct fixture *f;
	bool ok = true;
	int ret, i;

	ret = cpuid_setup(&f, root, NULL, true, "cpufeat_test_cpuid_switch",
			  cpuid_hide_set);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;
	r = f->r;
	masked = &f->probe[0];
	plain = &f->probe[1];
	if (run_cpuid(root, NULL, "c", &r[0], 0, 1, 0))
		goto cleanup;
	reports_clear(&r[1]);
	reports_clear(&r[2]);
	if (probe_start(masked, f->cg, NULL, 0, "wv") ||
	    probe_start(plain, root, NULL, 0, "wv") ||
	    probe_continue(masked) || probe_continue(plain))
		goto cleanup;
	if (probe_collect(masked, &r[1]) || probe_collect(plain, &r[2]))
		goto cleanup;
	for (i = 1; i <= 2; i++) {
		if (r[i].arch->ndumps == 2) {
			ksft_print_msg("the %s program's CPUID changed while it ran:\n",
				       i == 1 ? "masked" : "unmasked");
			cpuid_matches(dump_of(&r[i], 1), dump_of(&r[i], 0),
				      NULL, "then");
			ok = false;
		}
		if (!r[i].arch->ndumps)
			goto cleanup;
	}
	if (!cpuid_matches(dump_of(&r[1], 0), dump_of(&r[0], 0), hidden_of(f),
			   "masked") ||
	    !cpuid_matches(dump_of(&r[2], 0), dump_of(&r[0], 0), NULL,
			   "unmasked"))
		ok = false;
	if (ok)
		ret = KSFT_PASS;
cleanup:
	return fixture_teardown(f, ret);
}

/*
 * CPUID stays masked in a forked child and across an exec in the masked
 * cgroup; a program moved out of it stays masked until it execs, one moved
 * into it stays unmasked until it execs.
 */
static int test_cpufeat_cpuid_fork_exec(const char *root)
{
	static const char * const what[] = {
		"before the move", "moved, before exec", "after exec"
	};
	const unsigned int *hidden;
	const struct cpuid_dump *full;
	struct reports *r;
	struct fixture *f;
	bool ok = true;
	char msg[64];
	int ret, i;

	ret = cpuid_setup(&f, root, NULL, true, "cpufeat_test_cpuid_fork_exec",
			  cpuid_hide_set);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;
	r = f->r;
	hidden = hidden_of(f);
	if (run_cpuid(root, NULL, "c", &r[0], 0, 1, 0) ||
	    run_cpuid(f->cg, NULL, "cFxc", &r[1], 0, 3, 0) ||
	    run_moved(f->cg, root, "cwcxc", &r[2]) ||
	    run_moved(root, f->cg, "cwcxc", &r[3]))
		goto cleanup;
	full = dump_of(&r[0], 0);

	if (!cpuid_matches(dump_of(&r[1], 0), full, hidden, "masked") ||
	    !cpuid_matches(dump_of(&r[1], 1), full, hidden, "forked child") ||
	    !cpuid_matches(dump_of(&r[1], 2), full, hidden,
			   "after exec in the masked cgroup"))
		ok = false;
	if (r[2].arch->ndumps != 3 || r[3].arch->ndumps != 3) {
		ksft_print_msg("the moved probes reported %d and %d dumps, expected 3\n",
			       r[2].arch->ndumps, r[3].arch->ndumps);
		goto cleanup;
	}
	for (i = 0; i < 3; i++) {
		snprintf(msg, sizeof(msg), "moved to the root: %s", what[i]);
		if (!cpuid_matches(dump_of(&r[2], i), full,
				   i < 2 ? hidden : NULL, msg))
			ok = false;
		snprintf(msg, sizeof(msg), "moved to the masked cgroup: %s",
			 what[i]);
		if (!cpuid_matches(dump_of(&r[3], i), full,
				   i < 2 ? NULL : hidden, msg))
			ok = false;
	}
	if (ok)
		ret = KSFT_PASS;
cleanup:
	return fixture_teardown(f, ret);
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
	const unsigned int *hidden;
	const struct cpuid_dump *full;
	const struct arch_reports *a;
	struct fixture *f;
	int ret;
	bool ok;

	ret = cpuid_setup(&f, root, NULL, true, "cpufeat_test_cpuid_arch_set",
			  cpuid_hide_set);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;
	hidden = hidden_of(f);
	if (run_cpuid_pair(f, root, f->cg, "cgdgcegcdxcg", 0, 4, 4) ||
	    run_moved(root, f->cg, "dcwxcg", &f->r[2]) ||
	    run_cpuid(root, NULL, "dxcg", &f->r[3], 0, 1, 1))
		goto cleanup;
	full = dump_of(&f->r[0], 0);

	a = f->r[1].arch;
	ok = cpuid_matches(&a->dumps[0], full, hidden, "masked") &&
	     arch_cpuid_is(a->arch[0], 1, "masked") &&
	     arch_cpuid_is(a->arch[1], 0, "after ARCH_SET_CPUID(0)") &&
	     cpuid_faulted(&a->dumps[1], true, "after ARCH_SET_CPUID(0)") &&
	     arch_cpuid_is(a->arch[2], 1, "after ARCH_SET_CPUID(1)") &&
	     cpuid_matches(&a->dumps[2], full, hidden,
			   "after ARCH_SET_CPUID(1)") &&
	     cpuid_matches(&a->dumps[3], full, hidden,
			   "ARCH_SET_CPUID(0), then exec") &&
	     arch_cpuid_is(a->arch[3], 1, "ARCH_SET_CPUID(0), then exec");

	a = f->r[2].arch;
	if (a->ndumps != 2 || a->narch != 1) {
		ksft_print_msg("\"dcwxcg\": %d dumps, %d archcpuid, not 2 and 1\n",
			       a->ndumps, a->narch);
		goto cleanup;
	}
	if (!cpuid_faulted(&a->dumps[0], true,
			   "unmasked, after ARCH_SET_CPUID(0)") ||
	    !cpuid_matches(&a->dumps[1], full, hidden,
			   "ARCH_SET_CPUID(0), moved to the masked cgroup, exec") ||
	    !arch_cpuid_is(a->arch[0], 1,
			   "ARCH_SET_CPUID(0), moved to the masked cgroup, exec"))
		ok = false;

	a = f->r[3].arch;
	if (!cpuid_matches(&a->dumps[0], full, NULL,
			   "ARCH_SET_CPUID(0) in the root, exec") ||
	    !arch_cpuid_is(a->arch[0], 1, "ARCH_SET_CPUID(0) in the root, exec"))
		ok = false;
	if (ok)
		ret = KSFT_PASS;
cleanup:
	return fixture_teardown(f, ret);
}

/*
 * cpufeat.stat counts the CPUIDs the kernel emulated for the programs in
 * the cgroup, one each; unmasked programs elsewhere add nothing.
 */
static int test_cpufeat_cpuid_counted(const char *root)
{
	struct fixture *f;
	int ret;

	ret = cpuid_setup(&f, root, NULL, false, "cpufeat_test_cpuid_counted",
			  cpuid_hide_set);
	if (ret == KSFT_PASS)
		ret = emulations_counted(root, f->cg, f->r, "emulated_cpuid",
					 CPUID_LOOPS);
	return fixture_teardown(f, ret);
}

/*
 * A 32-bit (ia32) program, cpufeat_cpuid32, masked: its AT_HWCAP and
 * CPUID lack the hidden features and say the rest as unmasked programs
 * are told.  It is where CPUFEAT_CPUID32 says, next to this program or on
 * the PATH.
 */
static int test_cpufeat_cpuid_compat(const char *root)
{
	char *exe = find_program("cpufeat_cpuid32", "CPUFEAT_CPUID32");
	const struct cpuid_dump *ref;
	struct fixture *f = NULL;
	int ret;
	bool ok;

	if (!exe || access(exe, X_OK)) {
		ksft_print_msg("no 32-bit program %s: %s\n",
			       exe ?: "cpufeat_cpuid32", strerror(errno));
		free(exe);
		return KSFT_SKIP;
	}
	ret = cpuid_setup(&f, root, NULL, true, "cpufeat_test_cpuid_compat",
			  cpuid_hide_set);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;
	if (run_cpuid(root, NULL, "rc", &f->r[0], 1, 1, 0) ||
	    run_cpuid(root, exe, "", &f->r[1], 1, 1, 0) ||
	    run_cpuid(f->cg, exe, "", &f->r[2], 1, 1, 0))
		goto cleanup;

	/* The 64-bit answers, unless CPUID differs in 32-bit mode. */
	ref = dump_of(&f->r[0], 0);
	if (!cpuid_matches(dump_of(&f->r[1], 0), ref, NULL, NULL)) {
		ksft_print_msg("note: CPUID differs in 32-bit mode:\n");
		cpuid_matches(dump_of(&f->r[1], 0), ref, NULL,
			      "32-bit unmasked");
		ref = dump_of(&f->r[1], 0);
	}
	ok = view_matches(&f->r[2].views[0], &f->r[1].views[0], f->machine,
			  f->eff);
	if (!cpuid_matches(dump_of(&f->r[2], 0), ref, hidden_of(f),
			   "32-bit masked"))
		ok = false;
	if (ok)
		ret = KSFT_PASS;
cleanup:
	free(exe);
	return fixture_teardown(f, ret);
}

/*
 * What a tracer writes where a probe stops after its exec: CPUID, NOP,
 * INT3 and NOPs to fill the word.
 */
static const unsigned char traced_code[8] = {
	0x0f, 0xa2, 0x90, 0xcc, 0x90, 0x90, 0x90, 0x90
};

/* RF in RFLAGS: no instruction breakpoint on the next instruction. */
#define EFLAGS_RF	0x10000UL

/*
 * Start the probe in @cgroup under ptrace and stop it after its exec, with
 * traced_code at its IP and leaf 0 in EAX and ECX: its registers in @regs.
 * Return the probe's pid, or -1.
 */
static pid_t traced_cpuid_start(const char *cgroup,
				struct user_regs_struct *regs)
{
	char *probe = find_program(PROBE_NAME, NULL);
	unsigned long word;
	int status;
	pid_t pid;

	if (!probe)
		return -1;
	pid = fork();
	if (!pid) {
		if (!cg_enter_current(cgroup) &&
		    !ptrace(PTRACE_TRACEME, 0, NULL, NULL))
			execl(probe, probe, PROBE_SCRIPT, "", (char *)NULL);
		_exit(127);
	}
	free(probe);
	if (pid < 0)
		return -1;
	memcpy(&word, traced_code, sizeof(word));
	if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status) ||
	    ptrace(PTRACE_GETREGS, pid, NULL, regs) ||
	    ptrace(PTRACE_POKETEXT, pid, (void *)regs->rip, (void *)word))
		goto fail;
	regs->rax = 0;
	regs->rcx = 0;
	if (!ptrace(PTRACE_SETREGS, pid, NULL, regs))
		return pid;
fail:
	ksft_print_msg("could not start a traced probe in %s\n", cgroup);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

/* Let traced probe @pid go (@request), wait for its SIGTRAP: its IP. */
static long traced_resume(pid_t pid, int request)
{
	struct user_regs_struct regs;
	int status;

	if (ptrace(request, pid, NULL, NULL) ||
	    waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status) ||
	    WSTOPSIG(status) != SIGTRAP ||
	    ptrace(PTRACE_GETREGS, pid, NULL, &regs))
		return -1;
	return regs.rip;
}

static void traced_end(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/*
 * Where one PTRACE_SINGLESTEP from CPUID stops, from the CPUID, in
 * @cgroup: 2 if CPUID completes as one instruction; -1 on errors.
 */
static long single_step_from_cpuid(const char *cgroup)
{
	struct user_regs_struct regs;
	long ip;
	pid_t pid;

	pid = traced_cpuid_start(cgroup, &regs);
	if (pid < 0)
		return -1;
	ip = traced_resume(pid, PTRACE_SINGLESTEP);
	traced_end(pid);
	return ip < 0 ? -1 : ip - (long)regs.rip;
}

/*
 * Where the probe in @cgroup stops, from its CPUID, when it runs on from
 * the CPUID with RF set, as a fault leaves it in the flags, and an
 * instruction breakpoint (DR0) on the next instruction: 2 if it fires, 4
 * if the INT3 after that stops it; -1 on errors.
 */
static long breakpoint_after_cpuid(const char *cgroup)
{
	size_t dr0 = offsetof(struct user, u_debugreg[0]);
	size_t dr7 = offsetof(struct user, u_debugreg[7]);
	struct user_regs_struct regs;
	long ip = -1;
	pid_t pid;

	pid = traced_cpuid_start(cgroup, &regs);
	if (pid < 0)
		return -1;
	regs.eflags |= EFLAGS_RF;
	/* DR7: L0, an instruction breakpoint (R/W0 and LEN0 0). */
	if (!ptrace(PTRACE_SETREGS, pid, NULL, &regs) &&
	    !ptrace(PTRACE_POKEUSER, pid, (void *)dr0, (void *)(regs.rip + 2)) &&
	    !ptrace(PTRACE_POKEUSER, pid, (void *)dr7, (void *)1UL))
		ip = traced_resume(pid, PTRACE_CONT);
	traced_end(pid);
	return ip < 0 ? -1 : ip - (long)regs.rip;
}

/*
 * Where a debugger stops after a CPUID (single_step_from_cpuid() or
 * breakpoint_after_cpuid()): right after it, CPUID+2, masked as unmasked.
 */
struct debug_stop {
	long (*stop)(const char *cgroup);
	const char *cgroup;
	const char *what;
	long no_debugger;	/* an unmasked stop there: the CPU can't (0: none) */
};

static int debug_stop_test(const char *root, const struct debug_stop *d)
{
	struct fixture *f;
	long plain, masked;
	int ret;

	ret = cpuid_setup(&f, root, NULL, true, d->cgroup, cpuid_hide_set);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;
	plain = d->stop(root);
	masked = d->stop(f->cg);
	if (plain != 2) {
		ksft_print_msg("unmasked: %s stopped at CPUID%+ld, not +2\n",
			       d->what, plain);
		if (d->no_debugger && plain == d->no_debugger)
			ret = KSFT_SKIP;
	} else if (masked != 2) {
		ksft_print_msg("masked: %s stopped at CPUID%+ld, not +2\n",
			       d->what, masked);
	} else {
		ret = KSFT_PASS;
	}
cleanup:
	return fixture_teardown(f, ret);
}

/*
 * A debugger cannot tell an emulated CPUID from one the CPU executed: one
 * PTRACE_SINGLESTEP from it stops right after it, as in the root cgroup.
 */
static int test_cpufeat_cpuid_single_step(const char *root)
{
	static const struct debug_stop step = {
		single_step_from_cpuid, "cpufeat_test_cpuid_step",
		"a single step from CPUID",
	};

	return debug_stop_test(root, &step);
}

/*
 * An instruction breakpoint on the instruction after an emulated CPUID
 * fires, as after one the CPU executed: the emulation clears the RF flag
 * that the fault left in the flags.
 */
static int test_cpufeat_cpuid_breakpoint(const char *root)
{
	static const struct debug_stop breakpoint = {
		breakpoint_after_cpuid, "cpufeat_test_cpuid_bp",
		"the breakpoint on CPUID+2", 4,
	};

	return debug_stop_test(root, &breakpoint);
}

/*
 * CPUID in execute-only code (mprotect(PROT_EXEC), which protection keys
 * make unreadable, even to the kernel) is emulated like any other: the
 * masked program gets the answer, not SIGSEGV.
 */
static int test_cpufeat_cpuid_execute_only(const char *root)
{
	struct fixture *f;
	long plain, masked;
	int ret;

	ret = cpuid_setup(&f, root, NULL, true, "cpufeat_test_cpuid_xonly",
			  cpuid_hide_set);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;
	if (run_reports(root, NULL, "X", &f->r[0], 0, 1) ||
	    run_reports(f->cg, NULL, "rX", &f->r[1], 1, 1))
		goto cleanup;
	plain = f->r[0].arch->xonly;
	masked = f->r[1].arch->xonly;
	if (plain == XONLY_READABLE) {
		ksft_print_msg("PROT_EXEC memory is readable here: no protection keys\n");
		ret = KSFT_SKIP;
	} else if (masked != plain) {
		ksft_print_msg("execute-only CPUID 0: EAX %ld masked (-1: SIGSEGV), %ld root\n",
			       masked, plain);
	} else {
		ret = KSFT_PASS;
	}
cleanup:
	return fixture_teardown(f, ret);
}

static const struct cpufeat_test cpuid_tests[] = {
	CPUFEAT_TEST(test_cpufeat_cpuid_hides_features),
	CPUFEAT_TEST(test_cpufeat_cpuid_default_deny),
	CPUFEAT_TEST(test_cpufeat_cpuid_others_unchanged),
	CPUFEAT_TEST(test_cpufeat_cpuid_xsave_sizes),
	CPUFEAT_TEST(test_cpufeat_cpuid_threads),
	CPUFEAT_TEST(test_cpufeat_cpuid_prefixed),
	CPUFEAT_TEST(test_cpufeat_cpuid_context_switch),
	CPUFEAT_TEST(test_cpufeat_cpuid_fork_exec),
	CPUFEAT_TEST(test_cpufeat_cpuid_arch_set_cpuid),
	CPUFEAT_TEST(test_cpufeat_cpuid_counted),
	CPUFEAT_TEST(test_cpufeat_cpuid_compat),
	CPUFEAT_TEST(test_cpufeat_cpuid_single_step),
	CPUFEAT_TEST(test_cpufeat_cpuid_breakpoint),
	CPUFEAT_TEST(test_cpufeat_cpuid_execute_only),
};

static const struct filter_key x86_filter_keys[] = {
	{ "auxv", "yes" }, { "cpuid", "yes no" }, { "cpuinfo", "yes" },
};

const struct cpufeat_arch cpufeat_arch = {
	.hwcap_names = { hwcap_names, hwcap2_names },
	.cpuinfo_key = "flags",
	.hide_set = hide_set,
	.independent = independent,
	.protected_set = protected_set,
	.wide_hide_set = cpuid_hide_set,
	.filter_keys = x86_filter_keys,
	.nr_filter_keys = ARRAY_SIZE(x86_filter_keys),
	.filters_agree = x86_filters_agree,
	.selection = selection,
	.probe_modes = x86_probe_modes,
	.probe_command = x86_probe_command,
	.probe_check = check_cpuid,
	.parse_report = x86_parse_report,
	.reports_size = sizeof(struct arch_reports),
	.tests = cpuid_tests,
	.nr_tests = ARRAY_SIZE(cpuid_tests),
};
