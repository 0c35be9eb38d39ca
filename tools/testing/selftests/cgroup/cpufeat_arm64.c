// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 part of test_cpufeat and cpufeat_probe: the hwcap names, the ID
 * registers, the probe's MRS reports and the MRS tests.
 *
 * A program exec'd in a cgroup that hides hwcaps reads, through the
 * kernel's emulation of MRS, the ID registers with the fields of the hidden
 * hwcaps lowered: to the highest level that a visible hwcap of the field
 * names, else to "not implemented".  Hiding sve makes ID_AA64ZFR0_EL1 read
 * 0, hiding paca (with pacg) clears every pointer authentication field,
 * hiding cpuid makes MRS raise SIGILL.  Fields never rise.
 *
 * The probe's commands ("cpufeat_probe --script SCRIPT") on arm64:
 *
 *   m  dump the ID registers that MRS reads (catching the SIGILL of a
 *      faulting MRS): "mrs ID_AA64PFR0_EL1:V ..." or "mrs fault"
 *   V  "sve rdvl=N prctl=M": RDVL's vector length (-1: SIGILL) and what
 *      PR_SVE_GET_VL returns (or -errno)
 *   K  "pac keys=N signed=B": PR_PAC_GET_ENABLED_KEYS, and how many of 8
 *      pointers PACIA changed
 *   n  read ID_AA64ISAR0_EL1 with MRS 1000 times
 *
 * A new test: a function returning KSFT_PASS, KSFT_FAIL or KSFT_SKIP that
 * sets up with mrs_setup() (or fixture_setup()) and ends with
 * fixture_teardown(), listed in mrs_tests[] at the end.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <linux/limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../kselftest.h"
#include "cpufeat_util.h"

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

/*
 * A feature to hide with the features that hiding it hides too, features
 * independent of it, and the hardening features that programs gaining
 * privilege at execve keep.
 */
static const char * const hide_set[] = { "aes", "pmull", NULL };
static const char * const independent[] = { "sha1", "crc32", "atomics", NULL };
static const char * const protected_set[] = {
	"paca", "pacg", "bti", "mte", "mte3", NULL
};

/*
 * Features to hide together, on several ID register fields; the tests hide
 * those the machine has.
 */
static const char * const mrs_hide_set[] = {
	"aes", "sha2", "atomics", "fphp", "sve2", "bf16", "ilrcpc", "dcpodp",
	NULL
};

/* The well-known features that cpufeat_probe --cpuinfo shows. */
static const char * const selection[] = {
	"fp", "asimd", "aes", "pmull", "sha1", "sha2", "crc32", "atomics",
	"fphp", "asimdrdm", "lrcpc", "sha3", "sm3", "sm4", "asimddp",
	"sha512", "sve", "asimdfhm", "sve2", "i8mm", "bf16", "rng", "bti",
	"mte", "sme", NULL
};

/*
 * The user-visible ID registers, which an EL0 MRS reads and the kernel
 * emulates (Documentation/arch/arm64/cpu-feature-registers.rst), in the
 * order of their encodings (arch/arm64/tools/sysreg).  Besides the ones
 * that carry hwcaps, PFR2, SMFR0, ISAR3, MMFR3 and MMFR4 are emulated too
 * (as zero where the kernel knows no visible field), and must not differ
 * either.
 */
enum {
	ID_PFR0, ID_PFR1, ID_PFR2, ID_ZFR0, ID_SMFR0, ID_DFR0, ID_ISAR0,
	ID_ISAR1, ID_ISAR2, ID_ISAR3, ID_MMFR0, ID_MMFR1, ID_MMFR2, ID_MMFR3,
	ID_MMFR4, NR_ID_REGS
};

static const char * const id_reg_names[NR_ID_REGS] = {
	"ID_AA64PFR0_EL1", "ID_AA64PFR1_EL1", "ID_AA64PFR2_EL1",
	"ID_AA64ZFR0_EL1", "ID_AA64SMFR0_EL1", "ID_AA64DFR0_EL1",
	"ID_AA64ISAR0_EL1", "ID_AA64ISAR1_EL1", "ID_AA64ISAR2_EL1",
	"ID_AA64ISAR3_EL1", "ID_AA64MMFR0_EL1", "ID_AA64MMFR1_EL1",
	"ID_AA64MMFR2_EL1", "ID_AA64MMFR3_EL1", "ID_AA64MMFR4_EL1",
};

/*
 * Read the ID register of encoding @reg, as S3_0_C0_Cn_m, which any
 * assembler takes.  The memory clobber keeps mrs_catching's stores on
 * their side of the MRS.
 */
#define read_id_reg(reg)					\
({								\
	unsigned long __val;					\
								\
	asm volatile("mrs %0, " #reg : "=r" (__val) : : "memory");	\
	__val;							\
})

/* Every ID register of id_reg_names[], in its order. */
static void read_id_regs(unsigned long *regs)
{
	regs[ID_PFR0] = read_id_reg(S3_0_C0_C4_0);
	regs[ID_PFR1] = read_id_reg(S3_0_C0_C4_1);
	regs[ID_PFR2] = read_id_reg(S3_0_C0_C4_2);
	regs[ID_ZFR0] = read_id_reg(S3_0_C0_C4_4);
	regs[ID_SMFR0] = read_id_reg(S3_0_C0_C4_5);
	regs[ID_DFR0] = read_id_reg(S3_0_C0_C5_0);
	regs[ID_ISAR0] = read_id_reg(S3_0_C0_C6_0);
	regs[ID_ISAR1] = read_id_reg(S3_0_C0_C6_1);
	regs[ID_ISAR2] = read_id_reg(S3_0_C0_C6_2);
	regs[ID_ISAR3] = read_id_reg(S3_0_C0_C6_3);
	regs[ID_MMFR0] = read_id_reg(S3_0_C0_C7_0);
	regs[ID_MMFR1] = read_id_reg(S3_0_C0_C7_1);
	regs[ID_MMFR2] = read_id_reg(S3_0_C0_C7_2);
	regs[ID_MMFR3] = read_id_reg(S3_0_C0_C7_3);
	regs[ID_MMFR4] = read_id_reg(S3_0_C0_C7_4);
}

/* The ID register fields the tests and --idregs look at. */
enum {
	F_FP, F_ADVSIMD, F_SVE, F_AES, F_SHA3, F_APA, F_API, F_GPA, F_GPI,
	F_APA3, F_GPA3, F_SVEVER, F_ZAES, F_BITPERM, F_ZBF16, F_ZSHA3, F_SM4,
	F_ZI8MM, F_F32MM, F_F64MM, NR_FIELDS
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
	[F_SHA3]	= { "ID_AA64ISAR0_EL1.SHA3",	ID_ISAR0,	32 },
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
	[F_ZSHA3]	= { "ID_AA64ZFR0_EL1.SHA3",	ID_ZFR0,	32 },
	[F_SM4]		= { "ID_AA64ZFR0_EL1.SM4",	ID_ZFR0,	40 },
	[F_ZI8MM]	= { "ID_AA64ZFR0_EL1.I8MM",	ID_ZFR0,	44 },
	[F_F32MM]	= { "ID_AA64ZFR0_EL1.F32MM",	ID_ZFR0,	52 },
	[F_F64MM]	= { "ID_AA64ZFR0_EL1.F64MM",	ID_ZFR0,	56 },
};

/* The fields --idregs decodes after the registers, "REG.FIELD=N". */
static const int idregs_fields[] = {
	F_AES, F_SHA3, F_SVE, F_SVEVER, F_APA, F_API, -1
};

/* MRSs the "n" command executes. */
#define MRS_LOOPS	1000

/* What MRS read, or that it raised SIGILL. */
struct mrs_dump {
	bool fault;
	unsigned long regs[NR_ID_REGS];
};

/* What a probe reported that only arm64 knows. */
struct arch_reports {
	int ndumps;
	struct mrs_dump dumps[8];
	bool sve;		/* an "sve" report came: */
	long sve_rdvl;		/* RDVL's vector length, -1 after SIGILL */
	long sve_prctl;		/* PR_SVE_GET_VL or -errno */
	bool pac;		/* a "pac" report came: */
	long pac_keys;		/* PR_PAC_GET_ENABLED_KEYS or -errno */
	int pac_signed;		/* how many of 8 pointers PACIA changed */
};

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
	read_id_regs(d->regs);
	mrs_catching = false;
}

/* "mrs ID_AA64PFR0_EL1:V ..." or "mrs fault". */
static void mrs_print(const struct mrs_dump *d)
{
	char line[32 + NR_ID_REGS * 40];
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
	char name[24];
	int i, n = 0;

	d->fault = !strcmp(s, "fault");
	if (d->fault)
		return true;
	for (i = 0; i < NR_ID_REGS; i++) {
		s += n;
		n = 0;
		if (sscanf(s, " %23[A-Z0-9_]:%lx%n", name, &d->regs[i],
			   &n) != 2 || !n || strcmp(name, id_reg_names[i]))
			return false;
	}
	return !s[n];
}

/* File an "mrs", "sve" or "pac" report in @r, if @line is one. */
static bool arm64_parse_report(const char *line, struct arch_reports *r)
{
	int n = 0;

	if (!strncmp(line, "mrs ", 4) && r->ndumps < ARRAY_SIZE(r->dumps) &&
	    mrs_parse(line + 4, &r->dumps[r->ndumps])) {
		r->ndumps++;
		return true;
	}
	if (!r->sve && sscanf(line, "sve rdvl=%ld prctl=%ld%n", &r->sve_rdvl,
			      &r->sve_prctl, &n) == 2 && !line[n]) {
		r->sve = true;
		return true;
	}
	if (!r->pac && sscanf(line, "pac keys=%ld signed=%d%n", &r->pac_keys,
			      &r->pac_signed, &n) == 2 && !line[n]) {
		r->pac = true;
		return true;
	}
	return false;
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

/* The arm64 commands of the probe: 0, or -1 to stop with an error. */
static int arm64_probe_command(char c)
{
	struct mrs_dump dump;
	int i;

	switch (c) {
	case 'm':
		mrs_run(&dump);
		mrs_print(&dump);
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

/* The 4-bit field @f of the registers @regs. */
static unsigned int field_of_regs(const unsigned long *regs, int f)
{
	return regs[id_fields[f].reg] >> id_fields[f].shift & 0xf;
}

/* HWCAP_CPUID: the kernel emulates EL0 MRS of the ID registers. */
#define HWCAP_CPUID_BIT	11

/*
 * --idregs: the registers as MRS reads them, "NAME=0x%016lx" a line
 * (tools/testing/cpufeat/suites/oracle/oracle.sh compares these), then
 * a few fields, "REG.FIELD=N".
 */
static int print_idregs(unsigned long hwcap)
{
	unsigned long regs[NR_ID_REGS];
	const char *reg;
	const int *f;
	int i;

	if (!(hwcap >> HWCAP_CPUID_BIT & 1)) {
		printf("MRS not emulated (no cpuid hwcap)\n");
		return 0;
	}
	read_id_regs(regs);
	for (i = 0; i < NR_ID_REGS; i++)
		printf("%s=0x%016lx\n", id_reg_names[i], regs[i]);
	/* "ID_AA64ISAR0_EL1.AES" as "ISAR0.AES" */
	for (f = idregs_fields; *f >= 0; f++) {
		reg = id_reg_names[id_fields[*f].reg] + strlen("ID_AA64");
		printf("%.*s%s=%u\n", (int)(strlen(reg) - strlen("_EL1")), reg,
		       strchr(id_fields[*f].name, '.'),
		       field_of_regs(regs, *f));
	}
	return 0;
}

static const struct probe_mode arm64_probe_modes[] = {
	{ "--idregs", print_idregs },
	{ NULL }
};

/* The 4-bit field @f of dump @d. */
static unsigned int field_of(const struct mrs_dump *d, int f)
{
	return field_of_regs(d->regs, f);
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
			ksft_print_msg("%s: %s bits %d:%d are %#x, unmasked %#x\n",
				       what, id_reg_names[reg], shift + 3,
				       shift, a & 0xf, b & 0xf);
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

/* Dump @i of the reports @r. */
static const struct mrs_dump *dump_of(const struct reports *r, int i)
{
	return &r->arch->dumps[i];
}

/*
 * Run @script in @cgroup, and check that it reported @views views, @dumps
 * MRS dumps and @others other reports of arm64's own.
 */
static int run_mrs(const char *cgroup, const char *script, struct reports *r,
		   int views, int dumps, int others)
{
	if (run_reports(cgroup, NULL, script, r, views, dumps + others))
		return -1;
	if (r->arch->ndumps != dumps) {
		ksft_print_msg("\"%s\": %d dumps, not %d\n", script,
			       r->arch->ndumps, dumps);
		return -1;
	}
	return 0;
}

/*
 * Set an MRS test up: MRS must be filtered here and the machine have
 * @needs (NULL: nothing in particular), else KSFT_SKIP; with @hide, cgroup
 * @name hides those of @hide the machine has, at least one.
 */
static int mrs_setup(struct fixture **f, const char *root,
		     const char * const *needs, const char *name,
		     const char * const *hide)
{
	const struct fixture_params params = {
		.filter = "mrs",
		.needs = needs,
		.name = name,
		.hide = hide,
	};

	return fixture_setup(f, root, &params);
}

/*
 * Run "rmp" (view, MRS dump, cpuinfo) in @cgroup into @r; with @full, the
 * unmasked program's reports, check its AT_HWCAP* bits and
 * /proc/self/cpufeat against what @cgroup offers, @eff.
 */
static int mrs_reports(struct fixture *f, const char *cgroup,
		       struct reports *r, const struct reports *full,
		       const char *eff)
{
	if (run_mrs(cgroup, f->cpuinfo ? "rmp" : "rm", r, 1, 1, 0))
		return -1;
	if (full && !view_matches(&r->views[0], &full->views[0], f->machine,
				  eff))
		return -1;
	return 0;
}

/*
 * mrs_setup(), then the reports of an unmasked program into f->r[0] and
 * of one in the test's cgroup, with their AT_HWCAP* bits and
 * /proc/self/cpufeat checked, into f->r[1]: a KSFT_ result.
 */
static int mrs_setup_reports(struct fixture **f, const char *root,
			     const char * const *needs, const char *name,
			     const char * const *hide)
{
	int ret = mrs_setup(f, root, needs, name, hide);

	if (ret == KSFT_PASS &&
	    (mrs_reports(*f, root, &(*f)->r[0], NULL, NULL) ||
	     mrs_reports(*f, (*f)->cg, &(*f)->r[1], &(*f)->r[0], (*f)->eff)))
		ret = KSFT_FAIL;
	return ret;
}

/*
 * An MRS test of hiding @hwcap, on a machine with it, in cgroup @cgroup:
 * mrs_setup_reports(), then @check's verdict (a KSFT_ result) on the two
 * programs' reports.
 */
static int mrs_test(const char *root, const char *hwcap, const char *cgroup,
		    int (*check)(struct fixture *f))
{
	const char * const hide[] = { hwcap, NULL };
	struct fixture *f;
	int ret;

	ret = mrs_setup_reports(&f, root, hide, cgroup, hide);
	if (ret == KSFT_PASS)
		ret = check(f);
	return fixture_teardown(f, ret);
}

/*
 * Does the program that reported @r read AES level @level (2: PMULL, 1:
 * AES, 0: none) in ID_AA64ISAR0_EL1.AES, every other field as the
 * unmasked program of @f does, and see aes and pmull as @level says?
 */
static bool aes_level(const struct fixture *f, const struct reports *r,
		      unsigned int level, const char *what)
{
	static const int aes_fields[] = { F_AES, -1 };
	const struct mrs_dump *d = dump_of(r, 0);

	return field_is(d, F_AES, level, what) &&
	       mrs_same_but(d, dump_of(&f->r[0], 0), 0, aes_fields, what) &&
	       sees(r, "aes", level >= 1, f->cpuinfo) &&
	       sees(r, "pmull", level >= 2, f->cpuinfo);
}

/* The test's cgroup hides pmull; a second one, made here, hides aes. */
static int aes_levels(struct fixture *f)
{
	const struct mrs_dump *full = dump_of(&f->r[0], 0);
	char eff_aes[LIST_SIZE], *cg_aes;
	bool ok;

	if (!field_is(full, F_AES, 2, "unmasked"))
		return KSFT_FAIL;
	cg_aes = fixture_cgroup(f, NULL, "cpufeat_test_mrs_aes", "-aes",
				eff_aes);
	if (!cg_aes || mrs_reports(f, cg_aes, &f->r[2], &f->r[0], eff_aes))
		return KSFT_FAIL;
	ok = aes_level(f, &f->r[1], 1, "hiding pmull");
	ok = aes_level(f, &f->r[2], 0, "hiding aes") && ok;
	return ok ? KSFT_PASS : KSFT_FAIL;
}

/*
 * Hiding pmull keeps aes: ID_AA64ISAR0_EL1.AES reads 1 (AES) instead of 2
 * (PMULL).  Hiding aes hides both and AES reads 0.  Every other field
 * reads as an unmasked program reads it.
 */
static int test_cpufeat_mrs_levels(const char *root)
{
	return mrs_test(root, "pmull", "cpufeat_test_mrs_pmull", aes_levels);
}

/*
 * What hiding @hwcap in cgroup @cgroup does to the ID registers and
 * hwcaps, as on a machine without it: a program there reads the fields
 * @zero (-1-terminated; an unmasked program reads one of them as set) and
 * every field of the registers in the bit mask @zero_regs as 0, every
 * other field as an unmasked program, sees none of @gone and each of
 * @kept.  @check, if any, judges the rest.
 */
struct hidden_fields {
	const char *hwcap;
	const char *cgroup;
	const int *zero;
	unsigned int zero_regs;
	const char * const *gone;
	const char * const *kept;
	bool (*check)(const struct fixture *f, const char *what);
};

/* Does the program that reported @r see each of @names as @want says? */
static bool sees_all(const struct reports *r, const char * const *names,
		     bool want, bool cpuinfo)
{
	bool ok = true;

	for (; names && *names; names++)
		ok = sees(r, *names, want, cpuinfo) && ok;
	return ok;
}

static int test_hidden_fields(const char *root, const struct hidden_fields *t)
{
	const char * const hide[] = { t->hwcap, NULL };
	const struct mrs_dump *full, *masked;
	struct fixture *f;
	char what[64];
	unsigned int set = 0;
	const int *fl;
	int ret, reg;
	bool ok;

	ret = mrs_setup_reports(&f, root, hide, t->cgroup, hide);
	if (ret != KSFT_PASS)
		goto out;
	full = dump_of(&f->r[0], 0);
	masked = dump_of(&f->r[1], 0);
	snprintf(what, sizeof(what), "hiding %s", t->hwcap);
	ok = mrs_same_but(masked, full, t->zero_regs, t->zero, what);
	for (fl = t->zero; *fl >= 0; fl++) {
		set |= field_of(full, *fl);
		ok = field_is(masked, *fl, 0, what) && ok;
	}
	if (!set) {
		ksft_print_msg("unmasked: every field %s clears is 0\n", what);
		ok = false;
	}
	for (reg = 0; reg < NR_ID_REGS; reg++) {
		if (!(t->zero_regs & 1u << reg) || !masked->regs[reg])
			continue;
		ksft_print_msg("%s: %s is %#lx, not 0\n", what,
			       id_reg_names[reg], masked->regs[reg]);
		ok = false;
	}
	ok = sees_all(&f->r[1], t->gone, false, f->cpuinfo) && ok;
	ok = sees_all(&f->r[1], t->kept, true, f->cpuinfo) && ok;
	if (t->check)
		ok = t->check(f, what) && ok;
	ret = ok ? KSFT_PASS : KSFT_FAIL;
out:
	return fixture_teardown(f, ret);
}

/* Is @name an SVE hwcap ("sve", "sve2", "svebf16"...)? */
static bool is_sve_name(const char *name)
{
	return name && !strncmp(name, "sve", 3);
}

/*
 * No SVE hwcap is left in AT_HWCAP*, /proc/self/cpufeat or the Features
 * line of /proc/cpuinfo of the masked program of @f.
 */
static bool sve_names_gone(const struct fixture *f, const char *what)
{
	const struct reports *r = &f->r[1];
	int word, bit, w, b;
	char name[64];
	size_t pos = 0;
	bool ok = true;

	for (word = 0; word < 2; word++)
		for (bit = 0; bit < 64; bit++)
			if (is_sve_name(cpufeat_arch.hwcap_names[word][bit]) &&
			    !sees(r, cpufeat_arch.hwcap_names[word][bit], false,
				  f->cpuinfo))
				ok = false;
	while (f->cpuinfo && list_next(r->flags, &pos, name, sizeof(name))) {
		/* Those with an AT_HWCAP* bit were looked at above. */
		if (is_sve_name(name) && !hwcap_bit(name, &w, &b)) {
			ksft_print_msg("%s: /proc/cpuinfo Features has %s\n",
				       what, name);
			ok = false;
		}
	}
	return ok;
}

/*
 * Hiding sve: ID_AA64PFR0_EL1.SVE reads 0, ID_AA64ZFR0_EL1 reads 0, and no
 * SVE hwcap is left in AT_HWCAP*, /proc/self/cpufeat or /proc/cpuinfo.
 */
static int test_cpufeat_mrs_sve(const char *root)
{
	static const int sve_field[] = { F_SVE, -1 };
	static const struct hidden_fields t = {
		.hwcap = "sve", .cgroup = "cpufeat_test_mrs_sve",
		.zero = sve_field, .zero_regs = 1u << ID_ZFR0,
		.check = sve_names_gone,
	};

	return test_hidden_fields(root, &t);
}

/*
 * Hiding sve2 keeps sve: ID_AA64PFR0_EL1.SVE reads as unmasked, while
 * ID_AA64ZFR0_EL1.SVEver reads 0 and the fields of the SVE2 instructions
 * (AES, BitPerm, SHA3, SM4) read 0; the other ZFR0 fields are unchanged.
 */
static int test_cpufeat_mrs_sve2_only(const char *root)
{
	static const char * const sve[] = { "sve", NULL };
	static const char * const sve2_users[] = {
		"sve2", "sveaes", "svepmull", "svebitperm", "svesha3", "svesm4",
		"sve2p1", NULL
	};
	static const int sve2_fields[] = {
		F_SVEVER, F_ZAES, F_BITPERM, F_ZSHA3, F_SM4, -1
	};
	static const struct hidden_fields t = {
		.hwcap = "sve2", .cgroup = "cpufeat_test_mrs_sve2",
		.zero = sve2_fields, .gone = sve2_users, .kept = sve,
	};

	return test_hidden_fields(root, &t);
}

/*
 * Hiding paca hides pacg too: every pointer authentication field, APA,
 * API, GPA and GPI of ID_AA64ISAR1_EL1, APA3 and GPA3 of ID_AA64ISAR2_EL1,
 * reads 0 for a program that does not gain privilege at exec.
 */
static int test_cpufeat_mrs_pac(const char *root)
{
	static const char * const paca_pacg[] = { "paca", "pacg", NULL };
	static const int pac_fields[] = {
		F_APA, F_API, F_GPA, F_GPI, F_APA3, F_GPA3, -1
	};
	static const struct hidden_fields t = {
		.hwcap = "paca", .cgroup = "cpufeat_test_mrs_pac",
		.zero = pac_fields, .gone = paca_pacg,
	};

	return test_hidden_fields(root, &t);
}

/*
 * A feature that hiding also switches off, as on a machine without it:
 * the probe's @script makes @reports reports of whether the program can
 * use it, which @check judges for a program in the root (@hidden false:
 * it uses the feature) and for one in cgroup @cgroup, which hides @hwcap
 * (@hidden true: it cannot).  @check returns a KSFT_ result.
 */
struct switched_off {
	const char *hwcap;
	const char *cgroup;
	const char *script;
	int reports;
	int (*check)(const struct arch_reports *r, bool hidden);
};

static int test_switched_off(const char *root, const struct switched_off *t)
{
	const char * const hide[] = { t->hwcap, NULL };
	struct fixture *f;
	int ret;

	ret = mrs_setup(&f, root, hide, t->cgroup, hide);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;
	if (run_mrs(root, t->script, &f->r[0], 0, 0, t->reports) ||
	    run_mrs(f->cg, t->script, &f->r[1], 0, 0, t->reports))
		goto cleanup;
	ret = t->check(f->r[0].arch, false);
	if (ret == KSFT_PASS)
		ret = t->check(f->r[1].arch, true);
cleanup:
	return fixture_teardown(f, ret);
}

/* RDVL works and PR_SVE_GET_VL gives a vector length, or (@hidden) not. */
static int sve_switched_off(const struct arch_reports *r, bool hidden)
{
	if (!r->sve) {
		ksft_print_msg("no \"sve\" report\n");
		return KSFT_FAIL;
	}
	if (hidden ? r->sve_rdvl == -1 && r->sve_prctl == -EINVAL :
		     r->sve_rdvl > 0 && r->sve_prctl > 0)
		return KSFT_PASS;
	ksft_print_msg("%s: RDVL %ld, PR_SVE_GET_VL %ld\n",
		       hidden ? "hiding sve" : "in the root", r->sve_rdvl,
		       r->sve_prctl);
	if (hidden)
		ksft_print_msg("expected -1 (SIGILL) and %d (EINVAL)\n",
			       -EINVAL);
	return KSFT_FAIL;
}

/* The address keys are on and PACIA signs, or (@hidden) neither. */
static int pac_switched_off(const struct arch_reports *r, bool hidden)
{
	if (!r->pac) {
		ksft_print_msg("no \"pac\" report\n");
		return KSFT_FAIL;
	}
	if (hidden ? !r->pac_keys && !r->pac_signed :
		     r->pac_keys > 0 && r->pac_signed)
		return KSFT_PASS;
	ksft_print_msg("%s: keys %#lx, PACIA changed %d of 8 pointers\n",
		       hidden ? "hiding paca" : "in the root", r->pac_keys,
		       r->pac_signed);
	return KSFT_FAIL;
}

/*
 * Hiding sve also switches it off: the program's first SVE instruction
 * raises SIGILL, and PR_SVE_GET_VL fails with EINVAL, as on a machine
 * without SVE.  A program in the root uses SVE as before.
 */
static int test_cpufeat_sve_enforced(const char *root)
{
	static const struct switched_off sve = {
		"sve", "cpufeat_test_sve_enforced", "V", 1, sve_switched_off
	};

	return test_switched_off(root, &sve);
}

/*
 * Hiding paca also turns the program's address keys off: PACIA leaves a
 * pointer as it is, and PR_PAC_GET_ENABLED_KEYS says no key is on.  A
 * program in the root has every key on.
 */
static int test_cpufeat_pac_keys_off(const char *root)
{
	static const struct switched_off paca = {
		"paca", "cpufeat_test_pac_keys_off", "K", 1, pac_switched_off
	};

	return test_switched_off(root, &paca);
}

/* The unmasked program's MRS works, the masked one's raises SIGILL. */
static int cpuid_sigill(struct fixture *f)
{
	const struct mrs_dump *full = dump_of(&f->r[0], 0);
	const struct mrs_dump *masked = dump_of(&f->r[1], 0);
	bool ok = sees(&f->r[1], "cpuid", false, f->cpuinfo);

	if (full->fault) {
		ksft_print_msg("the unmasked program's MRS raised SIGILL\n");
		ok = false;
	}
	if (!masked->fault) {
		ksft_print_msg("hiding cpuid: MRS did not raise SIGILL (ID_AA64ISAR0_EL1 %#lx)\n",
			       masked->regs[ID_ISAR0]);
		ok = false;
	}
	return ok ? KSFT_PASS : KSFT_FAIL;
}

/*
 * Hiding cpuid makes every emulated MRS raise SIGILL in the masked
 * program; an unmasked program's MRS still works.
 */
static int test_cpufeat_mrs_cpuid_sigill(const char *root)
{
	return mrs_test(root, "cpuid", "cpufeat_test_mrs_cpuid", cpuid_sigill);
}

/*
 * Do the AT_HWCAP* bit, /proc/self/cpufeat and the Features line of
 * /proc/cpuinfo of the program that reported @r agree on every feature of
 * the machine that has a bit, and the last two on the others?
 */
static bool one_story(const struct reports *r, const char *machine)
{
	const struct view *v = &r->views[0];
	const char *name;
	int word, bit;
	bool ok = true, a, b, c;
	char n[64];
	size_t pos = 0;

	for (word = 0; word < 2; word++) {
		for (bit = 0; bit < 64; bit++) {
			name = cpufeat_arch.hwcap_names[word][bit];
			if (!name || !list_has(machine, name))
				continue;
			a = view_has_bit(v, word, bit);
			b = list_has(v->cpufeat, name);
			c = list_has(r->flags, name);
			if (a == b && b == c)
				continue;
			ksft_print_msg("%s: AT_HWCAP%s %d, /proc/self/cpufeat %d, Features %d\n",
				       name, word ? "2" : "", a, b, c);
			ok = false;
		}
	}
	/* The features without an AT_HWCAP* bit. */
	while (list_next(machine, &pos, n, sizeof(n))) {
		b = list_has(v->cpufeat, n);
		c = list_has(r->flags, n);
		if (hwcap_bit(n, &word, &bit) || b == c)
			continue;
		ksft_print_msg("%s: in /proc/cpuinfo Features %d, in /proc/self/cpufeat %d\n",
			       n, c, b);
		ok = false;
	}
	return ok;
}

/*
 * A masked program hiding several features is told one story: AT_HWCAP and
 * AT_HWCAP2, /proc/self/cpufeat and the Features of /proc/cpuinfo, which
 * it reads itself, name the same cpufeat features; its ID registers never
 * read higher than an unmasked program's.
 */
static int test_cpufeat_mrs_consistent(const char *root)
{
	static const int none[] = { -1 };
	const struct reports *r;
	struct fixture *f;
	bool ok;
	int ret;

	ret = mrs_setup_reports(&f, root, NULL, "cpufeat_test_mrs_consistent",
				mrs_hide_set);
	if (ret != KSFT_PASS)
		goto out;
	if (!f->cpuinfo) {
		ksft_print_msg("cpufeat.filters: \"cpuinfo no\"\n");
		ret = KSFT_SKIP;
		goto out;
	}
	r = &f->r[1];
	ok = view_is(&r->views[0], f->eff) &&
	     mrs_same_but(dump_of(r, 0), dump_of(&f->r[0], 0), ~0u, none,
			  "masked");
	if (!one_story(r, f->machine) || !ok)
		ret = KSFT_FAIL;
out:
	return fixture_teardown(f, ret);
}

/*
 * cpufeat.stat counts the MRSs the kernel emulated for the masked programs
 * in the cgroup, one each; unmasked programs elsewhere add nothing.
 */
static int test_cpufeat_mrs_counted(const char *root)
{
	struct fixture *f;
	int ret;

	ret = mrs_setup(&f, root, hide_set, "cpufeat_test_mrs_counted",
			hide_set);
	if (ret == KSFT_PASS)
		ret = emulations_counted(root, f->cg, f->r, "emulated_mrs",
					 MRS_LOOPS);
	return fixture_teardown(f, ret);
}

/*
 * Programs in the root, in a cgroup that hides nothing and this test
 * itself read the same, unmasked, ID registers and /proc/cpuinfo; the
 * root has no cpufeat.stat to count MRSs in.
 */
static int test_cpufeat_mrs_root_unmasked(const char *root)
{
	const struct fixture_params params = {
		.name = "cpufeat_test_mrs_unmasked",
	};
	const struct mrs_dump *in_root, *in_cg;
	char path[PATH_MAX];
	struct mrs_dump self;
	struct fixture *f;
	bool ok = true;
	struct stat st;
	int ret, i;

	ret = fixture_setup(&f, root, &params);
	if (ret != KSFT_PASS)
		goto cleanup;
	ret = KSFT_FAIL;
	if (run_mrs(root, "rmp", &f->r[0], 1, 1, 0) ||
	    run_mrs(f->cg, "rmp", &f->r[1], 1, 1, 0))
		goto cleanup;
	in_root = dump_of(&f->r[0], 0);
	in_cg = dump_of(&f->r[1], 0);
	mrs_run(&self);
	signal(SIGILL, SIG_DFL);
	if (self.fault || in_root->fault || in_cg->fault) {
		ksft_print_msg("MRS raised SIGILL: here %d, in the root %d, in %s %d\n",
			       self.fault, in_root->fault, f->cg, in_cg->fault);
		goto cleanup;
	}
	for (i = 0; i < NR_ID_REGS; i++) {
		if (in_root->regs[i] == self.regs[i] &&
		    in_cg->regs[i] == self.regs[i])
			continue;
		ksft_print_msg("%s: %#lx here, %#lx in the root, %#lx in %s\n",
			       id_reg_names[i], self.regs[i], in_root->regs[i],
			       in_cg->regs[i], f->cg);
		ok = false;
	}
	if (!same_view(&f->r[0].views[0], &f->r[1].views[0]))
		ok = false;
	if (strcmp(f->r[0].flags, f->r[1].flags)) {
		print_list_diff("/proc/cpuinfo Features", f->r[0].flags,
				f->r[1].flags);
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
	return fixture_teardown(f, ret);
}

static const struct cpufeat_test mrs_tests[] = {
	CPUFEAT_TEST(test_cpufeat_mrs_levels),
	CPUFEAT_TEST(test_cpufeat_mrs_sve),
	CPUFEAT_TEST(test_cpufeat_sve_enforced),
	CPUFEAT_TEST(test_cpufeat_pac_keys_off),
	CPUFEAT_TEST(test_cpufeat_mrs_sve2_only),
	CPUFEAT_TEST(test_cpufeat_mrs_pac),
	CPUFEAT_TEST(test_cpufeat_mrs_cpuid_sigill),
	CPUFEAT_TEST(test_cpufeat_mrs_consistent),
	CPUFEAT_TEST(test_cpufeat_mrs_counted),
	CPUFEAT_TEST(test_cpufeat_mrs_root_unmasked),
};

static const struct filter_key arm64_filter_keys[] = {
	{ "auxv", "yes" }, { "mrs", "yes no" }, { "cpuinfo", "yes no" },
};

const struct cpufeat_arch cpufeat_arch = {
	.hwcap_names = { hwcap_names, hwcap2_names },
	.cpuinfo_key = "Features",
	.hide_set = hide_set,
	.independent = independent,
	.protected_set = protected_set,
	.wide_hide_set = mrs_hide_set,
	.filter_keys = arm64_filter_keys,
	.nr_filter_keys = ARRAY_SIZE(arm64_filter_keys),
	.selection = selection,
	.probe_modes = arm64_probe_modes,
	.probe_command = arm64_probe_command,
	.parse_report = arm64_parse_report,
	.reports_size = sizeof(struct arch_reports),
	.tests = mrs_tests,
	.nr_tests = ARRAY_SIZE(mrs_tests),
};
