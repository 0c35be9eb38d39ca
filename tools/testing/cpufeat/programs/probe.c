// SPDX-License-Identifier: GPL-2.0
/*
 * cpufeat-probe: show what the running program is told about the CPU.
 *
 *   cpufeat-probe            a readable report: AT_HWCAP and AT_HWCAP2 (hex
 *                            and names), AT_SECURE, the cgroup and the
 *                            /proc/self/cpufeat line
 *   cpufeat-probe --hwcap    "AT_HWCAP=0x... AT_HWCAP2=0x..." for scripts
 *   cpufeat-probe --names    the names of the AT_HWCAP and AT_HWCAP2 bits
 *                            that are set, on one line
 *   cpufeat-probe --cpuid    which of a fixed selection of well-known
 *                            features the CPUID instruction reports, by
 *                            their /proc/cpuinfo names, on one line (x86;
 *                            elsewhere "n/a")
 *   cpufeat-probe --cpuid-raw
 *                            CPUID 1 ECX/EDX and 7.0 EBX/ECX/EDX in hex
 *   cpufeat-probe --cpuinfo  which of the same selection the first "flags"
 *                            ("Features" on arm64) line of /proc/cpuinfo
 *                            names, on one line, then "N flags" for all
 *                            the names on that line
 *   cpufeat-probe --idregs   the user-visible arm64 ID registers as MRS
 *                            reads them, "NAME=0x..." one a line, then a
 *                            few of their fields decoded, "REG.FIELD=N"
 *                            (elsewhere "n/a")
 *   cpufeat-probe --check    check that what this program is told agrees
 *                            with its view (/proc/self/cpufeat): a named
 *                            AT_HWCAP or AT_HWCAP2 bit is set exactly when
 *                            its feature is in the view; on x86, a feature
 *                            of the selection in the view is in CPUID, and
 *                            if the view is restricted (differs from that
 *                            of init, /proc/1/cpufeat), CPUID reports none
 *                            outside it.  Prints the view and exits 0, or
 *                            says what disagrees on stderr and exits 1.
 *
 * The auxiliary vector is read from /proc/self/auxv: a static glibc on
 * x86-64 answers getauxval(AT_HWCAP) with a value of its own.  CPUID is
 * executed here, not asked of the C library, which caches what it saw at
 * startup.  Likewise MRS: EL0 reads of the ID registers trap and the kernel
 * emulates them, so what this program reads is what the kernel tells it.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NR_BITS		(8 * sizeof(unsigned long))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define WRAP		72
#define INDENT		"            "

/* Names of the AT_HWCAP and AT_HWCAP2 bits; NULL where none. */
#if defined(__x86_64__) || defined(__i386__)

/* AT_HWCAP is CPUID 1 EDX (capability word 0). */
static const char * const hwcap_names[64] = {
	"fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce",
	"cx8", "apic", NULL, "sep", "mtrr", "pge", "mca", "cmov",
	"pat", "pse36", "pn", "clflush", NULL, "dts", "acpi", "mmx",
	"fxsr", "sse", "sse2", "ss", "ht", "tm", "ia64", "pbe",
};

static const char * const hwcap2_names[64] = {
	"ring3mwait", "fsgsbase",
};

#elif defined(__aarch64__)

/* arch/arm64/include/uapi/asm/hwcap.h, names as in /proc/cpuinfo. */
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

#else

static const char * const hwcap_names[64];
static const char * const hwcap2_names[64];

#endif

/*
 * A readable selection of well-known features, by their /proc/cpuinfo
 * names, in the order --cpuid and --cpuinfo print them.
 */
#if defined(__x86_64__) || defined(__i386__)

enum cpuid_reg { EAX, EBX, ECX, EDX };

/* Where CPUID reports each of them: Intel SDM vol. 2A, CPUID. */
static const struct cpuid_feature {
	const char *name;
	unsigned int leaf, subleaf;
	enum cpuid_reg reg;
	unsigned int bit;
} cpuid_features[] = {
	{ "sse",	0x1, 0, EDX, 25 },
	{ "sse2",	0x1, 0, EDX, 26 },
	{ "acpi",	0x1, 0, EDX, 22 },
	{ "ss",		0x1, 0, EDX, 27 },
	{ "pni",	0x1, 0, ECX,  0 },	/* SSE3 */
	{ "pclmulqdq",	0x1, 0, ECX,  1 },
	{ "ssse3",	0x1, 0, ECX,  9 },
	{ "fma",	0x1, 0, ECX, 12 },
	{ "sse4_1",	0x1, 0, ECX, 19 },
	{ "sse4_2",	0x1, 0, ECX, 20 },
	{ "popcnt",	0x1, 0, ECX, 23 },
	{ "aes",	0x1, 0, ECX, 25 },
	{ "xsave",	0x1, 0, ECX, 26 },
	{ "avx",	0x1, 0, ECX, 28 },
	{ "f16c",	0x1, 0, ECX, 29 },
	{ "rdrand",	0x1, 0, ECX, 30 },
	{ "fsgsbase",	0x7, 0, EBX,  0 },
	{ "bmi1",	0x7, 0, EBX,  3 },
	{ "avx2",	0x7, 0, EBX,  5 },
	{ "bmi2",	0x7, 0, EBX,  8 },
	{ "avx512f",	0x7, 0, EBX, 16 },
	{ "adx",	0x7, 0, EBX, 19 },
	{ "sha_ni",	0x7, 0, EBX, 29 },
	{ "avx512bw",	0x7, 0, EBX, 30 },
	{ "avx512vl",	0x7, 0, EBX, 31 },
	{ "vaes",	0x7, 0, ECX,  9 },
};

static void cpuid_count(unsigned int leaf, unsigned int subleaf,
			unsigned int regs[4])
{
	asm volatile("cpuid"
		     : "=a" (regs[EAX]), "=b" (regs[EBX]),
		       "=c" (regs[ECX]), "=d" (regs[EDX])
		     : "a" (leaf), "c" (subleaf));
}

/* CPUID @leaf.@subleaf, or all zeroes beyond the highest leaf there is. */
static void cpuid_leaf(unsigned int leaf, unsigned int subleaf,
		       unsigned int regs[4])
{
	unsigned int max[4];

	cpuid_count(leaf & 0x80000000, 0, max);
	if (leaf > max[EAX]) {
		memset(regs, 0, 4 * sizeof(regs[0]));
		return;
	}
	cpuid_count(leaf, subleaf, regs);
}

#define CPUINFO_FLAGS	"flags"
#define NR_SELECTED	ARRAY_SIZE(cpuid_features)
#define SELECTED(i)	(cpuid_features[i].name)

#elif defined(__aarch64__)

#define CPUINFO_FLAGS	"Features"

static const char * const cpuinfo_names[] = {
	"fp", "asimd", "aes", "pmull", "sha1", "sha2", "crc32", "atomics",
	"fphp", "asimdrdm", "lrcpc", "sha3", "sm3", "sm4", "asimddp",
	"sha512", "sve", "asimdfhm", "sve2", "i8mm", "bf16", "rng", "bti",
	"mte", "sme",
};

#define NR_SELECTED	ARRAY_SIZE(cpuinfo_names)
#define SELECTED(i)	(cpuinfo_names[i])

#else

#define CPUINFO_FLAGS	"flags"
#define NR_SELECTED	0
#define SELECTED(i)	""

#endif

struct auxv_view {
	unsigned long hwcap;
	unsigned long hwcap2;
	unsigned long secure;
};

static int read_auxv(struct auxv_view *v)
{
	unsigned long auxv[512];
	ssize_t len;
	size_t i;
	int fd;

	fd = open("/proc/self/auxv", O_RDONLY);
	if (fd < 0)
		return -1;
	len = read(fd, auxv, sizeof(auxv));
	close(fd);
	if (len < 0)
		return -1;

	memset(v, 0, sizeof(*v));
	for (i = 0; i + 1 < len / sizeof(auxv[0]); i += 2) {
		switch (auxv[i]) {
		case AT_HWCAP:
			v->hwcap = auxv[i + 1];
			break;
		case AT_HWCAP2:
			v->hwcap2 = auxv[i + 1];
			break;
		case AT_SECURE:
			v->secure = auxv[i + 1];
			break;
		}
	}
	return 0;
}

/*
 * Read the first line of @path that starts with @prefix (or the first line,
 * if none does) into @buf, without its newline.
 */
static bool read_line(const char *path, const char *prefix, char *buf,
		      size_t size)
{
	FILE *f = fopen(path, "r");
	bool found = false;
	char *line = NULL;
	size_t len = 0;

	if (!f)
		return false;
	buf[0] = '\0';
	while (getline(&line, &len, f) >= 0) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, prefix, strlen(prefix))) {
			snprintf(buf, size, "%s", line);
			found = true;
			break;
		}
		if (!buf[0])
			snprintf(buf, size, "%s", line);
	}
	free(line);
	fclose(f);
	return found || buf[0];
}

/* Append the names of the bits set in @value to @out; "word[n]" if unnamed. */
static void decode(unsigned long value, const char * const *names,
		   const char *word, char *out, size_t size)
{
	size_t len = strlen(out);
	unsigned int bit;

	for (bit = 0; bit < NR_BITS && len < size; bit++) {
		if (!(value >> bit & 1))
			continue;
		if (names[bit])
			len += snprintf(out + len, size - len, "%s%s",
					len ? " " : "", names[bit]);
		else
			len += snprintf(out + len, size - len, "%s%s[%u]",
					len ? " " : "", word, bit);
	}
}

/* Print @text as lines of at most WRAP columns, all but the first indented. */
static void print_wrapped(const char *label, const char *text)
{
	size_t col = printf("%-12s", label);
	const char *p = text;

	if (!*p) {
		printf("(none)\n");
		return;
	}
	while (*p) {
		size_t len = strcspn(p, " ");

		if (col > strlen(INDENT) && col + 1 + len > WRAP) {
			col = printf("\n%s", INDENT) - 1;
		} else if (col > strlen(INDENT)) {
			putchar(' ');
			col++;
		}
		col += printf("%.*s", (int)len, p);
		p += len;
		while (*p == ' ')
			p++;
	}
	putchar('\n');
}

static void report(const struct auxv_view *v)
{
	char line[16384], hex[32];

	/* cgroup v2: "0::/path" */
	if (!read_line("/proc/self/cgroup", "0::", line, sizeof(line)))
		strcpy(line, "(unknown)");
	print_wrapped("cgroup:", strncmp(line, "0::", 3) ? line : line + 3);
	snprintf(hex, sizeof(hex), "%lu", v->secure);
	print_wrapped("AT_SECURE:", hex);

	snprintf(hex, sizeof(hex), "0x%lx", v->hwcap);
	print_wrapped("AT_HWCAP:", hex);
	line[0] = '\0';
	decode(v->hwcap, hwcap_names, "hwcap", line, sizeof(line));
	print_wrapped("", line);

	snprintf(hex, sizeof(hex), "0x%lx", v->hwcap2);
	print_wrapped("AT_HWCAP2:", hex);
	line[0] = '\0';
	decode(v->hwcap2, hwcap2_names, "hwcap2", line, sizeof(line));
	print_wrapped("", line);

	if (!read_line("/proc/self/cpufeat", "", line, sizeof(line)))
		snprintf(line, sizeof(line), "(no /proc/self/cpufeat: %s)",
			 strerror(errno));
	print_wrapped("cpufeat:", line);
}

/* Is @name one of the space-separated words of @list? */
static bool has_word(const char *list, const char *name)
{
	size_t len = strlen(name);
	const char *p = list;

	while (*p) {
		size_t n = strcspn(p, " \t");

		if (n == len && !strncmp(p, name, len))
			return true;
		p += n;
		p += strspn(p, " \t");
	}
	return false;
}

#if defined(__x86_64__) || defined(__i386__)

/* The selected features CPUID reports as present, in table order. */
static int print_cpuid(void)
{
	const struct cpuid_feature *f;
	unsigned int regs[4];
	const char *sep = "";

	for (f = cpuid_features; f < cpuid_features + ARRAY_SIZE(cpuid_features); f++) {
		cpuid_leaf(f->leaf, f->subleaf, regs);
		if (regs[f->reg] >> f->bit & 1) {
			printf("%s%s", sep, f->name);
			sep = " ";
		}
	}
	putchar('\n');
	return 0;
}

/*
 * The selected features whose CPUID bit disagrees with @view: one in the
 * view must be reported; one outside a restricted view must not be.
 */
static int check_cpuid(const char *view, bool restricted)
{
	const struct cpuid_feature *f;
	unsigned int regs[4];
	bool set, in_view;
	int bad = 0;

	for (f = cpuid_features; f < cpuid_features + ARRAY_SIZE(cpuid_features); f++) {
		cpuid_leaf(f->leaf, f->subleaf, regs);
		set = regs[f->reg] >> f->bit & 1;
		in_view = has_word(view, f->name);
		if (set == in_view || (set && !restricted))
			continue;
		fprintf(stderr, "cpufeat-probe: CPUID %s %s, but the view %s it\n",
			f->name, set ? "set" : "clear",
			in_view ? "has" : "lacks");
		bad++;
	}
	return bad;
}

static int print_cpuid_raw(void)
{
	unsigned int l1[4], l7[4];

	cpuid_leaf(0x1, 0, l1);
	cpuid_leaf(0x7, 0, l7);
	printf("1:ECX=0x%08x EDX=0x%08x 7.0:EBX=0x%08x ECX=0x%08x EDX=0x%08x\n",
	       l1[ECX], l1[EDX], l7[EBX], l7[ECX], l7[EDX]);
	return 0;
}

#else

static int print_cpuid(void)
{
	printf("n/a (no CPUID instruction)\n");
	return 0;
}

static int print_cpuid_raw(void)
{
	return print_cpuid();
}

static int check_cpuid(const char *view, bool restricted)
{
	return 0;
}

#endif

#if defined(__aarch64__)

/* HWCAP_CPUID: the kernel emulates EL0 MRS of the ID registers. */
#define HWCAP_CPUID_BIT	11

/* Encodings: arch/arm64/tools/sysreg. */
#define read_idreg(enc) ({						\
	unsigned long long __val;					\
	asm volatile("mrs %0, " enc : "=r" (__val));			\
	__val;								\
})

enum { PFR0, PFR1, ZFR0, ISAR0, ISAR1, ISAR2, NR_IDREGS };

static const char * const idreg_names[NR_IDREGS] = {
	[PFR0]	= "ID_AA64PFR0_EL1",
	[PFR1]	= "ID_AA64PFR1_EL1",
	[ZFR0]	= "ID_AA64ZFR0_EL1",
	[ISAR0]	= "ID_AA64ISAR0_EL1",
	[ISAR1]	= "ID_AA64ISAR1_EL1",
	[ISAR2]	= "ID_AA64ISAR2_EL1",
};

/* A few 4-bit fields worth showing, by the sysreg file's names. */
static const struct idreg_field {
	const char *name;
	unsigned int reg, shift;
} idreg_fields[] = {
	{ "ISAR0.AES",		ISAR0,	 4 },
	{ "ISAR0.SHA3",		ISAR0,	32 },
	{ "PFR0.SVE",		PFR0,	32 },
	{ "ZFR0.SVEver",	ZFR0,	 0 },
	{ "ISAR1.APA",		ISAR1,	 4 },
	{ "ISAR1.API",		ISAR1,	 8 },
};

static int print_idregs(const struct auxv_view *v)
{
	unsigned long long regs[NR_IDREGS];
	const struct idreg_field *f;
	unsigned int i;

	if (!(v->hwcap >> HWCAP_CPUID_BIT & 1)) {
		printf("MRS not emulated (no cpuid hwcap)\n");
		return 0;
	}
	regs[PFR0] = read_idreg("S3_0_C0_C4_0");
	regs[PFR1] = read_idreg("S3_0_C0_C4_1");
	regs[ZFR0] = read_idreg("S3_0_C0_C4_4");
	regs[ISAR0] = read_idreg("S3_0_C0_C6_0");
	regs[ISAR1] = read_idreg("S3_0_C0_C6_1");
	regs[ISAR2] = read_idreg("S3_0_C0_C6_2");

	for (i = 0; i < NR_IDREGS; i++)
		printf("%s=0x%016llx\n", idreg_names[i], regs[i]);
	for (f = idreg_fields; f < idreg_fields + ARRAY_SIZE(idreg_fields); f++)
		printf("%s=%llu\n", f->name, regs[f->reg] >> f->shift & 0xf);
	return 0;
}

#else

static int print_idregs(const struct auxv_view *v)
{
	printf("n/a (no arm64 ID registers)\n");
	return 0;
}

#endif

/*
 * The selected features that the first CPUINFO_FLAGS line of /proc/cpuinfo
 * names, in table order, then how many names that line has in all.
 */
static int print_cpuinfo(void)
{
	static char line[16384];
	const char *sep = "", *flags, *p;
	unsigned int i, all = 0;

	if (!read_line("/proc/cpuinfo", CPUINFO_FLAGS, line, sizeof(line)) ||
	    strncmp(line, CPUINFO_FLAGS, strlen(CPUINFO_FLAGS))) {
		fprintf(stderr, "cpufeat-probe: no \"%s\" line in /proc/cpuinfo\n",
			CPUINFO_FLAGS);
		return 1;
	}
	/* "flags\t\t: fpu vme ..." */
	flags = strchr(line, ':');
	flags = flags ? flags + 1 : line + strlen(line);
	flags += strspn(flags, " \t");

	for (i = 0; i < NR_SELECTED; i++) {
		if (has_word(flags, SELECTED(i))) {
			printf("%s%s", sep, SELECTED(i));
			sep = " ";
		}
	}
	putchar('\n');

	for (p = flags; *p; all++) {
		p += strcspn(p, " \t");
		p += strspn(p, " \t");
	}
	printf("%u flags\n", all);
	return 0;
}

/* The named bits of one auxv word that disagree with @view. */
static int check_hwcap_word(unsigned long value, const char * const *names,
			    const char *word, const char *view)
{
	unsigned int bit;
	bool set;
	int bad = 0;

	for (bit = 0; bit < NR_BITS; bit++) {
		if (!names[bit])
			continue;
		set = value >> bit & 1;
		if (set == has_word(view, names[bit]))
			continue;
		fprintf(stderr, "cpufeat-probe: %s bit %u (%s) %s, but the view %s it\n",
			word, bit, names[bit], set ? "set" : "clear",
			set ? "lacks" : "has");
		bad++;
	}
	return bad;
}

static int check_view(const struct auxv_view *v)
{
	static char view[16384], machine[16384];
	bool restricted;
	int bad;

	if (!read_line("/proc/self/cpufeat", "", view, sizeof(view)) ||
	    !read_line("/proc/1/cpufeat", "", machine, sizeof(machine))) {
		perror("cpufeat-probe: /proc/{self,1}/cpufeat");
		return 1;
	}
	restricted = strcmp(view, machine);
	bad = check_hwcap_word(v->hwcap, hwcap_names, "AT_HWCAP", view);
	bad += check_hwcap_word(v->hwcap2, hwcap2_names, "AT_HWCAP2", view);
	bad += check_cpuid(view, restricted);
	if (bad)
		return 1;
	printf("%s\n", view);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: cpufeat-probe [--hwcap | --names | --cpuid | --cpuid-raw | --cpuinfo |\n"
		"                      --idregs | --check]\n"
		"  (none)       report what this program is told about the CPU\n"
		"  --hwcap      AT_HWCAP=0x... AT_HWCAP2=0x...\n"
		"  --names      the names of the AT_HWCAP and AT_HWCAP2 bits set\n"
		"  --cpuid      which of a selection of features CPUID reports (x86)\n"
		"  --cpuid-raw  CPUID 1 ECX/EDX and 7.0 EBX/ECX/EDX in hex (x86)\n"
		"  --cpuinfo    which of the same selection /proc/cpuinfo names,\n"
		"               then how many flags it names in all\n"
		"  --idregs     the arm64 ID registers as MRS reads them, then a few\n"
		"               of their fields (arm64)\n"
		"  --check      check that the auxv, and CPUID on x86, agree with\n"
		"               /proc/self/cpufeat; print it (exit 0) or what\n"
		"               disagrees (exit 1)\n");
}

int main(int argc, char **argv)
{
	struct auxv_view v;
	char names[4096] = "";

	if (argc > 2) {
		usage(stderr);
		return 2;
	}
	if (read_auxv(&v)) {
		perror("cpufeat-probe: /proc/self/auxv");
		return 1;
	}

	if (argc == 1) {
		report(&v);
	} else if (!strcmp(argv[1], "--hwcap")) {
		printf("AT_HWCAP=0x%lx AT_HWCAP2=0x%lx\n", v.hwcap, v.hwcap2);
	} else if (!strcmp(argv[1], "--names")) {
		decode(v.hwcap, hwcap_names, "hwcap", names, sizeof(names));
		decode(v.hwcap2, hwcap2_names, "hwcap2", names, sizeof(names));
		printf("%s\n", names);
	} else if (!strcmp(argv[1], "--cpuid")) {
		return print_cpuid();
	} else if (!strcmp(argv[1], "--cpuid-raw")) {
		return print_cpuid_raw();
	} else if (!strcmp(argv[1], "--cpuinfo")) {
		return print_cpuinfo();
	} else if (!strcmp(argv[1], "--idregs")) {
		return print_idregs(&v);
	} else if (!strcmp(argv[1], "--check")) {
		return check_view(&v);
	} else if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
	} else {
		usage(stderr);
		return 2;
	}
	return 0;
}
