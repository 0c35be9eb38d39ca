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
 *
 * The auxiliary vector is read from /proc/self/auxv: a static glibc on
 * x86-64 answers getauxval(AT_HWCAP) with a value of its own.
 *
 * Later: CPUID, ID registers and /proc/cpuinfo as the program sees them
 * belong in report() next to the auxiliary vector.
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

static void usage(FILE *f)
{
	fprintf(f,
		"usage: cpufeat-probe [--hwcap | --names]\n"
		"  (none)   report what this program is told about the CPU\n"
		"  --hwcap  AT_HWCAP=0x... AT_HWCAP2=0x...\n"
		"  --names  the names of the AT_HWCAP and AT_HWCAP2 bits set\n");
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
	} else if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
	} else {
		usage(stderr);
		return 2;
	}
	return 0;
}
