// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side unit tests of the cpufeat tool's pure logic (features.c):
 * feature sets, the saved-file format, presets, specs, predictions, ISA
 * baseline checks and the ELF ISA level note.  Prints TAP; exits 1 if a
 * test failed.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpufeat.h"

static int nr_tests, nr_failed;

static void ok(int cond, const char *fmt, ...)
{
	char desc[1024];
	va_list ap;
	char *p;

	nr_tests++;
	if (!cond)
		nr_failed++;
	printf("%sok %d - ", cond ? "" : "not ", nr_tests);
	va_start(ap, fmt);
	vsnprintf(desc, sizeof(desc), fmt, ap);
	va_end(ap);
	/* one line: control characters as \n, \t, \r */
	for (p = desc; *p; p++) {
		if (*p == '\n' || *p == '\t' || *p == '\r')
			printf("\\%c", *p == '\n' ? 'n' : *p == '\t' ? 't' : 'r');
		else
			putchar(*p);
	}
	putchar('\n');
}

static int joined_is(const struct featset *fs, const char *want)
{
	char *s = fs_join(fs);
	int r = !strcmp(s, want);

	if (!r)
		printf("# got \"%s\", want \"%s\"\n", s, want);
	free(s);
	return r;
}

static void test_featset(void)
{
	struct featset a, b;

	fs_init(&a);
	fs_init(&b);
	fs_add_words(&a, "  fpu\tsse\n sse2 sse fpu ");
	ok(joined_is(&a, "fpu sse sse2"), "words split on space/tab/newline, no repeats");
	fs_add_words(&b, "sse2 avx fpu");
	fs_intersect(&a, &b);
	ok(joined_is(&a, "fpu sse2"), "intersection keeps the first set's order");
	fs_minus(&b, &a);
	ok(joined_is(&b, "avx"), "difference");
	fs_del(&b, "avx");
	fs_del(&b, "nothing");
	ok(b.nr == 0 && joined_is(&b, ""), "delete, and the empty set joins to \"\"");
	ok(valid_name("sse4_2") && valid_name("avx512f") && !valid_name("SSE") &&
	   !valid_name("") && !valid_name("a-b") && !valid_name("x86-64-v2"),
	   "valid names: lower case, digits and _ only");
	fs_free(&a);
	fs_free(&b);
}

static const char good[] =
	"# saved by hand\n"
	"cpufeat-features 1\n"
	"\n"
	"arch x86_64\n"
	"kernel 6.12.9-amd64\n"
	"cpu Intel(R) Xeon(R) CPU @ 2.20GHz \t\n"
	"features fpu vme cx8 sse sse2 pni\n";

/* An input a parser must reject with an error that has @want. */
struct bad_input {
	const char *text, *want, *what;
};

static void bad(const struct bad_input *in)
{
	char err[ERRLEN] = "";
	struct machine m;
	int r = parse_saved(in->text, "f", &m, err);

	ok(r == -1 && strstr(err, in->want), "rejected: %s (%s)", in->what,
	   err);
	if (r == 0)
		machine_free(&m);
}

static const struct bad_input bad_saved[] = {
	{ "", "empty file", "empty file" },
	{ "# only a comment\n", "no \"cpufeat-features 1\"", "no magic line" },
	{ "arch x86_64\n", "f:1: not a saved feature set", "magic not first" },
	{ "cpufeat-features 2\n",
	  "f:1: unsupported format version \"2\"", "version 2" },
	{ "cpufeat-features 1x\n", "unsupported format version", "version 1x" },
	{ "cpufeat-features\n", "unsupported format version", "no version" },
	{ "cpufeat-features 1\nfeatures fpu\n", "missing \"arch\"", "no arch" },
	{ "cpufeat-features 1\narch x86_64\n",
	  "missing \"features\"", "no features line" },
	{ "cpufeat-features 1\narch x86_64\nfeatures\n",
	  "f:3: no features", "empty features" },
	{ "cpufeat-features 1\narch riscv\nfeatures a\n",
	  "f:2: unknown architecture", "unknown arch" },
	{ "cpufeat-features 1\narch x86_64\narch x86_64\nfeatures a\n",
	  "f:3: \"arch\" given twice", "arch twice" },
	{ "cpufeat-features 1\narch x86_64\nfeatures a\nfeatures b\n",
	  "f:4: \"features\" given twice", "features twice" },
	{ "cpufeat-features 1\narch x86_64\nfeatures a b a\n",
	  "f:3: feature \"a\" listed twice", "duplicate feature" },
	{ "cpufeat-features 1\narch x86_64\nfeatures fpu SSE\n",
	  "f:3: invalid feature name \"SSE\"", "upper-case name" },
	{ "cpufeat-features 1\narch x86_64\nfeatures fpu +sse\n",
	  "invalid feature name \"+sse\"", "edit in a file" },
	{ "cpufeat-features 1\narch x86_64\nflags fpu\n",
	  "f:3: unknown key \"flags\"", "unknown key" },
	{ "cpufeat-features 1\r\narch x86_64\n",
	  "f:1: carriage return", "CRLF" },
	{ "cpufeat-features 1\n arch x86_64\n",
	  "f:2: line starts with white space", "indented line" },
	{ "cpufeat-features 1\narch x86_64\ncpu\nfeatures a\n",
	  "f:3: \"cpu\" has no value", "empty cpu" },
};

static void test_parse(void)
{
	char err[ERRLEN] = "", buf[4096];
	struct machine m, m2;
	FILE *f;
	size_t i;

	ok(parse_saved(good, "f", &m, err) == 0, "parses a valid file %s", err);
	ok(!strcmp(m.arch, "x86_64") && !strcmp(m.kernel, "6.12.9-amd64") &&
	   !strcmp(m.cpu, "Intel(R) Xeon(R) CPU @ 2.20GHz") &&
	   joined_is(&m.feat, "fpu vme cx8 sse sse2 pni"),
	   "fields read, trailing blanks dropped");
	f = fmemopen(buf, sizeof(buf), "w");
	write_saved(f, &m);
	fclose(f);
	ok(parse_saved(buf, "g", &m2, err) == 0 && !strcmp(m2.cpu, m.cpu) &&
	   joined_is(&m2.feat, "fpu vme cx8 sse sse2 pni"),
	   "what write_saved() writes parses back to the same set");
	ok(!strncmp(buf, "cpufeat-features 1\narch x86_64\nkernel ", 37),
	   "written format starts with the magic line and arch");
	machine_free(&m);
	machine_free(&m2);

	ok(parse_saved("cpufeat-features 1\narch arm64\nfeatures fp asimd", "f",
		       &m, err) == 0 && !strcmp(m.kernel, "unknown") &&
	   !strcmp(m.cpu, "unknown") && m.feat.nr == 2,
	   "kernel and cpu optional, no final newline needed");
	machine_free(&m);

	for (i = 0; i < ARRAY_SIZE(bad_saved); i++)
		bad(&bad_saved[i]);
}

static void test_presets(void)
{
	const struct preset *p;
	struct featset fs, prev;
	int good_names = 1, good_bases = 1;

	fs_init(&fs);
	preset_features(find_preset("x86-64-v1"), &fs);
	ok(joined_is(&fs, "fpu cx8 cmov mmx fxsr sse sse2 syscall lm"), "x86-64-v1");
	fs_free(&fs);
	preset_features(find_preset("x86-64-v2"), &fs);
	ok(fs.nr == 16 && fs_has(&fs, "cx16") && fs_has(&fs, "lahf_lm") &&
	   fs_has(&fs, "popcnt") && fs_has(&fs, "pni") && fs_has(&fs, "ssse3") &&
	   fs_has(&fs, "sse4_1") && fs_has(&fs, "sse4_2") && fs_has(&fs, "sse2"),
	   "x86-64-v2 is v1 plus cx16 lahf_lm popcnt pni ssse3 sse4_1 sse4_2");
	fs_free(&fs);
	preset_features(find_preset("x86-64-v3"), &fs);
	ok(fs_has(&fs, "avx2") && fs_has(&fs, "bmi1") && fs_has(&fs, "bmi2") &&
	   fs_has(&fs, "abm") && fs_has(&fs, "movbe") && fs_has(&fs, "fma") &&
	   fs_has(&fs, "f16c") && fs_has(&fs, "xsave") && !fs_has(&fs, "avx512f"),
	   "x86-64-v3: glibc's v3 list (lzcnt is abm) and xsave, no AVX-512");
	fs_free(&fs);
	preset_features(find_preset("x86-64-v4"), &fs);
	ok(fs.nr == 30 && fs_has(&fs, "avx512vl") && fs_has(&fs, "cx16"),
	   "x86-64-v4 has all 30 features of v1..v4");
	fs_free(&fs);
	preset_features(find_preset("armv8.1-a"), &fs);
	ok(joined_is(&fs, "fp asimd cpuid crc32 atomics asimdrdm"), "armv8.1-a");
	fs_free(&fs);
	preset_features(find_preset("armv9.0-a"), &fs);
	ok(fs_has(&fs, "sve2") && fs_has(&fs, "bti") && !fs_has(&fs, "bf16"),
	   "armv9.0-a is armv8.5-a plus sve sve2, without armv8.6-a's bf16");
	fs_free(&fs);
	ok(!find_preset("x86-64-v5") && !find_preset("fpu"), "unknown presets");

	fs_init(&prev);
	for (p = presets; p->name; p++) {
		const struct preset *b = p->base ? find_preset(p->base) : NULL;
		size_t i;

		fs_init(&fs);
		fs_add_words(&fs, p->adds);
		for (i = 0; i < fs.nr; i++)
			good_names &= valid_name(fs.names[i]);
		fs_free(&fs);
		if (p->base && (!b || strcmp(b->arch, p->arch) || b >= p))
			good_bases = 0;
		/* a level adds something new */
		fs_init(&fs);
		if (b)
			preset_features(b, &prev);
		fs_add_words(&fs, p->adds);
		fs_intersect(&fs, &prev);
		if (fs.nr)
			good_bases = 0;
		fs_free(&fs);
		fs_free(&prev);
	}
	ok(good_names, "every preset feature is a valid name");
	ok(good_bases, "every preset extends an earlier one of its arch with new names only");
	ok(!strcmp(arch_baseline("x86_64"), "x86-64-v1") &&
	   !strcmp(arch_baseline("arm64"), "armv8.0-a"), "architecture baselines");
}

static int stub_load(const char *path, struct machine *m, char *err)
{
	const char *text;

	if (!strcmp(path, "./weak"))
		text = "cpufeat-features 1\narch x86_64\nfeatures fpu sse sse2 pni\n";
	else if (!strcmp(path, "./arm"))
		text = "cpufeat-features 1\narch arm64\nfeatures fp asimd\n";
	else
		text = "broken\n";
	return parse_saved(text, path, m, err);
}

static const char * const machine_list[] = {
	"fpu cx8 cmov mmx fxsr sse sse2 syscall lm",
	"pni ssse3 sse4_1 sse4_2 popcnt cx16 lahf_lm avx avx2",
};

static void add_machine(struct featset *fs)
{
	fs_add_words(fs, machine_list[0]);
	fs_add_words(fs, machine_list[1]);
}

/* Render @spec (words separated by '|' into separate arguments). */
static char *render(const char *arch, const char *spec, char *err)
{
	char *copy = strdup(spec), *words[16], *tok, *save, *out = NULL;
	struct featset mach;
	struct spec s;
	int nr = 0;

	for (tok = strtok_r(copy, "|", &save); tok && nr < 16;
	     tok = strtok_r(NULL, "|", &save))
		words[nr++] = tok;
	fs_init(&mach);
	add_machine(&mach);
	spec_init(&s);
	*err = '\0';
	if (!spec_parse(&s, arch, words, nr, stub_load, err))
		out = spec_render(&s, &mach, err);
	spec_free(&s);
	fs_free(&mach);
	free(copy);
	return out;
}

static void spec_is(const char *spec, const char *want)
{
	char err[ERRLEN];
	char *got = render("x86_64", spec, err);

	ok(got && !strcmp(got, want), "spec \"%s\" -> \"%s\" (got \"%s\"%s%s)",
	   spec, want, got ? got : "(error)", *err ? ": " : "", err);
	free(got);
}

static void spec_bad(const char *arch, const char *spec, const char *want)
{
	char err[ERRLEN];
	char *got = render(arch, spec, err);

	ok(!got && strstr(err, want), "spec \"%s\" rejected: %s", spec, err);
	free(got);
}

static void test_spec(void)
{
	spec_is("max", "max");
	spec_is("\tmax\t", "max");
	spec_is("max -avx2 -lm",
		"fpu cx8 cmov mmx fxsr sse sse2 syscall pni ssse3 sse4_1 sse4_2 popcnt cx16 lahf_lm avx");
	spec_is("-avx2", "-avx2");
	spec_is("+avx|-avx2 -sse4_2", "+avx -avx2 -sse4_2");
	spec_is("x86-64-v1", "fpu cx8 cmov mmx fxsr sse sse2 syscall lm");
	spec_is("x86-64-v1 -mmx +pni", "fpu cx8 cmov fxsr sse sse2 syscall lm pni");
	spec_is("fpu|sse sse2", "fpu sse sse2");
	spec_is("x86-64-v1|fpu|fpu", "fpu cx8 cmov mmx fxsr sse sse2 syscall lm");
	spec_is("./weak +avx", "fpu sse sse2 pni avx");
	spec_is("./weak x86-64-v1", "fpu sse sse2 pni cx8 cmov mmx fxsr syscall lm");
	spec_bad("x86_64", "", "empty spec");
	spec_bad("x86_64", "  \t", "empty spec");
	spec_bad("x86_64", "max fpu", "\"max\" cannot be combined");
	spec_bad("x86_64", "max x86-64-v2", "\"max\" cannot be combined");
	spec_bad("x86_64", "+avx -avx", "both allowed and disallowed");
	spec_bad("x86_64", "-avx +avx", "both allowed and disallowed");
	spec_bad("x86_64", "SSE", "neither a feature name");
	spec_bad("x86_64", "x86-64-v9", "neither a feature name");
	spec_bad("x86_64", "+", "invalid feature name");
	spec_bad("x86_64", "--avx", "invalid feature name");
	spec_bad("x86_64", "armv8.0-a", "preset armv8.0-a is for arm64, not x86_64");
	spec_bad("arm64", "x86-64-v2", "preset x86-64-v2 is for x86_64, not arm64");
	spec_bad("x86_64", "./arm", "./arm: saved on arm64, not x86_64");
	spec_bad("x86_64", "./broken", "./broken:1: not a saved feature set");
	spec_bad("x86_64", "fpu -fpu", "allows no feature");
	spec_bad("x86_64",
		 "max -fpu -cx8 -cmov -mmx -fxsr -sse -sse2 -syscall -lm|-pni -ssse3 -sse4_1 -sse4_2 -popcnt -cx16 -lahf_lm -avx -avx2",
		 "allows no feature");
}

/* The kernel's names in a made-up order, for hwcap_apply(). */
static const char known_names[] = "fpu sse sse2 pni popcnt avx avx2 la57";

/*
 * Apply @written (of @len bytes, or strlen() if 0) to the setting
 * @current; want the error @want_err and then the setting @want (unchanged
 * on errors).
 */
static void apply_is(const char *written, size_t len, const char *current,
		     int want_err, const char *want)
{
	struct hwcap_setting s;
	struct featset known;
	char why[ERRLEN] = "";
	char *got;
	int err;

	fs_init(&known);
	fs_add_words(&known, known_names);
	hwcap_init(&s);
	hwcap_read(&s, current);
	err = hwcap_apply(written, len ? len : strlen(written), &known, &s, why);
	got = hwcap_show(&s);
	ok(err == want_err && !strcmp(got, want),
	   "write \"%.40s\" over \"%s\": %d \"%s\" (got %d \"%s\"%s%s)",
	   written, current, want_err, want, err, got, *why ? ": " : "", why);
	free(got);
	hwcap_free(&s);
	fs_free(&known);
}

/* Writes over a setting, as apply_is() takes them. */
struct write_case {
	const char *written;
	size_t len;
	const char *current;
	int err;
	const char *want;
};

static const struct write_case writes[] = {
	{ "max", 0, "fpu", 0, "max" },
	{ " \tmax\n", 0, "fpu", 0, "max" },
	{ "avx2 fpu", 0, "max", 0, "fpu avx2" },
	{ "avx2\tfpu\n", 0, "max", 0, "fpu avx2" },
	{ "-avx2 -pni", 0, "max", 0, "fpu sse sse2 popcnt avx la57" },
	{ "+avx -sse", 0, "fpu sse sse2", 0, "fpu sse2 avx" },
	{ "+la57", 0, "fpu", 0, "fpu la57" },
	{ "+fpu", 0, "fpu", 0, "fpu" },
	{ "-fpu", 0, "sse", 0, "sse" },
	{ "la57 avx2 avx popcnt pni sse2 sse fpu", 0, "fpu", 0, "max" },
	{ "+sse +sse2 +pni +popcnt +avx +avx2 +la57", 0, "fpu", 0, "max" },
	/* cgroup_file_write(): a write of 0 bytes succeeds, changing nothing */
	{ "", 0, "fpu", 0, "fpu" },
	{ "", 0, "max", 0, "max" },
	{ " \t\n", 0, "fpu", -EINVAL, "fpu" },
	{ "max max", 0, "fpu", -EINVAL, "fpu" },
	{ "max fpu", 0, "fpu", -EINVAL, "fpu" },
	{ "fpu max", 0, "sse", -EINVAL, "sse" },
	{ "-fpu max", 0, "max", -EINVAL, "max" },
	{ "fpu -sse", 0, "max", -EINVAL, "max" },
	{ "-sse fpu", 0, "max", -EINVAL, "max" },
	{ "fpu fpu", 0, "max", -EINVAL, "max" },
	{ "+fpu -fpu", 0, "max", -EINVAL, "max" },
	{ "fpu zz_unknown", 0, "max", -EINVAL, "max" },
	{ "FPU", 0, "max", -EINVAL, "max" },
	{ "+", 0, "max", -EINVAL, "max" },
	{ "++fpu", 0, "max", -EINVAL, "max" },
	{ "fpu,sse", 0, "max", -EINVAL, "max" },
	{ "-fpu", 0, "fpu", -EINVAL, "fpu" },
	{ "fpu\0sse", 7, "max", -EINVAL, "max" },
	{ "fpu\r", 0, "max", -EINVAL, "max" },
};

static void test_hwcap(void)
{
	struct featset parent, eff;
	struct hwcap_setting s;
	char *big;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(writes); i++)
		apply_is(writes[i].written, writes[i].len, writes[i].current,
			 writes[i].err, writes[i].want);

	big = malloc(HWCAP_MAX_WRITE + 2);
	memset(big, ' ', HWCAP_MAX_WRITE + 1);
	memcpy(big, "fpu", 3);
	big[HWCAP_MAX_WRITE] = '\0';
	apply_is(big, 0, "max", 0, "fpu");
	big[HWCAP_MAX_WRITE] = ' ';
	big[HWCAP_MAX_WRITE + 1] = '\0';
	apply_is(big, 0, "max", -E2BIG, "max");
	free(big);

	fs_init(&parent);
	fs_init(&eff);
	fs_add_words(&parent, "fpu sse sse2 pni");
	hwcap_init(&s);
	hwcap_read(&s, "avx2 pni fpu");
	hwcap_effective(&s, &parent, &eff);
	ok(joined_is(&eff, "fpu pni"), "effective: the parent's set, narrowed, in its order");
	hwcap_read(&s, "max\n");
	hwcap_effective(&s, &parent, &eff);
	ok(joined_is(&eff, "fpu sse sse2 pni"), "effective of max: the parent's set");
	hwcap_free(&s);
	fs_free(&parent);
	fs_free(&eff);
}

static void test_predict(void)
{
	struct featset mach, allowed, missing;

	fs_init(&mach);
	fs_init(&allowed);
	fs_init(&missing);
	add_machine(&mach);
	fs_add_words(&allowed, "fpu cx8 cmov mmx fxsr sse sse2 syscall lm pni ssse3 sse4_1 avx");
	baseline_missing("x86-64-v2", &mach, &allowed, &missing);
	ok(joined_is(&missing, "cx16 lahf_lm popcnt sse4_2"),
	   "baseline: the v2 features the machine has and the set lacks");
	baseline_missing("x86-64-v1", &mach, &allowed, &missing);
	ok(missing.nr == 0, "baseline: v1 complete");
	baseline_missing("x86-64-v3", &mach, &mach, &missing);
	ok(missing.nr == 0, "baseline: features the machine lacks (bmi1...) are not reported");
	baseline_missing("nonsense", &mach, &allowed, &missing);
	ok(missing.nr == 0, "baseline: unknown level reports nothing");
	fs_free(&mach);
	fs_free(&allowed);
	fs_free(&missing);
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static void put64(unsigned char *p, uint64_t v)
{
	put32(p, v);
	put32(p + 4, v >> 32);
}

/* A minimal ELF64 file with one note segment of type @pt. */
static size_t make_elf(unsigned char *buf, uint32_t pt, uint32_t prtype,
		       uint32_t bits)
{
	unsigned char *ph = buf + 64, *n = buf + 120;

	memset(buf, 0, 256);
	memcpy(buf, "\177ELF\2\1\1", 7);
	put64(buf + 32, 64);		/* e_phoff */
	buf[54] = 56;			/* e_phentsize */
	buf[56] = 1;			/* e_phnum */
	put32(ph, pt);
	put64(ph + 8, 120);		/* p_offset */
	put64(ph + 32, 48);		/* p_filesz */
	put64(ph + 48, 8);		/* p_align */
	/* note: namesz 4, descsz 32, NT_GNU_PROPERTY_TYPE_0, "GNU" */
	put32(n, 4);
	put32(n + 4, 32);
	put32(n + 8, 5);
	memcpy(n + 12, "GNU", 4);
	/* an unrelated property first (X86_FEATURE_1_AND), then ours */
	put32(n + 16, 0xc0000002);
	put32(n + 20, 4);
	put32(n + 24, 3);
	put32(n + 32, prtype);
	put32(n + 36, 4);
	put32(n + 40, bits);
	return 168;
}

static void test_elf(void)
{
	unsigned char buf[256];
	size_t len;

	len = make_elf(buf, 0x6474e553, 0xc0008002, 3);
	ok(elf_isa_needed(buf, len) == 3 &&
	   !strcmp(isa_level_name(3), "x86-64-v2"),
	   "PT_GNU_PROPERTY with ISA_1_NEEDED baseline|v2 -> x86-64-v2");
	len = make_elf(buf, 4, 0xc0008002, 0xf);
	ok(elf_isa_needed(buf, len) == 0xf &&
	   !strcmp(isa_level_name(0xf), "x86-64-v4"), "PT_NOTE, v4");
	len = make_elf(buf, 4, 0xc0008001, 1);
	ok(elf_isa_needed(buf, len) == -1, "no ISA_1_NEEDED property -> -1");
	len = make_elf(buf, 0x6474e553, 0xc0008002, 1);
	ok(elf_isa_needed(buf, 140) == -1, "truncated file -> -1");
	put32(buf + 120 + 4, 0xfffffff0);
	ok(elf_isa_needed(buf, len) == -1, "huge descsz -> -1");
	ok(elf_isa_needed((const unsigned char *)"#!/bin/sh\n", 10) == -1,
	   "not ELF -> -1");
	ok(!isa_level_name(-1) && !strcmp(isa_level_name(1), "x86-64-v1") &&
	   !strcmp(isa_level_name(4), "x86-64-v3"), "level names");
}

static void distro_is(const char *os_release, const char *want, int major)
{
	const struct distro_rule *r;
	int got_major = -1;

	r = distro_rule(os_release, &got_major);
	ok(want ? r && !strcmp(r->level, want) && got_major == major : !r,
	   "os-release \"%.50s\" -> %s", os_release, want ? want : "no rule");
}

static void test_distro(void)
{
	const struct distro_rule *r;
	char buf[16];
	int good = 1;

	distro_is("NAME=\"Red Hat Enterprise Linux\"\nID=\"rhel\"\nVERSION_ID=\"9.4\"\n", "x86-64-v2", 9);
	distro_is("ID=rhel\nVERSION_ID=10.0\n", "x86-64-v3", 10);
	distro_is("ID=\"rhel\"\nVERSION_ID=\"8.10\"\n", NULL, 0);
	distro_is("ID=\"centos\"\nVERSION_ID=\"9\"\n", "x86-64-v2", 9);
	distro_is("ID=\"centos\"\nVERSION_ID=\"10\"\n", "x86-64-v3", 10);
	distro_is("ID=\"rocky\"\nVERSION_ID=\"9.5\"\n", "x86-64-v2", 9);
	distro_is("ID=\"almalinux\"\nVERSION_ID=\"10.0\"\n", "x86-64-v3", 10);
	distro_is("ID=\"ol\"\nVERSION_ID=\"9.5\"\n", "x86-64-v2", 9);
	distro_is("ID=\"sles\"\nVERSION_ID=\"16.0\"\n", "x86-64-v2", 16);
	distro_is("ID=\"sles\"\nVERSION_ID=\"15.6\"\n", NULL, 0);
	distro_is("PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n", NULL, 0);
	distro_is("ID=fedora\nVERSION_ID=41\n", NULL, 0);
	distro_is("ID=\"rhel\"\n", NULL, 0);
	distro_is("ID=\"rhel\"\nVERSION_ID=\"\"\n", NULL, 0);
	distro_is("ID_LIKE=\"rhel\"\nID=\"foo\"\nVERSION_ID=\"9\"\n", NULL, 0);
	distro_is("XID=rhel\nID=rhell\nVERSION_ID=9\n", NULL, 0);
	ok(os_release_value("A=1\nID='x y'\n", "ID", buf, sizeof(buf)) &&
	   !strcmp(buf, "x y"), "os-release: single quotes");
	ok(!os_release_value("ID=0123456789abcdefg\n", "ID", buf, sizeof(buf)),
	   "os-release: a value longer than the buffer is no value");
	for (r = distro_rules_table(); r->id; r++)
		good &= find_preset(r->level) &&
			!strcmp(find_preset(r->level)->arch, "x86_64") &&
			r->major > 0;
	ok(good, "every distribution rule names an x86_64 preset");
}

static const char *names_file;

/* Classes as the architecture's manuals say. */
struct class_case {
	const char *name;
	enum feat_class cls;
};

static const struct class_case x86_classes[] = {
	{ "avx2", FC_ISA }, { "sse4_2", FC_ISA }, { "aes", FC_ISA },
	{ "avx512bw", FC_ISA }, { "amx_int8", FC_ISA }, { "rtm", FC_ISA },
	{ "erms", FC_HINT }, { "fsrm", FC_HINT }, { "hle", FC_HINT },
	{ "cldemote", FC_HINT }, { "constant_tsc", FC_HINT },
	{ "hypervisor", FC_KERNEL }, { "vmx", FC_KERNEL }, { "smep", FC_KERNEL },
	{ "md_clear", FC_KERNEL }, { "pcid", FC_KERNEL }, { "xsaves", FC_KERNEL },
	{ "avx", FC_STATE }, { "avx512f", FC_STATE }, { "amx_tile", FC_STATE },
	{ "pku", FC_STATE }, { "user_shstk", FC_STATE },
}, arm64_classes[] = {
	{ "sha3", FC_ISA }, { "atomics", FC_ISA }, { "sve2", FC_ISA },
	{ "smef64f64", FC_ISA }, { "bti", FC_HINT }, { "dgh", FC_HINT },
	{ "sve", FC_STATE }, { "sme", FC_STATE }, { "sme2", FC_STATE },
	{ "paca", FC_STATE }, { "pacg", FC_STATE }, { "mte", FC_STATE },
	{ "mte3", FC_STATE },
};

/*
 * Every name of tests/kernel-names-6.12.txt (what Linux 6.12 prints) has
 * an entry in classes.c, in the same order, with the same "cpufeat.hwcap
 * accepts it", and there is no other entry.
 */
static void test_classes_cover(const char *arch)
{
	char line[256], a[32], name[64], kind[16];
	const struct feat_info *f;
	size_t nr, i = 0;
	int bad = 0, listed = 0;
	unsigned long idx;
	FILE *in;

	f = arch_features(arch, &nr);
	in = names_file ? fopen(names_file, "r") : NULL;
	ok(in != NULL, "%s: the kernel's names (%s) readable", arch,
	   names_file ? names_file : "no file given");
	if (!in)
		return;
	while (fgets(line, sizeof(line), in)) {
		if (sscanf(line, "%31s %lu %63s %15s", a, &idx, name, kind) != 4 ||
		    strcmp(a, arch))
			continue;
		listed++;
		if (i >= nr || strcmp(f[i].name, name)) {
			printf("# %s: %s has no class (or is out of the kernel's order; table has \"%s\")\n",
			       arch, name, i < nr ? f[i].name : "nothing");
			bad++;
			continue;
		}
		if (f[i].cpufeat != !strcmp(kind, "cpufeat")) {
			printf("# %s: %s: the kernel says %s\n", arch, name, kind);
			bad++;
		}
		i++;
	}
	fclose(in);
	ok(listed > 0 && !bad, "%s: every one of the kernel's %d names has a class, in its order",
	   arch, listed);
	ok(i == nr, "%s: no class for a name the kernel does not have (%zu of %zu matched)",
	   arch, i, nr);
}

/* Does classes.c give each of the @n names of @cases its class on @arch? */
static int classes_as_listed(const char *arch, const struct class_case *cases,
			     size_t n)
{
	int good = 1;
	size_t i;

	for (i = 0; i < n; i++)
		if (feat_class(arch, cases[i].name) != cases[i].cls) {
			printf("# %s %s is %s\n", arch, cases[i].name,
			       class_name(feat_class(arch, cases[i].name)));
			good = 0;
		}
	return good;
}

static void test_classes(void)
{
	const struct feat_info *f;
	const struct preset *p;
	struct featset names, fs;
	size_t nr, i, j;
	int good;

	test_classes_cover("x86_64");
	test_classes_cover("arm64");
	ok(classes_as_listed("x86_64", x86_classes, ARRAY_SIZE(x86_classes)),
	   "x86_64: instruction sets, hints, kernel-only and state as the SDM/APM say");
	ok(classes_as_listed("arm64", arm64_classes, ARRAY_SIZE(arm64_classes)),
	   "arm64: instruction sets, hints and state as the Arm ARM says");
	ok(feat_class("x86_64", "sve") == FC_UNKNOWN &&
	   feat_class("arm64", "avx2") == FC_UNKNOWN &&
	   feat_class("riscv", "fpu") == FC_UNKNOWN &&
	   !strcmp(class_name(FC_UNKNOWN), "unknown") &&
	   !strcmp(class_name(FC_STATE), "state"),
	   "names of another architecture are unknown");
	good = 1;
	for (j = 0; j < 2; j++) {
		f = arch_features(j ? "arm64" : "x86_64", &nr);
		fs_init(&names);
		for (i = 0; i < nr; i++) {
			good &= valid_name(f[i].name) && !fs_has(&names, f[i].name) &&
				f[i].cls != FC_UNKNOWN;
			fs_add(&names, f[i].name);
		}
		fs_free(&names);
	}
	ok(good, "table names are valid, unique and classed");
	good = 1;
	for (p = presets; p->name; p++) {
		fs_init(&fs);
		preset_features(p, &fs);
		for (i = 0; i < fs.nr; i++) {
			enum feat_class c = feat_class(p->arch, fs.names[i]);

			if (c == FC_KERNEL || c == FC_UNKNOWN) {
				printf("# %s: %s is %s\n", p->name, fs.names[i],
				       class_name(c));
				good = 0;
			}
		}
		fs_free(&fs);
	}
	ok(good, "no preset feature is kernel-only or unclassed");
}

/* Parse @text; want success (and @check true of the tree) or an error. */
static void json_ok(const char *text, int want_ok, const char *what)
{
	char err[ERRLEN];
	struct jv *v = json_parse(text, err);

	ok(want_ok ? v != NULL : v == NULL, "JSON %s: %s%s%s", want_ok ? "parses" : "rejected",
	   what, v ? "" : ": ", v ? "" : err);
	jv_free(v);
}

static void test_json(void)
{
	char err[ERRLEN], buf[4096], deep[200];
	const struct jv *a;
	struct featset fs;
	struct jv *v;
	struct jw w;
	FILE *f;
	int i;

	v = json_parse(" {\"a\": [1, -2.5e3, true, false, null, \"x\\ty\\u00e9\\ud83d\\ude00\\/\"],"
		       " \"b\": {}, \"c\": [], \"a\": \"last\"} ", err);
	ok(v && v->type == JV_OBJECT && v->nr == 4, "an object with every kind of value %s", err);
	a = v ? v->items[0] : NULL;
	ok(a && a->type == JV_ARRAY && a->nr == 6 && a->items[0]->number == 1 &&
	   a->items[1]->number == -2500 && a->items[2]->boolean &&
	   !a->items[3]->boolean && a->items[4]->type == JV_NULL &&
	   !strcmp(a->items[5]->str, "x\ty\xc3\xa9\xf0\x9f\x98\x80/"),
	   "numbers, literals, escapes, UTF-8 from \\u and surrogate pairs");
	ok(v && !strcmp(jv_str(jv_get(v, "a")), "last") && !jv_get(v, "z") &&
	   !jv_str(jv_get(v, "b")) && !jv_get(a, "a"),
	   "a repeated key: the last wins; lookups of what is not there");
	jv_free(v);
	json_ok("\"\"", 1, "an empty string");
	json_ok("0", 1, "a lone number");
	json_ok("", 0, "nothing");
	json_ok("  ", 0, "blanks");
	json_ok("{", 0, "an open object");
	json_ok("[1,]", 0, "a trailing comma");
	json_ok("{\"a\":1,}", 0, "a trailing comma in an object");
	json_ok("{a:1}", 0, "an unquoted key");
	json_ok("{'a':1}", 0, "single quotes");
	json_ok("{\"a\" 1}", 0, "no colon");
	json_ok("[1 2]", 0, "no comma");
	json_ok("\"a\nb\"", 0, "a raw newline in a string");
	json_ok("\"\\x\"", 0, "an unknown escape");
	json_ok("\"\\u12\"", 0, "a short \\u escape");
	json_ok("\"\\ud800\"", 0, "a lone high surrogate");
	json_ok("\"\\udc00\"", 0, "a lone low surrogate");
	json_ok("\"\\u0000\"", 0, "a NUL character");
	json_ok("\"abc", 0, "an unterminated string");
	json_ok("01", 0, "a leading zero");
	json_ok("1.", 0, "a number ending in a point");
	json_ok("-", 0, "a lone minus");
	json_ok("1e", 0, "an empty exponent");
	json_ok("tru", 0, "a cut literal");
	json_ok("nulls", 0, "text after a literal");
	json_ok("{} {}", 0, "two documents");
	memset(deep, '[', JSON_MAX_DEPTH);
	memset(deep + JSON_MAX_DEPTH, ']', JSON_MAX_DEPTH);
	deep[2 * JSON_MAX_DEPTH] = '\0';
	json_ok(deep, 1, "nesting at the limit");
	memset(deep, '[', JSON_MAX_DEPTH + 1);
	memset(deep + JSON_MAX_DEPTH + 1, ']', JSON_MAX_DEPTH + 1);
	deep[2 * JSON_MAX_DEPTH + 2] = '\0';
	json_ok(deep, 0, "nesting past the limit");

	/* what the writer writes, the parser reads back */
	fs_init(&fs);
	fs_add_words(&fs, "fpu sse");
	f = fmemopen(buf, sizeof(buf), "w");
	jw_init(&w, f);
	jw_object(&w, NULL);
	jw_str(&w, "s", "q\"b\\n\nt\tc\x01");
	jw_str(&w, "null", NULL);
	jw_int(&w, "n", -42);
	jw_bool(&w, "t", true);
	jw_names(&w, "names", &fs);
	jw_array(&w, "empty");
	jw_end(&w, ']');
	jw_object(&w, "o");
	jw_array(&w, "x");
	jw_end(&w, ']');
	jw_end(&w, '}');
	jw_end(&w, '}');
	fclose(f);
	fs_free(&fs);
	v = json_parse(buf, err);
	ok(v && !strcmp(jv_str(jv_get(v, "s")), "q\"b\\n\nt\tc\x01") &&
	   jv_get(v, "null")->type == JV_NULL && jv_get(v, "n")->number == -42 &&
	   jv_get(v, "t")->boolean && jv_get(v, "names")->nr == 2 &&
	   !strcmp(jv_get(v, "names")->items[1]->str, "sse") &&
	   jv_get(v, "empty")->nr == 0 && jv_get(jv_get(v, "o"), "x") &&
	   buf[strlen(buf) - 1] == '\n',
	   "the writer's output parses back to what was written (%s)", err);
	jv_free(v);
	for (i = 0; buf[i] && buf[i] != '\n'; i++)
		;
	ok(buf[i] == '\n' && !buf[i + 1], "one document, one line");
}

/* A seeded xorshift, so that a failing fuzz run can be repeated. */
static unsigned int fuzz_seed = 12345;

static unsigned int fuzz_rand(void)
{
	fuzz_seed ^= fuzz_seed << 13;
	fuzz_seed ^= fuzz_seed >> 17;
	fuzz_seed ^= fuzz_seed << 5;
	return fuzz_seed;
}

static const char fuzz_base[] =
	"{\"kind\":\"List\",\"items\":[{\"kind\":\"Node\",\"metadata\":{\"name\":\"n1\","
	"\"labels\":{\"kubernetes.io/arch\":\"amd64\","
	"\"feature.node.kubernetes.io/cpu-cpuid.AVX2\":\"true\","
	"\"feature.node.kubernetes.io/cpu-cpuid.X86_64_V3\":\"true\","
	"\"feature.node.kubernetes.io/cpu-cpuid.AVX10_VERSION\":\"1\","
	"\"x\":[1,2.5e-3,null,false,\"\\u00e9\\ud83d\\ude00\"]}}}]}";

/*
 * Mutate a node list @n times (bytes replaced, inserted, deleted, runs
 * copied) and parse each: no crash, no leak (run it under ASan and UBSan),
 * and every answer is a tree or an error.
 */
static void test_fuzz(long n)
{
	static const char alphabet[] = "{}[]\":,\\tfnue0123456789.-+ \nabcX\x01\x7f\xc3";
	struct nfd_node *nodes;
	char buf[1024], err[ERRLEN];
	size_t len, pos;
	int bad = 0, parsed = 0, j, k, nr;
	struct jv *v;
	long i;

	for (i = 0; i < n; i++) {
		len = strlen(fuzz_base);
		memcpy(buf, fuzz_base, len + 1);
		for (j = fuzz_rand() % 4 + 1; j > 0; j--) {
			pos = fuzz_rand() % (len + 1);
			switch (fuzz_rand() % 4) {
			case 0:
				if (pos < len)
					buf[pos] = alphabet[fuzz_rand() % (sizeof(alphabet) - 1)];
				break;
			case 1:
				if (len + 2 < sizeof(buf)) {
					memmove(buf + pos + 1, buf + pos, len - pos + 1);
					buf[pos] = alphabet[fuzz_rand() % (sizeof(alphabet) - 1)];
					len++;
				}
				break;
			case 2:
				if (pos < len) {
					memmove(buf + pos, buf + pos + 1, len - pos);
					len--;
				}
				break;
			default:
				k = fuzz_rand() % 16;
				if (len + k + 1 < sizeof(buf) && pos + k <= len) {
					memmove(buf + pos + k, buf + pos, len - pos + 1);
					len += k;
				}
				break;
			}
		}
		v = json_parse(buf, err);
		if (!v && !*err)
			bad++;
		if (v) {
			parsed++;
			nr = nfd_nodes(v, &nodes, err);
			for (k = 0; k < nr; k++)
				nfd_node_free(&nodes[k]);
			if (nr > 0)
				free(nodes);
			else if (!*err)
				bad++;
		}
		jv_free(v);
	}
	ok(!bad, "fuzz: %ld mutated node lists (seed 12345), %d still JSON, each a tree or an error",
	   n, parsed);
}

/* A node of "kubectl get nodes -o json", with @labels (JSON members). */
static int nodes_of(const char *labels, struct nfd_node **nodes, char *err)
{
	char doc[8192];
	struct jv *v;
	int nr;

	snprintf(doc, sizeof(doc),
		 "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[{\"kind\":\"Node\","
		 "\"metadata\":{\"name\":\"n1\",\"labels\":{%s}},"
		 "\"status\":{\"nodeInfo\":{\"kernelVersion\":\"6.12.9\"}}}]}", labels);
	v = json_parse(doc, err);
	if (!v)
		return -1;
	nr = nfd_nodes(v, nodes, err);
	jv_free(v);
	return nr;
}

#define L(flag)	"\"feature.node.kubernetes.io/cpu-cpuid." flag "\":\"true\","

static void test_nfd(void)
{
	const struct nfd_flag *f;
	struct nfd_node *nodes;
	char err[ERRLEN], buf[64];
	const char * const *u;
	struct featset seen;
	int nr, good = 1;

	fs_init(&seen);
	for (f = nfd_flags_table(); f->nfd; f++) {
		if (feat_class("x86_64", f->kernel) == FC_UNKNOWN ||
		    fs_has(&seen, f->nfd)) {
			printf("# %s -> %s\n", f->nfd, f->kernel);
			good = 0;
		}
		fs_add(&seen, f->nfd);
	}
	fs_free(&seen);
	ok(good, "every NFD flag maps to a kernel name of the table, once");
	good = 1;
	for (u = nfd_unlabelled_table(); *u; u++)
		good &= nfd_kernel_name("x86_64", *u, buf) != NULL ||
			!strcmp(*u, "AVX10");
	ok(good, "every flag NFD does not label has a kernel name (but AVX10)");
	ok(!strcmp(nfd_kernel_name("x86_64", "SSE3", buf), "pni") &&
	   !strcmp(nfd_kernel_name("x86_64", "LZCNT", buf), "abm") &&
	   !strcmp(nfd_kernel_name("x86_64", "FMA3", buf), "fma") &&
	   !strcmp(nfd_kernel_name("x86_64", "AESNI", buf), "aes") &&
	   !nfd_kernel_name("x86_64", "AVXSLOW", buf) &&
	   !strcmp(nfd_kernel_name("arm64", "SMEI16I64", buf), "smei16i64") &&
	   !strcmp(nfd_kernel_name("arm64", "ASIMDFHM", buf), "asimdfhm") &&
	   !nfd_kernel_name("arm64", "IDIVA", buf) &&
	   !nfd_kernel_name("arm64", "AVX2", buf),
	   "x86: klauspost/cpuid names; arm64: the hwcap names in upper case");

	/* NFD v0.17 on a Skylake-SP: X86_64_V4, no BMI1/POPCNT/... labels */
	nr = nodes_of("\"kubernetes.io/arch\":\"amd64\","
		      L("ADX") L("AESNI") L("AVX") L("AVX2") L("AVX512BW")
		      L("AVX512CD") L("AVX512DQ") L("AVX512F") L("AVX512VL")
		      L("FMA3") L("HLE") L("IBPB") L("MOVBE") L("MPX") L("OSXSAVE")
		      L("RTM") L("STIBP") L("VMX") L("X87") L("XSAVE") L("AVXSLOW")
		      L("X86_64_V1") L("X86_64_V2") L("X86_64_V3") L("X86_64_V4")
		      "\"feature.node.kubernetes.io/cpu-cpuid.AVX10_VERSION\":\"1\","
		      "\"feature.node.kubernetes.io/cpu-model.vendor_id\":\"Intel\"",
		      &nodes, err);
	ok(nr == 1 && !strcmp(nodes[0].arch, "x86_64") &&
	   !strcmp(nodes[0].kernel, "6.12.9") &&
	   fs_has(&nodes[0].feat, "avx512f") && fs_has(&nodes[0].feat, "fma") &&
	   fs_has(&nodes[0].feat, "bmi2") && fs_has(&nodes[0].feat, "popcnt") &&
	   fs_has(&nodes[0].feat, "cx16") && fs_has(&nodes[0].feat, "abm") &&
	   !fs_has(&nodes[0].feat, "rdrand") && fs_has(&nodes[0].undecided, "rdrand") &&
	   fs_has(&nodes[0].undecided, "erms") && !fs_has(&nodes[0].undecided, "bmi1"),
	   "X86_64_V4 implies what NFD does not label (bmi2, popcnt, ...); rdrand, erms stay undecided %s", err);
	ok(nr == 1 && fs_has(&nodes[0].unmapped, "AVXSLOW") &&
	   fs_has(&nodes[0].unmapped, "OSXSAVE") && fs_has(&nodes[0].unmapped, "IBPB") &&
	   fs_has(&nodes[0].unmapped, "STIBP") && nodes[0].unmapped.nr == 4 &&
	   !fs_has(&nodes[0].feat, "ibpb"),
	   "labels without a name cpufeat takes: AVXSLOW, OSXSAVE, and IBPB, STIBP (/proc/cpuinfo only); attributes ignored");
	if (nr > 0)
		nfd_node_free(&nodes[0]), free(nodes);

	/* NFD v0.15 (no level labels) on a Haswell */
	nr = nodes_of("\"kubernetes.io/arch\":\"amd64\","
		      L("AESNI") L("AVX") L("AVX2") L("FMA3") L("MOVBE") L("X87")
		      "\"feature.node.kubernetes.io/kernel-version.full\":\"6.1.0\"",
		      &nodes, err);
	ok(nr == 1 && fs_has(&nodes[0].feat, "avx2") && fs_has(&nodes[0].feat, "sse2") &&
	   fs_has(&nodes[0].feat, "cmov") && !fs_has(&nodes[0].feat, "popcnt") &&
	   fs_has(&nodes[0].undecided, "popcnt") && fs_has(&nodes[0].undecided, "bmi1") &&
	   !strcmp(nodes[0].kernel, "6.1.0"),
	   "without level labels: x86-64-v1 is certain, popcnt and bmi1 undecided; NFD's kernel label %s", err);
	if (nr > 0)
		nfd_node_free(&nodes[0]), free(nodes);

	/* arm64: the kernel's hwcap names (Neoverse V1) */
	nr = nodes_of("\"kubernetes.io/arch\":\"arm64\","
		      L("FP") L("ASIMD") L("EVTSTRM") L("AES") L("PMULL") L("SHA1")
		      L("SHA2") L("CRC32") L("ATOMICS") L("CPUID") L("SVE") L("PACA")
		      L("PACG") L("SHA512") L("IDIVA")
		      "\"kubernetes.io/os\":\"linux\"",
		      &nodes, err);
	ok(nr == 1 && !strcmp(nodes[0].arch, "arm64") && fs_has(&nodes[0].feat, "sve") &&
	   fs_has(&nodes[0].feat, "paca") && fs_has(&nodes[0].feat, "sha512") &&
	   fs_has(&nodes[0].unmapped, "IDIVA") && !nodes[0].undecided.nr,
	   "arm64 labels: hwcaps as they are; nothing undecided");
	if (nr > 0)
		nfd_node_free(&nodes[0]), free(nodes);

	ok(nodes_of("\"kubernetes.io/arch\":\"amd64\"", &nodes, err) < 0 &&
	   strstr(err, "no feature.node.kubernetes.io/cpu-cpuid.* labels"),
	   "a node without NFD labels: %s", err);
	ok(nodes_of(L("AVX") "\"kubernetes.io/arch\":\"s390x\"", &nodes, err) < 0 &&
	   strstr(err, "architecture s390x"), "a node of another architecture: %s", err);
	ok(nodes_of(L("AVX") "\"a\":1", &nodes, err) < 0 &&
	   strstr(err, "architecture not labelled"), "a node without kubernetes.io/arch");
	{
		struct jv *v = json_parse("{\"kind\":\"List\",\"items\":[]}", err);

		ok(v && nfd_nodes(v, &nodes, err) < 0 && strstr(err, "no nodes"),
		   "an empty list");
		jv_free(v);
		v = json_parse("{\"kind\":\"Pod\"}", err);
		ok(v && nfd_nodes(v, &nodes, err) < 0 && strstr(err, "not a Node"),
		   "not a node list");
		jv_free(v);
		v = json_parse("{\"kind\":\"List\",\"items\":[{\"kind\":\"Pod\"}]}", err);
		ok(v && nfd_nodes(v, &nodes, err) < 0 && strstr(err, "is a Pod"),
		   "a list of something else");
		jv_free(v);
	}
}

static void test_check(void)
{
	struct featset want, have;
	struct check_result r;

	fs_init(&want);
	fs_init(&have);
	fs_add_words(&want, "fpu sse2 avx2 avx512f erms fsrm vmx hypervisor zz_new");
	fs_add_words(&have, "fpu sse2");
	check_missing("x86_64", &want, &have, false, &r);
	ok(joined_is(&r.refused, "avx2 avx512f zz_new") &&
	   joined_is(&r.missing[FC_ISA], "avx2") &&
	   joined_is(&r.missing[FC_STATE], "avx512f") &&
	   joined_is(&r.missing[FC_HINT], "erms fsrm") &&
	   joined_is(&r.missing[FC_KERNEL], "vmx hypervisor") &&
	   joined_is(&r.missing[FC_UNKNOWN], "zz_new"),
	   "check: isa, state and unknown refused; hints noted; kernel-only ignored");
	check_free(&r);
	check_missing("x86_64", &want, &have, true, &r);
	ok(r.refused.nr == 7, "check --strict: everything missing is refused");
	check_free(&r);
	fs_add_words(&have, "avx2 avx512f zz_new");
	check_missing("x86_64", &want, &have, false, &r);
	ok(!r.refused.nr && r.missing[FC_HINT].nr == 2, "only hints and kernel-only missing: nothing refused");
	check_free(&r);
	fs_free(&want);
	fs_free(&have);
}

static void record_bad(const struct bad_input *in)
{
	struct criu_record r;
	char err[ERRLEN] = "";
	int ret = parse_record(in->text, "rec", &r, err);

	ok(ret == -1 && strstr(err, in->want), "record rejected: %s (%s)",
	   in->what, err);
	if (!ret)
		record_free(&r);
}

static const struct bad_input bad_records[] = {
	{ "", "empty", "empty" },
	{ "cpufeat-criu 2\n", "rec:1: not a cpufeat CRIU record", "version 2" },
	{ "cpufeat-features 1\narch x86_64\nfeatures fpu\n",
	  "rec:1: not a cpufeat CRIU record", "a saved feature set" },
	{ "cpufeat-criu 1\narch x86_64\nmachine fpu\n",
	  "no \"process\" line", "no process" },
	{ "cpufeat-criu 1\narch x86_64\nprocess 1 fpu\n",
	  "no \"machine\" line", "no machine" },
	{ "cpufeat-criu 1\nmachine fpu\nprocess 1 fpu\n",
	  "no \"arch\" line", "no arch" },
	{ "cpufeat-criu 1\narch sparc\n",
	  "rec:2: unknown architecture", "another arch" },
	{ "cpufeat-criu 1\narch x86_64\nmachine fpu\nprocess 1 fpu\nprocess 1 fpu\n",
	  "rec:5: process listed twice", "a process twice" },
	{ "cpufeat-criu 1\narch x86_64\nmachine fpu\nprocess x fpu\n",
	  "rec:4: not a process id", "a bad pid" },
	{ "cpufeat-criu 1\narch x86_64\nmachine fpu\nprocess 0\n",
	  "rec:4: not a process id", "pid 0" },
	{ "cpufeat-criu 1\narch x86_64\nmachine fpu\nprocess 1 FPU\n",
	  "rec:4: invalid feature name \"FPU\"", "a bad name" },
	{ "cpufeat-criu 1\narch x86_64\nmachine\nprocess 1\n",
	  "rec:3: no features", "empty machine" },
	{ "cpufeat-criu 1\narch x86_64\nmachine fpu\nmachine fpu\n",
	  "rec:4: given twice", "machine twice" },
	{ "cpufeat-criu 1\narch x86_64\nflags fpu\n",
	  "rec:3: unknown key \"flags\"", "unknown key" },
	{ "cpufeat-criu 1\r\n", "carriage return", "CRLF" },
	{ "cpufeat-criu 1\narch x86_64\nmachine\tfpu\n", "tab", "a tab" },
};

static void test_record(void)
{
	struct criu_record r, r2;
	struct check_result res;
	char err[ERRLEN] = "", buf[4096];
	struct featset view, target;
	FILE *f;
	size_t i;

	record_init(&r);
	r.arch = xstrdup("x86_64");
	r.kernel = xstrdup("6.12.9");
	r.cpu = xstrdup("Fake CPU @ 1GHz");
	fs_add_words(&r.machine, "fpu sse sse2 avx avx2 avx512f erms vmx");
	fs_init(&view);
	fs_add_words(&view, "fpu sse sse2 avx avx2 erms vmx");
	record_add(&r, 1, &view);
	record_add(&r, 7, NULL);
	fs_free(&view);
	fs_add_words(&view, "fpu sse sse2 avx avx512f");
	record_add(&r, 9, &view);
	fs_free(&view);
	f = fmemopen(buf, sizeof(buf), "w");
	write_record(f, &r);
	fclose(f);
	ok(parse_record(buf, "rec", &r2, err) == 0 && r2.nr == 3 &&
	   !strcmp(r2.cpu, "Fake CPU @ 1GHz") && r2.machine.nr == 8 &&
	   record_find(&r2, 7) && !record_find(&r2, 7)->has_view &&
	   record_find(&r2, 9)->view.nr == 5 && !record_find(&r2, 2),
	   "a record written parses back: processes, views, a zombie without one %s", err);
	ok(strstr(buf, "\ncpufeat-criu 1\narch x86_64\n") && strstr(buf, "\nprocess 7\n") &&
	   strstr(buf, "\nprocess 1 fpu sse sse2 avx avx2 erms vmx\n"),
	   "the format: magic, arch, one \"process NSPID VIEW\" line each");
	fs_init(&target);
	fs_add_words(&target, "fpu sse sse2 avx");
	record_check(&r2, "x86_64", &target, false, &res);
	ok(joined_is(&res.refused, "avx2 avx512f") && joined_is(&res.missing[FC_STATE], "avx512f") &&
	   joined_is(&res.missing[FC_HINT], "erms") && joined_is(&res.missing[FC_KERNEL], "vmx"),
	   "what a target lacks of all views, by class, in the machine's order");
	check_free(&res);
	fs_free(&target);
	record_free(&r);
	record_free(&r2);

	ok(parse_record("cpufeat-criu 1\narch arm64\nmachine fp asimd\nprocess 1 fp asimd\n",
			"rec", &r, err) == 0 && !strcmp(r.kernel, "unknown"), "kernel and cpu optional");
	record_free(&r);
	for (i = 0; i < ARRAY_SIZE(bad_records); i++)
		record_bad(&bad_records[i]);
}

int main(int argc, char **argv)
{
	printf("TAP version 13\n");
	if (argc == 3 && !strcmp(argv[1], "--fuzz")) {
		test_fuzz(atol(argv[2]));
		goto out;
	}
	names_file = argc > 1 ? argv[1] : NULL;
	test_featset();
	test_parse();
	test_presets();
	test_spec();
	test_hwcap();
	test_predict();
	test_elf();
	test_distro();
	test_classes();
	test_check();
	test_json();
	test_fuzz(2000);
	test_nfd();
	test_record();
out:
	printf("1..%d\n", nr_tests);
	printf("# %d passed, %d failed\n", nr_tests - nr_failed, nr_failed);
	return nr_failed ? 1 : 0;
}
