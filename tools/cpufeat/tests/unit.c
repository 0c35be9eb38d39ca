// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side unit tests of the cpufeat tool's pure logic (features.c):
 * feature sets, the saved-file format, presets, specs, predictions, ISA
 * baseline checks and the ELF ISA level note.  Prints TAP; exits 1 if a
 * test failed.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpufeat.h"

static int nr_tests, nr_failed;

static void ok(int cond, const char *fmt, ...)
{
	va_list ap;

	nr_tests++;
	if (!cond)
		nr_failed++;
	printf("%sok %d - ", cond ? "" : "not ", nr_tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
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

static void bad(const char *text, const char *want, const char *what)
{
	char err[ERRLEN] = "";
	struct machine m;
	int r = parse_saved(text, "f", &m, err);

	ok(r == -1 && strstr(err, want), "rejected: %s (%s)", what, err);
	if (r == 0)
		machine_free(&m);
}

static void test_parse(void)
{
	char err[ERRLEN] = "", buf[4096];
	struct machine m, m2;
	FILE *f;

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

	bad("", "empty file", "empty file");
	bad("# only a comment\n", "no \"cpufeat-features 1\"", "no magic line");
	bad("arch x86_64\n", "f:1: not a saved feature set", "magic not first");
	bad("cpufeat-features 2\n", "f:1: unsupported format version \"2\"", "version 2");
	bad("cpufeat-features 1x\n", "unsupported format version", "version 1x");
	bad("cpufeat-features\n", "unsupported format version", "no version");
	bad("cpufeat-features 1\nfeatures fpu\n", "missing \"arch\"", "no arch");
	bad("cpufeat-features 1\narch x86_64\n", "missing \"features\"", "no features line");
	bad("cpufeat-features 1\narch x86_64\nfeatures\n", "f:3: no features", "empty features");
	bad("cpufeat-features 1\narch riscv\nfeatures a\n",
	    "f:2: unknown architecture", "unknown arch");
	bad("cpufeat-features 1\narch x86_64\narch x86_64\nfeatures a\n",
	    "f:3: \"arch\" given twice", "arch twice");
	bad("cpufeat-features 1\narch x86_64\nfeatures a\nfeatures b\n",
	    "f:4: \"features\" given twice", "features twice");
	bad("cpufeat-features 1\narch x86_64\nfeatures a b a\n",
	    "f:3: feature \"a\" listed twice", "duplicate feature");
	bad("cpufeat-features 1\narch x86_64\nfeatures fpu SSE\n",
	    "f:3: invalid feature name \"SSE\"", "upper-case name");
	bad("cpufeat-features 1\narch x86_64\nfeatures fpu +sse\n",
	    "invalid feature name \"+sse\"", "edit in a file");
	bad("cpufeat-features 1\narch x86_64\nflags fpu\n",
	    "f:3: unknown key \"flags\"", "unknown key");
	bad("cpufeat-features 1\r\narch x86_64\n", "f:1: carriage return", "CRLF");
	bad("cpufeat-features 1\n arch x86_64\n",
	    "f:2: line starts with white space", "indented line");
	bad("cpufeat-features 1\narch x86_64\ncpu\nfeatures a\n",
	    "f:3: \"cpu\" has no value", "empty cpu");
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

static void predict_is(const char *written, const char *current,
		       const char *want)
{
	struct featset parent, out;

	fs_init(&parent);
	fs_init(&out);
	fs_add_words(&parent, "fpu sse sse2 pni popcnt avx avx2");
	spec_predict(written, current, &parent, &out);
	ok(joined_is(&out, want), "write \"%s\" over \"%s\" -> \"%s\"",
	   written, current, want);
	fs_free(&parent);
	fs_free(&out);
}

static void test_predict(void)
{
	struct featset mach, allowed, missing;

	predict_is("max", "fpu", "fpu sse sse2 pni popcnt avx avx2");
	predict_is("avx2 fpu la57", "max", "fpu avx2");
	predict_is("-avx2 -pni", "max", "fpu sse sse2 popcnt avx");
	predict_is("+avx -sse", "fpu sse sse2", "fpu sse2 avx");
	predict_is("+la57", "fpu", "fpu");
	predict_is("-sse", "max\n", "fpu sse2 pni popcnt avx avx2");

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

int main(void)
{
	printf("TAP version 13\n");
	test_featset();
	test_parse();
	test_presets();
	test_spec();
	test_predict();
	test_elf();
	printf("1..%d\n", nr_tests);
	printf("# %d passed, %d failed\n", nr_tests - nr_failed, nr_failed);
	return nr_failed ? 1 : 0;
}
