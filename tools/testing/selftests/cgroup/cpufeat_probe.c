// SPDX-License-Identifier: GPL-2.0
/*
 * cpufeat_probe: show what the running program is told about the CPU.
 * test_cpufeat runs it in the cgroups it tests; people and scripts run it
 * to see what a cgroup's programs are told.
 *
 *   cpufeat_probe            a readable report: AT_HWCAP and AT_HWCAP2 (hex
 *                            and names), AT_SECURE, the cgroup and the
 *                            /proc/self/cpufeat line
 *   cpufeat_probe --hwcap    "AT_HWCAP=0x... AT_HWCAP2=0x..." for scripts
 *   cpufeat_probe --names    the names of the AT_HWCAP and AT_HWCAP2 bits
 *                            that are set, on one line
 *   cpufeat_probe --cpuid    which of a fixed selection of well-known
 *                            features the CPUID instruction reports, by
 *                            their /proc/cpuinfo names, on one line (x86;
 *                            elsewhere "n/a")
 *   cpufeat_probe --cpuid-raw
 *                            CPUID 1 ECX/EDX and 7.0 EBX/ECX/EDX in hex
 *   cpufeat_probe --cpuinfo  which of the same selection the first "flags"
 *                            ("Features" on arm64) line of /proc/cpuinfo
 *                            names, on one line, then "N flags" for all
 *                            the names on that line
 *   cpufeat_probe --idregs   the user-visible arm64 ID registers as MRS
 *                            reads them, "NAME=0x%016lx" one a line, then a
 *                            few of their fields decoded, "REG.FIELD=N"
 *                            (elsewhere "n/a")
 *   cpufeat_probe --check    check that what this program is told agrees
 *                            with its view (/proc/self/cpufeat): a named
 *                            AT_HWCAP or AT_HWCAP2 bit is set exactly when
 *                            its feature is in the view; on x86, a feature
 *                            of the selection in the view is in CPUID, and
 *                            if the view is restricted (differs from that
 *                            of init, /proc/1/cpufeat), CPUID reports none
 *                            outside it.  Prints the view and exits 0, or
 *                            says what disagrees on stderr and exits 1.
 *   cpufeat_probe --script SCRIPT
 *                            for test_cpufeat: report on stdout, one line
 *                            per report, doing what each character of
 *                            SCRIPT says:
 *
 *   r  "view hwcap=0x... hwcap2=0x... secure=N cpufeat=NAMES": AT_HWCAP,
 *      AT_HWCAP2 and AT_SECURE, and /proc/self/cpufeat
 *   w  wait for a byte on stdin
 *   f  fork; the child reports ("r") and exits (no exec), the parent waits
 *   x  exec itself with the rest of SCRIPT
 *   p  "cpuinfo processors=N same=M flags=...": how many processors
 *      /proc/cpuinfo lists, how many have the first one's feature line,
 *      and that line
 *
 * and the commands of the architecture, listed in cpufeat_x86.c and
 * cpufeat_arm64.c (CPUID and ID register dumps...).
 *
 * The auxiliary vector is read from /proc/self/auxv: a static glibc on
 * x86-64 answers getauxval(AT_HWCAP) with a value of its own.  CPUID is
 * executed here, not asked of the C library, which caches what it saw at
 * startup.  Likewise MRS: EL0 reads of the ID registers trap and the kernel
 * emulates them, so what this program reads is what the kernel tells it.
 */
#define _GNU_SOURCE

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../kselftest.h"
#include "cpufeat_util.h"

#define WRAP		72
#define INDENT		"            "

/* The options of the architectures, and what the others print instead. */
static const struct {
	const char *option;
	const char *usage;
	const char *elsewhere;
} arch_options[] = {
	{ "--cpuid", "which of a selection of features CPUID reports (x86)",
	  "no CPUID instruction" },
	{ "--cpuid-raw", "CPUID 1 ECX/EDX and 7.0 EBX/ECX/EDX in hex (x86)",
	  "no CPUID instruction" },
	{ "--idregs", "the arm64 ID registers as MRS reads them, then a few\n"
		      "               of their fields (arm64)",
	  "no arm64 ID registers" },
};

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

/* "r": one view report. */
static void report_view(void)
{
	char cpufeat[LIST_SIZE];
	struct auxv_view v;
	ssize_t len;

	if (read_auxv(&v)) {
		dprintf(STDOUT_FILENO, "error: /proc/self/auxv: %s\n",
			strerror(errno));
		return;
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
		v.hwcap, v.hwcap2, v.secure, cpufeat);
}

/* "p": the feature lines of /proc/cpuinfo. */
static void report_cpuinfo(void)
{
	const char *key = cpufeat_arch.cpuinfo_key;
	char *line = NULL, *first = NULL, *p;
	int processors = 0, same = 0;
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
		if (strncmp(line, key, strlen(key)) || !p)
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

/* "f": fork a child that reports its view. */
static int fork_and_report(void)
{
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid) {
		report_view();
		_exit(0);
	}
	return waitpid(pid, NULL, 0) == pid ? 0 : -1;
}

static int run_script(const char *script)
{
	char c;

	for (; *script; script++) {
		switch (*script) {
		case 'r':
			report_view();
			break;
		case 'w':
			if (read(STDIN_FILENO, &c, 1) != 1)
				return 1;
			break;
		case 'f':
			if (fork_and_report())
				return 1;
			break;
		case 'x':
			execl("/proc/self/exe", PROBE_NAME, PROBE_SCRIPT,
			      script + 1, NULL);
			return 1;
		case 'p':
			report_cpuinfo();
			break;
		default:
			if (!cpufeat_arch.probe_command ||
			    cpufeat_arch.probe_command(*script))
				return 1;
			break;
		}
	}
	return 0;
}

/* Append the names of the bits set in @value to @out; "word[n]" if unnamed. */
static void decode(unsigned long value, const char * const *names,
		   const char *word, char *out, size_t size)
{
	size_t len = strlen(out);
	unsigned int bit;

	for (bit = 0; bit < 8 * sizeof(value) && len < size; bit++) {
		if (!(value >> bit & 1))
			continue;
		if (names && names[bit])
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

static void print_word(const char *label, unsigned long value,
		       const char * const *names, const char *word)
{
	char line[4096] = "", hex[32];

	snprintf(hex, sizeof(hex), "0x%lx", value);
	print_wrapped(label, hex);
	decode(value, names, word, line, sizeof(line));
	print_wrapped("", line);
}

static void report(const struct auxv_view *v)
{
	char line[LIST_SIZE], secure[32];

	/* cgroup v2: "0::/path" */
	if (!read_line("/proc/self/cgroup", "0::", line, sizeof(line)))
		snprintf(line, sizeof(line), "(unknown)");
	print_wrapped("cgroup:", strncmp(line, "0::", 3) ? line : line + 3);
	snprintf(secure, sizeof(secure), "%lu", v->secure);
	print_wrapped("AT_SECURE:", secure);
	print_word("AT_HWCAP:", v->hwcap, cpufeat_arch.hwcap_names[0],
		   "hwcap");
	print_word("AT_HWCAP2:", v->hwcap2, cpufeat_arch.hwcap_names[1],
		   "hwcap2");
	if (!read_line("/proc/self/cpufeat", "", line, sizeof(line)))
		snprintf(line, sizeof(line), "(no /proc/self/cpufeat: %s)",
			 strerror(errno));
	print_wrapped("cpufeat:", line);
}

/*
 * The selected features that the first feature line of /proc/cpuinfo
 * names, in the selection's order, then how many names that line has.
 */
static int print_cpuinfo(void)
{
	const char * const *name = cpufeat_arch.selection;
	const char *key = cpufeat_arch.cpuinfo_key;
	static char line[LIST_SIZE], selected[LIST_SIZE];
	const char *flags;

	if (!read_line("/proc/cpuinfo", key, line, sizeof(line)) ||
	    strncmp(line, key, strlen(key))) {
		fprintf(stderr, "cpufeat_probe: no \"%s\" line in /proc/cpuinfo\n",
			key);
		return 1;
	}
	/* "flags\t\t: fpu vme ..." */
	flags = strchr(line, ':');
	flags = flags ? flags + 1 : line + strlen(line);
	for (; name && *name; name++)
		if (list_has(flags, *name))
			list_append(selected, sizeof(selected), *name);
	printf("%s\n%d flags\n", selected, list_count(flags));
	return 0;
}

/* The named bits of one auxv word that disagree with @view. */
static int check_hwcap_word(unsigned long value, const char * const *names,
			    const char *word, const char *view)
{
	unsigned int bit;
	int bad = 0;
	bool set;

	for (bit = 0; names && bit < 8 * sizeof(value); bit++) {
		if (!names[bit])
			continue;
		set = value >> bit & 1;
		if (set == list_has(view, names[bit]))
			continue;
		fprintf(stderr, "cpufeat_probe: %s bit %u (%s) %s, but the view %s it\n",
			word, bit, names[bit], set ? "set" : "clear",
			set ? "lacks" : "has");
		bad++;
	}
	return bad;
}

static int check_view(const struct auxv_view *v)
{
	static char view[LIST_SIZE], machine[LIST_SIZE];
	int bad;

	if (!read_line("/proc/self/cpufeat", "", view, sizeof(view)) ||
	    !read_line("/proc/1/cpufeat", "", machine, sizeof(machine))) {
		perror("cpufeat_probe: /proc/{self,1}/cpufeat");
		return 1;
	}
	bad = check_hwcap_word(v->hwcap, cpufeat_arch.hwcap_names[0],
			       "AT_HWCAP", view);
	bad += check_hwcap_word(v->hwcap2, cpufeat_arch.hwcap_names[1],
				"AT_HWCAP2", view);
	if (cpufeat_arch.probe_check)
		bad += cpufeat_arch.probe_check(view, strcmp(view, machine));
	if (bad)
		return 1;
	printf("%s\n", view);
	return 0;
}

/* An option of the architecture's, or "n/a" where it has none. */
static int arch_option(const char *option, const struct auxv_view *v)
{
	const struct probe_mode *m = cpufeat_arch.probe_modes;
	int i;

	for (; m && m->option; m++)
		if (!strcmp(m->option, option))
			return m->fn(v->hwcap);
	for (i = 0; i < ARRAY_SIZE(arch_options); i++) {
		if (!strcmp(arch_options[i].option, option)) {
			printf("n/a (%s)\n", arch_options[i].elsewhere);
			return 0;
		}
	}
	return -1;
}

static void print_usage(FILE *f)
{
	int i;

	fprintf(f,
		"usage: cpufeat_probe [--hwcap | --names | --cpuid | --cpuid-raw | --cpuinfo |\n"
		"                      --idregs | --check | --script SCRIPT]\n"
		"  (none)       report what this program is told about the CPU\n"
		"  --hwcap      AT_HWCAP=0x... AT_HWCAP2=0x...\n"
		"  --names      the names of the AT_HWCAP and AT_HWCAP2 bits set\n"
		"  --cpuinfo    which of a selection of features /proc/cpuinfo\n"
		"               names, then how many flags it names in all\n");
	for (i = 0; i < ARRAY_SIZE(arch_options); i++)
		fprintf(f, "  %-12s %s\n", arch_options[i].option,
			arch_options[i].usage);
	fprintf(f,
		"  --check      check that the auxv, and CPUID on x86, agree with\n"
		"               /proc/self/cpufeat; print it (exit 0) or what\n"
		"               disagrees (exit 1)\n"
		"  --script S   the reports test_cpufeat asks for\n");
}

int main(int argc, char **argv)
{
	char names[4096] = "";
	struct auxv_view v;
	int ret;

	if (argc == 3 && !strcmp(argv[1], PROBE_SCRIPT))
		return run_script(argv[2]);
	if (argc > 2) {
		print_usage(stderr);
		return 2;
	}
	if (read_auxv(&v)) {
		perror("cpufeat_probe: /proc/self/auxv");
		return 1;
	}

	if (argc == 1) {
		report(&v);
	} else if (!strcmp(argv[1], "--hwcap")) {
		printf("AT_HWCAP=0x%lx AT_HWCAP2=0x%lx\n", v.hwcap, v.hwcap2);
	} else if (!strcmp(argv[1], "--names")) {
		decode(v.hwcap, cpufeat_arch.hwcap_names[0], "hwcap", names,
		       sizeof(names));
		decode(v.hwcap2, cpufeat_arch.hwcap_names[1], "hwcap2", names,
		       sizeof(names));
		printf("%s\n", names);
	} else if (!strcmp(argv[1], "--cpuinfo")) {
		return print_cpuinfo();
	} else if (!strcmp(argv[1], "--check")) {
		return check_view(&v);
	} else if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		print_usage(stdout);
	} else {
		ret = arch_option(argv[1], &v);
		if (ret >= 0)
			return ret;
		print_usage(stderr);
		return 2;
	}
	return 0;
}
